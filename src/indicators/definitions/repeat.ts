// SPDX-License-Identifier: MIT
/** Repeat plans and re-referrals. */
import { within } from "../model.ts";
import {
  ALL,
  cpPlans,
  isReReferral,
  NEGLECT,
  neglectFeature,
  previousReferral,
  referrals,
} from "./shared.ts";
import type { Indicator } from "./types.ts";

/** Repeat plans and re-referrals. */
export const REPEAT_INDICATORS: readonly Indicator[] = [
  {
    id: "cp-repeat-neglect",
    title: "Repeat plans for neglect: plans for neglect whose previous plan was also for neglect (%)",
    group: "repeat",
    definition:
      "Of the child protection plans started in the period for neglect (initial category NEG), the percentage where the child's previous plan recorded in Hearth was also for neglect (its latest category NEG).",
    numerator: "Plans for neglect following a plan for neglect",
    denominator: "Plans started for neglect",
    periodType: "during",
    unit: "percent",
    higherIsBetter: false,
    seeds: ["001", "002"],
    breakdowns: ALL,
    units: (children, period) =>
      cpPlans(children)
        .filter(({ plan }) => within(plan.start, period) && plan.initialCategory === NEGLECT)
        .map(({ child, plan }) => {
          const previous = child.episodes
            .flatMap((e) => e.cpPlans)
            .filter((p) => p.start < plan.start)
            .sort((a, b) => (a.start < b.start ? -1 : 1))
            .at(-1);
          return {
            personId: child.personId,
            num: previous !== undefined && previous.latestCategory === NEGLECT,
            den: true,
          };
        }),
  },
  {
    id: "rereferral-neglect",
    title: "Re-referrals within 12 months where neglect was a feature",
    group: "repeat",
    definition:
      "Referrals received in the period within 12 months of the child's previous referral, where neglect was a feature of this episode or the previous one (assessment factor 16A, or a plan for neglect).",
    numerator: "Re-referrals where neglect was a feature",
    denominator: null,
    periodType: "during",
    unit: "count",
    higherIsBetter: false,
    seeds: ["002", "004"],
    breakdowns: ALL,
    units: (children, period) =>
      referrals(children)
        .filter(({ child, episode }) => {
          if (!within(episode.referralDate, period) || !isReReferral(child, episode)) return false;
          const previous = previousReferral(child, episode);
          return neglectFeature(episode) || (previous !== undefined && neglectFeature(previous));
        })
        .map(({ child }) => ({ personId: child.personId, num: true, den: true })),
  },
];
