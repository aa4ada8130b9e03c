// SPDX-License-Identifier: MIT
/**
 * Builds the indicator model's children (model.ts) from their records as read (loader.ts), without I/O:
 * social care episodes folded from the coded events by the pathways' own deriveEpisodes, early help,
 * requests for support, chronology entries, involvements, levels of need, completed neglect assessments
 * reduced to a concern score, and learning records. Apart from the reading so that a full recount's
 * worker thread (recount-worker.ts) can build its children from records sent to it.
 */
import { addCalendarDays } from "../kernel/calendar.ts";
import { type CscEvent, deriveEpisodes } from "../pathways/episodes.ts";
import { type CodedColumn, type CodedTexts, parseCodedTexts } from "./coded-rows.ts";
import type { ChildModel, EpisodeModel, IsoDate, LearningModel } from "./model.ts";

type DomainLike = {
  value?: number;
  scale?: { min?: number; max?: number; direction?: string };
};

/**
 * A completed assessment's concern score: each domain with a value placed from 0 (best grade) to 100
 * (worst grade) on its own scale, averaged. Undefined when no domain has a value.
 */
export const concernScore = (results: unknown): number | undefined => {
  const domains = (results as { domains?: DomainLike[] } | null)?.domains;
  if (!Array.isArray(domains)) return undefined;
  const parts: number[] = [];
  for (const d of domains) {
    const { value, scale } = d;
    if (typeof value !== "number" || !scale || typeof scale.min !== "number" || typeof scale.max !== "number")
      continue;
    if (scale.max === scale.min) continue;
    const position = (value - scale.min) / (scale.max - scale.min);
    parts.push((scale.direction === "higher_better" ? 1 - position : position) * 100);
  }
  if (parts.length === 0) return undefined;
  return Math.round((parts.reduce((a, b) => a + b, 0) / parts.length) * 10) / 10;
};

/** The columns of the many-row tables, read as coded text (coded-rows.ts) straight into the model's objects. */
export const CODED = {
  // The child's id (personId) is set when the child is built: a merged record's events are its child's.
  events: [
    ["eventId", "event_id", "text"],
    ["episodeId", "episode_id", "text"],
    ["subjectId", "subject_id", "text"],
    ["eventType", "event_type", "text"],
    ["occurredOn", "occurred_on", "text"],
    ["code", "code", "text"],
    ["codes", "codes", "list"],
    ["count", "count", "number"],
    ["childSeen", "child_seen", "boolean"],
    ["seenAlone", "seen_alone", "boolean"],
    ["targetOn", "target_on", "text"],
    ["workerUserId", "worker_user_id", "text"],
  ],
  chronology: [
    ["date", "e.occurred_on", "text"],
    ["type", "e.event_type", "text"],
    ["neglectTypes", "e.neglect_types", "list"],
    ["agencyType", "a.agency_type", "text"],
  ],
  involvements: [
    ["agencyId", "i.agency_id", "text"],
    ["agencyType", "a.agency_type", "text"],
    ["start", "i.started_on", "text"],
    ["end", "i.ended_on", "text"],
  ],
} as const satisfies Record<string, readonly CodedColumn[]>;

/** A table read as coded text. */
export type CodedTable = keyof typeof CODED;

/**
 * The children's records as read, before they are built into the model: texts and plain rows, so a
 * full recount can send them to a worker thread as they arrive (recount-worker.ts).
 */
export type ChildRecords = {
  /** The children with their wards, as JSON arrays, by their ids' first character (`head`), in order. */
  people: { head: string; items: string }[];
  merged: { person_id: string; merged_into_person_id: string | null }[];
  events: CodedTexts;
  chronology: CodedTexts;
  involvements: CodedTexts;
  earlyHelp: {
    person_id: string;
    early_help_id: string;
    started_on: IsoDate;
    ended_on: IsoDate | null;
    lead_user_id: string | null;
  }[];
  requests: {
    person_id: string;
    received_on: IsoDate;
    decided_on: IsoDate | null;
    outcome: string | null;
    episode_id: string | null;
  }[];
  levels: { person_id: string; decided_on: IsoDate; chosen_level: string }[];
  assessments: {
    person_id: string;
    assessed_on: IsoDate;
    status: string;
    results: unknown;
    tool_id: string;
  }[];
  users: { user_id: string; team_id: string | null }[];
  /** Each child's learning records as a JSON array (LearningRow without the child's id). */
  learning: { person_id: string; items: string }[];
};

/** The records with the coded tables split into each child's rows. */
export type ParsedRecords = Omit<ChildRecords, CodedTable> & {
  events: Map<string, CscEvent[]>;
  chronology: Map<string, ChildModel["chronology"]>;
  involvements: Map<string, ChildModel["involvements"]>;
};

/** Splits a coded table's texts into each child's rows. */
export const parseCodedTable = <K extends CodedTable>(table: K, texts: CodedTexts): ParsedRecords[K] =>
  parseCodedTexts(texts, CODED[table]) as ParsedRecords[K];

/** Splits every coded table's texts. */
export const parseRecords = (records: ChildRecords): ParsedRecords => ({
  ...records,
  events: parseCodedTable("events", records.events),
  chronology: parseCodedTable("chronology", records.chronology),
  involvements: parseCodedTable("involvements", records.involvements),
});

export type PersonRow = [
  person_id: string,
  date_of_birth: IsoDate | null,
  expected_date_of_birth: IsoDate | null,
  sex: string,
  ethnicity: string | null,
  disabilities: string[],
  ward: string | null,
];

const neglectInEpisode = (e: EpisodeModel) =>
  e.assessments.some((a) => a.factors.includes("16A")) ||
  e.cpPlans.some((p) => p.initialCategory === "NEG" || p.latestCategory === "NEG");

/** Each merged record's child (following merges of merged records). */
export const ownerOf = (merged: ChildRecords["merged"]) => {
  const mergedInto = new Map(merged.map((m) => [m.person_id, m.merged_into_person_id ?? m.person_id]));
  return (id: string): string => {
    let current = id;
    for (let i = 0; i < 10; i++) {
      const next = mergedInto.get(current);
      if (!next || next === current) break;
      current = next;
    }
    return current;
  };
};

/**
 * Builds the children of the model from their records, without I/O: in the children's id order.
 * Takes the coded tables' rows as its own (a merged record's rows join its child's list).
 */
export const buildChildren = (records: ParsedRecords): ChildModel[] => {
  const people = records.people.flatMap((part) =>
    (JSON.parse(part.items) as PersonRow[]).map(
      ([person_id, date_of_birth, expected_date_of_birth, sex, ethnicity, disabilities, ward]) => ({
        person_id,
        date_of_birth,
        expected_date_of_birth,
        sex,
        ethnicity,
        disabilities,
        ward,
      }),
    ),
  );
  const owner = ownerOf(records.merged);
  const kept = new Set(people.map((p) => p.person_id));
  const group = <T extends { person_id: string }>(rows: readonly T[]) => {
    const out = new Map<string, T[]>();
    for (const r of rows) {
      const id = owner(r.person_id);
      if (!kept.has(id)) continue;
      const list = out.get(id);
      if (list) list.push(r);
      else out.set(id, [r]);
    }
    return out;
  };
  // Read a child at a time, a merged record's list joins its child's; such a child is remembered, since
  // its lists are then in no one order.
  const gainedMerged = new Set<string>();
  const byOwner = <T>(byPerson: Map<string, T[]>) => {
    const out = new Map<string, T[]>();
    for (const [id, list] of byPerson) {
      const ownerId = owner(id);
      if (!kept.has(ownerId)) continue;
      const had = out.get(ownerId);
      if (had) {
        for (const item of list) had.push(item);
        gainedMerged.add(ownerId);
      } else out.set(ownerId, list);
    }
    return out;
  };
  const teamOf = new Map(records.users.map((u) => [u.user_id, u.team_id]));

  const eventsBy = byOwner(records.events);
  const chronologyBy = byOwner(records.chronology);
  const involvementsBy = byOwner(records.involvements);
  // A merged child's events come from two records: fold them in date order (stable: a day's events keep
  // their order).
  for (const ownerId of gainedMerged)
    eventsBy
      .get(ownerId)
      ?.sort((a, b) => (a.occurredOn < b.occurredOn ? -1 : a.occurredOn > b.occurredOn ? 1 : 0));
  const earlyHelpBy = group(records.earlyHelp);
  const requestsBy = group(records.requests);
  const levelsBy = group(records.levels);
  const assessmentsBy = group(records.assessments);
  const learningBy = group(
    records.learning.flatMap((row) =>
      (JSON.parse(row.items) as Omit<LearningRow, "person_id">[]).map((item) => ({
        ...item,
        person_id: row.person_id,
      })),
    ),
  );

  return people.map((p): ChildModel => {
    const cscEvents = eventsBy.get(p.person_id) ?? [];
    for (const e of cscEvents) e.personId = p.person_id;
    const derived = deriveEpisodes(cscEvents);
    const episodes = new Map<string, EpisodeModel>();
    for (const d of derived) {
      episodes.set(d.episodeId, {
        referralDate: d.referralDate,
        nfa: d.nfa,
        closureDate: d.closureDate,
        closureReason: d.closureReason,
        primaryNeed: d.primaryNeed,
        assessments: d.assessments.map((a) => ({
          start: a.start,
          authorised: a.authorised,
          factors: a.factors,
        })),
        section47s: d.section47s.map((s) => ({ start: s.start, icpc: s.icpc, notRequired: s.notRequired })),
        cinPlans: d.cinPlans.map((c) => ({ start: c.start, end: c.end })),
        cpPlans: d.cpPlans.map((c) => ({
          start: c.start,
          end: c.end,
          initialCategory: c.initialCategory,
          latestCategory: c.latestCategory,
          previousPlans: c.previousPlans,
          reviews: c.reviews,
        })),
        enteredCare: d.enteredCare,
      });
    }
    const childChronology = chronologyBy.get(p.person_id) ?? [];
    const childAssessments = (assessmentsBy.get(p.person_id) ?? []).map((a) => ({
      date: a.assessed_on,
      tool: a.tool_id,
      score: concernScore(a.results),
    }));
    const ownEarlyHelp = earlyHelpBy.get(p.person_id) ?? [];
    const worker =
      [...derived].reverse().find((d) => d.workerUserId)?.workerUserId ??
      ownEarlyHelp.at(-1)?.lead_user_id ??
      null;
    return {
      personId: p.person_id,
      dateOfBirth: p.date_of_birth,
      expectedDateOfBirth: p.expected_date_of_birth,
      sex: p.sex,
      ethnicity: p.ethnicity,
      disabled: p.disabilities.length > 0 && !p.disabilities.every((d) => d === "NONE"),
      area: p.ward,
      involvements: involvementsBy.get(p.person_id) ?? [],
      teamId: worker ? (teamOf.get(worker) ?? null) : null,
      levels: (levelsBy.get(p.person_id) ?? []).map((l) => ({ date: l.decided_on, level: l.chosen_level })),
      episodes: [...episodes.values()],
      earlyHelp: ownEarlyHelp.map((h) => {
        // The window's ends worked out once, not once an assessment.
        const from = addCalendarDays(h.started_on, -90);
        const to = addCalendarDays(h.started_on, 45);
        return {
          start: h.started_on,
          end: h.ended_on,
          neglectIdentified: childAssessments.some((a) => a.date >= from && a.date <= to),
        };
      }),
      requests: (requestsBy.get(p.person_id) ?? []).map((r) => {
        const episode = r.episode_id ? episodes.get(r.episode_id) : undefined;
        const from = addCalendarDays(r.received_on, -90);
        return {
          received: r.received_on,
          decided: r.decided_on,
          outcome: r.outcome,
          neglect:
            (episode !== undefined && neglectInEpisode(episode)) ||
            childChronology.some(
              (c) => c.neglectTypes.length > 0 && c.date <= r.received_on && c.date >= from,
            ),
        };
      }),
      chronology: childChronology,
      scores: childAssessments.flatMap((a) =>
        a.score === undefined ? [] : [{ date: a.date, tool: a.tool, score: a.score }],
      ),
      ...learningOf(learningBy.get(p.person_id)),
    };
  });
};

type LearningRow = {
  person_id: string;
  kind: "audit" | "action" | "feedback";
  d1: string;
  d2: string | null;
  v: string | null;
  n: number | null;
};

/** @returns A child's learning model, or nothing when the child has no learning records. */
const learningOf = (rows: readonly LearningRow[] | undefined): { learning?: LearningModel } => {
  if (!rows || rows.length === 0) return {};
  return {
    learning: {
      audits: rows.filter((r) => r.kind === "audit").map((r) => ({ date: r.d1, grade: r.v ?? "" })),
      actions: rows.filter((r) => r.kind === "action").map((r) => ({ due: r.d1, done: r.d2 })),
      feedback: rows
        .filter((r) => r.kind === "feedback" && r.n !== null)
        .map((r) => ({ date: r.d1, score: Number(r.n), version: r.v ?? "" })),
    },
  };
};
