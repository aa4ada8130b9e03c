// SPDX-License-Identifier: MIT
/**
 * Each counted child's stored units' digest (unit-digests.ts), written with the units. A full recount
 * compares each child's new units with the stored ones to rewrite only those that changed; working the
 * stored digests out from the unit rows (an md5 over some 8 rows a child, sorted and joined) was a fifth
 * of a full recount's database time at 20,000 children, and reading them from here is one scan.
 * - units_as_of: the quarter end the digest's units report up to (a digest of another's is not compared).
 * - units_digest: null when the child has no units.
 *
 * And hearth_analyze_indicator_units(): after a recount writes most of the units, the planner still
 * prices the tables as they were (PGlite runs no autovacuum; PostgreSQL's comes later), and counting the
 * dashboard's figures read 880,000 rows by index, 5 s where a scan takes 1.3 s. Only a table's owner may
 * analyze it (PostgreSQL 15 has no MAINTAIN privilege), so the owner's function does it for the
 * application role, in the recount's transaction, which sees its own rows.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
alter table indicator_unit_children add column units_as_of date;
alter table indicator_unit_children add column units_digest text;

create function hearth_analyze_indicator_units() returns void
  language plpgsql security definer set search_path = public, pg_temp
  as $$ begin analyze indicator_units; analyze indicator_unit_children; end $$;
revoke all on function hearth_analyze_indicator_units() from public;
grant execute on function hearth_analyze_indicator_units() to hearth_app;
`,
  );
};
