// SPDX-License-Identifier: MIT
/**
 * A social care event type: a strategy discussion held that decided no section 47 enquiry was needed
 * (one that starts an enquiry is recorded as the enquiry's start). Widens csc_events.event_type's list.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
alter table csc_events drop constraint csc_events_event_type_check;
alter table csc_events add constraint csc_events_event_type_check check (event_type in ('referral',
  'referral-nfa', 'primary-need', 'allocation', 'assessment-start', 'assessment-internal-review',
  'assessment-authorised', 's47-start',
  'icpc-not-required', 'icpc', 'cp-plan-start', 'cp-category-change', 'cp-review', 'core-group', 'visit',
  'cp-plan-end', 'cin-plan-start', 'cin-plan-review', 'cin-plan-end', 'entered-care', 'closure',
  'strategy-discussion'));
`,
  );
};
