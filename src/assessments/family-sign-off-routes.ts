// SPDX-License-Identifier: MIT
/**
 * A family assessment's check page, where the practitioner submits every child's assessment together
 * and the manager reads every child's areas with grade, evidence and change, then returns the family
 * assessment with a reason or signs it off.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { addError, type FormErrors, noErrors, showForm } from "../web/forms.ts";
import { forbidden } from "../web/guards.ts";
import { formBody } from "../web/request-values.ts";
import { AGE_BANDS, ASSESSMENT_STATUSES, CHILD_VOICE_METHODS } from "./codes.ts";
import { childSummaries, type FamilyAssessmentView, loadFamilyView } from "./family-page.ts";
import { CASE_ROLES, RECORDERS, readDecision, SIGNERS } from "./route-helpers.ts";

export const registerFamilySignOffRoutes = (app: FastifyInstance): void => {
  // Check and submit; the manager's review and decision.
  const checkPage = (
    reply: FastifyReply,
    view: FamilyAssessmentView,
    errors: FormErrors,
    values: Record<string, unknown>,
  ) =>
    showForm(reply, "assessments/views/family-check.njk", errors, {
      title: `${view.canSignOff ? "Review and sign off" : "Check and submit"}: ${view.family.tool_name}`,
      ...view,
      childViews: childSummaries(view),
      values: { summary: view.summary ?? "", ...values },
      AGE_BANDS,
      ASSESSMENT_STATUSES,
      CHILD_VOICE_METHODS,
    });
  app.get(
    "/family-assessments/:familyAssessmentId/check",
    { preHandler: CASE_ROLES },
    async (request, reply) => {
      const view = await loadFamilyView(request, reply);
      return view ? checkPage(reply, view, noErrors(), {}) : reply;
    },
  );
  app.post(
    "/family-assessments/:familyAssessmentId/submit",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const view = await loadFamilyView(request, reply);
      if (!view) return reply;
      const body = formBody(request);
      const summary = String(body.summary ?? "").trim();
      if (summary.length > 4000) {
        const errors = noErrors();
        addError(errors, "summary", "The summary must be 4000 characters or fewer");
        return checkPage(reply, view, errors, body);
      }
      const submitted = await request.repo.assessments.submitFamily(
        view.family.family_assessment_id,
        summary || null,
      );
      if (!submitted.ok && submitted.denied) return forbidden(reply);
      if (!submitted.ok) {
        const errors = noErrors();
        addError(errors, "summary", submitted.message);
        return checkPage(reply, view, errors, body);
      }
      return reply.redirect(`/family-assessments/${view.family.family_assessment_id}?submitted=1`, 303);
    },
  );
  app.post(
    "/family-assessments/:familyAssessmentId/sign-off",
    { preHandler: SIGNERS },
    async (request, reply) => {
      const view = await loadFamilyView(request, reply);
      if (!view) return reply;
      const body = formBody(request);
      const read = readDecision(body);
      let errors = read.ok ? noErrors() : read.errors;
      if (read.ok) {
        const { decision } = read.value;
        const outcome = await request.repo.assessments.decideFamily(
          view.family.family_assessment_id,
          read.value,
        );
        if (outcome.ok)
          return reply.redirect(
            `/family-assessments/${view.family.family_assessment_id}?${decision === "return" ? "returned" : "signed"}=1`,
            303,
          );
        if (outcome.denied) return forbidden(reply);
        errors = noErrors();
        addError(errors, outcome.field ?? (decision === "return" ? "reason" : "comments"), outcome.message);
      }
      return checkPage(reply, view, errors, body);
    },
  );
};
