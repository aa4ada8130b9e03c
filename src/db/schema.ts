// SPDX-License-Identifier: MIT
/** Kysely's view of Hearth's tables. Every table carries `partnership_id` in its primary key. */
import type { ColumnType } from "kysely";
import type {
  DatePrecision,
  EventType,
  InformationBasis,
  NeglectType,
  Significance,
  Visibility,
} from "../chronology/codes.ts";
import type { AgencyType, Role } from "../organisation/codes.ts";
import type {
  ConsentState,
  DisabilityCode,
  EthnicityCode,
  HouseholdRole,
  PersonKind,
  RelationshipType,
  SendStatus,
  SexCode,
  SharingBasis,
  UpnUnknownCode,
} from "../people/codes.ts";

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type PartnershipTable = {
  partnership_id: string;
  name: string;
  local_authority_codes: string[];
  created_at: CreatedAt;
};

export type AgencyTable = {
  partnership_id: string;
  agency_id: string;
  name: string;
  agency_type: AgencyType;
  created_at: CreatedAt;
  deactivated_at: NullableTimestamp;
};

export type TeamTable = {
  partnership_id: string;
  team_id: string;
  agency_id: string;
  name: string;
  created_at: CreatedAt;
  deactivated_at: NullableTimestamp;
};

export type UserTable = {
  partnership_id: string;
  user_id: string;
  email: string;
  display_name: string;
  agency_id: string;
  team_id: string | null;
  role: Role;
  password_hash: string | null;
  totp_secret: string | null;
  totp_confirmed_at: NullableTimestamp;
  totp_last_step: number | null;
  last_sign_in_at: NullableTimestamp;
  created_at: CreatedAt;
  deactivated_at: NullableTimestamp;
};

export type InviteTable = {
  partnership_id: string;
  invite_id: string;
  user_id: string;
  token_hash: string;
  created_by: string | null;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
};

export type SessionTable = {
  partnership_id: string;
  session_id: string;
  user_id: string;
  token_hash: string;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  second_factor_verified_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  revoked_reason: string | null;
  ip: string | null;
  user_agent: string | null;
  /** The identity provider the session signed in through (migration 0021), or null for a password. */
  sso_provider_id: ColumnType<string | null, string | null | undefined, string | null>;
};

/** Failed sign-ins by a hashed key (the email typed, the client, an account's second factor). */
export type SignInThrottleTable = {
  key_hash: string;
  failures: number;
  last_failure_at: Timestamp;
  not_before: NullableTimestamp;
};

export type AuditLogTable = {
  partnership_id: string;
  seq: number;
  occurred_at: ColumnType<Date, string, never>;
  actor_user_id: string | null;
  actor_role: string | null;
  actor_agency_id: string | null;
  action: string;
  record_type: string;
  record_id: string;
  reason: string | null;
  ip: string | null;
  details: ColumnType<Record<string, unknown>, string, never>;
  prev_hash: string;
  hash: string;
};

export type AuditChainHeadTable = {
  partnership_id: string;
  last_seq: number;
  last_hash: string;
  /** The seq of the latest audited change (not a view, search or export): the records' version. */
  last_change_seq: ColumnType<number, number | undefined, number>;
};

export type HearthSchema = {
  partnerships: PartnershipTable;
  agencies: AgencyTable;
  teams: TeamTable;
  users: UserTable;
  invites: InviteTable;
  sessions: SessionTable;
  sign_in_throttles: SignInThrottleTable;
  audit_log: AuditLogTable;
  audit_chain_heads: AuditChainHeadTable;
  people: PersonTable;
  person_names: PersonNameTable;
  households: HouseholdTable;
  household_members: HouseholdMemberTable;
  relationships: RelationshipTable;
  involvements: InvolvementTable;
  involvement_requests: InvolvementRequestTable;
  break_glass: BreakGlassTable;
  notifications: NotificationTable;
  person_merges: PersonMergeTable;
  history_reads: HistoryReadTable;
  chronology_events: ChronologyEventTable;
  chronology_retractions: ChronologyRetractionTable;
  assessment_tools: AssessmentToolTable;
  assessment_tool_versions: AssessmentToolVersionTable;
  assessments: AssessmentTable;
  assessment_answers: AssessmentAnswerTable;
  assessment_visits: AssessmentVisitTable;
  assessment_targets: AssessmentTargetTable;
  need_levels: NeedLevelTable;
  level_decisions: LevelDecisionTable;
  support_requests: SupportRequestTable;
  early_help: EarlyHelpTable;
  early_help_members: EarlyHelpMemberTable;
  early_help_outcomes: EarlyHelpOutcomeTable;
  early_help_actions: EarlyHelpActionTable;
  early_help_reviews: EarlyHelpReviewTable;
  csc_events: CscEventTable;
  benchmark_values: BenchmarkValueTable;
  benchmark_areas: BenchmarkAreaTable;
  statistical_neighbours: StatisticalNeighbourTable;
  benchmark_imports: BenchmarkImportTable;
  indicator_commentary: IndicatorCommentaryTable;
  indicator_snapshots: IndicatorSnapshotTable;
  // Stored indicator units (migration 0034).
  indicator_unit_sets: IndicatorUnitSetTable;
  indicator_units: IndicatorUnitTable;
  indicator_unit_children: IndicatorUnitChildTable;
  board_report_jobs: BoardReportJobTable;
  supervision_records: SupervisionRecordTable;
  escalations: EscalationTable;
  escalation_steps: EscalationStepTable;
  // Front door (migration 0012).
  step_downs: StepDownTable;
  // Households and settings (migration 0014).
  partnership_settings_versions: PartnershipSettingsVersionTable;
  household_membership_endings: HouseholdMembershipEndingTable;
  relationship_endings: RelationshipEndingTable;
  // Plans (migration 0013).
  plans: PlanTable;
  plan_versions: PlanVersionTable;
  plan_outcomes: PlanOutcomeTable;
  plan_actions: PlanActionTable;
  plan_reviews: PlanReviewTable;
  plan_review_progress: PlanReviewProgressTable;
  casework_records: CaseworkRecordTable;
  casework_record_versions: CaseworkRecordVersionTable;
  authorisations: AuthorisationTable;
  authorisation_decisions: AuthorisationDecisionTable;
  // Signals (migration 0018).
  signals: SignalTable;
  signal_entries: SignalEntryTable;
  signal_decisions: SignalDecisionTable;
  // The board's settings (migration 0022).
  board_settings_versions: BoardSettingsVersionTable;
  // Agency imports (migration 0019).
  import_mappings: ImportMappingTable;
  agency_imports: AgencyImportTable;
  import_rows: ImportRowTable;
  import_row_candidates: ImportRowCandidateTable;
  import_reviews: ImportReviewTable;
  // Learning: case audits, training, feedback (migration 0020); all append-only.
  audit_forms: AuditFormTable;
  audit_rounds: AuditRoundTable;
  audit_round_agencies: AuditRoundAgencyTable;
  audit_round_children: AuditRoundChildTable;
  audit_returns: AuditReturnTable;
  audit_return_answers: AuditReturnAnswerTable;
  audit_moderations: AuditModerationTable;
  audit_actions: AuditActionTable;
  audit_action_completions: AuditActionCompletionTable;
  training_courses: TrainingCourseTable;
  training_sessions: TrainingSessionTable;
  training_attendance: TrainingAttendanceTable;
  training_evaluations: TrainingEvaluationTable;
  training_targets: TrainingTargetTable;
  feedback_links: FeedbackLinkTable;
  feedback_responses: FeedbackResponseTable;
  feedback_quotes: FeedbackQuoteTable;
  // Single sign-on (migration 0021).
  sso_providers: SsoProviderTable;
  sso_identities: SsoIdentityTable;
  sso_pending_sign_ins: SsoPendingSignInTable;
  // Family assessments (migration 0024).
  family_assessments: FamilyAssessmentTable;
  family_assessment_answers: FamilyAssessmentAnswerTable;
  retention_rule_versions: RetentionRuleVersionTable;
  record_archives: RecordArchiveTable;
  sso_group_mappings: SsoGroupMappingTable;
};

/** A calendar date as an ISO string, YYYY-MM-DD. */
type IsoDate = string;
type NullableDate = ColumnType<IsoDate | null, IsoDate | null | undefined, IsoDate | null>;

export type PersonTable = {
  partnership_id: string;
  person_id: string;
  kind: PersonKind;
  given_names: string;
  family_name: string;
  date_of_birth: NullableDate;
  expected_date_of_birth: NullableDate;
  date_of_death: NullableDate;
  sex: SexCode;
  ethnicity: EthnicityCode | null;
  disabilities: ColumnType<DisabilityCode[], DisabilityCode[] | undefined, DisabilityCode[]>;
  nhs_number: string | null;
  upn: string | null;
  /** The CIN census's FormerUPN and UPNunknown (0017), so an imported return exports as it came. */
  former_upn: ColumnType<string | null, string | null | undefined, string | null>;
  upn_unknown: ColumnType<UpnUnknownCode | null, UpnUnknownCode | null | undefined, UpnUnknownCode | null>;
  local_id: string | null;
  send_status: SendStatus | null;
  young_carer: boolean | null;
  first_language: string | null;
  merged_into_person_id: string | null;
  created_at: CreatedAt;
  created_by: string | null;
};

export type PersonNameTable = {
  partnership_id: string;
  name_id: string;
  person_id: string;
  given_names: string;
  family_name: string;
  full_name: ColumnType<string, never, never>;
  name_use: ColumnType<"current" | "previous" | "known-as", "current" | "previous" | "known-as" | undefined>;
  recorded_at: CreatedAt;
};

export type HouseholdTable = {
  partnership_id: string;
  household_id: string;
  address_line: string;
  town: string | null;
  postcode: string | null;
  ward: string | null;
  lsoa: string | null;
  created_at: CreatedAt;
};

export type HouseholdMemberTable = {
  partnership_id: string;
  membership_id: string;
  household_id: string;
  person_id: string;
  household_role: HouseholdRole;
  valid_from: IsoDate;
  valid_to: NullableDate;
};

export type RelationshipTable = {
  partnership_id: string;
  relationship_id: string;
  person_id: string;
  related_person_id: string;
  relationship_type: RelationshipType;
  parental_responsibility: ColumnType<boolean, boolean | undefined>;
  valid_from: NullableDate;
  valid_to: NullableDate;
};

export type InvolvementTable = {
  partnership_id: string;
  involvement_id: string;
  person_id: string;
  agency_id: string;
  started_on: IsoDate;
  ended_on: NullableDate;
  lead_professional_user_id: string | null;
  is_lead_agency: ColumnType<boolean, boolean | undefined>;
  sharing_basis: SharingBasis;
  consent: ConsentState;
  sharing_reasoning: string | null;
  created_by: string | null;
  created_at: CreatedAt;
};

export type InvolvementRequestTable = {
  partnership_id: string;
  request_id: string;
  person_id: string;
  requested_by: string;
  requesting_agency_id: string;
  reason: string;
  requested_at: CreatedAt;
  decided_at: NullableTimestamp;
  decided_by: string | null;
  decision: "granted" | "declined" | null;
  decision_reason: string | null;
};

export type BreakGlassTable = {
  partnership_id: string;
  break_glass_id: string;
  person_id: string;
  user_id: string;
  agency_id: string;
  reason: string;
  opened_at: CreatedAt;
  expires_at: Timestamp;
};

export type NotificationTable = {
  partnership_id: string;
  notification_id: string;
  recipient_user_id: string;
  created_at: CreatedAt;
  subject: string;
  body: string;
  link: string | null;
  read_at: NullableTimestamp;
  kind: ColumnType<string, string | undefined, never>;
  person_id: string | null;
  actor_user_id: string | null;
  acknowledged_at: NullableTimestamp;
  dedupe_key: string | null;
  emailed_at: NullableTimestamp;
};

export type PersonMergeTable = {
  partnership_id: string;
  merge_id: string;
  kept_person_id: string;
  merged_person_id: string;
  reason: string;
  merged_at: CreatedAt;
  merged_by: string;
  reversed_at: NullableTimestamp;
  reversed_by: string | null;
  reversal_reason: string | null;
};

export type HistoryReadTable = {
  partnership_id: string;
  person_id: string;
  user_id: string;
  read_at: CreatedAt;
};

export type ChronologyEventTable = {
  partnership_id: string;
  event_id: string;
  person_id: string;
  occurred_on: IsoDate;
  date_precision: DatePrecision;
  event_type: EventType;
  source_agency_id: string;
  recorded_by: string | null;
  recorded_at: CreatedAt;
  what_happened: string;
  impact_on_child: string;
  action_taken: string | null;
  significance: Significance;
  neglect_types: ColumnType<NeglectType[], NeglectType[] | undefined, never>;
  information_basis: InformationBasis;
  visibility: ColumnType<Visibility, Visibility | undefined, never>;
  restricted_to_roles: ColumnType<Role[], Role[] | undefined, never>;
  supersedes_event_id: string | null;
  amendment_reason: string | null;
  /** The agency import the entry came from (migration 0019), or null for an entry typed by a person. */
  import_id: ColumnType<string | null, string | null | undefined, never>;
};

export type ChronologyRetractionTable = {
  partnership_id: string;
  event_id: string;
  retracted_at: CreatedAt;
  retracted_by: string | null;
  reason: string;
};

/** numeric columns come back as strings (exact decimals); they are written as numbers. */
type NumericColumn = ColumnType<string, number, number>;
type NullableNumericColumn = ColumnType<string | null, number | null | undefined, number | null>;
type JsonColumn<T> = ColumnType<T, string, string>;
type NullableJsonColumn<T> = ColumnType<T | null, string | null | undefined, string | null>;

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

// Pathways (src/pathways): levels of need, requests for support, early help, social care coded events.

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
  event_type: import("../pathways/codes.ts").CscEventType;
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

/** A published DfE or ONS figure; a suppressed cell has a null value and its code. Not partnership data. */
export type BenchmarkValueTable = {
  measure: string;
  time_period: number;
  geographic_level: "National" | "Regional" | "Local authority";
  area_code: string;
  value: ColumnType<string | null, number | string | null, number | string | null>;
  suppression: "c" | "x" | "z" | "low" | "u" | "" | null;
};

export type BenchmarkAreaTable = {
  area_code: string;
  geographic_level: "National" | "Regional" | "Local authority";
  name: string;
  new_la_code: string | null;
  region_code: string | null;
  region_name: string | null;
  last_year: number;
};

export type StatisticalNeighbourTable = {
  model: "2021" | "2025";
  old_la_code: string;
  rank: number;
  neighbour_code: string;
  closeness: string | null;
};

export type BenchmarkImportTable = {
  import_id: string;
  imported_at: CreatedAt;
  source: string;
  files: string[];
  value_rows: number;
  suppressed_rows: number;
};

export type IndicatorCommentaryTable = {
  partnership_id: string;
  period: string;
  indicator_id: string;
  body: string;
  updated_by: string;
  updated_at: Timestamp;
};

export type IndicatorSnapshotTable = {
  partnership_id: string;
  scope_key: string;
  as_of: IsoDate;
  source_version: string;
  computed_at: Timestamp;
  computed_in_ms: number;
  children: number;
  /** { indicatorId: { periodKey: Figure } } */
  figures: ColumnType<unknown, string, string>;
  refresh_claimed_until: NullableTimestamp;
};

export type IndicatorUnitSetTable = {
  partnership_id: string;
  as_of: IsoDate;
  registry_version: string;
  period_keys: string[];
  change_seq: ColumnType<string, string | number, string | number>;
  children: number;
  computed_at: Timestamp;
};

export type IndicatorUnitTable = {
  partnership_id: string;
  as_of: IsoDate;
  indicator_id: string;
  period_key: string;
  person_id: string;
  unit_index: number;
  ord: number;
  num: boolean;
  den: boolean;
  x: number | null;
  unit_group: string | null;
  age_band: string;
  sex: string;
  ethnicity: string;
  disability: string;
  area: string;
  agencies: string[];
  team: string;
  level: string;
};

export type IndicatorUnitChildTable = {
  partnership_id: string;
  person_id: string;
  date_of_birth: IsoDate | null;
  expected_date_of_birth: IsoDate | null;
  sex: string;
  ethnicity: string | null;
  disabled: boolean;
};

export type BoardReportJobTable = {
  partnership_id: string;
  job_id: string;
  requested_by: string;
  quarter: string;
  steps_done: ColumnType<string[], string[] | undefined, string[]>;
  error: string | null;
  pdf: ColumnType<Uint8Array | null, Uint8Array | null | undefined, Uint8Array | null>;
  xlsx: ColumnType<Uint8Array | null, Uint8Array | null | undefined, Uint8Array | null>;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
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

// Households and settings (migration 0014).
export type PartnershipSettingsVersionTable = {
  partnership_id: string;
  version: number;
  /** A PathwaySettings object (src/settings/pathway-settings.ts), validated on read. */
  settings: ColumnType<unknown, string, never>;
  reason: string;
  changed_by: string;
  changed_at: CreatedAt;
};

export type HouseholdMembershipEndingTable = {
  partnership_id: string;
  ending_id: string;
  membership_id: string;
  previous_valid_to: IsoDate | null;
  valid_to: IsoDate;
  reason: string;
  recorded_by: string;
  recorded_at: CreatedAt;
};

export type RelationshipEndingTable = {
  partnership_id: string;
  ending_id: string;
  relationship_id: string;
  previous_valid_to: IsoDate | null;
  valid_to: IsoDate;
  reason: string;
  recorded_by: string;
  recorded_at: CreatedAt;
};

// Plans with content, casework narratives and authorisations (migration 0013); all append-only.
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

export type SignalTable = {
  partnership_id: string;
  signal_id: string;
  person_id: string;
  rule_id: string;
  rule_version: number;
  rule_hash: string;
  window_from: IsoDate;
  window_to: IsoDate;
  fired_at: CreatedAt;
  fired_by: string | null;
  trigger: "entry-recorded" | "evaluate-command" | "worklist";
};

export type SignalEntryTable = {
  partnership_id: string;
  signal_id: string;
  rule_id: string;
  child_person_id: string;
  entry_source: "agency" | "social-care";
  entry_id: string;
  entry_person_id: string;
};

export type SignalDecisionTable = {
  partnership_id: string;
  decision_id: string;
  signal_id: string;
  decision: "no-action" | "talk-with-family" | "screening" | "request-for-support";
  reason: string;
  decided_by: string;
  decided_agency_id: string;
  decided_at: CreatedAt;
  chronology_event_id: string;
};

export type BoardSettingsVersionTable = {
  partnership_id: string;
  version: number;
  /** The DfE local authority code the partnership is benchmarked as (3 digits). */
  authority_code: string;
  /** "ons": rates per 10,000 of the ONS estimate; "recorded": of the children recorded in Hearth. */
  population_basis: "ons" | "recorded";
  /** A BoardSettings object's other fields (src/indicators/board-settings.ts), validated on read. */
  settings: ColumnType<unknown, string, never>;
  reason: string;
  changed_by: string;
  changed_at: CreatedAt;
};

// Agency imports (migration 0019).
export type ImportMappingTable = {
  partnership_id: string;
  agency_id: string;
  format: import("../imports/codes.ts").ImportFormat;
  version: number;
  columns: ColumnType<Record<string, unknown>, string, never>;
  reason: string;
  created_by: string | null;
  created_at: CreatedAt;
};

export type AgencyImportTable = {
  partnership_id: string;
  import_id: string;
  agency_id: string;
  format: import("../imports/codes.ts").ImportFormat;
  mapping_version: number;
  file_name: string;
  file_sha256: string;
  content: string | null;
  total_rows: number | null;
  next_row: ColumnType<number, number | undefined, number>;
  started_by: string | null;
  started_at: CreatedAt;
  progressed_at: ColumnType<Date, Date | string | undefined, Date | string>;
  finished_at: NullableTimestamp;
};

export type ImportRowTable = {
  partnership_id: string;
  import_id: string;
  row_number: number;
  row_key: string;
  fate: import("../imports/codes.ts").RowFate;
  reason: string | null;
  person_id: string | null;
  event_id: string | null;
  fields: ColumnType<Record<string, unknown>, string | undefined, never>;
};

export type ImportRowCandidateTable = {
  partnership_id: string;
  import_id: string;
  row_number: number;
  person_id: string;
  score: number;
  matched_on: string;
};

export type ImportReviewTable = {
  partnership_id: string;
  import_id: string;
  row_number: number;
  decision: import("../imports/codes.ts").ReviewDecision;
  person_id: string | null;
  event_id: string | null;
  reason: string | null;
  decided_by: string;
  decided_at: CreatedAt;
};

// Learning (migration 0020): case audits, training and feedback from children and families.
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

/** A partnership's OpenID Connect identity provider (migration 0021). */
export type SsoProviderTable = {
  partnership_id: string;
  provider_id: string;
  display_name: string;
  issuer: string;
  client_id: string;
  client_secret_encrypted: string;
  allowed_email_domains: string[];
  accept_provider_mfa: boolean;
  created_by: string;
  created_at: CreatedAt;
  deactivated_at: NullableTimestamp;
};

/** The provider subject a user is linked to, stored on their first sign-in through it. */
export type SsoIdentityTable = {
  partnership_id: string;
  provider_id: string;
  subject: string;
  user_id: string;
  linked_at: CreatedAt;
};

/** A sign-in sent to a provider and not yet back: its state, nonce and PKCE verifier, used once. */
export type SsoPendingSignInTable = {
  partnership_id: string;
  pending_id: string;
  provider_id: string;
  token_hash: string;
  state: string;
  nonce: string;
  code_verifier: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
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

/** The partnership's retention rules (0026), as versions; the latest is in force. */
export type RetentionRuleVersionTable = {
  partnership_id: string;
  version: number;
  keep_until_age: number;
  years_after_closure: number;
  audit_log_extra_years: number;
  reason: string;
  changed_by: string;
  changed_at: CreatedAt;
};

/** A child's record archived after a retention review (0026): never deleted, out of search and indicators. */
export type RecordArchiveTable = {
  partnership_id: string;
  person_id: string;
  archived_at: CreatedAt;
  archived_by: string;
  reason: string;
  due_on: IsoDate;
  rule_version: number;
};

/** A provider's group mapped by an administrator to a team and a role (0026): a member's first sign-in makes their account. */
export type SsoGroupMappingTable = {
  partnership_id: string;
  mapping_id: string;
  provider_id: string;
  group_claim: string;
  agency_id: string;
  team_id: string;
  role: Exclude<Role, "administrator">;
  created_by: string;
  created_at: CreatedAt;
  deactivated_at: NullableTimestamp;
};
