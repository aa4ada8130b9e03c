// SPDX-License-Identifier: MIT
/**
 * Retention (issue 18): the safeguarding lead is told when a month's list of closed records due for
 * review is ready (`hearth reminders`), a new notification kind. The whole list is restated (frozen, as
 * released).
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
    'stepped-down', 'retention-review-due'));
`,
  );
};
