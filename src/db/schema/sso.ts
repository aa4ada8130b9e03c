// SPDX-License-Identifier: MIT
/** Single sign-on (migrations 0021, 0026): identity providers, linked identities, sign-ins in flight, group mappings. */
import type { Role } from "../../organisation/codes.ts";
import type { CreatedAt, NullableTimestamp, Timestamp } from "./columns.ts";

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
