// SPDX-License-Identifier: MIT
/**
 * The figures: one indicator in full (trend, breakdown, own groups), the children behind a number (only
 * those the caller may open, audited) and disproportionality, counted from the stored units.
 */
import { sql } from "kysely";
import { childVisibleTo } from "../data/child-access.ts";
import type { MethodAccess, Trx } from "../data/repository-scope.ts";
import { currentPartnership } from "../kernel/sql.ts";
import { ETHNICITY_CODES, SEX_CODES } from "../people/codes.ts";
import { readPathwaySettings } from "../settings/pathway-settings.ts";
import { POPULATION_BASIS_LABELS, readBoardSettings } from "./board-settings.ts";
import {
  type ChildRow,
  comparedAsRate,
  IndicatorsAreaRepository,
  type Scope,
  today,
} from "./indicators-context.ts";
import {
  lastCompleteQuarterEnd,
  lastCompleteYearEnd,
  type Period,
  periodFromKey,
  recentQuarters,
  recentYears,
} from "./model.ts";
import {
  type Breakdown,
  breakdownOf,
  compute,
  disproportionality,
  type Figure,
  type Indicator,
  indicatorById,
  ownGroupsOf,
} from "./registry.ts";
import { dashboardAsOf } from "./snapshots.ts";
import {
  storedChildrenBehind,
  storedDisproportionality,
  storedFigures,
  storedPeriodDetail,
} from "./stored-pages.ts";

export class IndicatorFiguresRepository extends IndicatorsAreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof IndicatorFiguresRepository, MethodAccess> = {
    whoseFigures: "guarded",
    indicator: "guarded",
    drillDown: "guarded",
    disproportionality: "guarded",
  };

  /** @returns Whose figures the caller sees, or undefined when they see none. */
  whoseFigures(): Scope | undefined {
    return this.callerScope();
  }

  /**
   * One indicator in full: its yearly and quarterly trend, the chosen period's figure split by a
   * breakdown and by the indicator's own groups, and the benchmarks.
   * @param id - The indicator.
   * @param options - The period key ("2025" or "2025-Q3", default the current year) and a breakdown.
   */
  indicator(
    id: string,
    options: { period?: string | undefined; breakdown?: Breakdown | undefined; on?: string } = {},
  ) {
    const scope = this.callerScope();
    const indicator = indicatorById(id);
    if (!scope || !indicator) return Promise.resolve(undefined);
    const on = options.on ?? today();
    const period =
      (options.period ? periodFromKey(options.period) : undefined) ??
      recentYears(lastCompleteYearEnd(on), 1)[0];
    if (!period) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const yearPeriods = recentYears(lastCompleteYearEnd(on), 5);
      const quarterPeriods = recentQuarters(lastCompleteQuarterEnd(on), 8);
      const counted = await this.#indicatorFigures(trx, scope, indicator, period, options.breakdown, on, [
        ...yearPeriods,
        ...quarterPeriods,
      ]);
      const { population, breakdown } = counted;
      const figureFor = (p: Period) => ({ period: p, figure: counted.figureFor(p) });
      const names = await this.#groupNames(trx, options.breakdown);
      const benchmarks = (await this.benchmarksFor(trx, [indicator])).get(indicator.id) ?? [];
      const asRate = comparedAsRate(indicator);
      const comparison = asRate
        ? ((await this.benchmarksFor(trx, [indicator], true)).get(indicator.id) ?? [])
        : benchmarks;
      const years = yearPeriods.map(figureFor);
      // Hearth's own line, in the unit the benchmarks are compared in (a count becomes a rate).
      const ownLine = years.map(({ period: p, figure }) => {
        const people = population(p.year);
        return {
          year: p.year,
          value: !asRate
            ? figure.value
            : people
              ? Math.round((figure.numerator / people) * 100000) / 10
              : null,
        };
      });
      return {
        scope,
        indicator,
        period,
        comparison,
        comparedAsRate: asRate,
        ownLine,
        figure: counted.figure,
        years,
        quarters: quarterPeriods.map(figureFor),
        breakdown: breakdown?.map((row) => ({ ...row, label: names.get(row.key) ?? row.key })),
        groups: counted.groups,
        benchmarks,
        context: await this.contextFor(trx, indicator),
        children: counted.children,
      };
    });
  }

  /**
   * An indicator's figures for a page: from the stored units when they hold the periods, otherwise
   * computed from the children (a period older than the stored quarters').
   */
  async #indicatorFigures(
    trx: Trx,
    scope: Scope,
    indicator: Indicator,
    period: Period,
    breakdown: Breakdown | undefined,
    on: string,
    trend: readonly Period[],
  ) {
    const asOf = dashboardAsOf(on);
    if (await this.unitsServe(trx, asOf, [period.key, ...trend.map((p) => p.key)])) {
      const years = [period.year, ...trend.map((p) => p.year)];
      const population = await this.populations(trx, scope, undefined, years);
      const figures = (await storedFigures(trx, asOf, scope, [indicator], trend, population)).get(
        indicator.id,
      );
      const detail = await storedPeriodDetail(
        trx,
        asOf,
        scope,
        indicator,
        period,
        breakdown,
        population(period.year),
      );
      const none: Figure = { numerator: 0, denominator: null, value: null };
      return { population, figureFor: (p: Period) => figures?.get(p.key) ?? none, ...detail };
    }
    const children = await this.children(trx, scope);
    const population = await this.populations(trx, scope, children);
    const current = compute(indicator, children, period, population(period.year));
    const byId = new Map(children.map((c) => [c.personId, c]));
    return {
      population,
      figureFor: (p: Period): Figure => {
        const { units: _units, ...figure } = compute(indicator, children, p, population(p.year));
        return figure;
      },
      figure: { numerator: current.numerator, denominator: current.denominator, value: current.value },
      breakdown:
        breakdown && indicator.breakdowns.includes(breakdown)
          ? breakdownOf(indicator, current.units, byId, breakdown, period.end)
          : undefined,
      groups: ownGroupsOf(indicator, current.units),
      children: current.units.filter((u) => u.num).length,
    };
  }

  /** Each ward's name for people: the town its households are in ("Hearthfield ward"), not its ONS code. */
  async #wardNames(trx: Trx): Promise<Map<string, string>> {
    const rows = await trx
      .selectFrom("households")
      .select(["ward", "town"])
      .distinct()
      .where(sql.ref("partnership_id"), "=", currentPartnership)
      .where("ward", "is not", null)
      .execute();
    const townOf = new Map<string, string>();
    for (const r of rows) if (r.ward && r.town && !townOf.has(r.ward)) townOf.set(r.ward, r.town);
    const wardsIn = new Map<string, number>();
    for (const town of townOf.values()) wardsIn.set(town, (wardsIn.get(town) ?? 0) + 1);
    return new Map(
      [...townOf].map(([ward, town]) => [
        ward,
        (wardsIn.get(town) ?? 0) > 1 ? `${town} ward (${ward})` : `${town} ward`,
      ]),
    );
  }

  /** Display names for agency and team ids (other breakdowns are codes or labels already). */
  async #groupNames(trx: Trx, breakdown: Breakdown | undefined): Promise<Map<string, string>> {
    if (breakdown === "agency") {
      const rows = await trx.selectFrom("agencies").select(["agency_id", "name"]).execute();
      return new Map(rows.map((r) => [r.agency_id, r.name]));
    }
    if (breakdown === "team") {
      const rows = await trx.selectFrom("teams").select(["team_id", "name"]).execute();
      return new Map(rows.map((r) => [r.team_id, r.name]));
    }
    if (breakdown === "ethnicity")
      return new Map(Object.entries(ETHNICITY_CODES).map(([code, label]) => [code, label]));
    if (breakdown === "sex") return new Map(Object.entries(SEX_CODES).map(([code, label]) => [code, label]));
    if (breakdown === "area") return this.#wardNames(trx);
    if (breakdown === "level") {
      const { levels } = await readPathwaySettings(trx);
      return new Map(levels.map((level) => [level.code, level.name]));
    }
    return new Map();
  }

  /**
   * The children behind a number (the numerator), limited to those the caller may open. Analysts see
   * only how many there are. Audited.
   * @param id - The indicator.
   * @param periodKey - The period.
   * @param filter - Optionally one breakdown group, e.g. { breakdown: "sex", key: "F" }.
   */
  drillDown(
    id: string,
    periodKey: string,
    filter?: { breakdown: Breakdown; key: string },
  ): Promise<{ total: number; visible: ChildRow[]; hidden: number } | undefined> {
    const ctx = this.ctx;
    const scope = this.callerScope();
    const indicator = indicatorById(id);
    const period = periodFromKey(periodKey);
    if (!ctx || !scope || !indicator || !period) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const asOf = dashboardAsOf(today());
      const ids = (await this.unitsServe(trx, asOf, [period.key]))
        ? await storedChildrenBehind(trx, asOf, scope, indicator, period, filter)
        : await this.#childrenBehind(trx, scope, indicator, period, filter);
      const visible =
        ids.length === 0
          ? []
          : await trx
              .selectFrom("people")
              .select(["person_id", "given_names", "family_name", "date_of_birth"])
              .where(sql.ref("partnership_id"), "=", currentPartnership)
              .where(sql<boolean>`person_id = any(${ids}::uuid[])`)
              .where(childVisibleTo(ctx, sql.ref("people.person_id")))
              .orderBy("family_name")
              .orderBy("given_names")
              .execute();
      await this.scope.audit(trx, {
        action: "view",
        recordType: "indicator",
        recordId: indicator.id,
        details: {
          page: "drill-down",
          period: period.key,
          ...(filter ? { breakdown: filter.breakdown, group: filter.key } : {}),
          children_listed: visible.length,
        },
      });
      return { total: ids.length, visible, hidden: ids.length - visible.length };
    });
  }

  /** The children behind a number, computed from every child in scope (a period the units do not hold). */
  async #childrenBehind(
    trx: Trx,
    scope: Scope,
    indicator: Indicator,
    period: Period,
    filter?: { breakdown: Breakdown; key: string },
  ): Promise<string[]> {
    const children = await this.children(trx, scope);
    const { units } = compute(indicator, children, period, null);
    if (!filter) return [...new Set(units.filter((u) => u.num).map((u) => u.personId))];
    const byId = new Map(children.map((c) => [c.personId, c]));
    const group = breakdownOf(indicator, units, byId, filter.breakdown, period.end).find(
      (g) => g.key === filter.key,
    );
    return group?.personIds ?? [];
  }

  /**
   * Disproportionality: each ethnic group's, sex's and disability's share of the children on a CP plan
   * for neglect at the period end, against its share of all children known to Hearth then.
   */
  disproportionality(periodKey?: string, on: string = today()) {
    const scope = this.callerScope();
    const period =
      (periodKey ? periodFromKey(periodKey) : undefined) ?? recentYears(lastCompleteYearEnd(on), 1)[0];
    const indicator = indicatorById("cp-neglect-children");
    if (!scope || !period || !indicator) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const asOf = dashboardAsOf(on);
      const stored = await this.unitsServe(trx, asOf, [period.key]);
      const computed = stored
        ? undefined
        : await this.#computedDisproportionality(trx, scope, indicator, period);
      const split = computed ?? (await storedDisproportionality(trx, asOf, scope, period));
      const settings = await readBoardSettings(trx);
      // All children together against the population rates are counted on (the ONS estimate, unless
      // the board's settings say the demo's recorded children): the one split the ONS files allow.
      const people = (await this.populations(trx, scope, computed?.children, [period.year]))(period.year);
      const overall = {
        counted: split.counted,
        population: people,
        rate: people ? Math.round((split.counted / people) * 100000) / 10 : null,
        populationName:
          scope.kind === "partnership"
            ? settings.populationBasis === "ons"
              ? `${POPULATION_BASIS_LABELS.ons}: the estimate DfE pairs with the year ending ${period.end.slice(0, 4)} (mid-${period.year - 1}, or the latest published before it)`
              : POPULATION_BASIS_LABELS.recorded
            : "Not worked out for an agency's own children",
      };
      return {
        scope,
        period,
        counted: split.counted,
        overall,
        population: split.population,
        // The only child population by ethnicity, sex and disability Hearth holds is the children it
        // records: the ONS estimate it loads is a total. The page names it.
        populationName:
          scope.kind === "agency"
            ? "children aged 0 to 17 your agency has worked with, as recorded in Hearth"
            : settings.populationBasis === "recorded"
              ? "children aged 0 to 17 recorded in Hearth (the demo's synthetic child population)"
              : "children aged 0 to 17 recorded in Hearth (known to its agencies; the ONS estimates Hearth loads give no split by ethnicity, sex or disability)",
        ethnicity: split.ethnicity,
        sex: split.sex,
        disability: split.disability,
      };
    });
  }

  /** Disproportionality computed from every child in scope (a period the stored units do not hold). */
  async #computedDisproportionality(trx: Trx, scope: Scope, indicator: Indicator, period: Period) {
    const children = await this.children(trx, scope);
    const counted = new Set(compute(indicator, children, period, null).units.map((u) => u.personId));
    const onPlans = children.filter((c) => counted.has(c.personId));
    const population = children.filter(
      (c) =>
        c.dateOfBirth !== null &&
        c.dateOfBirth <= period.end &&
        c.dateOfBirth > `${Number(period.end.slice(0, 4)) - 18}${period.end.slice(4)}`,
    );
    const label = (names: Record<string, string>) => (c: string) => names[c] ?? c;
    const ethnic = label(ETHNICITY_CODES);
    const sexes = label(SEX_CODES);
    return {
      children,
      counted: onPlans.length,
      population: population.length,
      ethnicity: disproportionality(onPlans, population, (c) =>
        c.ethnicity ? ethnic(c.ethnicity) : "Not recorded",
      ),
      sex: disproportionality(onPlans, population, (c) => sexes(c.sex)),
      disability: disproportionality(onPlans, population, (c) =>
        c.disabled ? "Disabled" : "Not recorded as disabled",
      ),
    };
  }
}
