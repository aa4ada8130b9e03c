// SPDX-License-Identifier: MIT
/**
 * Form validation with Zod, shaped for the GOV.UK error summary and error messages: every problem names
 * its field, and the summary links to it.
 */
import type { FastifyReply } from "fastify";
import { z } from "zod";

export type FormErrors = {
  /** Messages by field name, for each component's errorMessage. */
  fields: Record<string, { text: string }>;
  /** The error summary's list, in form order, each linking to its field. */
  list: { text: string; href: string }[];
};

export const noErrors = (): FormErrors => ({ fields: {}, list: [] });

/** The status of a repository's refusal: 403 for access (audited as a denial), 400 for input. */
export const refusalStatus = (result: { denied?: true }): 403 | 400 => (result.denied ? 403 : 400);

/**
 * Adds a field's problem to the form's errors. A field keeps its first message: GOV.UK shows one a field.
 * @param href - The summary's link, when the field's first box has another id (a date input's day).
 */
export const addError = (errors: FormErrors, field: string, text: string, href = `#${field}`): void => {
  if (errors.fields[field]) return;
  errors.fields[field] = { text };
  errors.list.push({ text, href });
};

/** @returns Form errors with one message for one field. */
export const fieldError = (field: string, text: string): FormErrors => ({
  fields: { [field]: { text } },
  list: [{ text, href: `#${field}` }],
});

/**
 * Validates a submitted form.
 * @param schema - The form's Zod schema; its messages are shown to the user.
 * @param body - The parsed request body.
 * @returns The typed values, or the errors to show.
 */
export const parseForm = <S extends z.ZodType>(
  schema: S,
  body: unknown,
): { ok: true; values: z.infer<S> } | { ok: false; errors: FormErrors } => {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return { ok: true, values: parsed.data };
  const errors = noErrors();
  for (const issue of parsed.error.issues) addError(errors, String(issue.path[0] ?? "form"), issue.message);
  return { ok: false, errors };
};

/**
 * Shows a form page with its errors: 400 when it carries any, so a refused submission is not a success.
 * @param status - Another status to answer with (a 403 or 409 the page explains).
 */
export const showForm = (
  reply: FastifyReply,
  view: string,
  errors: FormErrors,
  data: Record<string, unknown>,
  status?: number,
): FastifyReply => reply.code(status ?? (errors.list.length ? 400 : 200)).page(view, { ...data, errors });

/** A text field that must be filled in, at most `max` characters; `message` asks for it. */
export const requiredText = (max: number, message: string) =>
  z.string().trim().min(1, message).max(max, `${message} (${max} characters at most)`);

/** A text field that may be left empty (read as null), at most `max` characters. */
export const optionalText = (max: number, tooLong = `Must be ${max} characters or fewer`) =>
  z
    .string()
    .trim()
    .max(max, tooLong)
    .optional()
    .transform((value) => (value ? value : null));

/** An optional id chosen from a list: the empty choice is null. */
export const optionalId = (message?: string) =>
  z
    .union([z.uuid(message ? { error: message } : undefined), z.literal("")])
    .optional()
    .transform((value) => (value ? value : null));

/** A form field sent once, many times or not at all (checkboxes), as a list; an empty one is none. */
export const asList = (value: unknown): string[] =>
  value === undefined || value === null || value === ""
    ? []
    : Array.isArray(value)
      ? value.map(String)
      : [String(value)];

/** Two sets of errors as one: `a`'s first; a field `a` already names keeps `a`'s message. */
export const mergeErrors = (a: FormErrors, b: FormErrors): FormErrors => ({
  fields: { ...b.fields, ...a.fields },
  list: [...a.list, ...b.list.filter((item) => !a.fields[item.href.slice(1)])],
});
