// SPDX-License-Identifier: MIT
/** A parsed tool file validated: Zod's checks, then references and uniqueness, scales spelt out, a content hash. */
import { createHash } from "node:crypto";
import type { z } from "zod";
import { MEANING_CODES } from "./codes.ts";
import {
  type Aggregation,
  type Condition,
  formatPath,
  type Scale,
  type ScalePoint,
  type Section,
  type ToolContent,
  type ToolFile,
  type ToolParseResult,
  type ZScale,
  ZToolFile,
} from "./tool-file.ts";

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
