// SPDX-License-Identifier: MIT
/**
 * Each indicator's and period's counted units for the whole partnership (how many in the numerator and in
 * the denominator), kept with the units in the same transaction. The dashboard's figures were counted from
 * every stored unit at each recount: 1.2 to 2 s at 100,000 children (880,000 units), most of a recount
 * after one child's change. A full recount now writes the counts it made in memory, and a recount of a
 * few children takes their old units' counts off and adds their new ones. Pages for one agency's
 * children still count the units in SQL.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
create table indicator_unit_counts (
  partnership_id uuid not null references partnerships,
  as_of date not null,
  indicator_id text not null,
  period_key text not null,
  num integer not null check (num >= 0),
  den integer not null check (den >= 0),
  primary key (partnership_id, as_of, indicator_id, period_key)
);
grant select, insert, update, delete on indicator_unit_counts to hearth_app;
alter table indicator_unit_counts enable row level security;
create policy partnership_isolation on indicator_unit_counts
  using (partnership_id = hearth_current_partnership())
  with check (partnership_id = hearth_current_partnership());

insert into indicator_unit_counts (partnership_id, as_of, indicator_id, period_key, num, den)
select partnership_id, as_of, indicator_id, period_key, count(*) filter (where num),
  count(*) filter (where den)
from indicator_units group by partnership_id, as_of, indicator_id, period_key;
`,
  );
};
