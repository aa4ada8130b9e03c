// SPDX-License-Identifier: MIT
/**
 * A child's pathway page, and the forms recorded from it about the child: a level of need, and
 * supervision (managers and safeguarding leads).
 */
import { z } from "zod";
import { mayRecord } from "../../data/child-access.ts";
import { can } from "../../kernel/policy.ts";
import type { AppContext } from "../../web/app.ts";
import { optionalId, optionalText, requiredText } from "../../web/forms.ts";
import { requireAllowed } from "../../web/guards.ts";
import { idParam } from "../../web/request-values.ts";
import { ALERT_TYPES } from "../alerts.ts";
import { EARLY_HELP_ENDINGS, FRONT_DOOR_OUTCOMES, RAG_RATINGS, REFERRAL_SOURCES } from "../codes.ts";
import { EPISODE_STATUSES, episodeStatus } from "../episodes.ts";
import { ESCALATION_STAGES } from "../escalation.ts";
import { CASE_ROLES, childForm, RECORDERS, today } from "../route-kit.ts";

const ZLevelForm = z.object({
  chosenLevel: requiredText(40, "Select the level of need"),
  suggestedLevel: optionalText(40),
  suggestionSource: optionalText(200),
  rationale: requiredText(4000, "Explain why this level fits"),
  approverUserId: optionalId(),
});

const ZSupervisionForm = z.object({
  superviseeUserId: z.uuid({ error: "Select the worker supervised" }),
  reflection: requiredText(8000, "Record the reflection"),
  decisions: requiredText(8000, "Record the decisions"),
  actions: z.string().trim().max(8000).optional().default(""),
});

const SUPERVISORS = requireAllowed("pathway.supervise");

export const registerChildPathwayRoutes = ({ app }: AppContext): void => {
  app.get("/people/:personId/pathway", { preHandler: CASE_ROLES }, async (request, reply) => {
    const id = idParam(request, "personId");
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
      canSupervise: ctx ? can(ctx.role, "pathway.supervise") : false,
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

  childForm(app, {
    path: "/people/:personId/pathway/level",
    preHandler: RECORDERS,
    schema: ZLevelForm,
    dates: [["decidedOn", "date of the decision"]],
    view: "pathways/views/level-form.njk",
    title: "Record a level of need",
    data: async (request, pathway) => ({
      levels: pathway.levels,
      approvers: await request.repo.pathways.levelApprovers(),
    }),
    save: (request, id, form, { decidedOn }) =>
      request.repo.pathways.recordLevelDecision(id, { ...form, decidedOn }),
    refusedField: "chosenLevel",
    next: (id) => `/people/${id}/pathway?notice=level`,
  });

  childForm(app, {
    path: "/people/:personId/pathway/supervision/new",
    preHandler: SUPERVISORS,
    schema: ZSupervisionForm,
    dates: [["heldOn", "date of the supervision"]],
    view: "pathways/views/supervision-form.njk",
    title: "Record supervision",
    data: async (request) => ({ workers: await request.repo.pathways.listSocialWorkers() }),
    save: (request, id, form, { heldOn }) => request.repo.pathways.recordSupervision(id, { ...form, heldOn }),
    refusedField: "reflection",
    next: (id) => `/people/${id}/pathway?notice=supervision`,
  });
};
