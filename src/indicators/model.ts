// SPDX-License-Identifier: MIT
/**
 * The small, typed picture of each child that every indicator is computed from. It is deliberately
 * Hearth's own, not the tables': the loader (loader.ts, building with child-models.ts) maps the
 * pathways, people, chronology and assessment tables into it, and the computations (registry.ts) are
 * pure functions over it, tested on hand-built histories.
 */
import { addCalendarDays, addMonths, type IsoDate } from "../kernel/calendar.ts";

// Indicator definitions read dates and months from the model they compute over.
export { addMonths, type IsoDate };

export type CpPlanModel = {
  start: IsoDate;
  end: IsoDate | null;
  /** CIN census category codes: NEG, PHY, SAB, EMO, MUL. */
  initialCategory: string;
  latestCategory: string;
  /** NumberOfPreviousCPP as recorded at the start. */
  previousPlans: number;
  /** Review conferences held. */
  reviews: IsoDate[];
};

export type EpisodeModel = {
  referralDate: IsoDate;
  /** The referral was closed with no further action. */
  nfa: boolean;
  closureDate: IsoDate | null;
  closureReason: string | null;
  /** N1 to N9, N0. */
  primaryNeed: string | null;
  assessments: { start: IsoDate; authorised: IsoDate | null; factors: string[] }[];
  section47s: { start: IsoDate; icpc: IsoDate | null; notRequired: boolean }[];
  cinPlans: { start: IsoDate; end: IsoDate | null }[];
  cpPlans: CpPlanModel[];
  enteredCare: { date: IsoDate; categoryOfNeed: string | null } | null;
};

export type EarlyHelpModel = {
  start: IsoDate;
  end: IsoDate | null;
  /** A neglect assessment was completed, or neglect recorded, at the early help assessment. */
  neglectIdentified: boolean;
};

/** A request for support (a consultation with the front door). */
export type RequestModel = {
  received: IsoDate;
  decided: IsoDate | null;
  /** nfa, advice, early-help, s17, s47. */
  outcome: string | null;
  neglect: boolean;
};

export type ChronologyModel = {
  date: IsoDate;
  type: string;
  neglectTypes: string[];
  /** The recording agency's type (health, education, police...). */
  agencyType: string;
};

/** One completed neglect assessment, reduced to a concern score: 0 no concern to 100 the worst grades. */
export type ScoreModel = { date: IsoDate; tool: string; score: number };

export type ChildModel = {
  personId: string;
  dateOfBirth: IsoDate | null;
  /** An unborn child's expected date. */
  expectedDateOfBirth: IsoDate | null;
  sex: string;
  ethnicity: string | null;
  disabled: boolean;
  area: string | null;
  /** Agencies with an involvement, and when. */
  involvements: { agencyId: string; agencyType: string; start: IsoDate; end: IsoDate | null }[];
  /** The team of the allocated social worker or early help lead, latest first. */
  teamId: string | null;
  /** Levels of need decided, oldest first. */
  levels: { date: IsoDate; level: string }[];
  episodes: EpisodeModel[];
  earlyHelp: EarlyHelpModel[];
  requests: RequestModel[];
  chronology: ChronologyModel[];
  scores: ScoreModel[];
  /** Case audits, their actions and feedback from the child and family (src/learning); absent when none. */
  learning?: LearningModel;
};

/**
 * What the learning area holds about a child: each round's agreed (latest moderated) grade and when it
 * was agreed, each audit action's due and done dates, and each feedback questionnaire's mean score (1 to 5).
 */
export type LearningModel = {
  audits: { date: IsoDate; grade: string }[];
  actions: { due: IsoDate; done: IsoDate | null }[];
  feedback: { date: IsoDate; score: number; version: string }[];
};

/** A reporting period: a DfE year (1 April to 31 March) or a quarter of one. End is inclusive. */
export type Period = {
  kind: "year" | "quarter";
  start: IsoDate;
  end: IsoDate;
  /** "2024-25" or "2024-25 Q3". */
  label: string;
  /** The DfE reporting year, named by the year it ends in (2025 for 2024-25). */
  year: number;
  /** A stable key: "2025" or "2025-Q3". */
  key: string;
};

const pad = (n: number) => String(n).padStart(2, "0");

/** @returns The reporting year ending 31 March of `year`. */
export const reportingYear = (year: number): Period => ({
  kind: "year",
  start: `${year - 1}-04-01`,
  end: `${year}-03-31`,
  label: `${year - 1}-${pad(year % 100)}`,
  year,
  key: String(year),
});

const QUARTER_MONTHS = [
  ["04-01", "06-30", 0],
  ["07-01", "09-30", 0],
  ["10-01", "12-31", 0],
  ["01-01", "03-31", 1],
] as const;

/** @returns Quarter q (1 = April to June) of the reporting year ending in `year`. */
export const reportingQuarter = (year: number, q: 1 | 2 | 3 | 4): Period => {
  const [from, to, inEndYear] = QUARTER_MONTHS[q - 1] ?? QUARTER_MONTHS[0];
  const calendarYear = inEndYear ? year : year - 1;
  return {
    kind: "quarter",
    start: `${calendarYear}-${from}`,
    end: `${calendarYear}-${to}`,
    label: `${year - 1}-${pad(year % 100)} Q${q}`,
    year,
    key: `${year}-Q${q}`,
  };
};

/** @returns The reporting year a date falls in. */
export const reportingYearOf = (date: IsoDate): number => {
  const year = Number(date.slice(0, 4));
  return date.slice(5) >= "04-01" ? year + 1 : year;
};

/** @returns The last `count` complete-or-current quarters up to the one holding `today`, oldest first. */
export const recentQuarters = (today: IsoDate, count: number): Period[] => {
  const year = reportingYearOf(today);
  const month = Number(today.slice(5, 7));
  let q = month >= 4 && month <= 6 ? 1 : month <= 9 && month >= 7 ? 2 : month >= 10 ? 3 : 4;
  let y = year;
  const out: Period[] = [];
  for (let i = 0; i < count; i++) {
    out.unshift(reportingQuarter(y, q as 1 | 2 | 3 | 4));
    q -= 1;
    if (q === 0) {
      q = 4;
      y -= 1;
    }
  }
  return out;
};

/** @returns The last `count` reporting years up to the one holding `today`, oldest first. */
export const recentYears = (today: IsoDate, count: number): Period[] => {
  const last = reportingYearOf(today);
  return Array.from({ length: count }, (_, i) => reportingYear(last - count + 1 + i));
};

/** @returns A period from its key ("2025" or "2025-Q3"), or undefined. */
export const periodFromKey = (key: string): Period | undefined => {
  const m = /^(\d{4})(?:-Q([1-4]))?$/.exec(key);
  if (!m) return undefined;
  const year = Number(m[1]);
  return m[2] ? reportingQuarter(year, Number(m[2]) as 1 | 2 | 3 | 4) : reportingYear(year);
};

/** Whole days from a to b (b later). */
export const daysBetween = (a: IsoDate, b: IsoDate): number =>
  Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

/** Whole years of age on a date; null for an unborn child or an unknown birth date. */
export const ageOn = (child: Pick<ChildModel, "dateOfBirth">, on: IsoDate): number | null => {
  if (!child.dateOfBirth || child.dateOfBirth > on) return null;
  const years = Number(on.slice(0, 4)) - Number(child.dateOfBirth.slice(0, 4));
  return on.slice(5) < child.dateOfBirth.slice(5) ? years - 1 : years;
};

/** Whether something that ran from start to end (exclusive end, null = still open) was open on a day. */
export const openOn = (item: { start: IsoDate; end: IsoDate | null }, on: IsoDate): boolean =>
  item.start <= on && (item.end === null || item.end > on);

export const within = (date: IsoDate | null, period: Pick<Period, "start" | "end">): boolean =>
  date !== null && date >= period.start && date <= period.end;

/** The last day of the last reporting year that has ended by `on` (31 March). */
export const lastCompleteYearEnd = (on: IsoDate): IsoDate => reportingYear(reportingYearOf(on) - 1).end;

/** The last day of the last quarter that has ended by `on`. */
export const lastCompleteQuarterEnd = (on: IsoDate): IsoDate => {
  const [current] = recentQuarters(on, 1);
  return addCalendarDays(current?.start ?? on, -1);
};
