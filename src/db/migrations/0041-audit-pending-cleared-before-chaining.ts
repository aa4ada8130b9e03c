// SPDX-License-Identifier: MIT
/**
 * A committing transaction clears its pending audit rows before it takes the partnership's chain head, not
 * after. From the head's lock (taken by hearth_chain_audit) to the end of the commit, every other commit
 * in the partnership waits; the pending row's delete (0.7 ms under the 200-user load, the table's dead rows
 * waiting for autovacuum) was inside that wait and is now before it. The same rows, the same hashes.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
create or replace function hearth_chain_pending_audit() returns trigger
  language plpgsql
  set search_path = public, pg_temp
  as $$
begin
  delete from audit_pending where partnership_id = new.partnership_id and pending_id = new.pending_id;
  perform hearth_chain_audit(new.partnership_id, new.rows);
  return null;
end
$$;
`,
  );
};
