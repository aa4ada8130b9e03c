// SPDX-License-Identifier: MIT
/** Referrals, early help and consultations, and the factors assessments identify. */
import { within } from "../model.ts";
import { ALL, FACTORS, indexOf, NEGLECT, neglectFeature, perChild, referrals } from "./shared.ts";
import type { Indicator } from "./types.ts";

const factorIndicator = (f: (typeof FACTORS)[number]): Indicator => ({
  id: `factor-${f.code.toLowerCase()}`,
  title: `Assessments identifying ${f.title} (%)`,
  group: "front-door",
  definition: `Of the assessments completed (authorised) in the period that identified at least one factor (DfE's denominator in file C3; "no factors identified", code 21, is not a factor), the percentage whose factors included ${f.code}, ${f.title}.`,
  numerator: `Completed assessments with factor ${f.code}`,
  denominator: "Completed assessments with at least one factor",
  periodType: "during",
  unit: "percent",
  higherIsBetter: null,
  seeds: f.code === "16A" ? ["001", "004"] : ["000"],
  breakdowns: ALL,
  dfe: {
    file: "C3",
    spec: { numerator: `c3.${f.column}`, denominator: "c3.Episodes_with_assessment_factor", multiplier: 100 },
  },
  units: (children, period) =>
    indexOf(children)
      .assessments.filter(
        ({ assessment: a }) => within(a.authorised, period) && a.factors.some((x) => x !== "21"),
      )
      .map(({ child, assessment: a }) => ({
        personId: child.personId,
        num: a.factors.includes(f.code),
        den: true,
      })),
});

/** Front door, early help, consultations. */
export const FRONT_DOOR_INDICATORS: readonly Indicator[] = [
  {
    id: "referrals-neglect",
    title: "Referrals to children's social care for neglect (%)",
    group: "front-door",
    definition:
      "Of the referrals received in the period, the percentage with primary need N1 (abuse, neglect and exploitation) whose assessment identified neglect (factor 16A), or which led to a plan for neglect.",
    numerator: "Referrals for neglect",
    denominator: "Referrals received in the period",
    periodType: "during",
    unit: "percent",
    higherIsBetter: null,
    seeds: ["001", "004"],
    breakdowns: ALL,
    units: (children, period) =>
      referrals(children)
        .filter(({ episode }) => within(episode.referralDate, period))
        .map(({ child, episode }) => ({
          personId: child.personId,
          num:
            (episode.primaryNeed === "N1" && episode.assessments.some((a) => a.factors.includes("16A"))) ||
            episode.cpPlans.some((p) => p.initialCategory === NEGLECT),
          den: true,
        })),
  },
  {
    id: "early-help-neglect",
    title: "Early help assessments where neglect was identified (%)",
    group: "front-door",
    definition:
      "Of the early help episodes that started in the period (each starts with an early help assessment), the percentage where neglect was identified: a neglect assessment was completed for the child from 90 days before the start to 45 days after it.",
    numerator: "Early help assessments identifying neglect",
    denominator: "Early help assessments started",
    periodType: "during",
    unit: "percent",
    higherIsBetter: null,
    seeds: ["001", "004"],
    breakdowns: ALL,
    units: (children, period) =>
      indexOf(children).withEarlyHelp.flatMap((child) =>
        child.earlyHelp
          .filter((h) => within(h.start, period))
          .map((h) => ({ personId: child.personId, num: h.neglectIdentified, den: true })),
      ),
  },
  {
    id: "consultations-neglect",
    title: "Consultations with the front door where neglect was the factor",
    group: "front-door",
    definition:
      "Requests for support received by the front door in the period where neglect was the concern: the child had a chronology entry marked as neglect in the 90 days before the request, or the request led to an episode where neglect was a feature.",
    numerator: "Requests for support about neglect",
    denominator: "Requests for support received",
    periodType: "during",
    unit: "percent",
    higherIsBetter: null,
    seeds: ["001", "004"],
    breakdowns: ALL,
    units: (children, period) =>
      indexOf(children).withRequests.flatMap((child) =>
        child.requests
          .filter((r) => within(r.received, period))
          .map((r) => ({ personId: child.personId, num: r.neglect, den: true })),
      ),
  },
  {
    id: "entered-care-neglect",
    title: "Children entering care for neglect",
    group: "front-door",
    definition:
      "Children who entered care in the period with category of need N1 (abuse or neglect) in an episode where neglect was a feature (assessment factor 16A, or a plan for neglect).",
    numerator: "Children entering care for neglect",
    denominator: null,
    periodType: "during",
    unit: "count",
    higherIsBetter: null,
    seeds: ["001"],
    breakdowns: ALL,
    units: (children, period) =>
      perChild(
        referrals(children)
          .filter(
            ({ episode }) =>
              episode.enteredCare !== null &&
              within(episode.enteredCare.date, period) &&
              episode.enteredCare.categoryOfNeed === "N1" &&
              neglectFeature(episode),
          )
          .map(({ child }) => ({ personId: child.personId, num: true, den: true })),
      ),
  },
  ...FACTORS.map(factorIndicator),
];
