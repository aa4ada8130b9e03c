// SPDX-License-Identifier: MIT
/**
 * What the pages of one child's assessment share: loading the assessment (or answering 404), the code
 * lists every template reads, the results table and the task list.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { NEGLECT_TYPES } from "../chronology/codes.ts";
import { notFound } from "../web/guards.ts";
import { idParam } from "../web/request-values.ts";
import {
  AGE_BANDS,
  ASSESSMENT_MODES,
  ASSESSMENT_STATUSES,
  CHILD_VOICE_METHODS,
  EVIDENCE_SOURCES,
  FAMILY_AGREEMENT,
  FRAMEWORK_DIMENSIONS,
  LICENCE_KINDS,
  MEANINGS,
  TOOL_TIERS,
} from "./codes.ts";
import { applicableTool, type DomainResult, pointLabel, type Special } from "./engine.ts";

/** The code lists the assessment templates read. */
export const VIEW_GLOBALS = {
  AGE_BANDS,
  ASSESSMENT_MODES,
  ASSESSMENT_STATUSES,
  CHILD_VOICE_METHODS,
  EVIDENCE_SOURCES,
  FAMILY_AGREEMENT,
  FRAMEWORK_DIMENSIONS,
  LICENCE_KINDS,
  MEANINGS,
  NEGLECT_TYPES,
  TOOL_TIERS,
};

type Presentable = {
  results: { domains: DomainResult[]; items: { itemId: string; title: string }[] };
};

/** What the results table shows per domain, worked out here (templates cannot look things up in loops). */
export const presentResults = (view: Presentable) => ({
  profile: view.results.domains.map((d) => {
    const point = d.scale.points.find((pt) => pt.value === d.value);
    return {
      title: d.title,
      value: d.value,
      kind: d.kind,
      label: point?.label ?? (d.value === undefined ? "Not graded yet" : String(d.value)),
      colour: point?.colour,
      method: d.method,
      suggestion:
        d.computed.value === undefined
          ? undefined
          : d.computed.kind === "count"
            ? String(d.computed.value)
            : pointLabel(d.scale, d.computed.value),
      overrideReason: d.overrideReason,
      applicable: d.applicable,
      answered: d.answered,
      notKnown: d.notKnown,
    };
  }),
  itemTitles: Object.fromEntries(view.results.items.map((i) => [i.itemId, i.title])),
});

/** Loads the assessment for a page, or answers 404. */
export const loadAssessmentView = async (request: FastifyRequest, reply: FastifyReply) => {
  const id = idParam(request, "assessmentId");
  const view = id ? await request.repo.assessments.getAssessment(id) : undefined;
  if (!view) {
    notFound(reply);
    return undefined;
  }
  return view;
};
export type AssessmentView = NonNullable<Awaited<ReturnType<typeof loadAssessmentView>>>;

/** Saved answers as the engine reads them (the database gives grades back as text). */
export const answerValues = (
  answers: Record<string, { value: string | number | null; special: Special | null }>,
) =>
  Object.fromEntries(
    Object.entries(answers).map(([k, a]) => [
      k,
      { value: a.value === null ? null : Number(a.value), special: a.special },
    ]),
  );

/** The task list of a draft: each section of the tool that applies, and how far it is answered. */
export const taskList = (view: AssessmentView) => {
  const applicable = applicableTool(view.tool, view.band, answerValues(view.answers));
  const sections = applicable.map((section) => {
    const items = section.domains.flatMap((d) => d.items);
    const answered = items.filter(
      (i) =>
        (view.answers[i.id]?.value !== null && view.answers[i.id] !== undefined) ||
        view.answers[i.id]?.special,
    ).length;
    const judgementsNeeded = section.domains.filter((d) => d.aggregation.method === "judgement");
    const confirmed = judgementsNeeded.filter(
      (d) => view.judgements[d.id]?.value !== null && view.judgements[d.id]?.value !== undefined,
    ).length;
    const complete = answered === items.length && confirmed === judgementsNeeded.length;
    return {
      id: section.id,
      title: section.title,
      status: complete ? "Completed" : answered > 0 ? "In progress" : "Not yet started",
      done: answered,
      total: items.length,
    };
  });
  return sections;
};
