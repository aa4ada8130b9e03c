// SPDX-License-Identifier: MIT
/**
 * Running agency imports and following them (part of `request.repo.imports`): the imports and saved
 * mappings a caller may see, starting an upload's import and processing it in the background, its progress
 * and its rejects file. Running one is for the staff of the caller's own agency in a role that records;
 * seeing one is for its agency's staff and for safeguarding leads (./access.ts). Refusals to see an import
 * are audited as denials where the facade's contract says so.
 */
import { sql } from "kysely";
import { AreaRepository } from "../data/area-repository.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
} from "../data/repository-scope.ts";
import type { HearthDatabase } from "../db/database.ts";
import { currentPartnership, onKey } from "../kernel/sql.ts";
import { importVisibleTo, mayRunImports } from "./access.ts";
import type { ImportFormat } from "./codes.ts";
import {
  FileRefused,
  type ImportSummary,
  importSummary,
  prepareImport,
  processImport,
  rejectsCsv,
} from "./engine.ts";
import type { ImportMapping } from "./formats.ts";
import { rowsWaitingReview, visibleImport } from "./visible-import.ts";

/** Files larger than this are refused at upload (the CLI takes any size). */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

export type ImportListItem = {
  import_id: string;
  agency_name: string;
  format: ImportFormat;
  file_name: string;
  total_rows: number | null;
  next_row: number;
  started_at: Date;
  finished_at: Date | null;
  waiting_review: number;
};

/** One saved version of an agency's mapping for a format, with the imports that used it. */
export type MappingVersion = {
  version: number;
  mapping: ImportMapping;
  reason: string;
  created_at: Date;
  created_by_name: string | null;
  imports: number;
};

/** An agency's mappings: each format's versions, newest first; formats never imported are absent. */
export type AgencyMappings = {
  agency_id: string;
  agency_name: string;
  formats: { format: ImportFormat; versions: MappingVersion[] }[];
};

export class ImportRunsRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof ImportRunsRepository, MethodAccess> = {
    canRunImports: "guarded",
    listImports: "guarded",
    listMappings: "guarded",
    startImport: "guarded",
    continueImport: "guarded",
    importStatus: "guarded",
    rejects: "guarded",
  };

  readonly #database: HearthDatabase;

  /**
   * @param database - The open database (imports run in batches of their own transactions).
   * @param scope - The request's caller, transaction and audit writer.
   */
  constructor(database: HearthDatabase, scope: RepositoryScope) {
    super(scope);
    this.#database = database;
  }

  /** Whether the caller may run imports for their agency (and so see the imports page at all). */
  canRunImports(): boolean {
    const ctx = this.scope.context;
    return !!ctx && mayRunImports(ctx.role);
  }

  /** The imports the caller may see, newest first, with the rows still waiting for review. */
  async listImports(): Promise<{ agencyName: string; imports: ImportListItem[] } | undefined> {
    const ctx = this.scope.context;
    if (!ctx || !mayRunImports(ctx.role)) return undefined;
    return this.scope.run(async (trx) => {
      const agency = await this.scope.callerAgency(trx);
      const imports = await trx
        .selectFrom("agency_imports as i")
        .innerJoin("agencies as a", (join) => onKey(join, "a.agency_id", "i.agency_id"))
        .select([
          "i.import_id",
          "a.name as agency_name",
          "i.format",
          "i.file_name",
          "i.total_rows",
          "i.next_row",
          "i.started_at",
          "i.finished_at",
          sql<number>`(select count(*)::int from import_rows r
            where r.partnership_id = i.partnership_id and r.import_id = i.import_id and r.fate = 'review'
              and not exists (select 1 from import_reviews d where d.partnership_id = r.partnership_id
                and d.import_id = r.import_id and d.row_number = r.row_number))`.as("waiting_review"),
        ])
        .where(sql.ref("i.partnership_id"), "=", currentPartnership)
        .where(importVisibleTo(this.ctx, sql.ref("i.agency_id")))
        .orderBy("i.started_at", "desc")
        .limit(100)
        .execute();
      return { agencyName: agency?.agencyName ?? "", imports };
    });
  }

  /**
   * The saved mappings the caller may see (their own agency's, every agency's for a safeguarding lead),
   * each format's versions newest first, with who saved each, why, and how many imports used it. The
   * caller's own agency is always listed, even before its first import.
   */
  async listMappings(): Promise<{ ownAgencyId: string; agencies: AgencyMappings[] } | undefined> {
    const ctx = this.scope.context;
    if (!ctx || !mayRunImports(ctx.role)) return undefined;
    return this.scope.run(async (trx) => {
      const rows = await trx
        .selectFrom("import_mappings as m")
        .innerJoin("agencies as a", (join) => onKey(join, "a.agency_id", "m.agency_id"))
        .leftJoin("users as u", (join) => onKey(join, "u.user_id", "m.created_by"))
        .select([
          "m.agency_id",
          "a.name as agency_name",
          "m.format",
          "m.version",
          "m.columns",
          "m.reason",
          "m.created_at",
          "u.display_name as created_by_name",
          sql<number>`(select count(*)::int from agency_imports i
            where i.partnership_id = m.partnership_id and i.agency_id = m.agency_id and i.format = m.format
              and i.mapping_version = m.version)`.as("imports"),
        ])
        .where(sql.ref("m.partnership_id"), "=", currentPartnership)
        .where(importVisibleTo(this.ctx, sql.ref("m.agency_id")))
        .orderBy("a.name")
        .orderBy("m.agency_id")
        .orderBy("m.format")
        .orderBy("m.version", "desc")
        .execute();
      const agencies: AgencyMappings[] = [];
      const own = await this.scope.callerAgency(trx);
      if (own) agencies.push({ agency_id: own.agencyId, agency_name: own.agencyName, formats: [] });
      for (const row of rows) {
        let agency = agencies.find((a) => a.agency_id === row.agency_id);
        if (!agency) {
          agency = { agency_id: row.agency_id, agency_name: row.agency_name, formats: [] };
          agencies.push(agency);
        }
        let format = agency.formats.find((f) => f.format === row.format);
        if (!format) {
          format = { format: row.format as ImportFormat, versions: [] };
          agency.formats.push(format);
        }
        format.versions.push({
          version: row.version,
          mapping: row.columns as ImportMapping,
          reason: row.reason,
          created_at: row.created_at,
          created_by_name: row.created_by_name,
          imports: row.imports,
        });
      }
      return { ownAgencyId: ctx.agencyId, agencies };
    });
  }

  /**
   * Starts (or resumes) an import of a file uploaded by the caller, for the caller's own agency. The file is
   * kept with the import and processed after the response (see {@link continueImport}).
   */
  async startImport(
    format: ImportFormat,
    fileName: string,
    content: string,
  ): Promise<ChangeResult<{ importId: string; resumed: boolean }>> {
    const ctx = this.scope.context;
    if (!ctx || !mayRunImports(ctx.role)) return deniedAccess("Your role cannot run imports");
    try {
      const prepared = await prepareImport(this.#database, {
        partnershipId: ctx.partnershipId,
        agencyId: ctx.agencyId,
        format,
        fileName,
        content,
        actor: { userId: ctx.userId, role: ctx.role, agencyId: ctx.agencyId },
        keepContent: true,
      });
      return done({ importId: prepared.importId, resumed: prepared.resumed });
    } catch (error) {
      if (error instanceof FileRefused) return refused(error.message, "file");
      throw error;
    }
  }

  /** Processes an import the caller may see from where it stands (a web upload's stored file) to the end. */
  async continueImport(importId: string): Promise<ImportSummary | undefined> {
    const ctx = this.scope.context;
    if (!ctx) return undefined;
    const visible = await this.scope.run((trx) => visibleImport(trx, this.ctx, importId));
    if (!visible) return undefined;
    return processImport(this.#database, {
      partnershipId: ctx.partnershipId,
      importId,
      actor: { userId: ctx.userId, role: ctx.role, agencyId: ctx.agencyId },
    });
  }

  /** An import's progress and its rows by fate, if the caller may see it; refusals are audited. */
  async importStatus(
    importId: string,
  ): Promise<(ImportSummary & { agencyName: string; stalled: boolean; waitingReview: number }) | undefined> {
    const ctx = this.scope.context;
    if (!ctx) return undefined;
    const visible = await this.scope.run(async (trx) => {
      const found = await visibleImport(trx, this.ctx, importId);
      if (!found) return undefined;
      const progress = await trx
        .selectFrom("agency_imports")
        .select(sql<boolean>`progressed_at < now() - interval '2 minutes'`.as("stalled"))
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where("import_id", "=", importId)
        .executeTakeFirstOrThrow();
      const waiting = await rowsWaitingReview(trx, importId)
        .select(sql<number>`count(*)::int`.as("n"))
        .executeTakeFirstOrThrow();
      return { ...found, stalled: progress.stalled, waitingReview: Number(waiting.n) };
    });
    if (!visible) return undefined;
    const summary = await importSummary(this.#database, ctx.partnershipId, importId);
    return {
      ...summary,
      agencyName: visible.agency_name,
      stalled: visible.stalled && !summary.finished,
      waitingReview: visible.waitingReview,
    };
  }

  /** The rejects file (CSV: row, fate, reason) of an import the caller may see. */
  async rejects(importId: string): Promise<string | undefined> {
    const ctx = this.scope.context;
    if (!ctx) return undefined;
    const visible = await this.scope.run((trx) => visibleImport(trx, this.ctx, importId));
    if (!visible) return undefined;
    return rejectsCsv(this.#database, ctx.partnershipId, importId);
  }
}
