// SPDX-License-Identifier: MIT
/**
 * A partnership's own settings of the pathway (levels of need as its threshold document words them, visit
 * intervals, the "not brought" threshold, escalation timescales), kept as versions: a change is a new
 * row with who, when and why, and the earlier version stays (the application role cannot update or
 * delete). And the ending of a household membership or a relationship with its date and reason, keeping
 * the end it replaced, so a corrected end date never loses what was recorded before.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

const TABLES = ["partnership_settings_versions", "household_membership_endings", "relationship_endings"];

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
create table partnership_settings_versions (
  partnership_id uuid not null references partnerships,
  version integer not null check (version >= 1),
  settings jsonb not null,
  reason text not null check (length(trim(reason)) between 1 and 2000),
  changed_by uuid not null,
  changed_at timestamptz not null default now(),
  primary key (partnership_id, version),
  foreign key (partnership_id, changed_by) references users
);

create table household_membership_endings (
  partnership_id uuid not null,
  ending_id uuid not null,
  membership_id uuid not null,
  previous_valid_to date,
  valid_to date not null,
  reason text not null check (length(trim(reason)) between 1 and 2000),
  recorded_by uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (partnership_id, ending_id),
  foreign key (partnership_id, membership_id) references household_members,
  foreign key (partnership_id, recorded_by) references users
);
create index household_membership_endings_by_membership
  on household_membership_endings (partnership_id, membership_id);

create table relationship_endings (
  partnership_id uuid not null,
  ending_id uuid not null,
  relationship_id uuid not null,
  previous_valid_to date,
  valid_to date not null,
  reason text not null check (length(trim(reason)) between 1 and 2000),
  recorded_by uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (partnership_id, ending_id),
  foreign key (partnership_id, relationship_id) references relationships,
  foreign key (partnership_id, recorded_by) references users
);
create index relationship_endings_by_relationship on relationship_endings (partnership_id, relationship_id);

grant select, insert on partnership_settings_versions, household_membership_endings, relationship_endings
  to hearth_app;
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
