// SPDX-License-Identifier: MIT
/**
 * A case audit form as data, like the assessment tools: versioned YAML (in src/learning/audits/forms/),
 * validated with Zod with every problem at its path in the file, hashed, and published into a partnership
 * once per version. Every question is graded on the same four grades, with evidence text.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";
import { z } from "zod";
import { contentHash, formatPath } from "../../assessments/tool-schema.ts";

const ZSlug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,79}$/, "must be lower-case letters, digits and hyphens (at most 80)");
const ZText = (max: number) =>
  z.string().trim().min(1, "must not be empty").max(max, `must be ${max} characters or fewer`);

const ZAuditForm = z.strictObject({
  id: ZSlug,
  name: ZText(200),
  version: z.string().regex(/^\d+\.\d+\.\d+$/, "must be a version like 1.0.0"),
  owner: ZText(200),
  purpose: ZText(2000),
  questions: z
    .array(z.strictObject({ id: ZSlug, title: ZText(300), guidance: ZText(1000).optional() }))
    .min(1, "a form needs at least one question")
    .max(30, "a form has at most 30 questions"),
});

export type AuditFormContent = z.infer<typeof ZAuditForm>;

export type AuditFormParse =
  | { ok: true; content: AuditFormContent; hash: string }
  | { ok: false; errors: string[] };

/**
 * Parses and validates an audit form's YAML.
 * @param text - The file's text.
 * @returns The content and its hash, or each problem at its path.
 */
export const parseAuditFormYaml = (text: string): AuditFormParse => {
  if (text.trim() === "") return { ok: false, errors: ["The file is empty"] };
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) return { ok: false, errors: document.errors.map((e) => e.message) };
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 100 });
  } catch {
    return { ok: false, errors: ["The file repeats its anchors (&) through aliases (*) too many times"] };
  }
  const parsed = ZAuditForm.safeParse(data);
  if (!parsed.success)
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => `${formatPath(issue.path) || "form"}: ${issue.message}`),
    };
  const ids = parsed.data.questions.map((q) => q.id);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated) return { ok: false, errors: [`questions: the id "${repeated}" is used twice`] };
  return { ok: true, content: parsed.data, hash: contentHash(parsed.data) };
};

export const AUDIT_FORMS_DIR = join(dirname(fileURLToPath(import.meta.url)), "forms");

export type RepositoryAuditForm = { file: string; text: string; content: AuditFormContent; hash: string };

let cached: RepositoryAuditForm[] | undefined;

/** Every audit form shipped with Hearth. A broken file is a defect in Hearth itself, so it throws. */
export const repositoryAuditForms = (): RepositoryAuditForm[] => {
  if (cached) return cached;
  cached = readdirSync(AUDIT_FORMS_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((file) => {
      const text = readFileSync(join(AUDIT_FORMS_DIR, file), "utf8");
      const parsed = parseAuditFormYaml(text);
      if (!parsed.ok) throw new Error(`audit form ${file} is not valid:\n  ${parsed.errors.join("\n  ")}`);
      return { file, text, content: parsed.content, hash: parsed.hash };
    });
  return cached;
};
