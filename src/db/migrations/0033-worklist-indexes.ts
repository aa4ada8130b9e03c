// SPDX-License-Identifier: MIT
/**
 * Worklist and search speed, found with auto_explain at 10,000 children:
 * - hearth_name_matches was estimated at PostgreSQL's default 1,000 rows for a set-returning function, so
 *   search hash-joined it to every person in the partnership (a 22,000-row scan, 25-38 ms); it returns at
 *   most a few hundred, and with that estimate the planner probes the primary key instead.
 * - A caseload is found from its owner: the early help a worker leads and the children she is lead
 *   professional for are read by user, not by scanning every child.
 * - Typed look-ups (not-brought appointments on the alerts page, signal rules, the plans a review
 *   reminder is about) read by type and person instead of scanning every entry.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
alter function hearth_name_matches(text) rows 50;
create index early_help_by_lead on early_help (partnership_id, lead_user_id) where ended_on is null;
create index involvements_by_lead_professional on involvements (partnership_id, lead_professional_user_id)
  where lead_professional_user_id is not null;
create index chronology_events_by_type on chronology_events (partnership_id, event_type, person_id);
create index csc_events_by_type on csc_events (partnership_id, event_type, person_id);
`,
  );
};
