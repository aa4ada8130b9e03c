// SPDX-License-Identifier: MIT
/**
 * Reading the published DfE files (../shared/data/dfe) into the benchmark tables. The parsing is pure and
 * tested on small fixtures; loading replaces what an earlier import held, in one transaction, as the
 * database owner (the benchmark tables are published national data, not any partnership's).
 *
 * A cell that is not a number keeps its code: `c` (confidential), `x` (not available), `z` (not
 * applicable), `low`, `u` (low reliability) or '' (empty). It is stored as an unknown value, never as 0.
 */
import { randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Kysely, sql } from "kysely";
import type { HearthSchema } from "../db/schema.ts";
import {
  BENCHMARK_FILES,
  type BenchmarkArea,
  type BenchmarkFileKey,
  type BenchmarkValue,
  NEIGHBOUR_FILES,
  type Neighbour,
  OPTIONAL_FILES,
  parseAbsenceFile,
  parseInjuriesFile,
  parseNeighbourFile,
  parseStatisticsFile,
  withDerived,
} from "./benchmarks-parse.ts";

export {
  ABSENCE_GROUPS,
  BENCHMARK_FILES,
  type BenchmarkArea,
  type BenchmarkFileKey,
  type BenchmarkValue,
  DERIVED_MEASURES,
  NEIGHBOUR_FILES,
  type Neighbour,
  parseAbsenceFile,
  parseCsv,
  parseInjuriesFile,
  parseNeighbourFile,
  parseStatisticsFile,
  readCell,
  type StatisticsFileOptions,
  SUPPRESSION_CODES,
  type SuppressionCode,
  withDerived,
} from "./benchmarks-parse.ts";

export type ImportProgress = (step: string, done: number, total: number) => void;

export type ImportSummary = {
  files: string[];
  valueRows: number;
  suppressedRows: number;
  areas: number;
  neighbours: number;
};

const CHUNK = 1000;

/**
 * Loads every recognised file in a folder, replacing earlier benchmark rows, in one transaction.
 * @param db - The owner's connection (the CLI's); the application role may only read these tables.
 * @param folder - The folder holding the DfE files.
 * @param onProgress - Told of each file and each batch of rows written.
 * @returns What was loaded.
 * @throws When a required file is missing or a cell cannot be read; nothing is then changed.
 */
export const importBenchmarks = async (
  db: Kysely<HearthSchema>,
  folder: string,
  onProgress: ImportProgress = () => {},
): Promise<ImportSummary> => {
  const names = await readdir(folder);
  const values: BenchmarkValue[] = [];
  const areas = new Map<string, BenchmarkArea>();
  const files: string[] = [];
  const fileCount = Object.keys(BENCHMARK_FILES).length + Object.keys(NEIGHBOUR_FILES).length;
  let injuries: BenchmarkValue[] = [];
  for (const [key, pattern] of Object.entries(BENCHMARK_FILES) as [BenchmarkFileKey, RegExp][]) {
    const name = names.find((n) => pattern.test(n));
    if (!name && OPTIONAL_FILES.has(key)) continue;
    if (!name) throw new Error(`${folder} has no ${key} file (expected a name like ${pattern.source})`);
    onProgress(`reading ${name}`, files.length, fileCount);
    const text = await readFile(join(folder, name), "utf8");
    files.push(name);
    if (key === "injuries") {
      injuries = parseInjuriesFile(text);
      continue;
    }
    const parsed = key === "absence" ? parseAbsenceFile(text) : parseStatisticsFile(key, text);
    values.push(...withDerived(parsed.values));
    for (const area of parsed.areas) {
      const known = areas.get(area.areaCode);
      if (!known || known.lastYear < area.lastYear) areas.set(area.areaCode, area);
    }
  }
  // The injuries file names authorities by ONS code: each becomes the DfE code the other files give it.
  const byOnsCode = new Map(
    [...areas.values()].filter((a) => a.newLaCode).map((a) => [a.newLaCode as string, a.areaCode]),
  );
  for (const v of injuries) {
    const areaCode = v.level === "National" ? v.areaCode : byOnsCode.get(v.areaCode);
    if (areaCode) values.push({ ...v, areaCode });
  }
  const neighbours: Neighbour[] = [];
  for (const [model, pattern] of Object.entries(NEIGHBOUR_FILES) as ["2021" | "2025", RegExp][]) {
    const name = names.find((n) => pattern.test(n));
    if (!name) continue;
    onProgress(`reading ${name}`, files.length, fileCount);
    neighbours.push(...parseNeighbourFile(model, await readFile(join(folder, name), "utf8")));
    files.push(name);
  }
  // One row per measure, period and area: where two files publish the same figure, the later file's stands.
  const unique = new Map(values.map((v) => [`${v.measure}|${v.timePeriod}|${v.level}|${v.areaCode}`, v]));
  values.length = 0;
  for (const v of unique.values()) values.push(v);
  const total = values.length + areas.size + neighbours.length;
  let written = 0;
  await db.transaction().execute(async (trx) => {
    // Two imports at once (two processes on one database) take turns: each replaces the whole set.
    await sql`select pg_advisory_xact_lock(hashtext('hearth-benchmarks-import'))`.execute(trx);
    await trx.deleteFrom("benchmark_values").execute();
    await trx.deleteFrom("benchmark_areas").execute();
    await trx.deleteFrom("statistical_neighbours").execute();
    for (let i = 0; i < values.length; i += CHUNK) {
      await trx
        .insertInto("benchmark_values")
        .values(
          values.slice(i, i + CHUNK).map((v) => ({
            measure: v.measure,
            time_period: v.timePeriod,
            geographic_level: v.level,
            area_code: v.areaCode,
            value: v.value,
            suppression: v.suppression,
          })),
        )
        .execute();
      written = Math.min(values.length, i + CHUNK);
      onProgress("writing values", written, total);
    }
    const areaRows = [...areas.values()];
    for (let i = 0; i < areaRows.length; i += CHUNK) {
      await trx
        .insertInto("benchmark_areas")
        .values(
          areaRows.slice(i, i + CHUNK).map((a) => ({
            area_code: a.areaCode,
            geographic_level: a.level,
            name: a.name,
            new_la_code: a.newLaCode,
            region_code: a.regionCode,
            region_name: a.regionName,
            last_year: a.lastYear,
          })),
        )
        .execute();
    }
    written += areaRows.length;
    onProgress("writing areas", written, total);
    for (let i = 0; i < neighbours.length; i += CHUNK) {
      await trx
        .insertInto("statistical_neighbours")
        .values(
          neighbours.slice(i, i + CHUNK).map((n) => ({
            model: n.model,
            old_la_code: n.laCode,
            rank: n.rank,
            neighbour_code: n.neighbourCode,
            closeness: n.closeness,
          })),
        )
        .execute();
    }
    written += neighbours.length;
    onProgress("writing neighbours", written, total);
    await trx
      .insertInto("benchmark_imports")
      .values({
        import_id: randomUUID(),
        source: folder,
        files,
        value_rows: values.length,
        suppressed_rows: values.filter((v) => v.value === null).length,
      })
      .execute();
  });
  return {
    files,
    valueRows: values.length,
    suppressedRows: values.filter((v) => v.value === null).length,
    areas: areas.size,
    neighbours: neighbours.length,
  };
};
