// SPDX-License-Identifier: MIT
/** Children's health, education and safety. */
import { addMonths, ageOn, type ChildModel, type IsoDate, openOn, within } from "../model.ts";
import { ABSENCE_CONTEXT, INJURIES_CONTEXT } from "./context.ts";
import {
  ALL,
  chronologyChildren,
  cpPlans,
  indexOf,
  isNeglectPlan,
  onNeglectPlan,
  perChild,
} from "./shared.ts";
import type { Indicator } from "./types.ts";

/** Wellbeing. */
export const WELLBEING_INDICATORS: readonly Indicator[] = [
  {
    id: "cp-neglect-under5-childrens-centre",
    title: "Children aged 0 to 5 on a CP plan for neglect registered with a children's centre (%)",
    group: "wellbeing",
    definition:
      "Of the children aged 0 to 5 (including unborn children) on a child protection plan for neglect on the last day of the period, the percentage registered with a children's centre: an involvement, open that day, of an early help agency.",
    numerator: "Children 0 to 5 on a plan for neglect registered with a children's centre",
    denominator: "Children 0 to 5 on a plan for neglect",
    periodType: "snapshot",
    unit: "percent",
    higherIsBetter: true,
    seeds: ["001"],
    breakdowns: ALL,
    units: (children, period) =>
      perChild(
        onNeglectPlan(children, period.end)
          .filter(({ child }) => {
            const age = ageOn(child, period.end);
            return age === null ? child.expectedDateOfBirth !== null : age <= 5;
          })
          .map(({ child }) => ({
            personId: child.personId,
            num: child.involvements.some((i) => i.agencyType === "early-help" && openOn(i, period.end)),
            den: true,
          })),
      ),
  },
  ...(["attendance", "health"] as const).map(
    (kind): Indicator => ({
      id: `cp-neglect-${kind}-improved`,
      title:
        kind === "attendance"
          ? "Children whose school attendance improved during a CP plan for neglect (%)"
          : "Children whose health engagement improved during a CP plan for neglect (%)",
      group: "wellbeing",
      definition: `Of the child protection plans for neglect that ended in the period, had lasted at least 3 months and had ${kind === "attendance" ? "an attendance concern (school absence, persistent absence or missing education)" : "a missed health or dental appointment (not brought)"} recorded in the chronology during the plan's first half, the percentage with fewer such entries in the plan's second half than in its first.`,
      numerator: "Plans with fewer concerns in the second half",
      denominator: "Ended plans for neglect with a concern in the first half",
      periodType: "during",
      unit: "percent",
      higherIsBetter: true,
      seeds: ["001"],
      breakdowns: ALL,
      context: kind === "attendance" ? ABSENCE_CONTEXT : INJURIES_CONTEXT,
      units: (children, period) => {
        const types =
          kind === "attendance"
            ? ["school-absence", "persistent-absence", "missing-education"]
            : ["not-brought-health", "not-brought-dental"];
        return cpPlans(children).flatMap(({ child, plan }) => {
          if (!isNeglectPlan(plan) || !plan.end || !within(plan.end, period)) return [];
          if (plan.end < addMonths(plan.start, 3)) return [];
          const half = new Date(
            (Date.parse(`${plan.start}T00:00:00Z`) + Date.parse(`${plan.end}T00:00:00Z`)) / 2,
          )
            .toISOString()
            .slice(0, 10);
          const concerns = child.chronology.filter((e) => types.includes(e.type));
          const first = concerns.filter((e) => e.date >= plan.start && e.date < half).length;
          const second = concerns.filter((e) => e.date >= half && e.date <= (plan.end ?? half)).length;
          return first > 0 ? [{ personId: child.personId, num: second < first, den: true }] : [];
        });
      },
    }),
  ),
  {
    id: "persistent-absence",
    title: "Children with persistent school absence",
    group: "wellbeing",
    definition:
      "Children with a 'persistent school absence' entry (10% or more of sessions missed) in their chronology during the period, counted once each.",
    numerator: "Children with persistent absence recorded",
    denominator: null,
    periodType: "during",
    unit: "count",
    higherIsBetter: false,
    seeds: ["003", "004"],
    breakdowns: ALL,
    context: ABSENCE_CONTEXT,
    units: (children, period) => chronologyChildren(children, period, "persistent-absence"),
  },
  {
    id: "missing-education",
    title: "Children missing education",
    group: "wellbeing",
    definition:
      "Children with a 'child missing education' entry in their chronology during the period, counted once each.",
    numerator: "Children recorded as missing education",
    denominator: null,
    periodType: "during",
    unit: "count",
    higherIsBetter: false,
    seeds: ["003", "004"],
    breakdowns: ALL,
    units: (children, period) => chronologyChildren(children, period, "missing-education"),
  },
  {
    id: "not-brought-appointments",
    title: "Children not brought (under 16) or not attending (16 to 17) health and dental appointments",
    group: "wellbeing",
    definition:
      "Children with a 'not brought to a health appointment' or 'not brought to a dental appointment' entry in their chronology during the period, counted once each; the split shows those under 16 on the entry's date (not brought) and those 16 or 17 (not attending).",
    numerator: "Children not brought or not attending",
    denominator: null,
    periodType: "during",
    unit: "count",
    higherIsBetter: false,
    seeds: ["004"],
    breakdowns: ALL,
    groupLabel: "Age at the appointment",
    context: INJURIES_CONTEXT,
    units: (children, period) => {
      // Each child's first missed appointment in the period decides the split.
      const index = indexOf(children);
      const first = new Map<ChildModel, IsoDate>();
      for (const type of ["not-brought-health", "not-brought-dental"])
        for (const { child, entry } of index.chronologyByType.get(type) ?? []) {
          if (!within(entry.date, period)) continue;
          const known = first.get(child);
          if (known === undefined || entry.date < known) first.set(child, entry.date);
        }
      // In the children's order, as every indicator gives its units (a recount works in runs of children).
      return index.withChronology.flatMap((child) => {
        const date = first.get(child);
        if (date === undefined) return [];
        const age = ageOn(child, date);
        return {
          personId: child.personId,
          num: true,
          den: true,
          group: age !== null && age >= 16 ? "Not attending (16 to 17)" : "Not brought (under 16)",
        };
      });
    },
  },
  {
    id: "police-neglect-crimes",
    title: "Crimes recorded for child neglect or cruelty",
    group: "wellbeing",
    definition:
      "Distinct crimes recorded in the period by a police agency and marked as indicating neglect (one or more neglect types): Hearth has no separate crime code, so each child's police entries indicating neglect on one day are one crime, however many entries record it. The split counts the children.",
    numerator: "Distinct police-recorded neglect crimes (child and day)",
    denominator: null,
    periodType: "during",
    unit: "count",
    higherIsBetter: null,
    seeds: ["004"],
    breakdowns: ALL,
    groupLabel: "Crimes per child",
    units: (children, period) => {
      const days = new Map<ChildModel, Set<IsoDate>>();
      for (const { child, entry } of indexOf(children).chronologyOfNeglect) {
        if (!within(entry.date, period) || entry.agencyType !== "police") continue;
        const known = days.get(child);
        if (known) known.add(entry.date);
        else days.set(child, new Set([entry.date]));
      }
      return [...days].flatMap(([child, dates]) =>
        [...dates].map(() => ({
          personId: child.personId,
          num: true,
          den: true,
          group: dates.size === 1 ? "1 crime" : dates.size <= 3 ? "2 or 3 crimes" : "4 or more crimes",
        })),
      );
    },
  },
  {
    id: "assessment-distance-travelled",
    title: "Distance travelled in neglect assessment scores (points)",
    group: "wellbeing",
    definition:
      "For each child whose latest completed neglect assessment fell in the period and who had an earlier one with the same tool, the fall in the concern score (0 is no concern, 100 the worst grade in every domain) from the first assessment to the latest; the figure is the mean. Higher means more improvement.",
    numerator: "Sum of score improvements",
    denominator: "Children reassessed",
    periodType: "during",
    unit: "points",
    higherIsBetter: true,
    seeds: ["004"],
    breakdowns: ALL,
    units: (children, period) =>
      indexOf(children).withScores.flatMap((child) => {
        const inPeriod = child.scores
          .filter((s) => within(s.date, period))
          .sort((a, b) => (a.date < b.date ? -1 : 1));
        const latest = inPeriod.at(-1);
        if (!latest) return [];
        const first = child.scores
          .filter((s) => s.tool === latest.tool && s.date < latest.date)
          .sort((a, b) => (a.date < b.date ? -1 : 1))[0];
        if (!first) return [];
        return [
          {
            personId: child.personId,
            num: true,
            den: true,
            x: Math.round((first.score - latest.score) * 10) / 10,
          },
        ];
      }),
  },
];
