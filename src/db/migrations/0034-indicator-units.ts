// SPDX-License-Identifier: MIT
/**
 * Stored indicator units. Every indicator page but the dashboard (breakdowns, the children behind a
 * number, disproportionality, the board report) used to load every child and compute the indicator per
 * request, some 12 seconds at 100,000 children. At a recount, each indicator's units for each stored
 * period (a plan, a referral, a child: in the numerator and/or denominator, with the attributes the
 * pages group by on the period's last day) are kept here, so the pages count rows in SQL. After a change,
 * only the changed children's units are computed again (the audit log says which records changed).
 *
 * - indicator_unit_sets: one row per partnership, the quarter end the units report up to, the periods
 *   stored, the definitions' version and the latest audited change they include.
 * - indicator_units: the units, keyed by partnership, quarter end, indicator, period, child and the
 *   unit's place among the child's units.
 * - indicator_unit_children: every child counted, with the attributes disproportionality compares
 *   against the population (date of birth, sex, ethnicity, disability).
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
create table indicator_unit_sets (
  partnership_id uuid not null references partnerships,
  as_of date not null,
  registry_version text not null,
  period_keys text[] not null,
  change_seq bigint not null check (change_seq >= 0),
  children integer not null check (children >= 0),
  computed_at timestamptz not null,
  primary key (partnership_id)
);

create table indicator_units (
  partnership_id uuid not null references partnerships,
  as_of date not null,
  indicator_id text not null,
  period_key text not null check (period_key ~ '^[0-9]{4}(-Q[1-4])?$'),
  person_id uuid not null,
  -- The unit's place among this child's units for the indicator and period, and in the whole
  -- computation's order (averages are summed in it, as the computation sums them).
  unit_index integer not null check (unit_index >= 0),
  ord integer not null,
  num boolean not null,
  den boolean not null,
  x double precision,
  unit_group text,
  age_band text not null,
  sex text not null,
  ethnicity text not null,
  disability text not null,
  area text not null,
  agencies text[] not null,
  team text not null,
  level text not null,
  primary key (partnership_id, as_of, indicator_id, period_key, person_id, unit_index)
);
create index indicator_units_by_child on indicator_units (partnership_id, person_id);

create table indicator_unit_children (
  partnership_id uuid not null references partnerships,
  person_id uuid not null,
  date_of_birth date,
  expected_date_of_birth date,
  sex text not null,
  ethnicity text,
  disabled boolean not null,
  primary key (partnership_id, person_id)
);

grant select, insert, update, delete on indicator_unit_sets, indicator_units, indicator_unit_children to hearth_app;
alter table indicator_unit_sets enable row level security;
alter table indicator_units enable row level security;
alter table indicator_unit_children enable row level security;
create policy partnership_isolation on indicator_unit_sets
  using (partnership_id = hearth_current_partnership())
  with check (partnership_id = hearth_current_partnership());
create policy partnership_isolation on indicator_units
  using (partnership_id = hearth_current_partnership())
  with check (partnership_id = hearth_current_partnership());
create policy partnership_isolation on indicator_unit_children
  using (partnership_id = hearth_current_partnership())
  with check (partnership_id = hearth_current_partnership());
`,
  );
};
