// SPDX-License-Identifier: MIT
/** Starting a plan, its page (any version), and changing it (a new version). */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { AppContext } from "../../web/app.ts";
import { addError, type FormErrors, fieldError, noErrors, refusalStatus, showForm } from "../../web/forms.ts";
import { forbidden } from "../../web/guards.ts";
import { formBody, idParam } from "../../web/request-values.ts";
import { AUTHORISATION_DECISIONS, PLAN_PROGRESS, PLAN_TYPE_CODES, PLAN_TYPES } from "./codes.ts";
import { readPlanForm, rowCounts, valuesFromPlan } from "./plan-form.ts";
import {
  type Body,
  CASE_ROLES,
  id,
  noticeOf,
  planOf,
  query,
  RECORDERS,
  str,
  versionOf,
} from "./plan-route-helpers.ts";
import { ACTION_STATES } from "./plan-rules.ts";

const planForm = async (
  request: FastifyRequest,
  reply: FastifyReply,
  personId: string,
  options: { planId?: string; planType?: string; errors: FormErrors; values: Body; status?: number },
) => {
  const context = await request.repo.plans.planFormContext(personId);
  if (!context) return reply.callNotFound();
  const counts = rowCounts(options.values);
  return showForm(
    reply,
    "pathways/plans/views/plan-form.njk",
    options.errors,
    {
      title: options.planId ? "Change the plan" : "Start a plan",
      ...context,
      planId: options.planId,
      planType: options.planType,
      outcomeRows: Array.from({ length: counts.outcomes }, (_, i) => i + 1),
      actionRows: Array.from({ length: counts.actions }, (_, i) => i + 1),
      values: options.values,
      PLAN_TYPES,
    },
    options.status,
  );
};

export const registerChildPlanRoutes = ({ app }: AppContext): void => {
  app.get("/people/:personId/plans/new", { preHandler: RECORDERS }, async (request, reply) => {
    const personId = idParam(request, "personId");
    if (!personId) return reply.callNotFound();
    const type = z.enum(PLAN_TYPE_CODES).safeParse(query(request).type);
    const values: Body = { planType: type.success ? type.data : "", episodeId: query(request).episode ?? "" };
    return planForm(request, reply, personId, { errors: noErrors(), values });
  });

  app.post("/people/:personId/plans/new", { preHandler: RECORDERS }, async (request, reply) => {
    const personId = idParam(request, "personId");
    if (!personId) return reply.callNotFound();
    const values = formBody(request);
    const errors = noErrors();
    const type = z.enum(PLAN_TYPE_CODES).safeParse(values.planType);
    if (!type.success) addError(errors, "planType", "Select the kind of plan");
    const belongsTo = id(str(values, "belongsTo"));
    if (!belongsTo) addError(errors, "belongsTo", "Select the episode or early help this plan belongs to");
    const content = readPlanForm(values, errors, true);
    if (errors.list.length || !type.success) return planForm(request, reply, personId, { errors, values });
    const result = await request.repo.plans.createPlan(personId, {
      planType: type.data,
      episodeId: type.data === "taf" ? null : belongsTo,
      earlyHelpId: type.data === "taf" ? belongsTo : null,
      content,
    });
    if (!result.ok) {
      const field =
        result.field === "episodeId" || result.field === "earlyHelpId"
          ? "belongsTo"
          : (result.field ?? "planType");
      return planForm(request, reply, personId, {
        errors: fieldError(field, result.message),
        values,
        status: refusalStatus(result),
      });
    }
    return reply.redirect(`/people/${personId}/plans/${result.value.planId}?notice=created`, 303);
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

  app.get("/people/:personId/plans/:planId/edit", { preHandler: RECORDERS }, async (request, reply) => {
    const plan = await planOf(request);
    if (!plan) return reply.callNotFound();
    if (!plan.mayWrite) return forbidden(reply);
    return planForm(request, reply, plan.plan.person_id, {
      planId: plan.plan.plan_id,
      planType: plan.plan.plan_type,
      errors: noErrors(),
      values: valuesFromPlan(plan),
    });
  });

  app.post("/people/:personId/plans/:planId/edit", { preHandler: RECORDERS }, async (request, reply) => {
    const personId = idParam(request, "personId");
    const planId = idParam(request, "planId");
    if (!personId || !planId) return reply.callNotFound();
    const values = formBody(request);
    const errors = noErrors();
    const content = readPlanForm(values, errors, false);
    if (errors.list.length) return planForm(request, reply, personId, { planId, errors, values });
    const result = await request.repo.plans.revisePlan(planId, content);
    if (!result.ok)
      return planForm(request, reply, personId, {
        planId,
        errors: fieldError(result.field ?? "summary", result.message),
        values,
        status: refusalStatus(result),
      });
    return reply.redirect(`/people/${personId}/plans/${planId}?notice=changed`, 303);
  });
};
