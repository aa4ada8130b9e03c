// SPDX-License-Identifier: MIT
/**
 * A neglect tool as data: the YAML file format, validated with Zod, with every problem reported at its
 * path in the file (`sections[1].domains[0].items[3].scale: unknown scale "s7"`). A file becomes a
 * normalised {@link ToolContent} (scales' points spelt out, defaults filled in) and a content hash, which
 * is what a published version stores and never changes.
 *
 * The shape: a tool has scales, then sections of domains of items. Items are answered on a scale; each
 * domain (and, if asked, each section) has an aggregation rule; level rules suggest a level of need.
 */
import { createHash } from "node:crypto";
import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
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

const ZScale = z.strictObject({
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
type Condition = {
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

const ZToolFile = z.strictObject({
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

const DEFAULT_JUDGEMENT: Aggregation = {
  method: "judgement",
  suggest: "worst",
  min_answered: 1,
  override_allowed: true,
};
const NO_AGGREGATION: Aggregation = { method: "none", min_answered: 1, override_allowed: true };

/** Spells out a scale's points (numeric and scaling scales may give only a range). */
const normaliseScale = (scale: z.infer<typeof ZScale>, at: string, errors: string[]): Scale => {
  let points: ScalePoint[];
  if (scale.points && scale.points.length > 0) {
    points = scale.points.map((p) => ({
      value: p.value,
      label: p.label,
      plain: p.plain ?? p.label,
      colour: p.colour,
      meaning: p.meaning,
    }));
  } else if (scale.min !== undefined && scale.max !== undefined) {
    const step = scale.step ?? 1;
    points = [];
    if (scale.max <= scale.min) errors.push(`${at}.max: must be more than min`);
    else if ((scale.max - scale.min) / step > 100)
      errors.push(`${at}.step: more than 100 points; use a larger step`);
    else
      for (let v = scale.min; v <= scale.max + 1e-9; v += step) {
        const value = Math.round(v * 1000) / 1000;
        const band = scale.meanings?.find((m) => value >= m.from && value <= m.to);
        points.push({
          value,
          label: String(value),
          plain: String(value),
          colour: undefined,
          meaning: band?.meaning,
        });
      }
  } else {
    errors.push(`${at}.points: give the scale's points, or its min and max`);
    points = [];
  }
  const values = points.map((p) => p.value);
  if (new Set(values).size !== values.length) errors.push(`${at}.points: two points have the same value`);
  if (scale.type !== "numeric" && scale.type !== "scaling") {
    points.forEach((p, index) => {
      if (!p.meaning)
        errors.push(
          `${at}.points[${index}].meaning: say what this point means (${MEANING_CODES.join(", ")})`,
        );
    });
  }
  const sorted = [...points].sort((a, b) => a.value - b.value);
  return {
    id: scale.id,
    type: scale.type,
    label: scale.label,
    direction: scale.direction,
    points: sorted,
    min: sorted[0]?.value ?? 0,
    max: sorted.at(-1)?.value ?? 1,
    step: scale.step ?? 1,
    specials: scale.specials,
  };
};

/** The checks Zod cannot make alone: references between parts of the file, and uniqueness. */
const crossCheck = (file: ToolFile, scales: Map<string, Scale>, errors: string[]): Section[] => {
  const seen = new Map<string, string>();
  const unique = (id: string, at: string) => {
    const before = seen.get(id);
    if (before) errors.push(`${at}.id: "${id}" is already used at ${before}`);
    else seen.set(id, at);
  };
  const itemIds = new Set(file.sections.flatMap((s) => s.domains.flatMap((d) => d.items.map((i) => i.id))));
  const checkAggregation = (agg: Aggregation, scale: Scale | undefined, at: string) => {
    const computed = agg.method === "judgement" ? agg.suggest : agg.method;
    if (computed === "count_at_or_worse") {
      if (agg.at_or_worse === undefined)
        errors.push(`${at}.aggregation.at_or_worse: say which value is counted`);
      else if (scale && !scale.points.some((p) => p.value === agg.at_or_worse))
        errors.push(
          `${at}.aggregation.at_or_worse: ${agg.at_or_worse} is not a point of scale "${scale.id}"`,
        );
    }
  };
  const sections = file.sections.map((section, s) => {
    const sectionAt = `sections[${s}]`;
    unique(section.id, sectionAt);
    const domains = section.domains.map((domain, d) => {
      const domainAt = `${sectionAt}.domains[${d}]`;
      unique(domain.id, domainAt);
      const itemScales = new Set<string>();
      domain.items.forEach((item, i) => {
        const itemAt = `${domainAt}.items[${i}]`;
        unique(item.id, itemAt);
        const scale = scales.get(item.scale);
        if (!scale) errors.push(`${itemAt}.scale: unknown scale "${item.scale}"`);
        itemScales.add(item.scale);
        if (item.show_when && !itemIds.has(item.show_when.item))
          errors.push(`${itemAt}.show_when.item: unknown item "${item.show_when.item}"`);
        if (item.show_when?.item === item.id)
          errors.push(`${itemAt}.show_when.item: an item cannot depend on itself`);
        for (const [band, texts] of Object.entries(item.descriptors ?? {})) {
          for (const key of Object.keys(texts)) {
            if (scale && !scale.points.some((p) => p.value === Number(key)))
              errors.push(
                `${itemAt}.descriptors.${band}.${key}: ${key} is not a point of scale "${scale.id}"`,
              );
          }
        }
      });
      const aggregation = domain.aggregation ?? DEFAULT_JUDGEMENT;
      let scaleId = domain.scale;
      if (scaleId && !scales.has(scaleId)) errors.push(`${domainAt}.scale: unknown scale "${scaleId}"`);
      if (!scaleId) {
        if (itemScales.size === 1) scaleId = [...itemScales][0];
        else if (aggregation.method !== "none")
          errors.push(
            `${domainAt}.scale: its items use different scales (${[...itemScales].join(", ")}); name the scale the domain's result is given on`,
          );
      }
      const needsShared = ["worst", "median", "mean", "count_at_or_worse"].includes(
        aggregation.method === "judgement" ? (aggregation.suggest ?? "worst") : aggregation.method,
      );
      if (needsShared && itemScales.size > 1 && aggregation.method !== "none")
        errors.push(`${domainAt}.aggregation: ${aggregation.method} needs every item on one scale`);
      checkAggregation(aggregation, scaleId ? scales.get(scaleId) : undefined, domainAt);
      return { ...domain, aggregation, scale: scaleId ?? "" };
    });
    const aggregation = section.aggregation ?? NO_AGGREGATION;
    if (aggregation.method !== "none") {
      const domainScales = new Set(domains.map((d) => d.scale));
      if (domainScales.size > 1)
        errors.push(`${sectionAt}.aggregation: its domains use different scales, so they cannot be combined`);
      checkAggregation(aggregation, scales.get(domains[0]?.scale ?? ""), sectionAt);
    }
    return { ...section, aggregation, domains };
  });
  const levelCodes = new Set(file.levels.map((l) => l.code));
  const domainIds = new Set(sections.flatMap((s) => s.domains.map((d) => d.id)));
  const checkCondition = (condition: Condition, at: string) => {
    const parts = ["any", "all", "domains_at_or_worse", "items_at_or_worse", "flag"].filter(
      (key) => condition[key as keyof Condition] !== undefined,
    );
    if (parts.length === 0)
      errors.push(`${at}: give a condition (domains_at_or_worse, items_at_or_worse, flag, any or all)`);
    for (const id of condition.among ?? []) {
      const known = condition.items_at_or_worse ? itemIds.has(id) : domainIds.has(id);
      if (!known)
        errors.push(`${at}.among: unknown ${condition.items_at_or_worse ? "item" : "domain"} "${id}"`);
    }
    condition.any?.forEach((c, i) => {
      checkCondition(c, `${at}.any[${i}]`);
    });
    condition.all?.forEach((c, i) => {
      checkCondition(c, `${at}.all[${i}]`);
    });
  };
  file.level_rules.forEach((rule, r) => {
    if (!levelCodes.has(rule.suggest))
      errors.push(`level_rules[${r}].suggest: unknown level "${rule.suggest}"`);
    checkCondition(rule.when, `level_rules[${r}].when`);
  });
  if (file.otherwise && !levelCodes.has(file.otherwise))
    errors.push(`otherwise: unknown level "${file.otherwise}"`);
  for (const [from, to] of Object.entries(file.equivalence)) {
    if (!seen.has(to)) errors.push(`equivalence.${from}: unknown node "${to}" in this version`);
  }
  if (file.licence.kind === "licensed_third_party" && !file.licence.attribution)
    errors.push("licence.attribution: licensed content must name its owner and licence");
  return sections;
};

/**
 * Validates a tool definition that is already parsed (from YAML or JSON).
 * @param data - The parsed file.
 * @returns The normalised content and its hash, or every problem found, each naming its path.
 */
export const validateTool = (data: unknown): ToolParseResult => {
  const parsed = ZToolFile.safeParse(data);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => {
        const at = formatPath(issue.path);
        return at === "" ? issue.message : `${at}: ${issue.message}`;
      }),
    };
  }
  const file = parsed.data;
  const errors: string[] = [];
  const scales = new Map<string, Scale>();
  file.scales.forEach((scale, index) => {
    if (scales.has(scale.id)) errors.push(`scales[${index}].id: "${scale.id}" is already used`);
    scales.set(scale.id, normaliseScale(scale, `scales[${index}]`, errors));
  });
  const sections = crossCheck(file, scales, errors);
  if (errors.length > 0) return { ok: false, errors };
  const content: ToolContent = { ...file, scales: [...scales.values()], sections };
  return { ok: true, content, hash: contentHash(content) };
};

/** @returns A stable SHA-256 of the content (keys sorted), so a re-load of the same file is recognised. */
export const contentHash = (content: unknown): string => {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === "object")
      return Object.fromEntries(
        Object.entries(value)
          .filter(([, v]) => v !== undefined)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => [k, canonical(v)]),
      );
    return value;
  };
  return createHash("sha256")
    .update(JSON.stringify(canonical(content)))
    .digest("hex");
};

const PATH_PREFIX = /^([A-Za-z_][\w-]*(?:\[\d+\]|\.[\w-]+)*): /;

/**
 * The line of the file a path points to: the key of the deepest field found along it (a missing field
 * is placed at the nearest part of the file that is there).
 */
const lineOf = (document: Document, lines: LineCounter, segments: string[]): number | undefined => {
  let node: unknown = document.contents;
  let at: { range?: [number, number, number] | null | undefined } | undefined =
    node && typeof node === "object" ? (node as { range?: [number, number, number] }) : undefined;
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) break;
      at = isScalar(pair.key) ? pair.key : at;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item === undefined || !/^\d+$/.test(segment)) break;
      at = item as { range?: [number, number, number] };
      node = item;
    } else break;
  }
  const offset = at?.range?.[0];
  return offset === undefined ? undefined : lines.linePos(offset).line;
};

/**
 * Puts the file's line in front of each problem: `line 33: sections[0].domains[0].items[0].scale: …`.
 * A key that is not allowed is placed on its own line and named in the path.
 */
const withLines = (document: Document, lines: LineCounter, errors: string[]): string[] =>
  errors.map((error) => {
    const match = PATH_PREFIX.exec(error);
    let path = match?.[1] ?? "";
    let message = match ? error.slice(match[0].length) : error;
    const unknownKey = /^Unrecognized keys?: "([^"]+)"(,|$)/.exec(message);
    if (unknownKey?.[1] && !unknownKey[2]) {
      path = path === "" ? unknownKey[1] : `${path}.${unknownKey[1]}`;
      message = "this field is not part of a tool file (check its spelling and indentation)";
    }
    const line = lineOf(document, lines, path.match(/[^.[\]]+/g) ?? []);
    const named = path === "" ? message : `${path}: ${message}`;
    return line === undefined ? named : `line ${line}: ${named}`;
  });

/** How far aliases may expand a tool's YAML: a tool needs few, an alias bomb needs millions. */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses and validates a tool's YAML file.
 * @param text - The file's text.
 * @returns The normalised content and hash, or the problems, each with its line in the file and the
 * path of its field (YAML syntax errors give line and column).
 */
export const parseToolYaml = (text: string): ToolParseResult => {
  if (text.trim() === "") return { ok: false, errors: ["The file is empty"] };
  const lines = new LineCounter();
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter: lines });
  if (document.errors.length > 0) {
    return {
      ok: false,
      errors: document.errors.map((error) => {
        const where = error.linePos?.[0];
        return where
          ? `line ${where.line}, column ${where.col}: ${error.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "")}`
          : error.message;
      }),
    };
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // The yaml package throws when aliases expand beyond the limit ("billion laughs"): a form error, not a 500.
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      return {
        ok: false,
        errors: ["The file repeats its anchors (&) through aliases (*) too many times to be read safely"],
      };
    }
    throw error;
  }
  const validated = validateTool(data);
  return validated.ok ? validated : { ok: false, errors: withLines(document, lines, validated.errors) };
};
