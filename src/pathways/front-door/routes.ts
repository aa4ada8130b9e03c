// SPDX-License-Identifier: MIT
/**
 * Step-down from a closed social care case to early help: a form naming the lead professional and the
 * team around the family, with the reason. Works without JavaScript; the handler calls the repository only.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { AppContext } from "../../web/app.ts";
import { dateInputValues } from "../../web/dates.ts";
import { asList, type FormErrors, noErrors, parseForm, showForm } from "../../web/forms.ts";
import { formBody, idParams } from "../../web/request-values.ts";
import { CLOSURE_REASONS } from "../codes.ts";
import { type Body, dateField, RECORDERS, refusal, today } from "../route-kit.ts";

const ZStepDownForm = z.object({
  leadUserId: z.uuid({ error: "Select the lead professional for early help" }),
  teamAgencyIds: z.preprocess(asList, z.array(z.uuid({ error: "Select agencies from the list" })).max(30)),
  reason: z
    .string()
    .trim()
    .min(1, "Say why the case is stepping down to early help")
    .max(4000, "Say why the case is stepping down to early help (4000 characters at most)"),
});

export const registerFrontDoorRoutes = ({ app }: AppContext): void => {
  const ids = (request: FastifyRequest) => idParams(request, "personId", "episodeId");

  const stepDownForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    at: { personId: string; episodeId: string },
    errors: FormErrors,
    values: Body,
  ) => {
    const choices = await request.repo.cases.stepDownChoices(at.personId, at.episodeId);
    const pathway = choices ? await request.repo.pathways.childPathway(at.personId) : undefined;
    if (!choices || !pathway) return reply.callNotFound();
    return showForm(reply, "pathways/views/step-down.njk", errors, {
      title: "Step down to early help",
      child: pathway.child,
      episodeId: at.episodeId,
      closure: choices.closure,
      stepped: choices.stepped,
      earlyHelpChoices: { leads: choices.leads, agencies: choices.agencies },
      CLOSURE_REASONS,
      values: { ...values, teamAgencyIds: asList(values.teamAgencyIds) },
    });
  };

  const path = "/people/:personId/pathway/episodes/:episodeId/step-down";
  app.get(path, { preHandler: RECORDERS }, async (request, reply) => {
    const at = ids(request);
    if (!at) return reply.callNotFound();
    return stepDownForm(request, reply, at, noErrors(), dateInputValues("steppedDownOn", today()));
  });

  app.post(path, { preHandler: RECORDERS }, async (request, reply) => {
    const at = ids(request);
    if (!at) return reply.callNotFound();
    const values = formBody(request);
    const form = parseForm(ZStepDownForm, values);
    const errors = form.ok ? noErrors() : form.errors;
    const steppedDownOn = dateField(values, "steppedDownOn", "date of the step-down", errors);
    if (!form.ok || errors.list.length) return stepDownForm(request, reply, at, errors, values);
    const result = await request.repo.cases.stepDown(at.personId, at.episodeId, {
      ...form.values,
      steppedDownOn,
    });
    if (!result.ok) return stepDownForm(request, reply, at, refusal(result, "reason"), values);
    return reply.redirect(`/people/${at.personId}/pathway/early-help/${result.value.earlyHelpId}`, 303);
  });
};
