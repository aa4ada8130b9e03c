// SPDX-License-Identifier: MIT
/** Indicators DfE publishes the same measure for: plans, referrals, children in need, section 47s. */
import { openOn, within } from "../model.ts";
import {
  ALL,
  cpPlans,
  DURATION_BANDS,
  durationBand,
  indexOf,
  isReReferral,
  perChild,
  referrals,
} from "./shared.ts";
import type { Indicator } from "./types.ts";

const durationIndicator = (band: (typeof DURATION_BANDS)[number], index: number): Indicator => {
  const columns = [
    "3_months_or_less",
    "more_than_3_months_6_months",
    "more_than_6_months_less_than_1_year",
    "1_year_less_than_2_years",
    "2_years_or_more",
  ];
  const column = columns[index] ?? "";
  const ids = ["3m", "3-6m", "6-12m", "1-2y", "2y-plus"];
  return {
    id: `cp-duration-${ids[index]}`,
    title: `CP plans open at the period end: ${band.toLowerCase()} (%)`,
    group: "dfe",
    definition: `Of the child protection plans open on the last day of the period (started on or before it and not ended by it), the percentage that had then lasted ${band.toLowerCase()}, as DfE's file D5 bands them by the plan's start date.`,
    numerator: `Open plans that had lasted ${band.toLowerCase()}`,
    denominator: "Open child protection plans",
    periodType: "snapshot",
    unit: "percent",
    higherIsBetter: index === 4 ? false : null,
    seeds: index === 4 ? ["001", "003"] : ["002"],
    breakdowns: ALL,
    dfe: {
      file: "D5",
      spec: {
        numerator: `d5.${column}`,
        denominator: "d5.CPP_At31",
        published: `d5.${column}_percent`,
        multiplier: 100,
      },
    },
    units: (children, period) =>
      cpPlans(children)
        .filter(({ plan }) => openOn(plan, period.end))
        .map(({ child, plan }) => ({
          personId: child.personId,
          num: durationBand(plan.start, period.end) === band,
          den: true,
          group: durationBand(plan.start, period.end),
        })),
  };
};

/** DfE comparables. */
export const DFE_INDICATORS: readonly Indicator[] = [
  {
    id: "cp-at-31-march",
    title: "Children on child protection plans at the period end",
    group: "dfe",
    definition:
      "Child protection plans open on the last day of the period: started on or before that day and not ended by it (DfE file D1/D5, CPP_At31, counts plans at 31 March).",
    numerator: "Open child protection plans",
    denominator: null,
    periodType: "snapshot",
    unit: "count",
    higherIsBetter: null,
    seeds: ["000", "002"],
    breakdowns: ALL,
    dfe: { file: "D5", spec: { numerator: "d5.CPP_At31", multiplier: 1 } },
    units: (children, period) =>
      cpPlans(children)
        .filter(({ plan }) => openOn(plan, period.end))
        .map(({ child }) => ({ personId: child.personId, num: true, den: true })),
  },
  {
    id: "cp-rate",
    title: "Child protection plans at the period end per 10,000 children",
    group: "dfe",
    definition:
      "Child protection plans open on the last day of the period, divided by the number of children aged 0 to 17 in the area (ONS mid-year estimate for the previous year, as DfE pairs them) and multiplied by 10,000.",
    numerator: "Open child protection plans",
    denominator: "Children aged 0 to 17 (ONS mid-year estimate, previous year)",
    periodType: "snapshot",
    unit: "rate",
    higherIsBetter: null,
    seeds: ["000"],
    breakdowns: [],
    dfe: { file: "D5", spec: { numerator: "d5.CPP_At31", denominator: "population", multiplier: 10000 } },
    units: (children, period) =>
      cpPlans(children)
        .filter(({ plan }) => openOn(plan, period.end))
        .map(({ child }) => ({ personId: child.personId, num: true, den: true })),
  },
  ...DURATION_BANDS.map(durationIndicator),
  {
    id: "cp-second-plan",
    title: "Child protection plans that were a second or subsequent plan (%)",
    group: "dfe",
    definition:
      "Of the child protection plans that started in the period, the percentage where the child had been the subject of a plan before, however long ago (NumberOfPreviousCPP above 0, as recorded when the plan started; DfE file D3).",
    numerator: "Plans started with one or more previous plans",
    denominator: "Plans started in the period",
    periodType: "during",
    unit: "percent",
    higherIsBetter: false,
    seeds: ["001", "002"],
    breakdowns: ALL,
    dfe: {
      file: "D3",
      spec: {
        numerator: "d3.CPP_subsequent",
        denominator: "d3.CPP_start",
        published: "d3.CPP_subsequent_percent",
        multiplier: 100,
      },
    },
    units: (children, period) =>
      cpPlans(children)
        .filter(({ plan }) => within(plan.start, period))
        .map(({ child, plan }) => ({ personId: child.personId, num: plan.previousPlans > 0, den: true })),
  },
  {
    id: "referrals",
    title: "Referrals to children's social care",
    group: "dfe",
    definition:
      "Referrals received by children's social care in the period (each one starts an episode), including those closed with no further action (DfE file C1, referral_count).",
    numerator: "Referrals received",
    denominator: null,
    periodType: "during",
    unit: "count",
    higherIsBetter: null,
    seeds: ["001", "004"],
    breakdowns: ALL,
    dfe: { file: "C1", spec: { numerator: "c1.referral_count", multiplier: 1 } },
    units: (children, period) =>
      referrals(children)
        .filter(({ episode }) => within(episode.referralDate, period))
        .map(({ child }) => ({ personId: child.personId, num: true, den: true })),
  },
  {
    id: "rereferral-12m",
    title: "Re-referrals within 12 months (%)",
    group: "dfe",
    definition:
      "Of the referrals received in the period, the percentage received within 12 months of the same child's previous referral (DfE file C1, rereferral_percent).",
    numerator: "Referrals within 12 months of a previous referral",
    denominator: "Referrals received in the period",
    periodType: "during",
    unit: "percent",
    higherIsBetter: false,
    seeds: ["002", "004"],
    breakdowns: ALL,
    dfe: {
      file: "C1",
      spec: {
        numerator: "c1.rereferral_count",
        denominator: "c1.referral_count",
        published: "c1.rereferral_percent",
        multiplier: 100,
      },
    },
    units: (children, period) =>
      referrals(children)
        .filter(({ episode }) => within(episode.referralDate, period))
        .map(({ child, episode }) => ({
          personId: child.personId,
          num: isReReferral(child, episode),
          den: true,
        })),
  },
  {
    id: "referral-nfa",
    title: "Referrals that ended in no further action (%)",
    group: "dfe",
    definition:
      "Of the referrals received in the period, the percentage closed with no further action (ReferralNFA: the referral led to no assessment, section 47 enquiry or plan; DfE file C1, no_further_action_percent).",
    numerator: "Referrals received in the period that ended in no further action",
    denominator: "Referrals received in the period",
    periodType: "during",
    unit: "percent",
    higherIsBetter: null,
    seeds: ["001", "004"],
    breakdowns: ALL,
    dfe: {
      file: "C1",
      spec: {
        numerator: "c1.no_further_action_count",
        denominator: "c1.referral_count",
        published: "c1.no_further_action_percent",
        multiplier: 100,
      },
    },
    units: (children, period) =>
      referrals(children)
        .filter(({ episode }) => within(episode.referralDate, period))
        .map(({ child, episode }) => ({ personId: child.personId, num: episode.nfa, den: true })),
  },
  {
    id: "cin-at-31-march",
    title: "Children in need at the period end",
    group: "dfe",
    definition:
      "Children with a children's social care episode open on the last day of the period (referred on or before it, not closed by it), leaving out referrals closed with no further action (DfE file B1, At31_episodes).",
    numerator: "Children with an open episode",
    denominator: null,
    periodType: "snapshot",
    unit: "count",
    higherIsBetter: null,
    seeds: ["000"],
    breakdowns: ALL,
    dfe: { file: "B1", spec: { numerator: "b1.At31_episodes", multiplier: 1 } },
    units: (children, period) =>
      perChild(
        referrals(children)
          .filter(
            ({ episode }) =>
              !episode.nfa &&
              episode.referralDate <= period.end &&
              (episode.closureDate === null || episode.closureDate > period.end),
          )
          .map(({ child }) => ({ personId: child.personId, num: true, den: true })),
      ),
  },
  {
    id: "cin-rate",
    title: "Children in need at the period end per 10,000 children",
    group: "dfe",
    definition:
      "Children in need on the last day of the period (as in 'Children in need at the period end'), divided by the number of children aged 0 to 17 (ONS mid-year estimate for the previous year) and multiplied by 10,000.",
    numerator: "Children with an open episode",
    denominator: "Children aged 0 to 17 (ONS mid-year estimate, previous year)",
    periodType: "snapshot",
    unit: "rate",
    higherIsBetter: null,
    seeds: ["000"],
    breakdowns: [],
    dfe: {
      file: "B1",
      spec: { numerator: "b1.At31_episodes", denominator: "population", multiplier: 10000 },
    },
    units: (children, period) =>
      perChild(
        referrals(children)
          .filter(
            ({ episode }) =>
              !episode.nfa &&
              episode.referralDate <= period.end &&
              (episode.closureDate === null || episode.closureDate > period.end),
          )
          .map(({ child }) => ({ personId: child.personId, num: true, den: true })),
      ),
  },
  ...(["s47", "icpc"] as const).map(
    (kind): Indicator => ({
      id: `${kind}-rate`,
      title:
        kind === "s47"
          ? "Section 47 enquiries started per 10,000 children"
          : "Initial child protection conferences per 10,000 children",
      group: "dfe",
      definition:
        kind === "s47"
          ? "Section 47 enquiries that started in the period, divided by the number of children aged 0 to 17 (the population the board's settings name) and multiplied by 10,000 (DfE file C4, Section47)."
          : "Initial child protection conferences held in the period after a section 47 enquiry, divided by the number of children aged 0 to 17 (the population the board's settings name) and multiplied by 10,000 (DfE file C4, ICPC).",
      numerator:
        kind === "s47" ? "Section 47 enquiries started" : "Initial child protection conferences held",
      denominator: "Children aged 0 to 17",
      periodType: "during",
      unit: "rate",
      higherIsBetter: null,
      seeds: ["002"],
      breakdowns: [],
      dfe: {
        file: "C4",
        spec: {
          numerator: kind === "s47" ? "c4.Section47" : "c4.ICPC",
          denominator: "population",
          multiplier: 10000,
        },
      },
      units: (children, period) =>
        indexOf(children)
          .section47s.filter(({ section47: s }) => within(kind === "s47" ? s.start : s.icpc, period))
          .map(({ child }) => ({ personId: child.personId, num: true, den: true })),
    }),
  ),
];
