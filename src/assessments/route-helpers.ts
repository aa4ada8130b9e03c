// SPDX-License-Identifier: MIT
/**
 * What the assessment pages share, for a child's assessment and a family assessment alike: who may use
 * them, reading their forms (dates, lists, answers and grades, a manager's decision), the options a
 * question offers, and turning a repository's refusal into form errors. Kept in one place so both read an
 * answer, and show a question, the same way.
 */

import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { readDateInput } from "../web/dates.ts";
import { type FormReading, readingOf } from "../web/form-route.ts";
import {
  addError,
  asList,
  type FormErrors,
  mergeErrors,
  noErrors,
  optionalText,
  parseForm,
} from "../web/forms.ts";
import { requireAllowed } from "../web/guards.ts";
import { type FormBody, idParam } from "../web/request-values.ts";
import type { AnswerInput } from "./assessment-records.ts";
import { ASSESSMENT_MODE_CODES, type AssessmentMode, EVIDENCE_SOURCE_CODES } from "./codes.ts";
import type { Judgement, Special } from "./engine.ts";
import type { Domain, Scale } from "./tool-schema.ts";

export const CASE_ROLES = requireAllowed("records.read");
export const RECORDERS = requireAllowed("records.write");
export const SIGNERS = requireAllowed("assessments.sign-off");

export const ZStart = z.object({
  toolId: z.uuid({ error: "Select a tool" }),
  mode: z.enum(ASSESSMENT_MODE_CODES, { error: "Select how the assessment is done" }),
});

/**
 * Reads the form that starts an assessment (the tool, how it is done, the date) for the child in the
 * path, adding its problems to `errors` so that every problem shows at once.
 */
export const readStartForm = (
  body: FormBody,
  request: FastifyRequest,
  before: FormErrors = noErrors(),
):
  | FormReading<{ personId: string; toolId: string; mode: AssessmentMode; assessedOn: string }>
  | undefined => {
  const personId = idParam(request, "personId");
  if (!personId) return undefined;
  const parsed = parseForm(ZStart, body);
  const errors = parsed.ok ? before : mergeErrors(before, parsed.errors);
  const date = readDateInput(body, "assessedOn", "date of the assessment", {
    required: true,
    future: "refused",
  });
  if (!date.ok) addError(errors, "assessedOn", date.message);
  if (!parsed.ok || !date.ok || !date.value) return { ok: false, errors };
  return readingOf(errors, { personId, ...parsed.values, assessedOn: date.value });
};

/** A manager's decision on a submitted assessment: a return needs a reason, a sign-off comments. */
export const ZDecision = z.object({
  decision: z.enum(["sign-off", "return"], { error: "Select whether you sign it off or return it" }),
  comments: optionalText(4000),
  reason: optionalText(4000),
});

/**
 * Reads a manager's decision: a return carries its own reason (the author is told it), a sign-off the
 * manager's comments.
 */
export const readDecision = (
  body: Record<string, unknown>,
):
  | { ok: true; value: { decision: z.infer<typeof ZDecision>["decision"]; comments: string } }
  | { ok: false; errors: FormErrors } => {
  const parsed = parseForm(ZDecision, body);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  const { decision } = parsed.values;
  const comments = decision === "return" ? parsed.values.reason : parsed.values.comments;
  return { ok: true, value: { decision, comments: comments ?? "" } };
};

/** Splits a repository refusal into form errors on its field (or the form as a whole). */
export const refusalErrors = (field: string | undefined, message: string, fallback: string): FormErrors => {
  const errors = noErrors();
  for (const line of message.split("\n")) addError(errors, field ?? fallback, line);
  // Several lines on one field: keep every message in the summary.
  if (message.includes("\n")) {
    errors.list = message.split("\n").map((line) => ({ text: line, href: `#${field ?? fallback}` }));
  }
  return errors;
};

/**
 * The choices a question offers: its scale's grades (each with the descriptor for the child's age, if
 * any), then "not known yet" or "does not apply" where the scale allows them.
 */
export const answerOptions = (
  scale: Scale | undefined,
  current: string,
  descriptorOf: (value: number) => string | undefined,
) => {
  const options: Record<string, unknown>[] = (scale?.points ?? []).map((pt) => {
    const descriptor = descriptorOf(pt.value);
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
  return options;
};

/**
 * Reads the answers and grades of these domains from a posted form; errors are keyed with the prefix
 * (several forms can share a page).
 */
export const readAnswerForm = (
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
