// SPDX-License-Identifier: MIT
/**
 * Dates in a chronology, as practitioners write them: an exact day, a month, or "about" a month; and a
 * person's age at the time, which is what a conference reads first.
 */
import type { DatePrecision } from "./codes.ts";

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

const parts = (iso: string): [number, number, number] => {
  const [y = "0", m = "1", d = "1"] = iso.split("-");
  return [Number(y), Number(m), Number(d)];
};

/**
 * @param iso - The stored date (for a month, the first of it).
 * @param precision - How exactly the date is known.
 * @returns "12 March 2024", "March 2024" or "about June 2023".
 */
export const formatEventDate = (iso: string, precision: DatePrecision): string => {
  const [y, m, d] = parts(iso);
  const month = `${MONTHS[m - 1] ?? ""} ${y}`;
  if (precision === "day") return `${d} ${month}`;
  if (precision === "month") return month;
  return `about ${month}`;
};

/** @returns "12 March 2024" for a plain ISO date. */
export const formatDate = (iso: string | null | undefined): string =>
  iso ? formatEventDate(iso, "day") : "";

/**
 * A person's age on a date, as a chronology shows it.
 * @param dateOfBirth - The person's date of birth, or null when unknown.
 * @param on - The event's date.
 * @param expectedDateOfBirth - For an unborn child, when they are due.
 * @returns "3 years", "7 months", "2 weeks", "unborn", or "" when unknown.
 */
export const ageAt = (
  dateOfBirth: string | null,
  on: string,
  expectedDateOfBirth: string | null = null,
): string => {
  if (!dateOfBirth) return expectedDateOfBirth ? "unborn" : "";
  if (on < dateOfBirth) return "unborn";
  const [by, bm, bd] = parts(dateOfBirth);
  const [y, m, d] = parts(on);
  let months = (y - by) * 12 + (m - bm);
  if (d < bd) months -= 1;
  if (months >= 24) {
    const years = Math.floor(months / 12);
    return `${years} years`;
  }
  if (months >= 1) return months === 1 ? "1 month" : `${months} months`;
  const days = Math.round((Date.UTC(y, m - 1, d) - Date.UTC(by, bm - 1, bd)) / 86_400_000);
  const weeks = Math.floor(days / 7);
  if (weeks >= 1) return weeks === 1 ? "1 week" : `${weeks} weeks`;
  return days === 1 ? "1 day" : `${days} days`;
};
