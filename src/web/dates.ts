// SPDX-License-Identifier: MIT
/**
 * Dates entered with the GOV.UK date input (separate day, month and year boxes), checked and turned into
 * ISO calendar dates, with messages that follow the Design System's wording.
 */
import { todayInEngland } from "../kernel/calendar.ts";

/**
 * Reads `<prefix>-day`, `<prefix>-month` and `<prefix>-year` from a form.
 * @param body - The submitted form.
 * @param prefix - The date input's id, which is also the error's field.
 * @param label - What the date is, for messages ("date of birth").
 * @param options - Whether it is required, and whether it may be in the future.
 * @returns The ISO date (or null when optional and empty), or a message.
 */
export const readDateInput = (
  body: Record<string, unknown>,
  prefix: string,
  label: string,
  options: {
    required: boolean;
    future?: "allowed" | "refused";
    /** "optional" when a month and year are enough (then the first of the month is returned). */
    day?: "required" | "optional";
  },
): { ok: true; value: string | null } | { ok: false; message: string } => {
  const part = (name: string) => String(body[`${prefix}-${name}`] ?? "").trim();
  const [given, month, year] = [part("day"), part("month"), part("year")];
  if (given === "" && month === "" && year === "") {
    return options.required ? { ok: false, message: `Enter the ${label}` } : { ok: true, value: null };
  }
  const day = given === "" && options.day === "optional" ? "1" : given;
  const missing = [day === "" && "day", month === "" && "month", year === "" && "year"].filter(Boolean);
  if (missing.length > 0)
    return { ok: false, message: `The ${label} must include a ${missing.join(" and ")}` };
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) {
    return { ok: false, message: `The ${label} must be a real date, like 27 3 2024` };
  }
  const iso = `${year}-${month.padStart(2, "0")}-${day.padStart(2, "0")}`;
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso) {
    return { ok: false, message: `The ${label} must be a real date` };
  }
  if (options.future === "refused" && iso > todayInEngland()) {
    return { ok: false, message: `The ${label} must be today or in the past` };
  }
  return { ok: true, value: iso };
};

/** A GOV.UK date input's three values (`<prefix>-day`, `-month`, `-year`) for an ISO date; none without one. */
export const dateInputValues = (prefix: string, iso: string | null | undefined): Record<string, string> =>
  iso
    ? {
        [`${prefix}-day`]: String(Number(iso.slice(8, 10))),
        [`${prefix}-month`]: String(Number(iso.slice(5, 7))),
        [`${prefix}-year`]: iso.slice(0, 4),
      }
    : {};
