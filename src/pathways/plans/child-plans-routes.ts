// SPDX-License-Identifier: MIT
/** Starting a plan, its page (any version), and changing it (a new version). */
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { AppContext } from "../../web/app.ts";
import { formRoute, readingOf } from "../../web/form-route.ts";
import { addError, noErrors } from "../../web/forms.ts";
import { type FormBody, idParam, idParams } from "../../web/request-values.ts";
import { AUTHORISATION_DECISIONS, PLAN_PROGRESS, PLAN_TYPE_CODES, PLAN_TYPES } from "./codes.ts";
import { readPlanForm, rowCounts, valuesFromPlan } from "./plan-form.ts";
import { CASE_ROLES, id, noticeOf, planOf, query, RECORDERS, str, versionOf } from "./plan-route-helpers.ts";
import { ACTION_STATES } from "./plan-rules.ts";

/** The plan form's page: the child's choices, and as many rows as the values shown fill, with blank ones. */
const planPage = async (
  request: FastifyRequest,
  personId: string,
  shown: FormBody,
  plan: { planId?: string; planType?: string } = {},
) => {
  const context = await request.repo.plans.planFormContext(personId);
  if (!context) return undefined;
  const counts = rowCounts(shown);
  return {
    title: plan.planId ? "Change the plan" : "Start a plan",
    ...context,
    ...plan,
    outcomeRows: Array.from({ length: counts.outcomes }, (_, i) => i + 1),
    actionRows: Array.from({ length: counts.actions }, (_, i) => i + 1),
    PLAN_TYPES,
  };
};

const VIEW = "pathways/plans/views/plan-form.njk";

export const registerChildPlanRoutes = ({ app }: AppContext): void => {
  formRoute(app, {
    path: "/people/:personId/plans/new",
    preHandler: RECORDERS,
    view: VIEW,
    page: async (request, sent = {}) => {
      const personId = idParam(request, "personId");
      return personId ? planPage(request, personId, sent) : undefined;
    },
    initial: (_page, request) => {
      const type = z.enum(PLAN_TYPE_CODES).safeParse(query(request).type);
      return { planType: type.success ? type.data : "", episodeId: query(request).episode ?? "" };
    },
    read: (values, request) => {
      const personId = idParam(request, "personId");
      if (!personId) return undefined;
      const errors = noErrors();
      const type = z.enum(PLAN_TYPE_CODES).safeParse(values.planType);
      if (!type.success) addError(errors, "planType", "Select the kind of plan");
      const belongsTo = id(str(values, "belongsTo"));
      if (!belongsTo) addError(errors, "belongsTo", "Select the episode or early help this plan belongs to");
      const content = readPlanForm(values, errors, true);
      if (!type.success) return { ok: false, errors };
      const taf = type.data === "taf";
      return readingOf(errors, {
        personId,
        plan: {
          planType: type.data,
          episodeId: taf ? null : belongsTo,
          earlyHelpId: taf ? belongsTo : null,
          content,
        },
      });
    },
    save: async (request, { personId, plan }) => {
      const result = await request.repo.plans.createPlan(personId, plan);
      // The form has one "belongs to" field for the episode or the early help.
      const belongs = !result.ok && (result.field === "episodeId" || result.field === "earlyHelpId");
      return belongs ? { ...result, field: "belongsTo" } : result;
    },
    refusedField: "planType",
    next: (created, { personId }) => `/people/${personId}/plans/${created.planId}?notice=created`,
  });

  app.get("/people/:personId/plans/:planId", { preHandler: CASE_ROLES }, async (request, reply) => {
    const plan = await planOf(request, versionOf(request));
    if (!plan) return reply.callNotFound();
    const ctx = request.repo.context;
    return reply.page("pathways/plans/views/plan.njk", {
      title: `${plan.label}: ${plan.child.given_names} ${plan.child.family_name}`,
      p: plan,
      isAuthor: ctx?.userId === plan.versions[0]?.recorded_by,
      notice: noticeOf(request),
      PLAN_PROGRESS,
      ACTION_STATES,
      AUTHORISATION_DECISIONS,
    });
  });

  formRoute(app, {
    path: "/people/:personId/plans/:planId/edit",
    preHandler: RECORDERS,
    view: VIEW,
    page: async (request, sent) => {
      const plan = await planOf(request);
      if (!plan) return undefined;
      if (!plan.mayWrite) return "forbidden";
      const storedValues = valuesFromPlan(plan);
      const page = await planPage(request, plan.plan.person_id, sent ?? storedValues, {
        planId: plan.plan.plan_id,
        planType: plan.plan.plan_type,
      });
      return page && { ...page, storedValues };
    },
    initial: (page) => page.storedValues,
    read: (values, request) => {
      const at = idParams(request, "personId", "planId");
      if (!at) return undefined;
      const errors = noErrors();
      return readingOf(errors, { ...at, content: readPlanForm(values, errors, false) });
    },
    save: (request, { planId, content }) => request.repo.plans.revisePlan(planId, content),
    refusedField: "summary",
    next: (_saved, { personId, planId }) => `/people/${personId}/plans/${planId}?notice=changed`,
  });
};
