// SPDX-License-Identifier: MIT
/**
 * Name search through the trigram index. Under row-level security PostgreSQL never uses a non-leakproof
 * operator as an index condition, and pg_trgm's `%` and `<%` are not leakproof, so the application role's
 * search computed a similarity for every name in the partnership (70 to 110 ms at 10,000 children, growing
 * with the partnership). This function runs as the owner, so the GIN index answers, and it keeps the
 * same partnership boundary as the row-level-security policy by stating it. It returns only ids and scores
 * of the caller's own partnership: what the application role could already read.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
-- similarity_threshold 0.4 is NAME_MATCH in people-repository.ts. Seq scans are off inside because the
-- planner prices a similarity at one operator (it costs far more), and the partnership is compared as text
-- so its (unselective) btree is not chosen over the trigram index.
create function hearth_name_matches(query text) returns table (person_id uuid, score real)
  language sql stable security definer
  set search_path = public, pg_temp
  set pg_trgm.similarity_threshold = 0.4
  set enable_seqscan = off
  as $$
    select n.person_id, max(similarity(n.full_name, query))
    from person_names n
    where (n.full_name % query or query <% n.full_name)
      and n.partnership_id::text = hearth_current_partnership()::text
    group by n.person_id
  $$;
revoke all on function hearth_name_matches(text) from public;
grant execute on function hearth_name_matches(text) to hearth_app;
`,
  );
};
