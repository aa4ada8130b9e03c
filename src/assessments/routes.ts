// SPDX-License-Identifier: MIT
/**
 * The assessment pages: choosing a tool, completing it (with the family and the child), results, change
 * over time, and the administrator's tool library. Every page works without JavaScript: a section is
 * saved as a whole form, and the suggestion for a domain is worked out from the answers saved. This file
 * has a child's list of assessments, an assessment's overview and change over time, and registers the
 * rest by sub-area: sections, the other draft pages, sign-off and the tool library.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { todayInEngland } from "../kernel/calendar.ts";
import type { AppContext } from "../web/app.ts";
import { dateInputValues, readDateInput } from "../web/dates.ts";
import { addError, type FormErrors, noErrors, parseForm, showForm } from "../web/forms.ts";
import { notFound, requireAllowed } from "../web/guards.ts";
import { formBody, idParam } from "../web/request-values.ts";
import { loadAssessmentView, presentResults, taskList, VIEW_GLOBALS } from "./assessment-pages.ts";
import { distanceTravelled, domainChart } from "./change-chart.ts";
import { registerDraftRoutes } from "./draft-routes.ts";
import { CASE_ROLES, RECORDERS, refusalErrors, ZStart } from "./route-helpers.ts";
import { registerSectionRoutes } from "./section-routes.ts";
import { registerSignOffRoutes } from "./sign-off-routes.ts";
import { registerToolLibraryRoutes } from "./tool-routes.ts";

const ADMINISTRATORS = requireAllowed("admin.assessment-tools");

export const registerAssessmentRoutes = ({ app }: AppContext): void => {
  // A child's assessments, and starting one.
  const childPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FormErrors,
    values: Record<string, unknown>,
  ) => {
    const personId = idParam(request, "personId");
    const list = personId ? await request.repo.assessments.listForChild(personId) : undefined;
    if (!list) return notFound(reply);
    return showForm(reply, "assessments/views/child.njk", errors, {
      title: `Assessments: ${list.person.given_names} ${list.person.family_name}`,
      ...list,
      values: { ...dateInputValues("assessedOn", todayInEngland()), ...values },
      ...VIEW_GLOBALS,
    });
  };
  app.get("/people/:personId/assessments", { preHandler: CASE_ROLES }, (request, reply) =>
    childPage(request, reply, noErrors(), {}),
  );
  app.post("/people/:personId/assessments", { preHandler: RECORDERS }, async (request, reply) => {
    const body = formBody(request);
    const personId = idParam(request, "personId");
    if (!personId) return notFound(reply);
    const parsed = parseForm(ZStart, body);
    const date = readDateInput(body, "assessedOn", "date of the assessment", {
      required: true,
      future: "refused",
    });
    const errors = parsed.ok ? noErrors() : parsed.errors;
    if (!date.ok) addError(errors, "assessedOn", date.message);
    if (!parsed.ok || !date.ok || !date.value) return childPage(request, reply, errors, body);
    const started = await request.repo.assessments.startAssessment(personId, {
      toolId: parsed.values.toolId,
      mode: parsed.values.mode,
      assessedOn: date.value,
    });
    if (!started.ok)
      return childPage(request, reply, refusalErrors(started.field, started.message, "toolId"), body);
    return reply.redirect(`/assessments/${started.value.assessmentId}`, 303);
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
