// SPDX-License-Identifier: MIT
/** The level of need the tool's level rules suggest, which rules fired (in words), and when advice is ready. */
import { MEANINGS, meaningRank } from "../codes.ts";
import type { LevelCondition, ToolContent } from "../tool-schema.ts";
import { pointLabel } from "./answers.ts";
import type { ToolResults } from "./results.ts";
import type { TrendFlag } from "./trends.ts";

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
