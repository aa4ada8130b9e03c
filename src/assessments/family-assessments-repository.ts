// SPDX-License-Identifier: MIT
/**
 * Family assessments: one assessment of a household's children with one tool. Each child keeps an
 * ordinary assessment (own areas, voice, result, change over time); shared areas are answered once for
 * the family. Every child must be one the caller may open; a child they may not open is left out of what
 * they see, and stops them changing or deciding on the family assessment.
 */

import { sql } from "kysely";
import { AreaRepository } from "../data/area-repository.ts";
import { mayRecord } from "../data/child-access.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  refused,
} from "../data/repository-scope.ts";
import { can } from "../kernel/policy.ts";
import { inCurrentPartnership } from "../kernel/sql.ts";
import { notify } from "../notifications/notify.ts";
import { flagsOf, readHistory } from "./assessment-history.ts";
import {
  type AnswerInput,
  type ChildVoice,
  editRefusal,
  type FamilyView,
  mayEditAssessment,
  newestToolVersion,
  Rollback,
  readAnswers,
  refuseIfFutureDate,
  refuseIfUntrained,
  runUndoable,
  sharedItemIds,
  toAnswers,
  touchAssessment,
  writeAnswers,
} from "./assessment-records.ts";
import { checkDecision, type Decision, decideSubmitted, submitDraft } from "./assessment-sign-off.ts";
import type { AssessmentMode } from "./codes.ts";
import { ageBandOn, computeResults, type Judgement, type LevelSuggestion, suggestLevel } from "./engine.ts";
import { loadEditableFamily, loadFamily, siblingsOf, touchFamily } from "./family-assessment-records.ts";
import { installRepositoryToolsIn } from "./tool-library.ts";

/** Family assessments of a household's children. */
export class FamilyAssessmentsRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof FamilyAssessmentsRepository, MethodAccess> = {
    familyOptions: "guarded",
    startFamilyAssessment: "guarded",
    getFamilyAssessment: "guarded",
    saveFamilyShared: "guarded",
    saveFamilyChild: "guarded",
    saveFamilyWords: "guarded",
    submitFamily: "guarded",
    decideFamily: "guarded",
  };

  /**
   * What starting a family assessment from this child offers: the child, the brothers and sisters the
   * caller may open (no other is named or counted), and the tools. Audited as a view of the child.
   * Undefined when the caller may not open the child's record.
   */
  familyOptions(personId: string) {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      if (!(await this.scope.canOpenRecord(trx, personId, { childrenOnly: true }))) return undefined;
      await installRepositoryToolsIn(trx, ctx.partnershipId);
      const person = await trx
        .selectFrom("people")
        .select(["person_id", "given_names", "family_name", "date_of_birth"])
        .where(inCurrentPartnership("partnership_id"))
        .where("person_id", "=", personId)
        .executeTakeFirstOrThrow();
      const siblings = await siblingsOf(trx, ctx, personId);
      const tools = await trx
        .selectFrom("assessment_tools as t")
        .select([
          "t.tool_id",
          "t.name",
          "t.tier",
          sql<boolean>`exists (select 1 from assessment_tool_versions v
            where v.partnership_id = t.partnership_id and v.tool_id = t.tool_id
              and jsonb_path_exists(v.content, '$.sections[*].domains[*] ? (@.shared == true)'))`.as(
            "has_shared",
          ),
        ])
        .where(inCurrentPartnership("t.partnership_id"))
        .orderBy("t.tier", "desc")
        .orderBy("t.name")
        .execute();
      await this.scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "family-assessment-start", siblings_shown: siblings.map((c) => c.person_id) },
      });
      return { person, siblings, tools, canStart: mayRecord(ctx.role) };
    });
  }

  /**
   * Starts a family assessment of a child and the brothers and sisters chosen: one draft assessment per
   * child with the newest version of the tool, linked by the family's row. Every child must be one the
   * caller may open (a child they cannot open is refused as a denial, audited, and nothing is written)
   * and in the first child's household or a brother or sister of theirs.
   */
  startFamilyAssessment(
    personId: string,
    input: { toolId: string; mode: AssessmentMode; assessedOn: string; siblingIds: string[] },
  ): Promise<ChangeResult<{ familyAssessmentId: string; assessmentIds: string[] }>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot start assessments"));
    const futureDate = refuseIfFutureDate(input.assessedOn);
    if (futureDate) return Promise.resolve(futureDate);
    const siblingIds = [...new Set(input.siblingIds)].filter((id) => id !== personId);
    if (siblingIds.length === 0)
      return Promise.resolve(
        refused("Select at least one brother or sister to assess with this child", "siblingIds"),
      );
    return this.scope.run(async (trx) => {
      if (!(await this.scope.canOpenRecord(trx, personId, { childrenOnly: true })))
        return deniedAccess("You cannot see this child's record");
      for (const id of siblingIds) {
        if (!(await this.scope.canOpenRecord(trx, id, { childrenOnly: true }))) {
          await this.scope.recordDenial(trx, {
            recordType: "person",
            recordId: id,
            details: { attempted: "family-assessment", with_person_id: personId },
          });
          return deniedAccess("You can only add children whose records you may open", "siblingIds");
        }
      }
      const candidates = new Set((await siblingsOf(trx, ctx, personId)).map((c) => c.person_id));
      if (!siblingIds.every((id) => candidates.has(id)))
        return refused(
          "Only children in this child's household, or their brothers and sisters, can be assessed together",
          "siblingIds",
        );
      const version = await newestToolVersion(trx, input.toolId);
      if (!version) return refused("Select a tool", "toolId");
      const untrained = await refuseIfUntrained(this.scope, trx, ctx.userId, input.toolId, {
        person_id: personId,
        family: true,
      });
      if (untrained) return untrained;
      const familyAssessmentId = crypto.randomUUID();
      await trx
        .insertInto("family_assessments")
        .values({
          partnership_id: ctx.partnershipId,
          family_assessment_id: familyAssessmentId,
          tool_version_id: version.tool_version_id,
          agency_id: ctx.agencyId,
          mode: input.mode,
          assessed_on: input.assessedOn,
          started_by: ctx.userId,
        })
        .execute();
      const children = [personId, ...siblingIds];
      await this.scope.audit(trx, {
        action: "create",
        recordType: "family-assessment",
        recordId: familyAssessmentId,
        details: { people: children, tool_version_id: version.tool_version_id, mode: input.mode },
      });
      const assessmentIds: string[] = [];
      for (const childId of children) {
        const assessmentId = crypto.randomUUID();
        assessmentIds.push(assessmentId);
        await trx
          .insertInto("assessments")
          .values({
            partnership_id: ctx.partnershipId,
            assessment_id: assessmentId,
            person_id: childId,
            tool_version_id: version.tool_version_id,
            agency_id: ctx.agencyId,
            mode: input.mode,
            assessed_on: input.assessedOn,
            started_by: ctx.userId,
            family_assessment_id: familyAssessmentId,
          })
          .execute();
        await this.scope.audit(trx, {
          action: "create",
          recordType: "assessment",
          recordId: assessmentId,
          details: {
            person_id: childId,
            tool_version_id: version.tool_version_id,
            mode: input.mode,
            family_assessment_id: familyAssessmentId,
          },
        });
      }
      return done({ familyAssessmentId, assessmentIds });
    });
  }

  /**
   * A family assessment with each child's areas, results, suggested level, change since the last reading
   * and voice, the shared answers and the family's words. A child the caller may not open is left out
   * entirely. Audited as a view of the family assessment and of each child's assessment shown.
   * @returns Undefined if it does not exist or the caller may open none of its children.
   */
  getFamilyAssessment(familyAssessmentId: string) {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const loaded = await loadFamily(trx, this.ctx, familyAssessmentId);
      if (!loaded) return undefined;
      const { family, children, hidden } = loaded;
      const tool = family.tool;
      const answerRows = await readAnswers(
        trx,
        children.map((c) => c.assessment_id),
      );
      const names = await trx
        .selectFrom("users")
        .select(["user_id", "display_name"])
        .where(inCurrentPartnership("partnership_id"))
        .where(
          "user_id",
          "in",
          [family.started_by, ...children.map((c) => c.submitted_by)].filter(
            (id): id is string => id !== null,
          ),
        )
        .execute();
      const nameOf = (id: string | null) => names.find((n) => n.user_id === id)?.display_name ?? null;
      const views = [];
      for (const child of children) {
        const rows = answerRows.filter((r) => r.assessment_id === child.assessment_id);
        const band = ageBandOn(child.date_of_birth, child.assessed_on);
        const judgements = child.judgements as Record<string, Judgement>;
        const results = computeResults(tool, band, toAnswers(rows), judgements);
        const history = await readHistory(
          trx,
          child.person_id,
          child.tool_id,
          child.status === "draft" ? { assessedOn: child.assessed_on, results } : undefined,
        );
        const stored = child.results as { level?: LevelSuggestion } | null;
        views.push({
          assessment: child,
          band,
          answers: Object.fromEntries(rows.map((r) => [r.node_id, r])),
          judgements,
          results,
          history,
          suggestion: stored?.level ?? suggestLevel(tool, results, flagsOf(history.domains)),
          childVoice: child.child_voice as ChildVoice | null,
        });
        await this.scope.audit(trx, {
          action: "view",
          recordType: "assessment",
          recordId: child.assessment_id,
          details: { family_assessment_id: familyAssessmentId },
        });
      }
      await this.scope.audit(trx, {
        action: "view",
        recordType: "family-assessment",
        recordId: familyAssessmentId,
      });
      const statuses = new Set(children.map((c) => c.status));
      const status =
        statuses.size === 1 && statuses.has("signed-off")
          ? "signed-off"
          : statuses.size === 1 && statuses.has("submitted")
            ? "submitted"
            : "draft";
      const first = children[0];
      const maySign =
        can(ctx.role, "assessments.sign-off") &&
        hidden === 0 &&
        status === "submitted" &&
        children.every((c) => c.submitted_by !== ctx.userId && c.started_by !== ctx.userId);
      return {
        family,
        tool,
        shared: sharedItemIds(tool),
        children: views,
        hidden,
        status,
        returnedComments: status === "draft" ? (first?.returned_comments ?? null) : null,
        summary: first?.summary ?? null,
        submittedAt: first?.submitted_at ?? null,
        submittedByName: nameOf(first?.submitted_by ?? null),
        startedByName: nameOf(family.started_by),
        familyView: family.family_view as FamilyView | null,
        canEdit: hidden === 0 && children.every((c) => mayEditAssessment(this.ctx, c)),
        canSignOff: maySign,
      };
    });
  }

  /**
   * Saves the answers to the shared areas, once for the family, and the grades confirmed for shared
   * areas (on every child's assessment).
   */
  saveFamilyShared(
    familyAssessmentId: string,
    input: { answers: AnswerInput[]; judgements: Record<string, Judgement> },
  ): Promise<ChangeResult<null>> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(refused("Family assessment not found"));
    return runUndoable(this.scope, async (trx) => {
      const loaded = await loadEditableFamily(trx, this.ctx, familyAssessmentId);
      if (!loaded.ok) return editRefusal(loaded);
      const shared = sharedItemIds(loaded.family.tool);
      const sharedDomains = new Set(
        loaded.family.tool.sections.flatMap((s) => s.domains.filter((d) => d.shared).map((d) => d.id)),
      );
      if (input.answers.some((a) => !shared.has(a.nodeId)))
        return refused("Only the shared areas are answered for the whole family");
      if (Object.keys(input.judgements).some((id) => !sharedDomains.has(id)))
        return refused("Only the shared areas are graded for the whole family");
      let answers = input.answers;
      for (const child of loaded.children) {
        const written = await writeAnswers(this.scope, trx, ctx, child, {
          answers,
          judgements: input.judgements,
        });
        if (!written.ok) throw new Rollback(written);
        answers = []; // Written once, for the family.
      }
      await touchFamily(trx, familyAssessmentId);
      await this.scope.audit(trx, {
        action: "update",
        recordType: "family-assessment",
        recordId: familyAssessmentId,
        details: { shared_answers: input.answers.map((a) => a.nodeId) },
      });
      return done(null);
    });
  }

  /** Saves one child's own areas and, when given, their voice, in a family assessment. */
  saveFamilyChild(
    familyAssessmentId: string,
    assessmentId: string,
    input: {
      answers: AnswerInput[];
      judgements: Record<string, Judgement>;
      voice: ChildVoice | null;
    },
  ): Promise<ChangeResult<null>> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(refused("Family assessment not found"));
    return runUndoable(this.scope, async (trx) => {
      const loaded = await loadEditableFamily(trx, this.ctx, familyAssessmentId);
      if (!loaded.ok) return editRefusal(loaded);
      const child = loaded.children.find((c) => c.assessment_id === assessmentId);
      if (!child) return refused("Family assessment not found");
      const shared = sharedItemIds(loaded.family.tool);
      if (input.answers.some((a) => shared.has(a.nodeId)))
        return refused("The shared areas are answered once for the whole family");
      const written = await writeAnswers(this.scope, trx, ctx, child, input);
      if (!written.ok) throw new Rollback(written);
      if (input.voice) {
        await touchAssessment(trx, assessmentId, { child_voice: JSON.stringify(input.voice) });
        await this.scope.audit(trx, {
          action: "update",
          recordType: "assessment",
          recordId: assessmentId,
          details: { child_voice: "saved", method: input.voice.method },
        });
      }
      await touchFamily(trx, familyAssessmentId);
      return done(null);
    });
  }

  /** Saves the family's own words and score, once for the family. */
  saveFamilyWords(familyAssessmentId: string, view: FamilyView): Promise<ChangeResult<null>> {
    if (!this.ctx) return Promise.resolve(refused("Family assessment not found"));
    return this.scope.run(async (trx) => {
      const loaded = await loadEditableFamily(trx, this.ctx, familyAssessmentId);
      if (!loaded.ok) return editRefusal(loaded);
      await touchFamily(trx, familyAssessmentId, { family_view: JSON.stringify(view) });
      await this.scope.audit(trx, {
        action: "update",
        recordType: "family-assessment",
        recordId: familyAssessmentId,
        details: { family_view: "saved", seen_scores_on: view.seenScoresOn },
      });
      return done(null);
    });
  }

  /**
   * Submits every child's assessment for sign-off together, each with its own results and suggested
   * level. If any child's is incomplete, nothing is submitted and the refusal names the child.
   */
  submitFamily(familyAssessmentId: string, summary: string | null): Promise<ChangeResult<null>> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(refused("Family assessment not found"));
    return runUndoable(this.scope, async (trx) => {
      const loaded = await loadEditableFamily(trx, this.ctx, familyAssessmentId);
      if (!loaded.ok) return editRefusal(loaded);
      for (const child of loaded.children) {
        const submitted = await submitDraft(this.scope, trx, ctx, child, summary);
        if (!submitted.ok)
          throw new Rollback(refused(`${child.given_names}: ${submitted.message}`, submitted.field));
      }
      await this.scope.audit(trx, {
        action: "submit",
        recordType: "family-assessment",
        recordId: familyAssessmentId,
      });
      return done(null);
    });
  }

  /**
   * A manager's decision on a submitted family assessment: sign off every child's assessment (each adds
   * its own chronology entry to that child's record), or return the whole family assessment with a reason.
   */
  decideFamily(familyAssessmentId: string, input: Decision): Promise<ChangeResult<null>> {
    const checked = checkDecision(this.ctx, input);
    if (!checked.ok) return Promise.resolve(checked);
    const ctx = checked.value;
    return runUndoable(this.scope, async (trx) => {
      const loaded = await loadFamily(trx, this.ctx, familyAssessmentId);
      if (!loaded) return refused("Family assessment not found");
      if (loaded.hidden > 0)
        return deniedAccess("You may not open every child's record in this family assessment");
      for (const child of loaded.children) {
        const decided = await decideSubmitted(this.scope, trx, ctx, child, input, { notifyReturn: false });
        if (!decided.ok) throw new Rollback(decided);
      }
      await this.scope.audit(trx, {
        action: input.decision === "return" ? "return" : "sign-off",
        recordType: "family-assessment",
        recordId: familyAssessmentId,
        reason: input.comments,
      });
      const first = loaded.children[0];
      if (input.decision === "return" && first)
        await notify(trx, ctx.partnershipId, {
          kind: "message",
          recipients: [first.submitted_by, loaded.family.started_by],
          subject: `${loaded.family.tool_name} returned to you`,
          body: `Your manager returned the family's ${loaded.family.tool_name} for changes. Their reason is on the family assessment: change it and submit it again.`,
          link: `/family-assessments/${familyAssessmentId}`,
          personId: first.person_id,
          actorUserId: ctx.userId,
        });
      return done(null);
    });
  }
}
