// SPDX-License-Identifier: MIT
/**
 * The indicator registry: every measure the partnership's neglect strategies name, each defined once.
 * The plain-English definition is what users read on the indicator page and in the board report's
 * appendix, and it describes exactly what `units` computes. Where DfE publishes the same measure, the
 * definition follows DfE's (../../../shared/spec-cin-census.md §1.6) and `dfe` says how to read the
 * published figure for the benchmark.
 *
 * Each computation returns "units" (a plan, a referral, a child...) marked as in the numerator and/or
 * denominator, with the child they belong to. Values, breakdowns and drill-downs all come from the same
 * units, so a breakdown always adds up to the headline and the children behind a number are exactly
 * those counted.
 */
import { TIMESCALES, workingDaysBetween } from "../pathways/working-days.ts";
import type { BenchmarkSpec } from "./benchmarks.ts";
import { SMALL_NUMBER } from "./disclosure.ts";
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
} from "./model.ts";

/** The five strategies this project grew from (../shared/seeds): 000 to 004. */
export type Seed = "000" | "001" | "002" | "003" | "004";

export const SEED_NAMES: Record<Seed, string> = {
  "000": "Neglect strategy 000",
  "001": "Northamptonshire neglect strategy (001)",
  "002": "Neglect strategy 002",
  "003": "Somerset neglect strategy (003)",
  "004": "Portsmouth neglect strategy (004)",
};

export type Unit = {
  personId: string;
  num: boolean;
  den: boolean;
  /** The measured amount, for averages (months, points). */
  x?: number;
  /** A sub-group the unit belongs to (a duration band, an age band, a factor), for the indicator's own split. */
  group?: string;
};

export type Breakdown = "age" | "sex" | "ethnicity" | "disability" | "area" | "agency" | "team" | "level";

export const BREAKDOWNS: Record<Breakdown, string> = {
  age: "Age band",
  sex: "Sex",
  ethnicity: "Ethnicity",
  disability: "Disability",
  area: "Area (ward)",
  agency: "Agency involved",
  team: "Team",
  level: "Level of need",
};

export type Unit_ = "count" | "percent" | "rate" | "months" | "points";

export type IndicatorGroup =
  | "dfe"
  | "neglect"
  | "repeat"
  | "front-door"
  | "wellbeing"
  | "timeliness"
  | "equality"
  | "learning";

export const GROUPS: Record<IndicatorGroup, string> = {
  dfe: "DfE comparable measures",
  neglect: "Child protection and child in need plans for neglect",
  repeat: "Repeat plans and re-referrals",
  "front-door": "Referrals, early help and consultations",
  wellbeing: "Children's health, education and safety",
  timeliness: "Timeliness: no drift",
  equality: "Age profile and disproportionality",
  learning: "Learning: case audits and feedback from children and families",
};

export type Indicator = {
  id: string;
  title: string;
  group: IndicatorGroup;
  /** What is counted, in plain English, exactly as computed. */
  definition: string;
  numerator: string;
  denominator: string | null;
  /** A snapshot on the period's last day, or events during the period. */
  periodType: "snapshot" | "during";
  unit: Unit_;
  /** null where neither direction is simply better (e.g. a count of referrals). */
  higherIsBetter: boolean | null;
  seeds: Seed[];
  breakdowns: Breakdown[];
  /** The label of the indicator's own split (duration band, factor, age band), if it has one. */
  groupLabel?: string;
  /** How the DfE-published figure is read, for comparable indicators. */
  dfe?: { file: string; spec: BenchmarkSpec };
  /** Published figures shown beside the indicator as context: Hearth does not compute them. */
  context?: readonly ContextBenchmark[];
  units: (children: readonly ChildModel[], period: Period) => Unit[];
};

/**
 * A published figure that sets an indicator in context without being the same measure: the absence of
 * children on plans, injury admissions, the social work workforce. Hearth shows the partnership's
 * published value, England's, the region's and the neighbours' median, and never its own beside it.
 */
export type ContextBenchmark = {
  title: string;
  /** The publication, as a reader would look it up. */
  source: string;
  unit: Unit_;
  spec: BenchmarkSpec;
  /** How the published figure differs from Hearth's indicator. */
  note: string;
};

const ABSENCE_SOURCE =
  "DfE, pupil absence of children in social care (Total of all school phases; academic year shown against the 31 March inside it)";

/** Persistent absence of children on a CP plan and in need at 31 March (DfE). */
export const ABSENCE_CONTEXT: readonly ContextBenchmark[] = (["cpp", "cin"] as const).map((group) => ({
  title:
    group === "cpp"
      ? "Pupils on a child protection plan at 31 March who were persistently absent (%)"
      : "Pupils in need at 31 March (not on a plan or looked after) who were persistently absent (%)",
  source: ABSENCE_SOURCE,
  unit: "percent",
  spec: {
    numerator: `absence.${group}_t_pupils_pa_10_exact`,
    denominator: `absence.${group}_t_pupils`,
    published: `absence.${group}_pt_pupils_pa_10_exact`,
    multiplier: 100,
  },
  note: "Persistent absence is missing 10% or more of possible sessions. Hearth counts the children with a persistent absence entry in their chronology; it does not know every pupil's sessions, so it does not compute this percentage.",
}));

/** Hospital admissions for injuries, children aged 0 to 14 (OHID). */
export const INJURIES_CONTEXT: readonly ContextBenchmark[] = [
  {
    title:
      "Hospital admissions caused by unintentional and deliberate injuries, children aged 0 to 14, per 10,000",
    source: "OHID Fingertips, indicator 90284 (financial year; no regional figure is published)",
    unit: "rate",
    spec: {
      numerator: "injuries.count",
      denominator: "injuries.denominator",
      published: "injuries.rate",
      multiplier: 10000,
    },
    note: "Hearth records injuries and A&E attendances in children's chronologies but not every admission in the area, so it does not compute this rate.",
  },
];

const CSWW_SOURCE =
  "DfE, children's social work workforce (figures at 30 September, in the year DfE publishes them)";
const CSWW_NOTE =
  "The authority's social workers, not only those working with neglect: context for how quickly work is done.";

/** The children's social work workforce (DfE). */
export const WORKFORCE_CONTEXT: readonly ContextBenchmark[] = [
  {
    title: "Social worker turnover (%, full-time equivalent)",
    source: CSWW_SOURCE,
    unit: "percent",
    spec: {
      numerator: "csww.leavers_fte",
      denominator: "csww.inpost_fte",
      published: "csww.turnover_rate_fte",
      multiplier: 100,
    },
    note: CSWW_NOTE,
  },
  {
    title: "Agency social workers (%, full-time equivalent)",
    source: CSWW_SOURCE,
    unit: "percent",
    spec: {
      numerator: "csww.agency_fte",
      denominator: "csww.inpost_and_agency_fte",
      published: "csww.agency_rate_fte",
      multiplier: 100,
    },
    note: CSWW_NOTE,
  },
  {
    title: "Social worker vacancies (%, full-time equivalent)",
    source: CSWW_SOURCE,
    unit: "percent",
    spec: {
      numerator: "csww.vacancy_fte",
      denominator: "csww.inpost_and_vacancy_fte",
      published: "csww.vacancy_rate_fte",
      multiplier: 100,
    },
    note: CSWW_NOTE,
  },
  {
    title: "Average caseload per case-holding social worker (full-time equivalent)",
    source: CSWW_SOURCE,
    unit: "count",
    spec: {
      numerator: "csww.cases",
      denominator: "csww.case_holders_fte",
      published: "csww.caseload_fte",
      multiplier: 1,
    },
    note: CSWW_NOTE,
  },
];

/** Section 47 enquiries, conferences and the days between them (DfE file C4). */
export const C4_CONTEXT: readonly ContextBenchmark[] = [
  {
    title: "Median working days from the start of a section 47 enquiry to the initial conference",
    source: "DfE, children in need, file C4",
    unit: "count",
    spec: { numerator: "c4.Duration_median", multiplier: 1, combinable: false },
    note: "DfE's median over the authority's conferences; a median cannot be added across authorities, so a partnership of several has none.",
  },
];

const ALL: Breakdown[] = ["age", "sex", "ethnicity", "disability", "area", "agency", "team", "level"];

const GOOD_OR_BETTER = new Set(["outstanding", "good"]);

/** Case audits and feedback from children and families (src/learning), in the registry's own terms. */
const LEARNING_INDICATORS: readonly Indicator[] = [
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
const NEGLECT = "NEG";

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

const indexOf = (children: readonly ChildModel[]): ChildIndex => {
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

const cpPlans = (children: readonly ChildModel[]): PlanOf[] => indexOf(children).plans;

const referrals = (children: readonly ChildModel[]) => indexOf(children).referrals;

/** An episode in which neglect was a feature: primary need N1 with factor 16A, or a plan for neglect. */
const neglectFeature = (episode: EpisodeModel): boolean =>
  episode.assessments.some((a) => a.factors.includes("16A")) ||
  episode.cpPlans.some((p) => p.initialCategory === NEGLECT || p.latestCategory === NEGLECT);

const isNeglectPlan = (plan: CpPlanModel) => plan.latestCategory === NEGLECT;

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
const previousReferral = (child: ChildModel, episode: EpisodeModel): EpisodeModel | undefined =>
  child.episodes
    .filter((e) => e.referralDate < episode.referralDate)
    .sort((a, b) => (a.referralDate < b.referralDate ? -1 : 1))
    .at(-1);

const isReReferral = (child: ChildModel, episode: EpisodeModel): boolean => {
  const previous = previousReferral(child, episode);
  return previous !== undefined && episode.referralDate <= addMonths(previous.referralDate, 12);
};

const perChild = (units: Unit[]): Unit[] => {
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
const onNeglectPlan = (children: readonly ChildModel[], on: IsoDate) =>
  cpPlans(children).filter(({ plan }) => isNeglectPlan(plan) && openOn(plan, on));

/** Children with a chronology entry of a type during the period, one unit each. */
const chronologyChildren = (children: readonly ChildModel[], period: Period, type: string): Unit[] => {
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

/** A plan's reviews, each with whether it was held within timescale (3 months after the start, then 6). */
const reviewTimeliness = (plan: CpPlanModel): { date: IsoDate; onTime: boolean }[] => {
  const reviews = [...plan.reviews].sort();
  return reviews.map((date, i) => {
    const due = i === 0 ? addMonths(plan.start, 3) : addMonths(reviews[i - 1] ?? plan.start, 6);
    return { date, onTime: date <= due };
  });
};

export const INDICATORS: readonly Indicator[] = [
  // DfE comparables
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
  // Neglect plans
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
  // Repeat plans and re-referrals
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
  // Front door, early help, consultations
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
  // Wellbeing
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
      return [...first].map(([child, date]) => {
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
  // Timeliness
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
  // Equality
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
  // Learning (issue 15): case audits and feedback, from src/learning; computed from the same child model.
  ...LEARNING_INDICATORS,
];

/** @returns The indicator with this id, or undefined. */
export const indicatorById = (id: string): Indicator | undefined => INDICATORS.find((i) => i.id === id);

export type Figure = {
  numerator: number;
  denominator: number | null;
  value: number | null;
};

/**
 * The figure from units.
 * @param population - Children aged 0 to 17, for rates; null when not known (the rate is then unknown).
 */
export const figureOf = (
  indicator: Pick<Indicator, "unit">,
  units: readonly Unit[],
  population: number | null,
): Figure => {
  const num = units.filter((u) => u.num);
  return figureOfCounts(
    indicator,
    { num: num.length, den: units.filter((u) => u.den).length, xs: num.map((u) => u.x ?? 0) },
    population,
  );
};

/**
 * The figure from counted units: how many are in the numerator and the denominator, and the numerator's
 * measured amounts in the units' order (stored units are counted in SQL, then made into figures here).
 */
export const figureOfCounts = (
  indicator: Pick<Indicator, "unit">,
  counts: { num: number; den: number; xs: readonly number[] },
  population: number | null,
): Figure => {
  const { num, den } = counts;
  switch (indicator.unit) {
    case "count":
      return { numerator: num, denominator: null, value: num };
    case "percent":
      return {
        numerator: num,
        denominator: den,
        value: den === 0 ? null : Math.round((num / den) * 1000) / 10,
      };
    case "rate":
      return {
        numerator: num,
        denominator: population,
        value: population ? Math.round((num / population) * 100000) / 10 : null,
      };
    case "months":
    case "points": {
      const total = counts.xs.reduce((sum, x) => sum + x, 0);
      return {
        numerator: Math.round(total * 10) / 10,
        denominator: counts.xs.length,
        value: counts.xs.length === 0 ? null : Math.round((total / counts.xs.length) * 10) / 10,
      };
    }
  }
};

/**
 * Computes an indicator for a period.
 * @returns The figure and the units behind it.
 */
export const compute = (
  indicator: Indicator,
  children: readonly ChildModel[],
  period: Period,
  population: number | null,
): Figure & { units: Unit[] } => {
  const units = indicator.units(children, period);
  return { ...figureOf(indicator, units, population), units };
};

/** The key a child falls under for a breakdown, on a day. */
export const breakdownKeys = (child: ChildModel, breakdown: Breakdown, on: IsoDate): string[] => {
  switch (breakdown) {
    case "age":
      return [ageBand(child, on)];
    case "sex":
      return [child.sex];
    case "ethnicity":
      return [child.ethnicity ?? "Not recorded"];
    case "disability":
      return [child.disabled ? "Disabled" : "Not recorded as disabled"];
    case "area":
      return [child.area ?? "Not recorded"];
    case "agency": {
      const open = child.involvements.filter((i) => i.start <= on && (i.end === null || i.end >= on));
      return open.length > 0 ? [...new Set(open.map((i) => i.agencyId))] : ["No agency involved"];
    }
    case "team":
      return [child.teamId ?? "No allocated team"];
    case "level":
      return [child.levels.filter((l) => l.date <= on).at(-1)?.level ?? "No level recorded"];
  }
};

/**
 * Splits an indicator's units by a breakdown (a child in two agencies counts in both rows, so the
 * agency rows may add to more than the whole).
 * @returns Each group's figure, largest numerator first.
 */
export const breakdownOf = (
  indicator: Indicator,
  units: readonly Unit[],
  children: ReadonlyMap<string, ChildModel>,
  breakdown: Breakdown,
  on: IsoDate,
): { key: string; figure: Figure; personIds: string[] }[] => {
  const groups = new Map<string, Unit[]>();
  for (const unit of units) {
    const child = children.get(unit.personId);
    if (!child) continue;
    for (const key of breakdownKeys(child, breakdown, on)) {
      const group = groups.get(key);
      if (group) group.push(unit);
      else groups.set(key, [unit]);
    }
  }
  return breakdownRows(indicator, groups);
};

/**
 * Each breakdown group's figure (a rate's group is a count: no population is known for a group).
 * @returns Largest numerator first.
 */
export const breakdownRows = (indicator: Indicator, groups: ReadonlyMap<string, readonly Unit[]>) =>
  [...groups.entries()]
    .map(([key, group]) => ({
      key,
      figure: figureOf(indicator.unit === "rate" ? { unit: "count" } : indicator, group, null),
      personIds: [...new Set(group.filter((u) => u.num).map((u) => u.personId))],
    }))
    .sort((a, b) => b.figure.numerator - a.figure.numerator || a.key.localeCompare(b.key));

/** Splits by the indicator's own groups (duration band, age band...). */
export const ownGroupsOf = (_indicator: Indicator, units: readonly Unit[]) => {
  const groups = new Map<string, Unit[]>();
  for (const unit of units) {
    if (!unit.group) continue;
    const group = groups.get(unit.group);
    if (group) group.push(unit);
    else groups.set(unit.group, [unit]);
  }
  return [...groups.entries()].map(([key, group]) => ({
    key,
    count: group.length,
    share: units.length === 0 ? null : Math.round((group.length / units.length) * 1000) / 10,
    personIds: [...new Set(group.map((u) => u.personId))],
  }));
};

/**
 * Disproportionality: each group's share of the children counted against its share of a population.
 * @returns Rows with both shares and their ratio (1 is proportionate; above 1 over-represented); no
 * ratio where fewer than 5 of the group are counted.
 */
export const disproportionality = (
  counted: readonly ChildModel[],
  population: readonly ChildModel[],
  key: (child: ChildModel) => string,
): {
  key: string;
  counted: number;
  countedShare: number | null;
  population: number;
  populationShare: number | null;
  ratio: number | null;
}[] => {
  const tally = (list: readonly ChildModel[]) => {
    const m = new Map<string, number>();
    for (const c of list) m.set(key(c), (m.get(key(c)) ?? 0) + 1);
    return m;
  };
  return disproportionalityOfTallies(tally(counted), tally(population));
};

/** Disproportionality from each group's counts: counted children and population, by group key. */
export const disproportionalityOfTallies = (
  a: ReadonlyMap<string, number>,
  b: ReadonlyMap<string, number>,
) => {
  const countedTotal = [...a.values()].reduce((s, n) => s + n, 0);
  const populationTotal = [...b.values()].reduce((s, n) => s + n, 0);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys.map((k) => {
    const n = a.get(k) ?? 0;
    const p = b.get(k) ?? 0;
    const countedShare = countedTotal === 0 ? null : (n / countedTotal) * 100;
    const populationShare = populationTotal === 0 ? null : (p / populationTotal) * 100;
    return {
      key: k,
      counted: n,
      countedShare: countedShare === null ? null : Math.round(countedShare * 10) / 10,
      population: p,
      populationShare: populationShare === null ? null : Math.round(populationShare * 10) / 10,
      // A ratio from fewer than 5 children says nothing about a group (one child gave 31.93): not made.
      ratio:
        countedShare === null || !populationShare || n < SMALL_NUMBER
          ? null
          : Math.round((countedShare / populationShare) * 100) / 100,
    };
  });
};
