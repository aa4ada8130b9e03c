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
import type { IsoDate } from "../kernel/calendar.ts";
import { currentPartnership, inCurrentPartnership } from "../kernel/sql.ts";
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

/** A csc_events row: those columns, as read in rows or in JSON (their values are the same in both). */
export type CscEventRow = {
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
};

/** A csc_events row as the event the derivation takes. */
export const cscEventOf = (r: CscEventRow): CscEvent => ({
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
    .where(inCurrentPartnership())
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
): Promise<Map<string, CscEvent[]>> => byPerson(await loadCscEvents(trx, personIds));

/** Events, in the order they were read, per child. */
const byPerson = (events: readonly CscEvent[]): Map<string, CscEvent[]> => {
  const grouped = new Map<string, CscEvent[]>();
  for (const event of events) {
    const list = grouped.get(event.personId);
    if (list) list.push(event);
    else grouped.set(event.personId, [event]);
  }
  return grouped;
};

/** Each child's episodes, derived from their events (in the order they happened and were recorded). */
export const episodesByPerson = (events: readonly CscEvent[]): Map<string, Episode[]> =>
  new Map([...byPerson(events)].map(([id, list]) => [id, deriveEpisodes(list)]));

/** Each child's episodes, derived from their events. */
export const loadEpisodesByPerson = async (
  trx: Trx,
  personIds: readonly string[],
): Promise<Map<string, Episode[]>> => episodesByPerson(await loadCscEvents(trx, personIds));

/**
 * SQL: the csc_events row aliased `e` belongs to an episode with work still in it on `today`: no closure
 * recorded in it, or a plan in it not ended by then (a plan ends by its own end event in its own episode,
 * the latest if more than one, as {@link deriveEpisodes} folds them). Alerts and what is due come only from
 * such episodes, so the worklists need not read a caseload's years of closed episodes. The closure's check
 * ends every plan first; the second arm keeps a record imported otherwise. Written as scalar look-ups
 * with `limit 1`: as `not exists` inside `or`, PostgreSQL hashed every closure in the partnership first.
 */
export const inEpisodeWithWork = (today: IsoDate) => sql<boolean>`(
  (select 1 from csc_events c where c.partnership_id = e.partnership_id
    and c.event_type = 'closure' and c.person_id = e.person_id and c.episode_id = e.episode_id limit 1) is null
  or (select 1 from csc_events s where s.partnership_id = e.partnership_id
    and s.event_type in ('cp-plan-start', 'cin-plan-start') and s.person_id = e.person_id
    and s.episode_id = e.episode_id
    and coalesce((select max(x.occurred_on) from csc_events x where x.partnership_id = s.partnership_id
      and x.event_type = replace(s.event_type, '-start', '-end') and x.person_id = s.person_id
      and x.episode_id = s.episode_id and x.subject_id = s.event_id), 'infinity'::date) > ${today}::date
    limit 1) is not null)`;

/**
 * SQL: the ids of every child in the partnership with an episode that has work in it on `today`, the same
 * test as {@link inEpisodeWithWork} worked out for all episodes at once: referrals without a closure in
 * their episode, and plans whose latest end (if any) is after `today` in an episode with a referral. For a
 * whole partnership (a safeguarding lead's alerts) hashing the closures and ends once beats three look-ups
 * for each of its thousands of referrals (46 ms to about 10 at 10,000 children).
 */
export const childrenWithEpisodeWorkSql = (today: IsoDate) => sql<{ person_id: string }>`
  select e.person_id from csc_events e
  where e.partnership_id = ${currentPartnership} and e.event_type = 'referral'
    and not exists (select 1 from csc_events c where c.partnership_id = e.partnership_id
      and c.event_type = 'closure' and c.person_id = e.person_id and c.episode_id = e.episode_id)
  union
  select s.person_id from csc_events s
  left join (select x.person_id, x.episode_id, x.subject_id, x.event_type, max(x.occurred_on) as ended_on
      from csc_events x where x.partnership_id = ${currentPartnership}
        and x.event_type in ('cp-plan-end', 'cin-plan-end')
      group by x.person_id, x.episode_id, x.subject_id, x.event_type) ended
    on ended.person_id = s.person_id and ended.episode_id = s.episode_id and ended.subject_id = s.event_id
      and ended.event_type = replace(s.event_type, '-start', '-end')
  where s.partnership_id = ${currentPartnership} and s.event_type in ('cp-plan-start', 'cin-plan-start')
    and coalesce(ended.ended_on, 'infinity'::date) > ${today}::date
    and exists (select 1 from csc_events r where r.partnership_id = s.partnership_id
      and r.event_type = 'referral' and r.person_id = s.person_id and r.episode_id = s.episode_id)`;

/**
 * Past this many children, the partnership's children with work ({@link childrenWithEpisodeWorkSql}, a few
 * hundred worked out at once) are read and kept if listed: three look-ups for each referral of a manager's
 * 2,700 children took about 40 ms at 10,000 children, the partnership's set about 10.
 */
const LOOKED_UP_ONE_BY_ONE = 500;

/** Those of these children with an episode that has work in it on `today` ({@link inEpisodeWithWork}). */
export const childrenWithEpisodeWork = async (
  trx: Trx,
  personIds: readonly string[],
  today: IsoDate,
): Promise<string[]> => {
  if (personIds.length === 0) return [];
  if (personIds.length > LOOKED_UP_ONE_BY_ONE) {
    const listed = new Set(personIds);
    const withWork = await childrenWithEpisodeWorkSql(today).execute(trx);
    return withWork.rows.map((r) => r.person_id).filter((id) => listed.has(id));
  }
  const rows = await trx
    .selectFrom("csc_events as e")
    .select("e.person_id")
    .distinct()
    .where(inCurrentPartnership("e.partnership_id"))
    // One row an episode (its referral), so the episode's look-ups run once, not once an event.
    .where("e.event_type", "=", "referral")
    .where(idIn("e.person_id", personIds))
    .where(inEpisodeWithWork(today))
    .execute();
  return rows.map((r) => r.person_id);
};
