// SPDX-License-Identifier: MIT
/**
 * A signal rule as data: the YAML file format (src/signals/rules/*.yaml), validated with Zod, each problem
 * reported at its path. A rule says what it counts (chronology event types, children's social care events
 * and their codes, optionally only as recorded by some agency types), over which window, from whom (the
 * child alone, the child and siblings, only siblings, or the whole family), how many make a pattern, and
 * why: its evidence and the strategy or guidance it comes from. A rule only ever suggests that a person
 * looks again; it never scores a person.
 */
import { createHash } from "node:crypto";
import { parseDocument } from "yaml";
import { z } from "zod";
import { EVENT_TYPE_CODES } from "../chronology/codes.ts";
import { AGENCY_TYPE_CODES } from "../organisation/codes.ts";
import { ABUSE_CATEGORY_CODES, CSC_EVENT_TYPE_CODES } from "../pathways/codes.ts";

const ZSlug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,79}$/, "must be lower-case letters, digits and hyphens (at most 80)");
const ZText = (max: number) =>
  z.string().trim().min(1, "must not be empty").max(max, `must be ${max} characters or fewer`);

/** Whose entries a condition counts, as seen from the child the rule is evaluated for. */
export const COUNTED_ACROSS = {
  child: "This child only",
  children: "This child and their brothers and sisters",
  siblings: "Only the child's brothers and sisters",
  family: "Everyone in the family and household",
} as const;
export type CountedAcross = keyof typeof COUNTED_ACROSS;

const ZCondition = z.strictObject({
  id: ZSlug,
  /** What is counted, in words, as the signal page shows it. */
  label: ZText(200),
  chronology: z.array(z.enum(EVENT_TYPE_CODES)).default([]),
  social_care: z
    .array(
      z.strictObject({
        event: z.enum(CSC_EVENT_TYPE_CODES),
        codes: z.array(z.enum(ABUSE_CATEGORY_CODES)).min(1).optional(),
      }),
    )
    .default([]),
  /** Only entries recorded by agencies of these types (social care events count as children's social care). */
  recorded_by: z.array(z.enum(AGENCY_TYPE_CODES)).min(1).optional(),
  across: z.enum(Object.keys(COUNTED_ACROSS) as [CountedAcross, ...CountedAcross[]]),
  /** `entries` counts every entry; `dates` counts days (one incident recorded on two siblings is one). */
  distinct: z.enum(["entries", "dates"]).default("entries"),
  at_least: z.number().int().min(1).max(100),
  /** Only entries on or after the first entry that met this other condition. */
  after: ZSlug.optional(),
});
export type RuleCondition = z.infer<typeof ZCondition>;

const ZWindow = z.union([
  z.strictObject({ months: z.number().int().min(1).max(240) }),
  z.strictObject({ school_term: z.literal("current") }),
]);
export type RuleWindow = z.infer<typeof ZWindow>;

const ZRule = z
  .strictObject({
    id: ZSlug,
    version: z.number().int().min(1),
    title: ZText(200),
    /** What the rule looks for, in one plain sentence. */
    summary: ZText(600),
    window: ZWindow,
    /** Only children of these ages (in months, at evaluation), or unborn children, are evaluated. */
    applies_to: z
      .strictObject({
        under_months: z.number().int().min(1).max(216).optional(),
        unborn: z.boolean().default(false),
      })
      .optional(),
    all_of: z.array(ZCondition).min(1).max(5),
    why: z.strictObject({
      evidence: ZText(2000),
      sources: z
        .array(
          z.strictObject({
            /** A strategy in /work/shared/seeds (000 to 004), or published guidance by name. */
            seed: z.enum(["000", "001", "002", "003", "004"]).optional(),
            guidance: ZText(300).optional(),
            says: ZText(600),
          }),
        )
        .min(1),
    }),
    /** What a person might consider; never a decision. */
    suggests: ZText(600),
  })
  .superRefine((rule, ctx) => {
    const ids = rule.all_of.map((c) => c.id);
    rule.all_of.forEach((condition, index) => {
      if (condition.chronology.length === 0 && condition.social_care.length === 0)
        ctx.addIssue({
          code: "custom",
          path: ["all_of", index],
          message: "counts nothing: name chronology event types or social care events",
        });
      if (condition.after && !ids.includes(condition.after))
        ctx.addIssue({
          code: "custom",
          path: ["all_of", index, "after"],
          message: `unknown condition "${condition.after}"`,
        });
      if (ids.indexOf(condition.id) !== index)
        ctx.addIssue({ code: "custom", path: ["all_of", index, "id"], message: "is used twice" });
    });
  });
export type SignalRule = z.infer<typeof ZRule> & { hash: string };

export type RuleParseResult = { ok: true; rule: SignalRule } | { ok: false; errors: string[] };

/** Parses and validates one rule file; each problem names its path (`all_of[0].at_least: ...`). */
export const parseRuleYaml = (text: string): RuleParseResult => {
  if (text.trim() === "") return { ok: false, errors: ["The file is empty"] };
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) return { ok: false, errors: document.errors.map((e) => e.message) };
  const parsed = ZRule.safeParse(document.toJS({ maxAliasCount: 50 }));
  if (!parsed.success)
    return {
      ok: false,
      errors: parsed.error.issues.map(
        (issue) =>
          `${issue.path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`)).join("") || "(file)"}: ${issue.message}`,
      ),
    };
  const hash = createHash("sha256").update(JSON.stringify(parsed.data)).digest("hex");
  return { ok: true, rule: { ...parsed.data, hash } };
};
