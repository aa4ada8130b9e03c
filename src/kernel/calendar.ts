// SPDX-License-Identifier: MIT
/**
 * The calendar every area counts in: dates in England (today is England's date, whatever the server's
 * time zone), ISO dates (YYYY-MM-DD), and working days in England and Wales: Monday to Friday, less the
 * bank holidays in the data file (GOV.UK's list for 2019 to 2028). Statutory timescales
 * (pathways/timescales.ts) and indicators count in these days. Pure functions; the clock is read only
 * by todayInEngland, and only when it is not given the moment.
 */
import { sql } from "kysely";
import bankHolidayFile from "./data/bank-holidays-england-and-wales.json" with { type: "json" };

/** An ISO calendar date, YYYY-MM-DD. */
export type IsoDate = string;

const parts = (iso: string): [number, number, number] => {
  const [y = "0", m = "1", d = "1"] = iso.split("-");
  return [Number(y), Number(m), Number(d)];
};

/** @returns True when `iso` is a real calendar date written YYYY-MM-DD. */
export const isIsoDate = (iso: string): boolean => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return false;
  const [y, m, d] = parts(iso);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};

/** Made once: making a formatter (loading its time zone rules) costs far more than formatting with one. */
const ENGLAND_DAY = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/London",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** @returns Today's date in England, YYYY-MM-DD (the server may run in another time zone). */
export const todayInEngland = (now = new Date()): string => ENGLAND_DAY.format(now);

/**
 * Today's date in England inside SQL, the same day as {@link todayInEngland}, for comparing with dates
 * Hearth wrote from it: `current_date` follows the session's time zone (UTC on PGlite, the server's own
 * setting on PostgreSQL), which for an hour each summer night is still yesterday in England.
 */
export const todayInEnglandSql = sql<string>`(now() at time zone 'Europe/London')::date`;

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
