// SPDX-License-Identifier: MIT
/** Child protection and child in need plans for neglect. */
import { addMonths, openOn, within } from "../model.ts";
import {
  ALL,
  cpPlans,
  indexOf,
  isNeglectPlan,
  monthsBetween,
  NEGLECT,
  neglectFeature,
  onNeglectPlan,
  perChild,
} from "./shared.ts";
import type { Indicator } from "./types.ts";

/** Neglect plans. */
export const NEGLECT_PLAN_INDICATORS: readonly Indicator[] = [
  {
    id: "cp-neglect-start-rate",
    title: "Children becoming the subject of a CP plan for neglect per 10,000 children",
    group: "neglect",
    definition:
      "Children whose child protection plan started in the period with neglect (NEG) as its initial category, counted once each, divided by the number of children aged 0 to 17 (ONS mid-year estimate for the previous year) and multiplied by 10,000.",
    numerator: "Children starting a plan for neglect",
    denominator: "Children aged 0 to 17 (ONS mid-year estimate, previous year)",
    periodType: "during",
    unit: "rate",
    higherIsBetter: false,
    seeds: ["000"],
    breakdowns: [],
    units: (children, period) =>
      perChild(
        cpPlans(children)
          .filter(({ plan }) => within(plan.start, period) && plan.initialCategory === NEGLECT)
          .map(({ child }) => ({ personId: child.personId, num: true, den: true })),
      ),
  },
  {
    id: "cp-neglect-share-open",
    title: "Child protection plans whose category is neglect, at the period end (%)",
    group: "neglect",
    definition:
      "Of the child protection plans open on the last day of the period, the percentage whose latest category of abuse is neglect (NEG). Plans under 'multiple' categories are not counted as neglect.",
    numerator: "Open plans for neglect",
    denominator: "Open child protection plans",
    periodType: "snapshot",
    unit: "percent",
    higherIsBetter: null,
    seeds: ["000", "001", "002", "003", "004"],
    breakdowns: ALL,
    units: (children, period) =>
      cpPlans(children)
        .filter(({ plan }) => openOn(plan, period.end))
        .map(({ child, plan }) => ({ personId: child.personId, num: isNeglectPlan(plan), den: true })),
  },
  {
    id: "cp-neglect-share-started",
    title: "Child protection plans started for neglect during the period (%)",
    group: "neglect",
    definition:
      "Of the child protection plans that started in the period, the percentage whose initial category of abuse was neglect (NEG).",
    numerator: "Plans started for neglect",
    denominator: "Plans started",
    periodType: "during",
    unit: "percent",
    higherIsBetter: null,
    seeds: ["000", "001", "002", "003", "004"],
    breakdowns: ALL,
    units: (children, period) =>
      cpPlans(children)
        .filter(({ plan }) => within(plan.start, period))
        .map(({ child, plan }) => ({
          personId: child.personId,
          num: plan.initialCategory === NEGLECT,
          den: true,
        })),
  },
  {
    id: "cp-neglect-open-12m",
    title: "CP plans for neglect open 12 months or more (%)",
    group: "neglect",
    definition:
      "Of the child protection plans for neglect (latest category NEG) open on the last day of the period, the percentage that had by then been open for 12 months or more.",
    numerator: "Plans for neglect open 12 months or more",
    denominator: "Open child protection plans for neglect",
    periodType: "snapshot",
    unit: "percent",
    higherIsBetter: false,
    seeds: ["001", "003"],
    breakdowns: ALL,
    units: (children, period) =>
      onNeglectPlan(children, period.end).map(({ child, plan }) => ({
        personId: child.personId,
        num: period.end >= addMonths(plan.start, 12),
        den: true,
      })),
  },
  {
    id: "cin-neglect-open-6m",
    title: "Child in need plans for neglect open more than 6 months (%)",
    group: "neglect",
    definition:
      "Of the child in need plans open on the last day of the period in episodes where neglect was a feature (the assessment identified neglect, factor 16A, or the child had a plan for neglect in the episode), the percentage that had by then been open more than 6 months.",
    numerator: "CIN plans for neglect open more than 6 months",
    denominator: "Open CIN plans for neglect",
    periodType: "snapshot",
    unit: "percent",
    higherIsBetter: false,
    seeds: ["001"],
    breakdowns: ALL,
    units: (children, period) =>
      indexOf(children)
        .cinPlans.filter(({ episode, plan }) => openOn(plan, period.end) && neglectFeature(episode))
        .map(({ child, plan }) => ({
          personId: child.personId,
          num: period.end > addMonths(plan.start, 6),
          den: true,
        })),
  },
  {
    id: "cp-neglect-length-at-closure",
    title: "Average length of CP plans for neglect at closure (months)",
    group: "neglect",
    definition:
      "The mean length, in months (days divided by 30.4375), from start to end of the child protection plans for neglect (latest category NEG) that ended in the period.",
    numerator: "Total months of plans for neglect that ended",
    denominator: "Plans for neglect that ended",
    periodType: "during",
    unit: "months",
    higherIsBetter: null,
    seeds: ["004"],
    breakdowns: ALL,
    units: (children, period) =>
      cpPlans(children)
        .filter(({ plan }) => isNeglectPlan(plan) && within(plan.end, period))
        .map(({ child, plan }) => ({
          personId: child.personId,
          num: true,
          den: true,
          x: monthsBetween(plan.start, plan.end ?? plan.start),
        })),
  },
  {
    id: "neglect-statutory-share",
    title: "Neglect cases held by statutory social work rather than early help (%)",
    group: "neglect",
    definition:
      "Of the children on the last day of the period with open neglect work (a child in need or child protection plan in an episode where neglect was a feature, or an open early help episode where neglect was identified), the percentage held by statutory social work. A child with both counts as statutory.",
    numerator: "Children with open statutory neglect work",
    denominator: "Children with open neglect work (statutory or early help)",
    periodType: "snapshot",
    unit: "percent",
    higherIsBetter: null,
    seeds: ["002"],
    breakdowns: ALL,
    units: (children, period) =>
      indexOf(children).withNeglectWork.flatMap((child) => {
        const statutory = child.episodes.some(
          (e) =>
            neglectFeature(e) &&
            (e.cpPlans.some((p) => openOn(p, period.end)) || e.cinPlans.some((p) => openOn(p, period.end))),
        );
        const earlyHelp = child.earlyHelp.some((h) => h.neglectIdentified && openOn(h, period.end));
        return statutory || earlyHelp
          ? [
              {
                personId: child.personId,
                num: statutory,
                den: true,
                group: statutory ? "Statutory" : "Early help",
              },
            ]
          : [];
      }),
  },
];
