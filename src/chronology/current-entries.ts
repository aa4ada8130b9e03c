// SPDX-License-Identifier: MIT
/**
 * Which chronology entries are current: the version nobody has superseded, and not retracted. Kept apart
 * from the chronology's page queries so the indicators can use it without following them (their version
 * is the digest of what they import, source-digest.ts). Both conditions are on the entry aliased `e`.
 */
import { sql } from "kysely";
import { currentPartnership } from "../kernel/sql.ts";

/** Only the version nobody has superseded, and only if it is not retracted: for a few entries, by key. */
export const currentOnly = sql<boolean>`not exists (
    select 1 from chronology_events s
    where s.partnership_id = e.partnership_id and s.supersedes_event_id = e.event_id
  ) and not exists (
    select 1 from chronology_retractions r
    where r.partnership_id = e.partnership_id and r.event_id = e.event_id
  )`;

/**
 * The same, for a query that reads every entry of the partnership (the indicators): the superseded and
 * retracted ids are read once and hashed. As "not exists", the planner, told retractions are few,
 * scanned them once an entry (2.7 of 6.5 s at 500,000 entries on PGlite).
 */
export const currentOnlyReadingAll = sql<boolean>`e.event_id not in (
    select s.supersedes_event_id from chronology_events s
    where s.partnership_id = ${currentPartnership} and s.supersedes_event_id is not null
  ) and e.event_id not in (
    select r.event_id from chronology_retractions r where r.partnership_id = ${currentPartnership}
  )`;
