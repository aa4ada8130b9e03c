// SPDX-License-Identifier: MIT
/**
 * Early help pages: starting it for a child, and its page with the team around the family, the plan's
 * outcomes and actions, reviews, and ending it (stepping up sends a request for support).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { ChangeResult } from "../../data/repository-scope.ts";
import { CONSENT_STATES } from "../../people/codes.ts";
import type { AppContext } from "../../web/app.ts";
import { dateInputValues, readDateInput } from "../../web/dates.ts";
import {
  addError,
  type FormErrors,
  fieldError,
  mergeErrors,
  noErrors,
  optionalId,
  parseForm,
  requiredText,
  showForm,
} from "../../web/forms.ts";
import { forbidden } from "../../web/guards.ts";
import { formBody, idParam, idParams } from "../../web/request-values.ts";
import { ALERT_TYPES } from "../alerts.ts";
import {
  EARLY_HELP_ENDING_CODES,
  EARLY_HELP_ENDINGS,
  OUTCOME_PROGRESS,
  OUTCOME_PROGRESS_CODES,
} from "../codes.ts";
import { ZRequestForm } from "../requests/routes.ts";
import { type Body, CASE_ROLES, childForm, dateField, RECORDERS, refusal, today } from "../route-kit.ts";

const ZEarlyHelpForm = z.object({
  assessmentSummary: requiredText(8000, "Summarise the early help assessment"),
  reviewIntervalWeeks: z.coerce
    .number({ error: "Enter the weeks between reviews, from 1 to 26" })
    .int("Enter the weeks between reviews, from 1 to 26")
    .min(1, "Enter the weeks between reviews, from 1 to 26")
    .max(26, "Enter the weeks between reviews, from 1 to 26"),
  consent: z.literal("yes", { error: "Early help needs the family's consent: confirm it was given" }),
  supportRequestId: optionalId(),
});

type EarlyHelpIds = { personId: string; earlyHelpId: string };

/** What a change on the early help page comes to: the page again with errors, or where to go next. */
type Outcome = FormErrors | { notice: string } | { redirect: string } | { denied: true } | undefined;

/** The repository's refusal: of access (answered 403, audited by the repository), or the page again. */
const refused = (result: { message: string; field?: string; denied?: true }, field: string): Outcome =>
  result.denied ? { denied: true } : refusal(result, field);

/** Back to the early help page with this notice, or the repository's refusal. */
const savedOr = (result: ChangeResult<unknown>, notice: string, field: string): Outcome =>
  result.ok ? { notice } : refused(result, field);

export const registerEarlyHelpRoutes = ({ app }: AppContext): void => {
  childForm(app, {
    path: "/people/:personId/pathway/early-help/new",
    preHandler: RECORDERS,
    view: "pathways/views/early-help-new.njk",
    title: "Start early help",
    schema: ZEarlyHelpForm,
    dates: [
      ["consentOn", "date consent was given"],
      ["startedOn", "date the assessment started"],
    ],
    initial: { reviewIntervalWeeks: "6" },
    data: async (_request, pathway) => ({
      requests: pathway.requests.filter((r) => r.outcome === "early-help" && !r.early_help_id),
    }),
    save: (request, id, form, { consentOn, startedOn }) =>
      request.repo.pathways.startEarlyHelp(id, {
        startedOn,
        consentOn,
        assessmentSummary: form.assessmentSummary,
        reviewIntervalWeeks: form.reviewIntervalWeeks,
        supportRequestId: form.supportRequestId,
        steppedDownFromEpisodeId: null,
      }),
    refusedField: "assessmentSummary",
    next: (id, saved) => `/people/${id}/pathway/early-help/${saved.earlyHelpId}`,
  });

  // Early help: the plan, team and reviews.
  const showEarlyHelp = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ids: EarlyHelpIds,
    errors: FormErrors,
    values: Body,
  ) => {
    const pathway = await request.repo.pathways.childPathway(ids.personId);
    const eh = pathway?.earlyHelp.find((h) => h.early_help_id === ids.earlyHelpId);
    if (!pathway || !eh) return reply.callNotFound();
    const query = request.query as Record<string, string | undefined>;
    return showForm(reply, "pathways/views/early-help.njk", errors, {
      title: "Early help",
      child: pathway.child,
      eh,
      alerts: pathway.alerts.filter((a) => a.href.endsWith(`/early-help/${eh.early_help_id}`)),
      // The team around the family changes it; other agencies read it.
      canChange: await request.repo.pathways.mayChangeEarlyHelp(eh.early_help_id),
      levels: pathway.levels,
      ALERT_TYPES,
      notice: query.notice,
      today: today(),
      CONSENT_STATES,
      OUTCOME_PROGRESS,
      EARLY_HELP_ENDINGS,
      values: {
        ...dateInputValues("heldOn", today()),
        ...dateInputValues("endedOn", today()),
        ...dateInputValues("dueOn", today()),
        ...values,
      },
    });
  };
  const ehIds = (request: FastifyRequest): EarlyHelpIds | undefined =>
    idParams(request, "personId", "earlyHelpId");

  app.get(
    "/people/:personId/pathway/early-help/:earlyHelpId",
    { preHandler: CASE_ROLES },
    async (request, reply) => {
      const ids = ehIds(request);
      if (!ids) return reply.callNotFound();
      return showEarlyHelp(request, reply, ids, noErrors(), {});
    },
  );

  /**
   * A change posted from the early help page: on errors the page again (with what was entered, unless
   * `echo` is false), otherwise back to the page with a notice, or on to a redirect.
   */
  const change = (
    path: string,
    work: (request: FastifyRequest, ids: EarlyHelpIds, values: Body) => Promise<Outcome>,
    echo = true,
  ) =>
    app.post(
      `/people/:personId/pathway/early-help/:earlyHelpId/${path}`,
      { preHandler: RECORDERS },
      async (request, reply) => {
        const ids = ehIds(request);
        if (!ids) return reply.callNotFound();
        const values = formBody(request);
        const outcome = await work(request, ids, values);
        if (!outcome) return reply.callNotFound();
        if ("denied" in outcome) return forbidden(reply);
        if ("list" in outcome) return showEarlyHelp(request, reply, ids, outcome, echo ? values : {});
        if ("redirect" in outcome) return reply.redirect(outcome.redirect, 303);
        return reply.redirect(
          `/people/${ids.personId}/pathway/early-help/${ids.earlyHelpId}?notice=${outcome.notice}`,
          303,
        );
      },
    );

  change("members", async (request, ids, values) => {
    const form = parseForm(
      z.object({
        name: requiredText(200, "Enter the member's name"),
        memberRole: requiredText(200, "Enter their role in the team"),
      }),
      values,
    );
    if (!form.ok) return form.errors;
    const result = await request.repo.pathways.addTeamMember(ids.earlyHelpId, {
      ...form.values,
      agencyId: null,
      joinedOn: today(),
    });
    return savedOr(result, "member", "name");
  });

  change("outcomes", async (request, ids, values) => {
    const form = parseForm(
      z.object({ description: requiredText(2000, "Enter the outcome the plan aims for") }),
      values,
    );
    if (!form.ok) return form.errors;
    const result = await request.repo.pathways.addPlanOutcome(ids.earlyHelpId, form.values.description);
    return savedOr(result, "outcome", "description");
  });

  change("actions", async (request, ids, values) => {
    const form = parseForm(
      z.object({
        actionDescription: requiredText(2000, "Enter the action"),
        owner: requiredText(200, "Enter who will do it"),
        outcomeId: optionalId(),
      }),
      values,
    );
    const errors = form.ok ? noErrors() : form.errors;
    const due = readDateInput(values, "dueOn", "due date", { required: true });
    if (!due.ok) addError(errors, "dueOn", due.message);
    if (!form.ok || !due.ok || errors.list.length) return errors;
    const result = await request.repo.pathways.addPlanAction(ids.earlyHelpId, {
      outcomeId: form.values.outcomeId,
      description: form.values.actionDescription,
      owner: form.values.owner,
      dueOn: due.value ?? today(),
    });
    return savedOr(result, "action", "actionDescription");
  });

  change(
    "actions/:actionId/done",
    async (request, ids) => {
      const actionId = idParam(request, "actionId");
      if (!actionId) return undefined;
      const result = await request.repo.pathways.completePlanAction(ids.earlyHelpId, actionId, today());
      return result.ok
        ? { notice: "done" }
        : result.denied
          ? { denied: true }
          : fieldError("actions", result.message);
    },
    false,
  );

  change("reviews", async (request, ids, values) => {
    const errors = noErrors();
    const heldOn = dateField(values, "heldOn", "date of the review", errors);
    const progress: Record<string, (typeof OUTCOME_PROGRESS_CODES)[number]> = {};
    for (const [key, value] of Object.entries(values)) {
      if (!key.startsWith("progress-")) continue;
      const code = OUTCOME_PROGRESS_CODES.find((c) => c === value);
      if (code) progress[key.slice("progress-".length)] = code;
    }
    const notes = String(values.notes ?? "").trim();
    if (notes.length > 8000) addError(errors, "notes", "Notes must be 8000 characters or fewer");
    if (errors.list.length) return errors;
    const result = await request.repo.pathways.recordEarlyHelpReview(ids.earlyHelpId, {
      heldOn,
      progress,
      notes,
    });
    return savedOr(result, "review", "heldOn");
  });

  change("end", async (request, ids, values) => {
    const form = parseForm(
      z.object({
        ending: z.enum(EARLY_HELP_ENDING_CODES, { error: "Select why early help is ending" }),
        endingNote: requiredText(4000, "Say what has changed and why"),
      }),
      values,
    );
    let errors = form.ok ? noErrors() : form.errors;
    const endedOn = dateField(values, "endedOn", "date early help ended", errors);
    const stepUp = form.ok && form.values.ending === "step-up" ? parseForm(ZRequestForm, values) : undefined;
    if (stepUp && !stepUp.ok) errors = mergeErrors(errors, stepUp.errors);
    if (!form.ok || errors.list.length) return errors;
    const result = await request.repo.pathways.endEarlyHelp(ids.earlyHelpId, {
      endedOn,
      ending: form.values.ending,
      note: form.values.endingNote,
      stepUp: stepUp?.ok ? { ...stepUp.values, receivedOn: endedOn } : null,
    });
    if (!result.ok) return refused(result, "ending");
    return {
      redirect: result.value.requestId
        ? `/pathways/requests/${result.value.requestId}?sent=1`
        : `/people/${ids.personId}/pathway?notice=ended`,
    };
  });
};
