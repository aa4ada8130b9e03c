// SPDX-License-Identifier: MIT
/**
 * Changes to a draft assessment: details, answers and grades, visits, the family's view, the child's
 * voice and targets. Recorders of the agency that started it may change it while it is a draft (and, for
 * a tool that requires training, only the trained); every change is audited in the same transaction.
 */

import { AreaRepository } from "../data/area-repository.ts";
import { type ChangeResult, done, type MethodAccess, refused } from "../data/repository-scope.ts";
import { todayInEngland } from "../kernel/calendar.ts";
import { inCurrentPartnership } from "../kernel/sql.ts";
import {
  type AnswerInput,
  type ChildVoice,
  editRefusal,
  type FamilyView,
  loadEditable,
  refuseIfFutureDate,
  touchAssessment,
  writeAnswers,
} from "./assessment-records.ts";
import type { AssessmentMode } from "./codes.ts";
import type { Judgement } from "./engine.ts";

/** Changes to draft assessments. */
export class AssessmentDraftsRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof AssessmentDraftsRepository, MethodAccess> = {
    saveDetails: "guarded",
    saveAnswers: "guarded",
    addVisit: "guarded",
    removeVisit: "guarded",
    saveFamilyView: "guarded",
    saveChildVoice: "guarded",
    addTarget: "guarded",
    removeTarget: "guarded",
  };

  /** Changes the assessment's mode, date and observation window. */
  saveDetails(
    assessmentId: string,
    input: {
      mode: AssessmentMode;
      assessedOn: string;
      observationFrom: string | null;
      observationTo: string | null;
    },
  ): Promise<ChangeResult<null>> {
    if (!this.ctx) return Promise.resolve(refused("Assessment not found"));
    const futureDate = refuseIfFutureDate(input.assessedOn);
    if (futureDate) return Promise.resolve(futureDate);
    if (input.observationFrom && input.observationTo && input.observationTo < input.observationFrom)
      return Promise.resolve(
        refused("The end of the observation period must be after its start", "observationTo"),
      );
    return this.scope.run(async (trx) => {
      const loaded = await loadEditable(this.scope, trx, assessmentId);
      if (!loaded.ok) return editRefusal(loaded);
      const row = loaded.row;
      await touchAssessment(trx, assessmentId, {
        mode: input.mode,
        assessed_on: input.assessedOn,
        observation_from: input.observationFrom,
        observation_to: input.observationTo,
      });
      await this.scope.audit(trx, {
        action: "update",
        recordType: "assessment",
        recordId: assessmentId,
        details: {
          mode: [row.mode, input.mode],
          assessed_on: [row.assessed_on, input.assessedOn],
          observation_from: [row.observation_from, input.observationFrom],
          observation_to: [row.observation_to, input.observationTo],
        },
      });
      return done(null);
    });
  }

  /**
   * Saves answers and domain judgements as they are, complete or not: a draft keeps everything entered.
   * @param assessmentId - The draft.
   * @param input - Item answers and confirmed domain grades (with a reason where they differ from the suggestion).
   */
  saveAnswers(
    assessmentId: string,
    input: { answers: AnswerInput[]; judgements: Record<string, Judgement> },
  ): Promise<ChangeResult<null>> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(refused("Assessment not found"));
    return this.scope.run(async (trx) => {
      const loaded = await loadEditable(this.scope, trx, assessmentId);
      if (!loaded.ok) return editRefusal(loaded);
      return writeAnswers(this.scope, trx, ctx, loaded.row, input);
    });
  }

  /** Adds a visit to the observation record. */
  addVisit(
    assessmentId: string,
    input: { visitedOn: string; announced: boolean; childSeen: boolean; note: string | null },
  ): Promise<ChangeResult<{ visitId: string }>> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(refused("Assessment not found"));
    if (input.visitedOn > todayInEngland())
      return Promise.resolve(refused("The date of the visit must be today or in the past", "visitedOn"));
    return this.scope.run(async (trx) => {
      const loaded = await loadEditable(this.scope, trx, assessmentId);
      if (!loaded.ok) return editRefusal(loaded);
      const visitId = crypto.randomUUID();
      await trx
        .insertInto("assessment_visits")
        .values({
          partnership_id: ctx.partnershipId,
          visit_id: visitId,
          assessment_id: assessmentId,
          visited_on: input.visitedOn,
          announced: input.announced,
          child_seen: input.childSeen,
          note: input.note,
          recorded_by: ctx.userId,
        })
        .execute();
      await touchAssessment(trx, assessmentId);
      await this.scope.audit(trx, {
        action: "add-visit",
        recordType: "assessment",
        recordId: assessmentId,
        details: { visit_id: visitId, ...input },
      });
      return done({ visitId });
    });
  }

  /** Removes a visit recorded in error. */
  removeVisit(assessmentId: string, visitId: string): Promise<ChangeResult<null>> {
    if (!this.ctx) return Promise.resolve(refused("Assessment not found"));
    return this.scope.run(async (trx) => {
      const loaded = await loadEditable(this.scope, trx, assessmentId);
      if (!loaded.ok) return editRefusal(loaded);
      const result = await trx
        .deleteFrom("assessment_visits")
        .where(inCurrentPartnership("partnership_id"))
        .where("assessment_id", "=", assessmentId)
        .where("visit_id", "=", visitId)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) !== 1) return refused("Visit not found");
      await this.scope.audit(trx, {
        action: "remove-visit",
        recordType: "assessment",
        recordId: assessmentId,
        details: { visit_id: visitId },
      });
      return done(null);
    });
  }

  /** Saves the family's own view: agreement and comments per area, and when they saw the scores. */
  saveFamilyView(assessmentId: string, view: FamilyView): Promise<ChangeResult<null>> {
    if (!this.ctx) return Promise.resolve(refused("Assessment not found"));
    return this.scope.run(async (trx) => {
      const loaded = await loadEditable(this.scope, trx, assessmentId);
      if (!loaded.ok) return editRefusal(loaded);
      await touchAssessment(trx, assessmentId, { family_view: JSON.stringify(view) });
      await this.scope.audit(trx, {
        action: "update",
        recordType: "assessment",
        recordId: assessmentId,
        details: { family_view: "saved", seen_scores_on: view.seenScoresOn },
      });
      return done(null);
    });
  }

  /** Saves the child's voice: their words, their scaling answer, and how they were heard. */
  saveChildVoice(assessmentId: string, voice: ChildVoice): Promise<ChangeResult<null>> {
    if (!this.ctx) return Promise.resolve(refused("Assessment not found"));
    return this.scope.run(async (trx) => {
      const loaded = await loadEditable(this.scope, trx, assessmentId);
      if (!loaded.ok) return editRefusal(loaded);
      await touchAssessment(trx, assessmentId, { child_voice: JSON.stringify(voice) });
      await this.scope.audit(trx, {
        action: "update",
        recordType: "assessment",
        recordId: assessmentId,
        details: { child_voice: "saved", method: voice.method },
      });
      return done(null);
    });
  }

  /** Adds a target for an item: the grade aimed for, what will change, who helps, and the review date. */
  addTarget(
    assessmentId: string,
    input: {
      nodeId: string;
      targetValue: number;
      whatWillChange: string;
      who: string | null;
      reviewOn: string;
    },
  ): Promise<ChangeResult<{ targetId: string }>> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(refused("Assessment not found"));
    return this.scope.run(async (trx) => {
      const loaded = await loadEditable(this.scope, trx, assessmentId);
      if (!loaded.ok) return editRefusal(loaded);
      const { tool } = loaded.row;
      const item = tool.sections
        .flatMap((s) => s.domains.flatMap((d) => d.items))
        .find((i) => i.id === input.nodeId);
      if (!item) return refused("Select the item this target is for", "nodeId");
      const scale = tool.scales.find((s) => s.id === item.scale);
      if (!scale?.points.some((pt) => pt.value === input.targetValue))
        return refused("Select the grade aimed for", "targetValue");
      if (input.reviewOn < loaded.row.assessed_on)
        return refused("The review date must be after the assessment", "reviewOn");
      const targetId = crypto.randomUUID();
      await trx
        .insertInto("assessment_targets")
        .values({
          partnership_id: ctx.partnershipId,
          target_id: targetId,
          assessment_id: assessmentId,
          node_id: input.nodeId,
          target_value: input.targetValue,
          what_will_change: input.whatWillChange,
          who: input.who,
          review_on: input.reviewOn,
          recorded_by: ctx.userId,
        })
        .execute();
      await touchAssessment(trx, assessmentId);
      await this.scope.audit(trx, {
        action: "add-target",
        recordType: "assessment",
        recordId: assessmentId,
        details: { target_id: targetId, ...input },
      });
      return done({ targetId });
    });
  }

  /** Removes a target from a draft. */
  removeTarget(assessmentId: string, targetId: string): Promise<ChangeResult<null>> {
    if (!this.ctx) return Promise.resolve(refused("Assessment not found"));
    return this.scope.run(async (trx) => {
      const loaded = await loadEditable(this.scope, trx, assessmentId);
      if (!loaded.ok) return editRefusal(loaded);
      const result = await trx
        .deleteFrom("assessment_targets")
        .where(inCurrentPartnership("partnership_id"))
        .where("assessment_id", "=", assessmentId)
        .where("target_id", "=", targetId)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) !== 1) return refused("Target not found");
      await this.scope.audit(trx, {
        action: "remove-target",
        recordType: "assessment",
        recordId: assessmentId,
        details: { target_id: targetId },
      });
      return done(null);
    });
  }
}
