// SPDX-License-Identifier: MIT
/** Pathways (src/pathways): levels of need, requests for support, early help, social care coded events, supervision, escalations, step-downs, plans, casework and authorisations. */
import type { ColumnType } from "kysely";
import type { ConsentState } from "../../people/codes.ts";
import type { CreatedAt, IsoDate, NullableDate, NullableTimestamp } from "./columns.ts";

export type NeedLevelTable = {
  partnership_id: string;
  level_code: string;
  position: number;
  name: string;
  description: string;
  pathway: string;
};

export type LevelDecisionTable = {
  partnership_id: string;
  decision_id: string;
  person_id: string;
  suggested_level: string | null;
  suggestion_source: string | null;
  chosen_level: string;
  rationale: string;
  decided_by: string;
  decided_on: IsoDate;
  approved_by: string | null;
  recorded_at: CreatedAt;
};

export type SupportRequestTable = {
  partnership_id: string;
  request_id: string;
  person_id: string;
  referrer_user_id: string;
  referrer_agency_id: string;
  received_on: IsoDate;
  received_at: CreatedAt;
  concerns: string;
  what_tried: string;
  consent: ConsentState;
  consent_reason: string | null;
  referrer_level: string | null;
  from_early_help_id: string | null;
  rag: "red" | "amber" | "green" | null;
  rated_by: string | null;
  rated_at: NullableTimestamp;
  outcome: "nfa" | "advice" | "early-help" | "s17" | "s47" | null;
  decision_reason: string | null;
  decided_by: string | null;
  decided_on: NullableDate;
  decided_at: NullableTimestamp;
  episode_id: string | null;
  early_help_id: string | null;
};

export type EarlyHelpTable = {
  partnership_id: string;
  early_help_id: string;
  person_id: string;
  started_on: IsoDate;
  consent_on: IsoDate;
  assessment_summary: string;
  lead_user_id: string | null;
  lead_agency_id: string;
  review_interval_weeks: number;
  ended_on: NullableDate;
  ending: "outcomes-met" | "step-up" | "consent-withdrawn" | "moved" | null;
  ending_note: string | null;
  stepped_down_from_episode_id: string | null;
  support_request_id: string | null;
  created_by: string;
  created_at: CreatedAt;
};

export type EarlyHelpMemberTable = {
  partnership_id: string;
  member_id: string;
  early_help_id: string;
  agency_id: string | null;
  name: string;
  member_role: string;
  joined_on: IsoDate;
  left_on: NullableDate;
};

export type EarlyHelpOutcomeTable = {
  partnership_id: string;
  outcome_id: string;
  early_help_id: string;
  description: string;
  added_on: IsoDate;
};

export type EarlyHelpActionTable = {
  partnership_id: string;
  action_id: string;
  early_help_id: string;
  outcome_id: string | null;
  description: string;
  owner: string;
  due_on: IsoDate;
  done_on: NullableDate;
};

export type EarlyHelpReviewTable = {
  partnership_id: string;
  review_id: string;
  early_help_id: string;
  held_on: IsoDate;
  progress: ColumnType<Record<string, string>, string | undefined, never>;
  notes: string;
  recorded_by: string;
  recorded_at: CreatedAt;
};

export type CscEventTable = {
  partnership_id: string;
  event_id: string;
  person_id: string;
  episode_id: string;
  subject_id: string | null;
  event_type: import("../../pathways/codes.ts").CscEventType;
  occurred_on: IsoDate;
  code: string | null;
  codes: ColumnType<string[], string[] | undefined, never>;
  count: number | null;
  child_seen: boolean | null;
  seen_alone: boolean | null;
  target_on: NullableDate;
  worker_user_id: string | null;
  note: string | null;
  origin: ColumnType<"hearth" | "import" | "generator", "hearth" | "import" | "generator" | undefined, never>;
  recorded_by: string | null;
  recorded_at: CreatedAt;
};

export type SupervisionRecordTable = {
  partnership_id: string;
  supervision_id: string;
  person_id: string;
  held_on: IsoDate;
  supervisor_user_id: string;
  supervisee_user_id: string;
  reflection: string;
  decisions: string;
  actions: string;
  recorded_by: string;
  recorded_at: CreatedAt;
};

export type EscalationTable = {
  partnership_id: string;
  escalation_id: string;
  person_id: string;
  raised_by: string;
  raised_by_agency_id: string;
  raised_on: IsoDate;
  disagreement: string;
  resolved_on: NullableDate;
  outcome: string | null;
  /** What the difference is about (migration 0011): an agency, or a front-door decision. */
  about_agency_id: ColumnType<string | null, string | null | undefined, string | null>;
  about_request_id: ColumnType<string | null, string | null | undefined, string | null>;
};

export type EscalationStepTable = {
  partnership_id: string;
  step_id: string;
  escalation_id: string;
  stage: "practitioner" | "manager" | "safeguarding-lead" | "partnership";
  started_on: IsoDate;
  note: string;
  recorded_by: string;
  recorded_at: CreatedAt;
};

// Front door (migration 0012): a social care closure stepped down to the early help it opened.
export type StepDownTable = {
  partnership_id: string;
  step_down_id: string;
  person_id: string;
  episode_id: string;
  closure_event_id: string;
  early_help_id: string;
  stepped_down_on: IsoDate;
  reason: string;
  recorded_by: string;
  recorded_at: CreatedAt;
};

export type PlanTable = {
  partnership_id: string;
  plan_id: string;
  person_id: string;
  plan_type: "cp" | "cin" | "taf";
  episode_id: string | null;
  plan_event_id: string | null;
  early_help_id: string | null;
  created_by: string;
  created_at: CreatedAt;
};

export type PlanVersionTable = {
  partnership_id: string;
  plan_id: string;
  version: number;
  summary: string;
  change_reason: string | null;
  recorded_by: string;
  recorded_at: CreatedAt;
};

export type PlanOutcomeTable = {
  partnership_id: string;
  plan_id: string;
  version: number;
  outcome_id: string;
  position: number;
  description: string;
};

export type PlanActionTable = {
  partnership_id: string;
  plan_id: string;
  version: number;
  action_id: string;
  outcome_id: string | null;
  position: number;
  description: string;
  owner_user_id: string | null;
  owner_agency_id: string | null;
  owner_name: string | null;
  due_on: IsoDate;
};

export type PlanReviewTable = {
  partnership_id: string;
  review_id: string;
  plan_id: string;
  plan_version: number;
  held_on: IsoDate;
  child_view: string;
  family_view: string;
  summary: string;
  recorded_by: string;
  recorded_at: CreatedAt;
};

export type PlanReviewProgressTable = {
  partnership_id: string;
  review_id: string;
  item_type: "outcome" | "action";
  item_id: string;
  status: "achieved" | "on-track" | "some-progress" | "no-progress" | "worse";
  narrative: string;
};

export type CaseworkRecordTable = {
  partnership_id: string;
  record_id: string;
  person_id: string;
  episode_id: string;
  record_type: "assessment" | "strategy-discussion" | "conference";
  event_id: string;
  created_by: string;
  created_at: CreatedAt;
};

export type CaseworkRecordVersionTable = {
  partnership_id: string;
  record_id: string;
  version: number;
  narrative: string;
  child_experience: string;
  change_reason: string | null;
  recorded_by: string;
  recorded_at: CreatedAt;
};

export type AuthorisationTable = {
  partnership_id: string;
  authorisation_id: string;
  person_id: string;
  subject_type: "assessment" | "plan";
  record_id: string | null;
  plan_id: string | null;
  subject_version: number;
  author_user_id: string;
  manager_user_id: string;
  submitted_at: CreatedAt;
};

export type AuthorisationDecisionTable = {
  partnership_id: string;
  authorisation_id: string;
  author_user_id: string;
  decision: "authorised" | "returned";
  reason: string | null;
  decided_by: string;
  decided_at: CreatedAt;
};
