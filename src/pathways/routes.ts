// SPDX-License-Identifier: MIT
/**
 * The response pages: a child's pathway, requests for support, the front door's queue and decision,
 * early help (assessment, team, plan, reviews, step-up), social care episodes recorded as coded events,
 * and the caller's drift alerts. Every page works without JavaScript; handlers call the repository only.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { todayInEngland } from "../chronology/dates.ts";
import { mayRecord } from "../data/child-access.ts";
import { CONSENT_STATE_CODES, CONSENT_STATES, RELATIONSHIP_TYPES } from "../people/codes.ts";
import type { AppContext } from "../web/app.ts";
import { readDateInput } from "../web/dates.ts";
import { type FormErrors, fieldError, noErrors, parseForm } from "../web/forms.ts";
import { requireSignedIn } from "../web/guards.ts";
import { paginationFor } from "../web/pagination.ts";
import { alertFilterFrom, alertPage, groupAlerts, SEVERITIES } from "./alert-groups.ts";
import { ALERT_TYPES } from "./alerts.ts";
import {
  ABUSE_CATEGORIES,
  ABUSE_CATEGORY_CODES,
  ASSESSMENT_FACTORS,
  CLOSURE_REASONS,
  CSC_EVENT_TYPE_CODES,
  CSC_EVENT_TYPES,
  type CscEventType,
  EARLY_HELP_ENDING_CODES,
  EARLY_HELP_ENDINGS,
  FRONT_DOOR_OUTCOME_CODES,
  FRONT_DOOR_OUTCOMES,
  OUTCOME_PROGRESS,
  OUTCOME_PROGRESS_CODES,
  PRIMARY_NEEDS,
  RAG_RATING_CODES,
  RAG_RATINGS,
  REFERRAL_SOURCES,
} from "./codes.ts";
import { EPISODE_STATUSES, type Episode, episodeStatus } from "./episodes.ts";
import { ESCALATION_STAGES } from "./escalation.ts";
import type { NewCscEvent } from "./event-rules.ts";
import { EVENT_TYPES, nextEventTypes } from "./event-types.ts";
import { asList, registerFrontDoorRoutes } from "./front-door/routes.ts";
import { describeLevel } from "./level-of-need.ts";
import { runsFrontDoor } from "./pathways-repository.ts";
import { formatTimescale } from "./present.ts";

const CASE_ROLES = requireSignedIn("practitioner", "manager", "safeguarding-lead", "front-door", "auditor");
const RECORDERS = requireSignedIn("practitioner", "manager", "safeguarding-lead", "front-door");
const FRONT_DOOR = requireSignedIn("front-door", "safeguarding-lead");

const today = () => todayInEngland();
const ZId = z.uuid();
type Body = Record<string, unknown>;

const text = (max: number, message: string) =>
  z.string().trim().min(1, message).max(max, `${message} (${max} characters at most)`);
const optional = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((value) => (value ? value : null));

const mergeErrors = (a: FormErrors, b: FormErrors): FormErrors => ({
  fields: { ...b.fields, ...a.fields },
  list: [...a.list, ...b.list.filter((item) => !a.fields[item.href.slice(1)])],
});

/** Reads a date field, adding its error to `errors`; today when empty and `defaultToday`. */
const dateField = (
  body: Body,
  name: string,
  label: string,
  errors: FormErrors,
  defaultToday = false,
): string => {
  const read = readDateInput(body, name, label, { required: !defaultToday, future: "refused" });
  if (!read.ok) {
    Object.assign(errors, mergeErrors(errors, fieldError(name, read.message)));
    return today();
  }
  return read.value ?? today();
};

/** Date input values for a form, from an ISO date. */
const dateValues = (name: string, iso: string) => ({
  [`${name}-day`]: String(Number(iso.slice(8, 10))),
  [`${name}-month`]: String(Number(iso.slice(5, 7))),
  [`${name}-year`]: iso.slice(0, 4),
});

const ZRequestForm = z
  .object({
    concerns: text(8000, "Describe your concerns for the child"),
    whatTried: text(8000, "Say what has been tried already"),
    consent: z.enum(CONSENT_STATE_CODES, { error: "Select whether the family consented to this request" }),
    consentReason: optional(2000),
    referrerLevel: optional(40),
  })
  .refine((form) => form.consent === "given" || form.consentReason, {
    path: ["consentReason"],
    message: "Say why consent was not sought, or what the family said",
  });

const ZAgencyIds = z.preprocess(asList, z.array(z.uuid({ error: "Select agencies from the list" })).max(30));

const ZDecisionForm = z.object({
  rag: z.enum(RAG_RATING_CODES, { error: "Select a RAG rating" }),
  outcome: z.enum(FRONT_DOOR_OUTCOME_CODES, { error: "Select the outcome" }),
  reason: text(4000, "Enter the reason for the decision"),
  workerUserId: z
    .union([z.uuid(), z.literal("")])
    .optional()
    .transform((value) => (value ? value : null)),
  leadUserId: z
    .union([z.uuid({ error: "Select the lead professional from the list" }), z.literal("")])
    .optional()
    .transform((value) => (value ? value : null)),
  teamAgencyIds: ZAgencyIds,
  chosenLevel: optional(40),
});

const ZLevelForm = z.object({
  chosenLevel: text(40, "Select the level of need"),
  suggestedLevel: optional(40),
  suggestionSource: optional(200),
  rationale: text(4000, "Explain why this level fits"),
  approverUserId: z
    .union([z.uuid(), z.literal("")])
    .optional()
    .transform((value) => (value ? value : null)),
});

const ZEarlyHelpForm = z.object({
  assessmentSummary: text(8000, "Summarise the early help assessment"),
  reviewIntervalWeeks: z.coerce
    .number({ error: "Enter the weeks between reviews, from 1 to 26" })
    .int("Enter the weeks between reviews, from 1 to 26")
    .min(1, "Enter the weeks between reviews, from 1 to 26")
    .max(26, "Enter the weeks between reviews, from 1 to 26"),
  consent: z.literal("yes", { error: "Early help needs the family's consent: confirm it was given" }),
  supportRequestId: z
    .union([z.uuid(), z.literal("")])
    .optional()
    .transform((value) => (value ? value : null)),
});

/** Fields of a social care event form; which ones a type uses is decided by the type. */
const ZEventForm = z.object({
  subjectId: z
    .union([z.uuid(), z.literal("")])
    .optional()
    .transform((value) => (value ? value : null)),
  code: z
    .string()
    .trim()
    .max(10)
    .optional()
    .transform((value) => (value ? value : null)),
  codes: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value])),
  count: z
    .string()
    .trim()
    .optional()
    .refine(
      (value) => !value || /^\d{1,2}$/.test(value),
      "Enter the number of previous plans as a whole number",
    )
    .transform((value) => (value ? Number(value) : null)),
  childSeen: z
    .enum(["yes", "no", ""])
    .optional()
    .transform((value) => (value === "yes" ? true : value === "no" ? false : null)),
  seenAlone: z
    .enum(["yes", "no", ""])
    .optional()
    .transform((value) => (value === "yes" ? true : value === "no" ? false : null)),
  workerUserId: z
    .union([z.uuid(), z.literal("")])
    .optional()
    .transform((value) => (value ? value : null)),
  note: optional(4000),
});

/** The open things in an episode an event of this type can belong to, for the form's radios. */
const subjectsFor = (episode: Episode, kind: string | undefined) => {
  const date = (iso: string) => iso;
  const list: { value: string; text: string }[] = [];
  if (kind === "assessment")
    for (const a of episode.assessments.filter((x) => x.authorised === null))
      list.push({ value: a.id, text: `Assessment started ${date(a.start)}` });
  if (kind === "s47")
    for (const s of episode.section47s.filter((x) => x.icpc === null && !x.notRequired))
      list.push({
        value: s.id,
        text: `Section 47 enquiry from ${date(s.start)} (conference target ${date(s.target)})`,
      });
  if (kind === "cp-plan" || kind === "plan")
    for (const p of episode.cpPlans.filter((x) => x.end === null))
      list.push({ value: p.id, text: `Child protection plan from ${date(p.start)}` });
  if (kind === "cin-plan" || kind === "plan")
    for (const p of episode.cinPlans.filter((x) => x.end === null))
      list.push({ value: p.id, text: `Child in need plan from ${date(p.start)}` });
  return list;
};

export const registerPathwayRoutes = (context: AppContext): void => {
  const { app } = context;
  registerFrontDoorRoutes(context);
  const param = (request: FastifyRequest, name: string): string | undefined => {
    const parsed = ZId.safeParse((request.params as Record<string, unknown>)[name]);
    return parsed.success ? parsed.data : undefined;
  };
  const body = (request: FastifyRequest): Body => (request.body ?? {}) as Body;

  // A child's pathway.
  app.get("/people/:personId/pathway", { preHandler: CASE_ROLES }, async (request, reply) => {
    const id = param(request, "personId");
    if (!id) return reply.callNotFound();
    const pathway = await request.repo.pathways.childPathway(id);
    const picture = await request.repo.cases.casePicture(id);
    if (!pathway || !picture) return reply.callNotFound();
    const ctx = request.repo.context;
    const query = request.query as Record<string, string | undefined>;
    return reply.page("pathways/views/pathway.njk", {
      title: `Pathway: ${pathway.child.given_names} ${pathway.child.family_name}`,
      pathway,
      picture,
      today: today(),
      statuses: Object.fromEntries(
        pathway.episodes.map((e) => [e.episodeId, EPISODE_STATUSES[episodeStatus(e, today())]]),
      ),
      canRecord: ctx ? mayRecord(ctx.role) : false,
      canSupervise: ctx ? ctx.role === "manager" || ctx.role === "safeguarding-lead" : false,
      casework: await request.repo.plans.summaryFor(id),
      notice: query.notice,
      ESCALATION_STAGES,
      FRONT_DOOR_OUTCOMES,
      RAG_RATINGS,
      REFERRAL_SOURCES,
      EARLY_HELP_ENDINGS,
      ALERT_TYPES,
    });
  });

  // Recording a level of need.
  const levelForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    errors: FormErrors,
    values: Body,
  ) => {
    const pathway = await request.repo.pathways.childPathway(id);
    if (!pathway) return reply.callNotFound();
    return reply.code(errors.list.length ? 400 : 200).page("pathways/views/level-form.njk", {
      title: "Record a level of need",
      child: pathway.child,
      levels: pathway.levels,
      approvers: await request.repo.pathways.listSocialWorkers(),
      errors,
      values,
    });
  };
  app.get("/people/:personId/pathway/level", { preHandler: RECORDERS }, async (request, reply) => {
    const id = param(request, "personId");
    if (!id) return reply.callNotFound();
    return levelForm(request, reply, id, noErrors(), dateValues("decidedOn", today()));
  });
  app.post("/people/:personId/pathway/level", { preHandler: RECORDERS }, async (request, reply) => {
    const id = param(request, "personId");
    if (!id) return reply.callNotFound();
    const values = body(request);
    const form = parseForm(ZLevelForm, values);
    let errors = form.ok ? noErrors() : form.errors;
    const decidedOn = dateField(values, "decidedOn", "date of the decision", errors);
    if (!form.ok || errors.list.length) return levelForm(request, reply, id, errors, values);
    const result = await request.repo.pathways.recordLevelDecision(id, { ...form.values, decidedOn });
    if (!result.ok) {
      errors = fieldError(result.field ?? "chosenLevel", result.message);
      return levelForm(request, reply, id, errors, values);
    }
    return reply.redirect(`/people/${id}/pathway?notice=level`, 303);
  });

  // A request for support.
  const requestForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    errors: FormErrors,
    values: Body,
  ) => {
    const pathway = await request.repo.pathways.childPathway(id);
    if (!pathway) return reply.callNotFound();
    return reply.code(errors.list.length ? 400 : 200).page("pathways/views/request-form.njk", {
      title: "Request support for a child",
      child: pathway.child,
      levels: pathway.levels,
      CONSENT_STATES,
      errors,
      values,
    });
  };
  app.get("/people/:personId/pathway/request", { preHandler: RECORDERS }, async (request, reply) => {
    const id = param(request, "personId");
    if (!id) return reply.callNotFound();
    return requestForm(request, reply, id, noErrors(), dateValues("receivedOn", today()));
  });
  app.post("/people/:personId/pathway/request", { preHandler: RECORDERS }, async (request, reply) => {
    const id = param(request, "personId");
    if (!id) return reply.callNotFound();
    const values = body(request);
    const form = parseForm(ZRequestForm, values);
    const errors = form.ok ? noErrors() : form.errors;
    const receivedOn = dateField(values, "receivedOn", "date of the request", errors);
    if (!form.ok || errors.list.length) return requestForm(request, reply, id, errors, values);
    const result = await request.repo.pathways.submitRequest(id, { ...form.values, receivedOn });
    if (!result.ok)
      return requestForm(request, reply, id, fieldError(result.field ?? "concerns", result.message), values);
    return reply.redirect(`/pathways/requests/${result.value.requestId}?sent=1`, 303);
  });

  // The referrer's requests and their outcomes.
  app.get("/pathways/requests", { preHandler: RECORDERS }, async (request, reply) =>
    reply.page("pathways/views/my-requests.njk", {
      title: "Requests for support from your agency",
      requests: await request.repo.pathways.listMyRequests(),
      FRONT_DOOR_OUTCOMES,
    }),
  );

  const showRequest = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    errors: FormErrors,
    values: Body,
  ) => {
    const found = await request.repo.pathways.getRequest(id);
    if (!found) return reply.callNotFound();
    const ctx = request.repo.context;
    const decides = ctx ? runsFrontDoor(ctx.role) && found.outcome === null : false;
    const picture = await request.repo.cases.requestPicture(id);
    const levels = await request.repo.pathways.needLevels();
    return reply.code(errors.list.length ? 400 : 200).page("pathways/views/request.njk", {
      title: "Request for support",
      r: found,
      decides,
      picture,
      referrerLevel: describeLevel(found.referrer_level, levels),
      earlyHelpChoices: decides ? await request.repo.cases.earlyHelpChoices() : { leads: [], agencies: [] },
      RELATIONSHIP_TYPES,
      workers: decides ? await request.repo.pathways.listSocialWorkers() : [],
      levels: decides ? await request.repo.pathways.needLevels() : [],
      timescale: formatTimescale(found.due_on, found.decided_on, today()),
      sent: (request.query as Record<string, string | undefined>).sent === "1",
      CONSENT_STATES,
      FRONT_DOOR_OUTCOMES,
      RAG_RATINGS,
      errors,
      values: { ...values, teamAgencyIds: asList(values.teamAgencyIds) },
    });
  };
  app.get("/pathways/requests/:requestId", { preHandler: RECORDERS }, async (request, reply) => {
    const id = param(request, "requestId");
    if (!id) return reply.callNotFound();
    return showRequest(request, reply, id, noErrors(), dateValues("decidedOn", today()));
  });
  app.post("/pathways/requests/:requestId/decision", { preHandler: FRONT_DOOR }, async (request, reply) => {
    const id = param(request, "requestId");
    if (!id) return reply.callNotFound();
    const values = body(request);
    const form = parseForm(ZDecisionForm, values);
    let errors = form.ok ? noErrors() : form.errors;
    // Checked here as well as in the repository, so every error shows on the first submit.
    const outcome = values.outcome;
    if ((outcome === "s17" || outcome === "s47") && !values.workerUserId)
      errors = mergeErrors(errors, fieldError("workerUserId", "Select the social worker to allocate"));
    if (outcome === "early-help" && !values.leadUserId)
      errors = mergeErrors(errors, fieldError("leadUserId", "Select the lead professional for early help"));
    const decidedOn = dateField(values, "decidedOn", "date of the decision", errors);
    if (!form.ok || errors.list.length) return showRequest(request, reply, id, errors, values);
    const result = await request.repo.pathways.decideRequest(id, { ...form.values, decidedOn });
    if (!result.ok)
      return showRequest(request, reply, id, fieldError(result.field ?? "outcome", result.message), values);
    return reply.redirect("/pathways/front-door?decided=1", 303);
  });

  // The front door's queue.
  app.get("/pathways/front-door", { preHandler: FRONT_DOOR }, async (request, reply) =>
    reply.page("pathways/views/front-door.njk", {
      title: "Front door: requests for support",
      queue: await request.repo.pathways.frontDoorQueue(),
      decided: (request.query as Record<string, string | undefined>).decided === "1",
      FRONT_DOOR_OUTCOMES,
      RAG_RATINGS,
    }),
  );

  // Early help: starting it.
  const earlyHelpForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    errors: FormErrors,
    values: Body,
  ) => {
    const pathway = await request.repo.pathways.childPathway(id);
    if (!pathway) return reply.callNotFound();
    return reply.code(errors.list.length ? 400 : 200).page("pathways/views/early-help-new.njk", {
      title: "Start early help",
      child: pathway.child,
      requests: pathway.requests.filter((r) => r.outcome === "early-help" && !r.early_help_id),
      errors,
      values,
    });
  };
  app.get("/people/:personId/pathway/early-help/new", { preHandler: RECORDERS }, async (request, reply) => {
    const id = param(request, "personId");
    if (!id) return reply.callNotFound();
    return earlyHelpForm(request, reply, id, noErrors(), {
      ...dateValues("startedOn", today()),
      ...dateValues("consentOn", today()),
      reviewIntervalWeeks: "6",
    });
  });
  app.post("/people/:personId/pathway/early-help/new", { preHandler: RECORDERS }, async (request, reply) => {
    const id = param(request, "personId");
    if (!id) return reply.callNotFound();
    const values = body(request);
    const form = parseForm(ZEarlyHelpForm, values);
    const errors = form.ok ? noErrors() : form.errors;
    const consentOn = dateField(values, "consentOn", "date consent was given", errors);
    const startedOn = dateField(values, "startedOn", "date the assessment started", errors);
    if (!form.ok || errors.list.length) return earlyHelpForm(request, reply, id, errors, values);
    const result = await request.repo.pathways.startEarlyHelp(id, {
      startedOn,
      consentOn,
      assessmentSummary: form.values.assessmentSummary,
      reviewIntervalWeeks: form.values.reviewIntervalWeeks,
      supportRequestId: form.values.supportRequestId,
      steppedDownFromEpisodeId: null,
    });
    if (!result.ok)
      return earlyHelpForm(
        request,
        reply,
        id,
        fieldError(result.field ?? "assessmentSummary", result.message),
        values,
      );
    return reply.redirect(`/people/${id}/pathway/early-help/${result.value.earlyHelpId}`, 303);
  });

  // Early help: the plan, team and reviews.
  const showEarlyHelp = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ids: { personId: string; earlyHelpId: string },
    errors: FormErrors,
    values: Body,
  ) => {
    const pathway = await request.repo.pathways.childPathway(ids.personId);
    const eh = pathway?.earlyHelp.find((h) => h.early_help_id === ids.earlyHelpId);
    if (!pathway || !eh) return reply.callNotFound();
    const ctx = request.repo.context;
    const query = request.query as Record<string, string | undefined>;
    return reply.code(errors.list.length ? 400 : 200).page("pathways/views/early-help.njk", {
      title: "Early help",
      child: pathway.child,
      eh,
      alerts: pathway.alerts.filter((a) => a.href.endsWith(`/early-help/${eh.early_help_id}`)),
      canChange: ctx ? mayRecord(ctx.role) && eh.ended_on === null : false,
      levels: pathway.levels,
      ALERT_TYPES,
      notice: query.notice,
      today: today(),
      CONSENT_STATES,
      OUTCOME_PROGRESS,
      EARLY_HELP_ENDINGS,
      errors,
      values: {
        ...dateValues("heldOn", today()),
        ...dateValues("endedOn", today()),
        ...dateValues("dueOn", today()),
        ...values,
      },
    });
  };
  const ehIds = (request: FastifyRequest) => {
    const personId = param(request, "personId");
    const earlyHelpId = param(request, "earlyHelpId");
    return personId && earlyHelpId ? { personId, earlyHelpId } : undefined;
  };
  const ehBack = (reply: FastifyReply, ids: { personId: string; earlyHelpId: string }, notice: string) =>
    reply.redirect(`/people/${ids.personId}/pathway/early-help/${ids.earlyHelpId}?notice=${notice}`, 303);

  app.get(
    "/people/:personId/pathway/early-help/:earlyHelpId",
    { preHandler: CASE_ROLES },
    async (request, reply) => {
      const ids = ehIds(request);
      if (!ids) return reply.callNotFound();
      return showEarlyHelp(request, reply, ids, noErrors(), {});
    },
  );

  app.post(
    "/people/:personId/pathway/early-help/:earlyHelpId/members",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const ids = ehIds(request);
      if (!ids) return reply.callNotFound();
      const values = body(request);
      const form = parseForm(
        z.object({
          name: text(200, "Enter the member's name"),
          memberRole: text(200, "Enter their role in the team"),
        }),
        values,
      );
      if (!form.ok) return showEarlyHelp(request, reply, ids, form.errors, values);
      const result = await request.repo.pathways.addTeamMember(ids.earlyHelpId, {
        ...form.values,
        agencyId: null,
        joinedOn: today(),
      });
      if (!result.ok)
        return showEarlyHelp(request, reply, ids, fieldError(result.field ?? "name", result.message), values);
      return ehBack(reply, ids, "member");
    },
  );

  app.post(
    "/people/:personId/pathway/early-help/:earlyHelpId/outcomes",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const ids = ehIds(request);
      if (!ids) return reply.callNotFound();
      const values = body(request);
      const form = parseForm(
        z.object({ description: text(2000, "Enter the outcome the plan aims for") }),
        values,
      );
      if (!form.ok) return showEarlyHelp(request, reply, ids, form.errors, values);
      const result = await request.repo.pathways.addPlanOutcome(ids.earlyHelpId, form.values.description);
      if (!result.ok)
        return showEarlyHelp(
          request,
          reply,
          ids,
          fieldError(result.field ?? "description", result.message),
          values,
        );
      return ehBack(reply, ids, "outcome");
    },
  );

  app.post(
    "/people/:personId/pathway/early-help/:earlyHelpId/actions",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const ids = ehIds(request);
      if (!ids) return reply.callNotFound();
      const values = body(request);
      const form = parseForm(
        z.object({
          actionDescription: text(2000, "Enter the action"),
          owner: text(200, "Enter who will do it"),
          outcomeId: z
            .union([z.uuid(), z.literal("")])
            .optional()
            .transform((value) => (value ? value : null)),
        }),
        values,
      );
      const errors = form.ok ? noErrors() : form.errors;
      const due = readDateInput(values, "dueOn", "due date", { required: true });
      if (!due.ok) Object.assign(errors, mergeErrors(errors, fieldError("dueOn", due.message)));
      if (!form.ok || !due.ok || errors.list.length)
        return showEarlyHelp(request, reply, ids, errors, values);
      const result = await request.repo.pathways.addPlanAction(ids.earlyHelpId, {
        outcomeId: form.values.outcomeId,
        description: form.values.actionDescription,
        owner: form.values.owner,
        dueOn: due.value ?? today(),
      });
      if (!result.ok)
        return showEarlyHelp(
          request,
          reply,
          ids,
          fieldError(result.field ?? "actionDescription", result.message),
          values,
        );
      return ehBack(reply, ids, "action");
    },
  );

  app.post(
    "/people/:personId/pathway/early-help/:earlyHelpId/actions/:actionId/done",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const ids = ehIds(request);
      const actionId = param(request, "actionId");
      if (!ids || !actionId) return reply.callNotFound();
      const result = await request.repo.pathways.completePlanAction(ids.earlyHelpId, actionId, today());
      if (!result.ok) return showEarlyHelp(request, reply, ids, fieldError("actions", result.message), {});
      return ehBack(reply, ids, "done");
    },
  );

  app.post(
    "/people/:personId/pathway/early-help/:earlyHelpId/reviews",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const ids = ehIds(request);
      if (!ids) return reply.callNotFound();
      const values = body(request);
      const errors = noErrors();
      const heldOn = dateField(values, "heldOn", "date of the review", errors);
      const progress: Record<string, (typeof OUTCOME_PROGRESS_CODES)[number]> = {};
      for (const [key, value] of Object.entries(values)) {
        if (!key.startsWith("progress-")) continue;
        const code = OUTCOME_PROGRESS_CODES.find((c) => c === value);
        if (code) progress[key.slice("progress-".length)] = code;
      }
      const notes = String(values.notes ?? "").trim();
      if (notes.length > 8000)
        Object.assign(
          errors,
          mergeErrors(errors, fieldError("notes", "Notes must be 8000 characters or fewer")),
        );
      if (errors.list.length) return showEarlyHelp(request, reply, ids, errors, values);
      const result = await request.repo.pathways.recordEarlyHelpReview(ids.earlyHelpId, {
        heldOn,
        progress,
        notes,
      });
      if (!result.ok)
        return showEarlyHelp(
          request,
          reply,
          ids,
          fieldError(result.field ?? "heldOn", result.message),
          values,
        );
      return ehBack(reply, ids, "review");
    },
  );

  app.post(
    "/people/:personId/pathway/early-help/:earlyHelpId/end",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const ids = ehIds(request);
      if (!ids) return reply.callNotFound();
      const values = body(request);
      const form = parseForm(
        z.object({
          ending: z.enum(EARLY_HELP_ENDING_CODES, { error: "Select why early help is ending" }),
          endingNote: text(4000, "Say what has changed and why"),
        }),
        values,
      );
      let errors = form.ok ? noErrors() : form.errors;
      const endedOn = dateField(values, "endedOn", "date early help ended", errors);
      const stepUp =
        form.ok && form.values.ending === "step-up" ? parseForm(ZRequestForm, values) : undefined;
      if (stepUp && !stepUp.ok) errors = mergeErrors(errors, stepUp.errors);
      if (!form.ok || errors.list.length) return showEarlyHelp(request, reply, ids, errors, values);
      const result = await request.repo.pathways.endEarlyHelp(ids.earlyHelpId, {
        endedOn,
        ending: form.values.ending,
        note: form.values.endingNote,
        stepUp: stepUp?.ok ? { ...stepUp.values, receivedOn: endedOn } : null,
      });
      if (!result.ok)
        return showEarlyHelp(
          request,
          reply,
          ids,
          fieldError(result.field ?? "ending", result.message),
          values,
        );
      if (result.value.requestId)
        return reply.redirect(`/pathways/requests/${result.value.requestId}?sent=1`, 303);
      return reply.redirect(`/people/${ids.personId}/pathway?notice=ended`, 303);
    },
  );

  // Social care episodes.
  const episodeOf = async (request: FastifyRequest) => {
    const personId = param(request, "personId");
    const episodeId = param(request, "episodeId");
    if (!personId || !episodeId) return undefined;
    const pathway = await request.repo.pathways.childPathway(personId);
    const episode = pathway?.episodes.find((e) => e.episodeId === episodeId);
    return pathway && episode ? { pathway, episode, personId } : undefined;
  };

  app.get(
    "/people/:personId/pathway/episodes/:episodeId",
    { preHandler: CASE_ROLES },
    async (request, reply) => {
      const found = await episodeOf(request);
      if (!found) return reply.callNotFound();
      const { pathway, episode } = found;
      const now = today();
      return reply.page("pathways/views/episode.njk", {
        title: "Social care episode",
        child: pathway.child,
        e: episode,
        status: EPISODE_STATUSES[episodeStatus(episode, now)],
        worker: episode.workerUserId ? pathway.workerNames[episode.workerUserId] : null,
        alerts: pathway.alerts.filter((a) => a.href.endsWith(`/episodes/${episode.episodeId}`)),
        next: pathway.mayRecordSocialCare ? nextEventTypes(episode, now) : [],
        canStepDown: pathway.mayRecordSocialCare && episode.closureDate !== null,
        casework: await request.repo.plans.episodeCasework(found.personId, episode.episodeId),
        notice: episodeNotice((request.query as Record<string, unknown>).notice),
        today: now,
        CSC_EVENT_TYPES,
        REFERRAL_SOURCES,
        PRIMARY_NEEDS,
        CLOSURE_REASONS,
        ABUSE_CATEGORIES,
        ASSESSMENT_FACTORS,
        ALERT_TYPES,
      });
    },
  );

  const eventForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    type: CscEventType,
    errors: FormErrors,
    values: Body,
  ) => {
    const found = await episodeOf(request);
    if (!found?.pathway.mayRecordSocialCare) return reply.callNotFound();
    const shape = EVENT_TYPES[type].form;
    const subjects = subjectsFor(found.episode, shape.subject);
    return reply.code(errors.list.length ? 400 : 200).page("pathways/views/event-form.njk", {
      title: CSC_EVENT_TYPES[type],
      child: found.pathway.child,
      e: found.episode,
      type,
      shape,
      subjects,
      workers: shape.worker ? await request.repo.pathways.listSocialWorkers() : [],
      PRIMARY_NEEDS,
      CLOSURE_REASONS,
      ABUSE_CATEGORIES,
      ASSESSMENT_FACTORS,
      errors,
      values: { subjectId: subjects.length === 1 ? subjects[0]?.value : undefined, ...values },
    });
  };
  const eventType = (request: FastifyRequest): CscEventType | undefined => {
    const parsed = z
      .enum(CSC_EVENT_TYPE_CODES)
      .safeParse((request.params as Record<string, unknown>).eventType);
    return parsed.success && parsed.data !== "referral" ? parsed.data : undefined;
  };

  app.get(
    "/people/:personId/pathway/episodes/:episodeId/record/:eventType",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const type = eventType(request);
      if (!type) return reply.callNotFound();
      return eventForm(request, reply, type, noErrors(), dateValues("occurredOn", today()));
    },
  );

  app.post(
    "/people/:personId/pathway/episodes/:episodeId/record/:eventType",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const type = eventType(request);
      const personId = param(request, "personId");
      const episodeId = param(request, "episodeId");
      if (!type || !personId || !episodeId) return reply.callNotFound();
      const values = body(request);
      const form = parseForm(ZEventForm, values);
      const errors = form.ok ? noErrors() : form.errors;
      const occurredOn = dateField(values, "occurredOn", "date", errors);
      const shape = EVENT_TYPES[type].form;
      if (form.ok) {
        const need = (field: string, ok: boolean, message: string) => {
          if (!ok) Object.assign(errors, mergeErrors(errors, fieldError(field, message)));
        };
        if (shape.subject)
          need("subjectId", form.values.subjectId !== null, "Select which one this belongs to");
        if (shape.code && shape.code !== "category-optional")
          need("code", form.values.code !== null, "Select a code from the list");
        if (shape.code === "category" || shape.code === "category-optional")
          need(
            "code",
            form.values.code === null ||
              (ABUSE_CATEGORY_CODES as readonly string[]).includes(form.values.code),
            "Select a category of abuse",
          );
        if (shape.count)
          need("count", form.values.count !== null, "Enter the number of previous plans, or 0");
        if (shape.seen) need("childSeen", form.values.childSeen !== null, "Say whether the child was seen");
        if (shape.alone && form.values.childSeen)
          need("seenAlone", form.values.seenAlone !== null, "Say whether the child was seen alone");
        if (shape.worker) need("workerUserId", form.values.workerUserId !== null, "Select the social worker");
      }
      if (!form.ok || errors.list.length) return eventForm(request, reply, type, errors, values);
      const event: NewCscEvent = {
        eventType: type,
        occurredOn,
        episodeId,
        subjectId: shape.subject ? form.values.subjectId : null,
        code: shape.code ? form.values.code : null,
        codes: shape.factors ? form.values.codes : [],
        count: shape.count ? form.values.count : null,
        childSeen: shape.seen ? form.values.childSeen : null,
        seenAlone: shape.alone ? (form.values.childSeen ? form.values.seenAlone : false) : null,
        workerUserId: shape.worker ? form.values.workerUserId : null,
        note: form.values.note,
      };
      const result = await request.repo.pathways.recordEvent(personId, event);
      if (!result.ok)
        return eventForm(
          request,
          reply,
          type,
          fieldError(result.field ?? "occurredOn", result.message),
          values,
        );
      return reply.redirect(`/people/${personId}/pathway/episodes/${episodeId}?notice=${type}`, 303);
    },
  );

  // Supervision.
  const supervisionForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    errors: FormErrors,
    values: Body,
  ) => {
    const pathway = await request.repo.pathways.childPathway(id);
    if (!pathway) return reply.callNotFound();
    return reply.code(errors.list.length ? 400 : 200).page("pathways/views/supervision-form.njk", {
      title: "Record supervision",
      child: pathway.child,
      workers: await request.repo.pathways.listSocialWorkers(),
      errors,
      values,
    });
  };
  const SUPERVISORS = requireSignedIn("manager", "safeguarding-lead");
  app.get(
    "/people/:personId/pathway/supervision/new",
    { preHandler: SUPERVISORS },
    async (request, reply) => {
      const id = param(request, "personId");
      if (!id) return reply.callNotFound();
      return supervisionForm(request, reply, id, noErrors(), dateValues("heldOn", today()));
    },
  );
  app.post(
    "/people/:personId/pathway/supervision/new",
    { preHandler: SUPERVISORS },
    async (request, reply) => {
      const id = param(request, "personId");
      if (!id) return reply.callNotFound();
      const values = body(request);
      const form = parseForm(
        z.object({
          superviseeUserId: z.uuid({ error: "Select the worker supervised" }),
          reflection: text(8000, "Record the reflection"),
          decisions: text(8000, "Record the decisions"),
          actions: z.string().trim().max(8000).optional().default(""),
        }),
        values,
      );
      const errors = form.ok ? noErrors() : form.errors;
      const heldOn = dateField(values, "heldOn", "date of the supervision", errors);
      if (!form.ok || errors.list.length) return supervisionForm(request, reply, id, errors, values);
      const result = await request.repo.pathways.recordSupervision(id, { ...form.values, heldOn });
      if (!result.ok)
        return supervisionForm(
          request,
          reply,
          id,
          fieldError(result.field ?? "reflection", result.message),
          values,
        );
      return reply.redirect(`/people/${id}/pathway?notice=supervision`, 303);
    },
  );

  // Professional differences.
  const escalationNewForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    errors: FormErrors,
    values: Body,
  ) => {
    const pathway = await request.repo.pathways.childPathway(id);
    if (!pathway) return reply.callNotFound();
    return reply.code(errors.list.length ? 400 : 200).page("pathways/views/escalation-new.njk", {
      title: "Raise a professional difference",
      child: pathway.child,
      about: await request.repo.escalations.aboutOptions(id),
      FRONT_DOOR_OUTCOMES,
      errors,
      values,
    });
  };
  app.get("/people/:personId/pathway/escalations/new", { preHandler: RECORDERS }, async (request, reply) => {
    const id = param(request, "personId");
    if (!id) return reply.callNotFound();
    return escalationNewForm(request, reply, id, noErrors(), dateValues("raisedOn", today()));
  });
  app.post("/people/:personId/pathway/escalations/new", { preHandler: RECORDERS }, async (request, reply) => {
    const id = param(request, "personId");
    if (!id) return reply.callNotFound();
    const values = body(request);
    const form = parseForm(
      z.object({ disagreement: text(8000, "Describe the disagreement about the plan") }),
      values,
    );
    const errors = form.ok ? noErrors() : form.errors;
    const raisedOn = dateField(values, "raisedOn", "date it was raised", errors);
    if (!form.ok || errors.list.length) return escalationNewForm(request, reply, id, errors, values);
    // "request:<id>" (a front-door decision) or "agency:<id>"; anything else is about the plan generally.
    const about = /^(request|agency):([0-9a-f-]{36})$/.exec(String(values.about ?? ""));
    const result = await request.repo.pathways.raiseEscalation(id, {
      raisedOn,
      disagreement: form.values.disagreement,
      aboutRequestId: about?.[1] === "request" ? about[2] : null,
      aboutAgencyId: about?.[1] === "agency" ? about[2] : null,
    });
    if (!result.ok)
      return escalationNewForm(
        request,
        reply,
        id,
        fieldError(result.field ?? "disagreement", result.message),
        values,
      );
    return reply.redirect(`/escalations/${result.value.escalationId}`, 303);
  });

  // Alerts.
  app.get(
    "/pathways/alerts",
    { preHandler: requireSignedIn("practitioner", "manager", "safeguarding-lead", "front-door") },
    async (request, reply) => {
      const alerts = await request.repo.pathways.myAlerts();
      const query = request.query as Record<string, unknown>;
      const filter = alertFilterFrom(query);
      const grouped = groupAlerts(alerts, filter);
      const shown = alertPage(grouped, query.page);
      const hrefFor = (n: number) =>
        `/pathways/alerts?${new URLSearchParams({
          ...(filter.severity ? { severity: filter.severity } : {}),
          ...(filter.kind ? { kind: filter.kind } : {}),
          page: String(n),
        })}`;
      return reply.page("pathways/views/alerts.njk", {
        title:
          shown.page > 1
            ? `Drift and oversight alerts (page ${shown.page} of ${shown.pageCount})`
            : "Drift and oversight alerts",
        grouped: { ...grouped, groups: shown.groups },
        children: grouped.groups.length,
        firstChild: shown.firstChild,
        pageCount: shown.pageCount,
        pagination: paginationFor(shown.page, shown.pageCount, hrefFor),
        filter,
        role: request.repo.context?.role,
        ALERT_TYPES,
        SEVERITIES,
      });
    },
  );
};

/**
 * The banner after recording a social care event. The query string carries only the event's code, mapped
 * here to fixed text, so a crafted link cannot put words of its own in a success banner.
 * @returns The message, or undefined for anything but a known event type code.
 */
export const episodeNotice = (code: unknown): string | undefined =>
  typeof code === "string" && Object.hasOwn(CSC_EVENT_TYPES, code)
    ? `Recorded: ${CSC_EVENT_TYPES[code as CscEventType]}`
    : undefined;
