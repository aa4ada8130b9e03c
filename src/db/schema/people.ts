// SPDX-License-Identifier: MIT
/** People, names, households, relationships, involvements and the notices around them. */
import type { ColumnType } from "kysely";
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
} from "../../people/codes.ts";
import type { CreatedAt, IsoDate, NullableDate, NullableTimestamp, Timestamp } from "./columns.ts";

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
