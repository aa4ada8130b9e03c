// SPDX-License-Identifier: MIT
/**
 * Name search asks the trigram index one question, not two. hearth_name_matches (0015) found names similar
 * to the query (`%`) or containing a word like it (`<%`), but the search shows only those scoring at least
 * the similarity cut-off: every `<%`-only match was computed, ranked after the rest and dropped. Both
 * conditions were checked on each candidate name (a common family name, 588 of them) through two index
 * scans, about twice the work (5 to 14 ms against 3 at 10,000 children). The one search that shows a weak
 * match, by NHS number, scores its one person's names itself (person-search-repository.ts).
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
create or replace function hearth_name_matches(query text) returns table (person_id uuid, score real)
  language sql stable security definer
  set search_path = public, pg_temp
  set pg_trgm.similarity_threshold = 0.4
  set enable_seqscan = off
  rows 50
  as $$
    select n.person_id, max(similarity(n.full_name, query))
    from person_names n
    where n.full_name % query
      and n.partnership_id::text = hearth_current_partnership()::text
    group by n.person_id
  $$;
`,
  );
};
