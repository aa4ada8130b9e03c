// SPDX-License-Identifier: MIT
/** Case audits and feedback from children and families (issue 15, src/learning). */
import { within } from "../model.ts";
import { ALL } from "./shared.ts";
import type { Indicator } from "./types.ts";

const GOOD_OR_BETTER = new Set(["outstanding", "good"]);

/** Case audits and feedback from children and families (src/learning), in the registry's own terms. */
export const LEARNING_INDICATORS: readonly Indicator[] = [
  {
    id: "audit-cases",
    title: "Children's cases audited and moderated",
    group: "learning",
    definition:
      "Children whose case was audited by the partnership's agencies and moderated (an agreed grade recorded) during the period, counted once each.",
    numerator: "Children whose audit was moderated",
    denominator: null,
    periodType: "during",
    unit: "count",
    higherIsBetter: null,
    seeds: ["000", "001", "002", "003", "004"],
    breakdowns: ALL,
    units: (children, period) =>
      children.flatMap((child) =>
        child.learning?.audits.some((a) => within(a.date, period))
          ? [{ personId: child.personId, num: true, den: true }]
          : [],
      ),
  },
  {
    id: "audit-good-or-better",
    title: "Audited cases graded good or outstanding",
    group: "learning",
    definition:
      "Of the case audits moderated during the period (each round's agreed grade for a child, its latest version), the percentage whose agreed grade was good or outstanding.",
    numerator: "Audits agreed good or outstanding",
    denominator: "Audits moderated",
    periodType: "during",
    unit: "percent",
    higherIsBetter: true,
    seeds: ["000", "001", "002", "003", "004"],
    breakdowns: ALL,
    units: (children, period) =>
      children.flatMap((child) =>
        (child.learning?.audits ?? [])
          .filter((a) => within(a.date, period))
          .map((a) => ({
            personId: child.personId,
            num: GOOD_OR_BETTER.has(a.grade),
            den: true,
            group: a.grade,
          })),
      ),
  },
  {
    id: "audit-actions-on-time",
    title: "Case audit actions completed on time",
    group: "learning",
    definition:
      "Of the actions agreed at case audit moderation that fell due during the period, the percentage recorded as done on or before their due date.",
    numerator: "Actions done by their due date",
    denominator: "Actions due",
    periodType: "during",
    unit: "percent",
    higherIsBetter: true,
    seeds: ["000", "001", "002", "003", "004"],
    breakdowns: ALL,
    units: (children, period) =>
      children.flatMap((child) =>
        (child.learning?.actions ?? [])
          .filter((a) => within(a.due, period))
          .map((a) => ({ personId: child.personId, num: a.done !== null && a.done <= a.due, den: true })),
      ),
  },
  {
    id: "family-feedback-score",
    title: "Feedback from children and families (mean score, 1 to 5)",
    group: "learning",
    definition:
      "The mean of the answers (1 the least, 5 the most positive) of the feedback questionnaires children and families completed during the period, each questionnaire's mean counted once.",
    numerator: "Sum of questionnaires' mean scores",
    denominator: "Questionnaires completed",
    periodType: "during",
    unit: "points",
    higherIsBetter: true,
    seeds: ["000", "001", "002", "003", "004"],
    breakdowns: ALL,
    groupLabel: "Who answered",
    units: (children, period) =>
      children.flatMap((child) =>
        (child.learning?.feedback ?? [])
          .filter((f) => within(f.date, period))
          .map((f) => ({
            personId: child.personId,
            num: true,
            den: true,
            x: f.score,
            group: f.version === "child" ? "Child or young person" : "Parent or carer",
          })),
      ),
  },
];
