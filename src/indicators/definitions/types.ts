// SPDX-License-Identifier: MIT
/** The registry's vocabulary: what an indicator is, the units it counts and how it may be split. */
import type { BenchmarkSpec } from "../benchmarks.ts";
import type { ChildModel, Period } from "../model.ts";

/** The five strategies this project grew from (../shared/seeds): 000 to 004. */
export type Seed = "000" | "001" | "002" | "003" | "004";

export const SEED_NAMES: Record<Seed, string> = {
  "000": "Neglect strategy 000",
  "001": "Northamptonshire neglect strategy (001)",
  "002": "Neglect strategy 002",
  "003": "Somerset neglect strategy (003)",
  "004": "Portsmouth neglect strategy (004)",
};

export type Unit = {
  personId: string;
  num: boolean;
  den: boolean;
  /** The measured amount, for averages (months, points). */
  x?: number;
  /** A sub-group the unit belongs to (a duration band, an age band, a factor), for the indicator's own split. */
  group?: string;
};

export type Breakdown = "age" | "sex" | "ethnicity" | "disability" | "area" | "agency" | "team" | "level";

export const BREAKDOWNS: Record<Breakdown, string> = {
  age: "Age band",
  sex: "Sex",
  ethnicity: "Ethnicity",
  disability: "Disability",
  area: "Area (ward)",
  agency: "Agency involved",
  team: "Team",
  level: "Level of need",
};

export type Unit_ = "count" | "percent" | "rate" | "months" | "points";

export type IndicatorGroup =
  | "dfe"
  | "neglect"
  | "repeat"
  | "front-door"
  | "wellbeing"
  | "timeliness"
  | "equality"
  | "learning";

export const GROUPS: Record<IndicatorGroup, string> = {
  dfe: "DfE comparable measures",
  neglect: "Child protection and child in need plans for neglect",
  repeat: "Repeat plans and re-referrals",
  "front-door": "Referrals, early help and consultations",
  wellbeing: "Children's health, education and safety",
  timeliness: "Timeliness: no drift",
  equality: "Age profile and disproportionality",
  learning: "Learning: case audits and feedback from children and families",
};

export type Indicator = {
  id: string;
  title: string;
  group: IndicatorGroup;
  /** What is counted, in plain English, exactly as computed. */
  definition: string;
  numerator: string;
  denominator: string | null;
  /** A snapshot on the period's last day, or events during the period. */
  periodType: "snapshot" | "during";
  unit: Unit_;
  /** null where neither direction is simply better (e.g. a count of referrals). */
  higherIsBetter: boolean | null;
  seeds: Seed[];
  breakdowns: Breakdown[];
  /** The label of the indicator's own split (duration band, factor, age band), if it has one. */
  groupLabel?: string;
  /** How the DfE-published figure is read, for comparable indicators. */
  dfe?: { file: string; spec: BenchmarkSpec };
  /** Published figures shown beside the indicator as context: Hearth does not compute them. */
  context?: readonly ContextBenchmark[];
  units: (children: readonly ChildModel[], period: Period) => Unit[];
};

/**
 * A published figure that sets an indicator in context without being the same measure: the absence of
 * children on plans, injury admissions, the social work workforce. Hearth shows the partnership's
 * published value, England's, the region's and the neighbours' median, and never its own beside it.
 */
export type ContextBenchmark = {
  title: string;
  /** The publication, as a reader would look it up. */
  source: string;
  unit: Unit_;
  spec: BenchmarkSpec;
  /** How the published figure differs from Hearth's indicator. */
  note: string;
};
