// SPDX-License-Identifier: MIT
/** Timeliness: decisions, assessments, conferences and reviews within timescale. */
import { workingDaysBetween } from "../../kernel/calendar.ts";
import { TIMESCALES } from "../../pathways/timescales.ts";
import { within } from "../model.ts";
import { C4_CONTEXT, WORKFORCE_CONTEXT } from "./context.ts";
import { ALL, cpPlans, indexOf, reviewTimeliness } from "./shared.ts";
import type { Indicator } from "./types.ts";

/** Timeliness. */
export const TIMELINESS_INDICATORS: readonly Indicator[] = [
  {
    id: "timely-decisions",
    title: "Front door decisions within 1 working day (%)",
    group: "timeliness",
    definition:
      "Of the requests for support decided in the period, the percentage decided within 1 working day (not counting weekends and England bank holidays) of being received.",
    numerator: "Decisions within 1 working day",
    denominator: "Decisions made",
    periodType: "during",
    unit: "percent",
    higherIsBetter: true,
    seeds: ["002"],
    breakdowns: ALL,
    context: WORKFORCE_CONTEXT,
    units: (children, period) =>
      indexOf(children).withRequests.flatMap((child) =>
        child.requests
          .filter((r) => within(r.decided, period))
          .map((r) => ({
            personId: child.personId,
            num:
              workingDaysBetween(r.received, r.decided ?? r.received) <=
              TIMESCALES.referralDecisionWorkingDays,
            den: true,
          })),
      ),
  },
  {
    id: "timely-assessments",
    title: "Assessments completed within 45 working days (%)",
    group: "timeliness",
    definition:
      "Of the assessments completed (authorised) in the period, the percentage authorised within 45 working days (not counting weekends and England bank holidays) of starting.",
    numerator: "Assessments within 45 working days",
    denominator: "Assessments completed",
    periodType: "during",
    unit: "percent",
    higherIsBetter: true,
    seeds: ["002"],
    breakdowns: ALL,
    context: WORKFORCE_CONTEXT,
    units: (children, period) =>
      indexOf(children)
        .assessments.filter(({ assessment: a }) => within(a.authorised, period))
        .map(({ child, assessment: a }) => ({
          personId: child.personId,
          num: workingDaysBetween(a.start, a.authorised ?? a.start) <= TIMESCALES.assessmentWorkingDays,
          den: true,
        })),
  },
  {
    id: "timely-conferences",
    title: "Initial conferences within 15 working days of the strategy discussion (%)",
    group: "timeliness",
    definition:
      "Of the initial child protection conferences held in the period after a section 47 enquiry, the percentage held within 15 working days (not counting weekends and England bank holidays) of the enquiry's start (the strategy discussion).",
    numerator: "Conferences within 15 working days",
    denominator: "Initial conferences held",
    periodType: "during",
    unit: "percent",
    higherIsBetter: true,
    seeds: ["002"],
    breakdowns: ALL,
    dfe: {
      file: "C4",
      spec: { numerator: "c4.Duration_0_15_days", denominator: "c4.Duration_all_bands", multiplier: 100 },
    },
    context: [...C4_CONTEXT, ...WORKFORCE_CONTEXT],
    units: (children, period) =>
      indexOf(children)
        .section47s.filter(({ section47: s }) => within(s.icpc, period))
        .map(({ child, section47: s }) => ({
          personId: child.personId,
          num: workingDaysBetween(s.start, s.icpc ?? s.start) <= TIMESCALES.icpcWorkingDays,
          den: true,
        })),
  },
  {
    id: "timely-reviews",
    title: "Child protection reviews within timescale (%)",
    group: "timeliness",
    definition:
      "Of the review conferences held in the period, the percentage held on time: the first within 3 months of the plan's start, each later one within 6 months of the one before.",
    numerator: "Reviews on time",
    denominator: "Reviews held",
    periodType: "during",
    unit: "percent",
    higherIsBetter: true,
    seeds: ["002"],
    breakdowns: ALL,
    context: WORKFORCE_CONTEXT,
    units: (children, period) =>
      cpPlans(children).flatMap(({ child, plan }) =>
        reviewTimeliness(plan)
          .filter((r) => within(r.date, period))
          .map((r) => ({ personId: child.personId, num: r.onTime, den: true })),
      ),
  },
];
