// SPDX-License-Identifier: MIT
/**
 * The assessment engine's pure rules, with no I/O: which items apply to a child of an age band, how a
 * domain's answers are combined into a suggestion, what level of need the level rules suggest (and
 * which rules fired, in words), and how readings over time compare: distance travelled since the
 * baseline, no improvement after N reviews, and improvement followed by relapse.
 *
 * Every comparison goes through a point's "severity" (0 best, 1 worst) so scales where higher is worse
 * and scales where higher is safer are handled alike.
 */
import type { NeglectType } from "../chronology/codes.ts";
import { type AgeBand, MEANINGS, type Meaning, meaningRank } from "./codes.ts";
import type { Aggregation, Domain, Item, LevelCondition, Scale, ToolContent } from "./tool-schema.ts";

export type Special = "not_known" | "not_applicable";
export type Answer = { value: number | null; special: Special | null };
export type Judgement = { value: number | null; reason: string | null };

const EPSILON = 1e-9;

/**
 * The age band of a child on a date.
 * @param dateOfBirth - YYYY-MM-DD, or null for an unborn child.
 * @param on - The assessment's date, YYYY-MM-DD.
 * @returns The band; a child not yet born on that date is "antenatal".
 */
export const ageBandOn = (dateOfBirth: string | null, on: string): AgeBand => {
  if (!dateOfBirth || dateOfBirth > on) return "antenatal";
  let years = Number(on.slice(0, 4)) - Number(dateOfBirth.slice(0, 4));
  if (on.slice(5) < dateOfBirth.slice(5)) years -= 1;
  if (years <= 2) return "0-2";
  if (years <= 5) return "3-5";
  if (years <= 11) return "6-11";
  return "12-17";
};

/** @returns The scale with this id (the engine only sees validated content, where it always exists). */
export const scaleOf = (tool: ToolContent, id: string): Scale => {
  const scale = tool.scales.find((s) => s.id === id);
  if (!scale) throw new Error(`tool ${tool.id} has no scale ${id}`);
  return scale;
};

/** @returns How bad a value is on its scale: 0 is the best point, 1 the worst. */
export const severity = (scale: Pick<Scale, "min" | "max" | "direction">, value: number): number => {
  const span = scale.max - scale.min;
  if (span <= 0) return 0;
  const position = (value - scale.min) / span;
  return scale.direction === "higher_worse" ? position : 1 - position;
};

/** @returns The meaning of a value (the nearest point's), if the scale gives meanings. */
export const meaningOf = (scale: Scale, value: number | undefined): Meaning | undefined => {
  if (value === undefined) return undefined;
  return scale.points.find((p) => Math.abs(p.value - value) < EPSILON)?.meaning;
};

/** @returns The label of the point with this value, or the value itself. */
export const pointLabel = (scale: Scale, value: number | undefined | null): string => {
  if (value === undefined || value === null) return "Not answered";
  return scale.points.find((p) => Math.abs(p.value - value) < EPSILON)?.label ?? String(value);
};

/** @returns The descriptor of a point for an age band, falling back to the item's general descriptors. */
export const descriptorFor = (item: Item, band: AgeBand, value: number): string | undefined =>
  item.descriptors?.[band]?.[String(value)] ?? item.descriptors?.all?.[String(value)];

const atOrWorseThanMeaning = (scale: Scale, value: number, threshold: Meaning): boolean => {
  const meaning = meaningOf(scale, value);
  return meaning !== undefined && meaningRank(meaning) >= meaningRank(threshold);
};

/**
 * Whether an item is asked for a child of this age band, given the answers so far.
 * @param item - The item.
 * @param band - The child's age band on the assessment's date.
 * @param answers - Answers by item id (for `show_when`).
 * @param tool - The tool (for the other item's scale).
 */
export const itemApplies = (
  item: Item,
  band: AgeBand,
  answers: Record<string, Answer>,
  tool: ToolContent,
): boolean => {
  if (item.applies_to && !item.applies_to.includes(band)) return false;
  if (!item.show_when) return true;
  const other = findItem(tool, item.show_when.item);
  const answer = answers[item.show_when.item];
  if (!other || answer?.value === null || answer?.value === undefined) return false;
  return atOrWorseThanMeaning(scaleOf(tool, other.item.scale), answer.value, item.show_when.at_or_worse);
};

/** @returns The item with this id and the domain and section it sits in. */
export const findItem = (tool: ToolContent, itemId: string) => {
  for (const section of tool.sections)
    for (const domain of section.domains)
      for (const item of domain.items) if (item.id === itemId) return { section, domain, item };
  return undefined;
};

/**
 * The parts of the tool asked of this child: sections, their domains and the items that apply.
 * A domain with no applicable item is left out, and so is a section with no domain.
 */
export const applicableTool = (tool: ToolContent, band: AgeBand, answers: Record<string, Answer>) =>
  tool.sections
    .map((section) => ({
      ...section,
      domains: section.domains
        .filter((domain) => !domain.applies_to || domain.applies_to.includes(band))
        .map((domain) => ({
          ...domain,
          items: domain.items.filter((i) => itemApplies(i, band, answers, tool)),
        }))
        .filter((domain) => domain.items.length > 0),
    }))
    .filter((section) => section.domains.length > 0);

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

export type TrendFlag = "no_improvement" | "relapse";

export type FiredRule = {
  ruleId: string;
  suggest: string;
  because: string;
  /** What matched, in words: "Supervision and safety: Needs mostly unmet". */
  matched: string[];
  /** Each counted test that held, with the count: "2 areas at Needs partly met or worse (the rule needs at least 2)". */
  counts: string[];
  /** True when this rule suggests the level that is suggested (a rule for a lower level is also listed). */
  decisive: boolean;
};

/** How far the answers are from the tool's minimum for advice. */
export type AdviceReadiness = {
  /** Areas answered: graded, or every question in them answered (even if only "not known"). */
  answered: number;
  /** Areas that must be answered before any level is suggested. */
  needed: number;
  /** Areas asked of this child. */
  total: number;
  ready: boolean;
};

export type LevelSuggestion = {
  /** Undefined until the tool's minimum of areas is answered: no advice from an unstarted assessment. */
  level: { code: string; name: string } | undefined;
  fired: FiredRule[];
  /** True when no rule fired and the tool's default level is suggested. */
  byDefault: boolean;
  /** Absent on results stored before it existed. */
  readiness?: AdviceReadiness;
  /** Why no level is suggested yet, in words, when there is none. */
  waiting?: string | undefined;
};

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/**
 * Whether enough areas are answered for the level rules to give advice.
 * @param tool - The tool version's content (`advise_after`: a number of areas or "all", the default).
 * @param results - The assessment's results.
 */
export const adviceReadiness = (tool: ToolContent, results: ToolResults): AdviceReadiness => {
  const open = new Set(results.unanswered);
  const itemsOf = (domainId: string) => results.items.filter((i) => i.domainId === domainId);
  const answered = results.domains.filter(
    (d) =>
      d.value !== undefined ||
      // A judgement area counts once its grade is confirmed; another once every question is answered.
      (d.method !== "judgement" && itemsOf(d.domainId).every((i) => !open.has(i.itemId))),
  ).length;
  const total = results.domains.length;
  const setting = tool.advise_after ?? "all";
  const needed = setting === "all" ? total : Math.min(setting, total);
  return { answered, needed, total, ready: total > 0 && answered >= needed };
};

/** @returns Why no level is suggested yet: how many areas must be answered. */
export const waitingMessage = (readiness: AdviceReadiness): string =>
  `No level of need is suggested until ${
    readiness.needed === readiness.total
      ? readiness.total === 1
        ? "the area is"
        : `all ${readiness.total} areas are`
      : `${readiness.needed} of the ${readiness.total} areas are`
  } answered: ${readiness.answered} ${readiness.answered === 1 ? "is" : "are"} answered so far.`;

type Outcome = { holds: boolean; matched: string[]; counts: string[] };

const evaluateCondition = (
  condition: LevelCondition,
  results: ToolResults,
  flags: ReadonlySet<TrendFlag>,
): Outcome => {
  const parts: Outcome[] = [];
  const needed = condition.count ?? 1;
  // Only answered areas and items count: an unanswered one has no meaning and never matches.
  if (condition.domains_at_or_worse) {
    const threshold = condition.domains_at_or_worse;
    const hits = results.domains.filter(
      (d) =>
        (!condition.among || condition.among.includes(d.domainId)) &&
        d.meaning !== undefined &&
        meaningRank(d.meaning) >= meaningRank(threshold),
    );
    parts.push({
      holds: hits.length >= needed,
      matched: hits.map(
        (d) => `${d.title}: ${MEANINGS[d.meaning ?? "needs_met"]} (${pointLabel(d.scale, d.value)})`,
      ),
      counts: [
        `${plural(hits.length, "area", "areas")} at ${MEANINGS[threshold]} or worse (the rule needs at least ${needed})`,
      ],
    });
  }
  if (condition.items_at_or_worse) {
    const threshold = condition.items_at_or_worse;
    const hits = results.items.filter(
      (i) =>
        (!condition.among || condition.among.includes(i.itemId)) &&
        i.meaning !== undefined &&
        meaningRank(i.meaning) >= meaningRank(threshold),
    );
    parts.push({
      holds: hits.length >= needed,
      matched: hits.map((i) => `${i.title}: ${pointLabel(i.scale, i.answer?.value)}`),
      counts: [
        `${plural(hits.length, "answer", "answers")} at ${MEANINGS[threshold]} or worse (the rule needs at least ${needed})`,
      ],
    });
  }
  if (condition.flag) {
    const raised = flags.has(condition.flag);
    const text =
      condition.flag === "relapse" ? "Improvement followed by relapse" : "No improvement over the reviews";
    parts.push({ holds: raised, matched: raised ? [text] : [], counts: [] });
  }
  if (condition.all) {
    const all = condition.all.map((c) => evaluateCondition(c, results, flags));
    parts.push({
      holds: all.every((c) => c.holds),
      matched: all.flatMap((c) => c.matched),
      counts: all.flatMap((c) => c.counts),
    });
  }
  if (condition.any) {
    const any = condition.any.map((c) => evaluateCondition(c, results, flags));
    const held = any.filter((c) => c.holds);
    parts.push({
      holds: held.length > 0,
      matched: held.flatMap((c) => c.matched),
      counts: held.flatMap((c) => c.counts),
    });
  }
  const holds = parts.length > 0 && parts.every((p) => p.holds);
  return {
    holds,
    matched: holds ? [...new Set(parts.flatMap((p) => p.matched))] : [],
    counts: holds ? [...new Set(parts.flatMap((p) => p.counts))] : [],
  };
};

/**
 * Suggests a level of need from the tool's level rules. It never decides: the suggestion carries every
 * rule that fired and what made it fire, and the highest level among them is suggested. Until the tool's
 * minimum of areas is answered there is no suggestion at all (no rule firing is not "no concern").
 * @param tool - The tool version's content.
 * @param results - The assessment's results.
 * @param flags - Change-over-time flags raised on the child's history with this tool.
 */
export const suggestLevel = (
  tool: ToolContent,
  results: ToolResults,
  flags: ReadonlySet<TrendFlag> = new Set(),
): LevelSuggestion => {
  const readiness = adviceReadiness(tool, results);
  if (!readiness.ready)
    return { level: undefined, fired: [], byDefault: false, readiness, waiting: waitingMessage(readiness) };
  const order = tool.levels.map((l) => l.code);
  const fired: FiredRule[] = [];
  for (const rule of tool.level_rules) {
    const outcome = evaluateCondition(rule.when, results, flags);
    if (outcome.holds)
      fired.push({
        ruleId: rule.id,
        suggest: rule.suggest,
        because: rule.because,
        matched: outcome.matched,
        counts: outcome.counts,
        decisive: false,
      });
  }
  const fallback = tool.otherwise ?? order[0] ?? "";
  const highest = fired.reduce<string | undefined>(
    (best, rule) =>
      best === undefined || order.indexOf(rule.suggest) > order.indexOf(best) ? rule.suggest : best,
    undefined,
  );
  const code = highest ?? fallback;
  const level = tool.levels.find((l) => l.code === code) ?? { code, name: code };
  for (const rule of fired) rule.decisive = rule.suggest === code;
  return {
    level: { code: level.code, name: level.name },
    fired,
    byDefault: highest === undefined,
    readiness,
  };
};

export type Reading = { date: string; value: number | undefined; assessmentId?: string };

export type Trend = {
  baseline: Reading | undefined;
  latest: Reading | undefined;
  /** Latest value minus baseline value, on the scale. */
  change: number | undefined;
  /** Distance travelled towards "needs met", as a share of the scale: positive is better. */
  improvement: number | undefined;
  direction: "better" | "worse" | "same" | undefined;
  weeksElapsed: number | undefined;
  noImprovement: boolean;
  /** Improvement followed by a return towards the concern: a possible sign of disguised compliance. */
  relapse: { improvedOn: string; relapsedOn: string } | undefined;
};

const weeksBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / (7 * 86_400_000));

/**
 * Compares a domain's readings over time.
 * @param readings - The readings, any order; those without a value are skipped.
 * @param scale - The scale the readings are on.
 * @param reviews - How many reviews without improvement raise the no-improvement flag.
 * @returns Distance travelled since the baseline and the flags.
 */
export const domainTrend = (
  readings: Reading[],
  scale: Pick<Scale, "min" | "max" | "direction">,
  reviews = 2,
): Trend => {
  const known = readings
    .filter((r): r is Reading & { value: number } => r.value !== undefined)
    .sort((a, b) => a.date.localeCompare(b.date));
  const baseline = known[0];
  const latest = known.at(-1);
  if (!baseline || !latest || known.length < 2) {
    return {
      baseline,
      latest,
      change: undefined,
      improvement: undefined,
      direction: undefined,
      weeksElapsed: undefined,
      noImprovement: false,
      relapse: undefined,
    };
  }
  const sev = known.map((r) => severity(scale, r.value));
  const latestSeverity = sev.at(-1) ?? 0;
  const improvement = (sev[0] ?? 0) - latestSeverity;
  const direction = improvement > EPSILON ? "better" : improvement < -EPSILON ? "worse" : "same";
  // No improvement: after `reviews` further readings the concern is no lower, and needs are not met.
  const reference = sev[sev.length - 1 - reviews];
  const noImprovement =
    reference !== undefined && latestSeverity >= reference - EPSILON && latestSeverity > EPSILON;
  // Relapse: an earlier reading improved on one before it, and the latest is worse than that improvement.
  let relapse: Trend["relapse"];
  let best: number | undefined;
  for (let m = 1; m < known.length - 1; m += 1) {
    const current = sev[m] ?? 0;
    const earlierWorst = Math.max(...sev.slice(0, m));
    if (current < earlierWorst - EPSILON && (best === undefined || current < (sev[best] ?? 0) - EPSILON))
      best = m;
  }
  if (best !== undefined && latestSeverity > (sev[best] ?? 0) + EPSILON) {
    relapse = { improvedOn: known[best]?.date ?? "", relapsedOn: latest.date };
  }
  return {
    baseline,
    latest,
    change: latest.value - baseline.value,
    improvement,
    direction,
    weeksElapsed: weeksBetween(baseline.date, latest.date),
    noImprovement,
    relapse,
  };
};

/**
 * Maps node ids of older versions to the newest version's ids through each version's equivalence map
 * (old id → new id), so readings on a renamed domain line up with the current one.
 * @param versions - The tool's versions, oldest first.
 * @returns A function from (version index, node id) to the newest version's id.
 */
export const canonicalNodeIds = (versions: Pick<ToolContent, "equivalence">[]) => {
  return (versionIndex: number, nodeId: string): string => {
    let id = nodeId;
    for (let v = versionIndex + 1; v < versions.length; v += 1) id = versions[v]?.equivalence[id] ?? id;
    return id;
  };
};
