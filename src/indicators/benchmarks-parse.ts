// SPDX-License-Identifier: MIT
/**
 * Parsing the published DfE and ONS files, without I/O: which files are read, their cells (a suppression
 * code is kept, never read as 0), the measures derived from them and the statistical-neighbour models.
 * benchmarks-import.ts loads what these return.
 */

/** The DfE and ONS files Hearth reads, by the key that prefixes their measures. */
export const BENCHMARK_FILES = {
  b1: /^b1_children_in_need_.*\.csv$/,
  c1: /^c1_children_in_need_referrals.*\.csv$/,
  c3: /^c3_factors_identified.*\.csv$/,
  d3: /^d3_cpps_subsequent_plan.*\.csv$/,
  d5: /^d5_cpps_at31march_by_duration.*\.csv$/,
  ons: /^ons_mid-year_population_estimates.*\.csv$/,
  c4: /^c4_children_in_need_section_47s_and_icpcs.*\.csv$/,
  csww: /^csww_indicators.*\.csv$/,
  absence: /^absence_la_children_in_social_care.*\.csv$/,
  injuries: /^hospital_admissions_injuries_0_14.*\.csv$/,
} as const;
export type BenchmarkFileKey = keyof typeof BENCHMARK_FILES;

/** Files read when present (added after the first release, so an older folder still imports). */
export const OPTIONAL_FILES: ReadonlySet<BenchmarkFileKey> = new Set(["c4", "csww", "absence", "injuries"]);

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
  "absence_terms",
  "social_care_group",
  "phase_type_grouping",
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
  options: StatisticsFileOptions = {},
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
    if (options.keep && !options.keep(cells)) return;
    const prefix = options.prefix ? `${key}.${options.prefix(cells)}_` : `${key}.`;
    const period = (cells.get("time_period") ?? "").trim();
    const timePeriod = options.reportingYear
      ? options.reportingYear(period)
      : Number.parseInt(period.slice(0, 4), 10);
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
        values.push({ measure: `${prefix}${name}`, timePeriod, level: level as Level, areaCode, ...cell });
      } catch (error) {
        throw new Error(`${key} row ${index + 2}, ${measure}: ${(error as Error).message}`);
      }
    }
  });
  return { values, areas: [...areas.values()] };
};

/** How a file with more than one row per year and area is read (the absence file). */
export type StatisticsFileOptions = {
  /** Which rows to read. */
  keep?: (cells: ReadonlyMap<string, string>) => boolean;
  /** A part of the measure's name taken from the row (e.g. the social care group), before the column's. */
  prefix?: (cells: ReadonlyMap<string, string>) => string;
  /** The reporting year (ending 31 March) a row's time_period stands for. */
  reportingYear?: (timePeriod: string) => number;
};

/** The absence file's social care groups, by the name in Hearth's measures. */
export const ABSENCE_GROUPS: Record<string, string> = {
  "CINO at 31 March": "cin",
  "CPPO at 31 March": "cpp",
  "CLA 12 months at 31 March": "cla",
};

/**
 * Reads the absence of children in social care: the Total phase only, each social care group as its own
 * measures (absence.cpp_pt_pupils_pa_10_exact...). An academic year (202425) is read as the reporting year
 * ending on the 31 March inside it (2025), the date on which the children were in need or on a plan.
 */
export const parseAbsenceFile = (text: string) =>
  parseStatisticsFile("absence", text, {
    keep: (cells) =>
      (cells.get("phase_type_grouping") ?? "").trim() === "Total" &&
      ABSENCE_GROUPS[(cells.get("social_care_group") ?? "").trim()] !== undefined,
    prefix: (cells) => ABSENCE_GROUPS[(cells.get("social_care_group") ?? "").trim()] ?? "",
    reportingYear: (period) => {
      const start = Number.parseInt(period.slice(0, 4), 10);
      if (!/^\d{6}$/.test(period) || !Number.isInteger(start))
        throw new Error(`"${period}" is not an academic year`);
      return start + 1;
    },
  });

/**
 * Reads OHID Fingertips' hospital admissions for injuries, children aged 0 to 14 (indicator 90284): the
 * rows for both sexes without a deprivation category, as injuries.rate (per 10,000), injuries.count and
 * injuries.denominator. A financial year (2024/25) is the reporting year ending in it (2025). Areas are
 * ONS codes: England stays E92000001; an authority's code is turned into DfE's 3-digit code on import.
 */
export const parseInjuriesFile = (text: string): BenchmarkValue[] => {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  const values: BenchmarkValue[] = [];
  rows.forEach((row, index) => {
    const cells = cellsByName(header, row);
    if ((cells.get("Sex") ?? "").trim() !== "Persons" || (cells.get("Category") ?? "").trim() !== "") return;
    const areaType = (cells.get("Area Type") ?? "").trim();
    const level: Level = areaType === "England" ? "National" : "Local authority";
    const areaCode = (cells.get("Area Code") ?? "").trim();
    const period = (cells.get("Time period") ?? "").trim();
    const match = /^(\d{4})\/(\d{2})$/.exec(period);
    if (!match || !areaCode) throw new Error(`injuries row ${index + 2}: no financial year or area code`);
    const timePeriod = Number(match[1]) + 1;
    for (const [column, measure] of [
      ["Value", "rate"],
      ["Count", "count"],
      ["Denominator", "denominator"],
    ] as const) {
      try {
        values.push({
          measure: `injuries.${measure}`,
          timePeriod,
          level,
          areaCode,
          ...readCell(cells.get(column) ?? ""),
        });
      } catch (error) {
        throw new Error(`injuries row ${index + 2}, ${column}: ${(error as Error).message}`);
      }
    }
  });
  return values;
};

/**
 * Figures made by adding published cells, so a benchmark reads them as one measure: C4's conferences
 * within 15 working days (the 0-10 and 11-15 day bands) and all four bands; the workforce's establishment
 * (in post and vacancies) and its in-post and agency staff (the denominators of DfE's vacancy and agency
 * rates). A sum with an unknown part is unknown, with that part's code.
 */
export const DERIVED_MEASURES: Record<string, readonly string[]> = {
  "c4.Duration_0_15_days": ["c4.Duration_0_10_days", "c4.Duration_11_15_days"],
  "c4.Duration_all_bands": [
    "c4.Duration_0_10_days",
    "c4.Duration_11_15_days",
    "c4.Duration_16_20_days",
    "c4.Duration_21__days",
  ],
  "csww.inpost_and_vacancy_fte": ["csww.inpost_fte", "csww.vacancy_fte"],
  "csww.inpost_and_agency_fte": ["csww.inpost_fte", "csww.agency_fte"],
};

/** Adds the derived measures to parsed values. */
export const withDerived = (values: readonly BenchmarkValue[]): BenchmarkValue[] => {
  const byKey = new Map(values.map((v) => [`${v.measure}|${v.timePeriod}|${v.level}|${v.areaCode}`, v]));
  const out = [...values];
  const rows = new Map(values.map((v) => [`${v.timePeriod}|${v.level}|${v.areaCode}`, v]));
  for (const [measure, parts] of Object.entries(DERIVED_MEASURES)) {
    for (const [rowKey, any] of rows) {
      const cells = parts.map((p) => byKey.get(`${p}|${rowKey}`));
      if (cells.some((c) => c === undefined)) continue;
      const unknown = cells.find((c) => c?.value === null);
      out.push({
        measure,
        timePeriod: any.timePeriod,
        level: any.level,
        areaCode: any.areaCode,
        value: unknown ? null : cells.reduce((sum, c) => sum + (c?.value ?? 0), 0),
        suppression: unknown ? (unknown.suppression ?? "") : null,
      });
    }
  }
  return out;
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
