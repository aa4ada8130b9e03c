// SPDX-License-Identifier: MIT
/** The tool file's format as Zod schemas, and the types of a validated, normalised tool. */
import { z } from "zod";
import { NEGLECT_TYPE_CODES } from "../chronology/codes.ts";
import { AGE_BAND_CODES, FRAMEWORK_DIMENSION_CODES, MEANING_CODES } from "./codes.ts";

const ZSlug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,79}$/, "must be lower-case letters, digits and hyphens (at most 80)");
const ZText = (max: number) =>
  z.string().trim().min(1, "must not be empty").max(max, `must be ${max} characters or fewer`);

const ZMeaning = z.enum(MEANING_CODES);
const ZAgeBand = z.enum(AGE_BAND_CODES);

const ZPoint = z.strictObject({
  value: z.number(),
  label: ZText(120),
  /** The same point in plain words for the family view. */
  plain: ZText(200).optional(),
  colour: z.enum(["green", "yellow", "amber", "red", "grey"]).optional(),
  meaning: ZMeaning.optional(),
});

export const ZScale = z.strictObject({
  id: ZSlug,
  type: z.enum(["ordinal", "scaling", "rag", "checklist", "numeric"]),
  label: ZText(200).optional(),
  direction: z.enum(["higher_worse", "higher_better"]),
  points: z.array(ZPoint).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  step: z.number().positive().optional(),
  /** For numeric and scaling scales without points: what ranges of values mean. */
  meanings: z.array(z.strictObject({ from: z.number(), to: z.number(), meaning: ZMeaning })).optional(),
  specials: z.array(z.enum(["not_known", "not_applicable"])).default([]),
});

const ZAggregation = z.strictObject({
  method: z.enum(["judgement", "worst", "median", "mean", "count_at_or_worse", "none"]),
  /** For judgement: how the suggestion the practitioner confirms is computed. */
  suggest: z.enum(["worst", "median", "mean", "count_at_or_worse"]).optional(),
  /** For count_at_or_worse: the scale value counted at or beyond. */
  at_or_worse: z.number().optional(),
  min_answered: z.number().int().min(1).default(1),
  override_allowed: z.boolean().default(true),
});

const ZNeglectWeights = z.partialRecord(z.enum(NEGLECT_TYPE_CODES), z.number().min(0).max(1));

const ZDescriptors = z.partialRecord(
  z.union([ZAgeBand, z.literal("all")], { error: "descriptor groups are age bands or all" }),
  z.record(z.string().regex(/^-?\d+(\.\d+)?$/, "descriptor keys are scale values"), ZText(600)),
);

const ZItem = z.strictObject({
  id: ZSlug,
  title: ZText(200),
  /** The question in plain words, for the family view. */
  plain: ZText(300).optional(),
  guidance: ZText(2000).optional(),
  prompts: z.array(ZText(300)).optional(),
  scale: ZSlug,
  applies_to: z.array(ZAgeBand).min(1).optional(),
  /** Shown only when another item is at or worse than a meaning. */
  show_when: z.strictObject({ item: ZSlug, at_or_worse: ZMeaning }).optional(),
  neglect_types: ZNeglectWeights.optional(),
  framework: z.array(z.enum(FRAMEWORK_DIMENSION_CODES)).optional(),
  descriptors: ZDescriptors.optional(),
});

const ZDomain = z.strictObject({
  id: ZSlug,
  title: ZText(200),
  plain: ZText(300).optional(),
  summary: ZText(1000).optional(),
  scale: ZSlug.optional(),
  applies_to: z.array(ZAgeBand).min(1).optional(),
  aggregation: ZAggregation.optional(),
  neglect_types: ZNeglectWeights.optional(),
  framework: z.array(z.enum(FRAMEWORK_DIMENSION_CODES)).optional(),
  /**
   * About the parents or carers (or the home), not one child: in a family assessment it is answered once
   * for all the children and read into each child's results. Optional without a default, so the content
   * hash of tools written before it existed does not change.
   */
  shared: z.boolean().optional(),
  items: z.array(ZItem).min(1, "a domain needs at least one item"),
});

const ZSection = z.strictObject({
  id: ZSlug,
  title: ZText(200),
  intro: ZText(2000).optional(),
  aggregation: ZAggregation.optional(),
  domains: z.array(ZDomain).min(1, "a section needs at least one domain"),
});

/** A condition over the results; all given parts must hold. */
export type Condition = {
  any?: Condition[] | undefined;
  all?: Condition[] | undefined;
  /** Counts domains (or items) whose result is at or worse than this meaning. */
  domains_at_or_worse?: Meaning | undefined;
  items_at_or_worse?: Meaning | undefined;
  /** Restricts the count to these node ids. */
  among?: string[] | undefined;
  /** At least this many (default 1). */
  count?: number | undefined;
  /** A change-over-time flag is raised on any domain. */
  flag?: "no_improvement" | "relapse" | undefined;
};
type Meaning = z.infer<typeof ZMeaning>;

const ZCondition: z.ZodType<Condition> = z.lazy(() =>
  z.strictObject({
    any: z.array(ZCondition).min(1).optional(),
    all: z.array(ZCondition).min(1).optional(),
    domains_at_or_worse: ZMeaning.optional(),
    items_at_or_worse: ZMeaning.optional(),
    among: z.array(ZSlug).min(1).optional(),
    count: z.number().int().min(1).optional(),
    flag: z.enum(["no_improvement", "relapse"]).optional(),
  }),
);

export const ZToolFile = z.strictObject({
  id: ZSlug,
  name: ZText(200),
  version: z.string().regex(/^\d+\.\d+\.\d+$/, "must be a version like 1.0.0"),
  owner: ZText(200),
  purpose: ZText(2000),
  tier: z.enum(["screen", "in_depth", "analysis"]),
  licence: z.strictObject({
    kind: z.enum(["own", "open", "licensed_third_party"]),
    attribution: ZText(500).optional(),
    requires_training: z.boolean().default(false),
    licensed_area: ZText(200).optional(),
  }),
  /** Old node id → new node id, for comparing with assessments made on earlier versions. */
  equivalence: z.record(ZSlug, ZSlug).default({}),
  change: z
    .strictObject({
      no_improvement_reviews: z.number().int().min(1).max(10).default(2),
      /**
       * Months after an assessment when the child should be assessed again with the tool, to show
       * change; an older one is overdue on the lead professional's and manager's worklists. A one-off
       * screen has none (optional without a default, so older tools' content hashes do not change).
       */
      reassess_after_months: z.number().int().min(1).max(36).optional(),
    })
    .default({ no_improvement_reviews: 2 }),
  scales: z.array(ZScale).min(1, "a tool needs at least one scale"),
  sections: z.array(ZSection).min(1, "a tool needs at least one section"),
  levels: z
    .array(z.strictObject({ code: ZSlug, name: ZText(120), description: ZText(500).optional() }))
    .min(1, "a tool needs at least one level of need"),
  level_rules: z
    .array(
      z.strictObject({
        id: ZSlug,
        when: ZCondition,
        suggest: ZSlug,
        because: ZText(500),
      }),
    )
    .default([]),
  /** The level suggested when no rule fires; the first level if not given. */
  otherwise: ZSlug.optional(),
  /**
   * How many areas (domains) must be answered before any level is suggested: a number, or "all" (the
   * default when not given: every area asked of the child). Optional without a default so that the
   * content hash of tools written before it existed does not change.
   */
  advise_after: z
    .union([z.number().int().min(1), z.literal("all")], { error: 'must be a number of areas, or "all"' })
    .optional(),
});

export type ToolFile = z.infer<typeof ZToolFile>;
export type LevelCondition = Condition;

export type ScalePoint = {
  value: number;
  label: string;
  plain: string;
  colour: "green" | "yellow" | "amber" | "red" | "grey" | undefined;
  meaning: Meaning | undefined;
};

export type Scale = {
  id: string;
  type: "ordinal" | "scaling" | "rag" | "checklist" | "numeric";
  label: string | undefined;
  direction: "higher_worse" | "higher_better";
  points: ScalePoint[];
  min: number;
  max: number;
  step: number;
  specials: ("not_known" | "not_applicable")[];
};

export type Aggregation = z.infer<typeof ZAggregation>;
export type Item = z.infer<typeof ZItem>;
export type Domain = Omit<z.infer<typeof ZDomain>, "aggregation" | "scale"> & {
  aggregation: Aggregation;
  /** The scale the domain's result is given on: its own, or its items' shared scale. */
  scale: string;
};
export type Section = Omit<z.infer<typeof ZSection>, "aggregation" | "domains"> & {
  aggregation: Aggregation;
  domains: Domain[];
};

/** A validated, normalised tool version, as stored (jsonb) and used by the engine. */
export type ToolContent = Omit<ToolFile, "scales" | "sections"> & {
  scales: Scale[];
  sections: Section[];
};

export type ToolParseResult =
  | { ok: true; content: ToolContent; hash: string }
  | { ok: false; errors: string[] };

/** @returns A Zod issue path as written in the file: `sections[1].domains[0].items[3].scale`. */
export const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((text, part) => {
    if (typeof part === "number") return `${text}[${part}]`;
    return text === "" ? String(part) : `${text}.${String(part)}`;
  }, "");
