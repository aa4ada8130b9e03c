// SPDX-License-Identifier: MIT
/** Small pure helpers that put pathway facts into words for pages. */
import { formatDate } from "../chronology/dates.ts";
import { type IsoDate, workingDaysBetween } from "../kernel/calendar.ts";

/**
 * @param dueOn - When it was due.
 * @param doneOn - When it was done, if it was.
 * @param today - Today.
 * @returns A phrase: "Decided on time", "Decided 2 working days late", "Due today", "Overdue by 3 working days".
 */
export const formatTimescale = (dueOn: IsoDate, doneOn: IsoDate | null, today: IsoDate): string => {
  if (doneOn !== null) {
    const late = workingDaysBetween(dueOn, doneOn);
    return late <= 0
      ? "Decided within one working day"
      : `Decided ${late} working day${late === 1 ? "" : "s"} late`;
  }
  if (dueOn === today) return "Decision due today";
  if (dueOn > today) return `Decision due by ${formatDate(dueOn)}`;
  const late = workingDaysBetween(dueOn, today);
  return `Decision overdue by ${late} working day${late === 1 ? "" : "s"} (due ${formatDate(dueOn)})`;
};
