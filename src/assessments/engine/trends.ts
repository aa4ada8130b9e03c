// SPDX-License-Identifier: MIT
/** Readings over time: distance travelled since the baseline, no improvement after N reviews, relapse. */
import type { Scale, ToolContent } from "../tool-schema.ts";
import { EPSILON, severity } from "./answers.ts";

export type TrendFlag = "no_improvement" | "relapse";

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
