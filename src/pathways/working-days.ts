// SPDX-License-Identifier: MIT
/**
 * Working days in England and Wales: Monday to Friday, less the bank holidays in the data file (GOV.UK's
 * list for 2019 to 2028). Statutory timescales (a referral decision in 1 working day, an assessment in 45,
 * an initial child protection conference in 15 after the strategy discussion) count in these days.
 * Pure functions on ISO calendar dates (YYYY-MM-DD); no clock, no I/O.
 */
import bankHolidayFile from "./data/bank-holidays-england-and-wales.json" with { type: "json" };

/** An ISO calendar date, YYYY-MM-DD. */
export type IsoDate = string;

const HOLIDAYS: ReadonlySet<string> = new Set(bankHolidayFile.events.map((event) => event.date));
export const BANK_HOLIDAY_YEARS = { first: bankHolidayFile.firstYear, last: bankHolidayFile.lastYear };

const DAY_MS = 86_400_000;
const toTime = (date: IsoDate): number => Date.parse(`${date}T00:00:00Z`);
const fromTime = (time: number): IsoDate => new Date(time).toISOString().slice(0, 10);
const HOLIDAY_TIMES: ReadonlySet<number> = new Set([...HOLIDAYS].map(toTime));
/** Whether a UTC midnight is a working day, without making a date string (1 January 1970 was a Thursday). */
const isWorkingTime = (time: number): boolean => {
  const weekday = (Math.floor(time / DAY_MS) + 4) % 7;
  return weekday !== 0 && weekday !== 6 && !HOLIDAY_TIMES.has(time);
};

/** @returns The date `days` calendar days after `date` (negative goes back). */
export const addCalendarDays = (date: IsoDate, days: number): IsoDate =>
  fromTime(toTime(date) + days * DAY_MS);

/** @returns The date `months` calendar months after `date`, clamped to the month's last day (31 Jan + 1 = 28/29 Feb). */
export const addMonths = (date: IsoDate, months: number): IsoDate => {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return fromTime(target.getTime());
};

/** @returns Whether the date is Saturday or Sunday. */
export const isWeekend = (date: IsoDate): boolean => {
  const day = new Date(toTime(date)).getUTCDay();
  return day === 0 || day === 6;
};

/** @returns Whether the date is an England and Wales bank holiday. */
export const isBankHoliday = (date: IsoDate): boolean => HOLIDAYS.has(date);

/**
 * @returns Whether the date is a working day. Outside the data file's years only weekends are known, so
 * the answer there ignores bank holidays (and says so by `bankHolidaysKnown`).
 */
export const isWorkingDay = (date: IsoDate): boolean => !isWeekend(date) && !isBankHoliday(date);

/** @returns Whether the data file covers the date's year. */
export const bankHolidaysKnown = (date: IsoDate): boolean => {
  const year = Number(date.slice(0, 4));
  return year >= BANK_HOLIDAY_YEARS.first && year <= BANK_HOLIDAY_YEARS.last;
};

/**
 * The date `days` working days after `date`: day 1 is the next working day after it, whatever `date`
 * is. So a referral received on a Friday before a bank holiday Monday is due on Tuesday.
 * @param date - The start (the day the clock starts, not counted).
 * @param days - Working days to add, 0 or more; 0 gives `date` itself.
 */
export const addWorkingDays = (date: IsoDate, days: number): IsoDate => {
  if (!Number.isInteger(days) || days < 0) throw new RangeError("days must be a whole number, 0 or more");
  let time = toTime(date);
  for (let left = days; left > 0; ) {
    time += DAY_MS;
    if (isWorkingTime(time)) left -= 1;
  }
  return fromTime(time);
};

/**
 * Working days from `from` to `to`: the working days after `from` up to and including `to` (the count
 * DfE uses for "within 45 working days"); negative when `to` is before `from`.
 */
export const workingDaysBetween = (from: IsoDate, to: IsoDate): number => {
  if (to < from) return -workingDaysBetween(to, from);
  const start = toTime(from);
  const end = toTime(to);
  const a = workingDaysSinceTableStart(start);
  const b = workingDaysSinceTableStart(end);
  if (a !== undefined && b !== undefined) return b - a;
  let count = 0;
  for (let time = start + DAY_MS; time <= end; time += DAY_MS) {
    if (isWorkingTime(time)) count += 1;
  }
  return count;
};

// Alerts and indicators count working days across years for thousands of children per page: a running
// count per day from 1990 to 2069 makes each count two look-ups instead of a walk day by day.
const TABLE_START = toTime("1990-01-01");
const TABLE_DAYS = Math.round((toTime("2070-01-01") - TABLE_START) / DAY_MS);
let runningCount: Int32Array | undefined;
/** Working days after 1 January 1990 up to and including the day; undefined outside the table. */
const workingDaysSinceTableStart = (time: number): number | undefined => {
  const day = Math.round((time - TABLE_START) / DAY_MS);
  if (day < 0 || day >= TABLE_DAYS) return undefined;
  if (!runningCount) {
    runningCount = new Int32Array(TABLE_DAYS);
    for (let i = 1; i < TABLE_DAYS; i += 1)
      runningCount[i] = (runningCount[i - 1] ?? 0) + (isWorkingTime(TABLE_START + i * DAY_MS) ? 1 : 0);
  }
  return runningCount[day];
};

/** The statutory timescales, in working days or months. */
export const TIMESCALES = {
  /** A decision on a referral (request for support) within one working day of receipt. */
  referralDecisionWorkingDays: 1,
  /** A child and family assessment authorised within 45 working days of its start. */
  assessmentWorkingDays: 45,
  /** An initial child protection conference within 15 working days of the strategy discussion. */
  icpcWorkingDays: 15,
  /** The first review conference within 3 months of the initial conference. */
  firstReviewMonths: 3,
  /** Later review conferences at most 6 months apart. */
  laterReviewMonths: 6,
} as const;

/** @returns The day a front-door decision is due for a request received on `received`. */
export const decisionDue = (received: IsoDate): IsoDate =>
  addWorkingDays(received, TIMESCALES.referralDecisionWorkingDays);

/** @returns The day an assessment started on `started` is due to be authorised. */
export const assessmentDue = (started: IsoDate): IsoDate =>
  addWorkingDays(started, TIMESCALES.assessmentWorkingDays);

/** @returns The ICPC target date for an enquiry whose strategy discussion was on `strategyDiscussion`. */
export const icpcTarget = (strategyDiscussion: IsoDate): IsoDate =>
  addWorkingDays(strategyDiscussion, TIMESCALES.icpcWorkingDays);

/**
 * @param planStart - The CP plan's start (the initial conference).
 * @param reviews - Review conference dates held so far.
 * @returns When the next review conference is due: 3 months after the start, then 6 after the last review.
 */
export const nextReviewDue = (planStart: IsoDate, reviews: readonly IsoDate[]): IsoDate => {
  const held = reviews.filter((date) => date > planStart).sort();
  const last = held.at(-1);
  return last === undefined
    ? addMonths(planStart, TIMESCALES.firstReviewMonths)
    : addMonths(last, TIMESCALES.laterReviewMonths);
};
