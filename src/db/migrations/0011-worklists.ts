// SPDX-License-Identifier: MIT
/**
 * Worklists. A professional difference says what it is about: an agency's handling of the child, or a
 * front-door decision on a request for support, so the agency (or front door) it is about is a party to
 * it, is told and can open it. Unread notifications are counted on every page's navigation, so they get
 * a partial index.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
alter table escalations add column about_agency_id uuid;
alter table escalations add column about_request_id uuid;
alter table escalations add foreign key (partnership_id, about_agency_id) references agencies;
alter table escalations add foreign key (partnership_id, about_request_id) references support_requests;
create index escalations_open on escalations (partnership_id) where resolved_on is null;
create index notifications_unread on notifications (partnership_id, recipient_user_id)
  where read_at is null or (kind = 'break-glass' and acknowledged_at is null);
`,
  );
};
