// SPDX-License-Identifier: MIT
/**
 * The review list of an import (part of `request.repo.imports`): rows whose match is weak wait for a person
 * to confirm one candidate or reject the match. A candidate's details are shown only where the caller may
 * open that child's record (the child-access predicate, in SQL); otherwise the row says a possible match
 * exists that they cannot see, and confirming it is refused (and audited). A confirmed match becomes a
 * chronology entry from the importing agency, recorded by the reviewer. Every view and decision is audited.
 */
import { sql } from "kysely";
import { AreaRepository } from "../data/area-repository.ts";
import { childVisibleTo, mayOpenChildRecords } from "../data/child-access.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  refused,
} from "../data/repository-scope.ts";
import { currentPartnership, onKey } from "../kernel/sql.ts";
import { evaluateSignalsForFamilyOf } from "../signals/store.ts";
import { mayRunImports } from "./access.ts";
import { IMPORTED_IMPACT } from "./engine.ts";
import type { EntryDraft, Identity } from "./formats.ts";
import { rowsWaitingReview, visibleImport } from "./visible-import.ts";

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

export class ImportReviewsRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof ImportReviewsRepository, MethodAccess> = {
    reviewList: "guarded",
    decide: "guarded",
  };

  /**
   * The rows of an import waiting for a person to confirm the match, with the candidates. A candidate's
   * details are read only where the caller may open the child's record (evaluated in SQL); the rest are
   * counted, never described. The view is audited with the people whose details were shown.
   */
  async reviewList(importId: string): Promise<{ agencyName: string; rows: ReviewRow[] } | undefined> {
    const ctx = this.scope.context;
    if (!ctx) return undefined;
    return this.scope.run(async (trx) => {
      const visible = await visibleImport(trx, this.ctx, importId);
      if (!visible) return undefined;
      const rows = await rowsWaitingReview(trx, importId)
        .select(["r.row_number", "r.reason", "r.fields"])
        .orderBy("r.row_number")
        .limit(200)
        .execute();
      const numbers = rows.map((r) => r.row_number);
      const candidates =
        numbers.length === 0
          ? []
          : await trx
              .selectFrom("import_row_candidates as c")
              .innerJoin("people as p", (join) => onKey(join, "p.person_id", "c.person_id"))
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
              .where(sql.ref("c.partnership_id"), "=", currentPartnership)
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
      await this.scope.audit(trx, {
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
    const ctx = this.scope.context;
    if (!ctx || !mayRunImports(ctx.role)) return deniedAccess("Your role cannot review imports");
    return this.scope.run(async (trx) => {
      const visible = await visibleImport(trx, this.ctx, importId);
      if (!visible) {
        await this.scope.recordDenial(trx, {
          recordType: "agency-import",
          recordId: importId,
          details: { attempted: "review decision", row: rowNumber },
        });
        return deniedAccess("You cannot review this import");
      }
      const row = await trx
        .selectFrom("import_rows as r")
        .select(["r.fate", "r.row_key", "r.fields"])
        .where(sql.ref("r.partnership_id"), "=", currentPartnership)
        .where("r.import_id", "=", importId)
        .where("r.row_number", "=", rowNumber)
        .executeTakeFirst();
      if (row?.fate !== "review") return refused("This row is not waiting for review", "row");
      const already = await trx
        .selectFrom("import_reviews")
        .select("decision")
        .where(sql.ref("partnership_id"), "=", currentPartnership)
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
        await this.scope.audit(trx, {
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
        .where(sql.ref("c.partnership_id"), "=", currentPartnership)
        .where("c.import_id", "=", importId)
        .where("c.row_number", "=", rowNumber)
        .where("c.person_id", "=", personId)
        .executeTakeFirst();
      if (!candidate) return refused("Choose one of the people offered", "person");
      if (!candidate.visible || !mayOpenChildRecords(ctx.role)) {
        await this.scope.recordDenial(trx, {
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
        await this.scope.audit(trx, {
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
          audit: (entry) => this.scope.audit(trx, entry),
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
      await this.scope.audit(trx, {
        action: "review",
        recordType: "agency-import",
        recordId: importId,
        details: { row: rowNumber, decision: "confirmed", person_id: personId },
      });
      return done({ eventId: planned.entry ? eventId : null });
    });
  }
}
