// SPDX-License-Identifier: MIT
/**
 * Importing a CIN census return into events, so a partnership starts with its history: all or nothing.
 * The file is checked against DfE's XSD, Hearth's code lists and DfE's rules; children are written a batch
 * at a time, each table one statement a batch. A system job run by the CLI as the database owner, so every
 * query names the partnership.
 */
import { sql } from "kysely";
import { appendAudit } from "../audit/audit-log.ts";
import { DISABILITY_CODE_LIST, ETHNICITY_CODE_LIST, SEX_CODE_LIST } from "../people/codes.ts";
import { type Db, episodeEvents } from "./cin-census-mapping.ts";
import { childFindings, contextOf, inDfeOrder, returnFindings } from "./cin-rules/index.ts";
import { type RuleFinding, validateCinReturn } from "./cin-rules.ts";
import { type CinChild, type CinReturn, parseCinXml, validateCinXml } from "./cin-xml.ts";
import { REFERRAL_SOURCE_CODES } from "./codes.ts";

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
