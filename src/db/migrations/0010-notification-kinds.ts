// SPDX-License-Identifier: MIT
/**
 * The notification kinds casework needs beyond the first list: requests to be involved with a child and
 * their decision, an authorisation's decision back to its author, an action given to its owner, and a
 * step-down from social care to early help. The whole list is restated (frozen, as released).
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
alter table notifications drop constraint notifications_kind_check;
alter table notifications add constraint notifications_kind_check
  check (kind in ('message', 'request-decided', 'request-received', 'case-allocated', 'early-help-lead',
    'difference-raised', 'difference-escalated', 'difference-resolved', 'break-glass',
    'assessment-submitted', 'assessment-signed-off', 'authorisation-requested', 'plan-review-due',
    'involvement-requested', 'involvement-decided', 'authorisation-decided', 'action-assigned',
    'stepped-down'));
`,
  );
};
