// SPDX-License-Identifier: MIT
/**
 * The assessment pages: choosing a tool, completing it (with the family and the child), results, change
 * over time, and the administrator's tool library. Every page works without JavaScript: a section is
 * saved as a whole form, and the suggestion for a domain is worked out from the answers saved. This file
 * has a child's list of assessments, an assessment's overview and change over time, and registers the
 * rest by sub-area: sections, the other draft pages, sign-off and the tool library.
 */
import { todayInEngland } from "../kernel/calendar.ts";
import type { AppContext } from "../web/app.ts";
import { dateInputValues } from "../web/dates.ts";
import { formRoute } from "../web/form-route.ts";
import { noErrors } from "../web/forms.ts";
import { notFound, requireAllowed } from "../web/guards.ts";
import { byPathId, idParam } from "../web/request-values.ts";
import { loadAssessmentView, presentResults, taskList, VIEW_GLOBALS } from "./assessment-pages.ts";
import { distanceTravelled, domainChart } from "./change-chart.ts";
import { registerDraftRoutes } from "./draft-routes.ts";
import { CASE_ROLES, RECORDERS, readStartForm } from "./route-helpers.ts";
import { registerSectionRoutes } from "./section-routes.ts";
import { registerSignOffRoutes } from "./sign-off-routes.ts";
import { registerToolLibraryRoutes } from "./tool-routes.ts";

const ADMINISTRATORS = requireAllowed("admin.assessment-tools");

export const registerAssessmentRoutes = ({ app }: AppContext): void => {
  // A child's assessments, and starting one: those who may read the record see the list, recorders start.
  formRoute(app, {
    path: "/people/:personId/assessments",
    preHandler: { show: CASE_ROLES, save: RECORDERS },
    view: "assessments/views/child.njk",
    page: async (request) => {
      const list = await byPathId(request, "personId", (id) => request.repo.assessments.listForChild(id));
      return (
        list && {
          title: `Assessments: ${list.person.given_names} ${list.person.family_name}`,
          ...list,
          ...VIEW_GLOBALS,
        }
      );
    },
    initial: () => dateInputValues("assessedOn", todayInEngland()),
    read: (body, request) => readStartForm(body, request),
    save: (request, { personId, ...start }) => request.repo.assessments.startAssessment(personId, start),
    refusedField: "toolId",
    next: (started) => `/assessments/${started.assessmentId}`,
  });

  app.get("/assessments/:assessmentId", { preHandler: CASE_ROLES }, async (request, reply) => {
    const view = await loadAssessmentView(request, reply);
    if (!view) return reply;
    const query = request.query as Record<string, string>;
    const notice = query.saved
      ? "Your changes have been saved"
      : query.returned
        ? "The assessment has been returned to the practitioner, who has been told your reason"
        : undefined;
    return reply.page("assessments/views/assessment.njk", {
      title: `${view.assessment.tool_name}: ${view.assessment.given_names} ${view.assessment.family_name}`,
      ...view,
      ...presentResults(view),
      sections: taskList(view),
      notice,
      errors: noErrors(),
      values: {},
      ...VIEW_GLOBALS,
    });
  });

  // Change over time with one tool.
  app.get(
    "/people/:personId/assessments/change/:toolId",
    { preHandler: CASE_ROLES },
    async (request, reply) => {
      const personId = idParam(request, "personId");
      const toolId = idParam(request, "toolId");
      const change =
        personId && toolId ? await request.repo.assessments.changeOverTime(personId, toolId) : undefined;
      if (!change) return notFound(reply);
      const subject = `${change.person.given_names} ${change.person.family_name}`;
      return reply.page("assessments/views/change.njk", {
        title: `Change over time: ${subject}`,
        ...change,
        charts: change.domains.map((d) => ({
          ...d,
          svg: domainChart(d, subject),
          distance: distanceTravelled(d),
        })),
        ...VIEW_GLOBALS,
      });
    },
  );

  // The administrator's tool library: versions, templates, checking and publishing (tool-routes.ts).
  registerToolLibraryRoutes(app);
  app.get(
    "/admin/assessment-tools/versions/:toolVersionId/download",
    { preHandler: ADMINISTRATORS },
    async (request, reply) => {
      const id = idParam(request, "toolVersionId");
      const exported = id ? await request.repo.assessments.exportToolVersion(id) : undefined;
      if (!exported) return notFound(reply);
      if (!exported.ok)
        return reply.code(403).page("web/views/forbidden.njk", {
          title: "You cannot download this tool",
          message: exported.message,
        });
      return reply
        .header("content-disposition", `attachment; filename="${exported.value.fileName}"`)
        .type("text/yaml; charset=utf-8")
        .send(exported.value.text);
    },
  );

  registerSectionRoutes(app);
  registerDraftRoutes(app);
  registerSignOffRoutes(app);
};
