// SPDX-License-Identifier: MIT
/**
 * What is due on a child's case, from the recorded events: the next plan review (child protection
 * review conference; child in need plan review), the next statutory visit, the next early help review.
 * Pure, so the worklist, the reminders and their tests agree.
 */

import { addCalendarDays, addMonths, addWorkingDays, type IsoDate } from "../kernel/calendar.ts";
import { DEFAULT_ALERT_SETTINGS } from "../pathways/alerts.ts";
import type { Episode } from "../pathways/episodes.ts";

export const DUE_KINDS = {
  "cp-review": "Child protection review conference",
  "cin-review": "Child in need plan review",
  "cp-visit": "Child protection visit",
  "cin-visit": "Child in need visit",
  "early-help-review": "Early help review",
} as const;
export type DueKind = keyof typeof DUE_KINDS;

/** Local practice: a child in need plan is reviewed every 3 months. */
export const CIN_REVIEW_MONTHS = 3;
/** A plan review reminder is made this many days before it is due (and while it is overdue). */
export const REMIND_DAYS_BEFORE = 14;

export type DueItem = {
  personId: string;
  kind: DueKind;
  planId: string;
  dueOn: IsoDate;
  workerUserId: string | null;
};

const open = (p: { start: IsoDate; end: IsoDate | null }, today: IsoDate) =>
  p.start <= today && (p.end === null || p.end > today);

const lastOf = (dates: readonly IsoDate[], from: IsoDate): IsoDate =>
  [...dates]
    .filter((d) => d >= from)
    .sort()
    .at(-1) ?? from;

/** The next review and visit of each open CP and CIN plan in the child's episodes. */
export const planItemsDue = (episodes: readonly Episode[], today: IsoDate): DueItem[] =>
  episodes.flatMap((episode) => {
    const base = { personId: episode.personId, workerUserId: episode.workerUserId };
    const cp = episode.cpPlans.filter((plan) => open(plan, today));
    const cin = episode.cinPlans.filter((plan) => open(plan, today));
    return [
      ...cp.flatMap((plan) => [
        { ...base, kind: "cp-review" as const, planId: plan.id, dueOn: plan.nextReviewDue },
        {
          ...base,
          kind: "cp-visit" as const,
          planId: plan.id,
          dueOn: addWorkingDays(
            lastOf(
              plan.visits.map((v) => v.date),
              plan.start,
            ),
            DEFAULT_ALERT_SETTINGS.cpVisitWorkingDays,
          ),
        },
      ]),
      ...cin.flatMap((plan) => [
        {
          ...base,
          kind: "cin-review" as const,
          planId: plan.id,
          dueOn: addMonths(lastOf(plan.reviews, plan.start), CIN_REVIEW_MONTHS),
        },
        {
          ...base,
          kind: "cin-visit" as const,
          planId: plan.id,
          dueOn: addWorkingDays(
            lastOf(
              plan.visits.map((v) => v.date),
              plan.start,
            ),
            DEFAULT_ALERT_SETTINGS.cinVisitWorkingDays,
          ),
        },
      ]),
    ];
  });

/** The next review of an open early help episode. */
export const earlyHelpReviewDue = (h: {
  personId: string;
  earlyHelpId: string;
  startedOn: IsoDate;
  reviews: readonly IsoDate[];
  reviewIntervalWeeks: number;
  leadUserId: string | null;
}): DueItem => ({
  personId: h.personId,
  kind: "early-help-review",
  planId: h.earlyHelpId,
  dueOn: addCalendarDays(lastOf(h.reviews, h.startedOn), h.reviewIntervalWeeks * 7),
  workerUserId: h.leadUserId,
});

/** Plan reviews that should be reminded today: due within {@link REMIND_DAYS_BEFORE} days, or overdue. */
export const reviewsToRemind = (items: readonly DueItem[], today: IsoDate): DueItem[] =>
  items.filter(
    (i) =>
      (i.kind === "cp-review" || i.kind === "cin-review") &&
      i.dueOn <= addCalendarDays(today, REMIND_DAYS_BEFORE),
  );
