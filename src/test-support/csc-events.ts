// SPDX-License-Identifier: MIT
/** Social care events written straight into the table, as an import would, for tests that need a history. */
import type { HearthDatabase } from "../db/database.ts";
import type { CscEventType } from "../pathways/codes.ts";

export type TestCscEvent = {
  type: CscEventType;
  on: string;
  /** The event's id (a referral's is its episode's); a new one when not given. */
  id?: string;
  episode: string;
  subject?: string;
  code?: string;
};

/** Records a child's events, each with `workerUserId` as worker and recorder. */
export const recordCscEvents = async (
  database: HearthDatabase,
  partnershipId: string,
  personId: string,
  workerUserId: string,
  events: readonly TestCscEvent[],
): Promise<void> => {
  await database.unsafeOwnerDb
    .insertInto("csc_events")
    .values(
      events.map((e) => ({
        partnership_id: partnershipId,
        event_id: e.id ?? crypto.randomUUID(),
        person_id: personId,
        episode_id: e.episode,
        subject_id: e.subject ?? null,
        event_type: e.type,
        occurred_on: e.on,
        code: e.code ?? null,
        count: e.type === "cp-plan-start" ? 0 : null,
        child_seen: null,
        seen_alone: null,
        target_on: null,
        worker_user_id: workerUserId,
        note: null,
        recorded_by: workerUserId,
      })),
    )
    .execute();
};
