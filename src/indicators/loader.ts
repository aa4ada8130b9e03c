// SPDX-License-Identifier: MIT
/**
 * Maps the partnership's records into the indicator model (model.ts): children with their social care
 * episodes (folded from the coded events by the pathways' own deriveEpisodes), early help, requests for
 * support, chronology entries (current versions, not retracted), involvements, levels of need and
 * completed neglect assessments reduced to a concern score. Runs inside the caller's partnership scope;
 * it reads records only to count them, and the repository decides which children a caller may see.
 */
import { sql } from "kysely";
import { currentOnlyReadingAll } from "../chronology/current-entries.ts";
import { notArchived } from "../data/child-access.ts";
import type { Trx } from "../data/repository-scope.ts";
import { type CscEvent, deriveEpisodes } from "../pathways/episodes.ts";
import { type CodedColumn, type CodedTexts, parseCodedTexts, readCodedTexts } from "./coded-rows.ts";
import type { ChildModel, EpisodeModel, IsoDate, LearningModel } from "./model.ts";

const addDays = (date: IsoDate, days: number): IsoDate => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

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
const CODED = {
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
 * full recount can send them to a worker thread as they arrive (unit-count-worker.ts).
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

type PersonRow = [
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
 * Reads the records of every child of the caller's partnership, or of some.
 * @param trx - A transaction in the caller's partnership scope.
 * @param personIds - Only these children (a manager's own), or undefined for all.
 * @param onRead - Told each table's records as they arrive, before the next is read.
 */
export const readChildRecords = async (
  trx: Trx,
  personIds?: readonly string[],
  onRead?: <K extends keyof ChildRecords>(table: K, records: ChildRecords[K]) => void,
): Promise<ChildRecords> => {
  const only = (ids: readonly string[] | undefined, column: string) =>
    ids ? sql<boolean>`${sql.ref(column)} = any(${ids as string[]}::uuid[])` : sql<boolean>`true`;
  const told = <K extends keyof ChildRecords>(table: K, records: Promise<ChildRecords[K]>) =>
    onRead
      ? records.then((r) => {
          onRead(table, r);
          return r;
        })
      : records;
  // Each child with its current ward (from the household they joined most recently, in one pass over
  // the household memberships rather than a lookup per child), as JSON in 16 rows: read as rows, 100,000
  // children and their wards took 3.4 to 4 s on PGlite, most of it the driver's, and 1.5 to 2.2 s so. In
  // one order, so each unit's place in the computation (and so its stored digest) is the same from one
  // recount to the next.
  const people = await told(
    "people",
    sql<{ head: string; items: string }>`select substr(p.person_id::text, 1, 1) as head,
        json_agg(json_build_array(p.person_id, p.date_of_birth, p.expected_date_of_birth, p.sex, p.ethnicity,
          p.disabilities, w.ward) order by p.person_id)::text as items
      from people p
      left join (
        select distinct on (m.person_id) m.person_id, h.ward
        from household_members m
        join households h on h.partnership_id = m.partnership_id and h.household_id = m.household_id
        where m.partnership_id = hearth_current_partnership() and m.valid_to is null
          and ${only(personIds, "m.person_id")}
        order by m.person_id, m.valid_from desc
      ) w on w.person_id = p.person_id
      where p.partnership_id = hearth_current_partnership() and p.kind = 'child'
        and p.merged_into_person_id is null
        -- A record archived after a retention review leaves the indicators (src/retention).
        and ${notArchived(sql.ref("p.person_id"), personIds ? "some" : "all")}
        and ${only(personIds, "p.person_id")}
      group by substr(p.person_id::text, 1, 1)
      order by substr(p.person_id::text, 1, 1)`
      .execute(trx)
      .then(({ rows }) => rows),
  );
  const merged = await told(
    "merged",
    trx
      .selectFrom("people")
      .select(["person_id", "merged_into_person_id"])
      .where("merged_into_person_id", "is not", null)
      .execute(),
  );
  // With only some children asked for, the records read are theirs and those of records merged into
  // them (a recount of the few children whose records changed reads no one else's).
  let related: string[] | undefined;
  if (personIds) {
    const owner = ownerOf(merged);
    const kept = new Set(people.flatMap((part) => (JSON.parse(part.items) as PersonRow[]).map((p) => p[0])));
    related = [...kept, ...merged.map((m) => m.person_id).filter((id) => kept.has(owner(id)))];
  }
  const [events, earlyHelp, requests, chronology, involvements, levels, assessments, users, learning] =
    await Promise.all([
      told(
        "events",
        readCodedTexts(
          trx,
          "person_id",
          CODED.events,
          sql`from csc_events where partnership_id = hearth_current_partnership() and ${only(related, "person_id")}`,
          "occurred_on",
        ),
      ),
      told(
        "earlyHelp",
        trx
          .selectFrom("early_help")
          .select(["person_id", "early_help_id", "started_on", "ended_on", "lead_user_id"])
          .where(only(related, "person_id"))
          .execute(),
      ),
      told(
        "requests",
        trx
          .selectFrom("support_requests")
          .select(["person_id", "received_on", "decided_on", "outcome", "episode_id"])
          .where(only(related, "person_id"))
          .execute(),
      ),
      told(
        "chronology",
        readCodedTexts(
          trx,
          "e.person_id",
          CODED.chronology,
          sql`from chronology_events e
            join agencies a on a.partnership_id = e.partnership_id and a.agency_id = e.source_agency_id
            where e.partnership_id = hearth_current_partnership() and ${only(related, "e.person_id")}
              and ${currentOnlyReadingAll}`,
          "e.occurred_on",
        ),
      ),
      told(
        "involvements",
        readCodedTexts(
          trx,
          "i.person_id",
          CODED.involvements,
          sql`from involvements i
            join agencies a on a.partnership_id = i.partnership_id and a.agency_id = i.agency_id
            where i.partnership_id = hearth_current_partnership() and ${only(related, "i.person_id")}`,
        ),
      ),
      told(
        "levels",
        trx
          .selectFrom("level_decisions")
          .select(["person_id", "decided_on", "chosen_level"])
          .where(only(related, "person_id"))
          .orderBy("decided_on")
          .execute(),
      ),
      told(
        "assessments",
        trx
          .selectFrom("assessments as x")
          .innerJoin("assessment_tool_versions as v", (j) =>
            j
              .onRef("v.partnership_id", "=", "x.partnership_id")
              .onRef("v.tool_version_id", "=", "x.tool_version_id"),
          )
          .select(["x.person_id", "x.assessed_on", "x.status", "x.results", "v.tool_id"])
          .where("x.status", "in", ["submitted", "signed-off"])
          .where(only(related, "x.person_id"))
          .execute(),
      ),
      told("users", trx.selectFrom("users").select(["user_id", "team_id"]).execute()),
      // Learning (issue 15): agreed audit grades, audit actions, feedback scores, per child.
      told(
        "learning",
        sql<{ person_id: string; items: string }>`select person_id,
            json_agg(json_build_object('kind', kind, 'd1', d1, 'd2', d2, 'v', v, 'n', n))::text as items
          from (
            select m.person_id, 'audit' as kind, (m.moderated_at at time zone 'Europe/London')::date as d1,
                   null::date as d2, m.agreed_grade as v, null::float8 as n
              from audit_moderations m
             where m.partnership_id = hearth_current_partnership() and ${only(related, "m.person_id")}
               and m.version = (select max(x.version) from audit_moderations x where x.partnership_id = m.partnership_id
                 and x.round_id = m.round_id and x.person_id = m.person_id)
            union all
            select a.person_id, 'action', a.due_on, c.completed_on, null, null
              from audit_actions a
              left join audit_action_completions c on c.partnership_id = a.partnership_id and c.action_id = a.action_id
             where a.partnership_id = hearth_current_partnership() and ${only(related, "a.person_id")}
            union all
            select f.person_id, 'feedback', (f.submitted_at at time zone 'Europe/London')::date, null, f.version,
                   (select avg(value::float8) from jsonb_each_text(f.answers))
              from feedback_responses f
             where f.partnership_id = hearth_current_partnership() and ${only(related, "f.person_id")}
          ) l group by person_id`
          .execute(trx)
          .then(({ rows }) => rows),
      ),
    ]);
  return {
    people,
    merged,
    events,
    earlyHelp,
    requests,
    chronology,
    involvements,
    levels,
    assessments: assessments as ChildRecords["assessments"],
    users,
    learning,
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
        const from = addDays(h.started_on, -90);
        const to = addDays(h.started_on, 45);
        return {
          start: h.started_on,
          end: h.ended_on,
          neglectIdentified: childAssessments.some((a) => a.date >= from && a.date <= to),
        };
      }),
      requests: (requestsBy.get(p.person_id) ?? []).map((r) => {
        const episode = r.episode_id ? episodes.get(r.episode_id) : undefined;
        const from = addDays(r.received_on, -90);
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

/**
 * Loads every child of the caller's partnership into the model.
 * @param trx - A transaction in the caller's partnership scope.
 * @param personIds - Only these children (a manager's own), or undefined for all.
 */
export const loadChildren = async (trx: Trx, personIds?: readonly string[]): Promise<ChildModel[]> => {
  if (personIds && personIds.length === 0) return [];
  return buildChildren(parseRecords(await readChildRecords(trx, personIds)));
};

/** One of a child's learning records, as the loader reads them (see LearningModel). */
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
