// SPDX-License-Identifier: MIT
/**
 * The indicator pages' figures from the stored units (stored-units.ts): the trend, the chosen period's
 * breakdown and own groups, the children behind a number, disproportionality and the board report's
 * figures, each counted in SQL over the units rather than computed from every child per request. Each
 * equals what registry.ts computes from the children (stored-pages.test.ts).
 */
import { sql } from "kysely";
import type { Trx } from "../data/repository-scope.ts";
import { currentPartnership } from "../kernel/sql.ts";
import { ETHNICITY_CODES, SEX_CODES } from "../people/codes.ts";
import type { IsoDate, Period } from "./model.ts";
import {
  type Breakdown,
  disproportionalityOfTallies,
  type Figure,
  figureOf,
  INDICATORS,
  type Indicator,
  ownGroupsOf,
} from "./registry.ts";
import { BREAKDOWN_COLUMNS, breakdownOfStored, figureOfTally, type StoredUnit } from "./unit-rows.ts";
import { inScope, type UnitScope, unitTallies } from "./unit-tallies.ts";

const averagedIds = (indicators: readonly Indicator[]) =>
  indicators.filter((i) => i.unit === "months" || i.unit === "points").map((i) => i.id);

/** The keys of a breakdown, as an array expression over a unit row `u`. */
const keysOf = (breakdown: Breakdown | undefined) =>
  !breakdown
    ? sql<string[]>`array[]::text[]`
    : breakdown === "agency"
      ? sql<string[]>`u.agencies`
      : sql<string[]>`array[${sql.ref(`u.${BREAKDOWN_COLUMNS[breakdown]}`)}]`;

/** One indicator's stored units for a period, in the computation's order, with a breakdown's keys. */
export const storedUnits = async (
  trx: Trx,
  asOf: IsoDate,
  scope: UnitScope,
  indicatorId: string,
  periodKey: string,
  breakdown?: Breakdown,
): Promise<StoredUnit[]> => {
  const { rows } = await sql<{
    person_id: string;
    num: boolean;
    den: boolean;
    x: number | null;
    unit_group: string | null;
    keys: string[];
  }>`select u.person_id, u.num, u.den, u.x, u.unit_group, ${keysOf(breakdown)} as keys
      from indicator_units u
      where u.partnership_id = ${currentPartnership} and u.as_of = ${asOf}::date and u.indicator_id = ${indicatorId}
        and u.period_key = ${periodKey} and ${inScope(scope, sql.ref("u.person_id"))}
      order by u.ord, u.person_id, u.unit_index`.execute(trx);
  return rows.map((r) => ({
    personId: r.person_id,
    num: r.num,
    den: r.den,
    ...(r.x === null ? {} : { x: Number(r.x) }),
    ...(r.unit_group === null ? {} : { group: r.unit_group }),
    keys: r.keys,
  }));
};

/** Each indicator's figure for each period, from the stored units. */
export const storedFigures = async (
  trx: Trx,
  asOf: IsoDate,
  scope: UnitScope,
  indicators: readonly Indicator[],
  periods: readonly Period[],
  population: (year: number) => number | null,
): Promise<Map<string, Map<string, Figure>>> => {
  const tallies = await unitTallies(
    trx,
    asOf,
    scope,
    indicators.map((i) => i.id),
    periods.map((p) => p.key),
    averagedIds(indicators),
  );
  return new Map(
    indicators.map((indicator) => [
      indicator.id,
      new Map(
        periods.map((p) => [
          p.key,
          figureOfTally(indicator, tallies.get(`${indicator.id}|${p.key}`), population(p.year)),
        ]),
      ),
    ]),
  );
};

/** The chosen period of an indicator page: its figure, breakdown, own groups and children counted. */
export const storedPeriodDetail = async (
  trx: Trx,
  asOf: IsoDate,
  scope: UnitScope,
  indicator: Indicator,
  period: Period,
  breakdown: Breakdown | undefined,
  population: number | null,
) => {
  const units = await storedUnits(trx, asOf, scope, indicator.id, period.key, breakdown);
  return {
    figure: figureOf(indicator, units, population),
    breakdown:
      breakdown && indicator.breakdowns.includes(breakdown) ? breakdownOfStored(indicator, units) : undefined,
    groups: ownGroupsOf(indicator, units),
    children: units.filter((u) => u.num).length,
  };
};

/** The children behind a number (or one breakdown group's), from the stored units. */
export const storedChildrenBehind = async (
  trx: Trx,
  asOf: IsoDate,
  scope: UnitScope,
  indicator: Indicator,
  period: Period,
  filter?: { breakdown: Breakdown; key: string },
): Promise<string[]> => {
  const inGroup = filter
    ? sql<boolean>`${filter.key} = any(${keysOf(filter.breakdown)})`
    : sql<boolean>`true`;
  const { rows } = await sql<{ person_id: string }>`select distinct u.person_id from indicator_units u
      where u.partnership_id = ${currentPartnership} and u.as_of = ${asOf}::date and u.indicator_id = ${indicator.id}
        and u.period_key = ${period.key} and u.num and ${inGroup}
        and ${inScope(scope, sql.ref("u.person_id"))}`.execute(trx);
  return rows.map((r) => r.person_id);
};

/**
 * Disproportionality from the stored units: the children on a plan for neglect at the period end (every
 * unit of cp-neglect-children) and the children aged 0 to 17 then, by ethnicity, sex and disability.
 */
export const storedDisproportionality = async (trx: Trx, asOf: IsoDate, scope: UnitScope, period: Period) => {
  const eighteenYearsBefore = `${Number(period.end.slice(0, 4)) - 18}${period.end.slice(4)}`;
  const { rows } = await sql<{
    ethnicity: string | null;
    sex: string;
    disabled: boolean;
    counted: number;
    population: number;
  }>`with counted as (select distinct u.person_id from indicator_units u
        where u.partnership_id = ${currentPartnership} and u.as_of = ${asOf}::date
          and u.indicator_id = 'cp-neglect-children' and u.period_key = ${period.key})
      -- The few counted children hashed once and joined: as "exists" per child, the planner looked each
      -- of 100,000 children up by key (556 ms on PGlite, against 136 ms).
      select c.ethnicity, c.sex, c.disabled, count(k.person_id)::int as counted,
        count(*) filter (where c.date_of_birth is not null and c.date_of_birth::text <= ${period.end}
          and c.date_of_birth::text > ${eighteenYearsBefore})::int as population
      from indicator_unit_children c
      left join counted k on k.person_id = c.person_id
      where c.partnership_id = ${currentPartnership} and ${inScope(scope, sql.ref("c.person_id"))}
      group by c.ethnicity, c.sex, c.disabled`.execute(trx);
  const split = (key: (r: (typeof rows)[number]) => string) => {
    const counted = new Map<string, number>();
    const population = new Map<string, number>();
    for (const r of rows) {
      const k = key(r);
      if (r.counted > 0) counted.set(k, (counted.get(k) ?? 0) + r.counted);
      if (r.population > 0) population.set(k, (population.get(k) ?? 0) + r.population);
    }
    return disproportionalityOfTallies(counted, population);
  };
  const ethnic = (c: string) => (ETHNICITY_CODES as Record<string, string>)[c] ?? c;
  const sexes = (c: string) => (SEX_CODES as Record<string, string>)[c] ?? c;
  return {
    counted: rows.reduce((n, r) => n + r.counted, 0),
    population: rows.reduce((n, r) => n + r.population, 0),
    ethnicity: split((r) => (r.ethnicity ? ethnic(r.ethnicity) : "Not recorded")),
    sex: split((r) => sexes(r.sex)),
    disability: split((r) => (r.disabled ? "Disabled" : "Not recorded as disabled")),
  };
};

/** Every indicator's figures for the board report's quarters and years, from the stored units. */
export const storedBoardFigures = (
  trx: Trx,
  asOf: IsoDate,
  periods: readonly Period[],
  population: (year: number) => number | null,
) => storedFigures(trx, asOf, { kind: "partnership" }, INDICATORS, periods, population);
