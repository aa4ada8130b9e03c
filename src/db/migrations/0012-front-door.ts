// SPDX-License-Identifier: MIT
/**
 * Front door and step-down: a step-down links the social care episode's closure to the early help it
 * opened, as a row of its own (an event, never a status on either side). One closure steps down once; the
 * early help it opened is the one it names, so "stepped down from" reads the same from either end.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
create table step_downs (
  partnership_id uuid not null,
  step_down_id uuid not null,
  person_id uuid not null,
  episode_id uuid not null,
  closure_event_id uuid not null,
  early_help_id uuid not null,
  stepped_down_on date not null,
  reason text not null check (length(trim(reason)) between 1 and 4000),
  recorded_by uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (partnership_id, step_down_id),
  unique (partnership_id, closure_event_id),
  unique (partnership_id, early_help_id),
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, closure_event_id) references csc_events,
  foreign key (partnership_id, early_help_id) references early_help,
  foreign key (partnership_id, recorded_by) references users
);
create index step_downs_by_person on step_downs (partnership_id, person_id);
grant select, insert on step_downs to hearth_app;
alter table step_downs enable row level security;
create policy partnership_isolation on step_downs
  using (partnership_id = hearth_current_partnership())
  with check (partnership_id = hearth_current_partnership());
`,
  );
};
