// SPDX-License-Identifier: MIT
/**
 * The assessment pages: choosing a tool, completing it (with the family and the child), results, change
 * over time, and the administrator's tool library. Every page works without JavaScript: a section is
 * saved as a whole form, and the suggestion for a domain is worked out from the answers saved.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { NEGLECT_TYPES } from "../chronology/codes.ts";
import { todayInEngland } from "../chronology/dates.ts";
import type { AppContext } from "../web/app.ts";
import { readDateInput } from "../web/dates.ts";
import { type FormErrors, fieldError, noErrors, parseForm } from "../web/forms.ts";
import { requireSignedIn } from "../web/guards.ts";
import type { AnswerInput, ChildVoice, FamilyView } from "./assessment-records.ts";
import { distanceTravelled, domainChart } from "./change-chart.ts";
import {
  AGE_BANDS,
  ASSESSMENT_MODE_CODES,
  ASSESSMENT_MODES,
  ASSESSMENT_STATUSES,
  CHILD_VOICE_METHOD_CODES,
  CHILD_VOICE_METHODS,
  EVIDENCE_SOURCE_CODES,
  EVIDENCE_SOURCES,
  FAMILY_AGREEMENT,
  FAMILY_AGREEMENT_CODES,
  FRAMEWORK_DIMENSIONS,
  LICENCE_KINDS,
  MEANINGS,
  TOOL_TIERS,
} from "./codes.ts";
import {
  applicableTool,
  type DomainResult,
  descriptorFor,
  type Judgement,
  pointLabel,
  type Special,
} from "./engine.ts";
import { areaEvidence } from "./evidence.ts";
import { registerToolLibraryRoutes } from "./tool-routes.ts";

const CASE_ROLES = requireSignedIn("practitioner", "manager", "safeguarding-lead", "front-door", "auditor");
const RECORDERS = requireSignedIn("practitioner", "manager", "safeguarding-lead", "front-door");
const SIGNERS = requireSignedIn("manager", "safeguarding-lead");
const ADMINISTRATORS = requireSignedIn("administrator");

const ZPersonParams = z.object({ personId: z.uuid() });
const ZAssessmentParams = z.object({ assessmentId: z.uuid() });
const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Must be ${max} characters or fewer`)
    .optional()
    .transform((value) => (value ? value : null));
const asList = (value: unknown): string[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value.map(String) : [String(value)];
const today = () => todayInEngland();

const ZStart = z.object({
  toolId: z.uuid({ error: "Select a tool" }),
  mode: z.enum(ASSESSMENT_MODE_CODES, { error: "Select how the assessment is done" }),
});

const ZSignOff = z.object({
  decision: z.enum(["sign-off", "return"], { error: "Select whether you sign it off or return it" }),
  comments: text(4000),
  reason: text(4000),
});

const ZChildVoice = z.object({
  method: z.enum(CHILD_VOICE_METHOD_CODES, { error: "Select how the child's voice was heard" }),
  words: text(4000),
  scaling: z
    .union([z.literal(""), z.coerce.number().int().min(0).max(10)], { error: "Select a number from 0 to 10" })
    .optional()
    .transform((value) => (value === "" || value === undefined ? null : value)),
});

const ZTarget = z.object({
  nodeId: z.string().min(1, "Select the item this target is for"),
  targetValue: z.coerce.number({ error: "Select the grade aimed for" }),
  whatWillChange: z
    .string()
    .trim()
    .min(1, "Say what will change")
    .max(2000, "Must be 2000 characters or fewer"),
  who: text(200),
});

const ZVisit = z.object({
  announced: z.enum(["yes", "no"], { error: "Select whether the visit was announced" }),
  childSeen: z.enum(["yes", "no"], { error: "Select whether the child was seen" }),
  note: text(1000),
});

const addError = (errors: FormErrors, field: string, message: string) => {
  if (errors.fields[field]) return;
  errors.fields[field] = { text: message };
  errors.list.push({ text: message, href: `#${field}` });
};

/** Splits a repository refusal into form errors on its field (or the form as a whole). */
const refusalErrors = (field: string | undefined, message: string, fallback: string): FormErrors => {
  const errors = noErrors();
  for (const line of message.split("\n")) addError(errors, field ?? fallback, line);
  // Several lines on one field: keep every message in the summary.
  if (message.includes("\n")) {
    errors.list = message.split("\n").map((line) => ({ text: line, href: `#${field ?? fallback}` }));
  }
  return errors;
};

const dateValues = (prefix: string, iso: string | null | undefined): Record<string, string> =>
  iso
    ? {
        [`${prefix}-day`]: String(Number(iso.slice(8, 10))),
        [`${prefix}-month`]: String(Number(iso.slice(5, 7))),
        [`${prefix}-year`]: iso.slice(0, 4),
      }
    : {};

type Presentable = {
  results: { domains: DomainResult[]; items: { itemId: string; title: string }[] };
};

/** What the results table shows per domain, worked out here (templates cannot look things up in loops). */
const presentResults = (view: Presentable) => ({
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

const VIEW_GLOBALS = {
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

export const registerAssessmentRoutes = ({ app }: AppContext): void => {
  const personIdOf = (request: FastifyRequest) => {
    const parsed = ZPersonParams.safeParse(request.params);
    return parsed.success ? parsed.data.personId : undefined;
  };
  const assessmentIdOf = (request: FastifyRequest) => {
    const parsed = ZAssessmentParams.safeParse(request.params);
    return parsed.success ? parsed.data.assessmentId : undefined;
  };
  const notFound = (reply: FastifyReply) =>
    reply.code(404).page("web/views/not-found.njk", { title: "Page not found" });

  /** Loads the assessment for a page, or answers 404. */
  const load = async (request: FastifyRequest, reply: FastifyReply) => {
    const id = assessmentIdOf(request);
    const view = id ? await request.repo.assessments.getAssessment(id) : undefined;
    if (!view) {
      notFound(reply);
      return undefined;
    }
    return view;
  };
  type View = NonNullable<Awaited<ReturnType<typeof load>>>;

  // A child's assessments, and starting one.
  const childPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FormErrors,
    values: Record<string, unknown>,
  ) => {
    const personId = personIdOf(request);
    const list = personId ? await request.repo.assessments.listForChild(personId) : undefined;
    if (!list) return notFound(reply);
    return reply.code(errors.list.length ? 400 : 200).page("assessments/views/child.njk", {
      title: `Assessments: ${list.person.given_names} ${list.person.family_name}`,
      ...list,
      errors,
      values: { ...dateValues("assessedOn", today()), ...values },
      ...VIEW_GLOBALS,
    });
  };
  app.get("/people/:personId/assessments", { preHandler: CASE_ROLES }, (request, reply) =>
    childPage(request, reply, noErrors(), {}),
  );
  app.post("/people/:personId/assessments", { preHandler: RECORDERS }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const personId = personIdOf(request);
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

  // The assessment: its task list while a draft, its results once submitted.
  const taskList = (view: View) => {
    const applicable = applicableTool(
      view.tool,
      view.band,
      Object.fromEntries(
        Object.entries(view.answers).map(([k, a]) => [
          k,
          { value: a.value === null ? null : Number(a.value), special: a.special },
        ]),
      ),
    );
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

  app.get("/assessments/:assessmentId", { preHandler: CASE_ROLES }, async (request, reply) => {
    const view = await load(request, reply);
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

  // Details: mode, date, observation window and visits.
  const detailsPage = (
    reply: FastifyReply,
    view: View,
    errors: FormErrors,
    values: Record<string, unknown>,
  ) =>
    reply.code(errors.list.length ? 400 : 200).page("assessments/views/details.njk", {
      title: `About this assessment: ${view.assessment.given_names} ${view.assessment.family_name}`,
      ...view,
      errors,
      values: {
        mode: view.assessment.mode,
        ...dateValues("assessedOn", view.assessment.assessed_on),
        ...dateValues("observationFrom", view.assessment.observation_from),
        ...dateValues("observationTo", view.assessment.observation_to),
        ...values,
      },
      ...VIEW_GLOBALS,
    });
  app.get("/assessments/:assessmentId/details", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await load(request, reply);
    return view ? detailsPage(reply, view, noErrors(), {}) : reply;
  });
  app.post("/assessments/:assessmentId/details", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await load(request, reply);
    if (!view) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const errors = noErrors();
    const mode = z.enum(ASSESSMENT_MODE_CODES).safeParse(body.mode);
    if (!mode.success) addError(errors, "mode", "Select how the assessment is done");
    const assessedOn = readDateInput(body, "assessedOn", "date of the assessment", {
      required: true,
      future: "refused",
    });
    if (!assessedOn.ok) addError(errors, "assessedOn", assessedOn.message);
    const from = readDateInput(body, "observationFrom", "start of the observation period", {
      required: false,
    });
    if (!from.ok) addError(errors, "observationFrom", from.message);
    const to = readDateInput(body, "observationTo", "end of the observation period", { required: false });
    if (!to.ok) addError(errors, "observationTo", to.message);
    if (errors.list.length || !mode.success || !assessedOn.ok || !assessedOn.value || !from.ok || !to.ok)
      return detailsPage(reply, view, errors, body);
    const saved = await request.repo.assessments.saveDetails(view.assessment.assessment_id, {
      mode: mode.data,
      assessedOn: assessedOn.value,
      observationFrom: from.value,
      observationTo: to.value,
    });
    if (!saved.ok) return detailsPage(reply, view, refusalErrors(saved.field, saved.message, "mode"), body);
    return reply.redirect(`/assessments/${view.assessment.assessment_id}?saved=1`, 303);
  });
  app.post("/assessments/:assessmentId/visits", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await load(request, reply);
    if (!view) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = parseForm(ZVisit, body);
    const errors = parsed.ok ? noErrors() : parsed.errors;
    const visitedOn = readDateInput(body, "visitedOn", "date of the visit", {
      required: true,
      future: "refused",
    });
    if (!visitedOn.ok) addError(errors, "visitedOn", visitedOn.message);
    if (!parsed.ok || !visitedOn.ok || !visitedOn.value) return detailsPage(reply, view, errors, body);
    const added = await request.repo.assessments.addVisit(view.assessment.assessment_id, {
      visitedOn: visitedOn.value,
      announced: parsed.values.announced === "yes",
      childSeen: parsed.values.childSeen === "yes",
      note: parsed.values.note,
    });
    if (!added.ok)
      return detailsPage(reply, view, refusalErrors(added.field, added.message, "visitedOn"), body);
    return reply.redirect(`/assessments/${view.assessment.assessment_id}/details#visits`, 303);
  });
  app.post(
    "/assessments/:assessmentId/visits/:visitId/remove",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const view = await load(request, reply);
      if (!view) return reply;
      const visitId = String((request.params as Record<string, string>).visitId);
      await request.repo.assessments.removeVisit(view.assessment.assessment_id, visitId);
      return reply.redirect(`/assessments/${view.assessment.assessment_id}/details#visits`, 303);
    },
  );

  // A section of the tool: its items, evidence, and each domain's grade.
  const sectionPage = (
    reply: FastifyReply,
    view: View,
    sectionId: string,
    errors: FormErrors,
    values: Record<string, unknown> | undefined,
    notice?: string,
  ) => {
    const answers = Object.fromEntries(
      Object.entries(view.answers).map(([k, a]) => [
        k,
        { value: a.value === null ? null : Number(a.value), special: a.special },
      ]),
    );
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
          const options: Record<string, unknown>[] = (scale?.points ?? []).map((pt) => {
            const descriptor = descriptorFor(item, view.band, pt.value);
            return {
              value: String(pt.value),
              text: pt.label,
              checked: current === String(pt.value),
              ...(descriptor ? { hint: { text: descriptor } } : {}),
            };
          });
          if (scale && scale.specials.length > 0) {
            options.push({ divider: "or" });
            for (const special of scale.specials)
              options.push({
                value: special,
                text: special === "not_known" ? "Not known yet" : "Does not apply",
                checked: current === special,
              });
          }
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
    return reply.code(errors.list.length ? 400 : 200).page("assessments/views/section.njk", {
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
      errors,
      ...VIEW_GLOBALS,
    });
  };
  app.get(
    "/assessments/:assessmentId/sections/:sectionId",
    { preHandler: CASE_ROLES },
    async (request, reply) => {
      const view = await load(request, reply);
      if (!view) return reply;
      const saved = (request.query as Record<string, string>).saved === "1";
      return sectionPage(
        reply,
        view,
        String((request.params as Record<string, string>).sectionId),
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
      const view = await load(request, reply);
      if (!view) return reply;
      const sectionId = String((request.params as Record<string, string>).sectionId);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const section = view.tool.sections.find((s) => s.id === sectionId);
      if (!section) return notFound(reply);
      const errors = noErrors();
      const answers: AnswerInput[] = [];
      const judgements: Record<string, Judgement> = {};
      for (const domain of section.domains) {
        for (const item of domain.items) {
          if (!(`answer-${item.id}` in body) && !(`evidence-${item.id}` in body)) continue;
          const raw = String(body[`answer-${item.id}`] ?? "");
          const special: Special | null = raw === "not_known" || raw === "not_applicable" ? raw : null;
          const value = raw === "" || special ? null : Number(raw);
          if (value !== null && Number.isNaN(value))
            addError(errors, `answer-${item.id}`, "Select one of the grades");
          const evidence = String(body[`evidence-${item.id}`] ?? "").trim();
          if (evidence.length > 4000)
            addError(errors, `evidence-${item.id}`, "Evidence must be 4000 characters or fewer");
          const sources = asList(body[`sources-${item.id}`]).filter(
            (s): s is (typeof EVIDENCE_SOURCE_CODES)[number] =>
              (EVIDENCE_SOURCE_CODES as readonly string[]).includes(s),
          );
          answers.push({ nodeId: item.id, value, special, sources, evidence: evidence || null });
        }
        if (domain.aggregation.method === "judgement" && `reason-${domain.id}` in body) {
          const raw = String(body[`judgement-${domain.id}`] ?? "");
          const reason = String(body[`reason-${domain.id}`] ?? "").trim();
          if (reason.length > 2000)
            addError(errors, `reason-${domain.id}`, "The reason must be 2000 characters or fewer");
          judgements[domain.id] = { value: raw === "" ? null : Number(raw), reason: reason || null };
        }
      }
      if (errors.list.length) return sectionPage(reply, view, sectionId, errors, body);
      const saved = await request.repo.assessments.saveAnswers(view.assessment.assessment_id, {
        answers,
        judgements,
      });
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
        const answersNow = Object.fromEntries(
          Object.entries(fresh?.answers ?? {}).map(([k, a]) => [
            k,
            { value: a.value === null ? null : Number(a.value), special: a.special },
          ]),
        );
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

  // The family's view, in plain words.
  const familyPage = (
    reply: FastifyReply,
    view: View,
    errors: FormErrors,
    values: Record<string, unknown> | undefined,
  ) => {
    const saved = view.familyView;
    const domains = view.results.domains.map((d) => {
      const domain = view.tool.sections.flatMap((s) => s.domains).find((x) => x.id === d.domainId);
      const point = d.scale.points.find((pt) => pt.value === d.value);
      const agreement = values
        ? String(values[`agreement-${d.domainId}`] ?? "")
        : (saved?.domains[d.domainId]?.agreement ?? "");
      return {
        id: d.domainId,
        title: domain?.plain ?? d.title,
        grade: point ? point.plain : "Not graded yet",
        colour: point?.colour,
        agreementItems: FAMILY_AGREEMENT_CODES.map((code) => ({
          value: code,
          text: FAMILY_AGREEMENT[code],
          checked: agreement === code,
        })),
        comment: values ? values[`comment-${d.domainId}`] : (saved?.domains[d.domainId]?.comment ?? ""),
      };
    });
    const scaling = values
      ? String(values.ownScaling ?? "")
      : saved?.ownScaling === null || saved?.ownScaling === undefined
        ? ""
        : String(saved.ownScaling);
    return reply.code(errors.list.length ? 400 : 200).page("assessments/views/family.njk", {
      title: `Your family's view: ${view.assessment.given_names}`,
      ...view,
      domains,
      scalingItems: Array.from({ length: 11 }, (_, n) => ({
        value: String(n),
        text: String(n),
        checked: scaling === String(n),
      })),
      errors,
      values: values ?? {
        comments: saved?.comments ?? "",
        ...dateValues("seenScoresOn", saved?.seenScoresOn),
      },
      ...VIEW_GLOBALS,
    });
  };
  app.get("/assessments/:assessmentId/family", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await load(request, reply);
    return view ? familyPage(reply, view, noErrors(), undefined) : reply;
  });
  app.post("/assessments/:assessmentId/family", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await load(request, reply);
    if (!view) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const errors = noErrors();
    const domains: FamilyView["domains"] = {};
    for (const d of view.results.domains) {
      const agreement = String(body[`agreement-${d.domainId}`] ?? "");
      const comment = String(body[`comment-${d.domainId}`] ?? "").trim();
      if (comment.length > 2000)
        addError(errors, `comment-${d.domainId}`, "Comments must be 2000 characters or fewer");
      domains[d.domainId] = {
        agreement: (FAMILY_AGREEMENT_CODES as readonly string[]).includes(agreement)
          ? (agreement as FamilyView["domains"][string]["agreement"])
          : null,
        comment: comment || null,
      };
    }
    const comments = String(body.comments ?? "").trim();
    if (comments.length > 4000) addError(errors, "comments", "Comments must be 4000 characters or fewer");
    const scalingRaw = String(body.ownScaling ?? "");
    const ownScaling = scalingRaw === "" ? null : Number(scalingRaw);
    if (ownScaling !== null && !(Number.isInteger(ownScaling) && ownScaling >= 0 && ownScaling <= 10))
      addError(errors, "ownScaling", "Select a number from 0 to 10");
    const seen = readDateInput(body, "seenScoresOn", "date the family saw the scores", {
      required: false,
      future: "refused",
    });
    if (!seen.ok) addError(errors, "seenScoresOn", seen.message);
    if (errors.list.length || !seen.ok) return familyPage(reply, view, errors, body);
    const saved = await request.repo.assessments.saveFamilyView(view.assessment.assessment_id, {
      domains,
      comments: comments || null,
      ownScaling,
      seenScoresOn: seen.value,
    });
    if (!saved.ok)
      return familyPage(reply, view, refusalErrors(saved.field, saved.message, "comments"), body);
    return reply.redirect(`/assessments/${view.assessment.assessment_id}?saved=1`, 303);
  });

  // The child's voice.
  const childVoicePage = (
    reply: FastifyReply,
    view: View,
    errors: FormErrors,
    values: Record<string, unknown> | undefined,
  ) => {
    const saved = view.childVoice;
    const current = values ?? {
      method: saved?.method ?? "",
      words: saved?.words ?? "",
      scaling: saved?.scaling === null || saved?.scaling === undefined ? "" : String(saved.scaling),
      ...dateValues("recordedOn", saved?.recordedOn),
    };
    return reply.code(errors.list.length ? 400 : 200).page("assessments/views/child-voice.njk", {
      title: `The child's voice: ${view.assessment.given_names}`,
      ...view,
      errors,
      values: current,
      methodItems: CHILD_VOICE_METHOD_CODES.map((code) => ({
        value: code,
        text: CHILD_VOICE_METHODS[code],
        checked: current.method === code,
      })),
      scalingItems: Array.from({ length: 11 }, (_, n) => ({
        value: String(n),
        text: String(n),
        checked: String(current.scaling) === String(n),
      })),
      ...VIEW_GLOBALS,
    });
  };
  app.get("/assessments/:assessmentId/child", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await load(request, reply);
    return view ? childVoicePage(reply, view, noErrors(), undefined) : reply;
  });
  app.post("/assessments/:assessmentId/child", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await load(request, reply);
    if (!view) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = parseForm(ZChildVoice, body);
    const errors = parsed.ok ? noErrors() : parsed.errors;
    const recordedOn = readDateInput(body, "recordedOn", "date the child's voice was heard", {
      required: false,
      future: "refused",
    });
    if (!recordedOn.ok) addError(errors, "recordedOn", recordedOn.message);
    if (!parsed.ok || !recordedOn.ok) return childVoicePage(reply, view, errors, body);
    const voice: ChildVoice = { ...parsed.values, recordedOn: recordedOn.value };
    const saved = await request.repo.assessments.saveChildVoice(view.assessment.assessment_id, voice);
    if (!saved.ok)
      return childVoicePage(reply, view, refusalErrors(saved.field, saved.message, "method"), body);
    return reply.redirect(`/assessments/${view.assessment.assessment_id}?saved=1`, 303);
  });

  // Targets per item, with review dates.
  const targetsPage = (
    reply: FastifyReply,
    view: View,
    errors: FormErrors,
    values: Record<string, unknown>,
  ) => {
    const items = view.results.items.map((i) => ({
      value: i.itemId,
      text: `${i.title} (now ${pointLabel(i.scale, i.answer?.value)})`,
      selected: values.nodeId === i.itemId,
    }));
    const firstScale = view.results.items[0]?.scale;
    const itemTitle = (id: string) => view.results.items.find((i) => i.itemId === id)?.title ?? id;
    const scaleFor = (id: string) => view.results.items.find((i) => i.itemId === id)?.scale;
    return reply.code(errors.list.length ? 400 : 200).page("assessments/views/targets.njk", {
      title: `Targets: ${view.assessment.given_names} ${view.assessment.family_name}`,
      ...view,
      errors,
      values,
      itemOptions: [{ value: "", text: "Select an item" }, ...items],
      gradeOptions: [
        { value: "", text: "Select a grade" },
        ...(firstScale?.points ?? []).map((pt) => ({
          value: String(pt.value),
          text: pt.label,
          selected: values.targetValue === String(pt.value),
        })),
      ],
      targetRows: view.targets.map((t) => ({
        ...t,
        itemTitle: itemTitle(t.node_id),
        now: pointLabel(
          scaleFor(t.node_id) ?? firstScale ?? ({ points: [] } as never),
          view.results.items.find((i) => i.itemId === t.node_id)?.answer?.value,
        ),
        target: scaleFor(t.node_id)
          ? pointLabel(scaleFor(t.node_id) as never, t.target_value)
          : String(t.target_value),
      })),
      ...VIEW_GLOBALS,
    });
  };
  app.get("/assessments/:assessmentId/targets", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await load(request, reply);
    return view ? targetsPage(reply, view, noErrors(), {}) : reply;
  });
  app.post("/assessments/:assessmentId/targets", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await load(request, reply);
    if (!view) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = parseForm(ZTarget, body);
    const errors = parsed.ok ? noErrors() : parsed.errors;
    const reviewOn = readDateInput(body, "reviewOn", "review date", { required: true });
    if (!reviewOn.ok) addError(errors, "reviewOn", reviewOn.message);
    if (!parsed.ok || !reviewOn.ok || !reviewOn.value) return targetsPage(reply, view, errors, body);
    const added = await request.repo.assessments.addTarget(view.assessment.assessment_id, {
      ...parsed.values,
      reviewOn: reviewOn.value,
    });
    if (!added.ok) return targetsPage(reply, view, refusalErrors(added.field, added.message, "nodeId"), body);
    return reply.redirect(`/assessments/${view.assessment.assessment_id}/targets`, 303);
  });
  app.post(
    "/assessments/:assessmentId/targets/:targetId/remove",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const view = await load(request, reply);
      if (!view) return reply;
      await request.repo.assessments.removeTarget(
        view.assessment.assessment_id,
        String((request.params as Record<string, string>).targetId),
      );
      return reply.redirect(`/assessments/${view.assessment.assessment_id}/targets`, 303);
    },
  );

  // Check and submit.
  const checkPage = (reply: FastifyReply, view: View, errors: FormErrors, values: Record<string, unknown>) =>
    reply.code(errors.list.length ? 400 : 200).page("assessments/views/check.njk", {
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
      errors,
      values: { summary: view.assessment.summary ?? "", ...values },
      ...VIEW_GLOBALS,
    });
  app.get("/assessments/:assessmentId/check", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await load(request, reply);
    // A child's assessment in a family assessment is checked, submitted and signed off with the family.
    if (view?.assessment.family_assessment_id)
      return reply.redirect(`/family-assessments/${view.assessment.family_assessment_id}/check`, 303);
    return view ? checkPage(reply, view, noErrors(), {}) : reply;
  });
  app.post("/assessments/:assessmentId/submit", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await load(request, reply);
    if (!view) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const summary = String(body.summary ?? "").trim();
    if (summary.length > 4000)
      return checkPage(
        reply,
        view,
        fieldError("summary", "The summary must be 4000 characters or fewer"),
        body,
      );
    const submitted = await request.repo.assessments.submit(view.assessment.assessment_id, summary || null);
    if (!submitted.ok)
      return checkPage(reply, view, refusalErrors(submitted.field, submitted.message, "summary"), body);
    return reply.redirect(`/assessments/${view.assessment.assessment_id}?submitted=1`, 303);
  });

  // Sign-off.
  app.post("/assessments/:assessmentId/sign-off", { preHandler: SIGNERS }, async (request, reply) => {
    const view = await load(request, reply);
    if (!view) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = parseForm(ZSignOff, body);
    let errors = parsed.ok ? noErrors() : parsed.errors;
    if (parsed.ok) {
      // A return needs its own reason (the author is told it); a sign-off needs the manager's comments.
      const { decision } = parsed.values;
      const comments = decision === "return" ? parsed.values.reason : parsed.values.comments;
      const outcome = await request.repo.assessments.signOff(view.assessment.assessment_id, {
        decision,
        comments: comments ?? "",
      });
      if (outcome.ok)
        return reply.redirect(
          `/assessments/${view.assessment.assessment_id}${decision === "return" ? "?returned=1" : ""}`,
          303,
        );
      errors = refusalErrors(outcome.field, outcome.message, decision === "return" ? "reason" : "comments");
    }
    return checkPage(reply.code(400), view, errors, body);
  });

  // Change over time with one tool.
  app.get(
    "/people/:personId/assessments/change/:toolId",
    { preHandler: CASE_ROLES },
    async (request, reply) => {
      const personId = personIdOf(request);
      const toolId = z.uuid().safeParse((request.params as Record<string, string>).toolId);
      const change =
        personId && toolId.success
          ? await request.repo.assessments.changeOverTime(personId, toolId.data)
          : undefined;
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
      const id = z.uuid().safeParse((request.params as Record<string, string>).toolVersionId);
      const exported = id.success ? await request.repo.assessments.exportToolVersion(id.data) : undefined;
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
};
