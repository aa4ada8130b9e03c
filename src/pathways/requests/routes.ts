// SPDX-License-Identifier: MIT
/**
 * Requests for support: making one about a child, the referrer's agency's list with the outcomes, one
 * request (with the front door's rating and decision form while it waits), and the front door's queue.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { can } from "../../kernel/policy.ts";
import { CONSENT_STATE_CODES, CONSENT_STATES, RELATIONSHIP_TYPES } from "../../people/codes.ts";
import type { AppContext } from "../../web/app.ts";
import { dateInputValues } from "../../web/dates.ts";
import {
  addError,
  asList,
  type FormErrors,
  noErrors,
  optionalId,
  optionalText,
  parseForm,
  requiredText,
  showForm,
} from "../../web/forms.ts";
import { requireAllowed } from "../../web/guards.ts";
import { formBody, idParam } from "../../web/request-values.ts";
import { FRONT_DOOR_OUTCOME_CODES, FRONT_DOOR_OUTCOMES, RAG_RATING_CODES, RAG_RATINGS } from "../codes.ts";
import { describeLevel } from "../level-of-need.ts";
import { formatTimescale } from "../present.ts";
import { type Body, childForm, dateField, FRONT_DOOR, RECORDERS, refusal, today } from "../route-kit.ts";

const REQUEST_READERS = requireAllowed("requests.read");

/** A request for support's own fields: made from a child's pathway, or when early help steps up. */
export const ZRequestForm = z
  .object({
    concerns: requiredText(8000, "Describe your concerns for the child"),
    whatTried: requiredText(8000, "Say what has been tried already"),
    consent: z.enum(CONSENT_STATE_CODES, { error: "Select whether the family consented to this request" }),
    consentReason: optionalText(2000),
    referrerLevel: optionalText(40),
  })
  .refine((form) => form.consent === "given" || form.consentReason, {
    path: ["consentReason"],
    message: "Say why consent was not sought, or what the family said",
  });

const ZDecisionForm = z.object({
  rag: z.enum(RAG_RATING_CODES, { error: "Select a RAG rating" }),
  outcome: z.enum(FRONT_DOOR_OUTCOME_CODES, { error: "Select the outcome" }),
  reason: requiredText(4000, "Enter the reason for the decision"),
  workerUserId: optionalId(),
  leadUserId: optionalId("Select the lead professional from the list"),
  teamAgencyIds: z.preprocess(asList, z.array(z.uuid({ error: "Select agencies from the list" })).max(30)),
  chosenLevel: optionalText(40),
});

export const registerRequestRoutes = ({ app }: AppContext): void => {
  childForm(app, {
    path: "/people/:personId/pathway/request",
    preHandler: RECORDERS,
    view: "pathways/views/request-form.njk",
    title: "Request support for a child",
    schema: ZRequestForm,
    dates: [["receivedOn", "date of the request"]],
    data: async (_request, pathway) => ({ levels: pathway.levels, CONSENT_STATES }),
    save: (request, id, form, { receivedOn }) =>
      request.repo.pathways.submitRequest(id, { ...form, receivedOn }),
    refusedField: "concerns",
    next: (_id, saved) => `/pathways/requests/${saved.requestId}?sent=1`,
  });

  // The referrer's requests and their outcomes.
  app.get("/pathways/requests", { preHandler: REQUEST_READERS }, async (request, reply) =>
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
    const decides = ctx ? can(ctx.role, "front-door.work") && found.outcome === null : false;
    const picture = await request.repo.cases.requestPicture(id);
    const levels = await request.repo.pathways.needLevels();
    return showForm(reply, "pathways/views/request.njk", errors, {
      title: "Request for support",
      r: found,
      decides,
      picture,
      referrerLevel: describeLevel(found.referrer_level, levels),
      earlyHelpChoices: decides ? await request.repo.cases.earlyHelpChoices() : { leads: [], agencies: [] },
      RELATIONSHIP_TYPES,
      workers: decides ? await request.repo.pathways.listSocialWorkers() : [],
      levels: decides ? levels : [],
      timescale: formatTimescale(found.due_on, found.decided_on, today()),
      sent: (request.query as Record<string, string | undefined>).sent === "1",
      CONSENT_STATES,
      FRONT_DOOR_OUTCOMES,
      RAG_RATINGS,
      values,
    });
  };
  app.get("/pathways/requests/:requestId", { preHandler: REQUEST_READERS }, async (request, reply) => {
    const id = idParam(request, "requestId");
    if (!id) return reply.callNotFound();
    return showRequest(request, reply, id, noErrors(), dateInputValues("decidedOn", today()));
  });
  app.post("/pathways/requests/:requestId/decision", { preHandler: FRONT_DOOR }, async (request, reply) => {
    const id = idParam(request, "requestId");
    if (!id) return reply.callNotFound();
    const values = formBody(request);
    const form = parseForm(ZDecisionForm, values);
    const errors = form.ok ? noErrors() : form.errors;
    // Checked here as well as in the repository, so every error shows on the first submit.
    const outcome = values.outcome;
    if ((outcome === "s17" || outcome === "s47") && !values.workerUserId)
      addError(errors, "workerUserId", "Select the social worker to allocate");
    if (outcome === "early-help" && !values.leadUserId)
      addError(errors, "leadUserId", "Select the lead professional for early help");
    const decidedOn = dateField(values, "decidedOn", "date of the decision", errors);
    if (!form.ok || errors.list.length) return showRequest(request, reply, id, errors, values);
    const result = await request.repo.pathways.decideRequest(id, { ...form.values, decidedOn });
    if (!result.ok) return showRequest(request, reply, id, refusal(result, "outcome"), values);
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
};
