// SPDX-License-Identifier: MIT
/**
 * What every indicators sub-area shares: who sees which figures (the roles and the caller's scope), the
 * page types, and the reads behind the figures (children in scope, populations, benchmarks, the stored
 * units brought up to date). The sub-area repositories (figures, board report, board settings) extend it.
 */
import { sql } from "kysely";
import { AreaRepository } from "../data/area-repository.ts";
import type { Trx } from "../data/repository-scope.ts";
import { todayInEngland } from "../kernel/calendar.ts";
import { can } from "../kernel/policy.ts";
import { currentPartnership } from "../kernel/sql.ts";
import type { Role } from "../organisation/codes.ts";
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
import { readBoardSettings, recordedPopulation } from "./board-settings.ts";
import { loadChildren } from "./loader.ts";
import type { ChildModel, Period } from "./model.ts";
import type { Figure, Indicator } from "./registry.ts";
import { refreshUnits } from "./stored-units.ts";
import { storedPeriods } from "./unit-rows.ts";
import { storedRecordedPopulation } from "./unit-tallies.ts";

export const isCountSpec = (spec: BenchmarkSpec) => spec.multiplier === 1 && !spec.denominator;
const rateOf = (dfe: NonNullable<Indicator["dfe"]>): NonNullable<Indicator["dfe"]> => ({
  file: dfe.file,
  spec: { numerator: dfe.spec.numerator, denominator: "population", multiplier: 10000 },
});

/** Whether an indicator is a count DfE also publishes, so it is compared as a rate per 10,000. */
export const comparedAsRate = (indicator: Indicator): boolean =>
  indicator.unit === "count" && indicator.dfe !== undefined && isCountSpec(indicator.dfe.spec);

/** Roles that see indicators at all. */
export const mayReadIndicators = (role: Role): boolean => can(role, "indicators.read");

/** Roles that see the whole partnership's figures (the rest see their own agency's children). */
export const seesPartnershipFigures = (role: Role): boolean =>
  role === "analyst" || role === "safeguarding-lead";

/** Roles that set the board's settings: the authority, strategy names, targets and population basis. */
export const mayChangeBoardSettings = (role: Role): boolean => can(role, "board.settings");

/** Roles that write the board report's commentary. */
export const mayWriteCommentary = (role: Role): boolean => can(role, "board.report");

export const today = () => todayInEngland();

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
export const STALLED_MINUTES = 10;
/** Finished reports are kept this long, then removed when their maker next starts one. */
export const KEPT_HOURS = 24;

export type ChildRow = {
  person_id: string;
  given_names: string;
  family_name: string;
  date_of_birth: string | null;
};

/** The base of the indicators sub-area repositories. */
export abstract class IndicatorsAreaRepository extends AreaRepository {
  /** @returns Whose figures the caller sees, or undefined when they see none. */
  protected callerScope(): Scope | undefined {
    const ctx = this.ctx;
    if (!ctx || !mayReadIndicators(ctx.role)) return undefined;
    return seesPartnershipFigures(ctx.role)
      ? { kind: "partnership" }
      : { kind: "agency", agencyId: ctx.agencyId };
  }

  /**
   * Brings the stored units up to the records for figures up to a quarter's end, when they hold every
   * period asked for. @returns Whether the stored units serve these periods.
   */
  protected async unitsServe(trx: Trx, asOf: string, periodKeys: readonly string[]): Promise<boolean> {
    const ctx = this.ctx;
    const stored = new Set(storedPeriods(asOf).map((p) => p.key));
    if (!ctx || !periodKeys.every((k) => stored.has(k))) return false;
    await refreshUnits(trx, ctx.partnershipId, asOf);
    return true;
  }

  protected async children(trx: Trx, scope: Scope): Promise<ChildModel[]> {
    if (scope.kind === "partnership") return loadChildren(trx);
    const ids = await trx
      .selectFrom("involvements")
      .select("person_id")
      .distinct()
      .where(sql.ref("partnership_id"), "=", currentPartnership)
      .where("agency_id", "=", scope.agencyId)
      .execute();
    return loadChildren(
      trx,
      ids.map((r) => r.person_id),
    );
  }

  /** The authority the board's settings name, or else the partnership's codes as created. */
  protected async authorityCodes(trx: Trx): Promise<string[]> {
    const settings = await readBoardSettings(trx);
    if (settings.version > 0 && settings.authorityCode) return [settings.authorityCode];
    const row = await trx
      .selectFrom("partnerships")
      .select("local_authority_codes")
      .where(sql.ref("partnership_id"), "=", currentPartnership)
      .executeTakeFirst();
    return row?.local_authority_codes ?? [];
  }

  /** The partnership's authority codes and the published areas they name (with their region). */
  protected async authorityAreas(trx: Trx) {
    const codes = await this.authorityCodes(trx);
    const areas =
      codes.length === 0
        ? []
        : await trx
            .selectFrom("benchmark_areas")
            .select(["area_code", "name", "region_name"])
            .where("area_code", "in", codes)
            .execute();
    return { codes, areas };
  }

  /**
   * Children aged 0-17 behind rates, by reporting year: the ONS estimates for the partnership's
   * authorities, or, where the board's settings say so (a synthetic demo), the children recorded in
   * Hearth on the year's last day.
   */
  protected async populations(
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
    const codes = await this.authorityCodes(trx);
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

  protected async benchmarkAreas(trx: Trx): Promise<BenchmarkAreas> {
    const codes = await this.authorityCodes(trx);
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
  protected async benchmarksFor(
    trx: Trx,
    indicators: readonly Indicator[],
    asRates = false,
  ): Promise<Map<string, BenchmarkYear[]>> {
    const comparable = indicators
      .filter((i) => i.dfe)
      .map((i) => (asRates && i.dfe && isCountSpec(i.dfe.spec) ? { ...i, dfe: rateOf(i.dfe) } : i));
    return this.seriesFor(
      trx,
      comparable.flatMap((i) => (i.dfe ? [{ key: i.id, spec: i.dfe.spec }] : [])),
    );
  }

  /** Each spec's published years, for the partnership's authorities, England, the region and neighbours. */
  protected async seriesFor(
    trx: Trx,
    specs: readonly { key: string; spec: BenchmarkSpec }[],
  ): Promise<Map<string, BenchmarkYear[]>> {
    const out = new Map<string, BenchmarkYear[]>();
    if (specs.length === 0) return out;
    const areas = await this.benchmarkAreas(trx);
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
  protected async contextFor(trx: Trx, indicator: Indicator) {
    const context = indicator.context ?? [];
    const series = await this.seriesFor(
      trx,
      context.map((c, i) => ({ key: String(i), spec: c.spec })),
    );
    return context.map((c, i) => ({ ...c, years: series.get(String(i)) ?? [] }));
  }
}
