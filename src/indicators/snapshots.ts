// SPDX-License-Identifier: MIT
/**
 * Stored dashboard figures (migration 0006): every indicator over the dashboard's periods, computed once
 * from the records and kept with the version of the records they came from. The dashboard serves the
 * stored figures while they are current; when the records have changed it serves the last figures, says
 * when they were computed, and recomputes them in the background. A lease in the row lets only one app
 * process recompute at a time, and a crashed one's lease simply expires.
 */
import { createHash } from "node:crypto";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import type { Trx } from "../data/repository-scope.ts";
import { addCalendarDays } from "../kernel/calendar.ts";
import { currentPartnership } from "../kernel/sql.ts";
import {
  type ChildModel,
  lastCompleteQuarterEnd,
  lastCompleteYearEnd,
  type Period,
  recentQuarters,
  recentYears,
} from "./model.ts";
import { compute, type Figure, INDICATORS } from "./registry.ts";
import { sourceDigest } from "./source-digest.ts";

/** How long a background recomputation may hold a snapshot before another process may take it over. */
const LEASE_MINUTES = 15;

const SRC = join(dirname(fileURLToPath(import.meta.url)), "..");
// The database, access and audit plumbing the loader runs on does not change what a figure is.
const PLUMBING = ["db", "data", "audit", "config"].map((folder) => join(SRC, folder) + sep);

/**
 * The indicator definitions' own version: a hash of every indicator's id, definition and computation
 * source, and of the source of every module the registry, the loader and the unit rows import (shared
 * helpers such as episodes and working days included), so figures stored by an earlier release are
 * recomputed rather than shown under new definitions.
 */
export const REGISTRY_VERSION = createHash("sha256")
  .update(JSON.stringify(INDICATORS.map((i) => [i.id, i.definition, i.unit, i.units.toString()])))
  .update(
    sourceDigest(
      ["registry.ts", "loader.ts", "unit-rows.ts"].map((file) => join(SRC, "indicators", file)),
      SRC,
      (path) => PLUMBING.some((folder) => path.startsWith(folder)),
    ),
  )
  .digest("hex")
  .slice(0, 16);

/** The periods the dashboard shows for figures up to a quarter's end: eight quarters and five years. */
export const dashboardPeriods = (asOf: string): { quarters: Period[]; years: Period[] } => {
  // The years complete by the day after the quarter's end: on 31 March itself its year has not ended.
  return {
    quarters: recentQuarters(asOf, 8),
    years: recentYears(lastCompleteYearEnd(addCalendarDays(asOf, 1)), 5),
  };
};

/** The quarter end a dashboard viewed on `on` reports up to (the snapshot's key). */
export const dashboardAsOf = (on: string): string => lastCompleteQuarterEnd(on);

/** Every indicator's figure for every period, by indicator id then period key. */
export type DashboardFigures = Record<string, Record<string, Figure>>;

/**
 * Computes every indicator over the dashboard's periods, without I/O. It hands the event loop back
 * between indicators: at 100,000 children the whole takes seconds, and the process has requests to serve.
 * @param population - Children aged 0 to 17 for a reporting year, for rates (null when unknown).
 */
export const computeDashboardFigures = async (
  children: readonly ChildModel[],
  asOf: string,
  population: (year: number) => number | null,
): Promise<DashboardFigures> => {
  const { quarters, years } = dashboardPeriods(asOf);
  const figures: DashboardFigures = {};
  for (const indicator of INDICATORS) {
    const byPeriod: Record<string, Figure> = {};
    for (const period of [...quarters, ...years]) {
      const { numerator, denominator, value } = compute(indicator, children, period, population(period.year));
      byPeriod[period.key] = { numerator, denominator, value };
    }
    figures[indicator.id] = byPeriod;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return figures;
};

/**
 * What stored figures depend on besides the day: the partnership's latest audited change, the latest
 * benchmark import (the population behind rates), the authority codes, the board's settings (authority
 * and population basis), and the definitions' version.
 */
export const sourceVersion = async (trx: Trx): Promise<string> => {
  const head = await trx
    .selectFrom("audit_chain_heads")
    .select("last_change_seq")
    .where(sql.ref("partnership_id"), "=", currentPartnership)
    .executeTakeFirst();
  const benchmarks = await trx
    .selectFrom("benchmark_imports")
    .select("import_id")
    .orderBy("imported_at", "desc")
    .limit(1)
    .executeTakeFirst();
  const partnership = await trx
    .selectFrom("partnerships")
    .select("local_authority_codes")
    .where(sql.ref("partnership_id"), "=", currentPartnership)
    .executeTakeFirst();
  const board = await trx
    .selectFrom("board_settings_versions")
    .select(sql<number>`coalesce(max(version), 0)`.as("version"))
    .where(sql.ref("partnership_id"), "=", currentPartnership)
    .executeTakeFirst();
  return [
    `change ${head?.last_change_seq ?? 0}`,
    `board settings ${board?.version ?? 0}`,
    `benchmarks ${benchmarks?.import_id ?? "none"}`,
    `authorities ${(partnership?.local_authority_codes ?? []).join(",")}`,
    `registry ${REGISTRY_VERSION}`,
  ].join("; ");
};

export type StoredSnapshot = {
  sourceVersion: string;
  computedAt: Date;
  computedInMs: number;
  children: number;
  figures: DashboardFigures;
};

export const readSnapshot = async (
  trx: Trx,
  scopeKey: string,
  asOf: string,
): Promise<StoredSnapshot | undefined> => {
  const row = await trx
    .selectFrom("indicator_snapshots")
    .select(["source_version", "computed_at", "computed_in_ms", "children", "figures"])
    .where(sql.ref("partnership_id"), "=", currentPartnership)
    .where("scope_key", "=", scopeKey)
    .where("as_of", "=", asOf)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    sourceVersion: row.source_version,
    computedAt: new Date(row.computed_at),
    computedInMs: row.computed_in_ms,
    children: row.children,
    figures: (typeof row.figures === "string" ? JSON.parse(row.figures) : row.figures) as DashboardFigures,
  };
};

/** Stores (or replaces) the figures for a scope and quarter end, releasing any lease. */
export const writeSnapshot = async (
  trx: Trx,
  partnershipId: string,
  snapshot: {
    scopeKey: string;
    asOf: string;
    sourceVersion: string;
    computedAt: Date;
    computedInMs: number;
    children: number;
  },
  figures: DashboardFigures,
): Promise<void> => {
  const values = {
    source_version: snapshot.sourceVersion,
    computed_at: snapshot.computedAt,
    computed_in_ms: Math.round(snapshot.computedInMs),
    children: snapshot.children,
    figures: JSON.stringify(figures),
    refresh_claimed_until: null,
  };
  await trx
    .insertInto("indicator_snapshots")
    .values({ partnership_id: partnershipId, scope_key: snapshot.scopeKey, as_of: snapshot.asOf, ...values })
    .onConflict((oc) => oc.columns(["partnership_id", "scope_key", "as_of"]).doUpdateSet(values))
    .execute();
};

/**
 * Takes the lease to recompute a stored snapshot, unless another process holds an unexpired one.
 * @returns Whether this caller now holds it.
 */
export const claimRefresh = async (trx: Trx, scopeKey: string, asOf: string): Promise<boolean> => {
  const rows = await trx
    .updateTable("indicator_snapshots")
    .set({ refresh_claimed_until: sql`now() + make_interval(mins => ${LEASE_MINUTES})` })
    .where(sql.ref("partnership_id"), "=", currentPartnership)
    .where("scope_key", "=", scopeKey)
    .where("as_of", "=", asOf)
    .where((eb) =>
      eb.or([eb("refresh_claimed_until", "is", null), eb("refresh_claimed_until", "<", sql<Date>`now()`)]),
    )
    .returning("scope_key")
    .execute();
  return rows.length > 0;
};
