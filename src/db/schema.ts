// SPDX-License-Identifier: MIT
/** Kysely's view of Hearth's tables. Every table carries `partnership_id` in its primary key. */
import type { ColumnType, Generated } from "kysely";
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
  failed_sign_in_count: Generated<number>;
  locked_until: NullableTimestamp;
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
};

export type HearthSchema = {
  partnerships: PartnershipTable;
  agencies: AgencyTable;
  teams: TeamTable;
  users: UserTable;
  invites: InviteTable;
  sessions: SessionTable;
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
};

export type ChronologyRetractionTable = {
  partnership_id: string;
  event_id: string;
  retracted_at: CreatedAt;
  retracted_by: string | null;
  reason: string;
};
