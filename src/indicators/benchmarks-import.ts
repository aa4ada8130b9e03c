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

/** The DfE and ONS files Hearth reads, by the key that prefixes their measures. */
export const BENCHMARK_FILES = {
  b1: /^b1_children_in_need_.*\.csv$/,
  c1: /^c1_children_in_need_referrals.*\.csv$/,
  c3: /^c3_factors_identified.*\.csv$/,
  d3: /^d3_cpps_subsequent_plan.*\.csv$/,
  d5: /^d5_cpps_at31march_by_duration.*\.csv$/,
  ons: /^ons_mid-year_population_estimates.*\.csv$/,
  c4: /^c4_children_in_need_section_47s_and_icpcs.*\.csv$/,
} as const;
export type BenchmarkFileKey = keyof typeof BENCHMARK_FILES;

/** Files read when present (added after the first release, so an older folder still imports). */
const OPTIONAL_FILES: ReadonlySet<BenchmarkFileKey> = new Set(["c4"]);

/** The neighbour models: the 2025 model and the April 2021 one used for earlier years. */
export const NEIGHBOUR_FILES = {
  "2025": /^sn_model_2025_wide\.csv$/,
  "2021": /^New_Statistical_Neighbour_Groupings_April_2021\.csv$/,
} as const;

export const SUPPRESSION_CODES = ["c", "x", "z", "low", "u", ""] as const;
export type SuppressionCode = (typeof SUPPRESSION_CODES)[number];

/** Columns that describe a row rather than measure something. */
const DIMENSIONS = new Set([
  "time_period",
  "time_identifier",
  "geographic_level",
  "country_code",
  "country_name",
  "region_code",
  "region_name",
  "old_la_code",
  "new_la_code",
  "la_name",
  "category",
  "age_group",
]);

type Level = "National" | "Regional" | "Local authority";
const LEVELS: readonly string[] = ["National", "Regional", "Local authority"];

export type BenchmarkValue = {
  measure: string;
  timePeriod: number;
  level: Level;
  areaCode: string;
  value: number | null;
  suppression: SuppressionCode | null;
};

export type BenchmarkArea = {
  areaCode: string;
  level: Level;
  name: string;
  newLaCode: string | null;
  regionCode: string | null;
  regionName: string | null;
  lastYear: number;
};

export type Neighbour = {
  model: "2021" | "2025";
  laCode: string;
  rank: number;
  neighbourCode: string;
  closeness: string | null;
};

/**
 * Splits CSV text into rows of cells (RFC 4180: quoted cells may hold commas, quotes and line breaks).
 * A byte-order mark is dropped.
 */
export const parseCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && src[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ""));
};

/**
 * Reads one cell: a number, or a suppression code kept as such.
 * @throws When the cell is neither (the file is not what Hearth expects).
 */
export const readCell = (raw: string): { value: number | null; suppression: SuppressionCode | null } => {
  const text = raw.trim();
  const code = SUPPRESSION_CODES.find((c) => c === text.toLowerCase());
  if (code !== undefined) return { value: null, suppression: code };
  const value = Number(text.replaceAll(",", ""));
  if (!Number.isFinite(value)) throw new Error(`"${raw}" is neither a number nor a suppression code`);
  return { value, suppression: null };
};

const cellsByName = (header: string[], row: string[]) => {
  const out = new Map<string, string>();
  header.forEach((name, i) => {
    out.set(name.trim(), row[i] ?? "");
  });
  return out;
};

/**
 * Parses one EES file (b1, c1, c3, d3, d5 or the ONS estimates) into values and the areas it names.
 * @param key - The file's key, which prefixes each measure (e.g. "d5.2_years_or_more").
 * @param text - The file's CSV text.
 */
export const parseStatisticsFile = (
  key: BenchmarkFileKey,
  text: string,
): { values: BenchmarkValue[]; areas: BenchmarkArea[] } => {
  const [header, ...rows] = parseCsv(text);
  if (!header) return { values: [], areas: [] };
  const measures = header.map((h) => h.trim()).filter((h) => h !== "" && !DIMENSIONS.has(h));
  const values: BenchmarkValue[] = [];
  const areas = new Map<string, BenchmarkArea>();
  rows.forEach((row, index) => {
    const cells = cellsByName(header, row);
    const level = (cells.get("geographic_level") ?? "").trim();
    if (!LEVELS.includes(level)) return;
    const timePeriod = Number.parseInt((cells.get("time_period") ?? "").slice(0, 4), 10);
    if (!Number.isInteger(timePeriod)) throw new Error(`${key} row ${index + 2}: no time_period`);
    const areaCode = (
      level === "National"
        ? cells.get("country_code")
        : level === "Regional"
          ? cells.get("region_code")
          : cells.get("old_la_code")
    )?.trim();
    if (!areaCode) throw new Error(`${key} row ${index + 2}: no area code for a ${level} row`);
    const name =
      (level === "National"
        ? cells.get("country_name")
        : level === "Regional"
          ? cells.get("region_name")
          : cells.get("la_name")) ?? areaCode;
    const known = areas.get(areaCode);
    if (!known || known.lastYear < timePeriod) {
      areas.set(areaCode, {
        areaCode,
        level: level as Level,
        name: name.trim(),
        newLaCode: level === "Local authority" ? cells.get("new_la_code")?.trim() || null : null,
        regionCode: level === "National" ? null : cells.get("region_code")?.trim() || null,
        regionName: level === "National" ? null : cells.get("region_name")?.trim() || null,
        lastYear: timePeriod,
      });
    }
    for (const measure of measures) {
      try {
        const cell = readCell(cells.get(measure) ?? "");
        // A measure is a name: C4's "Duration_0-10_days" and "Duration_21+_days" are read as
        // Duration_0_10_days and Duration_21__days.
        const name = measure.replace(/[^A-Za-z0-9_]/g, "_");
        values.push({ measure: `${key}.${name}`, timePeriod, level: level as Level, areaCode, ...cell });
      } catch (error) {
        throw new Error(`${key} row ${index + 2}, ${measure}: ${(error as Error).message}`);
      }
    }
  });
  return { values, areas: [...areas.values()] };
};

/**
 * Parses a statistical-neighbour model: each authority's ten neighbours in order, with closeness.
 * @param model - "2025" (columns old_la_code, SN_1, SN_1P...) or "2021" (LA num, SN1, SNP...).
 */
export const parseNeighbourFile = (model: "2021" | "2025", text: string): Neighbour[] => {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  const names = header.map((h) => h.trim());
  const laColumn = names.indexOf(model === "2025" ? "old_la_code" : "LA num");
  if (laColumn < 0) throw new Error(`The ${model} neighbour file has no authority column`);
  const out: Neighbour[] = [];
  for (const row of rows) {
    const laCode = row[laColumn]?.trim();
    if (!laCode) continue;
    for (let rank = 1; rank <= 10; rank++) {
      const column = names.indexOf(model === "2025" ? `SN_${rank}` : `SN${rank}`);
      const neighbourCode = column >= 0 ? row[column]?.trim() : undefined;
      if (!neighbourCode) continue;
      const closeness = row[column + 1]?.trim() || null;
      out.push({ model, laCode, rank, neighbourCode, closeness });
    }
  }
  return out;
};

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
  for (const [key, pattern] of Object.entries(BENCHMARK_FILES) as [BenchmarkFileKey, RegExp][]) {
    const name = names.find((n) => pattern.test(n));
    if (!name && OPTIONAL_FILES.has(key)) continue;
    if (!name) throw new Error(`${folder} has no ${key} file (expected a name like ${pattern.source})`);
    onProgress(`reading ${name}`, files.length, 8);
    const parsed = parseStatisticsFile(key, await readFile(join(folder, name), "utf8"));
    values.push(...parsed.values);
    for (const area of parsed.areas) {
      const known = areas.get(area.areaCode);
      if (!known || known.lastYear < area.lastYear) areas.set(area.areaCode, area);
    }
    files.push(name);
  }
  const neighbours: Neighbour[] = [];
  for (const [model, pattern] of Object.entries(NEIGHBOUR_FILES) as ["2021" | "2025", RegExp][]) {
    const name = names.find((n) => pattern.test(n));
    if (!name) continue;
    onProgress(`reading ${name}`, files.length, 8);
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
