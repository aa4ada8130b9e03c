// SPDX-License-Identifier: MIT
/**
 * Ready for a council's IT (issue 18). Single sign-on with OpenID Connect: each partnership's identity
 * providers (the client secret stored encrypted), the provider subject each user is linked to on first
 * sign-in, and the sign-ins in progress (state, nonce and PKCE verifier kept on the server, used once).
 * A session records the provider it came from, so sign-out can offer the provider's own sign-out.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

const TABLES = ["sso_providers", "sso_identities", "sso_pending_sign_ins"];

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
create table sso_providers (
  partnership_id uuid not null references partnerships,
  provider_id uuid not null,
  display_name text not null check (length(trim(display_name)) between 1 and 200),
  issuer text not null check (issuer ~ '^https?://'),
  client_id text not null check (length(client_id) between 1 and 500),
  -- AES-256-GCM under a key derived from HEARTH_SESSION_SECRET: iv, tag and ciphertext, base64.
  client_secret_encrypted text not null,
  allowed_email_domains text[] not null check (cardinality(allowed_email_domains) >= 1),
  accept_provider_mfa boolean not null,
  created_by uuid not null,
  created_at timestamptz not null default now(),
  deactivated_at timestamptz,
  primary key (partnership_id, provider_id),
  foreign key (partnership_id, created_by) references users
);

create table sso_identities (
  partnership_id uuid not null,
  provider_id uuid not null,
  subject text not null check (length(subject) between 1 and 255),
  user_id uuid not null,
  linked_at timestamptz not null default now(),
  primary key (partnership_id, provider_id, subject),
  unique (partnership_id, provider_id, user_id),
  foreign key (partnership_id, provider_id) references sso_providers,
  foreign key (partnership_id, user_id) references users
);

create table sso_pending_sign_ins (
  partnership_id uuid not null,
  pending_id uuid not null,
  provider_id uuid not null,
  token_hash text not null unique,
  state text not null,
  nonce text not null,
  code_verifier text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  primary key (partnership_id, pending_id),
  foreign key (partnership_id, provider_id) references sso_providers
);

alter table sessions add column sso_provider_id uuid;

grant select, insert, update on sso_providers, sso_identities, sso_pending_sign_ins to hearth_app;
`,
  );
  for (const table of TABLES) {
    await runScript(
      db,
      `
alter table ${table} enable row level security;
create policy partnership_isolation on ${table}
  using (partnership_id = hearth_current_partnership())
  with check (partnership_id = hearth_current_partnership());
`,
    );
  }
};
