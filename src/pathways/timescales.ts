// SPDX-License-Identifier: MIT
/**
 * The statutory timescales of children's social care: a referral decision in 1 working day, an
 * assessment in 45, an initial child protection conference in 15 after the strategy discussion, review
 * conferences at 3 and then 6 months; counted in England and Wales working days (kernel/calendar.ts).
 * Pure functions on ISO calendar dates; no clock, no I/O.
 */
import { addMonths, addWorkingDays, type IsoDate } from "../kernel/calendar.ts";

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
