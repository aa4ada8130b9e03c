// SPDX-License-Identifier: MIT
/** Neglect assessment tools, assessments and family assessments. */
import type { ColumnType } from "kysely";
import type {
  CreatedAt,
  IsoDate,
  JsonColumn,
  NullableDate,
  NullableJsonColumn,
  NullableNumericColumn,
  NullableTimestamp,
  NumericColumn,
} from "./columns.ts";

export type AssessmentToolTable = {
  partnership_id: string;
  tool_id: string;
  slug: string;
  name: string;
  tier: "screen" | "in_depth" | "analysis";
  licence_kind: "own" | "open" | "licensed_third_party";
  attribution: string | null;
  source: "repository" | "upload";
  created_at: CreatedAt;
  created_by: string | null;
};

export type AssessmentToolVersionTable = {
  partnership_id: string;
  tool_version_id: string;
  tool_id: string;
  version: string;
  content: JsonColumn<unknown>;
  content_hash: string;
  source_text: string;
  published_at: CreatedAt;
  published_by: string | null;
};

export type AssessmentTable = {
  partnership_id: string;
  assessment_id: string;
  person_id: string;
  tool_version_id: string;
  agency_id: string;
  status: ColumnType<
    "draft" | "submitted" | "signed-off",
    "draft" | undefined,
    "draft" | "submitted" | "signed-off"
  >;
  mode: "practitioner" | "with-family";
  assessed_on: IsoDate;
  observation_from: NullableDate;
  observation_to: NullableDate;
  started_by: string;
  started_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  judgements: ColumnType<unknown, string | undefined, string>;
  family_view: NullableJsonColumn<unknown>;
  child_voice: NullableJsonColumn<unknown>;
  summary: string | null;
  results: NullableJsonColumn<unknown>;
  submitted_at: NullableTimestamp;
  submitted_by: string | null;
  signed_off_at: NullableTimestamp;
  signed_off_by: string | null;
  sign_off_comments: string | null;
  returned_comments: string | null;
  chronology_event_id: string | null;
  /** The family assessment this child's assessment is part of (migration 0024). */
  family_assessment_id: ColumnType<string | null, string | null | undefined, string | null>;
};

export type AssessmentAnswerTable = {
  partnership_id: string;
  assessment_id: string;
  node_id: string;
  value: NullableNumericColumn;
  special: "not_known" | "not_applicable" | null;
  evidence_sources: string[];
  evidence: string | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_by: string | null;
};

export type AssessmentVisitTable = {
  partnership_id: string;
  visit_id: string;
  assessment_id: string;
  visited_on: IsoDate;
  announced: boolean;
  child_seen: boolean;
  note: string | null;
  recorded_by: string | null;
};

export type AssessmentTargetTable = {
  partnership_id: string;
  target_id: string;
  assessment_id: string;
  node_id: string;
  target_value: NumericColumn;
  what_will_change: string;
  who: string | null;
  review_on: IsoDate;
  recorded_by: string | null;
};

/** One assessment of a household's children with one tool (migration 0024). */
export type FamilyAssessmentTable = {
  partnership_id: string;
  family_assessment_id: string;
  tool_version_id: string;
  agency_id: string;
  mode: "practitioner" | "with-family";
  assessed_on: IsoDate;
  started_by: string;
  started_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  family_view: NullableJsonColumn<unknown>;
};

/** The answers to a family assessment's shared areas, given once for every child. */
export type FamilyAssessmentAnswerTable = {
  partnership_id: string;
  family_assessment_id: string;
  node_id: string;
  value: NullableNumericColumn;
  special: "not_known" | "not_applicable" | null;
  evidence_sources: string[];
  evidence: string | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_by: string | null;
};
