// SPDX-License-Identifier: MIT
/** Learning (migration 0020): case audits, training and feedback from children and families. */
import type { ColumnType } from "kysely";
import type { CreatedAt, IsoDate, JsonColumn } from "./columns.ts";

type Grade = "outstanding" | "good" | "requires-improvement" | "inadequate";

export type AuditFormTable = {
  partnership_id: string;
  form_id: string;
  slug: string;
  version: string;
  name: string;
  content: JsonColumn<unknown>;
  content_hash: string;
  source_text: string;
  published_at: CreatedAt;
};

export type AuditRoundTable = {
  partnership_id: string;
  round_id: string;
  title: string;
  theme: "neglect" | "early-help" | "front-door" | "child-protection";
  form_id: string;
  sample_method: "random" | "rule";
  sample_rule: "neglect-entries" | "open-involvement" | "any-child";
  sample_seed: string | null;
  sample_size: number;
  starts_on: IsoDate;
  returns_due_on: IsoDate;
  ends_on: IsoDate;
  planned_by: string;
  planned_at: CreatedAt;
};

export type AuditRoundAgencyTable = {
  partnership_id: string;
  round_id: string;
  agency_id: string;
  auditor_user_id: string;
};

export type AuditRoundChildTable = {
  partnership_id: string;
  round_id: string;
  person_id: string;
  position: number;
};

export type AuditReturnTable = {
  partnership_id: string;
  return_id: string;
  round_id: string;
  person_id: string;
  agency_id: string;
  version: number;
  overall_grade: Grade;
  summary: string;
  submitted_by: string;
  submitted_at: CreatedAt;
};

export type AuditReturnAnswerTable = {
  partnership_id: string;
  return_id: string;
  question_id: string;
  grade: Grade;
  evidence: string;
};

export type AuditModerationTable = {
  partnership_id: string;
  moderation_id: string;
  round_id: string;
  person_id: string;
  version: number;
  agreed_grade: Grade;
  learning_points: string;
  moderated_by: string;
  moderated_at: CreatedAt;
};

export type AuditActionTable = {
  partnership_id: string;
  action_id: string;
  round_id: string;
  person_id: string;
  description: string;
  owner_user_id: string;
  due_on: IsoDate;
  created_by: string;
  created_at: CreatedAt;
};

export type AuditActionCompletionTable = {
  partnership_id: string;
  action_id: string;
  completed_on: IsoDate;
  note: string;
  recorded_by: string;
  recorded_at: CreatedAt;
};

export type TrainingCourseTable = {
  partnership_id: string;
  course_id: string;
  title: string;
  level: "introductory" | "core" | "advanced";
  tool_slugs: ColumnType<string[], string[] | undefined, string[]>;
  outcomes: string[];
  created_by: string;
  created_at: CreatedAt;
};

export type TrainingSessionTable = {
  partnership_id: string;
  session_id: string;
  course_id: string;
  held_on: IsoDate;
  trainer: string;
  created_by: string;
  created_at: CreatedAt;
};

export type TrainingAttendanceTable = {
  partnership_id: string;
  session_id: string;
  user_id: string;
  agency_id: string;
  recorded_by: string;
  recorded_at: CreatedAt;
};

export type TrainingEvaluationTable = {
  partnership_id: string;
  session_id: string;
  user_id: string;
  stage: "before" | "after";
  ratings: number[];
  recorded_by: string;
  recorded_at: CreatedAt;
};

export type TrainingTargetTable = {
  partnership_id: string;
  version: number;
  target_percent: number;
  set_by: string;
  set_at: CreatedAt;
};

export type FeedbackLinkTable = {
  partnership_id: string;
  link_id: string;
  token_hash: string;
  person_id: string;
  agency_id: string;
  version: "child" | "family";
  created_by: string;
  created_at: CreatedAt;
  expires_at: Date;
};

export type FeedbackResponseTable = {
  partnership_id: string;
  response_id: string;
  person_id: string;
  agency_id: string;
  episode_id: string | null;
  version: "child" | "family";
  channel: "device" | "link";
  link_id: string | null;
  answers: JsonColumn<Record<string, number>>;
  comment: string | null;
  recorded_by: string | null;
  submitted_at: CreatedAt;
};

export type FeedbackQuoteTable = {
  partnership_id: string;
  response_id: string;
  chosen_by: string;
  chosen_at: CreatedAt;
};
