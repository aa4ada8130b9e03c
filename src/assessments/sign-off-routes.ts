// SPDX-License-Identifier: MIT
/**
 * Checking and submitting a child's assessment, and the manager's review: sign it off (into the child's
 * chronology) or return it to the practitioner with a reason. A child's assessment in a family assessment
 * goes through the family's pages instead (family-sign-off-routes.ts).
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { type FormErrors, fieldError, noErrors, showForm } from "../web/forms.ts";
import { forbidden } from "../web/guards.ts";
import { formBody } from "../web/request-values.ts";
import {
  type AssessmentView,
  loadAssessmentView,
  presentResults,
  taskList,
  VIEW_GLOBALS,
} from "./assessment-pages.ts";
import { areaEvidence } from "./evidence.ts";
import { RECORDERS, readDecision, refusalErrors, SIGNERS } from "./route-helpers.ts";

export const registerSignOffRoutes = (app: FastifyInstance): void => {
  // Check and submit.
  const checkPage = (
    reply: FastifyReply,
    view: AssessmentView,
    errors: FormErrors,
    values: Record<string, unknown>,
  ) =>
    showForm(reply, "assessments/views/check.njk", errors, {
      title: `${view.canSignOff ? "Review and sign off" : "Check and submit"}: ${view.assessment.given_names} ${view.assessment.family_name}`,
      ...view,
      ...presentResults(view),
      evidence: areaEvidence({
        assessmentId: view.assessment.assessment_id,
        results: view.results,
        answers: view.answers,
        familyView: view.familyView,
        history: view.history,
      }),
      sections: taskList(view),
      values: { summary: view.assessment.summary ?? "", ...values },
      ...VIEW_GLOBALS,
    });
  app.get("/assessments/:assessmentId/check", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await loadAssessmentView(request, reply);
    // A child's assessment in a family assessment is checked, submitted and signed off with the family.
    if (view?.assessment.family_assessment_id)
      return reply.redirect(`/family-assessments/${view.assessment.family_assessment_id}/check`, 303);
    return view ? checkPage(reply, view, noErrors(), {}) : reply;
  });
  app.post("/assessments/:assessmentId/submit", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await loadAssessmentView(request, reply);
    if (!view) return reply;
    const body = formBody(request);
    const summary = String(body.summary ?? "").trim();
    if (summary.length > 4000)
      return checkPage(
        reply,
        view,
        fieldError("summary", "The summary must be 4000 characters or fewer"),
        body,
      );
    const submitted = await request.repo.assessments.submit(view.assessment.assessment_id, summary || null);
    if (!submitted.ok && submitted.denied) return forbidden(reply);
    if (!submitted.ok)
      return checkPage(reply, view, refusalErrors(submitted.field, submitted.message, "summary"), body);
    return reply.redirect(`/assessments/${view.assessment.assessment_id}?submitted=1`, 303);
  });

  // Sign-off.
  app.post("/assessments/:assessmentId/sign-off", { preHandler: SIGNERS }, async (request, reply) => {
    const view = await loadAssessmentView(request, reply);
    if (!view) return reply;
    const body = formBody(request);
    const read = readDecision(body);
    let errors = read.ok ? noErrors() : read.errors;
    if (read.ok) {
      const { decision } = read.value;
      const outcome = await request.repo.assessments.signOff(view.assessment.assessment_id, read.value);
      if (outcome.ok)
        return reply.redirect(
          `/assessments/${view.assessment.assessment_id}${decision === "return" ? "?returned=1" : ""}`,
          303,
        );
      errors = refusalErrors(outcome.field, outcome.message, decision === "return" ? "reason" : "comments");
    }
    return checkPage(reply.code(400), view, errors, body);
  });
};
