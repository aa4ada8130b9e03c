// SPDX-License-Identifier: MIT
/** Partnerships, agencies, teams, users and their sign-ins, the audit log and the partnership's settings. */
import type { ColumnType } from "kysely";
import type { AgencyType, Role } from "../../organisation/codes.ts";
import type { CreatedAt, NullableTimestamp, Timestamp } from "./columns.ts";

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

export type PartnershipSettingsVersionTable = {
  partnership_id: string;
  version: number;
  /** A PathwaySettings object (src/settings/pathway-settings.ts), validated on read. */
  settings: ColumnType<unknown, string, never>;
  reason: string;
  changed_by: string;
  changed_at: CreatedAt;
};
