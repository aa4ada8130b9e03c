// SPDX-License-Identifier: MIT
/**
 * Work that reaches the person who must act: notifications gain a kind (a code, so the home page can
 * group them and a test can ask who was told what), the record they concern, an acknowledgement (break
 * glass notices must be acknowledged by the safeguarding lead), a de-duplication key (a "review due"
 * reminder made by a background pass is made once, however often the pass runs), and when each was
 * e-mailed, so the sender retries only what it has not sent.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
alter table notifications add column kind text not null default 'message'
  check (kind in ('message', 'request-decided', 'request-received', 'case-allocated', 'early-help-lead',
    'difference-raised', 'difference-escalated', 'difference-resolved', 'break-glass',
    'assessment-submitted', 'assessment-signed-off', 'authorisation-requested', 'plan-review-due'));
alter table notifications add column person_id uuid;
alter table notifications add column actor_user_id uuid;
alter table notifications add column acknowledged_at timestamptz;
alter table notifications add column dedupe_key text check (length(dedupe_key) <= 200);
alter table notifications add column emailed_at timestamptz;
create unique index notifications_dedupe on notifications (partnership_id, recipient_user_id, dedupe_key)
  where dedupe_key is not null;
create index notifications_unsent on notifications (partnership_id, created_at) where emailed_at is null;
`,
  );
};
