// SPDX-License-Identifier: MIT
/**
 * A child's assessments: the list with the tools that can be started, starting one, one assessment with
 * everything its pages show, and change over time with one tool. Access follows the child-record rules
 * (../data/child-access.ts): whoever may open the child's record may read their assessments. Every view
 * is audited in the same transaction.
 */

import { sql } from "kysely";
import { AreaRepository } from "../data/area-repository.ts";
import { mayRecord } from "../data/child-access.ts";
import { type ChangeResult, done, type MethodAccess, refused } from "../data/repository-scope.ts";
import { inCurrentPartnership, inPersonCluster, onKey } from "../kernel/sql.ts";
import { flagsOf, readHistory } from "./assessment-history.ts";
import {
  type ChildVoice,
  type FamilyView,
  loadAssessment,
  mayEditAssessment,
  newestToolVersion,
  readAnswers,
  refuseIfFutureDate,
  refuseIfUntrained,
  toAnswers,
} from "./assessment-records.ts";
import { maySignOff } from "./assessment-sign-off.ts";
import type { AssessmentMode } from "./codes.ts";
import { ageBandOn, computeResults, type Judgement, type LevelSuggestion, suggestLevel } from "./engine.ts";
import { installRepositoryToolsIn } from "./tool-library.ts";

/** A child's assessments, read and started. */
export class ChildAssessmentsRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof ChildAssessmentsRepository, MethodAccess> = {
    listForChild: "guarded",
    startAssessment: "guarded",
    getAssessment: "guarded",
    changeOverTime: "guarded",
  };

  /**
   * A child's assessments and the tools that can be started, audited as a view. Undefined when the
   * caller may not open the child's record.
   */
  listForChild(personId: string) {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      if (!(await this.scope.canOpenRecord(trx, personId))) return undefined;
      await installRepositoryToolsIn(trx, ctx.partnershipId);
      const person = await trx
        .selectFrom("people")
        .select([
          "person_id",
          "given_names",
          "family_name",
          "date_of_birth",
          "expected_date_of_birth",
          "kind",
        ])
        .where(inCurrentPartnership("partnership_id"))
        .where("person_id", "=", personId)
        .executeTakeFirstOrThrow();
      const assessments = await trx
        .selectFrom("assessments as a")
        .innerJoin("assessment_tool_versions as v", (j) => onKey(j, "v.tool_version_id", "a.tool_version_id"))
        .innerJoin("assessment_tools as t", (j) => onKey(j, "t.tool_id", "v.tool_id"))
        .innerJoin("users as u", (j) => onKey(j, "u.user_id", "a.started_by"))
        .innerJoin("agencies as g", (j) => onKey(j, "g.agency_id", "a.agency_id"))
        .select([
          "a.assessment_id",
          "a.status",
          "a.mode",
          "a.assessed_on",
          "t.tool_id",
          "t.name as tool_name",
          "v.version",
          "u.display_name as started_by_name",
          "g.name as agency_name",
          sql<string | null>`a.results -> 'level' -> 'level' ->> 'name'`.as("suggested_level"),
        ])
        .where(inCurrentPartnership("a.partnership_id"))
        .where(inPersonCluster("a.person_id", personId))
        .orderBy("a.assessed_on", "desc")
        .orderBy("a.started_at", "desc")
        .execute();
      const tools = await trx
        .selectFrom("assessment_tools")
        .select(["tool_id", "name", "tier"])
        .where(inCurrentPartnership("partnership_id"))
        .orderBy("tier", "desc")
        .orderBy("name")
        .execute();
      await this.scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "assessments" },
      });
      return { person, assessments, tools, canStart: mayRecord(ctx.role) };
    });
  }

  /**
   * Starts a draft assessment of a child with the newest version of a tool, which it stays pinned to.
   * @param personId - The child.
   * @param input - The tool, the mode, and the assessment's date.
   */
  startAssessment(
    personId: string,
    input: { toolId: string; mode: AssessmentMode; assessedOn: string },
  ): Promise<ChangeResult<{ assessmentId: string }>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot start assessments"));
    const futureDate = refuseIfFutureDate(input.assessedOn);
    if (futureDate) return Promise.resolve(futureDate);
    return this.scope.run(async (trx) => {
      if (!(await this.scope.canOpenRecord(trx, personId)))
        return refused("You cannot see this child's record");
      const version = await newestToolVersion(trx, input.toolId);
      if (!version) return refused("Select a tool", "toolId");
      const untrained = await refuseIfUntrained(this.scope, trx, ctx.userId, input.toolId, {
        person_id: personId,
      });
      if (untrained) return untrained;
      const assessmentId = crypto.randomUUID();
      await trx
        .insertInto("assessments")
        .values({
          partnership_id: ctx.partnershipId,
          assessment_id: assessmentId,
          person_id: personId,
          tool_version_id: version.tool_version_id,
          agency_id: ctx.agencyId,
          mode: input.mode,
          assessed_on: input.assessedOn,
          started_by: ctx.userId,
        })
        .execute();
      await this.scope.audit(trx, {
        action: "create",
        recordType: "assessment",
        recordId: assessmentId,
        details: { person_id: personId, tool_version_id: version.tool_version_id, mode: input.mode },
      });
      return done({ assessmentId });
    });
  }

  /**
   * One assessment with everything its pages show: the pinned tool, answers, visits, targets, views,
   * results per domain and the suggested level with its reasons. Audited as a view.
   * @returns Undefined if it does not exist or the caller may not see the child.
   */
  getAssessment(assessmentId: string) {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const row = await loadAssessment(trx, this.ctx, assessmentId);
      if (!row) return undefined;
      const answerRows = await readAnswers(trx, [assessmentId]);
      const visits = await trx
        .selectFrom("assessment_visits")
        .select(["visit_id", "visited_on", "announced", "child_seen", "note"])
        .where(inCurrentPartnership("partnership_id"))
        .where("assessment_id", "=", assessmentId)
        .orderBy("visited_on")
        .execute();
      const targets = await trx
        .selectFrom("assessment_targets")
        .select(["target_id", "node_id", "target_value", "what_will_change", "who", "review_on"])
        .where(inCurrentPartnership("partnership_id"))
        .where("assessment_id", "=", assessmentId)
        .orderBy("review_on")
        .execute();
      const names = await trx
        .selectFrom("users")
        .select(["user_id", "display_name"])
        .where(inCurrentPartnership("partnership_id"))
        .where(
          "user_id",
          "in",
          [row.started_by, row.submitted_by, row.signed_off_by].filter((id): id is string => id !== null),
        )
        .execute();
      const nameOf = (id: string | null) => names.find((n) => n.user_id === id)?.display_name ?? null;
      const band = ageBandOn(row.date_of_birth, row.assessed_on);
      const answers = toAnswers(answerRows);
      const judgements = row.judgements as Record<string, Judgement>;
      const results = computeResults(row.tool, band, answers, judgements);
      const history = await readHistory(
        trx,
        row.person_id,
        row.tool_id,
        row.status === "draft" ? { assessedOn: row.assessed_on, results } : undefined,
      );
      const stored = row.results as { level?: LevelSuggestion } | null;
      const suggestion = stored?.level ?? suggestLevel(row.tool, results, flagsOf(history.domains));
      await this.scope.audit(trx, { action: "view", recordType: "assessment", recordId: assessmentId });
      return {
        assessment: row,
        tool: row.tool,
        band,
        answers: Object.fromEntries(answerRows.map((r) => [r.node_id, r])),
        judgements,
        results,
        suggestion,
        history,
        visits,
        targets: targets.map((t) => ({ ...t, target_value: Number(t.target_value) })),
        familyView: row.family_view as FamilyView | null,
        childVoice: row.child_voice as ChildVoice | null,
        startedByName: nameOf(row.started_by),
        submittedByName: nameOf(row.submitted_by),
        signedOffByName: nameOf(row.signed_off_by),
        canEdit: mayEditAssessment(this.ctx, row),
        canSignOff: maySignOff(this.ctx, row),
      };
    });
  }

  /**
   * A child's assessments with one tool over time, one series per domain, with distance travelled and
   * the no-improvement and relapse flags. Audited as a view. Undefined when the caller may not see the
   * child or the tool does not exist.
   */
  changeOverTime(personId: string, toolId: string) {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      if (!(await this.scope.canOpenRecord(trx, personId))) return undefined;
      const tool = await trx
        .selectFrom("assessment_tools")
        .select(["tool_id", "name"])
        .where(inCurrentPartnership("partnership_id"))
        .where("tool_id", "=", toolId)
        .executeTakeFirst();
      if (!tool) return undefined;
      const person = await trx
        .selectFrom("people")
        .select(["person_id", "given_names", "family_name", "date_of_birth"])
        .where(inCurrentPartnership("partnership_id"))
        .where("person_id", "=", personId)
        .executeTakeFirstOrThrow();
      const history = await readHistory(trx, personId, toolId);
      await this.scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "assessment-change", tool_id: toolId },
      });
      return { person, tool, ...history };
    });
  }
}
