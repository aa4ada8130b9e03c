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
import { type HearthDatabase, withPartnershipScope } from "../db/database.ts";
import { onKey } from "../kernel/sql.ts";
import { evaluateSignalsForFamiliesOf } from "../signals/store.ts";
import { type ImportFormat, ROW_FATE_CODES, type RowFate } from "./codes.ts";
import { FileRefused, type ImportMapping, sha256, splitRows } from "./formats.ts";
import { currentMapping } from "./mappings.ts";
import type { NameMatches } from "./matching.ts";
import { planBatch } from "./plan-batch.ts";

// The mappings' functions are reached through the engine too (the CLI and the tests import them from here).
export { currentMapping, saveMapping } from "./mappings.ts";
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

/**
 * Refreshes the planner's statistics on the tables an import grows, as the owner (only a table's owner may
 * analyze it). Outside any batch: a batch's transaction runs as the application role.
 */
const unsafeRefreshImportStatistics = (database: HearthDatabase) =>
  sql`analyze import_rows, import_row_candidates, chronology_events`.execute(database.unsafeOwnerDb);

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
        onKey(join, "m.agency_id", "i.agency_id")
          .onRef("m.format", "=", "i.format")
          .onRef("m.version", "=", "i.mapping_version"),
      )
      .innerJoin("agencies as a", (join) => onKey(join, "a.agency_id", "i.agency_id"))
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
  const nameCache: NameMatches = new Map();
  options.onProgress?.(Math.min(position, total), total);
  // Each batch's review candidates are checked against their rows (a foreign key). With no statistics on
  // import_rows (PGlite has no autovacuum to gather them) the planner ranked the index on (import, fate)
  // level with the primary key and, taking it, filtered every row of the import for each check: each
  // batch took longer than the last, and at 200,000 rows of a 1,000,000-row file the import stalled.
  // Statistics refreshed each time this run's rows double keep the checks on the key.
  let refreshStatisticsAt = position + batchSize;
  while (!setup.finished_at && position < total) {
    if (position >= refreshStatisticsAt) {
      await unsafeRefreshImportStatistics(database);
      refreshStatisticsAt = position * 2;
    }
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
      // One array parameter a column (unnest), not a parameter a field: the batch's rows in one statement.
      if (planned.length > 0)
        await sql`insert into import_rows (partnership_id, import_id, row_number, row_key, fate, reason,
            person_id, event_id, fields)
          select ${options.partnershipId}::uuid, ${options.importId}::uuid, t.row_number, t.row_key, t.fate,
            t.reason, t.person_id, t.event_id, t.fields::jsonb
          from unnest(${planned.map((p) => p.row.rowNumber)}::int[], ${planned.map((p) => p.key)}::text[],
            ${planned.map((p) => p.fate)}::text[], ${planned.map((p) => p.reason)}::text[],
            ${planned.map((p) => p.personId)}::uuid[],
            ${planned.map((p) => eventByRow.get(p.row.rowNumber) ?? null)}::uuid[],
            ${planned.map((p) =>
              JSON.stringify(
                p.fact ? { identity: p.fact.identity, ...p.fact.fields, entry: p.fact.entry } : {},
              ),
            )}::text[]) as t(row_number, row_key, fate, reason, person_id, event_id, fields)`.execute(trx);
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
