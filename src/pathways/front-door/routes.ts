// SPDX-License-Identifier: MIT
/**
 * Step-down from a closed social care case to early help: a form naming the lead professional and the
 * team around the family, with the reason. Works without JavaScript; the handler calls the repository only.
 */
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { AppContext } from "../../web/app.ts";
import { dateInputValues } from "../../web/dates.ts";
import { formRoute, readingOf } from "../../web/form-route.ts";
import { asList, noErrors, parseForm } from "../../web/forms.ts";
import { idParams } from "../../web/request-values.ts";
import { CLOSURE_REASONS } from "../codes.ts";
import { dateField, RECORDERS, today } from "../route-kit.ts";

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

  formRoute(app, {
    path: "/people/:personId/pathway/episodes/:episodeId/step-down",
    preHandler: RECORDERS,
    view: "pathways/views/step-down.njk",
    page: async (request) => {
      const at = ids(request);
      const choices = at && (await request.repo.cases.stepDownChoices(at.personId, at.episodeId));
      const pathway = at && choices ? await request.repo.pathways.childPathway(at.personId) : undefined;
      if (!at || !choices || !pathway) return undefined;
      return {
        title: "Step down to early help",
        child: pathway.child,
        episodeId: at.episodeId,
        closure: choices.closure,
        stepped: choices.stepped,
        earlyHelpChoices: { leads: choices.leads, agencies: choices.agencies },
        CLOSURE_REASONS,
      };
    },
    initial: () => dateInputValues("steppedDownOn", today()),
    read: (body, request) => {
      const at = ids(request);
      if (!at) return undefined;
      const form = parseForm(ZStepDownForm, body);
      const errors = form.ok ? noErrors() : form.errors;
      const steppedDownOn = dateField(body, "steppedDownOn", "date of the step-down", errors);
      return form.ok ? readingOf(errors, { ...at, ...form.values, steppedDownOn }) : { ok: false, errors };
    },
    save: (request, { personId, episodeId, ...stepDown }) =>
      request.repo.cases.stepDown(personId, episodeId, stepDown),
    refusedField: "reason",
    next: (stepped, { personId }) => `/people/${personId}/pathway/early-help/${stepped.earlyHelpId}`,
  });
};
