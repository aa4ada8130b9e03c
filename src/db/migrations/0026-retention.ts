// SPDX-License-Identifier: MIT
/**
 * Retention (issue 18): the partnership's retention rules, kept as versions like the other settings
 * (a change is a new row with who, when and why), and the archive of children's records reviewed and
 * archived by the information-governance lead. Archiving never deletes: the record stays, readable by
 * the auditor, and leaves search and the indicators. The application role can only insert and read.
 *
 * Also single sign-on's group mappings (issue 18, item 1): a provider's group (the ID token's `groups`
 * claim, e.g. an Entra ID group's object id) that an administrator maps to a team and a role, so a
 * member's first sign-in makes their account. Never to the administrator role, which needs Hearth's own
 * second factor and an invitation. A mapping is switched off, never deleted.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
create table retention_rule_versions (
  partnership_id uuid not null references partnerships,
  version integer not null check (version >= 1),
  keep_until_age integer not null check (keep_until_age between 18 and 100),
  years_after_closure integer not null check (years_after_closure between 1 and 100),
  audit_log_extra_years integer not null check (audit_log_extra_years between 1 and 100),
  reason text not null check (length(trim(reason)) between 1 and 2000),
  changed_by uuid not null,
  changed_at timestamptz not null default now(),
  primary key (partnership_id, version),
  foreign key (partnership_id, changed_by) references users
);

create table record_archives (
  partnership_id uuid not null references partnerships,
  person_id uuid not null,
  archived_at timestamptz not null default now(),
  archived_by uuid not null,
  reason text not null check (length(trim(reason)) between 1 and 2000),
  due_on date not null,
  rule_version integer not null check (rule_version >= 0),
  primary key (partnership_id, person_id),
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, archived_by) references users
);

create table sso_group_mappings (
  partnership_id uuid not null references partnerships,
  mapping_id uuid not null,
  provider_id uuid not null,
  group_claim text not null check (length(trim(group_claim)) between 1 and 200),
  agency_id uuid not null,
  team_id uuid not null,
  role text not null check (role in ('practitioner', 'manager', 'safeguarding-lead', 'front-door', 'analyst', 'auditor')),
  created_by uuid not null,
  created_at timestamptz not null default now(),
  deactivated_at timestamptz,
  primary key (partnership_id, mapping_id),
  foreign key (partnership_id, provider_id) references sso_providers,
  foreign key (partnership_id, agency_id) references agencies,
  foreign key (partnership_id, team_id) references teams,
  foreign key (partnership_id, created_by) references users
);
create unique index sso_group_mappings_active on sso_group_mappings (partnership_id, provider_id, group_claim)
  where deactivated_at is null;

grant select, insert on sso_group_mappings to hearth_app;
grant update (deactivated_at) on sso_group_mappings to hearth_app;
alter table sso_group_mappings enable row level security;
create policy partnership_isolation on sso_group_mappings
  using (partnership_id = hearth_current_partnership())
  with check (partnership_id = hearth_current_partnership());

grant select, insert on retention_rule_versions to hearth_app;
grant select, insert on record_archives to hearth_app;

alter table retention_rule_versions enable row level security;
create policy partnership_isolation on retention_rule_versions
  using (partnership_id = hearth_current_partnership())
  with check (partnership_id = hearth_current_partnership());
alter table record_archives enable row level security;
create policy partnership_isolation on record_archives
  using (partnership_id = hearth_current_partnership())
  with check (partnership_id = hearth_current_partnership());
`,
  );
};
