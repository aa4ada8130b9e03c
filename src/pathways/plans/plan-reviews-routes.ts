// SPDX-License-Identifier: MIT
/** Recording a review of a plan: progress per outcome and action, and the child's and family's views. */
import { todayInEngland } from "../../kernel/calendar.ts";
import type { AppContext } from "../../web/app.ts";
import { dateInputValues, readDateInput } from "../../web/dates.ts";
import { formRoute, readingOf } from "../../web/form-route.ts";
import { addError, noErrors } from "../../web/forms.ts";
import { idParams } from "../../web/request-values.ts";
import { PLAN_PROGRESS, PLAN_PROGRESS_CODES, type PlanProgress } from "./codes.ts";
import type { NewReview } from "./plan-reviews-repository.ts";
import { type Body, id, planOf, RECORDERS, str } from "./plan-route-helpers.ts";
import { MAX_ACTIONS, MAX_OUTCOMES } from "./plan-rules.ts";

/**
 * Reads the review form for the plan the path names. Progress rows are keyed by the item ids the form was
 * drawn with; the repository keeps only the current version's.
 */
const readReview = (values: Body, plan: { personId: string; planId: string }) => {
  const errors = noErrors();
  const heldOn = readDateInput(values, "heldOn", "date of the review", { required: true, future: "refused" });
  if (!heldOn.ok) addError(errors, "heldOn", heldOn.message);
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
  for (const field of ["childView", "familyView", "summary"] as const)
    if (str(values, field).length > 8000) addError(errors, field, "This is 8000 characters at most");
  const review: NewReview = {
    heldOn: heldOn.ok ? heldOn.value : null,
    childView: str(values, "childView"),
    familyView: str(values, "familyView"),
    summary: str(values, "summary"),
    progress,
  };
  return readingOf(errors, { ...plan, review });
};

export const registerPlanReviewRoutes = ({ app }: AppContext): void => {
  formRoute(app, {
    path: "/people/:personId/plans/:planId/reviews/new",
    preHandler: RECORDERS,
    view: "pathways/plans/views/review-form.njk",
    page: async (request) => {
      const plan = await planOf(request);
      if (!plan) return undefined;
      if (!plan.mayReview) return "forbidden";
      return { title: "Record a review", p: plan, PLAN_PROGRESS };
    },
    initial: () => dateInputValues("heldOn", todayInEngland()),
    read: (values, request) => {
      const ids = idParams(request, "personId", "planId");
      return ids && readReview(values, ids);
    },
    save: (request, { planId, review }) => request.repo.plans.recordReview(planId, review),
    refusedField: "heldOn",
    next: (_saved, { personId, planId }) => `/people/${personId}/plans/${planId}?notice=reviewed`,
  });
};
