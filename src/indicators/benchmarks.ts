// SPDX-License-Identifier: MIT
/**
 * Benchmarks, the DfE way: the partnership's published value beside England's, its region's and the
 * median of its ten statistical neighbours, year by year. Pure functions over the imported rows, so the
 * rules (published figure first, sums across a partnership's several authorities, rates per 10,000 on
 * the previous year's population, median of the neighbours whose value is known) are tested alone.
 */

export const ENGLAND = "E92000001";

/** How a comparable indicator's published figure is read from the files. */
export type BenchmarkSpec = {
  /** The measure whose value is the count (or the numerator of a percentage or rate). */
  numerator: string;
  /** The denominator measure, or "population" for children aged 0-17 in the previous year. */
  denominator?: string | "population";
  /** The file's own figure for one authority (e.g. a published percentage), used when it is known. */
  published?: string;
  /** 1 for counts, 100 for percentages, 10,000 for rates. */
  multiplier: 1 | 100 | 10000;
  /** False for a figure that cannot be added across authorities (a median): unknown for several. */
  combinable?: false;
};

export const POPULATION_MEASURE = "ons.population_estimate";

export type Cell = { value: number | null; suppression: string | null };
/** Finds a stored figure; undefined when the file has no row for it. */
export type Lookup = (measure: string, year: number, areaCode: string) => Cell | undefined;

export type BenchmarkYear = {
  year: number;
  /** The partnership's own published figure (its authorities together). */
  local: number | null;
  /** Why the local figure is unknown: a suppression code, or "no row". */
  localNote: string | null;
  england: number | null;
  region: number | null;
  neighbourMedian: number | null;
  /** How many of the ten neighbours had a known value. */
  neighboursKnown: number;
};

export type BenchmarkAreas = {
  localCodes: readonly string[];
  regionCode: string | null;
  /** The neighbours of the partnership's first authority, per model. */
  neighbours: { "2021": readonly string[]; "2025": readonly string[] };
};

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * The median, as DfE's dashboard takes it over the neighbours: the middle value, or the mean of the two
 * middle values. Unknown values are left out.
 * @returns The median, or null when no value is known.
 */
export const median = (values: readonly (number | null)[]): number | null => {
  const known = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (known.length === 0) return null;
  const mid = Math.floor(known.length / 2);
  const upper = known[mid] ?? 0;
  return known.length % 2 === 1 ? upper : ((known[mid - 1] ?? 0) + upper) / 2;
};

/** Which neighbour model applies to a reporting year: the 2025 model from 2025, the 2021 model before. */
export const neighbourModelFor = (year: number): "2021" | "2025" => (year >= 2025 ? "2025" : "2021");

/**
 * The figure for a set of authorities (or one region, or England) in one year.
 * @returns The value and, when it is unknown, why.
 */
export const valueFor = (
  spec: BenchmarkSpec,
  lookup: Lookup,
  year: number,
  codes: readonly string[],
): { value: number | null; note: string | null } => {
  if (codes.length === 0) return { value: null, note: "no authority" };
  if (codes.length === 1 && spec.published) {
    const published = lookup(spec.published, year, codes[0] ?? "");
    if (published && published.value !== null) return { value: published.value, note: null };
  }
  if (codes.length > 1 && spec.combinable === false)
    return { value: null, note: "not combined across authorities" };
  let numerator = 0;
  let denominator = 0;
  for (const code of codes) {
    const n = lookup(spec.numerator, year, code);
    if (!n) return { value: null, note: "no row" };
    if (n.value === null) return { value: null, note: n.suppression ?? "unknown" };
    numerator += n.value;
    if (spec.denominator) {
      const d =
        spec.denominator === "population"
          ? lookup(POPULATION_MEASURE, year - 1, code)
          : lookup(spec.denominator, year, code);
      if (!d) return { value: null, note: "no row" };
      if (d.value === null) return { value: null, note: d.suppression ?? "unknown" };
      denominator += d.value;
    }
  }
  if (!spec.denominator) return { value: numerator, note: null };
  if (denominator === 0) return { value: null, note: "no denominator" };
  return { value: round1((numerator / denominator) * spec.multiplier), note: null };
};

/**
 * Benchmarks for each year.
 * @param spec - How the indicator is read from the files.
 * @param lookup - The imported figures.
 * @param areas - The partnership's authorities, region and neighbours.
 * @param years - The reporting years (ending 31 March) to show.
 */
export const benchmarkSeries = (
  spec: BenchmarkSpec,
  lookup: Lookup,
  areas: BenchmarkAreas,
  years: readonly number[],
): BenchmarkYear[] =>
  years.map((year) => {
    const local = valueFor(spec, lookup, year, areas.localCodes);
    const neighbourValues = areas.neighbours[neighbourModelFor(year)].map(
      (code) => valueFor(spec, lookup, year, [code]).value,
    );
    return {
      year,
      local: local.value,
      localNote: local.note,
      england: valueFor(spec, lookup, year, [ENGLAND]).value,
      region: areas.regionCode ? valueFor(spec, lookup, year, [areas.regionCode]).value : null,
      neighbourMedian: median(neighbourValues),
      neighboursKnown: neighbourValues.filter((v) => v !== null).length,
    };
  });

/** Every measure a set of specs reads (for loading only what is needed). */
export const measuresOf = (specs: readonly BenchmarkSpec[]): string[] => {
  const out = new Set<string>();
  for (const spec of specs) {
    out.add(spec.numerator);
    if (spec.published) out.add(spec.published);
    if (spec.denominator) out.add(spec.denominator === "population" ? POPULATION_MEASURE : spec.denominator);
  }
  return [...out];
};

/** Builds a lookup from rows. */
export const lookupFrom = (
  rows: readonly {
    measure: string;
    time_period: number;
    area_code: string;
    value: string | number | null;
    suppression: string | null;
  }[],
): Lookup => {
  const map = new Map<string, Cell>();
  for (const r of rows)
    map.set(`${r.measure}|${r.time_period}|${r.area_code}`, {
      value: r.value === null ? null : Number(r.value),
      suppression: r.suppression,
    });
  return (measure, year, area) => map.get(`${measure}|${year}|${area}`);
};
