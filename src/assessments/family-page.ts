// SPDX-License-Identifier: MIT
/**
 * The family assessment's page as it is drawn: each question and grade as a form shows it, each child's
 * areas and result, and the page itself. Shared by the family's routes and its check and sign-off.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FormErrors } from "../web/forms.ts";
import { asList, showForm } from "../web/forms.ts";
import { notFound } from "../web/guards.ts";
import { idParam } from "../web/request-values.ts";
import type { AgeBand } from "./codes.ts";
import {
  AGE_BANDS,
  ASSESSMENT_MODES,
  ASSESSMENT_STATUSES,
  CHILD_VOICE_METHOD_CODES,
  CHILD_VOICE_METHODS,
  EVIDENCE_SOURCE_CODES,
  EVIDENCE_SOURCES,
} from "./codes.ts";
import { descriptorFor, type Judgement } from "./engine.ts";
import { areaEvidence } from "./evidence.ts";
import { answerOptions } from "./route-helpers.ts";
import type { Domain, Item, ToolContent } from "./tool-schema.ts";

type SavedAnswer = {
  value: string | number | null;
  special: string | null;
  evidence: string | null;
  evidence_sources: string[];
};

/**
 * One question as a form shows it. Ids carry the form's prefix (several forms share the page); names do
 * not, so every form posts the same field names.
 */
const itemView = (
  tool: ToolContent,
  item: Item,
  band: AgeBand | undefined,
  saved: SavedAnswer | undefined,
  prefix: string,
  values: Record<string, unknown> | undefined,
  errors: FormErrors,
) => {
  const scale = tool.scales.find((s) => s.id === item.scale);
  const current = values
    ? String(values[`answer-${item.id}`] ?? "")
    : (saved?.special ??
      (saved?.value === null || saved?.value === undefined ? "" : String(Number(saved.value))));
  const sources = values ? asList(values[`sources-${item.id}`]) : (saved?.evidence_sources ?? []);
  const options = answerOptions(scale, current, (value) =>
    band ? descriptorFor(item, band, value) : item.descriptors?.all?.[String(value)],
  );
  return {
    id: item.id,
    idPrefix: `${prefix}answer-${item.id}`,
    sourcesPrefix: `${prefix}sources-${item.id}`,
    evidenceId: `${prefix}evidence-${item.id}`,
    title: item.title,
    guidance: item.guidance,
    options,
    sourceItems: EVIDENCE_SOURCE_CODES.map((code) => ({
      value: code,
      text: EVIDENCE_SOURCES[code],
      checked: sources.includes(code),
    })),
    evidence: values ? values[`evidence-${item.id}`] : (saved?.evidence ?? ""),
    error: errors.fields[`${prefix}answer-${item.id}`],
    evidenceError: errors.fields[`${prefix}evidence-${item.id}`],
  };
};

/** A domain's grade to confirm, for tools whose areas are graded by the practitioner's judgement. */
const judgementView = (
  tool: ToolContent,
  domain: Domain,
  saved: Judgement | undefined,
  prefix: string,
  values: Record<string, unknown> | undefined,
) => {
  if (domain.aggregation.method !== "judgement") return undefined;
  const scale = tool.scales.find((s) => s.id === domain.scale);
  const chosen = values
    ? String(values[`judgement-${domain.id}`] ?? "")
    : saved?.value === null || saved?.value === undefined
      ? ""
      : String(saved.value);
  return {
    idPrefix: `${prefix}judgement-${domain.id}`,
    name: `judgement-${domain.id}`,
    reasonId: `${prefix}reason-${domain.id}`,
    reasonName: `reason-${domain.id}`,
    reason: values ? values[`reason-${domain.id}`] : (saved?.reason ?? ""),
    items: (scale?.points ?? []).map((pt) => ({
      value: String(pt.value),
      text: pt.label,
      checked: chosen === String(pt.value),
    })),
  };
};

/** Loads the family assessment for a page, or answers 404. */
export const loadFamilyView = async (request: FastifyRequest, reply: FastifyReply) => {
  const id = idParam(request, "familyAssessmentId");
  const view = id ? await request.repo.assessments.getFamilyAssessment(id) : undefined;
  if (!view) notFound(reply);
  return view;
};
export type FamilyAssessmentView = NonNullable<Awaited<ReturnType<typeof loadFamilyView>>>;

/** Each child's areas and result as the pages show them. */
export const childSummaries = (view: FamilyAssessmentView) =>
  view.children.map((child, index) => ({
    index,
    assessmentId: child.assessment.assessment_id,
    personId: child.assessment.person_id,
    name: `${child.assessment.given_names} ${child.assessment.family_name}`,
    givenNames: child.assessment.given_names,
    band: child.band,
    status: child.assessment.status,
    suggestion: child.suggestion,
    childVoice: child.childVoice,
    history: child.history,
    evidence: areaEvidence({
      assessmentId: child.assessment.assessment_id,
      results: child.results,
      answers: child.answers,
      familyView: null,
      history: child.history,
    }).map((area) => ({
      ...area,
      shared: view.tool.sections.some((s) => s.domains.some((d) => d.id === area.domainId && d.shared)),
    })),
    unanswered: child.results.unanswered.length,
  }));

/**
 * The family's page: the shared areas answered once, then each child's own areas and voice, then the
 * family's words. Each part is its own form; `posted` is the form that came back with errors.
 */
export const familyPage = (
  reply: FastifyReply,
  view: FamilyAssessmentView,
  errors: FormErrors,
  posted: { form: string; values: Record<string, unknown> } | undefined,
  notice?: string,
) => {
  const { tool } = view;
  const valuesFor = (form: string) => (posted?.form === form ? posted.values : undefined);
  const first = view.children[0];
  const sharedDomains = tool.sections.flatMap((s) => s.domains.filter((d) => d.shared));
  const shared = sharedDomains.map((domain) => ({
    id: domain.id,
    title: domain.title,
    summary: domain.summary,
    items: domain.items.map((item) =>
      itemView(tool, item, undefined, first?.answers[item.id], "f-", valuesFor("shared"), errors),
    ),
    judgement: judgementView(tool, domain, first?.judgements[domain.id], "f-", valuesFor("shared")),
  }));
  const children = childSummaries(view).map((summary) => {
    const child = view.children[summary.index];
    const prefix = `c${summary.index + 1}-`;
    const values = valuesFor(summary.assessmentId);
    const voice = child?.childVoice;
    const voiceValues = values ?? {
      method: voice?.method ?? "",
      words: voice?.words ?? "",
      scaling: voice?.scaling === null || voice?.scaling === undefined ? "" : String(voice.scaling),
    };
    const ownDomains = tool.sections
      .flatMap((s) => s.domains)
      .filter((d) => !d.shared && (!d.applies_to || d.applies_to.includes(summary.band)));
    return {
      ...summary,
      prefix,
      domains: ownDomains
        .map((domain) => ({
          id: domain.id,
          title: domain.title,
          items: domain.items
            .filter((i) => !i.applies_to || i.applies_to.includes(summary.band))
            .map((item) =>
              itemView(tool, item, summary.band, child?.answers[item.id], prefix, values, errors),
            ),
          judgement: judgementView(tool, domain, child?.judgements[domain.id], prefix, values),
        }))
        .filter((d) => d.items.length > 0),
      voice: {
        methodItems: CHILD_VOICE_METHOD_CODES.map((code) => ({
          value: code,
          text: CHILD_VOICE_METHODS[code],
          checked: voiceValues.method === code,
        })),
        words: voiceValues.words,
        scalingItems: [
          { value: "", text: "Not given" },
          ...Array.from({ length: 11 }, (_, n) => ({
            value: String(n),
            text: String(n),
            selected: String(voiceValues.scaling) === String(n),
          })),
        ],
      },
    };
  });
  const words = valuesFor("words") ?? {
    comments: view.familyView?.comments ?? "",
    ownScaling:
      view.familyView?.ownScaling === null || view.familyView?.ownScaling === undefined
        ? ""
        : String(view.familyView.ownScaling),
  };
  return showForm(reply, "assessments/views/family-assessment.njk", errors, {
    title: `${view.family.tool_name}: ${children.map((c) => c.givenNames).join(" and ")}`,
    ...view,
    shared,
    childViews: children,
    words: {
      comments: words.comments,
      scalingItems: [
        { value: "", text: "Not given" },
        ...Array.from({ length: 11 }, (_, n) => ({
          value: String(n),
          text: String(n),
          selected: String(words.ownScaling) === String(n),
        })),
      ],
    },
    notice,
    AGE_BANDS,
    ASSESSMENT_MODES,
    ASSESSMENT_STATUSES,
    CHILD_VOICE_METHODS,
  });
};
