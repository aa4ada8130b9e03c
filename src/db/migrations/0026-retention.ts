// SPDX-License-Identifier: MIT
/**
 * Retention (issue 18): the partnership's retention rules, kept as versions like the other settings
 * (a change is a new row with who, when and why), and the archive of children's records reviewed and
 * archived by the information-governance lead. Archiving never deletes: the record stays, readable by
 * the auditor, and leaves search and the indicators. The application role can only insert and read.
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
