// SPDX-License-Identifier: MIT
/**
 * The indicator registry: every measure the partnership's neglect strategies name, each defined once.
 * The plain-English definition is what users read on the indicator page and in the board report's
 * appendix, and it describes exactly what `units` computes. Where DfE publishes the same measure, the
 * definition follows DfE's (../../../shared/spec-cin-census.md §1.6) and `dfe` says how to read the
 * published figure for the benchmark.
 *
 * Each computation returns "units" (a plan, a referral, a child...) marked as in the numerator and/or
 * denominator, with the child they belong to. Values, breakdowns and drill-downs all come from the same
 * units, so a breakdown always adds up to the headline and the children behind a number are exactly
 * those counted.
 */

import { DFE_INDICATORS } from "./definitions/dfe.ts";
import { EQUALITY_INDICATORS } from "./definitions/equality.ts";
import { FRONT_DOOR_INDICATORS } from "./definitions/front-door.ts";
import { LEARNING_INDICATORS } from "./definitions/learning.ts";
import { NEGLECT_PLAN_INDICATORS } from "./definitions/neglect-plans.ts";
import { REPEAT_INDICATORS } from "./definitions/repeat.ts";
import { ageBand } from "./definitions/shared.ts";
import { TIMELINESS_INDICATORS } from "./definitions/timeliness.ts";
import type { Breakdown, Indicator, Unit } from "./definitions/types.ts";
import { WELLBEING_INDICATORS } from "./definitions/wellbeing.ts";
import { SMALL_NUMBER } from "./disclosure.ts";
import type { ChildModel, IsoDate, Period } from "./model.ts";

export {
  ABSENCE_CONTEXT,
  C4_CONTEXT,
  INJURIES_CONTEXT,
  WORKFORCE_CONTEXT,
} from "./definitions/context.ts";
export { ageBand, DURATION_BANDS, durationBand, FACTORS, monthsBetween } from "./definitions/shared.ts";
export {
  BREAKDOWNS,
  type Breakdown,
  type ContextBenchmark,
  GROUPS,
  type Indicator,
  type IndicatorGroup,
  SEED_NAMES,
  type Seed,
  type Unit,
  type Unit_,
} from "./definitions/types.ts";

/**
 * Every indicator, in the order the dashboard and the board report list them; each theme in its own module.
 * REGISTRY_VERSION (snapshots.ts) hashes each one's definition and `units` source from this list, and
 * the source of every module the registry, the loader and the unit rows import (source-digest.ts).
 */
export const INDICATORS: readonly Indicator[] = [
  ...DFE_INDICATORS,
  ...NEGLECT_PLAN_INDICATORS,
  ...REPEAT_INDICATORS,
  ...FRONT_DOOR_INDICATORS,
  ...WELLBEING_INDICATORS,
  ...TIMELINESS_INDICATORS,
  ...EQUALITY_INDICATORS,
  ...LEARNING_INDICATORS,
];

/** @returns The indicator with this id, or undefined. */
export const indicatorById = (id: string): Indicator | undefined => INDICATORS.find((i) => i.id === id);

export type Figure = {
  numerator: number;
  denominator: number | null;
  value: number | null;
};

/**
 * The figure from units.
 * @param population - Children aged 0 to 17, for rates; null when not known (the rate is then unknown).
 */
export const figureOf = (
  indicator: Pick<Indicator, "unit">,
  units: readonly Unit[],
  population: number | null,
): Figure => {
  const num = units.filter((u) => u.num);
  return figureOfCounts(
    indicator,
    { num: num.length, den: units.filter((u) => u.den).length, xs: num.map((u) => u.x ?? 0) },
    population,
  );
};

/**
 * The figure from counted units: how many are in the numerator and the denominator, and the numerator's
 * measured amounts in the units' order (stored units are counted in SQL, then made into figures here).
 */
export const figureOfCounts = (
  indicator: Pick<Indicator, "unit">,
  counts: { num: number; den: number; xs: readonly number[] },
  population: number | null,
): Figure => {
  const { num, den } = counts;
  switch (indicator.unit) {
    case "count":
      return { numerator: num, denominator: null, value: num };
    case "percent":
      return {
        numerator: num,
        denominator: den,
        value: den === 0 ? null : Math.round((num / den) * 1000) / 10,
      };
    case "rate":
      return {
        numerator: num,
        denominator: population,
        value: population ? Math.round((num / population) * 100000) / 10 : null,
      };
    case "months":
    case "points": {
      const total = counts.xs.reduce((sum, x) => sum + x, 0);
      return {
        numerator: Math.round(total * 10) / 10,
        denominator: counts.xs.length,
        value: counts.xs.length === 0 ? null : Math.round((total / counts.xs.length) * 10) / 10,
      };
    }
  }
};

/**
 * Computes an indicator for a period.
 * @returns The figure and the units behind it.
 */
export const compute = (
  indicator: Indicator,
  children: readonly ChildModel[],
  period: Period,
  population: number | null,
): Figure & { units: Unit[] } => {
  const units = indicator.units(children, period);
  return { ...figureOf(indicator, units, population), units };
};

/** The key a child falls under for a breakdown, on a day. */
export const breakdownKeys = (child: ChildModel, breakdown: Breakdown, on: IsoDate): string[] => {
  switch (breakdown) {
    case "age":
      return [ageBand(child, on)];
    case "sex":
      return [child.sex];
    case "ethnicity":
      return [child.ethnicity ?? "Not recorded"];
    case "disability":
      return [child.disabled ? "Disabled" : "Not recorded as disabled"];
    case "area":
      return [child.area ?? "Not recorded"];
    case "agency": {
      const open = child.involvements.filter((i) => i.start <= on && (i.end === null || i.end >= on));
      return open.length > 0 ? [...new Set(open.map((i) => i.agencyId))] : ["No agency involved"];
    }
    case "team":
      return [child.teamId ?? "No allocated team"];
    case "level":
      return [child.levels.filter((l) => l.date <= on).at(-1)?.level ?? "No level recorded"];
  }
};

/**
 * Splits an indicator's units by a breakdown (a child in two agencies counts in both rows, so the
 * agency rows may add to more than the whole).
 * @returns Each group's figure, largest numerator first.
 */
export const breakdownOf = (
  indicator: Indicator,
  units: readonly Unit[],
  children: ReadonlyMap<string, ChildModel>,
  breakdown: Breakdown,
  on: IsoDate,
): { key: string; figure: Figure; personIds: string[] }[] => {
  const groups = new Map<string, Unit[]>();
  for (const unit of units) {
    const child = children.get(unit.personId);
    if (!child) continue;
    for (const key of breakdownKeys(child, breakdown, on)) {
      const group = groups.get(key);
      if (group) group.push(unit);
      else groups.set(key, [unit]);
    }
  }
  return breakdownRows(indicator, groups);
};

/**
 * Each breakdown group's figure (a rate's group is a count: no population is known for a group).
 * @returns Largest numerator first.
 */
export const breakdownRows = (indicator: Indicator, groups: ReadonlyMap<string, readonly Unit[]>) =>
  [...groups.entries()]
    .map(([key, group]) => ({
      key,
      figure: figureOf(indicator.unit === "rate" ? { unit: "count" } : indicator, group, null),
      personIds: [...new Set(group.filter((u) => u.num).map((u) => u.personId))],
    }))
    .sort((a, b) => b.figure.numerator - a.figure.numerator || a.key.localeCompare(b.key));

/** Splits by the indicator's own groups (duration band, age band...). */
export const ownGroupsOf = (_indicator: Indicator, units: readonly Unit[]) => {
  const groups = new Map<string, Unit[]>();
  for (const unit of units) {
    if (!unit.group) continue;
    const group = groups.get(unit.group);
    if (group) group.push(unit);
    else groups.set(unit.group, [unit]);
  }
  return [...groups.entries()].map(([key, group]) => ({
    key,
    count: group.length,
    share: units.length === 0 ? null : Math.round((group.length / units.length) * 1000) / 10,
    personIds: [...new Set(group.map((u) => u.personId))],
  }));
};

/**
 * Disproportionality: each group's share of the children counted against its share of a population.
 * @returns Rows with both shares and their ratio (1 is proportionate; above 1 over-represented); no
 * ratio where fewer than 5 of the group are counted.
 */
export const disproportionality = (
  counted: readonly ChildModel[],
  population: readonly ChildModel[],
  key: (child: ChildModel) => string,
): {
  key: string;
  counted: number;
  countedShare: number | null;
  population: number;
  populationShare: number | null;
  ratio: number | null;
}[] => {
  const tally = (list: readonly ChildModel[]) => {
    const m = new Map<string, number>();
    for (const c of list) m.set(key(c), (m.get(key(c)) ?? 0) + 1);
    return m;
  };
  return disproportionalityOfTallies(tally(counted), tally(population));
};

/** Disproportionality from each group's counts: counted children and population, by group key. */
export const disproportionalityOfTallies = (
  a: ReadonlyMap<string, number>,
  b: ReadonlyMap<string, number>,
) => {
  const countedTotal = [...a.values()].reduce((s, n) => s + n, 0);
  const populationTotal = [...b.values()].reduce((s, n) => s + n, 0);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys.map((k) => {
    const n = a.get(k) ?? 0;
    const p = b.get(k) ?? 0;
    const countedShare = countedTotal === 0 ? null : (n / countedTotal) * 100;
    const populationShare = populationTotal === 0 ? null : (p / populationTotal) * 100;
    return {
      key: k,
      counted: n,
      countedShare: countedShare === null ? null : Math.round(countedShare * 10) / 10,
      population: p,
      populationShare: populationShare === null ? null : Math.round(populationShare * 10) / 10,
      // A ratio from fewer than 5 children says nothing about a group (one child gave 31.93): not made.
      ratio:
        countedShare === null || !populationShare || n < SMALL_NUMBER
          ? null
          : Math.round((countedShare / populationShare) * 100) / 100,
    };
  });
};
