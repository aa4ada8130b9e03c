// SPDX-License-Identifier: MIT
/** Recording a review of a plan: progress per outcome and action, and the child's and family's views. */
import type { FastifyReply, FastifyRequest } from "fastify";
import { todayInEngland } from "../../kernel/calendar.ts";
import type { AppContext } from "../../web/app.ts";
import { dateInputValues, readDateInput } from "../../web/dates.ts";
import { addError, type FormErrors, fieldError, noErrors, showForm } from "../../web/forms.ts";
import { forbidden } from "../../web/guards.ts";
import { formBody, idParam } from "../../web/request-values.ts";
import { PLAN_PROGRESS, PLAN_PROGRESS_CODES, type PlanProgress } from "./codes.ts";
import type { NewReview } from "./plan-reviews-repository.ts";
import { type Body, id, planOf, RECORDERS, str } from "./plan-route-helpers.ts";
import { MAX_ACTIONS, MAX_OUTCOMES } from "./plan-rules.ts";

const reviewForm = async (request: FastifyRequest, reply: FastifyReply, errors: FormErrors, values: Body) => {
  const plan = await planOf(request);
  if (!plan) return reply.callNotFound();
  if (!plan.mayReview) return forbidden(reply);
  return showForm(reply, "pathways/plans/views/review-form.njk", errors, {
    title: "Record a review",
    p: plan,
    values,
    PLAN_PROGRESS,
  });
};

export const registerPlanReviewRoutes = ({ app }: AppContext): void => {
  app.get("/people/:personId/plans/:planId/reviews/new", { preHandler: RECORDERS }, async (request, reply) =>
    reviewForm(request, reply, noErrors(), dateInputValues("heldOn", todayInEngland())),
  );

  app.post(
    "/people/:personId/plans/:planId/reviews/new",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const personId = idParam(request, "personId");
      const planId = idParam(request, "planId");
      if (!personId || !planId) return reply.callNotFound();
      const values = formBody(request);
      const errors = noErrors();
      const heldOn = readDateInput(values, "heldOn", "date of the review", {
        required: true,
        future: "refused",
      });
      if (!heldOn.ok) addError(errors, "heldOn", heldOn.message);
      // Progress rows are keyed by the item ids the form was drawn with; the repository keeps only the
      // current version's.
      const progress: NewReview["progress"] = new Map();
      const statusOf = (value: string): PlanProgress | null =>
        (PLAN_PROGRESS_CODES as readonly string[]).includes(value) ? (value as PlanProgress) : null;
      for (const kind of ["outcome", "action"] as const) {
        const max = kind === "outcome" ? MAX_OUTCOMES : MAX_ACTIONS;
        for (let n = 1; n <= max; n += 1) {
          const itemId = id(str(values, `${kind}-${n}-id`));
          if (!itemId) continue;
          const narrative = str(values, `${kind}-${n}-narrative`);
          if (narrative.length > 4000)
            addError(errors, `${kind}-${n}-narrative`, "A note is 4000 characters at most");
          progress.set(itemId, { status: statusOf(str(values, `${kind}-${n}-status`)), narrative });
        }
      }
      for (const [field, max] of [
        ["childView", 8000],
        ["familyView", 8000],
        ["summary", 8000],
      ] as const)
        if (str(values, field).length > max) addError(errors, field, `This is ${max} characters at most`);
      if (errors.list.length) return reviewForm(request, reply, errors, values);
      const result = await request.repo.plans.recordReview(planId, {
        heldOn: heldOn.ok ? heldOn.value : null,
        childView: str(values, "childView"),
        familyView: str(values, "familyView"),
        summary: str(values, "summary"),
        progress,
      });
      if (!result.ok) {
        if (result.denied) return forbidden(reply);
        return reviewForm(request, reply, fieldError(result.field ?? "heldOn", result.message), values);
      }
      return reply.redirect(`/people/${personId}/plans/${planId}?notice=reviewed`, 303);
    },
  );
};
