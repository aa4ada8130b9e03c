// SPDX-License-Identifier: MIT
/** Kysely's view of Hearth's tables. Every table carries `partnership_id` in its primary key. */
import type { ColumnType, Generated } from "kysely";
import type { AgencyType, Role } from "../organisation/codes.ts";

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
};
