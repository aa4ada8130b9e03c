// SPDX-License-Identifier: MIT
/**
 * Family assessment pages: starting one for a child and the brothers and sisters the caller may open,
 * the family's page (the shared areas answered once, then each child's own areas and voice, then the
 * family's words), and the check page where the practitioner submits and the manager reads every child's
 * areas with grade, evidence and change, then returns the family assessment with a reason or signs it
 * off. Every page works without JavaScript; each form on the family's page saves on its own.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { todayInEngland } from "../chronology/dates.ts";
import type { AppContext } from "../web/app.ts";
import { readDateInput } from "../web/dates.ts";
import { type FormErrors, noErrors, parseForm } from "../web/forms.ts";
import { requireSignedIn } from "../web/guards.ts";
import type { AnswerInput, ChildVoice } from "./assessment-records.ts";
import type { AgeBand } from "./codes.ts";
import {
  AGE_BANDS,
  ASSESSMENT_MODE_CODES,
  ASSESSMENT_MODES,
  ASSESSMENT_STATUSES,
  CHILD_VOICE_METHOD_CODES,
  CHILD_VOICE_METHODS,
  EVIDENCE_SOURCE_CODES,
  EVIDENCE_SOURCES,
  TOOL_TIERS,
} from "./codes.ts";
import { descriptorFor, type Judgement, type Special } from "./engine.ts";
import { areaEvidence } from "./evidence.ts";
import type { Domain, Item, ToolContent } from "./tool-schema.ts";

const CASE_ROLES = requireSignedIn("practitioner", "manager", "safeguarding-lead", "front-door", "auditor");
const RECORDERS = requireSignedIn("practitioner", "manager", "safeguarding-lead", "front-door");
const SIGNERS = requireSignedIn("manager", "safeguarding-lead");

const ZPersonParams = z.object({ personId: z.uuid() });
const ZFamilyParams = z.object({ familyAssessmentId: z.uuid() });
const ZChildParams = z.object({ familyAssessmentId: z.uuid(), assessmentId: z.uuid() });

const asList = (value: unknown): string[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value.map(String) : [String(value)];

const ZStart = z.object({
  toolId: z.uuid({ error: "Select a tool" }),
  mode: z.enum(ASSESSMENT_MODE_CODES, { error: "Select how the assessment is done" }),
});

const ZDecision = z.object({
  decision: z.enum(["sign-off", "return"], { error: "Select whether you sign it off or return it" }),
  comments: z.string().trim().max(4000, "Must be 4000 characters or fewer").optional(),
  reason: z.string().trim().max(4000, "Must be 4000 characters or fewer").optional(),
});

const addError = (errors: FormErrors, field: string, message: string) => {
  if (errors.fields[field]) return;
  errors.fields[field] = { text: message };
  errors.list.push({ text: message, href: `#${field}` });
};

const dateValues = (prefix: string, iso: string | null | undefined): Record<string, string> =>
  iso
    ? {
        [`${prefix}-day`]: String(Number(iso.slice(8, 10))),
        [`${prefix}-month`]: String(Number(iso.slice(5, 7))),
        [`${prefix}-year`]: iso.slice(0, 4),
      }
    : {};

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
  const options: Record<string, unknown>[] = (scale?.points ?? []).map((pt) => {
    const descriptor = band ? descriptorFor(item, band, pt.value) : item.descriptors?.all?.[String(pt.value)];
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

/** Reads the answers and grades of these domains from a posted form; errors are keyed with the prefix. */
const readAnswers = (
  domains: Domain[],
  body: Record<string, unknown>,
  prefix: string,
  errors: FormErrors,
) => {
  const answers: AnswerInput[] = [];
  const judgements: Record<string, Judgement> = {};
  for (const domain of domains) {
    for (const item of domain.items) {
      if (!(`answer-${item.id}` in body) && !(`evidence-${item.id}` in body)) continue;
      const raw = String(body[`answer-${item.id}`] ?? "");
      const special: Special | null = raw === "not_known" || raw === "not_applicable" ? raw : null;
      const value = raw === "" || special ? null : Number(raw);
      if (value !== null && Number.isNaN(value))
        addError(errors, `${prefix}answer-${item.id}`, "Select one of the grades");
      const evidence = String(body[`evidence-${item.id}`] ?? "").trim();
      if (evidence.length > 4000)
        addError(errors, `${prefix}evidence-${item.id}`, "Evidence must be 4000 characters or fewer");
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
        addError(errors, `${prefix}reason-${domain.id}`, "The reason must be 2000 characters or fewer");
      judgements[domain.id] = { value: raw === "" ? null : Number(raw), reason: reason || null };
    }
  }
  return { answers, judgements };
};

export const registerFamilyAssessmentRoutes = ({ app }: AppContext): void => {
  const notFound = (reply: FastifyReply) =>
    reply.code(404).page("web/views/not-found.njk", { title: "Page not found" });
  const forbidden = (reply: FastifyReply) => reply.code(403).page("web/views/forbidden.njk");

  // Starting a family assessment from a child's assessments.
  const startPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FormErrors,
    values: Record<string, unknown>,
  ) => {
    const params = ZPersonParams.safeParse(request.params);
    const options = params.success
      ? await request.repo.assessments.familyOptions(params.data.personId)
      : undefined;
    if (!options) return notFound(reply);
    const chosen = asList(values.siblingIds);
    return reply.code(errors.list.length ? 400 : 200).page("assessments/views/family-start.njk", {
      title: `Assess ${options.person.given_names} with their brothers and sisters`,
      ...options,
      siblingItems: options.siblings.map((s) => ({
        value: s.person_id,
        text: `${s.given_names} ${s.family_name}`,
        hint: { text: s.date_of_birth ? `Born ${s.date_of_birth}` : "Date of birth not known" },
        checked: chosen.includes(s.person_id),
      })),
      toolItems: options.tools.map((t) => ({
        value: t.tool_id,
        text: t.name,
        hint: {
          text: `${TOOL_TIERS[t.tier as keyof typeof TOOL_TIERS] ?? t.tier}${t.has_shared ? ". The parents' or carers' areas are answered once for the family" : ". Every area is answered for each child"}`,
        },
        checked: values.toolId === t.tool_id,
      })),
      errors,
      values: { ...dateValues("assessedOn", todayInEngland()), ...values },
      ASSESSMENT_MODES,
    });
  };
  app.get("/people/:personId/family-assessments/new", { preHandler: RECORDERS }, (request, reply) =>
    startPage(request, reply, noErrors(), {}),
  );
  app.post("/people/:personId/family-assessments", { preHandler: RECORDERS }, async (request, reply) => {
    const params = ZPersonParams.safeParse(request.params);
    if (!params.success) return notFound(reply);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = parseForm(ZStart, body);
    const errors = parsed.ok ? noErrors() : parsed.errors;
    const siblingIds = asList(body.siblingIds);
    if (siblingIds.length === 0)
      addError(errors, "siblingIds", "Select at least one brother or sister to assess with this child");
    const date = readDateInput(body, "assessedOn", "date of the assessment", {
      required: true,
      future: "refused",
    });
    if (!date.ok) addError(errors, "assessedOn", date.message);
    if (!parsed.ok || !date.ok || !date.value || errors.list.length)
      return startPage(request, reply, errors, body);
    const started = await request.repo.assessments.startFamilyAssessment(params.data.personId, {
      toolId: parsed.values.toolId,
      mode: parsed.values.mode,
      assessedOn: date.value,
      siblingIds,
    });
    if (!started.ok) {
      if (started.denied) return forbidden(reply);
      const refusal = noErrors();
      addError(refusal, started.field ?? "siblingIds", started.message);
      return startPage(request, reply, refusal, body);
    }
    return reply.redirect(`/family-assessments/${started.value.familyAssessmentId}`, 303);
  });

  const loadFamily = async (request: FastifyRequest, reply: FastifyReply) => {
    const params = ZFamilyParams.safeParse(request.params);
    const view = params.success
      ? await request.repo.assessments.getFamilyAssessment(params.data.familyAssessmentId)
      : undefined;
    if (!view) notFound(reply);
    return view;
  };
  type FamilyView = NonNullable<Awaited<ReturnType<typeof loadFamily>>>;

  /** Each child's areas and result as the pages show them. */
  const childSummaries = (view: FamilyView) =>
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

  const familyPage = (
    reply: FastifyReply,
    view: FamilyView,
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
    return reply.code(errors.list.length ? 400 : 200).page("assessments/views/family-assessment.njk", {
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
      errors,
      AGE_BANDS,
      ASSESSMENT_MODES,
      ASSESSMENT_STATUSES,
      CHILD_VOICE_METHODS,
    });
  };

  app.get("/family-assessments/:familyAssessmentId", { preHandler: CASE_ROLES }, async (request, reply) => {
    const view = await loadFamily(request, reply);
    if (!view) return reply;
    const query = request.query as Record<string, string>;
    const notice = query.saved
      ? "Your changes have been saved"
      : query.submitted
        ? "The family assessment has been submitted for sign-off"
        : query.returned
          ? "The family assessment has been returned to the practitioner, who has been told your reason"
          : query.signed
            ? "The family assessment has been signed off: each child's is added to their chronology"
            : undefined;
    return familyPage(reply, view, noErrors(), undefined, notice);
  });

  app.post(
    "/family-assessments/:familyAssessmentId/shared",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const view = await loadFamily(request, reply);
      if (!view) return reply;
      const body = (request.body ?? {}) as Record<string, unknown>;
      const errors = noErrors();
      const domains = view.tool.sections.flatMap((s) => s.domains.filter((d) => d.shared));
      const input = readAnswers(domains, body, "f-", errors);
      if (errors.list.length) return familyPage(reply, view, errors, { form: "shared", values: body });
      const saved = await request.repo.assessments.saveFamilyShared(view.family.family_assessment_id, input);
      if (!saved.ok) {
        const refusal = noErrors();
        addError(refusal, saved.field ? `f-${saved.field}` : "shared", saved.message);
        return familyPage(reply, view, refusal, { form: "shared", values: body });
      }
      return reply.redirect(`/family-assessments/${view.family.family_assessment_id}?saved=1#shared`, 303);
    },
  );

  app.post(
    "/family-assessments/:familyAssessmentId/children/:assessmentId",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const params = ZChildParams.safeParse(request.params);
      const view = await loadFamily(request, reply);
      if (!view || !params.success) return view ? notFound(reply) : reply;
      const index = view.children.findIndex((c) => c.assessment.assessment_id === params.data.assessmentId);
      const child = view.children[index];
      if (!child) return notFound(reply);
      const prefix = `c${index + 1}-`;
      const body = (request.body ?? {}) as Record<string, unknown>;
      const errors = noErrors();
      const domains = view.tool.sections.flatMap((s) => s.domains.filter((d) => !d.shared));
      const input = readAnswers(domains, body, prefix, errors);
      const method = String(body.method ?? "");
      const words = String(body.words ?? "").trim();
      const scalingRaw = String(body.scaling ?? "");
      let voice: ChildVoice | null = null;
      if (words.length > 4000) addError(errors, `${prefix}words`, "Must be 4000 characters or fewer");
      if (method || words || scalingRaw) {
        if (!(CHILD_VOICE_METHOD_CODES as readonly string[]).includes(method))
          addError(errors, `${prefix}method`, `Select how ${child.assessment.given_names}'s voice was heard`);
        const scaling = scalingRaw === "" ? null : Number(scalingRaw);
        if (scaling !== null && !(Number.isInteger(scaling) && scaling >= 0 && scaling <= 10))
          addError(errors, `${prefix}scaling`, "Select a number from 0 to 10");
        voice = {
          method: method as ChildVoice["method"],
          words: words || null,
          scaling,
          recordedOn: child.childVoice?.recordedOn ?? null,
        };
      }
      if (errors.list.length)
        return familyPage(reply, view, errors, { form: params.data.assessmentId, values: body });
      const saved = await request.repo.assessments.saveFamilyChild(
        view.family.family_assessment_id,
        params.data.assessmentId,
        { ...input, voice },
      );
      if (!saved.ok) {
        const refusal = noErrors();
        addError(refusal, saved.field ? `${prefix}${saved.field}` : `child-${index + 1}`, saved.message);
        return familyPage(reply, view, refusal, { form: params.data.assessmentId, values: body });
      }
      return reply.redirect(
        `/family-assessments/${view.family.family_assessment_id}?saved=1#child-${index + 1}`,
        303,
      );
    },
  );

  app.post(
    "/family-assessments/:familyAssessmentId/words",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const view = await loadFamily(request, reply);
      if (!view) return reply;
      const body = (request.body ?? {}) as Record<string, unknown>;
      const errors = noErrors();
      const comments = String(body.comments ?? "").trim();
      if (comments.length > 4000) addError(errors, "comments", "Comments must be 4000 characters or fewer");
      const scalingRaw = String(body.ownScaling ?? "");
      const ownScaling = scalingRaw === "" ? null : Number(scalingRaw);
      if (ownScaling !== null && !(Number.isInteger(ownScaling) && ownScaling >= 0 && ownScaling <= 10))
        addError(errors, "ownScaling", "Select a number from 0 to 10");
      if (errors.list.length) return familyPage(reply, view, errors, { form: "words", values: body });
      const saved = await request.repo.assessments.saveFamilyWords(view.family.family_assessment_id, {
        domains: {},
        comments: comments || null,
        ownScaling,
        seenScoresOn: view.family.mode === "with-family" ? todayInEngland() : null,
      });
      if (!saved.ok) {
        const refusal = noErrors();
        addError(refusal, "comments", saved.message);
        return familyPage(reply, view, refusal, { form: "words", values: body });
      }
      return reply.redirect(`/family-assessments/${view.family.family_assessment_id}?saved=1#words`, 303);
    },
  );

  // Check and submit; the manager's review and decision.
  const checkPage = (
    reply: FastifyReply,
    view: FamilyView,
    errors: FormErrors,
    values: Record<string, unknown>,
  ) =>
    reply.code(errors.list.length ? 400 : 200).page("assessments/views/family-check.njk", {
      title: `${view.canSignOff ? "Review and sign off" : "Check and submit"}: ${view.family.tool_name}`,
      ...view,
      childViews: childSummaries(view),
      errors,
      values: { summary: view.summary ?? "", ...values },
      AGE_BANDS,
      ASSESSMENT_STATUSES,
      CHILD_VOICE_METHODS,
    });
  app.get(
    "/family-assessments/:familyAssessmentId/check",
    { preHandler: CASE_ROLES },
    async (request, reply) => {
      const view = await loadFamily(request, reply);
      return view ? checkPage(reply, view, noErrors(), {}) : reply;
    },
  );
  app.post(
    "/family-assessments/:familyAssessmentId/submit",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const view = await loadFamily(request, reply);
      if (!view) return reply;
      const body = (request.body ?? {}) as Record<string, unknown>;
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
      const view = await loadFamily(request, reply);
      if (!view) return reply;
      const body = (request.body ?? {}) as Record<string, unknown>;
      const parsed = parseForm(ZDecision, body);
      let errors = parsed.ok ? noErrors() : parsed.errors;
      if (parsed.ok) {
        const { decision } = parsed.values;
        const comments = decision === "return" ? parsed.values.reason : parsed.values.comments;
        const outcome = await request.repo.assessments.decideFamily(view.family.family_assessment_id, {
          decision,
          comments: comments ?? "",
        });
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
