// SPDX-License-Identifier: MIT
/**
 * Reading children's social care events, shaped for {@link deriveEpisodes}: the one query the pathway
 * page, the front door, plans, alerts and worklists share. Only the columns the derivation uses are read
 * (a note can be long, and a manager's alerts read thousands of events), in the order events happened and
 * were recorded, so same-day events keep the order they were entered.
 */
import { sql } from "kysely";
import { idIn } from "../data/id-list.ts";
import type { Trx } from "../data/repository-scope.ts";
import { type CscEvent, deriveEpisodes, type Episode } from "./episodes.ts";

/** The columns of csc_events that episodes are derived from. */
export const CSC_EVENT_COLUMNS = [
  "event_id",
  "person_id",
  "episode_id",
  "subject_id",
  "event_type",
  "occurred_on",
  "code",
  "codes",
  "count",
  "child_seen",
  "seen_alone",
  "target_on",
  "worker_user_id",
] as const;

/** A csc_events row (those columns) as the event the derivation takes. */
export const cscEventOf = (r: {
  event_id: string;
  person_id: string;
  episode_id: string;
  subject_id: string | null;
  event_type: CscEvent["eventType"];
  occurred_on: string;
  code: string | null;
  codes: string[];
  count: number | null;
  child_seen: boolean | null;
  seen_alone: boolean | null;
  target_on: string | null;
  worker_user_id: string | null;
}): CscEvent => ({
  eventId: r.event_id,
  personId: r.person_id,
  episodeId: r.episode_id,
  subjectId: r.subject_id,
  eventType: r.event_type,
  occurredOn: r.occurred_on,
  code: r.code,
  codes: r.codes,
  count: r.count,
  childSeen: r.child_seen,
  seenAlone: r.seen_alone,
  targetOn: r.target_on,
  workerUserId: r.worker_user_id,
});

/** The events of these children (the caller has already decided they may be read). */
export const loadCscEvents = async (trx: Trx, personIds: readonly string[]): Promise<CscEvent[]> => {
  if (personIds.length === 0) return [];
  const rows = await trx
    .selectFrom("csc_events")
    .select(CSC_EVENT_COLUMNS)
    .where(sql<boolean>`partnership_id = hearth_current_partnership()`)
    .where(personIds.length === 1 ? sql<boolean>`person_id = ${personIds[0]}` : idIn("person_id", personIds))
    .orderBy("occurred_on")
    .orderBy("recorded_at")
    .execute();
  return rows.map(cscEventOf);
};

/** The events of these children, per child. */
export const loadCscEventsByPerson = async (
  trx: Trx,
  personIds: readonly string[],
): Promise<Map<string, CscEvent[]>> => {
  const byPerson = new Map<string, CscEvent[]>();
  for (const event of await loadCscEvents(trx, personIds)) {
    const list = byPerson.get(event.personId);
    if (list) list.push(event);
    else byPerson.set(event.personId, [event]);
  }
  return byPerson;
};

/** Each child's episodes, derived from their events. */
export const loadEpisodesByPerson = async (
  trx: Trx,
  personIds: readonly string[],
): Promise<Map<string, Episode[]>> =>
  new Map(
    [...(await loadCscEventsByPerson(trx, personIds))].map(([id, events]) => [id, deriveEpisodes(events)]),
  );
