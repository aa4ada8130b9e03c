// SPDX-License-Identifier: MIT
/**
 * Plan pages (child protection, child in need, team around the family): start, change (a new version),
 * review, submit for authorisation; casework records (assessment, strategy discussion, conference) with
 * their versions; and the manager's authorisation page. Every page works without JavaScript: the plan
 * form offers a fixed number of outcome and action rows, and blank rows are ignored. Handlers call the
 * repository only; a refusal for access is a 403 (audited as a denial).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { todayInEngland } from "../../chronology/dates.ts";
import type { AppContext } from "../../web/app.ts";
import { readDateInput } from "../../web/dates.ts";
import { type FormErrors, fieldError, noErrors } from "../../web/forms.ts";
import { requireSignedIn } from "../../web/guards.ts";
import {
  AUTHORISATION_DECISIONS,
  PLAN_PROGRESS,
  PLAN_PROGRESS_CODES,
  PLAN_TYPE_CODES,
  PLAN_TYPES,
  type PlanProgress,
} from "./codes.ts";
import {
  ACTION_STATES,
  type ActionInput,
  checkPlanContent,
  checkRecordText,
  MAX_ACTIONS,
  MAX_OUTCOMES,
  type OutcomeInput,
  type PlanContentInput,
} from "./plan-rules.ts";
import type { NewReview } from "./plans-repository.ts";

const CASE_ROLES = requireSignedIn("practitioner", "manager", "safeguarding-lead", "front-door", "auditor");
const RECORDERS = requireSignedIn("practitioner", "manager", "safeguarding-lead", "front-door");
const MANAGERS = requireSignedIn("manager");

type Body = Record<string, unknown>;
const ZId = z.uuid();
const str = (body: Body, name: string): string => {
  const value = body[name];
  return typeof value === "string" ? value.slice(0, 20_000) : "";
};
const id = (value: string): string | null => (ZId.safeParse(value).success ? value : null);

const addError = (errors: FormErrors, field: string, text: string) => {
  if (errors.fields[field]) return;
  errors.fields[field] = { text };
  errors.list.push({ text, href: `#${field}` });
};

/** Form values for a date input, from an ISO date. */
const dateValues = (name: string, iso: string | null): Body =>
  iso
    ? {
        [`${name}-day`]: String(Number(iso.slice(8, 10))),
        [`${name}-month`]: String(Number(iso.slice(5, 7))),
        [`${name}-year`]: iso.slice(0, 4),
      }
    : {};

type StoredContent = {
  version: { summary: string };
  outcomes: { outcome_id: string; description: string }[];
  actions: {
    action_id: string;
    outcome_id: string | null;
    description: string;
    owner_user_id: string | null;
    owner_agency_id: string | null;
    owner_name: string | null;
    due_on: string;
  }[];
};

/** The form's values for a stored version: its rows first, then blank rows to add more. */
const valuesFromPlan = (plan: StoredContent): Body => {
  const values: Body = { summary: plan.version.summary };
  plan.outcomes.forEach((o, i) => {
    values[`outcome-${i + 1}-id`] = o.outcome_id;
    values[`outcome-${i + 1}-description`] = o.description;
  });
  plan.actions.forEach((a, i) => {
    const n = i + 1;
    const outcomeRow = plan.outcomes.findIndex((o) => o.outcome_id === a.outcome_id);
    Object.assign(values, {
      [`action-${n}-id`]: a.action_id,
      [`action-${n}-description`]: a.description,
      [`action-${n}-outcome`]: outcomeRow >= 0 ? String(outcomeRow + 1) : "",
      [`action-${n}-owner`]: a.owner_user_id ?? "",
      [`action-${n}-ownerName`]: a.owner_name ?? "",
      [`action-${n}-agency`]: a.owner_agency_id ?? "",
      ...dateValues(`action-${n}-due`, a.due_on),
    });
  });
  return values;
};

/** How many rows the form shows: those filled, and a few blank ones, within the limits. */
const rowCounts = (values: Body) => {
  let outcomes = 0;
  let actions = 0;
  for (let n = 1; n <= MAX_OUTCOMES; n += 1) if (str(values, `outcome-${n}-description`).trim()) outcomes = n;
  for (let n = 1; n <= MAX_ACTIONS; n += 1)
    if (str(values, `action-${n}-description`).trim() || str(values, `action-${n}-id`)) actions = n;
  return {
    outcomes: Math.min(MAX_OUTCOMES, Math.max(3, outcomes + 2)),
    actions: Math.min(MAX_ACTIONS, Math.max(4, actions + 3)),
  };
};

/**
 * Reads the plan form's rows, dropping blank ones, and collects every problem (dates, lengths and the
 * plan rules) into `errors`, so one submit shows them all.
 */
const readPlanForm = (values: Body, errors: FormErrors, isFirstVersion: boolean): PlanContentInput => {
  const content = readPlanRows(values, errors);
  for (const problem of checkPlanContent(content, isFirstVersion, todayInEngland()))
    addError(errors, problem.field, problem.message);
  return content;
};

const readPlanRows = (values: Body, errors: FormErrors): PlanContentInput => {
  const outcomes: OutcomeInput[] = [];
  const outcomeIndexBySlot = new Map<number, number>();
  for (let n = 1; n <= MAX_OUTCOMES; n += 1) {
    const description = str(values, `outcome-${n}-description`).trim();
    if (!description) continue;
    if (description.length > 2000)
      addError(errors, `outcome-${n}-description`, "An outcome is 2000 characters at most");
    outcomeIndexBySlot.set(n, outcomes.length);
    outcomes.push({ outcomeId: id(str(values, `outcome-${n}-id`)), description });
  }
  const actions: ActionInput[] = [];
  for (let n = 1; n <= MAX_ACTIONS; n += 1) {
    const description = str(values, `action-${n}-description`).trim();
    const ownerUserId = id(str(values, `action-${n}-owner`));
    const ownerName = str(values, `action-${n}-ownerName`).trim() || null;
    const ownerAgencyId = id(str(values, `action-${n}-agency`));
    const dateParts = ["day", "month", "year"].some((p) => str(values, `action-${n}-due-${p}`).trim());
    if (!description && !ownerUserId && !ownerName && !dateParts) continue;
    const due = readDateInput(values, `action-${n}-due`, `date action ${n} is due`, { required: true });
    if (!due.ok) addError(errors, `action-${n}-due`, due.message);
    if (description.length > 2000)
      addError(errors, `action-${n}-description`, "An action is 2000 characters at most");
    if ((ownerName ?? "").length > 200)
      addError(errors, `action-${n}-ownerName`, "A name is 200 characters at most");
    const outcomeSlot = Number(str(values, `action-${n}-outcome`));
    actions.push({
      actionId: id(str(values, `action-${n}-id`)),
      row: n,
      outcomeIndex: outcomeSlot > 0 ? (outcomeIndexBySlot.get(outcomeSlot) ?? -1) : null,
      description,
      ownerUserId,
      ownerAgencyId,
      ownerName,
      // A date error is reported above; "due" stays set so the rules do not report it twice.
      dueOn: due.ok ? due.value : "9999-12-31",
    });
  }
  return {
    summary: str(values, "summary").trim(),
    changeReason: str(values, "changeReason").trim() || null,
    outcomes,
    actions,
  };
};

export const registerPlanRoutes = ({ app }: AppContext): void => {
  const param = (request: FastifyRequest, name: string): string | undefined => {
    const parsed = ZId.safeParse((request.params as Record<string, unknown>)[name]);
    return parsed.success ? parsed.data : undefined;
  };
  const body = (request: FastifyRequest): Body => (request.body ?? {}) as Body;
  const query = (request: FastifyRequest): Record<string, string | undefined> =>
    request.query as Record<string, string | undefined>;
  const versionOf = (request: FastifyRequest): number | undefined => {
    const v = Number(query(request).version);
    return Number.isInteger(v) && v > 0 && v < 100_000 ? v : undefined;
  };
  /** A refusal from the repository: 403 for access (audited as a denial), 400 for input. */
  const refusalStatus = (result: { denied?: true }) => (result.denied ? 403 : 400);

  // Starting and changing a plan.
  const planForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    personId: string,
    options: { planId?: string; planType?: string; errors: FormErrors; values: Body; status?: number },
  ) => {
    const context = await request.repo.plans.planFormContext(personId);
    if (!context) return reply.callNotFound();
    const counts = rowCounts(options.values);
    return reply
      .code(options.status ?? (options.errors.list.length ? 400 : 200))
      .page("pathways/plans/views/plan-form.njk", {
        title: options.planId ? "Change the plan" : "Start a plan",
        ...context,
        planId: options.planId,
        planType: options.planType,
        outcomeRows: Array.from({ length: counts.outcomes }, (_, i) => i + 1),
        actionRows: Array.from({ length: counts.actions }, (_, i) => i + 1),
        errors: options.errors,
        values: options.values,
        PLAN_TYPES,
      });
  };

  app.get("/people/:personId/plans/new", { preHandler: RECORDERS }, async (request, reply) => {
    const personId = param(request, "personId");
    if (!personId) return reply.callNotFound();
    const type = z.enum(PLAN_TYPE_CODES).safeParse(query(request).type);
    const values: Body = { planType: type.success ? type.data : "", episodeId: query(request).episode ?? "" };
    return planForm(request, reply, personId, { errors: noErrors(), values });
  });

  app.post("/people/:personId/plans/new", { preHandler: RECORDERS }, async (request, reply) => {
    const personId = param(request, "personId");
    if (!personId) return reply.callNotFound();
    const values = body(request);
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

  const planOf = async (request: FastifyRequest, version?: number) => {
    const personId = param(request, "personId");
    const planId = param(request, "planId");
    if (!personId || !planId) return undefined;
    const plan = await request.repo.plans.getPlan(planId, version);
    return plan && plan.plan.person_id === personId ? plan : undefined;
  };

  app.get("/people/:personId/plans/:planId", { preHandler: CASE_ROLES }, async (request, reply) => {
    const plan = await planOf(request, versionOf(request));
    if (!plan) return reply.callNotFound();
    const notice = query(request).notice;
    const ctx = request.repo.context;
    return reply.page("pathways/plans/views/plan.njk", {
      title: `${plan.label}: ${plan.child.given_names} ${plan.child.family_name}`,
      p: plan,
      isAuthor: ctx?.userId === plan.versions[0]?.recorded_by,
      notice: NOTICES[notice ?? ""] ?? null,
      PLAN_PROGRESS,
      ACTION_STATES,
      AUTHORISATION_DECISIONS,
    });
  });

  app.get("/people/:personId/plans/:planId/edit", { preHandler: RECORDERS }, async (request, reply) => {
    const plan = await planOf(request);
    if (!plan) return reply.callNotFound();
    if (!plan.mayWrite) return reply.code(403).page("web/views/forbidden.njk");
    return planForm(request, reply, plan.plan.person_id, {
      planId: plan.plan.plan_id,
      planType: plan.plan.plan_type,
      errors: noErrors(),
      values: valuesFromPlan(plan),
    });
  });

  app.post("/people/:personId/plans/:planId/edit", { preHandler: RECORDERS }, async (request, reply) => {
    const personId = param(request, "personId");
    const planId = param(request, "planId");
    if (!personId || !planId) return reply.callNotFound();
    const values = body(request);
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

  // Reviews.
  const reviewForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FormErrors,
    values: Body,
  ) => {
    const plan = await planOf(request);
    if (!plan) return reply.callNotFound();
    if (!plan.mayReview) return reply.code(403).page("web/views/forbidden.njk");
    return reply.code(errors.list.length ? 400 : 200).page("pathways/plans/views/review-form.njk", {
      title: "Record a review",
      p: plan,
      errors,
      values,
      PLAN_PROGRESS,
    });
  };

  app.get("/people/:personId/plans/:planId/reviews/new", { preHandler: RECORDERS }, async (request, reply) =>
    reviewForm(request, reply, noErrors(), dateValues("heldOn", todayInEngland())),
  );

  app.post(
    "/people/:personId/plans/:planId/reviews/new",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const personId = param(request, "personId");
      const planId = param(request, "planId");
      if (!personId || !planId) return reply.callNotFound();
      const values = body(request);
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
        if (result.denied) return reply.code(403).page("web/views/forbidden.njk");
        return reviewForm(request, reply, fieldError(result.field ?? "heldOn", result.message), values);
      }
      return reply.redirect(`/people/${personId}/plans/${planId}?notice=reviewed`, 303);
    },
  );

  // Submitting for authorisation (plans and assessment records).
  const submitForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    subject: { type: "plan" | "assessment"; id: string; label: string; back: string; action: string },
    child: { given_names: string; family_name: string },
    errors: FormErrors,
    values: Body,
    status?: number,
  ) =>
    reply.code(status ?? (errors.list.length ? 400 : 200)).page("pathways/plans/views/submit-form.njk", {
      title: "Send for authorisation",
      subject,
      child,
      managers: await request.repo.plans.listManagers(),
      errors,
      values,
    });

  app.get("/people/:personId/plans/:planId/submit", { preHandler: RECORDERS }, async (request, reply) => {
    const plan = await planOf(request);
    if (!plan) return reply.callNotFound();
    const back = `/people/${plan.plan.person_id}/plans/${plan.plan.plan_id}`;
    return submitForm(
      request,
      reply,
      { type: "plan", id: plan.plan.plan_id, label: plan.label, back, action: `${back}/submit` },
      plan.child,
      noErrors(),
      {},
    );
  });

  app.post("/people/:personId/plans/:planId/submit", { preHandler: RECORDERS }, async (request, reply) => {
    const plan = await planOf(request);
    if (!plan) return reply.callNotFound();
    const back = `/people/${plan.plan.person_id}/plans/${plan.plan.plan_id}`;
    const values = body(request);
    const managerUserId = id(str(values, "managerUserId"));
    const subject = {
      type: "plan" as const,
      id: plan.plan.plan_id,
      label: plan.label,
      back,
      action: `${back}/submit`,
    };
    if (!managerUserId)
      return submitForm(
        request,
        reply,
        subject,
        plan.child,
        fieldError("managerUserId", "Select the manager"),
        values,
      );
    const result = await request.repo.plans.submitForAuthorisation({
      subjectType: "plan",
      subjectId: plan.plan.plan_id,
      managerUserId,
    });
    if (!result.ok)
      return submitForm(
        request,
        reply,
        subject,
        plan.child,
        fieldError(result.field ?? "managerUserId", result.message),
        values,
        refusalStatus(result),
      );
    return reply.redirect(`${back}?notice=submitted`, 303);
  });

  // Casework records.
  const recordForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    personId: string,
    episodeId: string,
    eventId: string,
    errors: FormErrors,
    values: Body,
    status?: number,
  ) => {
    const context = await request.repo.plans.recordFormContext(personId, episodeId, eventId);
    if (!context) return reply.callNotFound();
    return reply
      .code(status ?? (errors.list.length ? 400 : 200))
      .page("pathways/plans/views/record-form.njk", {
        title: context.label,
        ...context,
        episodeId,
        action: `/people/${personId}/pathway/episodes/${episodeId}/casework/${eventId}`,
        errors,
        values,
      });
  };

  app.get(
    "/people/:personId/pathway/episodes/:episodeId/casework/:eventId",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const personId = param(request, "personId");
      const episodeId = param(request, "episodeId");
      const eventId = param(request, "eventId");
      if (!personId || !episodeId || !eventId) return reply.callNotFound();
      return recordForm(request, reply, personId, episodeId, eventId, noErrors(), {});
    },
  );

  app.post(
    "/people/:personId/pathway/episodes/:episodeId/casework/:eventId",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const personId = param(request, "personId");
      const episodeId = param(request, "episodeId");
      const eventId = param(request, "eventId");
      if (!personId || !episodeId || !eventId) return reply.callNotFound();
      const values = body(request);
      const errors = noErrors();
      const narrative = str(values, "narrative");
      const childExperience = str(values, "childExperience");
      for (const problem of checkRecordText({ narrative, childExperience, changeReason: null }))
        addError(errors, problem.field, problem.message);
      const context = await request.repo.plans.recordFormContext(personId, episodeId, eventId);
      if (!context) return reply.callNotFound();
      if (errors.list.length) return recordForm(request, reply, personId, episodeId, eventId, errors, values);
      const result = await request.repo.plans.createRecord(personId, {
        recordType: context.recordType,
        episodeId,
        eventId,
        narrative,
        childExperience,
      });
      if (!result.ok)
        return recordForm(
          request,
          reply,
          personId,
          episodeId,
          eventId,
          fieldError(result.field ?? "narrative", result.message),
          values,
          refusalStatus(result),
        );
      return reply.redirect(`/people/${personId}/records/${result.value.recordId}?notice=created`, 303);
    },
  );

  const recordOf = async (request: FastifyRequest, version?: number) => {
    const personId = param(request, "personId");
    const recordId = param(request, "caseRecordId");
    if (!personId || !recordId) return undefined;
    const record = await request.repo.plans.getRecord(recordId, version);
    return record && record.record.person_id === personId ? record : undefined;
  };

  app.get("/people/:personId/records/:caseRecordId", { preHandler: CASE_ROLES }, async (request, reply) => {
    const record = await recordOf(request, versionOf(request));
    if (!record) return reply.callNotFound();
    const ctx = request.repo.context;
    return reply.page("pathways/plans/views/record.njk", {
      title: `${record.label}: ${record.child.given_names} ${record.child.family_name}`,
      r: record,
      isAuthor: ctx?.userId === record.versions[0]?.recorded_by,
      notice: NOTICES[query(request).notice ?? ""] ?? null,
      AUTHORISATION_DECISIONS,
    });
  });

  const reviseRecordForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FormErrors,
    values: Body | null,
    status?: number,
  ) => {
    const record = await recordOf(request);
    if (!record) return reply.callNotFound();
    if (!record.mayWrite) return reply.code(403).page("web/views/forbidden.njk");
    return reply
      .code(status ?? (errors.list.length ? 400 : 200))
      .page("pathways/plans/views/record-form.njk", {
        title: `Change the ${record.label.toLowerCase()}`,
        child: record.child,
        event: { event_type: record.event.event_type, occurred_on: record.event.occurred_on },
        label: record.label,
        episodeId: record.record.episode_id,
        revising: true,
        action: `/people/${record.record.person_id}/records/${record.record.record_id}/edit`,
        errors,
        values: values ?? {
          narrative: record.version.narrative,
          childExperience: record.version.child_experience,
        },
      });
  };

  app.get("/people/:personId/records/:caseRecordId/edit", { preHandler: RECORDERS }, async (request, reply) =>
    reviseRecordForm(request, reply, noErrors(), null),
  );

  app.post(
    "/people/:personId/records/:caseRecordId/edit",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const personId = param(request, "personId");
      const recordId = param(request, "caseRecordId");
      if (!personId || !recordId) return reply.callNotFound();
      const values = body(request);
      const errors = noErrors();
      for (const problem of checkRecordText({
        narrative: str(values, "narrative"),
        childExperience: str(values, "childExperience"),
        changeReason: str(values, "changeReason"),
      }))
        addError(errors, problem.field, problem.message);
      if (errors.list.length) return reviseRecordForm(request, reply, errors, values);
      const result = await request.repo.plans.reviseRecord(recordId, {
        narrative: str(values, "narrative"),
        childExperience: str(values, "childExperience"),
        changeReason: str(values, "changeReason"),
      });
      if (!result.ok)
        return reviseRecordForm(
          request,
          reply,
          fieldError(result.field ?? "narrative", result.message),
          values,
          refusalStatus(result),
        );
      return reply.redirect(`/people/${personId}/records/${recordId}?notice=changed`, 303);
    },
  );

  const recordSubject = (record: NonNullable<Awaited<ReturnType<typeof recordOf>>>) => {
    const back = `/people/${record.record.person_id}/records/${record.record.record_id}`;
    return {
      type: "assessment" as const,
      id: record.record.record_id,
      label: record.label,
      back,
      action: `${back}/submit`,
    };
  };

  app.get(
    "/people/:personId/records/:caseRecordId/submit",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const record = await recordOf(request);
      if (!record?.mayAuthorise) return reply.callNotFound();
      return submitForm(request, reply, recordSubject(record), record.child, noErrors(), {});
    },
  );

  app.post(
    "/people/:personId/records/:caseRecordId/submit",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const record = await recordOf(request);
      if (!record?.mayAuthorise) return reply.callNotFound();
      const subject = recordSubject(record);
      const values = body(request);
      const managerUserId = id(str(values, "managerUserId"));
      if (!managerUserId)
        return submitForm(
          request,
          reply,
          subject,
          record.child,
          fieldError("managerUserId", "Select the manager"),
          values,
        );
      const result = await request.repo.plans.submitForAuthorisation({
        subjectType: "assessment",
        subjectId: record.record.record_id,
        managerUserId,
      });
      if (!result.ok)
        return submitForm(
          request,
          reply,
          subject,
          record.child,
          fieldError(result.field ?? "managerUserId", result.message),
          values,
          refusalStatus(result),
        );
      return reply.redirect(`${subject.back}?notice=submitted`, 303);
    },
  );

  // Authorisation: the manager's decision.
  const authorisationPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FormErrors,
    values: Body,
    status?: number,
  ) => {
    const authorisationId = param(request, "authorisationId");
    if (!authorisationId) return reply.callNotFound();
    const found = await request.repo.plans.getAuthorisation(authorisationId);
    if (!found) return reply.callNotFound();
    return reply
      .code(status ?? (errors.list.length ? 400 : 200))
      .page("pathways/plans/views/authorisation.njk", {
        title: "Authorise",
        a: found,
        notice: NOTICES[query(request).notice ?? ""] ?? null,
        errors,
        values,
        AUTHORISATION_DECISIONS,
      });
  };

  app.get("/authorisations/:authorisationId", { preHandler: CASE_ROLES }, async (request, reply) =>
    authorisationPage(request, reply, noErrors(), {}),
  );

  app.post("/authorisations/:authorisationId", { preHandler: MANAGERS }, async (request, reply) => {
    const authorisationId = param(request, "authorisationId");
    if (!authorisationId) return reply.callNotFound();
    const values = body(request);
    const decision = z.enum(["authorised", "returned"]).safeParse(values.decision);
    const reason = str(values, "reason");
    if (!decision.success)
      return authorisationPage(
        request,
        reply,
        fieldError("decision", "Select whether you authorise it"),
        values,
      );
    if (reason.length > 4000)
      return authorisationPage(
        request,
        reply,
        fieldError("reason", "The reason is 4000 characters at most"),
        values,
      );
    const result = await request.repo.plans.decideAuthorisation(authorisationId, decision.data, reason);
    if (!result.ok)
      return authorisationPage(
        request,
        reply,
        fieldError(result.field ?? "decision", result.message),
        values,
        refusalStatus(result),
      );
    return reply.redirect(`/authorisations/${authorisationId}?notice=decided`, 303);
  });
};

const NOTICES: Record<string, string> = {
  created: "Saved",
  changed: "Saved as a new version; the earlier version is kept",
  reviewed: "Review recorded",
  submitted: "Sent to the manager for authorisation",
  decided: "Decision recorded; the author has been told",
};
