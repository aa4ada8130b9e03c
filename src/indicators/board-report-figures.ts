// SPDX-License-Identifier: MIT
/**
 * What the board report's PDF and spreadsheet share: the report's data, the headline measures, and how a
 * figure is written, rounded, compared and withheld when it rests on fewer than 5.
 */
import type { TrainingRepository } from "../learning/training/training-repository.ts";
import type { BenchmarkYear } from "./benchmarks.ts";
import type { PopulationBasis, Target } from "./board-settings.ts";
import { isSmall } from "./disclosure.ts";
import type { Period } from "./model.ts";
import type { Figure, Indicator, Seed } from "./registry.ts";

/** Whether a numerator counts units (children, plans); an average's numerator is a sum of months or points. */
export const countsUnits = (indicator: Pick<Indicator, "unit">) =>
  indicator.unit !== "months" && indicator.unit !== "points";

/**
 * Whether a figure rests on 1 to 4 units: its cells then read "fewer than 5" and no value is made from
 * them, in the PDF and the spreadsheet as on the pages.
 */
export const tooSmall = (
  indicator: Pick<Indicator, "unit">,
  figure: { numerator: number; denominator: number | null },
) => (countsUnits(indicator) && isSmall(figure.numerator)) || isSmall(figure.denominator);

type TrainingCoverage = NonNullable<Awaited<ReturnType<TrainingRepository["coverage"]>>>;

export type ReportStep = "figures" | "charts" | "pdf" | "xlsx";

export type BoardReportData = {
  partnershipName: string;
  authorityCodes: string[];
  authorities?: { code: string; name: string }[];
  region?: string | null;
  strategyNames?: Record<Seed, string>;
  targets?: Record<string, Target>;
  populationBasis?: PopulationBasis;
  populationLabel?: string;
  period: Period;
  generatedOn: string;
  rows: {
    indicator: Indicator;
    quarters: { period: Period; figure: Figure }[];
    years: { period: Period; figure: Figure }[];
    benchmarks: BenchmarkYear[];
    /** The benchmarks in the unit compared (a count as a rate per 10,000). */
    comparison?: BenchmarkYear[];
    comparedAsRate?: boolean;
    populations?: { year: number; population: number | null }[];
  }[];
  commentary: Map<string, string>;
  /** Training of the workforce (staff, not children: outside the registry), when the caller may read it. */
  training?: TrainingCoverage;
};

/**
 * The neglect measures the report leads with, each with its trend, benchmark, RAG against target and
 * commentary (each has a commentary field in Hearth).
 */
export const HEADLINE_IDS = [
  "cp-neglect-start-rate",
  "cp-neglect-share-open",
  "cp-neglect-open-12m",
  "cp-repeat-neglect",
  "cin-neglect-open-6m",
  "rereferral-neglect",
  "factor-16a",
  "cp-second-plan",
];

export const fmt = (indicator: Pick<Indicator, "unit">, value: number | null): string => {
  if (value === null) return "Not known";
  const n = value.toLocaleString("en-GB", { maximumFractionDigits: 1 });
  return indicator.unit === "percent"
    ? `${n}%`
    : indicator.unit === "rate"
      ? `${n} per 10,000`
      : indicator.unit === "months"
        ? `${n} months`
        : indicator.unit === "points"
          ? `${n} points`
          : n;
};

export const yearLabel = (year: number) => `${year - 1}-${String(year % 100).padStart(2, "0")}`;

export type Row = BoardReportData["rows"][number];

/** One value to one decimal place, as a number (never 42.900000000000006). */
export const round1 = (n: number | null | undefined): number | null =>
  n === null || n === undefined ? null : Math.round(n * 10) / 10;

/** Hearth's figure by reporting year in the unit compared, beside England, the region and neighbours. */
export const comparisonRows = (row: Row) => {
  const asRate = row.comparedAsRate === true;
  const comparison = row.comparison ?? row.benchmarks;
  const years = [...new Set([...comparison.map((b) => b.year), ...row.years.map((y) => y.period.year)])]
    .sort((a, b) => a - b)
    .slice(-6);
  return years.map((year) => {
    const own = row.years.find((y) => y.period.year === year)?.figure;
    const people = row.populations?.find((p) => p.year === year)?.population ?? null;
    const b = comparison.find((x) => x.year === year);
    return {
      year,
      hearth: !own ? null : asRate ? (people ? round1((own.numerator / people) * 10000) : null) : own.value,
      england: b?.england ?? null,
      region: b?.region ?? null,
      neighbours: b?.neighbourMedian ?? null,
    };
  });
};
