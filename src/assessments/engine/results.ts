// SPDX-License-Identifier: MIT
/** A domain's answers combined into a suggestion, and the results of a whole tool. */
import type { NeglectType } from "../../chronology/codes.ts";
import type { AgeBand, Meaning } from "../codes.ts";
import type { Aggregation, Domain, Scale, ToolContent } from "../tool-schema.ts";
import {
  type Answer,
  applicableTool,
  EPSILON,
  type Judgement,
  meaningOf,
  scaleOf,
  severity,
} from "./answers.ts";

export type Computed = {
  /** The computed value: on the scale, or a count for count_at_or_worse. */
  value: number | undefined;
  kind: "scale" | "count";
  /** Why there is no value, when there is none. */
  note: string | undefined;
};

/** The nearest point of the scale to a value; a tie goes to the worse point (the safer error). */
const nearestPoint = (scale: Scale, value: number): number => {
  let best: number | undefined;
  for (const point of scale.points) {
    if (best === undefined) {
      best = point.value;
      continue;
    }
    const distance = Math.abs(point.value - value);
    const bestDistance = Math.abs(best - value);
    if (
      distance < bestDistance - EPSILON ||
      (Math.abs(distance - bestDistance) < EPSILON && severity(scale, point.value) > severity(scale, best))
    )
      best = point.value;
  }
  return best ?? value;
};

/**
 * Combines the answered values of a node's children.
 * @param method - worst, median, mean or count_at_or_worse.
 * @param values - The answered values (not known, not applicable and unanswered already left out).
 * @param scale - The scale the values are on.
 * @param options - The count threshold and the fewest answers needed.
 * @returns The value, or a note saying why there is none.
 */
export const aggregate = (
  method: "worst" | "median" | "mean" | "count_at_or_worse",
  values: number[],
  scale: Scale,
  options: { atOrWorse?: number | undefined; minAnswered?: number } = {},
): Computed => {
  const kind = method === "count_at_or_worse" ? "count" : "scale";
  const minAnswered = options.minAnswered ?? 1;
  if (values.length < minAnswered) {
    return {
      value: undefined,
      kind,
      note:
        values.length === 0
          ? "No item is answered yet"
          : `Only ${values.length} of the ${minAnswered} answers needed are given`,
    };
  }
  const bySeverity = [...values].sort((a, b) => severity(scale, a) - severity(scale, b));
  switch (method) {
    case "worst":
      return { value: bySeverity.at(-1), kind, note: undefined };
    case "median": {
      // With an even count the worse of the two middle values is taken: never understate a concern.
      const middle = Math.floor(bySeverity.length / 2);
      return { value: bySeverity[middle], kind, note: undefined };
    }
    case "mean": {
      const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
      return { value: nearestPoint(scale, mean), kind, note: undefined };
    }
    case "count_at_or_worse": {
      const threshold = options.atOrWorse ?? scale.max;
      const limit = severity(scale, threshold);
      return {
        value: values.filter((v) => severity(scale, v) >= limit - EPSILON).length,
        kind,
        note: undefined,
      };
    }
  }
};

export type DomainResult = {
  domainId: string;
  title: string;
  scale: Scale;
  method: Aggregation["method"];
  applicable: number;
  answered: number;
  notKnown: number;
  computed: Computed;
  /** The practitioner's confirmed grade (judgement only). */
  confirmed: number | undefined;
  overrideReason: string | undefined;
  /** The domain's result: confirmed for judgement, otherwise computed. */
  value: number | undefined;
  kind: "scale" | "count";
  meaning: Meaning | undefined;
  neglectTypes: NeglectType[];
};

export type ItemResult = {
  itemId: string;
  domainId: string;
  title: string;
  scale: Scale;
  answer: Answer | undefined;
  meaning: Meaning | undefined;
};

export type ToolResults = {
  band: AgeBand;
  domains: DomainResult[];
  sections: { sectionId: string; title: string; computed: Computed | undefined; domainIds: string[] }[];
  items: ItemResult[];
  /** Applicable items with neither a value nor "not known"/"not applicable". */
  unanswered: string[];
  /** Judgement domains without a confirmed grade. */
  unconfirmed: string[];
};

/** The pseudo-scale a count result lies on: 0 to the number of items, more is worse. */
export const countScale = (domain: Pick<Domain, "id">, items: number): Scale => ({
  id: `${domain.id}-count`,
  type: "numeric",
  label: "Number of items at or beyond the threshold",
  direction: "higher_worse",
  points: [],
  min: 0,
  max: Math.max(1, items),
  step: 1,
  specials: [],
});

const neglectTypesOf = (domain: Domain): NeglectType[] => {
  const types = new Set<NeglectType>();
  for (const [type, weight] of Object.entries(domain.neglect_types ?? {}))
    if (weight) types.add(type as NeglectType);
  for (const item of domain.items)
    for (const [type, weight] of Object.entries(item.neglect_types ?? {}))
      if (weight) types.add(type as NeglectType);
  return [...types];
};

/**
 * Everything an assessment's answers amount to: a result per domain (never one overall verdict), each
 * section's combination when the tool asks for one, and what is still to answer.
 * @param tool - The pinned tool version's content.
 * @param band - The child's age band on the assessment's date.
 * @param answers - Item answers by item id.
 * @param judgements - Confirmed domain grades by domain id.
 */
export const computeResults = (
  tool: ToolContent,
  band: AgeBand,
  answers: Record<string, Answer>,
  judgements: Record<string, Judgement>,
): ToolResults => {
  const applicable = applicableTool(tool, band, answers);
  const domains: DomainResult[] = [];
  const items: ItemResult[] = [];
  const unanswered: string[] = [];
  const unconfirmed: string[] = [];
  const sections: ToolResults["sections"] = [];
  for (const section of applicable) {
    const sectionDomains: DomainResult[] = [];
    for (const domain of section.domains) {
      const scale = scaleOf(tool, domain.scale);
      const values: number[] = [];
      let notKnown = 0;
      for (const item of domain.items) {
        const answer = answers[item.id];
        const itemScale = scaleOf(tool, item.scale);
        items.push({
          itemId: item.id,
          domainId: domain.id,
          title: item.title,
          scale: itemScale,
          answer,
          meaning: meaningOf(itemScale, answer?.value ?? undefined),
        });
        if (answer?.value !== null && answer?.value !== undefined) values.push(answer.value);
        else if (answer?.special) notKnown += answer.special === "not_known" ? 1 : 0;
        else unanswered.push(item.id);
      }
      const agg = domain.aggregation;
      const method = agg.method === "judgement" ? (agg.suggest ?? "worst") : agg.method;
      const computed: Computed =
        method === "none"
          ? { value: undefined, kind: "scale", note: "This domain is not combined" }
          : aggregate(method, values, scale, { atOrWorse: agg.at_or_worse, minAnswered: agg.min_answered });
      const judgement = judgements[domain.id];
      const confirmed = agg.method === "judgement" ? (judgement?.value ?? undefined) : undefined;
      if (agg.method === "judgement" && confirmed === undefined) unconfirmed.push(domain.id);
      const value = agg.method === "judgement" ? confirmed : computed.value;
      const kind = agg.method === "judgement" ? "scale" : computed.kind;
      const resultScale = kind === "count" ? countScale(domain, domain.items.length) : scale;
      const result: DomainResult = {
        domainId: domain.id,
        title: domain.title,
        scale: resultScale,
        method: agg.method,
        applicable: domain.items.length,
        answered: values.length,
        notKnown,
        computed,
        confirmed,
        overrideReason: judgement?.reason ?? undefined,
        value,
        kind,
        meaning: kind === "scale" ? meaningOf(scale, value) : undefined,
        neglectTypes: neglectTypesOf(domain),
      };
      domains.push(result);
      sectionDomains.push(result);
    }
    let sectionComputed: Computed | undefined;
    if (section.aggregation.method !== "none" && section.aggregation.method !== "judgement") {
      const first = sectionDomains[0];
      const values = sectionDomains.flatMap((d) =>
        d.value === undefined || d.kind === "count" ? [] : [d.value],
      );
      if (first)
        sectionComputed = aggregate(section.aggregation.method, values, first.scale, {
          atOrWorse: section.aggregation.at_or_worse,
          minAnswered: section.aggregation.min_answered,
        });
    }
    sections.push({
      sectionId: section.id,
      title: section.title,
      computed: sectionComputed,
      domainIds: sectionDomains.map((d) => d.domainId),
    });
  }
  return { band, domains, sections, items, unanswered, unconfirmed };
};

/** Whether a judgement differs from its computed suggestion, so a reason is needed. */
export const isOverride = (result: DomainResult, confirmed: number | null): boolean =>
  result.method === "judgement" &&
  confirmed !== null &&
  result.computed.value !== undefined &&
  Math.abs(result.computed.value - confirmed) > EPSILON;
