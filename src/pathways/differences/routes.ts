// SPDX-License-Identifier: MIT
/**
 * Raising a professional difference about a child's plan, from the child's pathway. Once raised it is
 * worked on its own page (src/escalations).
 */
import { z } from "zod";
import type { AppContext } from "../../web/app.ts";
import { requiredText } from "../../web/forms.ts";
import { FRONT_DOOR_OUTCOMES } from "../codes.ts";
import { childForm, RECORDERS } from "../route-kit.ts";

export const registerDifferenceRoutes = ({ app }: AppContext): void => {
  childForm(app, {
    path: "/people/:personId/pathway/escalations/new",
    preHandler: RECORDERS,
    view: "pathways/views/escalation-new.njk",
    title: "Raise a professional difference",
    schema: z.object({ disagreement: requiredText(8000, "Describe the disagreement about the plan") }),
    dates: [["raisedOn", "date it was raised"]],
    data: async (request, _pathway, id) => ({
      about: await request.repo.escalations.aboutOptions(id),
      FRONT_DOOR_OUTCOMES,
    }),
    save: (request, id, form, { raisedOn }, values) => {
      // "request:<id>" (a front-door decision) or "agency:<id>"; anything else is about the plan generally.
      const about = /^(request|agency):([0-9a-f-]{36})$/.exec(String(values.about ?? ""));
      return request.repo.pathways.raiseEscalation(id, {
        raisedOn,
        disagreement: form.disagreement,
        aboutRequestId: about?.[1] === "request" ? about[2] : null,
        aboutAgencyId: about?.[1] === "agency" ? about[2] : null,
      });
    },
    refusedField: "disagreement",
    next: (_id, saved) => `/escalations/${saved.escalationId}`,
  });
};
