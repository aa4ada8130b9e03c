// SPDX-License-Identifier: MIT
/**
 * Measuring success: the strategies' indicators computed from the partnership's own records, beside
 * the published DfE figures. Analysts and safeguarding leads see the whole partnership's figures;
 * managers see the figures for the children their agency works with. Drilling down to the children
 * behind a number lists only children the caller may open (childVisibleTo), so analysts, who never open
 * a child's record, see counts only; each drill-down is audited.
 */

import { sql, type UpdateObject } from "kysely";
import { todayInEngland } from "../chronology/dates.ts";
import type { AccessContext } from "../data/access-context.ts";
import { childVisibleTo } from "../data/child-access.ts";
import {
  type ChangeResult,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
  type Trx,
} from "../data/repository-scope.ts";
import type { HearthSchema } from "../db/schema.ts";
import type { Role } from "../organisation/codes.ts";
import { ETHNICITY_CODES, SEX_CODES } from "../people/codes.ts";
import { readPathwaySettings } from "../settings/pathway-settings.ts";
import { runInBackground } from "./background.ts";
import {
  type BenchmarkAreas,
  type BenchmarkSpec,
  type BenchmarkYear,
  benchmarkSeries,
  ENGLAND,
  lookupFrom,
  measuresOf,
  POPULATION_MEASURE,
} from "./benchmarks.ts";
import type { ReportStep } from "./board-report.ts";
import {
  type BoardSettings,
  POPULATION_BASIS_LABELS,
  type PopulationBasis,
  readBoardSettings,
  recordedPopulation,
  type Target,
  ZBoardSettingsBody,
} from "./board-settings.ts";
import { loadChildren } from "./loader.ts";
import {
  type ChildModel,
  lastCompleteQuarterEnd,
  lastCompleteYearEnd,
  type Period,
  periodFromKey,
  recentQuarters,
  recentYears,
  reportingYearOf,
} from "./model.ts";
import {
  type Breakdown,
  breakdownOf,
  compute,
  disproportionality,
  type Figure,
  INDICATORS,
  type Indicator,
  indicatorById,
  ownGroupsOf,
} from "./registry.ts";
import {
  claimRefresh,
  type DashboardFigures,
  dashboardAsOf,
  dashboardPeriods,
  readSnapshot,
  type StoredSnapshot,
  sourceVersion,
  writeSnapshot,
} from "./snapshots.ts";
import {
  storedBoardFigures,
  storedChildrenBehind,
  storedDisproportionality,
  storedFigures,
  storedPeriodDetail,
} from "./stored-pages.ts";
import { refreshUnits, storedChildCount, storedRecordedPopulation } from "./stored-units.ts";
import { storedPeriods } from "./unit-rows.ts";

const isCountSpec = (spec: BenchmarkSpec) => spec.multiplier === 1 && !spec.denominator;
const rateOf = (dfe: NonNullable<Indicator["dfe"]>): NonNullable<Indicator["dfe"]> => ({
  file: dfe.file,
  spec: { numerator: dfe.spec.numerator, denominator: "population", multiplier: 10000 },
});

/** Whether an indicator is a count DfE also publishes, so it is compared as a rate per 10,000. */
export const comparedAsRate = (indicator: Indicator): boolean =>
  indicator.unit === "count" && indicator.dfe !== undefined && isCountSpec(indicator.dfe.spec);

/** Roles that see indicators at all. */
export const mayReadIndicators = (role: Role): boolean =>
  role === "analyst" || role === "safeguarding-lead" || role === "manager";

/** Roles that see the whole partnership's figures (the rest see their own agency's children). */
export const seesPartnershipFigures = (role: Role): boolean =>
  role === "analyst" || role === "safeguarding-lead";

/** Roles that set the board's settings: the authority, strategy names, targets and population basis. */
export const mayChangeBoardSettings = (role: Role): boolean =>
  role === "administrator" || role === "analyst" || role === "safeguarding-lead";

/** Roles that write the board report's commentary. */
export const mayWriteCommentary = (role: Role): boolean => role === "analyst" || role === "safeguarding-lead";

const today = () => todayInEngland();

export type Scope = { kind: "partnership" } | { kind: "agency"; agencyId: string };

export type TrendPoint = { period: Period; figure: Figure };

export type DashboardRow = {
  indicator: Indicator;
  latest: TrendPoint;
  quarters: TrendPoint[];
  years: TrendPoint[];
  benchmark: BenchmarkYear | undefined;
};

/** When the dashboard's figures were computed, and whether newer records are being counted now. */
export type Freshness = {
  computedAt: Date;
  /** Children the figures were computed over. */
  children: number;
  /** The records have changed since: the figures shown are the last computed, and new ones are on the way. */
  refreshing: boolean;
};

/** A board report being made, as its maker sees it. */
export type BoardReportJob = {
  jobId: string;
  quarter: string;
  stepsDone: ReportStep[];
  state: "making" | "finished" | "failed" | "stopped";
  error: string | null;
};

/** A job that has made no progress for this long has lost its process (a restart): it is shown as stopped. */
const STALLED_MINUTES = 10;
/** Finished reports are kept this long, then removed when their maker next starts one. */
const KEPT_HOURS = 24;

export type ChildRow = {
  person_id: string;
  given_names: string;
  family_name: string;
  date_of_birth: string | null;
};

export class IndicatorsRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<Exclude<keyof IndicatorsRepository, never>, MethodAccess> = {
    scope: "guarded",
    dashboard: "guarded",
    indicator: "guarded",
    drillDown: "guarded",
    disproportionality: "guarded",
    benchmarks: "guarded",
    benchmarkSource: "guarded",
    listCommentary: "guarded",
    saveCommentary: "guarded",
    boardReport: "guarded",
    startBoardReportJob: "guarded",
    boardReportJob: "guarded",
    boardReportFile: "guarded",
    recordBoardReportStep: "guarded",
    finishBoardReportJob: "guarded",
    failBoardReportJob: "guarded",
    boardSettings: "guarded",
    saveBoardSettings: "guarded",
  };

  readonly #scope: RepositoryScope;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }

  get #ctx(): AccessContext | undefined {
    return this.#scope.context;
  }

  /** @returns Whose figures the caller sees, or undefined when they see none. */
  scope(): Scope | undefined {
    const ctx = this.#ctx;
    if (!ctx || !mayReadIndicators(ctx.role)) return undefined;
    return seesPartnershipFigures(ctx.role)
      ? { kind: "partnership" }
      : { kind: "agency", agencyId: ctx.agencyId };
  }

  /**
   * Brings the stored units up to the records for figures up to a quarter's end, when they hold every
   * period asked for. @returns Whether the stored units serve these periods.
   */
  async #unitsServe(trx: Trx, asOf: string, periodKeys: readonly string[]): Promise<boolean> {
    const ctx = this.#ctx;
    const stored = new Set(storedPeriods(asOf).map((p) => p.key));
    if (!ctx || !periodKeys.every((k) => stored.has(k))) return false;
    await refreshUnits(trx, ctx.partnershipId, asOf);
    return true;
  }

  async #children(trx: Trx, scope: Scope): Promise<ChildModel[]> {
    if (scope.kind === "partnership") return loadChildren(trx);
    const ids = await trx
      .selectFrom("involvements")
      .select("person_id")
      .distinct()
      .where(sql.ref("partnership_id"), "=", sql<string>`hearth_current_partnership()`)
      .where("agency_id", "=", scope.agencyId)
      .execute();
    return loadChildren(
      trx,
      ids.map((r) => r.person_id),
    );
  }

  /** The authority the board's settings name, or else the partnership's codes as created. */
  async #authorityCodes(trx: Trx): Promise<string[]> {
    const settings = await readBoardSettings(trx);
    if (settings.version > 0 && settings.authorityCode) return [settings.authorityCode];
    const row = await trx
      .selectFrom("partnerships")
      .select("local_authority_codes")
      .where(sql.ref("partnership_id"), "=", sql<string>`hearth_current_partnership()`)
      .executeTakeFirst();
    return row?.local_authority_codes ?? [];
  }

  /**
   * Children aged 0-17 behind rates, by reporting year: the ONS estimates for the partnership's
   * authorities, or, where the board's settings say so (a synthetic demo), the children recorded in
   * Hearth on the year's last day.
   */
  async #populations(
    trx: Trx,
    scope: Scope,
    children?: readonly ChildModel[],
    storedYears?: readonly number[],
  ): Promise<(year: number) => number | null> {
    if (scope.kind !== "partnership") return () => null;
    const settings = await readBoardSettings(trx);
    if (settings.populationBasis === "recorded" && !children && storedYears) {
      // Counted from the stored units' children (as current as the units the page counts).
      const counts = await storedRecordedPopulation(
        trx,
        storedYears.map((y) => `${y}-03-31`),
      );
      return (year: number) => counts.get(`${year}-03-31`) || null;
    }
    if (settings.populationBasis === "recorded") {
      const list = children ?? (await loadChildren(trx));
      const known = new Map<number, number>();
      return (year: number) => {
        let n = known.get(year);
        if (n === undefined) {
          n = recordedPopulation(list, `${year}-03-31`);
          known.set(year, n);
        }
        return n === 0 ? null : n;
      };
    }
    const codes = await this.#authorityCodes(trx);
    if (codes.length === 0) return () => null;
    const rows = await trx
      .selectFrom("benchmark_values")
      .select(["time_period", "area_code", "value"])
      .where("measure", "=", POPULATION_MEASURE)
      .where("area_code", "in", codes)
      .execute();
    return (reportingYear: number) => {
      // DfE pairs the year ending 31 March t with the mid-year estimate for t-1; until that estimate is
      // published, the latest earlier one stands in.
      const known = [...new Set(rows.map((r) => r.time_period))].filter((y) => y <= reportingYear - 1).sort();
      for (const year of known.reverse()) {
        const found = rows.filter((r) => r.time_period === year);
        if (found.length !== codes.length || found.some((r) => r.value === null)) continue;
        return found.reduce((sum, r) => sum + Number(r.value), 0);
      }
      return null;
    };
  }

  async #benchmarkAreas(trx: Trx): Promise<BenchmarkAreas> {
    const codes = await this.#authorityCodes(trx);
    const first = codes[0];
    if (!first) return { localCodes: [], regionCode: null, neighbours: { "2021": [], "2025": [] } };
    const area = await trx
      .selectFrom("benchmark_areas")
      .select("region_code")
      .where("area_code", "=", first)
      .executeTakeFirst();
    const neighbours = await trx
      .selectFrom("statistical_neighbours")
      .select(["model", "neighbour_code"])
      .where("old_la_code", "=", first)
      .orderBy("rank")
      .execute();
    return {
      localCodes: codes,
      regionCode: area?.region_code ?? null,
      neighbours: {
        "2021": neighbours.filter((n) => n.model === "2021").map((n) => n.neighbour_code),
        "2025": neighbours.filter((n) => n.model === "2025").map((n) => n.neighbour_code),
      },
    };
  }

  /**
   * The published benchmark years of comparable indicators.
   * @param asRates - Read counts (plans, referrals, children in need) as rates per 10,000 children, the
   * only way a partnership's count compares with England's.
   */
  async #benchmarksFor(
    trx: Trx,
    indicators: readonly Indicator[],
    asRates = false,
  ): Promise<Map<string, BenchmarkYear[]>> {
    const comparable = indicators
      .filter((i) => i.dfe)
      .map((i) => (asRates && i.dfe && isCountSpec(i.dfe.spec) ? { ...i, dfe: rateOf(i.dfe) } : i));
    return this.#seriesFor(
      trx,
      comparable.flatMap((i) => (i.dfe ? [{ key: i.id, spec: i.dfe.spec }] : [])),
    );
  }

  /** Each spec's published years, for the partnership's authorities, England, the region and neighbours. */
  async #seriesFor(
    trx: Trx,
    specs: readonly { key: string; spec: BenchmarkSpec }[],
  ): Promise<Map<string, BenchmarkYear[]>> {
    const out = new Map<string, BenchmarkYear[]>();
    if (specs.length === 0) return out;
    const areas = await this.#benchmarkAreas(trx);
    const codes = [
      ...new Set([
        ...areas.localCodes,
        ENGLAND,
        ...(areas.regionCode ? [areas.regionCode] : []),
        ...areas.neighbours["2021"],
        ...areas.neighbours["2025"],
      ]),
    ];
    const measures = measuresOf(specs.map((s) => s.spec));
    const rows = await trx
      .selectFrom("benchmark_values")
      .select(["measure", "time_period", "area_code", "value", "suppression"])
      .where("measure", "in", measures)
      .where("area_code", "in", codes)
      .execute();
    if (rows.length === 0) return out;
    const lookup = lookupFrom(rows);
    for (const { key, spec } of specs) {
      const years = [
        ...new Set(rows.filter((r) => r.measure === spec.numerator).map((r) => r.time_period)),
      ].sort();
      out.set(key, benchmarkSeries(spec, lookup, areas, years));
    }
    return out;
  }

  /** The published context an indicator is shown with (figures Hearth does not compute), latest years. */
  async #contextFor(trx: Trx, indicator: Indicator) {
    const context = indicator.context ?? [];
    const series = await this.#seriesFor(
      trx,
      context.map((c, i) => ({ key: String(i), spec: c.spec })),
    );
    return context.map((c, i) => ({ ...c, years: series.get(String(i)) ?? [] }));
  }

  /**
   * The dashboard: every indicator's latest value (the last complete reporting year), its last eight
   * quarters and five years, and the latest published benchmark year. The figures come from the stored
   * snapshot (snapshots.ts) when it was computed from the records as they are now. When the records have
   * changed since, the stored figures are shown with the time they were computed while one process
   * recomputes them in the background; with none stored yet, they are computed now.
   * @param on - The day to report up to (default today).
   * @param options - `wait`: recompute stale figures before answering instead of in the background.
   */
  async dashboard(
    on: string = today(),
    options: { wait?: boolean } = {},
  ): Promise<{ scope: Scope; rows: DashboardRow[]; freshness: Freshness } | undefined> {
    const scope = this.scope();
    if (!this.#ctx || !scope) return undefined;
    const asOf = dashboardAsOf(on);
    const scopeKey = scope.kind === "partnership" ? "partnership" : `agency:${scope.agencyId}`;
    // What is stored, whether it is current (a stale snapshot's lease is taken here), and the benchmarks.
    const found = await this.#scope.run(async (trx) => {
      const version = await sourceVersion(trx);
      const stored = await readSnapshot(trx, scopeKey, asOf);
      const stale = stored !== undefined && stored.sourceVersion !== version;
      const claimed = stale && !options.wait ? await claimRefresh(trx, scopeKey, asOf) : false;
      return { stored, stale, claimed, benchmarks: await this.#benchmarksFor(trx, INDICATORS) };
    });
    let stored = found.stored;
    if (!stored || (found.stale && options.wait)) stored = await this.#computeSnapshot(scope, scopeKey, asOf);
    else if (found.claimed)
      runInBackground(
        () => this.#computeSnapshot(scope, scopeKey, asOf),
        (error) => console.error(`Recomputing the indicator figures failed: ${String(error)}`),
      );
    const figures = stored.figures;
    const benchmarks = found.benchmarks;
    const { quarters, years } = dashboardPeriods(asOf);
    const rows = INDICATORS.map((indicator) => {
      const point = (period: Period): TrendPoint => ({
        period,
        figure: figures[indicator.id]?.[period.key] ?? { numerator: 0, denominator: null, value: null },
      });
      const yearPoints = years.map(point);
      const series = benchmarks.get(indicator.id);
      return {
        indicator,
        latest: yearPoints.at(-1) ?? point(years[0] as Period),
        quarters: quarters.map(point),
        years: yearPoints,
        benchmark: series?.filter((b) => b.england !== null).at(-1),
      };
    });
    const freshness: Freshness = {
      computedAt: stored.computedAt,
      children: stored.children,
      refreshing: found.stale && !options.wait,
    };
    return { scope, rows, freshness };
  }

  /**
   * Computes every dashboard figure from the records and stores them with the version they came from:
   * the records are read in one transaction, the figures computed outside it (yielding between
   * indicators, so other requests are served meanwhile), and stored in another.
   */
  async #computeSnapshot(scope: Scope, scopeKey: string, asOf: string): Promise<StoredSnapshot> {
    const ctx = this.#ctx;
    if (!ctx) throw new Error("no caller");
    const started = performance.now();
    const { version, figures, children } = await this.#scope.run(async (trx) => {
      // Read before the records, so a change committed meanwhile leaves the figures marked stale.
      const version = await sourceVersion(trx);
      // Only the children whose records changed are counted again; the figures are then counted in SQL.
      const refreshed = await refreshUnits(trx, ctx.partnershipId, asOf);
      const { quarters, years } = dashboardPeriods(asOf);
      const periods = [...quarters, ...years];
      const population = await this.#populations(
        trx,
        scope,
        undefined,
        periods.map((p) => p.year),
      );
      const counted = await storedFigures(trx, asOf, scope, INDICATORS, periods, population);
      const figures: DashboardFigures = {};
      for (const [id, byPeriod] of counted) figures[id] = Object.fromEntries(byPeriod);
      return {
        version,
        figures,
        children: scope.kind === "partnership" ? refreshed.children : await storedChildCount(trx, scope),
      };
    });
    const computedInMs = performance.now() - started;
    const computedAt = new Date();
    await this.#scope.run((trx) =>
      writeSnapshot(
        trx,
        ctx.partnershipId,
        { scopeKey, asOf, sourceVersion: version, computedAt, computedInMs, children },
        figures,
      ),
    );
    return {
      sourceVersion: version,
      computedAt,
      computedInMs: Math.round(computedInMs),
      children,
      figures,
    };
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
    const scope = this.scope();
    const indicator = indicatorById(id);
    if (!scope || !indicator) return Promise.resolve(undefined);
    const on = options.on ?? today();
    const period =
      (options.period ? periodFromKey(options.period) : undefined) ??
      recentYears(lastCompleteYearEnd(on), 1)[0];
    if (!period) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const yearPeriods = recentYears(lastCompleteYearEnd(on), 5);
      const quarterPeriods = recentQuarters(lastCompleteQuarterEnd(on), 8);
      const counted = await this.#indicatorFigures(trx, scope, indicator, period, options.breakdown, on, [
        ...yearPeriods,
        ...quarterPeriods,
      ]);
      const { population, breakdown } = counted;
      const figureFor = (p: Period) => ({ period: p, figure: counted.figureFor(p) });
      const names = await this.#groupNames(trx, options.breakdown);
      const benchmarks = (await this.#benchmarksFor(trx, [indicator])).get(indicator.id) ?? [];
      const asRate = comparedAsRate(indicator);
      const comparison = asRate
        ? ((await this.#benchmarksFor(trx, [indicator], true)).get(indicator.id) ?? [])
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
        context: await this.#contextFor(trx, indicator),
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
    if (await this.#unitsServe(trx, asOf, [period.key, ...trend.map((p) => p.key)])) {
      const years = [period.year, ...trend.map((p) => p.year)];
      const population = await this.#populations(trx, scope, undefined, years);
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
    const children = await this.#children(trx, scope);
    const population = await this.#populations(trx, scope, children);
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
      .where(sql.ref("partnership_id"), "=", sql<string>`hearth_current_partnership()`)
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
    const ctx = this.#ctx;
    const scope = this.scope();
    const indicator = indicatorById(id);
    const period = periodFromKey(periodKey);
    if (!ctx || !scope || !indicator || !period) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const asOf = dashboardAsOf(today());
      const ids = (await this.#unitsServe(trx, asOf, [period.key]))
        ? await storedChildrenBehind(trx, asOf, scope, indicator, period, filter)
        : await this.#childrenBehind(trx, scope, indicator, period, filter);
      const visible =
        ids.length === 0
          ? []
          : await trx
              .selectFrom("people")
              .select(["person_id", "given_names", "family_name", "date_of_birth"])
              .where(sql.ref("partnership_id"), "=", sql<string>`hearth_current_partnership()`)
              .where(sql<boolean>`person_id = any(${ids}::uuid[])`)
              .where(childVisibleTo(ctx, sql.ref("people.person_id")))
              .orderBy("family_name")
              .orderBy("given_names")
              .execute();
      await this.#scope.audit(trx, {
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
    const children = await this.#children(trx, scope);
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
    const scope = this.scope();
    const period =
      (periodKey ? periodFromKey(periodKey) : undefined) ?? recentYears(lastCompleteYearEnd(on), 1)[0];
    const indicator = indicatorById("cp-neglect-children");
    if (!scope || !period || !indicator) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const asOf = dashboardAsOf(on);
      const stored = await this.#unitsServe(trx, asOf, [period.key]);
      const computed = stored
        ? undefined
        : await this.#computedDisproportionality(trx, scope, indicator, period);
      const split = computed ?? (await storedDisproportionality(trx, asOf, scope, period));
      const settings = await readBoardSettings(trx);
      // All children together against the population rates are counted on (the ONS estimate, unless
      // the board's settings say the demo's recorded children): the one split the ONS files allow.
      const people = (await this.#populations(trx, scope, computed?.children, [period.year]))(period.year);
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
    const children = await this.#children(trx, scope);
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

  /** The published benchmark years for one comparable indicator. */
  benchmarks(id: string): Promise<BenchmarkYear[]> {
    const indicator = indicatorById(id);
    if (!this.scope() || !indicator?.dfe) return Promise.resolve([]);
    return this.#scope.run(async (trx) => (await this.#benchmarksFor(trx, [indicator])).get(id) ?? []);
  }

  /** Where the benchmarks came from: the latest import, the partnership's authorities and region. */
  benchmarkSource() {
    if (!this.scope()) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const latest = await trx
        .selectFrom("benchmark_imports")
        .select(["imported_at", "files", "value_rows", "suppressed_rows"])
        .orderBy("imported_at", "desc")
        .executeTakeFirst();
      const codes = await this.#authorityCodes(trx);
      const areas =
        codes.length === 0
          ? []
          : await trx
              .selectFrom("benchmark_areas")
              .select(["area_code", "name", "region_name"])
              .where("area_code", "in", codes)
              .execute();
      const neighbours = await this.#benchmarkAreas(trx);
      const neighbourNames =
        neighbours.neighbours["2025"].length + neighbours.neighbours["2021"].length === 0
          ? []
          : await trx
              .selectFrom("benchmark_areas")
              .select(["area_code", "name"])
              .where("area_code", "in", [...neighbours.neighbours["2025"], ...neighbours.neighbours["2021"]])
              .execute();
      const nameOf = new Map(neighbourNames.map((n) => [n.area_code, n.name]));
      const settings = await readBoardSettings(trx);
      const partnership = await trx
        .selectFrom("partnerships")
        .select("name")
        .where(sql.ref("partnership_id"), "=", sql<string>`hearth_current_partnership()`)
        .executeTakeFirst();
      return {
        partnershipName: partnership?.name ?? "",
        populationBasis: settings.populationBasis,
        populationLabel: POPULATION_BASIS_LABELS[settings.populationBasis],
        strategyNames: settings.strategyNames,
        targets: settings.targets,
        latest,
        authorities: codes.map((code) => ({
          code,
          name: areas.find((a) => a.area_code === code)?.name ?? code,
        })),
        region: areas[0]?.region_name ?? null,
        neighbours2025: neighbours.neighbours["2025"].map((c) => nameOf.get(c) ?? c),
        neighbours2021: neighbours.neighbours["2021"].map((c) => nameOf.get(c) ?? c),
      };
    });
  }

  /** The board's commentary for a quarter, by indicator id. */
  listCommentary(periodKey: string): Promise<Map<string, string>> {
    if (!this.scope()) return Promise.resolve(new Map());
    return this.#scope.run(async (trx) => {
      const rows = await trx
        .selectFrom("indicator_commentary")
        .select(["indicator_id", "body"])
        .where(sql.ref("partnership_id"), "=", sql<string>`hearth_current_partnership()`)
        .where("period", "=", periodKey)
        .execute();
      return new Map(rows.map((r) => [r.indicator_id, r.body]));
    });
  }

  /**
   * Writes the commentary on one indicator (or "overview") for a quarter's board report. Analysts and
   * safeguarding leads only; audited with the change.
   */
  saveCommentary(periodKey: string, indicatorId: string, body: string): Promise<ChangeResult<null>> {
    const ctx = this.#ctx;
    if (!ctx || !mayWriteCommentary(ctx.role))
      return Promise.resolve(refused("Only analysts and safeguarding leads can write commentary"));
    if (!/^\d{4}-Q[1-4]$/.test(periodKey)) return Promise.resolve(refused("Choose a quarter", "period"));
    if (indicatorId !== "overview" && !indicatorById(indicatorId))
      return Promise.resolve(refused("Unknown indicator"));
    if (body.length > 4000)
      return Promise.resolve(refused("Commentary must be 4,000 characters or fewer", indicatorId));
    return this.#scope.run(async (trx) => {
      const before = await trx
        .selectFrom("indicator_commentary")
        .select("body")
        .where(sql.ref("partnership_id"), "=", sql<string>`hearth_current_partnership()`)
        .where("period", "=", periodKey)
        .where("indicator_id", "=", indicatorId)
        .executeTakeFirst();
      if ((before?.body ?? "") === body) return done(null);
      await trx
        .insertInto("indicator_commentary")
        .values({
          partnership_id: ctx.partnershipId,
          period: periodKey,
          indicator_id: indicatorId,
          body,
          updated_by: ctx.userId,
          updated_at: new Date(),
        })
        .onConflict((oc) =>
          oc.columns(["partnership_id", "period", "indicator_id"]).doUpdateSet({
            body,
            updated_by: ctx.userId,
            updated_at: new Date(),
          }),
        )
        .execute();
      await this.#scope.audit(trx, {
        action: "update",
        recordType: "indicator-commentary",
        recordId: `${periodKey}/${indicatorId}`,
        details: { body: [before?.body ?? null, body] },
      });
      return done(null);
    });
  }

  /**
   * Everything the quarterly board report shows: the headline indicators with their quarterly and yearly
   * figures, benchmarks, commentary, and every definition. Partnership figures only (analysts and leads).
   * @param quarterKey - e.g. "2025-Q4".
   */
  boardReport(quarterKey: string) {
    const ctx = this.#ctx;
    const period = periodFromKey(quarterKey);
    if (!ctx || !seesPartnershipFigures(ctx.role) || !period || period.kind !== "quarter")
      return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const quarters = recentQuarters(period.end, 5);
      const years = recentYears(period.end, 5);
      const { population, figureOf } = await this.#boardFigures(trx, [...quarters, ...years]);
      const benchmarks = await this.#benchmarksFor(trx, INDICATORS);
      const partnership = await trx
        .selectFrom("partnerships")
        .select(["name", "local_authority_codes"])
        .where(sql.ref("partnership_id"), "=", sql<string>`hearth_current_partnership()`)
        .executeTakeFirst();
      const commentary = await trx
        .selectFrom("indicator_commentary")
        .select(["indicator_id", "body"])
        .where(sql.ref("partnership_id"), "=", sql<string>`hearth_current_partnership()`)
        .where("period", "=", quarterKey)
        .execute();
      const rateComparisons = await this.#benchmarksFor(trx, INDICATORS, true);
      const settings = await readBoardSettings(trx);
      const codes = await this.#authorityCodes(trx);
      const areas =
        codes.length === 0
          ? []
          : await trx
              .selectFrom("benchmark_areas")
              .select(["area_code", "name", "region_name"])
              .where("area_code", "in", codes)
              .execute();
      const rows = INDICATORS.map((indicator) => ({
        indicator,
        comparedAsRate: comparedAsRate(indicator),
        comparison: (rateComparisons.get(indicator.id) ?? []).slice(-5),
        populations: years.map((p) => ({ year: p.year, population: population(p.year) })),
        quarters: quarters.map((p) => ({ period: p, figure: figureOf(indicator, p) })),
        years: years.map((p) => ({ period: p, figure: figureOf(indicator, p) })),
        benchmarks: (benchmarks.get(indicator.id) ?? []).slice(-3),
      }));
      await this.#scope.audit(trx, {
        action: "export",
        recordType: "board-report",
        recordId: quarterKey,
        details: { indicators: rows.length },
      });
      return {
        partnershipName: partnership?.name ?? "",
        authorityCodes: codes,
        authorities: codes.map((code) => ({
          code,
          name: areas.find((a) => a.area_code === code)?.name ?? code,
        })),
        region: areas[0]?.region_name ?? null,
        strategyNames: settings.strategyNames,
        targets: settings.targets,
        populationBasis: settings.populationBasis,
        populationLabel: POPULATION_BASIS_LABELS[settings.populationBasis],
        period,
        reportingYear: reportingYearOf(period.end),
        generatedOn: today(),
        rows,
        commentary: new Map(commentary.map((c) => [c.indicator_id, c.body])),
      };
    });
  }

  /**
   * Every indicator's figures for the board report's periods: from the stored units when they hold
   * them (the latest complete quarter's report), otherwise computed from every child.
   */
  async #boardFigures(trx: Trx, periods: readonly Period[]) {
    const scope: Scope = { kind: "partnership" };
    const asOf = dashboardAsOf(today());
    if (
      await this.#unitsServe(
        trx,
        asOf,
        periods.map((p) => p.key),
      )
    ) {
      const population = await this.#populations(
        trx,
        scope,
        undefined,
        periods.map((p) => p.year),
      );
      const figures = await storedBoardFigures(trx, asOf, periods, population);
      const none: Figure = { numerator: 0, denominator: null, value: null };
      return {
        population,
        figureOf: (indicator: Indicator, p: Period) => figures.get(indicator.id)?.get(p.key) ?? none,
      };
    }
    const children = await loadChildren(trx);
    const population = await this.#populations(trx, scope, children);
    return {
      population,
      figureOf: (indicator: Indicator, p: Period): Figure => {
        const { units: _u, ...figure } = compute(indicator, children, p, population(p.year));
        return figure;
      },
    };
  }

  /** The caller's id where they may make board reports; otherwise an id no job has. */
  #ownerId(): string {
    const ctx = this.#ctx;
    return ctx && seesPartnershipFigures(ctx.role) ? ctx.userId : "00000000-0000-0000-0000-000000000000";
  }

  /** The caller's own report job, in the partnership; others' jobs are not theirs to see. */
  #ownJob(trx: Trx, jobId: string) {
    return trx
      .selectFrom("board_report_jobs")
      .where(sql.ref("partnership_id"), "=", sql<string>`hearth_current_partnership()`)
      .where("job_id", "=", /^[0-9a-f-]{36}$/.test(jobId) ? jobId : "00000000-0000-0000-0000-000000000000")
      .where("requested_by", "=", this.#ownerId());
  }

  /**
   * Starts a board report for a quarter: a job row any app process can report on. Clears the caller's
   * reports older than a day. Analysts and safeguarding leads only.
   */
  startBoardReportJob(quarterKey: string): Promise<ChangeResult<{ jobId: string }>> {
    const ctx = this.#ctx;
    if (!ctx || !seesPartnershipFigures(ctx.role))
      return Promise.resolve(refused("Only analysts and safeguarding leads can make the board report"));
    const period = periodFromKey(quarterKey);
    if (period?.kind !== "quarter") return Promise.resolve(refused("Choose a quarter", "quarter"));
    return this.#scope.run(async (trx) => {
      await trx
        .deleteFrom("board_report_jobs")
        .where(sql.ref("partnership_id"), "=", sql<string>`hearth_current_partnership()`)
        .where("requested_by", "=", ctx.userId)
        .where("created_at", "<", sql<Date>`now() - make_interval(hours => ${KEPT_HOURS})`)
        .execute();
      const jobId = crypto.randomUUID();
      await trx
        .insertInto("board_report_jobs")
        .values({
          partnership_id: ctx.partnershipId,
          job_id: jobId,
          requested_by: ctx.userId,
          quarter: quarterKey,
        })
        .execute();
      return done({ jobId });
    });
  }

  /** The caller's report job and how far it has got, or undefined when it is not theirs or not there. */
  boardReportJob(jobId: string): Promise<BoardReportJob | undefined> {
    if (!this.#ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const row = await this.#ownJob(trx, jobId)
        .select([
          "job_id",
          "quarter",
          "steps_done",
          "error",
          sql<boolean>`pdf is not null and xlsx is not null`.as("finished"),
          sql<boolean>`updated_at < now() - make_interval(mins => ${STALLED_MINUTES})`.as("stalled"),
        ])
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        jobId: row.job_id,
        quarter: row.quarter,
        stepsDone: row.steps_done as ReportStep[],
        state: row.error ? "failed" : row.finished ? "finished" : row.stalled ? "stopped" : "making",
        error: row.error,
      };
    });
  }

  /** One of the caller's finished report's files. */
  boardReportFile(jobId: string, format: "pdf" | "xlsx"): Promise<Buffer | undefined> {
    if (!this.#ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const row = await this.#ownJob(trx, jobId).select(format).executeTakeFirst();
      const file = row?.[format];
      return file ? Buffer.from(file) : undefined;
    });
  }

  /** Changes the caller's own report job (nothing, for anyone else's). */
  #updateOwnJob(jobId: string, changes: UpdateObject<HearthSchema, "board_report_jobs">): Promise<void> {
    if (!this.#ctx) return Promise.resolve();
    return this.#scope.run(async (trx) => {
      await trx
        .updateTable("board_report_jobs")
        .set({ ...changes, updated_at: sql<Date>`now()` })
        .where(sql.ref("partnership_id"), "=", sql<string>`hearth_current_partnership()`)
        .where("job_id", "=", jobId)
        .where("requested_by", "=", this.#ownerId())
        .execute();
    });
  }

  /** Marks a step of the caller's report done. */
  recordBoardReportStep(jobId: string, step: ReportStep): Promise<void> {
    return this.#updateOwnJob(jobId, {
      steps_done: sql<string[]>`array_append(array_remove(steps_done, ${step}), ${step})`,
    });
  }

  /** Stores the caller's finished report's files. */
  finishBoardReportJob(jobId: string, files: { pdf: Uint8Array; xlsx: Uint8Array }): Promise<void> {
    return this.#updateOwnJob(jobId, { pdf: files.pdf, xlsx: files.xlsx });
  }

  /** Records why the caller's report could not be made. */
  failBoardReportJob(jobId: string, message: string): Promise<void> {
    return this.#updateOwnJob(jobId, { error: message.slice(0, 2000) });
  }

  /**
   * The board's settings in force, every saved version (newest first), the authorities DfE publishes
   * for, and the indicators targets may be set for. Administrators, analysts and safeguarding leads.
   */
  boardSettings() {
    const ctx = this.#ctx;
    if (!ctx || !mayChangeBoardSettings(ctx.role)) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const current = await readBoardSettings(trx);
      const versions = await trx
        .selectFrom("board_settings_versions as v")
        .innerJoin("users as u", (j) =>
          j.onRef("u.partnership_id", "=", "v.partnership_id").onRef("u.user_id", "=", "v.changed_by"),
        )
        .select([
          "v.version",
          "v.authority_code",
          "v.population_basis",
          "v.reason",
          "v.changed_at",
          "u.display_name as changed_by_name",
        ])
        .where(sql<boolean>`v.partnership_id = hearth_current_partnership()`)
        .orderBy("v.version", "desc")
        .execute();
      const authorities = await trx
        .selectFrom("benchmark_areas")
        .select(["area_code", "name"])
        .where("geographic_level", "=", "Local authority")
        .orderBy("name")
        .execute();
      return { current, versions, authorities };
    });
  }

  /**
   * Saves a new version of the board's settings, audited with what changed and why.
   * @param input - The authority code, population basis, strategy names and targets.
   * @param reason - Why (kept with the version and in the audit row).
   */
  saveBoardSettings(
    input: {
      authorityCode: string;
      populationBasis: PopulationBasis;
      strategyNames: Record<string, string>;
      targets: Record<string, Target>;
    },
    reason: string,
  ): Promise<ChangeResult<{ version: number }>> {
    const ctx = this.#ctx;
    if (!ctx || !mayChangeBoardSettings(ctx.role))
      return Promise.resolve(
        refused("Only administrators, analysts and safeguarding leads can change the board's settings"),
      );
    if (reason.trim() === "")
      return Promise.resolve(refused("Enter why the settings are changing", "reason"));
    if (!/^[0-9]{3}$/.test(input.authorityCode))
      return Promise.resolve(refused("Enter the authority's 3-digit DfE code, for example 852", "authority"));
    for (const id of Object.keys(input.targets))
      if (!indicatorById(id)) return Promise.resolve(refused(`Unknown indicator ${id}`, "targets"));
    const body = ZBoardSettingsBody.safeParse({ strategyNames: input.strategyNames, targets: input.targets });
    if (!body.success) return Promise.resolve(refused("Check the strategy names and targets", "settings"));
    return this.#scope.run(async (trx) => {
      const known = await trx
        .selectFrom("benchmark_areas")
        .select(["area_code"])
        .where("geographic_level", "=", "Local authority")
        .execute();
      if (known.length > 0 && !known.some((a) => a.area_code === input.authorityCode))
        return refused(
          `${input.authorityCode} is not a local authority code in the published DfE files`,
          "authority",
        );
      const before: BoardSettings = await readBoardSettings(trx);
      await sql`select pg_advisory_xact_lock(hashtext('board-settings:' || ${ctx.partnershipId}))`.execute(
        trx,
      );
      const last = await trx
        .selectFrom("board_settings_versions")
        .select(sql<number>`coalesce(max(version), 0)`.as("version"))
        .where(sql.ref("partnership_id"), "=", sql<string>`hearth_current_partnership()`)
        .executeTakeFirstOrThrow();
      const version = Number(last.version) + 1;
      await trx
        .insertInto("board_settings_versions")
        .values({
          partnership_id: ctx.partnershipId,
          version,
          authority_code: input.authorityCode,
          population_basis: input.populationBasis,
          settings: JSON.stringify(body.data),
          reason: reason.trim(),
          changed_by: ctx.userId,
        })
        .execute();
      const changed: Record<string, [unknown, unknown]> = {};
      if (before.authorityCode !== input.authorityCode)
        changed.authority = [before.authorityCode, input.authorityCode];
      if (before.populationBasis !== input.populationBasis)
        changed.population = [before.populationBasis, input.populationBasis];
      for (const [seed, name] of Object.entries(body.data.strategyNames))
        if (before.strategyNames[seed as keyof typeof before.strategyNames] !== name)
          changed[`strategy.${seed}`] = [
            before.strategyNames[seed as keyof typeof before.strategyNames],
            name,
          ];
      for (const id of new Set([...Object.keys(before.targets), ...Object.keys(body.data.targets)]))
        if (JSON.stringify(before.targets[id] ?? null) !== JSON.stringify(body.data.targets[id] ?? null))
          changed[`target.${id}`] = [before.targets[id] ?? null, body.data.targets[id] ?? null];
      await this.#scope.audit(trx, {
        action: "change",
        recordType: "board-settings",
        recordId: ctx.partnershipId,
        reason: reason.trim(),
        details: { version, ...changed },
      });
      return done({ version });
    });
  }
}
