// SPDX-License-Identifier: MIT
/**
 * Social care events as rows: one coded event in a child's episode, and the referral that opens an
 * episode (its id is the episode's). Shared by social care recording and the front door's decision.
 */

import type { AccessContext } from "../../data/access-context.ts";
import type { RepositoryScope, Trx } from "../../data/repository-scope.ts";
import type { IsoDate } from "../../kernel/calendar.ts";
import type { ReferralSource } from "../codes.ts";
import type { NewCscEvent } from "../event-rules.ts";
import { auditCreated } from "../pathway-records.ts";
import { icpcTarget } from "../timescales.ts";

/** The fields an event without details of its own leaves empty (a referral, the start of an assessment). */
export const noEventDetails = () => ({
  subjectId: null,
  code: null,
  codes: [],
  count: null,
  childSeen: null,
  seenAlone: null,
  workerUserId: null,
  note: null,
});

/** Stores one social care event; the caller has checked it fits the child's history. */
export const insertCscEvent = async (
  trx: Trx,
  scope: RepositoryScope,
  ctx: AccessContext,
  personId: string,
  event: NewCscEvent,
  eventId: string = crypto.randomUUID(),
): Promise<string> => {
  await trx
    .insertInto("csc_events")
    .values({
      partnership_id: ctx.partnershipId,
      event_id: eventId,
      person_id: personId,
      episode_id: event.eventType === "referral" ? eventId : event.episodeId,
      subject_id: event.subjectId,
      event_type: event.eventType,
      occurred_on: event.occurredOn,
      code: event.code,
      codes: event.codes,
      count: event.count,
      child_seen: event.childSeen,
      seen_alone: event.seenAlone,
      target_on: event.eventType === "s47-start" ? icpcTarget(event.occurredOn) : null,
      worker_user_id: event.workerUserId,
      note: event.note,
      recorded_by: ctx.userId,
    })
    .execute();
  await auditCreated(scope, trx, "csc-event", eventId, { person_id: personId, ...event });
  return eventId;
};

/** Opens a social care episode with its referral, whose id is the episode's. */
export const openReferralEpisode = async (
  trx: Trx,
  scope: RepositoryScope,
  ctx: AccessContext,
  personId: string,
  input: { referralDate: IsoDate; source: ReferralSource; workerUserId: string | null },
): Promise<string> => {
  const episodeId = crypto.randomUUID();
  await insertCscEvent(
    trx,
    scope,
    ctx,
    personId,
    {
      ...noEventDetails(),
      eventType: "referral",
      occurredOn: input.referralDate,
      episodeId,
      code: input.source,
      workerUserId: input.workerUserId,
    },
    episodeId,
  );
  return episodeId;
};
