// SPDX-License-Identifier: MIT
/**
 * The planner's statistics for the embedded database. PostgreSQL's autovacuum refreshes them as tables
 * grow; PGlite runs no autovacuum, so a table that grew through use is planned as if it were as small as
 * when last analyzed, and a query that should read a few rows by key can read them all (seen in imports:
 * a key check that filtered every row of the import, and the import stalled). `hearth serve` on PGlite
 * therefore analyzes every table as it starts, in the background, and once a day after.
 */
import { sql } from "kysely";
import type { HearthDatabase } from "./database.ts";

export const ANALYZE_EVERY_MS = 24 * 60 * 60 * 1000;

/** Analyzes every table, as the owner (only a table's owner may). */
export const unsafeAnalyzeAll = async (database: HearthDatabase): Promise<void> => {
  await sql`analyze`.execute(database.unsafeOwnerDb);
};

/**
 * On PGlite, analyzes now and then every {@link ANALYZE_EVERY_MS}; on PostgreSQL, nothing (autovacuum
 * does it). A failed run is reported and tried again at the next.
 * @returns A function that stops the daily runs (before the database closes).
 */
export const unsafeKeepStatisticsFresh = (
  database: HearthDatabase,
  report: (problem: unknown) => void,
): (() => void) => {
  if (database.engine !== "pglite") return () => undefined;
  const analyze = () => unsafeAnalyzeAll(database).catch(report);
  void analyze();
  const timer = setInterval(() => void analyze(), ANALYZE_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
};
