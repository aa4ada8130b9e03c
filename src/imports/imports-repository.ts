// SPDX-License-Identifier: MIT
/**
 * Agency imports as the web app reaches them (`request.repo.imports`). Who may do what:
 * - running an import, and seeing an agency's imports and its review list: the staff of that agency (any
 *   role that records, and its administrators), and safeguarding leads, who oversee every agency's;
 * - on the review list, a candidate child's details (name, date of birth, identifiers) are shown only
 *   where the caller may open that child's record (the child-access predicate, in SQL); otherwise the row
 *   says a possible match exists that they cannot see, and confirming it is refused (and audited);
 * - a confirmed match becomes a chronology entry from the importing agency, recorded by the reviewer.
 * Every view of the review list and every decision is audited; refusals are audited as denials.
 */

import { sql } from "kysely";
import { childVisibleTo, mayOpenChildRecords } from "../data/child-access.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
  type Trx,
} from "../data/repository-scope.ts";
import type { HearthDatabase } from "../db/database.ts";
import { evaluateSignalsForFamilyOf } from "../signals/store.ts";
import { importVisibleTo, mayRunImports } from "./access.ts";
import type { ImportFormat } from "./codes.ts";
import {
  FileRefused,
  IMPORTED_IMPACT,
  type ImportSummary,
  importSummary,
  prepareImport,
  processImport,
  rejectsCsv,
} from "./engine.ts";
import type { EntryDraft, Identity, ImportMapping } from "./formats.ts";

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

export type ReviewCandidate =
  | {
      visible: true;
      person_id: string;
      name: string;
      date_of_birth: string | null;
      nhs_number: string | null;
      upn: string | null;
      matched_on: string;
      score: number;
    }
  | { visible: false; matched_on: string };

export type ReviewRow = {
  row_number: number;
  reason: string | null;
  identity: Identity;
  fields: Record<string, unknown>;
  candidates: ReviewCandidate[];
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

export class ImportsRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<Exclude<keyof ImportsRepository, never>, MethodAccess> = {
    canRunImports: "guarded",
    listImports: "guarded",
    listMappings: "guarded",
    startImport: "guarded",
    continueImport: "guarded",
    importStatus: "guarded",
    rejects: "guarded",
    reviewList: "guarded",
    decide: "guarded",
  };

  readonly #database: HearthDatabase;
  readonly #scope: RepositoryScope;

  /**
   * @param database - The open database (imports run in batches of their own transactions).
   * @param scope - The request's caller, transaction and audit writer.
   */
  constructor(database: HearthDatabase, scope: RepositoryScope) {
    this.#database = database;
    this.#scope = scope;
  }

  /** Whether the caller may run imports for their agency (and so see the imports page at all). */
  canRunImports(): boolean {
    const ctx = this.#scope.context;
    return !!ctx && mayRunImports(ctx.role);
  }

  /** The SQL condition "the caller may see this import": their own agency's, or any for a safeguarding lead. */
  #importVisible(agencyRef: ReturnType<typeof sql.ref>) {
    return importVisibleTo(this.#scope.context, agencyRef);
  }

  /** The imports the caller may see, newest first, with the rows still waiting for review. */
  async listImports(): Promise<{ agencyName: string; imports: ImportListItem[] } | undefined> {
    const ctx = this.#scope.context;
    if (!ctx || !mayRunImports(ctx.role)) return undefined;
    return this.#scope.run(async (trx) => {
      const agency = await this.#scope.callerAgency(trx);
      const imports = await trx
        .selectFrom("agency_imports as i")
        .innerJoin("agencies as a", (join) =>
          join.onRef("a.partnership_id", "=", "i.partnership_id").onRef("a.agency_id", "=", "i.agency_id"),
        )
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
        .where(sql.ref("i.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where(this.#importVisible(sql.ref("i.agency_id")))
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
    const ctx = this.#scope.context;
    if (!ctx || !mayRunImports(ctx.role)) return undefined;
    return this.#scope.run(async (trx) => {
      const rows = await trx
        .selectFrom("import_mappings as m")
        .innerJoin("agencies as a", (join) =>
          join.onRef("a.partnership_id", "=", "m.partnership_id").onRef("a.agency_id", "=", "m.agency_id"),
        )
        .leftJoin("users as u", (join) =>
          join.onRef("u.partnership_id", "=", "m.partnership_id").onRef("u.user_id", "=", "m.created_by"),
        )
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
        .where(sql.ref("m.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where(this.#importVisible(sql.ref("m.agency_id")))
        .orderBy("a.name")
        .orderBy("m.agency_id")
        .orderBy("m.format")
        .orderBy("m.version", "desc")
        .execute();
      const agencies: AgencyMappings[] = [];
      const own = await this.#scope.callerAgency(trx);
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

  /** Whether the caller may see this import; a refusal is audited as a denial. */
  async #visibleImport(
    trx: Trx,
    importId: string,
  ): Promise<{ agency_id: string; agency_name: string } | undefined> {
    const row = await trx
      .selectFrom("agency_imports as i")
      .innerJoin("agencies as a", (join) =>
        join.onRef("a.partnership_id", "=", "i.partnership_id").onRef("a.agency_id", "=", "i.agency_id"),
      )
      .select([
        "i.agency_id",
        "a.name as agency_name",
        this.#importVisible(sql.ref("i.agency_id")).as("visible"),
      ])
      .where(sql.ref("i.partnership_id"), "=", sql`hearth_current_partnership()`)
      .where("i.import_id", "=", importId)
      .executeTakeFirst();
    if (!row?.visible) return undefined;
    return row;
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
    const ctx = this.#scope.context;
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
    const ctx = this.#scope.context;
    if (!ctx) return undefined;
    const visible = await this.#scope.run((trx) => this.#visibleImport(trx, importId));
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
    const ctx = this.#scope.context;
    if (!ctx) return undefined;
    const visible = await this.#scope.run(async (trx) => {
      const found = await this.#visibleImport(trx, importId);
      if (!found) return undefined;
      const progress = await trx
        .selectFrom("agency_imports")
        .select(sql<boolean>`progressed_at < now() - interval '2 minutes'`.as("stalled"))
        .where(sql.ref("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("import_id", "=", importId)
        .executeTakeFirstOrThrow();
      const waiting = await trx
        .selectFrom("import_rows as r")
        .select(sql<number>`count(*)::int`.as("n"))
        .where(sql.ref("r.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("r.import_id", "=", importId)
        .where("r.fate", "=", "review")
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("import_reviews as d")
                .select("d.row_number")
                .whereRef("d.partnership_id", "=", "r.partnership_id")
                .whereRef("d.import_id", "=", "r.import_id")
                .whereRef("d.row_number", "=", "r.row_number"),
            ),
          ),
        )
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
    const ctx = this.#scope.context;
    if (!ctx) return undefined;
    const visible = await this.#scope.run((trx) => this.#visibleImport(trx, importId));
    if (!visible) return undefined;
    return rejectsCsv(this.#database, ctx.partnershipId, importId);
  }

  /**
   * The rows of an import waiting for a person to confirm the match, with the candidates. A candidate's
   * details are read only where the caller may open the child's record (evaluated in SQL); the rest are
   * counted, never described. The view is audited with the people whose details were shown.
   */
  async reviewList(importId: string): Promise<{ agencyName: string; rows: ReviewRow[] } | undefined> {
    const ctx = this.#scope.context;
    if (!ctx) return undefined;
    return this.#scope.run(async (trx) => {
      const visible = await this.#visibleImport(trx, importId);
      if (!visible) return undefined;
      const rows = await trx
        .selectFrom("import_rows as r")
        .select(["r.row_number", "r.reason", "r.fields"])
        .where(sql.ref("r.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("r.import_id", "=", importId)
        .where("r.fate", "=", "review")
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("import_reviews as d")
                .select("d.row_number")
                .whereRef("d.partnership_id", "=", "r.partnership_id")
                .whereRef("d.import_id", "=", "r.import_id")
                .whereRef("d.row_number", "=", "r.row_number"),
            ),
          ),
        )
        .orderBy("r.row_number")
        .limit(200)
        .execute();
      const numbers = rows.map((r) => r.row_number);
      const candidates =
        numbers.length === 0
          ? []
          : await trx
              .selectFrom("import_row_candidates as c")
              .innerJoin("people as p", (join) =>
                join
                  .onRef("p.partnership_id", "=", "c.partnership_id")
                  .onRef("p.person_id", "=", "c.person_id"),
              )
              .select([
                "c.row_number",
                "c.matched_on",
                "c.score",
                childVisibleTo(ctx, sql.ref("p.person_id")).as("visible"),
                // Details leave the database only for a child the caller may open.
                sql<
                  string | null
                >`case when ${childVisibleTo(ctx, sql.ref("p.person_id"))} then p.person_id::text end`.as(
                  "person_id",
                ),
                sql<
                  string | null
                >`case when ${childVisibleTo(ctx, sql.ref("p.person_id"))} then p.given_names || ' ' || p.family_name end`.as(
                  "name",
                ),
                sql<
                  string | null
                >`case when ${childVisibleTo(ctx, sql.ref("p.person_id"))} then p.date_of_birth::text end`.as(
                  "date_of_birth",
                ),
                sql<
                  string | null
                >`case when ${childVisibleTo(ctx, sql.ref("p.person_id"))} then p.nhs_number end`.as(
                  "nhs_number",
                ),
                sql<
                  string | null
                >`case when ${childVisibleTo(ctx, sql.ref("p.person_id"))} then p.upn end`.as("upn"),
              ])
              .where(sql.ref("c.partnership_id"), "=", sql`hearth_current_partnership()`)
              .where("c.import_id", "=", importId)
              .where("c.row_number", "in", numbers)
              .orderBy("c.row_number")
              .orderBy("c.score", "desc")
              .execute();
      const shown: string[] = [];
      const result: ReviewRow[] = rows.map((r) => {
        const fields = r.fields as Record<string, unknown> & { identity?: Identity };
        const { identity, entry: _entry, ...rest } = fields;
        return {
          row_number: r.row_number,
          reason: r.reason,
          identity: identity ?? {
            nhsNumber: null,
            upn: null,
            givenNames: "",
            familyName: "",
            dateOfBirth: null,
          },
          fields: rest,
          candidates: candidates
            .filter((c) => c.row_number === r.row_number)
            .map((c): ReviewCandidate => {
              if (!c.visible || !c.person_id) return { visible: false, matched_on: c.matched_on };
              shown.push(c.person_id);
              return {
                visible: true,
                person_id: c.person_id,
                name: c.name ?? "",
                date_of_birth: c.date_of_birth,
                nhs_number: c.nhs_number,
                upn: c.upn,
                matched_on: c.matched_on,
                score: Number(c.score),
              };
            }),
        };
      });
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "agency-import",
        recordId: importId,
        details: { page: "review", rows: numbers.length, people_shown: [...new Set(shown)] },
      });
      return { agencyName: visible.agency_name, rows: result };
    });
  }

  /**
   * Records a person's decision on a weak match: confirm one candidate (a chronology entry from the
   * importing agency follows, recorded by the caller) or reject the match with a reason.
   */
  async decide(
    importId: string,
    rowNumber: number,
    decision: { confirm: string } | { reject: string },
  ): Promise<ChangeResult<{ eventId: string | null }>> {
    const ctx = this.#scope.context;
    if (!ctx || !mayRunImports(ctx.role)) return deniedAccess("Your role cannot review imports");
    return this.#scope.run(async (trx) => {
      const visible = await this.#visibleImport(trx, importId);
      if (!visible) {
        await this.#scope.recordDenial(trx, {
          recordType: "agency-import",
          recordId: importId,
          details: { attempted: "review decision", row: rowNumber },
        });
        return deniedAccess("You cannot review this import");
      }
      const row = await trx
        .selectFrom("import_rows as r")
        .select(["r.fate", "r.row_key", "r.fields"])
        .where(sql.ref("r.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("r.import_id", "=", importId)
        .where("r.row_number", "=", rowNumber)
        .executeTakeFirst();
      if (row?.fate !== "review") return refused("This row is not waiting for review", "row");
      const already = await trx
        .selectFrom("import_reviews")
        .select("decision")
        .where(sql.ref("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("import_id", "=", importId)
        .where("row_number", "=", rowNumber)
        .executeTakeFirst();
      if (already) return refused("Someone has already decided this match", "row");
      if ("reject" in decision) {
        const reason = decision.reject.trim();
        if (reason === "") return refused("Enter why this is not a match", "reason");
        if (reason.length > 2000) return refused("The reason must be 2000 characters or fewer", "reason");
        await trx
          .insertInto("import_reviews")
          .values({
            partnership_id: ctx.partnershipId,
            import_id: importId,
            row_number: rowNumber,
            decision: "rejected",
            person_id: null,
            event_id: null,
            reason,
            decided_by: ctx.userId,
          })
          .execute();
        await this.#scope.audit(trx, {
          action: "review",
          recordType: "agency-import",
          recordId: importId,
          reason,
          details: { row: rowNumber, decision: "rejected" },
        });
        return done({ eventId: null });
      }
      const personId = decision.confirm;
      const candidate = await trx
        .selectFrom("import_row_candidates as c")
        .select(["c.person_id", childVisibleTo(ctx, sql.ref("c.person_id")).as("visible")])
        .where(sql.ref("c.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("c.import_id", "=", importId)
        .where("c.row_number", "=", rowNumber)
        .where("c.person_id", "=", personId)
        .executeTakeFirst();
      if (!candidate) return refused("Choose one of the people offered", "person");
      if (!candidate.visible || !mayOpenChildRecords(ctx.role)) {
        await this.#scope.recordDenial(trx, {
          recordType: "person",
          recordId: personId,
          details: { attempted: "confirm import match", import_id: importId, row: rowNumber },
        });
        return deniedAccess(
          "You cannot open this child's record, so you cannot confirm the match: ask your safeguarding lead",
        );
      }
      // The entry the row makes, as read at import (kept with the row's fields).
      const planned = { entry: (row.fields as { entry?: EntryDraft | null }).entry ?? null };
      const eventId = crypto.randomUUID();
      if (planned.entry) {
        await trx
          .insertInto("chronology_events")
          .values({
            partnership_id: ctx.partnershipId,
            event_id: eventId,
            person_id: personId,
            occurred_on: planned.entry.occurredOn,
            date_precision: "day",
            event_type: planned.entry.eventType,
            source_agency_id: visible.agency_id,
            recorded_by: ctx.userId,
            what_happened: `${planned.entry.whatHappened.slice(0, 3800)} Row ${rowNumber}; match confirmed by a reviewer.`,
            impact_on_child: IMPORTED_IMPACT,
            action_taken: null,
            significance: planned.entry.significance,
            neglect_types: planned.entry.neglectTypes,
            information_basis: planned.entry.informationBasis,
            supersedes_event_id: null,
            amendment_reason: null,
            import_id: importId,
          })
          .execute();
        await this.#scope.audit(trx, {
          action: "create",
          recordType: "chronology-event",
          recordId: eventId,
          details: { person_id: [null, personId], import_id: importId, row: rowNumber },
        });
        // The signal rules see an imported entry as they see one typed in.
        await evaluateSignalsForFamilyOf(trx, {
          partnershipId: ctx.partnershipId,
          personId,
          trigger: "entry-recorded",
          firedBy: ctx.userId,
          audit: (entry) => this.#scope.audit(trx, entry),
        });
      }
      await trx
        .insertInto("import_reviews")
        .values({
          partnership_id: ctx.partnershipId,
          import_id: importId,
          row_number: rowNumber,
          decision: "confirmed",
          person_id: personId,
          event_id: planned.entry ? eventId : null,
          reason: null,
          decided_by: ctx.userId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "review",
        recordType: "agency-import",
        recordId: importId,
        details: { row: rowNumber, decision: "confirmed", person_id: personId },
      });
      return done({ eventId: planned.entry ? eventId : null });
    });
  }
}
