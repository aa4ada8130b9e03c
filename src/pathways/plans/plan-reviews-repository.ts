// SPDX-License-Identifier: MIT
/**
 * Reviews of a plan: progress per outcome and action against its current version, with the child's and
 * the family's views. Part of `request.repo.plans` (./plans-repository.ts); a plan's reviews are read
 * with the plan (./child-plans-repository.ts).
 */
import { AreaRepository } from "../../data/area-repository.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  refused,
} from "../../data/repository-scope.ts";
import type { PlanProgress } from "./codes.ts";
import { firstProblem, latestVersion, loadPlan, mayWritePlan, planContent, today } from "./plan-queries.ts";
import { checkReview } from "./plan-rules.ts";

export type NewReview = {
  heldOn: string | null;
  childView: string;
  familyView: string;
  summary: string;
  /** Progress per outcome and action id: a status code (null when not given) and narrative. */
  progress: Map<string, { status: PlanProgress | null; narrative: string }>;
};

export class PlanReviewsRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof PlanReviewsRepository, MethodAccess> = {
    recordReview: "guarded",
  };

  /** Records a review of the plan's current version: progress per outcome and action, and both views. */
  recordReview(planId: string, input: NewReview): Promise<ChangeResult<{ reviewId: string }>> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(refused("You cannot record reviews"));
    return this.scope.run(async (trx) => {
      const plan = await loadPlan(this.scope, trx, planId);
      if (!plan) return deniedAccess("Plan not found");
      if (!(await mayWritePlan(this.scope, trx, ctx, plan)))
        return deniedAccess("You cannot review this plan");
      const version = await latestVersion(trx, planId);
      const { outcomes, actions } = await planContent(trx, planId, version);
      const statuses = new Map([...input.progress].map(([id, v]) => [id, v.status]));
      const problem = firstProblem(
        checkReview({
          heldOn: input.heldOn,
          childView: input.childView,
          familyView: input.familyView,
          outcomeIds: outcomes.map((o) => o.outcome_id),
          progress: statuses,
          today: today(),
        }),
      );
      if (problem) return problem;
      const reviewId = crypto.randomUUID();
      await trx
        .insertInto("plan_reviews")
        .values({
          partnership_id: ctx.partnershipId,
          review_id: reviewId,
          plan_id: planId,
          plan_version: version,
          held_on: input.heldOn as string,
          child_view: input.childView.trim(),
          family_view: input.familyView.trim(),
          summary: input.summary.trim(),
          recorded_by: ctx.userId,
        })
        .execute();
      const items = [
        ...outcomes.map((o) => ({ type: "outcome" as const, id: o.outcome_id })),
        ...actions.map((a) => ({ type: "action" as const, id: a.action_id })),
      ];
      const rows = items.flatMap((item) => {
        const given = input.progress.get(item.id);
        return given?.status
          ? [
              {
                partnership_id: ctx.partnershipId,
                review_id: reviewId,
                item_type: item.type,
                item_id: item.id,
                status: given.status,
                narrative: given.narrative.trim(),
              },
            ]
          : [];
      });
      if (rows.length) await trx.insertInto("plan_review_progress").values(rows).execute();
      await this.scope.audit(trx, {
        action: "review",
        recordType: "plan",
        recordId: planId,
        details: { person_id: plan.person_id, review_id: reviewId, held_on: input.heldOn, version },
      });
      return done({ reviewId });
    });
  }
}
