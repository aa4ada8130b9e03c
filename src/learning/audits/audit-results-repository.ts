// SPDX-License-Identifier: MIT
/**
 * Case audit results without names, for leads and analysts: the latest returns' grades by question and
 * by agency, moderated grades by round, and actions done on time. Viewing them is audited.
 */
import { sql } from "kysely";
import { AreaRepository } from "../../data/area-repository.ts";
import type { MethodAccess } from "../../data/repository-scope.ts";
import { currentPartnership, onKey } from "../../kernel/sql.ts";
import { AUDIT_GRADE_CODES, type AuditGrade, gradeScore } from "../codes.ts";
import { repositoryAuditForms } from "./audit-form.ts";
import { mayReadAuditResults } from "./audit-records.ts";

/** Results of case audits, without names. */
export class AuditResultsRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof AuditResultsRepository, MethodAccess> = {
    results: "guarded",
  };

  /**
   * Results without names: latest returns' grades by question and by agency, moderated grades by round,
   * and actions done on time. Leads and analysts.
   * @param roundId - One round, or every round.
   */
  results(roundId?: string) {
    const ctx = this.ctx;
    if (!mayReadAuditResults(ctx)) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const latestReturns = trx
        .selectFrom("audit_returns as r")
        .select(["r.partnership_id", "r.return_id", "r.round_id", "r.agency_id", "r.overall_grade"])
        .where(sql.ref("r.partnership_id"), "=", currentPartnership)
        .where(
          sql<boolean>`r.version = (select max(v.version) from audit_returns v where v.partnership_id = r.partnership_id
            and v.round_id = r.round_id and v.person_id = r.person_id and v.agency_id = r.agency_id)`,
        )
        .$if(roundId !== undefined, (q) => q.where("r.round_id", "=", roundId as string));
      const byQuestion = await trx
        .with("latest", () => latestReturns)
        .selectFrom("latest")
        .innerJoin("audit_return_answers as x", (j) => onKey(j, "x.return_id", "latest.return_id"))
        .select(["x.question_id", "x.grade", sql<number>`count(*)::int`.as("count")])
        .groupBy(["x.question_id", "x.grade"])
        .execute();
      const byAgency = await trx
        .with("latest", () => latestReturns)
        .selectFrom("latest")
        .innerJoin("agencies as g", (j) => onKey(j, "g.agency_id", "latest.agency_id"))
        .select([
          "g.name as agency_name",
          "latest.overall_grade as grade",
          sql<number>`count(*)::int`.as("count"),
        ])
        .groupBy(["g.name", "latest.overall_grade"])
        .execute();
      const byRound = await trx
        .selectFrom("audit_rounds as r")
        .select([
          "r.round_id",
          "r.title",
          "r.starts_on",
          sql<number>`(select count(*) from audit_round_children c where c.partnership_id = r.partnership_id and c.round_id = r.round_id)::int`.as(
            "sampled",
          ),
          sql<Record<string, number> | null>`(select jsonb_object_agg(g.agreed_grade, g.n) from (
              select m.agreed_grade, count(*)::int n from audit_moderations m
              where m.partnership_id = r.partnership_id and m.round_id = r.round_id
                and m.version = (select max(v.version) from audit_moderations v where v.partnership_id = m.partnership_id
                  and v.round_id = m.round_id and v.person_id = m.person_id)
              group by m.agreed_grade) g)`.as("moderated"),
          sql<number>`(select count(*) from audit_actions a where a.partnership_id = r.partnership_id and a.round_id = r.round_id)::int`.as(
            "actions",
          ),
          sql<number>`(select count(*) from audit_actions a join audit_action_completions c
              on c.partnership_id = a.partnership_id and c.action_id = a.action_id
              where a.partnership_id = r.partnership_id and a.round_id = r.round_id and c.completed_on <= a.due_on)::int`.as(
            "actions_on_time",
          ),
          sql<number>`(select count(*) from audit_actions a join audit_action_completions c
              on c.partnership_id = a.partnership_id and c.action_id = a.action_id
              where a.partnership_id = r.partnership_id and a.round_id = r.round_id)::int`.as("actions_done"),
        ])
        .where(sql.ref("r.partnership_id"), "=", currentPartnership)
        .$if(roundId !== undefined, (q) => q.where("r.round_id", "=", roundId as string))
        .orderBy("r.starts_on", "desc")
        .execute();
      const forms = repositoryAuditForms();
      const questionTitle = (id: string) =>
        forms.flatMap((f) => f.content.questions).find((q) => q.id === id)?.title ?? id;
      const questions = [...new Set(byQuestion.map((r) => r.question_id))].map((id) => ({
        questionId: id,
        title: questionTitle(id),
        counts: Object.fromEntries(
          AUDIT_GRADE_CODES.map((g) => [
            g,
            byQuestion.find((r) => r.question_id === id && r.grade === g)?.count ?? 0,
          ]),
        ) as Record<AuditGrade, number>,
      }));
      const agencies = [...new Set(byAgency.map((r) => r.agency_name))].sort().map((name) => ({
        name,
        counts: Object.fromEntries(
          AUDIT_GRADE_CODES.map((g) => [
            g,
            byAgency.find((r) => r.agency_name === name && r.grade === g)?.count ?? 0,
          ]),
        ) as Record<AuditGrade, number>,
      }));
      const rounds = byRound.map((r) => {
        const moderated = r.moderated ?? {};
        const total = Object.values(moderated).reduce((a, b) => a + b, 0);
        const score = AUDIT_GRADE_CODES.reduce((sum, g) => sum + (moderated[g] ?? 0) * gradeScore(g), 0);
        return {
          ...r,
          counts: Object.fromEntries(AUDIT_GRADE_CODES.map((g) => [g, moderated[g] ?? 0])) as Record<
            AuditGrade,
            number
          >,
          moderatedTotal: total,
          goodOrBetter: (moderated.outstanding ?? 0) + (moderated.good ?? 0),
          meanScore: total ? score / total : null,
        };
      });
      await this.scope.audit(trx, {
        action: "view",
        recordType: "audit-results",
        recordId: roundId ?? ctx.partnershipId,
      });
      return { questions, agencies, rounds };
    });
  }
}
