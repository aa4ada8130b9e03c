// SPDX-License-Identifier: MIT
/**
 * The dashboard (stored figures, recounted after a change) and the published benchmarks it is shown with.
 */
import { sql } from "kysely";
import type { MethodAccess } from "../data/repository-scope.ts";
import { currentPartnership } from "../kernel/sql.ts";
import { runInBackground } from "./background.ts";
import type { BenchmarkYear } from "./benchmarks.ts";
import { POPULATION_BASIS_LABELS, readBoardSettings } from "./board-settings.ts";
import {
  type DashboardRow,
  type Freshness,
  IndicatorsAreaRepository,
  type Scope,
  type TrendPoint,
  today,
} from "./indicators-context.ts";
import type { Period } from "./model.ts";
import { INDICATORS, indicatorById } from "./registry.ts";
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
import { storedFigures } from "./stored-pages.ts";
import { refreshUnits } from "./stored-units.ts";
import { storedChildCount } from "./unit-tallies.ts";

export class IndicatorDashboardRepository extends IndicatorsAreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof IndicatorDashboardRepository, MethodAccess> = {
    dashboard: "guarded",
    benchmarks: "guarded",
    benchmarkSource: "guarded",
  };

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
    const scope = this.callerScope();
    if (!this.ctx || !scope) return undefined;
    const asOf = dashboardAsOf(on);
    const scopeKey = scope.kind === "partnership" ? "partnership" : `agency:${scope.agencyId}`;
    // What is stored, whether it is current (a stale snapshot's lease is taken here), and the benchmarks.
    const found = await this.scope.run(async (trx) => {
      const version = await sourceVersion(trx);
      const stored = await readSnapshot(trx, scopeKey, asOf);
      const stale = stored !== undefined && stored.sourceVersion !== version;
      const claimed = stale && !options.wait ? await claimRefresh(trx, scopeKey, asOf) : false;
      return { stored, stale, claimed, benchmarks: await this.benchmarksFor(trx, INDICATORS) };
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
    const ctx = this.ctx;
    if (!ctx) throw new Error("no caller");
    const started = performance.now();
    const { version, figures, children } = await this.scope.run(async (trx) => {
      // Read before the records, so a change committed meanwhile leaves the figures marked stale.
      const version = await sourceVersion(trx);
      // Only the children whose records changed are counted again; the figures are then counted in SQL.
      const refreshed = await refreshUnits(trx, ctx.partnershipId, asOf);
      const { quarters, years } = dashboardPeriods(asOf);
      const periods = [...quarters, ...years];
      const population = await this.populations(
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
    await this.scope.run((trx) =>
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

  /** The published benchmark years for one comparable indicator. */
  benchmarks(id: string): Promise<BenchmarkYear[]> {
    const indicator = indicatorById(id);
    if (!this.callerScope() || !indicator?.dfe) return Promise.resolve([]);
    return this.scope.run(async (trx) => (await this.benchmarksFor(trx, [indicator])).get(id) ?? []);
  }

  /** Where the benchmarks came from: the latest import, the partnership's authorities and region. */
  benchmarkSource() {
    if (!this.callerScope()) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const latest = await trx
        .selectFrom("benchmark_imports")
        .select(["imported_at", "files", "value_rows", "suppressed_rows"])
        .orderBy("imported_at", "desc")
        .executeTakeFirst();
      const { codes, areas } = await this.authorityAreas(trx);
      const neighbours = await this.benchmarkAreas(trx);
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
        .where(sql.ref("partnership_id"), "=", currentPartnership)
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
}
