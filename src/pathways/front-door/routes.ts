// SPDX-License-Identifier: MIT
/**
 * Step-down from a closed social care case to early help: a form naming the lead professional and the
 * team around the family, with the reason. Works without JavaScript; the handler calls the repository only.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { todayInEngland } from "../../chronology/dates.ts";
import type { AppContext } from "../../web/app.ts";
import { readDateInput } from "../../web/dates.ts";
import { type FormErrors, fieldError, noErrors, parseForm } from "../../web/forms.ts";
import { requireSignedIn } from "../../web/guards.ts";
import { CLOSURE_REASONS } from "../codes.ts";

const STEPPERS = requireSignedIn("practitioner", "manager", "safeguarding-lead", "front-door");
const ZId = z.uuid();
type Body = Record<string, unknown>;

/** A form field sent once, many times or not at all, as a list. */
export const asList = (value: unknown): string[] =>
  value === undefined || value === null || value === ""
    ? []
    : Array.isArray(value)
      ? value.map(String)
      : [String(value)];

const ZStepDownForm = z.object({
  leadUserId: z.uuid({ error: "Select the lead professional for early help" }),
  teamAgencyIds: z.preprocess(asList, z.array(z.uuid({ error: "Select agencies from the list" })).max(30)),
  reason: z
    .string()
    .trim()
    .min(1, "Say why the case is stepping down to early help")
    .max(4000, "Say why the case is stepping down to early help (4000 characters at most)"),
});

const merge = (a: FormErrors, b: FormErrors): FormErrors => ({
  fields: { ...b.fields, ...a.fields },
  list: [...a.list, ...b.list.filter((item) => !a.fields[item.href.slice(1)])],
});

export const registerFrontDoorRoutes = ({ app }: AppContext): void => {
  const ids = (request: FastifyRequest) => {
    const params = request.params as Record<string, unknown>;
    const personId = ZId.safeParse(params.personId);
    const episodeId = ZId.safeParse(params.episodeId);
    return personId.success && episodeId.success
      ? { personId: personId.data, episodeId: episodeId.data }
      : undefined;
  };

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
    return reply.code(errors.list.length ? 400 : 200).page("pathways/views/step-down.njk", {
      title: "Step down to early help",
      child: pathway.child,
      episodeId: at.episodeId,
      closure: choices.closure,
      stepped: choices.stepped,
      earlyHelpChoices: { leads: choices.leads, agencies: choices.agencies },
      CLOSURE_REASONS,
      errors,
      values: { ...values, teamAgencyIds: asList(values.teamAgencyIds) },
    });
  };

  const path = "/people/:personId/pathway/episodes/:episodeId/step-down";
  app.get(path, { preHandler: STEPPERS }, async (request, reply) => {
    const at = ids(request);
    if (!at) return reply.callNotFound();
    const today = todayInEngland();
    return stepDownForm(request, reply, at, noErrors(), {
      "steppedDownOn-day": String(Number(today.slice(8, 10))),
      "steppedDownOn-month": String(Number(today.slice(5, 7))),
      "steppedDownOn-year": today.slice(0, 4),
    });
  });

  app.post(path, { preHandler: STEPPERS }, async (request, reply) => {
    const at = ids(request);
    if (!at) return reply.callNotFound();
    const values = (request.body ?? {}) as Body;
    const form = parseForm(ZStepDownForm, values);
    let errors = form.ok ? noErrors() : form.errors;
    const date = readDateInput(values, "steppedDownOn", "date of the step-down", {
      required: true,
      future: "refused",
    });
    if (!date.ok) errors = merge(errors, fieldError("steppedDownOn", date.message));
    if (!form.ok || !date.ok || errors.list.length) return stepDownForm(request, reply, at, errors, values);
    const result = await request.repo.cases.stepDown(at.personId, at.episodeId, {
      ...form.values,
      steppedDownOn: date.value ?? todayInEngland(),
    });
    if (!result.ok)
      return stepDownForm(request, reply, at, fieldError(result.field ?? "reason", result.message), values);
    return reply.redirect(`/people/${at.personId}/pathway/early-help/${result.value.earlyHelpId}`, 303);
  });
};
