// SPDX-License-Identifier: MIT
/**
 * The CIN census from Hearth's events, and back: exporting a year's return (children with an episode
 * open at any time from 1 April to 31 March, as the events stood on 31 March), importing a return into
 * events so a partnership starts with its history (all or nothing), and Ofsted's Annex A lists 1 to 7.
 * These are system jobs run by the CLI as the database owner, so every query names the partnership.
 */
import ExcelJS from "exceljs";
import { type Insertable, type Kysely, sql } from "kysely";
import { appendAudit } from "../audit/audit-log.ts";
import type { CscEventTable, HearthSchema } from "../db/schema.ts";
import { DISABILITY_CODE_LIST, ETHNICITY_CODE_LIST, SEX_CODE_LIST } from "../people/codes.ts";
import { childFindings, contextOf, inDfeOrder, returnFindings } from "./cin-rules/index.ts";
import { type RuleFinding, validateCinReturn } from "./cin-rules.ts";
import {
  buildCinXml,
  type CinChild,
  type CinEpisode,
  type CinReturn,
  parseCinXml,
  validateCinXml,
  type XsdProblem,
} from "./cin-xml.ts";
import { REFERRAL_SOURCE_BY_AGENCY, REFERRAL_SOURCE_CODES } from "./codes.ts";
import { CSC_EVENT_COLUMNS, cscEventOf } from "./csc-event-store.ts";
import { type CscEvent, deriveEpisodes, type Episode, episodeStatus } from "./episodes.ts";
import { addMonths, type IsoDate } from "./working-days.ts";

type Db = Kysely<HearthSchema>;

/** The LAchildID: the person's local identifier, or the first 20 characters of their Hearth id. */
const laChildIdOf = (person: { person_id: string; local_id: string | null }) =>
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
const loadChildren = async (db: Db, partnershipId: string, upTo: IsoDate) => {
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

export type CinExport = {
  data: CinReturn;
  xml: string;
  xsdProblems: XsdProblem[];
  findings: RuleFinding[];
};

/**
 * The year's return: every child with an episode open at some time from 1 April (year - 1) to 31 March
 * (year), as their events stood on 31 March. Validated against the XSD and the ported rules.
 * @param db - The database (owner; the CLI's system job).
 * @param options - Partnership, census year (ending 31 March), and the header's time stamp.
 */
export const exportCinCensus = async (
  db: Db,
  options: { partnershipId: string; year: number; dateTime?: string; release?: string },
): Promise<CinExport> => {
  const referenceDate = `${options.year}-03-31`;
  const collectionStart = `${options.year - 1}-04-01`;
  const partnership = await db
    .selectFrom("partnerships")
    .select("local_authority_codes")
    .where("partnership_id", "=", options.partnershipId)
    .executeTakeFirstOrThrow();
  const loaded = await loadChildren(db, options.partnershipId, referenceDate);
  const children: CinChild[] = [];
  for (const { person, episodes } of loaded) {
    const inYear = episodes.filter((e) => e.closureDate === null || e.closureDate >= collectionStart);
    if (inYear.length === 0) continue;
    const unborn = person.date_of_birth === null && person.expected_date_of_birth !== null;
    children.push({
      laChildId: laChildIdOf(person),
      upn: person.upn,
      formerUpn: person.former_upn,
      upnUnknown: person.upn_unknown,
      birthDate: person.date_of_birth,
      expectedBirthDate: person.date_of_birth ? null : person.expected_date_of_birth,
      sex: unborn ? "U" : person.sex,
      deathDate: person.date_of_death,
      ethnicity: person.ethnicity ?? "NOBT",
      disabilities: person.disabilities,
      episodes: inYear.map((e) => scopeToYear(toCinEpisode(e), collectionStart)),
    });
  }
  children.sort((a, b) => (a.laChildId < b.laChildId ? -1 : 1));
  const data: CinReturn = {
    header: {
      year: options.year,
      referenceDate,
      lea: partnership.local_authority_codes[0] ?? "999",
      softwareCode: "Hearth",
      release: options.release ?? "0.1.0",
      serialNo: "001",
      dateTime: options.dateTime ?? new Date().toISOString().slice(0, 19),
    },
    children,
  };
  const xml = buildCinXml(data);
  return { data, xml, xsdProblems: await validateCinXml(xml), findings: validateCinReturn(data) };
};

export type CinImportResult =
  | { ok: true; children: number; episodes: number; events: number; peopleAdded: number }
  | { ok: false; reasons: string[] };

/**
 * Loads a return into events, so a partnership starts with its history. A file that fails the XSD or
 * any rule that is an error (not a query), or that repeats an episode already in Hearth, is refused
 * whole with the reasons; otherwise everything is written in one transaction.
 * @param db - The database (owner; the CLI's system job).
 * @param options - Partnership and the file's text.
 */
export const importCinCensus = async (
  db: Db,
  options: {
    partnershipId: string;
    xml: string /** Validate only: check the file and write nothing. */;
    dryRun?: boolean;
    /** Called as children are written, with how many of how many. */
    onProgress?: (done: number, total: number) => void;
  },
): Promise<CinImportResult> => {
  // The XSD check runs in xmllint's own worker thread while this one reads the file, applies the rules
  // and writes; the transaction commits only once the XSD has passed, so a bad file still loads nothing.
  const xsd = validateCinXml(options.xml).catch((error: Error) => [
    { line: null, message: `the file could not be checked against the XSD: ${error.message}` },
  ]);
  const xsdRefusal = async (): Promise<CinImportResult | undefined> => {
    const problems = await xsd;
    return problems.length > 0
      ? { ok: false, reasons: problems.map((p) => `${p.line ? `line ${p.line}: ` : ""}${p.message}`) }
      : undefined;
  };
  const unreadable = (error: unknown) => [`the file could not be read: ${(error as Error).message}`];
  const ruleReasons = (findings: RuleFinding[]) =>
    findings.map(
      (f) => `child ${f.laChildId}: rule ${f.code}: ${f.message}${f.detail ? ` (${f.detail})` : ""}`,
    );
  /** Every rule's errors at once, before anything is written. */
  const allRuleErrors = (data: CinReturn): string[] | undefined => {
    try {
      const errors = validateCinReturn(data).filter((f) => !f.query);
      return errors.length > 0 ? ruleReasons(errors) : undefined;
    } catch (error) {
      return unreadable(error);
    }
  };
  let data: CinReturn;
  try {
    data = parseCinXml(options.xml);
  } catch (error) {
    // A file the XSD refuses can break the reader or a rule: the XSD's reasons are the ones to give.
    return (await xsdRefusal()) ?? { ok: false, reasons: unreadable(error) };
  }
  const reasons: string[] = [];
  for (const child of data.children) {
    if (!(SEX_CODE_LIST as readonly string[]).includes(child.sex))
      reasons.push(`child ${child.laChildId}: Sex ${child.sex}`);
    if (!(ETHNICITY_CODE_LIST as readonly string[]).includes(child.ethnicity))
      reasons.push(`child ${child.laChildId}: Ethnicity ${child.ethnicity}`);
    for (const d of child.disabilities)
      if (!(DISABILITY_CODE_LIST as readonly string[]).includes(d))
        reasons.push(`child ${child.laChildId}: Disability ${d}`);
    for (const e of child.episodes)
      if (!(REFERRAL_SOURCE_CODES as readonly string[]).includes(e.source))
        reasons.push(`child ${child.laChildId}: ReferralSource ${e.source}`);
  }
  // DfE's rules are given before Hearth's own code checks, as DfE's tool would give them.
  if (reasons.length > 0)
    return (await xsdRefusal()) ?? { ok: false, reasons: allRuleErrors(data) ?? reasons };
  if (options.dryRun) {
    const errors = allRuleErrors(data);
    return (
      (await xsdRefusal()) ??
      (errors
        ? { ok: false, reasons: errors }
        : {
            ok: true,
            children: data.children.length,
            episodes: data.children.reduce((n, c) => n + c.episodes.length, 0),
            events: 0,
            peopleAdded: 0,
          })
    );
  }
  // Otherwise the child-level rules run a batch at a time while the server writes the batch before
  // (below); any error rolls the whole transaction back, so a refused file still loads nothing.
  const ruleContext = contextOf(data);
  const ruleErrors: RuleFinding[] = [];
  const checkChildren = (children: readonly CinChild[]) => {
    try {
      ruleErrors.push(...childFindings(children, ruleContext).filter((f) => !f.query));
    } catch (error) {
      throw new ImportRefused(unreadable(error));
    }
  };
  const refuseOnRuleErrors = (checked: CinReturn) => {
    try {
      ruleErrors.push(...returnFindings(checked, ruleContext).filter((f) => !f.query));
    } catch (error) {
      throw new ImportRefused(unreadable(error));
    }
    if (ruleErrors.length > 0) throw new ImportRefused(ruleReasons(inDfeOrder(ruleErrors)));
  };
  const partnershipId = options.partnershipId;
  try {
    return await db.transaction().execute(async (trx) => {
      const csc = await trx
        .selectFrom("agencies")
        .select("agency_id")
        .where("partnership_id", "=", partnershipId)
        .where("agency_type", "=", "childrens-social-care")
        .orderBy("name")
        .executeTakeFirst();
      if (!csc)
        throw new ImportRefused(["the partnership has no children's social care agency to hold the history"]);
      // The children already in Hearth, and their referrals, in two statements (not two a child).
      const ids = [...new Set(data.children.map((c) => c.laChildId))];
      const known = new Map<string, string>();
      for (let i = 0; i < ids.length; i += BATCH) {
        const found = await trx
          .selectFrom("people")
          .select(["person_id", "local_id"])
          .where("partnership_id", "=", partnershipId)
          .where("kind", "=", "child")
          .where("local_id", "=", sql<string>`any(${ids.slice(i, i + BATCH)}::text[])`)
          .execute();
        for (const p of found) if (p.local_id && !known.has(p.local_id)) known.set(p.local_id, p.person_id);
      }
      const referred = new Set<string>();
      const knownIds = [...new Set(known.values())];
      for (let i = 0; i < knownIds.length; i += BATCH) {
        const found = await trx
          .selectFrom("csc_events")
          .select(["person_id", "occurred_on"])
          .where("partnership_id", "=", partnershipId)
          .where("event_type", "=", "referral")
          .where("person_id", "=", sql<string>`any(${knownIds.slice(i, i + BATCH)}::uuid[])`)
          .execute();
        for (const r of found) referred.add(`${r.person_id} ${r.occurred_on}`);
      }
      const conflicts: string[] = [];
      const people: CinChild[] = [];
      const personIds = data.children.map((child) => {
        const existing = known.get(child.laChildId);
        if (existing) return existing;
        const personId = crypto.randomUUID();
        known.set(child.laChildId, personId);
        people.push(child);
        return personId;
      });
      data.children.forEach((child, i) => {
        for (const e of child.episodes)
          if (referred.has(`${personIds[i]} ${e.referralDate}`))
            conflicts.push(
              `child ${child.laChildId}: the episode referred ${e.referralDate} is already in Hearth`,
            );
      });
      if (conflicts.length > 0) {
        const errors = allRuleErrors(data);
        throw new ImportRefused(errors ?? conflicts);
      }

      const newPeople = new Set(people);
      let episodes = 0;
      let events = 0;
      for (let from = 0; from < data.children.length; from += BATCH) {
        const batch = data.children.slice(from, from + BATCH);
        const batchIds = personIds.slice(from, from + BATCH);
        const added = batch.flatMap((child, i) =>
          newPeople.has(child) ? [{ child, id: batchIds[i] ?? "" }] : [],
        );
        await insertColumns(
          trx,
          "people",
          partnershipId,
          PEOPLE_COLUMNS,
          added.map(({ child, id }) => [
            id,
            "child",
            "Child",
            child.laChildId,
            child.birthDate,
            child.birthDate ? null : child.expectedBirthDate,
            child.deathDate,
            child.sex,
            child.ethnicity,
            arrayLiteral(child.disabilities),
            child.upn,
            child.formerUpn,
            child.upnUnknown,
            child.laChildId,
          ]),
        );
        await insertColumns(
          trx,
          "person_names",
          partnershipId,
          NAME_COLUMNS,
          added.map(({ child, id }) => [crypto.randomUUID(), id, "Child", child.laChildId]),
        );
        await insertColumns(
          trx,
          "involvements",
          partnershipId,
          INVOLVEMENT_COLUMNS,
          batch.map((child, i) => [
            crypto.randomUUID(),
            batchIds[i],
            csc.agency_id,
            child.episodes.map((e) => e.referralDate).sort()[0] ?? "",
            "safeguarding-exception",
            "not-sought",
            "Children's social care history loaded from a CIN census return",
          ]),
        );
        const rows = batch.flatMap((child, i) =>
          child.episodes.flatMap((e) => episodeEvents(partnershipId, batchIds[i] ?? "", e)),
        );
        episodes += batch.reduce((n, c) => n + c.episodes.length, 0);
        events += rows.length;
        const written = insertColumns(
          trx,
          "csc_events",
          partnershipId,
          EVENT_COLUMNS,
          rows.map((r) => [
            r.event_id,
            r.person_id,
            r.episode_id,
            r.subject_id ?? null,
            r.event_type,
            r.occurred_on,
            r.code ?? null,
            arrayLiteral((r.codes as string[] | undefined) ?? []),
            r.count ?? null,
            r.child_seen ?? null,
            r.target_on ?? null,
            "import",
          ]),
        );
        // Let the insert go to the server, then check this batch's children while it works.
        written.catch(() => undefined);
        await new Promise((resolve) => setImmediate(resolve));
        let failed: unknown;
        try {
          checkChildren(batch);
        } catch (error) {
          failed = error;
        }
        await written;
        if (failed) throw failed;
        options.onProgress?.(from + batch.length, data.children.length);
      }
      refuseOnRuleErrors(data);
      await appendAudit(trx, {
        partnershipId,
        actor: null,
        action: "import",
        recordType: "cin-census",
        recordId: `${data.header.year}`,
        reason: "CIN census return loaded into events",
        details: { children: data.children.length, episodes, events, peopleAdded: people.length },
      });
      const refusal = await xsdRefusal();
      if (refusal && !refusal.ok) throw new ImportRefused(refusal.reasons);
      return {
        ok: true as const,
        children: data.children.length,
        episodes,
        events,
        peopleAdded: people.length,
      };
    });
  } catch (error) {
    // The XSD's reasons come first, as when it was checked before anything else: a file it refuses can
    // break a rule or a write too.
    const refusal = await xsdRefusal();
    if (refusal) return refusal;
    if (error instanceof ImportRefused) return { ok: false, reasons: error.reasons };
    throw error;
  }
};

/** Children written per statement: each table gets one insert a batch, each column one array parameter. */
const BATCH = 5000;

type Column = readonly [name: string, type: string];
const PEOPLE_COLUMNS: Column[] = [
  ["person_id", "uuid"],
  ["kind", "text"],
  ["given_names", "text"],
  ["family_name", "text"],
  ["date_of_birth", "date"],
  ["expected_date_of_birth", "date"],
  ["date_of_death", "date"],
  ["sex", "text"],
  ["ethnicity", "text"],
  ["disabilities", "text[]"],
  ["upn", "text"],
  ["former_upn", "text"],
  ["upn_unknown", "text"],
  ["local_id", "text"],
];
const NAME_COLUMNS: Column[] = [
  ["name_id", "uuid"],
  ["person_id", "uuid"],
  ["given_names", "text"],
  ["family_name", "text"],
];
const INVOLVEMENT_COLUMNS: Column[] = [
  ["involvement_id", "uuid"],
  ["person_id", "uuid"],
  ["agency_id", "uuid"],
  ["started_on", "date"],
  ["sharing_basis", "text"],
  ["consent", "text"],
  ["sharing_reasoning", "text"],
];
const EVENT_COLUMNS: Column[] = [
  ["event_id", "uuid"],
  ["person_id", "uuid"],
  ["episode_id", "uuid"],
  ["subject_id", "uuid"],
  ["event_type", "text"],
  ["occurred_on", "date"],
  ["code", "text"],
  ["codes", "text[]"],
  ["count", "integer"],
  ["child_seen", "boolean"],
  ["target_on", "date"],
  ["origin", "text"],
];

/** A text[] value as PostgreSQL's array literal, to travel inside a text[] parameter (one per row). */
const arrayLiteral = (values: readonly string[]) =>
  `{${values.map((v) => `"${v.replace(/["\\]/g, "\\$&")}"`).join(",")}}`;

/**
 * Inserts rows into a table of the partnership's with one statement: each column is one array parameter
 * and `unnest` turns them back into rows (far fewer parameters and round trips than a row a statement).
 * The table and column names are this module's constants, never input.
 */
const insertColumns = async (
  trx: Db,
  table: "people" | "person_names" | "involvements" | "csc_events",
  partnershipId: string,
  columns: readonly Column[],
  rows: readonly unknown[][],
) => {
  if (rows.length === 0) return;
  const arrays = columns.map((_, c) => rows.map((row) => row[c] ?? null));
  const names = sql.raw(columns.map(([name]) => name).join(", "));
  const unnested = sql.join(
    columns.map(([, type], c) => sql`${arrays[c]}::${sql.raw(type === "text[]" ? "text" : type)}[]`),
  );
  const selected = sql.raw(
    columns.map(([name, type]) => (type === "text[]" ? `${name}::text[]` : name)).join(", "),
  );
  await sql`insert into ${sql.raw(table)} (partnership_id, ${names})
    select ${partnershipId}::uuid, ${selected} from unnest(${unnested}) as t(${names})`.execute(trx);
};

class ImportRefused extends Error {
  constructor(readonly reasons: string[]) {
    super(reasons.join("; "));
  }
}

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

const GENDER: Record<string, string> = { M: "a) Male", F: "b) Female", U: "c) Not stated/recorded" };
const ageOn = (dob: string | null, on: IsoDate) =>
  dob ? Number(on.slice(0, 4)) - Number(dob.slice(0, 4)) - (on.slice(5) < dob.slice(5) ? 1 : 0) : "";
const yesNo = (value: boolean | null) => (value === null ? "c) Unknown" : value ? "a) Yes" : "b) No");
const CATEGORY_LETTERS: Record<string, string> = {
  NEG: "a) Neglect",
  PHY: "b) Physical abuse",
  EMO: "c) Emotional abuse",
  SAB: "d) Sexual abuse",
  MUL: "e) Multiple",
};
const SOURCE_LETTERS = Object.fromEntries(
  REFERRAL_SOURCE_CODES.map((code, i) => [code, `${String.fromCharCode(97 + i)}) ${code}`]),
);
const ETHNICITY_LETTERS = Object.fromEntries(
  ETHNICITY_CODE_LIST.map((code, i) => [code, `${String.fromCharCode(97 + i)}) ${code}`]),
);

/** One Annex A list: its sheet name, columns and rows. */
export type AnnexList = { name: string; columns: string[]; rows: (string | number | null)[][] };

/**
 * Ofsted Annex A lists 1 to 7 (contacts, early help, referrals, assessments, section 47 and ICPC,
 * children in need, child protection) as at a date, from the same events as the census.
 * @param db - The database (owner).
 * @param options - Partnership and the inspection date.
 */
export const annexALists = async (
  db: Db,
  options: { partnershipId: string; on: IsoDate },
): Promise<AnnexList[]> => {
  const since = addMonths(options.on, -6);
  const yearBefore = addMonths(options.on, -12);
  const loaded = await loadChildren(db, options.partnershipId, options.on);
  const users = await db
    .selectFrom("users")
    .leftJoin("teams", (j) =>
      j
        .onRef("teams.partnership_id", "=", "users.partnership_id")
        .onRef("teams.team_id", "=", "users.team_id"),
    )
    .select(["users.user_id", "users.display_name", "teams.name as team_name"])
    .where("users.partnership_id", "=", options.partnershipId)
    .execute();
  const worker = (id: string | null) => users.find((u) => u.user_id === id);
  type Person = Pick<
    (typeof loaded)[number]["person"],
    | "person_id"
    | "local_id"
    | "sex"
    | "ethnicity"
    | "date_of_birth"
    | "expected_date_of_birth"
    | "disabilities"
  >;
  const common = (p: Person, id: string) => [
    id,
    GENDER[p.sex] ?? "c) Not stated/recorded",
    ETHNICITY_LETTERS[p.ethnicity ?? "NOBT"] ?? "s) NOBT",
    p.date_of_birth ?? p.expected_date_of_birth ?? "",
    ageOn(p.date_of_birth, options.on),
  ];
  const disability = (p: Person) =>
    p.disabilities.length === 0 ? "c) Unknown" : p.disabilities.includes("NONE") ? "b) No" : "a) Yes";
  const allocation = (e: Episode) => [
    worker(e.workerUserId)?.team_name ?? "",
    worker(e.workerUserId)?.display_name ?? "",
  ];
  const COMMON = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"];

  const requests = await db
    .selectFrom("support_requests as r")
    .innerJoin("people as p", (j) =>
      j.onRef("p.partnership_id", "=", "r.partnership_id").onRef("p.person_id", "=", "r.person_id"),
    )
    .innerJoin("agencies as a", (j) =>
      j.onRef("a.partnership_id", "=", "r.partnership_id").onRef("a.agency_id", "=", "r.referrer_agency_id"),
    )
    .select([
      "p.person_id",
      "p.local_id",
      "p.sex",
      "p.ethnicity",
      "p.date_of_birth",
      "p.expected_date_of_birth",
      "p.disabilities",
      "r.received_on",
      "a.agency_type",
      "r.from_early_help_id",
    ])
    .where("r.partnership_id", "=", options.partnershipId)
    .where("r.received_on", ">=", since)
    .where("r.received_on", "<=", options.on)
    .execute();
  const earlyHelp = await db
    .selectFrom("early_help as h")
    .innerJoin("people as p", (j) =>
      j.onRef("p.partnership_id", "=", "h.partnership_id").onRef("p.person_id", "=", "h.person_id"),
    )
    .innerJoin("agencies as a", (j) =>
      j.onRef("a.partnership_id", "=", "h.partnership_id").onRef("a.agency_id", "=", "h.lead_agency_id"),
    )
    .select([
      "p.person_id",
      "p.local_id",
      "p.sex",
      "p.ethnicity",
      "p.date_of_birth",
      "p.expected_date_of_birth",
      "p.disabilities",
      "h.started_on",
      "h.ended_on",
      "a.name as agency",
    ])
    .where("h.partnership_id", "=", options.partnershipId)
    .where("h.started_on", "<=", options.on)
    .where((eb) => eb.or([eb("h.ended_on", "is", null), eb("h.ended_on", ">=", since)]))
    .execute();

  const lists: AnnexList[] = [
    {
      name: "List 1 Contacts",
      columns: [...COMMON, "Date of Contact", "Contact Source"],
      rows: requests.map((r) => {
        const source = r.from_early_help_id ? "5D" : REFERRAL_SOURCE_BY_AGENCY[r.agency_type];
        return [...common(r, laChildIdOf(r)), r.received_on, SOURCE_LETTERS[source] ?? source];
      }),
    },
    {
      name: "List 2 Early help",
      columns: [
        ...COMMON,
        "Assessment start date",
        "Assessment completion date",
        "Organisation completing assessment",
      ],
      rows: earlyHelp.map((h) => [...common(h, laChildIdOf(h)), h.started_on, h.started_on, h.agency]),
    },
  ];
  const referrals: AnnexList["rows"] = [];
  const assessments: AnnexList["rows"] = [];
  const enquiries: AnnexList["rows"] = [];
  const inNeed: AnnexList["rows"] = [];
  const protection: AnnexList["rows"] = [];
  for (const { person, episodes } of loaded) {
    const id = laChildIdOf(person);
    const base = common(person, id);
    const s47s = episodes.flatMap((e) => e.section47s);
    for (const e of episodes) {
      if (e.referralDate >= since) {
        const last12 = episodes.filter(
          (x) => x.referralDate > yearBefore && x.referralDate <= options.on,
        ).length;
        referrals.push([
          ...base,
          e.referralDate,
          SOURCE_LETTERS[e.source] ?? e.source,
          e.nfa ? "a) Yes" : "b) No",
          last12,
          ...allocation(e),
        ]);
      }
      for (const a of e.assessments.filter(
        (x) => x.start >= since || x.authorised === null || (x.authorised ?? "") >= since,
      )) {
        const seen = a.authorised ? yesNo(true) : "c) Unknown";
        const needs = a.authorised
          ? a.factors.length === 1 && a.factors[0] === "21"
            ? "b) No"
            : "a) Yes"
          : "";
        assessments.push([
          ...base,
          disability(person),
          a.start,
          seen,
          a.authorised ?? "",
          needs,
          ...allocation(e),
        ]);
      }
      for (const s of e.section47s.filter((x) => x.start >= since || (x.icpc === null && !x.notRequired))) {
        const plan = s.icpc !== null && e.cpPlans.some((p) => p.start === s.icpc);
        const s47Count = s47s.filter((x) => x.start > yearBefore).length;
        const icpcCount = s47s.filter((x) => x.icpc !== null && x.icpc > yearBefore).length;
        enquiries.push([
          ...base,
          disability(person),
          s.start,
          s.notRequired ? "a) Yes" : "b) No",
          s.icpc ?? "",
          s.icpc ? (plan ? "a) Yes" : "b) No") : "",
          s47Count,
          icpcCount,
          ...allocation(e),
        ]);
      }
      // Every child whose episode was open at some time in the six months, assessed yet or not (a plan can
      // outlive the assessment that led to it, which a return loaded into Hearth does not carry); only
      // referrals that ended in no further action are left out, as Ofsted's "referral-only" children.
      const open = e.closureDate === null || e.closureDate >= since;
      if (open && !e.nfa) {
        const visits = [...e.cpPlans, ...e.cinPlans]
          .flatMap((p) => p.visits)
          .filter((v) => v.childSeen)
          .map((v) => v.date)
          .sort();
        const status = episodeStatus(e, options.on);
        const statusText: Record<string, string> = {
          "looked-after": "a) Looked after",
          "cp-plan": "b) Child Protection plan",
          "cin-plan": "c) Child in need plan",
          "open-assessment": "d) Open assessment",
          "s47-enquiry": "d) Open assessment",
          referral: "d) Open assessment",
          closed: "e) Closed episode",
        };
        inNeed.push([
          ...base,
          disability(person),
          e.referralDate,
          e.primaryNeed ?? "",
          visits.at(-1) ?? "",
          e.closureDate ?? "",
          e.closureReason ?? "",
          statusText[status] ?? "",
          ...allocation(e),
        ]);
      }
      for (const p of e.cpPlans.filter((x) => x.end === null || x.end >= since)) {
        const last = [...p.visits].sort((a, b) => (a.date < b.date ? -1 : 1)).at(-1);
        protection.push([
          ...base,
          disability(person),
          p.start,
          CATEGORY_LETTERS[p.initialCategory] ?? p.initialCategory,
          CATEGORY_LETTERS[p.latestCategory] ?? p.latestCategory,
          last?.date ?? "",
          last ? yesNo(last.seenAlone) : "c) Unknown",
          [...p.reviews].sort().at(-1) ?? "",
          p.end ?? "",
          "c) Unknown",
          p.previousPlans,
          ...allocation(e),
        ]);
      }
    }
  }
  const ALLOCATED = ["Allocated Team", "Allocated Worker"];
  lists.push(
    {
      name: "List 3 Referrals",
      columns: [
        ...COMMON,
        "Date of referral",
        "Referral Source",
        "Referral NFA?",
        "Number of Referrals in Last 12 Months",
        ...ALLOCATED,
      ],
      rows: referrals,
    },
    {
      name: "List 4 Assessments",
      columns: [
        ...COMMON,
        "Does the Child have a Disability",
        "Continuous Assessment Start Date",
        "Child Seen During Continuous Assessment",
        "Continuous Assessment Date of Authorisation",
        "Was the child assessed as requiring LA children's social care support?",
        ...ALLOCATED,
      ],
      rows: assessments,
    },
    {
      name: "List 5 Section 47",
      columns: [
        ...COMMON,
        "Does the Child have a Disability",
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "Number of Section 47 Enquiries in the last 12 months",
        "Number of Initial Child Protection Conferences in the last 12 months",
        ...ALLOCATED,
      ],
      rows: enquiries,
    },
    {
      name: "List 6 Children in need",
      columns: [
        ...COMMON,
        "Does the Child have a Disability",
        "CIN Start Date",
        "Primary Need Code",
        "Date Child Was Last Seen",
        "CIN Closure Date",
        "Reason for Closure",
        "Case Status",
        ...ALLOCATED,
      ],
      rows: inNeed,
    },
    {
      name: "List 7 Child protection",
      columns: [
        ...COMMON,
        "Does the Child have a Disability",
        "Child Protection Plan Start Date",
        "Initial Category of Abuse",
        "Latest Category of Abuse",
        "Date of the Last Statutory Visit",
        "Was the Child Seen Alone?",
        "Date of latest review conference",
        "Child Protection Plan End Date",
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
        "Number of Previous Child Protection Plans",
        ...ALLOCATED,
      ],
      rows: protection,
    },
  );
  return lists;
};

/** Writes Annex A lists to an XLSX workbook, one sheet per list. @returns The file's bytes. */
export const annexAWorkbook = async (lists: AnnexList[]): Promise<Buffer> => {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "Hearth";
  for (const list of lists) {
    const sheet = workbook.addWorksheet(list.name);
    sheet.addRow(list.columns).font = { bold: true };
    for (const row of list.rows) sheet.addRow(row);
    sheet.views = [{ state: "frozen", ySplit: 1 }];
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
};
