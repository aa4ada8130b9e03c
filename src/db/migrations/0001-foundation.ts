// SPDX-License-Identifier: MIT
/**
 * Foundation: partnerships, agencies, teams, users, invites, sessions and the hash-chained audit log.
 *
 * Every table's key starts with partnership_id so the schema can be distributed by partnership on Citus.
 * Row-level security limits the application role `hearth_app` to the partnership named by the
 * transaction-local setting `hearth.partnership_id`; when that setting is missing the policy compares
 * with NULL and no row matches, so a forgotten context fails closed.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

const PARTNERSHIP_TABLES = [
  "partnerships",
  "agencies",
  "teams",
  "users",
  "invites",
  "sessions",
  "audit_log",
  "audit_chain_heads",
];

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'hearth_app') then
    create role hearth_app nologin;
  end if;
end
$$;

create function hearth_current_partnership() returns uuid
  language sql stable
  as $$ select nullif(current_setting('hearth.partnership_id', true), '')::uuid $$;

create table partnerships (
  partnership_id uuid primary key,
  name text not null check (length(name) between 1 and 200),
  local_authority_codes text[] not null,
  created_at timestamptz not null default now()
);

create table agencies (
  partnership_id uuid not null references partnerships,
  agency_id uuid not null,
  name text not null check (length(name) between 1 and 200),
  agency_type text not null check (agency_type in ('health', 'education', 'police', 'housing', 'early-help',
    'childrens-social-care', 'probation', 'adult-services', 'voluntary-community', 'other')),
  created_at timestamptz not null default now(),
  deactivated_at timestamptz,
  primary key (partnership_id, agency_id),
  unique (partnership_id, name)
);

create table teams (
  partnership_id uuid not null,
  team_id uuid not null,
  agency_id uuid not null,
  name text not null check (length(name) between 1 and 200),
  created_at timestamptz not null default now(),
  deactivated_at timestamptz,
  primary key (partnership_id, team_id),
  foreign key (partnership_id, agency_id) references agencies,
  unique (partnership_id, agency_id, name)
);

create table users (
  partnership_id uuid not null,
  user_id uuid not null,
  email text not null check (email = lower(email) and email like '%_@_%'),
  display_name text not null check (length(display_name) between 1 and 200),
  agency_id uuid not null,
  team_id uuid,
  role text not null check (role in ('practitioner', 'manager', 'safeguarding-lead', 'front-door', 'analyst',
    'auditor', 'administrator')),
  password_hash text,
  totp_secret text,
  totp_confirmed_at timestamptz,
  totp_last_step bigint,
  failed_sign_in_count integer not null default 0,
  locked_until timestamptz,
  last_sign_in_at timestamptz,
  created_at timestamptz not null default now(),
  deactivated_at timestamptz,
  primary key (partnership_id, user_id),
  unique (partnership_id, email),
  foreign key (partnership_id, agency_id) references agencies,
  foreign key (partnership_id, team_id) references teams
);
create index users_by_email on users (email);

create table invites (
  partnership_id uuid not null,
  invite_id uuid not null,
  user_id uuid not null,
  token_hash text not null,
  created_by uuid,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  primary key (partnership_id, invite_id),
  foreign key (partnership_id, user_id) references users
);
create index invites_by_token on invites (token_hash);

create table sessions (
  partnership_id uuid not null,
  session_id uuid not null,
  user_id uuid not null,
  token_hash text not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null,
  expires_at timestamptz not null,
  second_factor_verified_at timestamptz,
  revoked_at timestamptz,
  revoked_reason text,
  ip text,
  user_agent text,
  primary key (partnership_id, session_id),
  foreign key (partnership_id, user_id) references users
);
create index sessions_by_token on sessions (token_hash);
create index sessions_by_user on sessions (partnership_id, user_id);

create table audit_log (
  partnership_id uuid not null,
  seq bigint not null,
  occurred_at timestamptz not null,
  actor_user_id uuid,
  actor_role text,
  actor_agency_id uuid,
  action text not null,
  record_type text not null,
  record_id text not null,
  reason text,
  ip text,
  details jsonb not null default '{}',
  prev_hash text not null,
  hash text not null,
  primary key (partnership_id, seq)
);
create index audit_log_by_record on audit_log (partnership_id, record_type, record_id);

create table audit_chain_heads (
  partnership_id uuid primary key,
  last_seq bigint not null,
  last_hash text not null
);

-- Append-only: no one changes or removes an audit row, whatever their grants.
create function hearth_audit_is_append_only() returns trigger
  language plpgsql
  as $$ begin raise exception 'the audit log is append-only'; end $$;
create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function hearth_audit_is_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function hearth_audit_is_append_only();

grant usage on schema public to hearth_app;
grant execute on function hearth_current_partnership() to hearth_app;
grant select on partnerships to hearth_app;
grant select, insert, update on agencies, teams, users, invites, sessions to hearth_app;
grant select, insert on audit_log to hearth_app;
grant select, insert, update on audit_chain_heads to hearth_app;
`,
  );

  for (const table of PARTNERSHIP_TABLES) {
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
