// SPDX-License-Identifier: MIT
/**
 * Indicator units as stored rows (migration 0034), without I/O: each indicator's units for each stored
 * period with the attributes the pages group by on the period's last day, and the figures, breakdowns
 * and own groups made back from such rows exactly as registry.ts makes them from the units.
 */
import type { IndicatorUnitTable } from "../db/schema.ts";
import { type ChildModel, type IsoDate, type Period, recentQuarters, recentYears } from "./model.ts";
import {
  type Breakdown,
  breakdownKeys,
  breakdownRows,
  type Figure,
  figureOfCounts,
  INDICATORS,
  type Indicator,
  type Unit,
} from "./registry.ts";
import { dashboardPeriods } from "./snapshots.ts";

/** The breakdowns stored with every unit, and the column each is stored in. */
export const BREAKDOWN_COLUMNS = {
  age: "age_band",
  sex: "sex",
  ethnicity: "ethnicity",
  disability: "disability",
  area: "area",
  agency: "agencies",
  team: "team",
  level: "level",
} as const satisfies Record<Breakdown, string>;

/** A stored unit row without the partnership and quarter end its set is stored under. */
export type UnitRow = Omit<IndicatorUnitTable, "partnership_id" | "as_of">;

/**
 * The periods stored for figures up to a quarter's end: the dashboard's (eight quarters, five complete
 * years) and the board report's for that quarter (five quarters, five years to the one it falls in).
 */
export const storedPeriods = (asOf: IsoDate): Period[] => {
  const { quarters, years } = dashboardPeriods(asOf);
  const all = [...quarters, ...years, ...recentQuarters(asOf, 5), ...recentYears(asOf, 5)];
  return [...new Map(all.map((p) => [p.key, p])).values()];
};

/** Whether a quarter end's stored periods hold a period. */
export const isStoredPeriod = (asOf: IsoDate, key: string): boolean =>
  storedPeriods(asOf).some((p) => p.key === key);

/** A child's breakdown attributes on a day, as stored with each of its units. */
type UnitAttributes = Pick<
  UnitRow,
  "age_band" | "sex" | "ethnicity" | "disability" | "area" | "agencies" | "team" | "level"
>;

const attributesOn = (child: ChildModel, on: IsoDate): UnitAttributes => {
  const key = (b: Breakdown) => breakdownKeys(child, b, on);
  return {
    age_band: key("age")[0] ?? "",
    sex: key("sex")[0] ?? "",
    ethnicity: key("ethnicity")[0] ?? "",
    disability: key("disability")[0] ?? "",
    area: key("area")[0] ?? "",
    // Sorted: the order involvements are read in varies, and a breakdown counts each agency alike.
    agencies: key("agency").sort(),
    team: key("team")[0] ?? "",
    level: key("level")[0] ?? "",
  };
};

/**
 * Every indicator's units for every period, as rows. Units are independent per child, so computing a
 * few changed children's rows gives exactly their rows of a computation over all children. Every
 * indicator gives its units in the children's order, so a run of children gives exactly its rows of the
 * whole computation, `ord` included, when `ordBefore` carries on the count of each indicator's and
 * period's units from the runs before (a full recount works in runs, letting each run's rows go).
 */
export function* unitRowsOf(
  children: readonly ChildModel[],
  periods: readonly Period[],
  ordBefore: Map<string, number> = new Map(),
): Generator<UnitRow> {
  const byId = new Map(children.map((c) => [c.personId, c]));
  // A child's attributes depend only on the period's last day: worked out once for all its indicators.
  const attributes = new Map(periods.map((p) => [p.key, new Map<string, UnitAttributes>()]));
  for (const indicator of INDICATORS)
    for (const period of periods) {
      const units = indicator.units(children, period);
      const counter = `${indicator.id}|${period.key}`;
      const before = ordBefore.get(counter) ?? 0;
      ordBefore.set(counter, before + units.length);
      const seen = new Map<string, number>();
      const known = attributes.get(period.key) as Map<string, UnitAttributes>;
      for (const [ord, unit] of units.entries()) {
        const child = byId.get(unit.personId);
        if (!child) continue;
        const index = seen.get(unit.personId) ?? 0;
        seen.set(unit.personId, index + 1);
        let attrs = known.get(unit.personId);
        if (!attrs) {
          attrs = attributesOn(child, period.end);
          known.set(unit.personId, attrs);
        }
        yield {
          indicator_id: indicator.id,
          period_key: period.key,
          person_id: unit.personId,
          unit_index: index,
          ord: before + ord,
          num: unit.num,
          den: unit.den,
          x: unit.x ?? null,
          unit_group: unit.group ?? null,
          ...attrs,
        };
      }
    }
}

/** A stored unit as the registry's unit, with its keys for one breakdown. */
export type StoredUnit = Unit & { keys: string[] };

/**
 * Splits stored units by a breakdown exactly as registry.ts's breakdownOf splits computed ones.
 * @returns Each group's figure, largest numerator first.
 */
export const breakdownOfStored = (
  indicator: Indicator,
  units: readonly StoredUnit[],
): { key: string; figure: Figure; personIds: string[] }[] => {
  const groups = new Map<string, Unit[]>();
  for (const unit of units)
    for (const key of unit.keys) {
      const group = groups.get(key);
      if (group) group.push(unit);
      else groups.set(key, [unit]);
    }
  return breakdownRows(indicator, groups);
};

/** Counted units of one indicator and period, as aggregated in SQL (x in the computation's order). */
export type UnitTally = { num: number; den: number; xs: number[] };

/** The figure from a tally, as figureOf makes it from the units. */
export const figureOfTally = (
  indicator: Pick<Indicator, "unit">,
  tally: UnitTally | undefined,
  population: number | null,
): Figure => figureOfCounts(indicator, tally ?? { num: 0, den: 0, xs: [] }, population);
