// SPDX-License-Identifier: MIT
/**
 * Name search's trigram index without GIN's pending list. By default GIN keeps new entries in a list that
 * every search reads through until a vacuum merges it: after a partnership was generated or imported,
 * half its names (11,177 of 22,000 at 10,000 children) sat in that list, and a search for a common family
 * name took 17 to 41 ms instead of 3. Names are written rarely and searched all day, so each new name now
 * goes into the index as it is written, and what the list holds is merged now.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
alter index person_names_trigram set (fastupdate = off);
select gin_clean_pending_list('person_names_trigram');
`,
  );
};
