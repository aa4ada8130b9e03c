// SPDX-License-Identifier: MIT
/**
 * The feedback questionnaire as data (questionnaires/feedback.yaml): each question in a parent's or
 * carer's words and a child's plain words, on one five-point scale whose points each have a picture and
 * the words a screen reader announces. A broken file is a defect in Hearth itself, so reading it throws.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { z } from "zod";
import type { FeedbackVersion } from "../codes.ts";

const ZText = z.string().trim().min(1).max(300);

const ZQuestionnaire = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  scale: z
    .array(
      z.strictObject({
        value: z.number().int().min(1).max(5),
        family: ZText,
        child: ZText,
        picture: z.enum(["very-sad", "sad", "neutral", "happy", "very-happy"]),
      }),
    )
    .length(5),
  questions: z
    .array(z.strictObject({ id: z.string().regex(/^[a-z0-9-]+$/), family: ZText, child: ZText }))
    .min(1)
    .max(10),
  comment: z.strictObject({ family: ZText, child: ZText }),
});

export type Questionnaire = z.infer<typeof ZQuestionnaire>;

let cached: Questionnaire | undefined;

/** @returns The questionnaire Hearth ships. */
export const questionnaire = (): Questionnaire => {
  if (cached) return cached;
  const path = join(dirname(fileURLToPath(import.meta.url)), "questionnaires", "feedback.yaml");
  cached = ZQuestionnaire.parse(parse(readFileSync(path, "utf8")));
  return cached;
};

/** The questionnaire in one version's words: questions and scale points with their text. */
export const questionnaireFor = (version: FeedbackVersion) => {
  const q = questionnaire();
  return {
    version,
    questions: q.questions.map((question) => ({ id: question.id, text: question[version] })),
    scale: q.scale.map((point) => ({ value: point.value, text: point[version], picture: point.picture })),
    comment: q.comment[version],
  };
};

/**
 * Reads a submitted questionnaire: every question answered 1 to 5, an optional comment of at most 2000
 * characters.
 * @returns The answers and comment, or the field at fault with its message.
 */
export const readAnswers = (
  version: FeedbackVersion,
  body: Record<string, unknown>,
):
  | { ok: true; answers: Record<string, number>; comment: string | null }
  | { ok: false; field: string; message: string } => {
  const form = questionnaireFor(version);
  const answers: Record<string, number> = {};
  for (const question of form.questions) {
    const raw = body[`q-${question.id}`];
    const value = typeof raw === "string" && /^[1-5]$/.test(raw) ? Number(raw) : null;
    if (value === null)
      return {
        ok: false,
        field: `q-${question.id}`,
        message:
          version === "child"
            ? `Pick an answer for "${question.text}"`
            : `Choose an answer to "${question.text}"`,
      };
    answers[question.id] = value;
  }
  const comment = typeof body.comment === "string" ? body.comment.trim() : "";
  if (comment.length > 2000)
    return { ok: false, field: "comment", message: "Your comment must be 2000 characters or fewer" };
  return { ok: true, answers, comment: comment === "" ? null : comment };
};
