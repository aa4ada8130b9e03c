// SPDX-License-Identifier: MIT
/**
 * Retention: when a closed child's record is due for review, under the partnership's rules. Pure date
 * rules, no I/O. A record is closed when every agency's involvement with the child has ended and every
 * children's social care episode (child in need, child protection) has closed ({@link recordClosedOn}); it is kept
 * until the later of the child's birthday at an age (25 by default) and a number of years after closure
 * (6 by default), and the audit log about it is kept a number of years longer still (6 by default). The
 * review is a person's decision: Hearth lists the records that are due and archives one only when the
 * information-governance lead says so, with a reason. Nothing is deleted.
 */
import { z } from "zod";
import { type IsoDate, isIsoDate } from "../kernel/calendar.ts";

export const RETENTION_BOUNDS = {
  keepUntilAge: { min: 18, max: 100, label: "Keep a closed record at least until the child is this age" },
  yearsAfterClosure: {
    min: 1,
    max: 100,
    label: "Keep a closed record at least this many years after closure",
  },
  auditLogExtraYears: {
    min: 1,
    max: 100,
    label: "Keep the audit log about a record this many years longer than the record",
  },
} as const;
export type RetentionRuleKey = keyof typeof RETENTION_BOUNDS;
export const RETENTION_RULE_KEYS = Object.keys(RETENTION_BOUNDS) as RetentionRuleKey[];

export const ZRetentionRules = z.object({
  keepUntilAge: z
    .number()
    .int()
    .min(RETENTION_BOUNDS.keepUntilAge.min)
    .max(RETENTION_BOUNDS.keepUntilAge.max),
  yearsAfterClosure: z
    .number()
    .int()
    .min(RETENTION_BOUNDS.yearsAfterClosure.min)
    .max(RETENTION_BOUNDS.yearsAfterClosure.max),
  auditLogExtraYears: z
    .number()
    .int()
    .min(RETENTION_BOUNDS.auditLogExtraYears.min)
    .max(RETENTION_BOUNDS.auditLogExtraYears.max),
});
export type RetentionRules = z.infer<typeof ZRetentionRules>;

/** The rules with none saved: the 25th birthday, or 6 years after closure, whichever is later. */
export const DEFAULT_RETENTION_RULES: RetentionRules = {
  keepUntilAge: 25,
  yearsAfterClosure: 6,
  auditLogExtraYears: 6,
};

/**
 * The date `years` years after `date`. A 29 February lands on 1 March in a year without one (in
 * England a person born on 29 February comes of age on 1 March), so a record is never due early.
 */
export const addYears = (date: IsoDate, years: number): IsoDate => {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const year = y + years;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (m === 2 && d === 29 && !leap) return `${String(year).padStart(4, "0")}-03-01`;
  return `${String(year).padStart(4, "0")}${date.slice(4)}`;
};

/** The first and last day of a month written YYYY-MM, or undefined when it is not one. */
export const monthBounds = (month: string): { first: IsoDate; last: IsoDate } | undefined => {
  if (!/^\d{4}-\d{2}$/.test(month)) return undefined;
  const first = `${month}-01`;
  if (!isIsoDate(first)) return undefined;
  const [y, m] = month.split("-").map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  return { first, last };
};

/** What keeps a child's record open: agencies' involvements and children's social care episodes. */
export type RecordActivity = {
  /** Each involvement's end (over the record and any merged into it); null while it continues. */
  involvementEnds: readonly (IsoDate | null)[];
  /** Each children's social care episode (CIN census referral to closure); closure null while open. */
  episodes: readonly { referralDate: IsoDate; closureDate: IsoDate | null }[];
};

/**
 * The day a child's record closed, as of `asOf`, or null while it is open: closed when every
 * involvement has ended and every social care episode has closed on or before `asOf` (an open child in
 * need or child protection episode keeps the record open even when no agency's involvement continues),
 * on the latest of those ends and closures. A record with neither involvements nor episodes was never
 * opened, so it is never closed.
 */
export const recordClosedOn = (activity: RecordActivity, asOf: IsoDate): IsoDate | null => {
  const ends = [...activity.involvementEnds, ...activity.episodes.map((e) => e.closureDate)];
  if (ends.length === 0) return null;
  let latest: IsoDate | null = null;
  for (const end of ends) {
    // ISO dates compare as strings.
    if (end === null || end > asOf) return null;
    if (latest === null || end > latest) latest = end;
  }
  // An episode referred after its own recorded closure is not possible; one referred after `asOf` is
  // not yet closed as of then.
  if (activity.episodes.some((e) => e.referralDate > asOf)) return null;
  return latest;
};

/**
 * When a closed record is due for review: the later of the child's birthday at `keepUntilAge` and
 * `yearsAfterClosure` after closure. Without a date of birth, the years after closure alone.
 * @param record - The child's date of birth (or null) and the date the record closed
 * ({@link recordClosedOn}), or null while the record is open (never due).
 */
export const reviewDueOn = (
  record: { dateOfBirth: IsoDate | null; closedOn: IsoDate | null },
  rules: RetentionRules,
): IsoDate | null => {
  if (!record.closedOn) return null;
  const afterClosure = addYears(record.closedOn, rules.yearsAfterClosure);
  if (!record.dateOfBirth) return afterClosure;
  const birthday = addYears(record.dateOfBirth, rules.keepUntilAge);
  // ISO dates compare as strings.
  return birthday.localeCompare(afterClosure) > 0 ? birthday : afterClosure;
};

/** Until when the audit log about a record is kept: longer than the record. */
export const auditLogKeptUntil = (dueOn: IsoDate, rules: RetentionRules): IsoDate =>
  addYears(dueOn, rules.auditLogExtraYears);

/** Whether a record is on the review list for the month ending `monthEnd`: due on or before that day. */
export const isDueBy = (
  record: { dateOfBirth: IsoDate | null; closedOn: IsoDate | null },
  rules: RetentionRules,
  monthEnd: IsoDate,
): boolean => {
  const due = reviewDueOn(record, rules);
  return due !== null && due <= monthEnd;
};

/** The rules in force: the saved version's (validated), or the defaults. */
export const retentionRulesInForce = (saved: unknown): RetentionRules => {
  const parsed = ZRetentionRules.safeParse(saved);
  return parsed.success ? parsed.data : { ...DEFAULT_RETENTION_RULES };
};
