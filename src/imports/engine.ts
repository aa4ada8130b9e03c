// SPDX-License-Identifier: MIT
/**
 * The import engine: one agency's file, read through its saved mapping, processed in batches that each
 * commit the rows' fates, their chronology entries, the audit row and how far the import has got, in one
 * transaction. A run that dies halfway resumes from the last committed batch (the same file from the same
 * agency finds its unfinished import), so nothing is lost or doubled; each row's stable key means a later
 * run of the same file adds nothing. Runs under the application role in the partnership's scope, as the
 * web app does; the caller (route or CLI) has already checked who may import for the agency.
 */
import { stringify } from "csv-stringify/sync";
import { sql } from "kysely";
import { type AuditActor, appendAudit } from "../audit/audit-log.ts";
import { todayInEngland } from "../chronology/dates.ts";
import type { Trx } from "../data/repository-scope.ts";
import { type HearthDatabase, withPartnershipScope } from "../db/database.ts";
import { evaluateSignalsForFamiliesOf } from "../signals/store.ts";
import { type ImportFormat, ROW_FATE_CODES, type RowFate } from "./codes.ts";
import {
  DEFAULT_MAPPINGS,
  type Fact,
  FileRefused,
  type ImportMapping,
  readRow,
  rowKey,
  type SourceRow,
  sha256,
  splitRows,
} from "./formats.ts";
import { type Candidate, knownIdentifiers, matchPerson } from "./matching.ts";

export { FileRefused };

/** What the chronology says about an imported entry's impact: the import cannot know it. */
export const IMPORTED_IMPACT =
  "Not yet known: recorded from the agency's system by an import. The practitioner who knows the child records the impact.";

export type FateCounts = Record<RowFate, number>;

export type ImportSummary = {
  importId: string;
  fileName: string;
  format: ImportFormat;
  agencyId: string;
  total: number;
  done: number;
  finished: boolean;
  counts: FateCounts;
};

/** The agency's current mapping for a format, saving the default as version 1 the first time. */
export const currentMapping = async (
  trx: Trx,
  partnershipId: string,
  agencyId: string,
  format: ImportFormat,
  createdBy: string | null,
): Promise<{ version: number; mapping: ImportMapping }> => {
  const latest = await trx
    .selectFrom("import_mappings")
    .select(["version", "columns"])
    .where("partnership_id", "=", partnershipId)
    .where("agency_id", "=", agencyId)
    .where("format", "=", format)
    .orderBy("version", "desc")
    .executeTakeFirst();
  if (latest) return { version: latest.version, mapping: latest.columns as ImportMapping };
  await trx
    .insertInto("import_mappings")
    .values({
      partnership_id: partnershipId,
      agency_id: agencyId,
      format,
      version: 1,
      columns: JSON.stringify(DEFAULT_MAPPINGS[format]),
      reason: "The format's default mapping, saved at the agency's first import",
      created_by: createdBy,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return { version: 1, mapping: DEFAULT_MAPPINGS[format] };
};

/** Saves a new version of an agency's mapping for a format (earlier versions stay, and name their imports). */
export const saveMapping = async (
  database: HearthDatabase,
  options: {
    partnershipId: string;
    agencyId: string;
    format: ImportFormat;
    mapping: ImportMapping;
    reason: string;
    actor: AuditActor;
  },
): Promise<number> =>
  withPartnershipScope(database, options.partnershipId, async (trx) => {
    const current = await currentMapping(
      trx,
      options.partnershipId,
      options.agencyId,
      options.format,
      options.actor?.userId ?? null,
    );
    const version = current.version + 1;
    await trx
      .insertInto("import_mappings")
      .values({
        partnership_id: options.partnershipId,
        agency_id: options.agencyId,
        format: options.format,
        version,
        columns: JSON.stringify(options.mapping),
        reason: options.reason,
        created_by: options.actor?.userId ?? null,
      })
      .execute();
    await appendAudit(trx, {
      partnershipId: options.partnershipId,
      actor: options.actor,
      action: "create",
      recordType: "import-mapping",
      recordId: `${options.agencyId}/${options.format}/${version}`,
      reason: options.reason,
      details: { columns: [current.mapping, options.mapping] },
    });
    return version;
  });

/**
 * Starts an import of a file, or finds the unfinished import of the same file (same agency, format and
 * content) to resume.
 * @param options.keepContent - Store the file in the database (web uploads, processed in the background).
 * @throws FileRefused when the file cannot be read at all.
 */
export const prepareImport = async (
  database: HearthDatabase,
  options: {
    partnershipId: string;
    agencyId: string;
    format: ImportFormat;
    fileName: string;
    content: string;
    actor: AuditActor;
    keepContent?: boolean;
  },
): Promise<{ importId: string; total: number; nextRow: number; resumed: boolean }> =>
  withPartnershipScope(database, options.partnershipId, async (trx) => {
    const hash = sha256(options.content);
    const unfinished = await trx
      .selectFrom("agency_imports")
      .select(["import_id", "total_rows", "next_row"])
      .where("partnership_id", "=", options.partnershipId)
      .where("agency_id", "=", options.agencyId)
      .where("format", "=", options.format)
      .where("file_sha256", "=", hash)
      .where("finished_at", "is", null)
      .orderBy("started_at")
      .executeTakeFirst();
    if (unfinished)
      return {
        importId: unfinished.import_id,
        total: unfinished.total_rows ?? 0,
        nextRow: unfinished.next_row,
        resumed: true,
      };
    const { version, mapping } = await currentMapping(
      trx,
      options.partnershipId,
      options.agencyId,
      options.format,
      options.actor?.userId ?? null,
    );
    const rows = splitRows(options.format, options.content, mapping);
    const importId = crypto.randomUUID();
    await trx
      .insertInto("agency_imports")
      .values({
        partnership_id: options.partnershipId,
        import_id: importId,
        agency_id: options.agencyId,
        format: options.format,
        mapping_version: version,
        file_name: options.fileName.slice(0, 300) || "upload",
        file_sha256: hash,
        content: options.keepContent ? options.content : null,
        total_rows: rows.length,
        started_by: options.actor?.userId ?? null,
      })
      .execute();
    await appendAudit(trx, {
      partnershipId: options.partnershipId,
      actor: options.actor,
      action: "create",
      recordType: "agency-import",
      recordId: importId,
      details: {
        format: options.format,
        file_name: options.fileName,
        rows: rows.length,
        mapping_version: version,
      },
    });
    return { importId, total: rows.length, nextRow: 0, resumed: false };
  });

type PlannedRow = {
  row: SourceRow;
  fate: RowFate;
  reason: string | null;
  key: string;
  personId: string | null;
  fact: Fact | null;
  candidates: Candidate[];
};

/**
 * Processes an import from where it stands to the end, one committed batch at a time.
 * @param options.content - The file (from the CLI); omitted, the content stored with the import is used.
 * @param options.onProgress - Told the rows done and the total after each batch.
 */
export const processImport = async (
  database: HearthDatabase,
  options: {
    partnershipId: string;
    importId: string;
    content?: string;
    actor: AuditActor;
    batchSize?: number;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<ImportSummary> => {
  const batchSize = Math.max(1, options.batchSize ?? 500);
  const setup = await withPartnershipScope(database, options.partnershipId, async (trx) => {
    const imp = await trx
      .selectFrom("agency_imports as i")
      .innerJoin("import_mappings as m", (join) =>
        join
          .onRef("m.partnership_id", "=", "i.partnership_id")
          .onRef("m.agency_id", "=", "i.agency_id")
          .onRef("m.format", "=", "i.format")
          .onRef("m.version", "=", "i.mapping_version"),
      )
      .innerJoin("agencies as a", (join) =>
        join.onRef("a.partnership_id", "=", "i.partnership_id").onRef("a.agency_id", "=", "i.agency_id"),
      )
      .select([
        "i.agency_id",
        "i.format",
        "i.file_name",
        "i.content",
        "i.next_row",
        "i.finished_at",
        "m.columns",
        "a.name as agency_name",
      ])
      .where("i.partnership_id", "=", options.partnershipId)
      .where("i.import_id", "=", options.importId)
      .executeTakeFirst();
    return imp;
  });
  if (!setup) throw new Error(`No import ${options.importId}`);
  const content = options.content ?? setup.content;
  if (content === null) throw new Error("The import's file is not stored: run it again with the file");
  const mapping = setup.columns as ImportMapping;
  const rows = splitRows(setup.format, content, mapping);
  const total = rows.length;
  let position = setup.next_row;
  const actorId = options.actor?.userId ?? null;
  // Name searches are remembered for the run: one child is in many rows, and people do not change meanwhile.
  const nameCache = new Map();
  options.onProgress?.(Math.min(position, total), total);
  while (!setup.finished_at && position < total) {
    position = await withPartnershipScope(database, options.partnershipId, async (trx) => {
      // The import's row is locked for the batch, so two processes resuming the same import take turns
      // and each starts where the other committed.
      const current = await trx
        .selectFrom("agency_imports")
        .select(["next_row", "finished_at"])
        .where("partnership_id", "=", options.partnershipId)
        .where("import_id", "=", options.importId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (current.finished_at) return total;
      const start = current.next_row;
      const batch = rows.slice(start, start + batchSize);
      const planned = await planBatch(trx, {
        agencyId: setup.agency_id,
        format: setup.format,
        importId: options.importId,
        source: `${setup.agency_name}'s file ${setup.file_name}`,
        mapping,
        batch,
        nameCache,
      });
      const events = planned.flatMap((p) =>
        p.fate === "entry-created" && p.fact?.entry && p.personId
          ? [{ planned: p, eventId: crypto.randomUUID(), entry: p.fact.entry, personId: p.personId }]
          : [],
      );
      if (events.length > 0)
        await trx
          .insertInto("chronology_events")
          .values(
            events.map((e) => ({
              partnership_id: options.partnershipId,
              event_id: e.eventId,
              person_id: e.personId,
              occurred_on: e.entry.occurredOn,
              date_precision: "day" as const,
              event_type: e.entry.eventType,
              source_agency_id: setup.agency_id,
              recorded_by: actorId,
              what_happened: `${e.entry.whatHappened.slice(0, 3900)} Row ${e.planned.row.rowNumber}.`,
              impact_on_child: IMPORTED_IMPACT,
              action_taken: null,
              significance: e.entry.significance,
              neglect_types: e.entry.neglectTypes,
              information_basis: e.entry.informationBasis,
              supersedes_event_id: null,
              amendment_reason: null,
              import_id: options.importId,
            })),
          )
          .execute();
      // The signal rules see imported entries as they see ones typed in: each child of the batch's families once.
      await evaluateSignalsForFamiliesOf(trx, {
        partnershipId: options.partnershipId,
        personIds: events.map((e) => e.personId),
        trigger: "entry-recorded",
        firedBy: actorId,
        audit: (entry) =>
          appendAudit(trx, {
            ...entry,
            partnershipId: options.partnershipId,
            actor: options.actor ?? null,
          }),
      });
      const eventByRow = new Map(events.map((e) => [e.planned.row.rowNumber, e.eventId]));
      if (planned.length > 0)
        await trx
          .insertInto("import_rows")
          .values(
            planned.map((p) => ({
              partnership_id: options.partnershipId,
              import_id: options.importId,
              row_number: p.row.rowNumber,
              row_key: p.key,
              fate: p.fate,
              reason: p.reason,
              person_id: p.personId,
              event_id: eventByRow.get(p.row.rowNumber) ?? null,
              fields: JSON.stringify(
                p.fact ? { identity: p.fact.identity, ...p.fact.fields, entry: p.fact.entry } : {},
              ),
            })),
          )
          .execute();
      const candidates = planned.flatMap((p) =>
        p.candidates.map((c) => ({
          partnership_id: options.partnershipId,
          import_id: options.importId,
          row_number: p.row.rowNumber,
          person_id: c.personId,
          score: c.score,
          matched_on: c.matchedOn,
        })),
      );
      if (candidates.length > 0) await trx.insertInto("import_row_candidates").values(candidates).execute();
      const next = start + batch.length;
      const finished = next >= total;
      await trx
        .updateTable("agency_imports")
        .set({ next_row: next, progressed_at: new Date(), ...(finished ? { finished_at: new Date() } : {}) })
        .where("partnership_id", "=", options.partnershipId)
        .where("import_id", "=", options.importId)
        .execute();
      const counts: Partial<Record<RowFate, number>> = {};
      for (const p of planned) counts[p.fate] = (counts[p.fate] ?? 0) + 1;
      await appendAudit(trx, {
        partnershipId: options.partnershipId,
        actor: options.actor,
        action: "import",
        recordType: "agency-import",
        recordId: options.importId,
        details: {
          rows: [batch[0]?.rowNumber ?? null, batch.at(-1)?.rowNumber ?? null],
          fates: counts,
          events: events.map((e) => e.eventId),
          ...(finished ? { finished: true } : {}),
        },
      });
      return next;
    });
    options.onProgress?.(Math.min(position, total), total);
  }
  return importSummary(database, options.partnershipId, options.importId);
};

/** Decides each row's fate for one batch: read, check its key, match its person. */
const planBatch = async (
  trx: Trx,
  options: {
    agencyId: string;
    format: ImportFormat;
    importId: string;
    source: string;
    mapping: ImportMapping;
    batch: SourceRow[];
    nameCache: Parameters<typeof matchPerson>[3];
  },
): Promise<PlannedRow[]> => {
  const today = todayInEngland();
  const read = options.batch.map((row) => ({
    row,
    result: readRow(options.format, row, options.mapping, options.source),
  }));
  const keys = read.flatMap((r) =>
    r.result.ok ? [rowKey(options.agencyId, options.format, r.result.fact.naturalKey)] : [],
  );
  // Where each key was first seen: an earlier import, or an earlier row of this one.
  const taken = new Map(
    (keys.length === 0
      ? []
      : await trx
          .selectFrom("import_rows")
          .select(["row_key", "import_id", "row_number"])
          .where(sql.ref("partnership_id"), "=", sql`hearth_current_partnership()`)
          .where("row_key", "in", keys)
          .where("fate", "in", ["entry-created", "no-entry", "review"])
          .execute()
    ).map((r) => [r.row_key, { importId: r.import_id, rowNumber: r.row_number }]),
  );
  const facts = read.flatMap((r) => (r.result.ok ? [r.result.fact] : []));
  const known = await knownIdentifiers(
    trx,
    [...new Set(facts.flatMap((f) => (f.identity.nhsNumber ? [f.identity.nhsNumber] : [])))],
    [...new Set(facts.flatMap((f) => (f.identity.upn ? [f.identity.upn] : [])))],
  );
  const planned: PlannedRow[] = [];
  for (const { row, result } of read) {
    if (!result.ok) {
      planned.push({
        row,
        fate: "rejected",
        reason: result.reason,
        key: sha256(`${options.importId}|${row.rowNumber}`),
        personId: null,
        fact: null,
        candidates: [],
      });
      continue;
    }
    const fact = result.fact;
    const key = rowKey(options.agencyId, options.format, fact.naturalKey);
    const base = { row, key, fact, personId: null, candidates: [] };
    const first = taken.get(key);
    if (first) {
      planned.push({
        ...base,
        fate: "duplicate",
        reason:
          first.importId === options.importId
            ? `The same as row ${first.rowNumber} of this file`
            : "Imported before from this agency (the same row in an earlier file)",
      });
      continue;
    }
    if (fact.entry && fact.entry.occurredOn > today) {
      planned.push({
        ...base,
        fate: "rejected",
        reason: `The date ${fact.entry.occurredOn} is in the future`,
      });
      continue;
    }
    const match = await matchPerson(trx, fact.identity, known, options.nameCache);
    if (match.kind === "unmatched") {
      planned.push({ ...base, fate: "unmatched", reason: match.reason });
      continue;
    }
    taken.set(key, { importId: options.importId, rowNumber: row.rowNumber });
    if (match.kind === "review") {
      planned.push({ ...base, fate: "review", reason: match.reason, candidates: match.candidates });
      continue;
    }
    planned.push({
      ...base,
      personId: match.personId,
      fate: fact.entry ? "entry-created" : "no-entry",
      reason: fact.entry
        ? `Matched by ${match.matchedOn}`
        : `Matched by ${match.matchedOn}. ${fact.noEntryReason ?? ""}`.trim(),
    });
  }
  return planned;
};

/** An import's progress and the count of rows by fate. */
export const importSummary = async (
  database: HearthDatabase,
  partnershipId: string,
  importId: string,
): Promise<ImportSummary> =>
  withPartnershipScope(database, partnershipId, async (trx) => {
    const imp = await trx
      .selectFrom("agency_imports")
      .select(["agency_id", "format", "file_name", "total_rows", "next_row", "finished_at"])
      .where("partnership_id", "=", partnershipId)
      .where("import_id", "=", importId)
      .executeTakeFirstOrThrow();
    const rows = await trx
      .selectFrom("import_rows")
      .select(["fate", sql<number>`count(*)::int`.as("n")])
      .where("partnership_id", "=", partnershipId)
      .where("import_id", "=", importId)
      .groupBy("fate")
      .execute();
    const counts = Object.fromEntries(ROW_FATE_CODES.map((f) => [f, 0])) as FateCounts;
    for (const r of rows) counts[r.fate] = Number(r.n);
    return {
      importId,
      fileName: imp.file_name,
      format: imp.format,
      agencyId: imp.agency_id,
      total: imp.total_rows ?? 0,
      done: imp.next_row,
      finished: imp.finished_at !== null,
      counts,
    };
  });

/** The rejects file: every row not imported (unreadable, nobody matches, duplicate), by row number, with the reason. */
export const rejectsCsv = async (
  database: HearthDatabase,
  partnershipId: string,
  importId: string,
): Promise<string> =>
  withPartnershipScope(database, partnershipId, async (trx) => {
    const rows = await trx
      .selectFrom("import_rows")
      .select(["row_number", "fate", "reason"])
      .where("partnership_id", "=", partnershipId)
      .where("import_id", "=", importId)
      .where("fate", "in", ["rejected", "unmatched", "duplicate"])
      .orderBy("row_number")
      .execute();
    return stringify([["row", "fate", "reason"], ...rows.map((r) => [r.row_number, r.fate, r.reason ?? ""])]);
  });
