// SPDX-License-Identifier: MIT
/** Age profile and disproportionality. */
import { ALL, ageBand, onNeglectPlan, perChild } from "./shared.ts";
import type { Indicator } from "./types.ts";

/** Equality. */
export const EQUALITY_INDICATORS: readonly Indicator[] = [
  {
    id: "cp-neglect-age-profile",
    title: "Children on a CP plan for neglect who are under 1 (%)",
    group: "equality",
    definition:
      "Of the children on a child protection plan for neglect on the last day of the period (counted once each), the percentage under 1 year old (unborn children are shown separately in the age split and are not under 1).",
    numerator: "Children under 1 on a plan for neglect",
    denominator: "Children on a plan for neglect",
    periodType: "snapshot",
    unit: "percent",
    higherIsBetter: null,
    seeds: ["001"],
    breakdowns: ["sex", "ethnicity", "disability", "area", "agency", "team", "level"],
    groupLabel: "Age band",
    units: (children, period) =>
      perChild(
        onNeglectPlan(children, period.end).map(({ child }) => ({
          personId: child.personId,
          num: ageBand(child, period.end) === "Under 1",
          den: true,
          group: ageBand(child, period.end),
        })),
      ),
  },
  {
    id: "cp-neglect-children",
    title: "Children on a CP plan for neglect",
    group: "equality",
    definition:
      "Children on a child protection plan for neglect (latest category NEG) on the last day of the period, counted once each. The disproportionality page compares each group's share of them with its share of all children known to Hearth.",
    numerator: "Children on a plan for neglect",
    denominator: null,
    periodType: "snapshot",
    unit: "count",
    higherIsBetter: null,
    seeds: ["002"],
    breakdowns: ALL,
    units: (children, period) =>
      perChild(
        onNeglectPlan(children, period.end).map(({ child }) => ({
          personId: child.personId,
          num: true,
          den: true,
        })),
      ),
  },
];
