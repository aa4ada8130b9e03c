// SPDX-License-Identifier: MIT
/**
 * Returns and moderation. Each auditor returns the form for each sampled child, while the round grants
 * them the child's record; a new return is a new version and the earlier one is kept. The lead moderates:
 * an agreed grade and learning points for each child, again a new version each time. Every view and
 * change is audited in the same transaction.
 */
import { sql } from "kysely";
import { AreaRepository } from "../../data/area-repository.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  refused,
  type Trx,
} from "../../data/repository-scope.ts";
import { currentPartnership, onKey } from "../../kernel/sql.ts";
import type { AuditGrade } from "../codes.ts";
import type { AuditFormContent } from "./audit-form.ts";
import { isGrade, isSampled, mayLeadAudits, roundPart } from "./audit-records.ts";

export type ReturnInput = {
  answers: Record<string, { grade: AuditGrade; evidence: string }>;
  overallGrade: AuditGrade;
  summary: string;
};

/** Auditors' returns for each child, and the lead's moderation. */
export class AuditReturnsRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof AuditReturnsRepository, MethodAccess> = {
    returnForm: "guarded",
    submitReturn: "guarded",
    moderate: "guarded",
  };

  /**
   * The form for one sampled child, for the round's auditor of the caller's agency, while the round
   * grants them the child's record. Audited as a view of the child's record.
   */
  returnForm(roundId: string, personId: string) {
    const ctx = this.ctx;
    return this.scope.run(async (trx) => {
      const allowed = await this.#mayReturn(trx, roundId, personId);
      if (!ctx || !allowed.ok) {
        await this.scope.recordDenial(trx, {
          recordType: "person",
          recordId: personId,
          details: { reason: "audit-return", round_id: roundId },
        });
        return undefined;
      }
      const child = await trx
        .selectFrom("people")
        .select(["person_id", "given_names", "family_name", "date_of_birth"])
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where("person_id", "=", personId)
        .executeTakeFirstOrThrow();
      const latest = await trx
        .selectFrom("audit_returns")
        .select(["return_id", "version", "overall_grade", "summary"])
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where("round_id", "=", roundId)
        .where("person_id", "=", personId)
        .where("agency_id", "=", ctx.agencyId)
        .orderBy("version", "desc")
        .executeTakeFirst();
      const answers = latest
        ? await trx
            .selectFrom("audit_return_answers")
            .select(["question_id", "grade", "evidence"])
            .where(sql.ref("partnership_id"), "=", currentPartnership)
            .where("return_id", "=", latest.return_id)
            .execute()
        : [];
      await this.scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { via: "audit-round", round_id: roundId },
      });
      return { form: allowed.form, title: allowed.title, child, latest, answers };
    });
  }

  /** Whether the caller is the round's auditor for their agency and the round grants the child today. */
  async #mayReturn(
    trx: Trx,
    roundId: string,
    personId: string,
  ): Promise<{ ok: true; form: AuditFormContent; title: string } | { ok: false }> {
    const ctx = this.ctx;
    if (ctx?.role !== "auditor") return { ok: false };
    if ((await roundPart(trx, this.ctx, roundId)) !== "auditor") return { ok: false };
    const row = await trx
      .selectFrom("audit_round_children as c")
      .innerJoin("audit_rounds as r", (j) => onKey(j, "r.round_id", "c.round_id"))
      .innerJoin("audit_forms as f", (j) => onKey(j, "f.form_id", "r.form_id"))
      .select(["f.content", "r.title"])
      .where(sql.ref("c.partnership_id"), "=", currentPartnership)
      .where("c.round_id", "=", roundId)
      .where("c.person_id", "=", personId)
      .executeTakeFirst();
    if (!row) return { ok: false };
    if (!(await this.scope.canOpenRecord(trx, personId, { childrenOnly: true }))) return { ok: false };
    return { ok: true, form: row.content as AuditFormContent, title: row.title };
  }

  /**
   * Returns the form for one child: a grade and evidence for every question, an overall grade and a
   * summary. A later return is a new version; the earlier one is kept.
   */
  submitReturn(
    roundId: string,
    personId: string,
    input: ReturnInput,
  ): Promise<ChangeResult<{ version: number }>> {
    const ctx = this.ctx;
    return this.scope.run(async (trx) => {
      const allowed = await this.#mayReturn(trx, roundId, personId);
      if (!ctx || !allowed.ok) {
        await this.scope.recordDenial(trx, {
          recordType: "person",
          recordId: personId,
          details: { reason: "audit-return", round_id: roundId },
        });
        return deniedAccess("You cannot audit this child's record in this round");
      }
      for (const question of allowed.form.questions) {
        const answer = input.answers[question.id];
        if (!answer || !isGrade(answer.grade))
          return refused(`Choose a grade for "${question.title}"`, `grade-${question.id}`);
        if (answer.evidence.trim() === "")
          return refused(`Enter the evidence for "${question.title}"`, `evidence-${question.id}`);
        if (answer.evidence.length > 4000)
          return refused(
            `The evidence for "${question.title}" must be 4000 characters or fewer`,
            `evidence-${question.id}`,
          );
      }
      if (!isGrade(input.overallGrade)) return refused("Choose the overall grade", "overallGrade");
      if (input.summary.trim() === "") return refused("Enter a summary of what you found", "summary");
      if (input.summary.length > 4000)
        return refused("The summary must be 4000 characters or fewer", "summary");
      const previous = await trx
        .selectFrom("audit_returns")
        .select(sql<number>`coalesce(max(version), 0)`.as("version"))
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where("round_id", "=", roundId)
        .where("person_id", "=", personId)
        .where("agency_id", "=", ctx.agencyId)
        .executeTakeFirstOrThrow();
      const version = Number(previous.version) + 1;
      const returnId = crypto.randomUUID();
      await trx
        .insertInto("audit_returns")
        .values({
          partnership_id: ctx.partnershipId,
          return_id: returnId,
          round_id: roundId,
          person_id: personId,
          agency_id: ctx.agencyId,
          version,
          overall_grade: input.overallGrade,
          summary: input.summary.trim(),
          submitted_by: ctx.userId,
        })
        .execute();
      await trx
        .insertInto("audit_return_answers")
        .values(
          allowed.form.questions.map((q) => ({
            partnership_id: ctx.partnershipId,
            return_id: returnId,
            question_id: q.id,
            grade: input.answers[q.id]?.grade as AuditGrade,
            evidence: (input.answers[q.id]?.evidence ?? "").trim(),
          })),
        )
        .execute();
      await this.scope.audit(trx, {
        action: "create",
        recordType: "audit-return",
        recordId: returnId,
        details: {
          round_id: [null, roundId],
          person_id: [null, personId],
          version: [null, version],
          overall_grade: [null, input.overallGrade],
        },
      });
      return done({ version });
    });
  }

  /** Records the moderation's agreed grade and learning points for one child. Leads only; a new version each time. */
  moderate(
    roundId: string,
    personId: string,
    input: { agreedGrade: AuditGrade; learningPoints: string },
  ): Promise<ChangeResult<{ version: number }>> {
    const ctx = this.ctx;
    if (!mayLeadAudits(ctx))
      return Promise.resolve(deniedAccess("Only safeguarding leads moderate case audits"));
    if (!isGrade(input.agreedGrade))
      return Promise.resolve(refused("Choose the agreed grade", "agreedGrade"));
    const learning = input.learningPoints.trim();
    if (learning === "") return Promise.resolve(refused("Enter the learning points", "learningPoints"));
    if (learning.length > 4000)
      return Promise.resolve(
        refused("The learning points must be 4000 characters or fewer", "learningPoints"),
      );
    return this.scope.run(async (trx) => {
      if (!(await isSampled(trx, roundId, personId))) return refused("This child is not in the round");
      const previous = await trx
        .selectFrom("audit_moderations")
        .select(sql<number>`coalesce(max(version), 0)`.as("version"))
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where("round_id", "=", roundId)
        .where("person_id", "=", personId)
        .executeTakeFirstOrThrow();
      const version = Number(previous.version) + 1;
      const moderationId = crypto.randomUUID();
      await trx
        .insertInto("audit_moderations")
        .values({
          partnership_id: ctx.partnershipId,
          moderation_id: moderationId,
          round_id: roundId,
          person_id: personId,
          version,
          agreed_grade: input.agreedGrade,
          learning_points: learning,
          moderated_by: ctx.userId,
        })
        .execute();
      await this.scope.audit(trx, {
        action: "create",
        recordType: "audit-moderation",
        recordId: moderationId,
        details: {
          round_id: [null, roundId],
          person_id: [null, personId],
          version: [null, version],
          agreed_grade: [null, input.agreedGrade],
        },
      });
      return done({ version });
    });
  }
}
