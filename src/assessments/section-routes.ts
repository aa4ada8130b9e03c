// SPDX-License-Identifier: MIT
/**
 * A section of an assessment tool: its questions with evidence, and each domain's grade to confirm. The
 * whole section is saved as one form (no JavaScript), then the practitioner goes on to the next section
 * that applies to the child with the answers given.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { asList, type FormErrors, noErrors, showForm } from "../web/forms.ts";
import { forbidden, notFound } from "../web/guards.ts";
import { formBody, textParam } from "../web/request-values.ts";
import { type AssessmentView, answerValues, loadAssessmentView, VIEW_GLOBALS } from "./assessment-pages.ts";
import { EVIDENCE_SOURCE_CODES, EVIDENCE_SOURCES } from "./codes.ts";
import { applicableTool, descriptorFor, pointLabel } from "./engine.ts";
import { answerOptions, CASE_ROLES, RECORDERS, readAnswerForm, refusalErrors } from "./route-helpers.ts";

export const registerSectionRoutes = (app: FastifyInstance): void => {
  // A section of the tool: its items, evidence, and each domain's grade.
  const sectionPage = (
    reply: FastifyReply,
    view: AssessmentView,
    sectionId: string,
    errors: FormErrors,
    values: Record<string, unknown> | undefined,
    notice?: string,
  ) => {
    const answers = answerValues(view.answers);
    const applicable = applicableTool(view.tool, view.band, answers);
    const index = applicable.findIndex((s) => s.id === sectionId);
    const section = applicable[index];
    if (!section) return notFound(reply);
    const scaleOf = (id: string) => view.tool.scales.find((s) => s.id === id);
    const domains = section.domains.map((domain) => {
      const result = view.results.domains.find((d) => d.domainId === domain.id);
      const domainScale = scaleOf(domain.scale);
      const judgement = view.judgements[domain.id];
      const chosen = values
        ? String(values[`judgement-${domain.id}`] ?? "")
        : judgement?.value === null || judgement?.value === undefined
          ? ""
          : String(judgement.value);
      return {
        id: domain.id,
        title: domain.title,
        summary: domain.summary,
        method: domain.aggregation.method,
        suggest: domain.aggregation.suggest,
        suggestion:
          result?.computed.value === undefined
            ? undefined
            : result.kind === "count"
              ? String(result.computed.value)
              : pointLabel(result.scale, result.computed.value),
        suggestionNote: result?.computed.note,
        judgementItems: (domainScale?.points ?? []).map((pt) => ({
          value: String(pt.value),
          text: pt.label,
          checked: chosen === String(pt.value),
        })),
        reason: values ? values[`reason-${domain.id}`] : (judgement?.reason ?? ""),
        items: domain.items.map((item) => {
          const scale = scaleOf(item.scale);
          const saved = view.answers[item.id];
          const current = values
            ? String(values[`answer-${item.id}`] ?? "")
            : (saved?.special ??
              (saved?.value === null || saved?.value === undefined ? "" : String(Number(saved.value))));
          const sources = values ? asList(values[`sources-${item.id}`]) : (saved?.evidence_sources ?? []);
          const options = answerOptions(scale, current, (value) => descriptorFor(item, view.band, value));
          return {
            id: item.id,
            title: item.title,
            guidance: item.guidance,
            prompts: item.prompts ?? [],
            options,
            sourceItems: EVIDENCE_SOURCE_CODES.map((code) => ({
              value: code,
              text: EVIDENCE_SOURCES[code],
              checked: sources.includes(code),
            })),
            evidence: values ? values[`evidence-${item.id}`] : (saved?.evidence ?? ""),
          };
        }),
      };
    });
    const next = applicable[index + 1];
    return showForm(reply, "assessments/views/section.njk", errors, {
      title: `${section.title}: ${view.assessment.given_names} ${view.assessment.family_name}`,
      ...view,
      section,
      domains,
      sectionNumber: index + 1,
      sectionCount: applicable.length,
      notice,
      nextPath: next
        ? `/assessments/${view.assessment.assessment_id}/sections/${next.id}`
        : `/assessments/${view.assessment.assessment_id}`,
      ...VIEW_GLOBALS,
    });
  };
  app.get(
    "/assessments/:assessmentId/sections/:sectionId",
    { preHandler: CASE_ROLES },
    async (request, reply) => {
      const view = await loadAssessmentView(request, reply);
      if (!view) return reply;
      const saved = (request.query as Record<string, string>).saved === "1";
      return sectionPage(
        reply,
        view,
        textParam(request, "sectionId"),
        noErrors(),
        undefined,
        saved ? "This part has been saved" : undefined,
      );
    },
  );
  app.post(
    "/assessments/:assessmentId/sections/:sectionId",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const view = await loadAssessmentView(request, reply);
      if (!view) return reply;
      const sectionId = textParam(request, "sectionId");
      const body = formBody(request);
      const section = view.tool.sections.find((s) => s.id === sectionId);
      if (!section) return notFound(reply);
      const errors = noErrors();
      const { answers, judgements } = readAnswerForm(section.domains, body, "", errors);
      if (errors.list.length) return sectionPage(reply, view, sectionId, errors, body);
      const saved = await request.repo.assessments.saveAnswers(view.assessment.assessment_id, {
        answers,
        judgements,
      });
      if (!saved.ok && saved.denied) return forbidden(reply);
      if (!saved.ok)
        return sectionPage(
          reply,
          view,
          sectionId,
          refusalErrors(saved.field, saved.message, "answers"),
          body,
        );
      if (body.action === "continue") {
        const fresh = await request.repo.assessments.getAssessment(view.assessment.assessment_id);
        const answersNow = answerValues(fresh?.answers ?? {});
        const applicable = applicableTool(view.tool, view.band, answersNow);
        const index = applicable.findIndex((s) => s.id === sectionId);
        const next = applicable[index + 1];
        return reply.redirect(
          next
            ? `/assessments/${view.assessment.assessment_id}/sections/${next.id}`
            : `/assessments/${view.assessment.assessment_id}?saved=1`,
          303,
        );
      }
      return reply.redirect(
        `/assessments/${view.assessment.assessment_id}/sections/${sectionId}?saved=1`,
        303,
      );
    },
  );
};
