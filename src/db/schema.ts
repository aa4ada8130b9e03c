// SPDX-License-Identifier: MIT
/**
 * Kysely's view of Hearth's tables. Every table carries `partnership_id` in its primary key. The table types
 * live by area in ./schema/; this module maps table names to them and re-exports them all.
 */
import type {
  AssessmentAnswerTable,
  AssessmentTable,
  AssessmentTargetTable,
  AssessmentToolTable,
  AssessmentToolVersionTable,
  AssessmentVisitTable,
  FamilyAssessmentAnswerTable,
  FamilyAssessmentTable,
} from "./schema/assessments.ts";
import type { ChronologyEventTable, ChronologyRetractionTable } from "./schema/chronology.ts";
import type {
  AgencyImportTable,
  ImportMappingTable,
  ImportReviewTable,
  ImportRowCandidateTable,
  ImportRowTable,
} from "./schema/imports.ts";
import type {
  BenchmarkAreaTable,
  BenchmarkImportTable,
  BenchmarkValueTable,
  BoardReportJobTable,
  BoardSettingsVersionTable,
  IndicatorCommentaryTable,
  IndicatorSnapshotTable,
  IndicatorUnitChildTable,
  IndicatorUnitCountTable,
  IndicatorUnitSetTable,
  IndicatorUnitTable,
  StatisticalNeighbourTable,
} from "./schema/indicators.ts";
import type {
  AuditActionCompletionTable,
  AuditActionTable,
  AuditFormTable,
  AuditModerationTable,
  AuditReturnAnswerTable,
  AuditReturnTable,
  AuditRoundAgencyTable,
  AuditRoundChildTable,
  AuditRoundTable,
  FeedbackLinkTable,
  FeedbackQuoteTable,
  FeedbackResponseTable,
  TrainingAttendanceTable,
  TrainingCourseTable,
  TrainingEvaluationTable,
  TrainingSessionTable,
  TrainingTargetTable,
} from "./schema/learning.ts";
import type {
  AgencyTable,
  AuditChainHeadTable,
  AuditLogTable,
  InviteTable,
  PartnershipSettingsVersionTable,
  PartnershipTable,
  SessionTable,
  SignInThrottleTable,
  TeamTable,
  UserTable,
} from "./schema/organisation.ts";
import type {
  AuthorisationDecisionTable,
  AuthorisationTable,
  CaseworkRecordTable,
  CaseworkRecordVersionTable,
  CscEventTable,
  EarlyHelpActionTable,
  EarlyHelpMemberTable,
  EarlyHelpOutcomeTable,
  EarlyHelpReviewTable,
  EarlyHelpTable,
  EscalationStepTable,
  EscalationTable,
  LevelDecisionTable,
  NeedLevelTable,
  PlanActionTable,
  PlanOutcomeTable,
  PlanReviewProgressTable,
  PlanReviewTable,
  PlanTable,
  PlanVersionTable,
  StepDownTable,
  SupervisionRecordTable,
  SupportRequestTable,
} from "./schema/pathways.ts";
import type {
  BreakGlassTable,
  HistoryReadTable,
  HouseholdMembershipEndingTable,
  HouseholdMemberTable,
  HouseholdTable,
  InvolvementRequestTable,
  InvolvementTable,
  NotificationTable,
  PersonMergeTable,
  PersonNameTable,
  PersonTable,
  RelationshipEndingTable,
  RelationshipTable,
} from "./schema/people.ts";
import type { RecordArchiveTable, RetentionRuleVersionTable } from "./schema/retention.ts";
import type { SignalDecisionTable, SignalEntryTable, SignalTable } from "./schema/signals.ts";
import type {
  SsoGroupMappingTable,
  SsoIdentityTable,
  SsoPendingSignInTable,
  SsoProviderTable,
} from "./schema/sso.ts";

export type * from "./schema/assessments.ts";
export type * from "./schema/chronology.ts";
export type * from "./schema/imports.ts";
export type * from "./schema/indicators.ts";
export type * from "./schema/learning.ts";
export type * from "./schema/organisation.ts";
export type * from "./schema/pathways.ts";
export type * from "./schema/people.ts";
export type * from "./schema/retention.ts";
export type * from "./schema/signals.ts";
export type * from "./schema/sso.ts";

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
  indicator_unit_counts: IndicatorUnitCountTable;
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
