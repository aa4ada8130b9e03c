// SPDX-License-Identifier: MIT
/**
 * What the indicator definitions share: the index of each list of children, the neglect tests, DfE's
 * duration bands and factors, age bands and the counting helpers.
 */
import {
  addMonths,
  ageOn,
  type ChildModel,
  type CpPlanModel,
  daysBetween,
  type EpisodeModel,
  type IsoDate,
  openOn,
  type Period,
  within,
} from "../model.ts";
import type { Breakdown, Unit } from "./types.ts";

/** Every breakdown: most indicators can be split by all of them. */
export const ALL: Breakdown[] = ["age", "sex", "ethnicity", "disability", "area", "agency", "team", "level"];

export const NEGLECT = "NEG";

type PlanOf = { child: ChildModel; episode: EpisodeModel; plan: CpPlanModel };

/**
 * The children of a list who have any records of each kind, and every episode and plan with its child,
 * made once per list and kept while the list lives. A dashboard computes some 45 indicators over 13
 * periods: scanning only the children with episodes (or early help, requests, chronology, scores) gives
 * the same units, since a child with none of a kind has none of it to count, without walking every
 * child of a 100,000-child partnership each time.
 */
type ChronologyOf = { child: ChildModel; entry: ChildModel["chronology"][number] };

type ChildIndex = {
  plans: PlanOf[];
  referrals: { child: ChildModel; episode: EpisodeModel }[];
  assessments: {
    child: ChildModel;
    episode: EpisodeModel;
    assessment: EpisodeModel["assessments"][number];
  }[];
  section47s: { child: ChildModel; section47: EpisodeModel["section47s"][number] }[];
  cinPlans: { child: ChildModel; episode: EpisodeModel; plan: EpisodeModel["cinPlans"][number] }[];
  /** Every chronology entry by its type, each child's in the child's order. */
  chronologyByType: Map<string, ChronologyOf[]>;
  /** Chronology entries marked as indicating neglect. */
  chronologyOfNeglect: ChronologyOf[];
  withEarlyHelp: ChildModel[];
  withRequests: ChildModel[];
  withChronology: ChildModel[];
  withScores: ChildModel[];
  /** Children with an episode where neglect was a feature, or early help that identified neglect. */
  withNeglectWork: ChildModel[];
  /** Children with two or more child protection plans. */
  withRepeatPlans: ChildModel[];
};

const indexes = new WeakMap<readonly ChildModel[], ChildIndex>();

export const indexOf = (children: readonly ChildModel[]): ChildIndex => {
  const known = indexes.get(children);
  if (known) return known;
  const index: ChildIndex = {
    plans: children.flatMap((child) =>
      child.episodes.flatMap((episode) => episode.cpPlans.map((plan) => ({ child, episode, plan }))),
    ),
    referrals: children.flatMap((child) => child.episodes.map((episode) => ({ child, episode }))),
    assessments: children.flatMap((child) =>
      child.episodes.flatMap((episode) =>
        episode.assessments.map((assessment) => ({ child, episode, assessment })),
      ),
    ),
    section47s: children.flatMap((child) =>
      child.episodes.flatMap((episode) => episode.section47s.map((section47) => ({ child, section47 }))),
    ),
    cinPlans: children.flatMap((child) =>
      child.episodes.flatMap((episode) => episode.cinPlans.map((plan) => ({ child, episode, plan }))),
    ),
    chronologyByType: new Map(),
    chronologyOfNeglect: [],
    withEarlyHelp: children.filter((c) => c.earlyHelp.length > 0),
    withRequests: children.filter((c) => c.requests.length > 0),
    withChronology: children.filter((c) => c.chronology.length > 0),
    withScores: children.filter((c) => c.scores.length > 0),
    withNeglectWork: children.filter(
      (c) => c.episodes.some(neglectFeature) || c.earlyHelp.some((h) => h.neglectIdentified),
    ),
    withRepeatPlans: children.filter((c) => c.episodes.reduce((n, e) => n + e.cpPlans.length, 0) > 1),
  };
  for (const child of index.withChronology)
    for (const entry of child.chronology) {
      const ofType = index.chronologyByType.get(entry.type);
      if (ofType) ofType.push({ child, entry });
      else index.chronologyByType.set(entry.type, [{ child, entry }]);
      if (entry.neglectTypes.length > 0) index.chronologyOfNeglect.push({ child, entry });
    }
  indexes.set(children, index);
  return index;
};

export const cpPlans = (children: readonly ChildModel[]): PlanOf[] => indexOf(children).plans;

export const referrals = (children: readonly ChildModel[]) => indexOf(children).referrals;

/** An episode in which neglect was a feature: primary need N1 with factor 16A, or a plan for neglect. */
export const neglectFeature = (episode: EpisodeModel): boolean =>
  episode.assessments.some((a) => a.factors.includes("16A")) ||
  episode.cpPlans.some((p) => p.initialCategory === NEGLECT || p.latestCategory === NEGLECT);

export const isNeglectPlan = (plan: CpPlanModel) => plan.latestCategory === NEGLECT;

/** DfE D5 duration bands of a plan open on a day. */
export const DURATION_BANDS = [
  "3 months or less",
  "More than 3 months, up to 6 months",
  "More than 6 months, less than 1 year",
  "1 year, less than 2 years",
  "2 years or more",
] as const;

export const durationBand = (start: IsoDate, on: IsoDate): (typeof DURATION_BANDS)[number] => {
  if (on <= addMonths(start, 3)) return DURATION_BANDS[0];
  if (on <= addMonths(start, 6)) return DURATION_BANDS[1];
  if (on < addMonths(start, 12)) return DURATION_BANDS[2];
  if (on < addMonths(start, 24)) return DURATION_BANDS[3];
  return DURATION_BANDS[4];
};

/** Age bands for the age profile: unborn, under 1, 1-3, 4-5, 6-9, 10-15, 16-17. */
export const ageBand = (child: ChildModel, on: IsoDate): string => {
  const age = ageOn(child, on);
  if (age === null) return child.expectedDateOfBirth ? "Unborn" : "Age not known";
  if (age < 1) return "Under 1";
  if (age <= 3) return "1 to 3";
  if (age <= 5) return "4 to 5";
  if (age <= 9) return "6 to 9";
  if (age <= 15) return "10 to 15";
  return "16 and over";
};

/** Months between two dates, to one decimal place (30.4375 days a month). */
export const monthsBetween = (a: IsoDate, b: IsoDate): number =>
  Math.round((daysBetween(a, b) / 30.4375) * 10) / 10;

/** Whether a referral came within 12 months of the child's previous referral (any episode). */
export const previousReferral = (child: ChildModel, episode: EpisodeModel): EpisodeModel | undefined =>
  child.episodes
    .filter((e) => e.referralDate < episode.referralDate)
    .sort((a, b) => (a.referralDate < b.referralDate ? -1 : 1))
    .at(-1);

export const isReReferral = (child: ChildModel, episode: EpisodeModel): boolean => {
  const previous = previousReferral(child, episode);
  return previous !== undefined && episode.referralDate <= addMonths(previous.referralDate, 12);
};

export const perChild = (units: Unit[]): Unit[] => {
  const seen = new Map<string, Unit>();
  for (const u of units) {
    const known = seen.get(u.personId);
    if (!known) seen.set(u.personId, { ...u });
    else {
      known.num ||= u.num;
      known.den ||= u.den;
    }
  }
  return [...seen.values()];
};

/** Children on a CP plan for neglect on a day, one unit each. */
export const onNeglectPlan = (children: readonly ChildModel[], on: IsoDate) =>
  cpPlans(children).filter(({ plan }) => isNeglectPlan(plan) && openOn(plan, on));

/** Children with a chronology entry of a type during the period, one unit each. */
export const chronologyChildren = (children: readonly ChildModel[], period: Period, type: string): Unit[] => {
  const counted = new Set<ChildModel>();
  for (const { child, entry } of indexOf(children).chronologyByType.get(type) ?? [])
    if (within(entry.date, period)) counted.add(child);
  return [...counted].map((child) => ({ personId: child.personId, num: true, den: true }));
};

/** Factors DfE's C3 reports beside neglect, with the file's column. */
export const FACTORS = [
  { code: "16A", column: "Neglect", title: "neglect" },
  { code: "1B", column: "Alcohol_Misuse_parent", title: "parental alcohol misuse" },
  { code: "2B", column: "Drug_Misuse_parent", title: "parental drug misuse" },
  { code: "3B", column: "Domestic_Abuse_parent", title: "domestic abuse (parent or carer)" },
  { code: "4B", column: "Mental_Health_parent", title: "parental mental health" },
  { code: "5B", column: "Learning_Disability_parent", title: "parental learning disability" },
] as const;

/** A plan's reviews, each with whether it was held within timescale (3 months after the start, then 6). */
export const reviewTimeliness = (plan: CpPlanModel): { date: IsoDate; onTime: boolean }[] => {
  const reviews = [...plan.reviews].sort();
  return reviews.map((date, i) => {
    const due = i === 0 ? addMonths(plan.start, 3) : addMonths(reviews[i - 1] ?? plan.start, 6);
    return { date, onTime: date <= due };
  });
};
