// SPDX-License-Identifier: MIT
/**
 * The mapping between Hearth's events and the CIN census, shared by the export (./cin-census-export.ts),
 * the import (./cin-census-import.ts) and Ofsted's Annex A lists (./annex-a.ts): a child's LAchildID,
 * every child's events derived into episodes, an episode as the return records it, and the coded events
 * that record a return's episode. Queries name the partnership (these are the CLI's system jobs).
 */
import type { Insertable, Kysely } from "kysely";
import type { CscEventTable, HearthSchema } from "../db/schema.ts";
import type { IsoDate } from "../kernel/calendar.ts";
import type { CinEpisode } from "./cin-xml.ts";
import { CSC_EVENT_COLUMNS, cscEventOf } from "./csc-event-store.ts";
import { type CscEvent, deriveEpisodes, type Episode } from "./episodes.ts";

export type Db = Kysely<HearthSchema>;

/** The LAchildID: the person's local identifier, or the first 20 characters of their Hearth id. */
export const laChildIdOf = (person: { person_id: string; local_id: string | null }) =>
  person.local_id && /^[A-Za-z0-9]{1,20}$/.test(person.local_id)
    ? person.local_id
    : person.person_id.replace(/-/g, "").slice(0, 20);

/** An episode as the return records it. */
export const toCinEpisode = (e: Episode): CinEpisode => ({
  referralDate: e.referralDate,
  source: e.source,
  primaryNeed: e.primaryNeed,
  closureDate: e.closureDate,
  closureReason: e.closureReason,
  episodeIcpc: e.episodeIcpc,
  assessments: e.assessments.map((a) => ({
    start: a.start,
    internalReview: a.internalReview,
    authorised: a.authorised,
    factors: a.factors,
  })),
  cinPlans: e.cinPlans.map((p) => ({ start: p.start, end: p.end })),
  section47s: e.section47s.map((s) => ({
    start: s.start,
    target: s.target,
    icpc: s.icpc,
    notRequired: s.notRequired,
  })),
  nfa: e.nfa,
  cpPlans: e.cpPlans.map((p) => ({
    start: p.start,
    end: p.end,
    initialCategory: p.initialCategory,
    latestCategory: p.latestCategory,
    previousPlans: p.previousPlans,
    reviews: p.reviews,
  })),
});

/**
 * Keeps only the items DfE's rules look at for the collection year: assessments not authorised before it
 * (8696), ICPCs not held before it (8715), plans not ended before it (4013, 8930). An episode open in the
 * year can hold items finished in an earlier year; DfE collects only those still relevant in this one.
 */
export const scopeToYear = (e: CinEpisode, collectionStart: IsoDate): CinEpisode => ({
  ...e,
  episodeIcpc: e.episodeIcpc !== null && e.episodeIcpc < collectionStart ? null : e.episodeIcpc,
  assessments: e.assessments.filter((a) => a.authorised === null || a.authorised >= collectionStart),
  section47s: e.section47s.filter((s) => s.icpc === null || s.icpc >= collectionStart),
  cinPlans: e.cinPlans.filter((p) => p.end === null || p.end >= collectionStart),
  cpPlans: e.cpPlans.filter((p) => p.end === null || p.end >= collectionStart),
});

/** Loads every child's events up to a date, derived into episodes, with the child's details. */
export const loadChildren = async (db: Db, partnershipId: string, upTo: IsoDate) => {
  const events = await db
    .selectFrom("csc_events")
    .select(CSC_EVENT_COLUMNS)
    .where("partnership_id", "=", partnershipId)
    .where("occurred_on", "<=", upTo)
    .orderBy("person_id")
    .orderBy("occurred_on")
    .execute();
  const byPerson = new Map<string, CscEvent[]>();
  for (const row of events) {
    const list = byPerson.get(row.person_id);
    if (list) list.push(cscEventOf(row));
    else byPerson.set(row.person_id, [cscEventOf(row)]);
  }
  const people = byPerson.size
    ? await db
        .selectFrom("people")
        .select([
          "person_id",
          "local_id",
          "upn",
          "former_upn",
          "upn_unknown",
          "date_of_birth",
          "expected_date_of_birth",
          "date_of_death",
          "sex",
          "ethnicity",
          "disabilities",
          "given_names",
          "family_name",
        ])
        .where("partnership_id", "=", partnershipId)
        .where("kind", "=", "child")
        .execute()
    : [];
  return people
    .filter((p) => byPerson.has(p.person_id))
    .map((person) => ({ person, episodes: deriveEpisodes(byPerson.get(person.person_id) ?? []) }));
};

/** The coded events that record one episode of a return. */
export const episodeEvents = (
  partnershipId: string,
  personId: string,
  e: CinEpisode,
): Insertable<CscEventTable>[] => {
  const episodeId = crypto.randomUUID();
  const rows: Insertable<CscEventTable>[] = [];
  const add = (
    row: Partial<Insertable<CscEventTable>> & Pick<Insertable<CscEventTable>, "event_type" | "occurred_on">,
  ) => {
    const eventId = row.event_id ?? crypto.randomUUID();
    rows.push({
      partnership_id: partnershipId,
      person_id: personId,
      episode_id: episodeId,
      origin: "import",
      ...row,
      event_id: eventId,
    });
    return eventId;
  };
  add({ event_id: episodeId, event_type: "referral", occurred_on: e.referralDate, code: e.source });
  if (e.primaryNeed) add({ event_type: "primary-need", occurred_on: e.referralDate, code: e.primaryNeed });
  if (e.nfa) add({ event_type: "referral-nfa", occurred_on: e.referralDate, child_seen: true });
  for (const a of e.assessments) {
    const id = add({ event_type: "assessment-start", occurred_on: a.start });
    if (a.internalReview)
      add({ event_type: "assessment-internal-review", occurred_on: a.internalReview, subject_id: id });
    if (a.authorised)
      add({
        event_type: "assessment-authorised",
        occurred_on: a.authorised,
        subject_id: id,
        codes: a.factors,
      });
  }
  for (const p of e.cinPlans) {
    const id = add({ event_type: "cin-plan-start", occurred_on: p.start });
    if (p.end) add({ event_type: "cin-plan-end", occurred_on: p.end, subject_id: id });
  }
  for (const s of e.section47s) {
    const id = add({ event_type: "s47-start", occurred_on: s.start, target_on: s.target });
    if (s.icpc) add({ event_type: "icpc", occurred_on: s.icpc, subject_id: id });
    else if (s.notRequired) add({ event_type: "icpc-not-required", occurred_on: s.start, subject_id: id });
  }
  if (e.episodeIcpc) add({ event_type: "icpc", occurred_on: e.episodeIcpc });
  for (const p of e.cpPlans) {
    const id = add({
      event_type: "cp-plan-start",
      occurred_on: p.start,
      code: p.initialCategory,
      count: p.previousPlans,
    });
    const reviews = [...p.reviews].sort();
    for (const r of reviews) add({ event_type: "cp-review", occurred_on: r, subject_id: id });
    if (p.latestCategory !== p.initialCategory) {
      const when = reviews.at(-1) ?? p.start;
      add({ event_type: "cp-category-change", occurred_on: when, subject_id: id, code: p.latestCategory });
    }
    if (p.end) add({ event_type: "cp-plan-end", occurred_on: p.end, subject_id: id });
  }
  if (e.closureDate) add({ event_type: "closure", occurred_on: e.closureDate, code: e.closureReason });
  return rows;
};
