// SPDX-License-Identifier: MIT
/**
 * Every indicator on one small hand-built partnership, with each expected figure worked out here from
 * the histories below (the reporting year 2024-25: 1 April 2024 to 31 March 2025).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ChildModel, type EpisodeModel, reportingQuarter, reportingYear } from "./model.ts";
import {
  breakdownOf,
  compute,
  DURATION_BANDS,
  disproportionality,
  durationBand,
  INDICATORS,
  indicatorById,
  monthsBetween,
  ownGroupsOf,
} from "./registry.ts";

const episode = (e: Partial<EpisodeModel> & { referralDate: string }): EpisodeModel => ({
  nfa: false,
  closureDate: null,
  closureReason: null,
  primaryNeed: null,
  assessments: [],
  section47s: [],
  cinPlans: [],
  cpPlans: [],
  enteredCare: null,
  ...e,
});

const child = (c: Partial<ChildModel> & { personId: string }): ChildModel => ({
  dateOfBirth: "2012-01-01",
  expectedDateOfBirth: null,
  sex: "F",
  ethnicity: "WBRI",
  disabled: false,
  area: "Bevois",
  involvements: [],
  teamId: null,
  levels: [],
  episodes: [],
  earlyHelp: [],
  requests: [],
  chronology: [],
  scores: [],
  ...c,
});

const plan = (
  start: string,
  end: string | null,
  category: string,
  previousPlans = 0,
  reviews: string[] = [],
) => ({
  start,
  end,
  initialCategory: category,
  latestCategory: category,
  previousPlans,
  reviews,
});

/** A: a baby on a plan for neglect since May 2024, registered with a children's centre. */
const A = child({
  personId: "A",
  dateOfBirth: "2024-06-01",
  involvements: [{ agencyId: "centre", agencyType: "early-help", start: "2024-06-10", end: null }],
  levels: [{ date: "2024-05-01", level: "specialist" }],
  episodes: [
    episode({
      referralDate: "2024-05-01",
      primaryNeed: "N1",
      assessments: [{ start: "2024-05-02", authorised: "2024-06-20", factors: ["16A", "3B"] }],
      section47s: [{ start: "2024-05-02", icpc: "2024-05-20", notRequired: false }],
      cpPlans: [plan("2024-05-20", null, "NEG", 0, ["2024-08-15", "2025-03-01"])],
    }),
  ],
});
/** B: a second plan for neglect after an earlier plan for neglect; attendance improved, health did not. */
const B = child({
  personId: "B",
  dateOfBirth: "2015-01-10",
  sex: "M",
  ethnicity: "ABAN",
  disabled: true,
  episodes: [
    episode({
      referralDate: "2022-01-10",
      closureDate: "2023-06-01",
      cpPlans: [plan("2022-02-01", "2023-05-01", "NEG")],
    }),
    episode({
      referralDate: "2024-07-01",
      closureDate: "2025-03-01",
      primaryNeed: "N4",
      assessments: [{ start: "2024-07-02", authorised: "2024-07-20", factors: ["1B"] }],
      section47s: [{ start: "2024-07-02", icpc: "2024-07-31", notRequired: false }],
      cpPlans: [plan("2024-08-01", "2025-02-01", "NEG", 1)],
    }),
  ],
  chronology: [
    {
      date: "2024-08-15",
      type: "persistent-absence",
      neglectTypes: ["educational"],
      agencyType: "education",
    },
    { date: "2024-08-20", type: "not-brought-dental", neglectTypes: ["medical"], agencyType: "health" },
    { date: "2024-09-10", type: "school-absence", neglectTypes: [], agencyType: "education" },
    { date: "2024-12-01", type: "not-brought-health", neglectTypes: ["medical"], agencyType: "health" },
    { date: "2025-01-10", type: "school-absence", neglectTypes: [], agencyType: "education" },
  ],
});
/** C: an NFA referral, a re-referral for neglect that led to a CIN plan and care, and an old plan for emotional abuse. */
const C = child({
  personId: "C",
  dateOfBirth: "2010-03-01",
  episodes: [
    episode({ referralDate: "2023-01-05", cpPlans: [plan("2023-02-01", null, "EMO")] }),
    episode({ referralDate: "2024-04-10", nfa: true, closureDate: "2024-04-11", closureReason: "RC8" }),
    episode({
      referralDate: "2024-09-01",
      primaryNeed: "N1",
      assessments: [{ start: "2024-09-02", authorised: "2024-12-20", factors: ["16A", "4B"] }],
      cinPlans: [{ start: "2024-09-20", end: null }],
      enteredCare: { date: "2025-01-15", categoryOfNeed: "N1" },
    }),
  ],
});
/** D: a toddler on a plan for neglect since December 2023; a police entry marked as neglect. */
const D = child({
  personId: "D",
  dateOfBirth: "2021-05-01",
  sex: "M",
  episodes: [
    episode({
      referralDate: "2023-11-01",
      section47s: [{ start: "2023-11-10", icpc: "2023-11-30", notRequired: false }],
      cpPlans: [plan("2023-12-01", null, "NEG", 0, ["2024-02-28", "2024-08-20"])],
    }),
  ],
  chronology: [
    { date: "2024-07-01", type: "police-call-out", neglectTypes: ["supervisory"], agencyType: "police" },
    { date: "2024-07-02", type: "police-call-out", neglectTypes: [], agencyType: "police" },
    { date: "2024-07-03", type: "home-conditions", neglectTypes: ["physical"], agencyType: "health" },
  ],
});
/** E: early help for neglect, a late decision, and a neglect score that fell by 20 points. */
const E = child({
  personId: "E",
  earlyHelp: [{ start: "2024-10-01", end: null, neglectIdentified: true }],
  requests: [{ received: "2024-09-16", decided: "2024-09-18", outcome: "early-help", neglect: true }],
  scores: [
    { date: "2024-05-01", tool: "t", score: 60 },
    { date: "2025-01-10", tool: "t", score: 40 },
  ],
});
/** F: early help without neglect, a timely decision, missing education, a single score. */
const F = child({
  personId: "F",
  earlyHelp: [{ start: "2024-11-01", end: "2025-01-01", neglectIdentified: false }],
  requests: [{ received: "2024-10-21", decided: "2024-10-22", outcome: "advice", neglect: false }],
  chronology: [{ date: "2024-06-01", type: "missing-education", neglectTypes: [], agencyType: "education" }],
  scores: [{ date: "2024-12-01", tool: "t", score: 50 }],
});
/** G: 16, not attending a health appointment; a neglect score that rose by 10 points. */
const G = child({
  personId: "G",
  dateOfBirth: "2008-01-01",
  chronology: [{ date: "2024-06-01", type: "not-brought-health", neglectTypes: [], agencyType: "health" }],
  scores: [
    { date: "2023-01-01", tool: "t", score: 70 },
    { date: "2024-06-01", tool: "t", score: 80 },
  ],
});

const CHILDREN = [A, B, C, D, E, F, G];
const YEAR = reportingYear(2025);
const POPULATION = 10_000;

/** Each indicator's expected value for 2024-25, worked out from the histories above. */
const EXPECTED: Record<string, { value: number | null; numerator: number; denominator?: number | null }> = {
  // Open at 31 March 2025: A (NEG, 10 months), C (EMO, over 2 years), D (NEG, 16 months).
  "cp-at-31-march": { value: 3, numerator: 3 },
  "cp-rate": { value: 3, numerator: 3 }, // 3 / 10,000 x 10,000
  "cp-duration-3m": { value: 0, numerator: 0, denominator: 3 },
  "cp-duration-3-6m": { value: 0, numerator: 0, denominator: 3 },
  "cp-duration-6-12m": { value: 33.3, numerator: 1, denominator: 3 },
  "cp-duration-1-2y": { value: 33.3, numerator: 1, denominator: 3 },
  "cp-duration-2y-plus": { value: 33.3, numerator: 1, denominator: 3 },
  // Started in the year: A (first plan), B (one previous plan).
  "cp-second-plan": { value: 50, numerator: 1, denominator: 2 },
  // Referrals in the year: A 1 May, B 1 July, C 10 April (NFA), C 1 September (within 12 months of April).
  referrals: { value: 4, numerator: 4 },
  "rereferral-12m": { value: 25, numerator: 1, denominator: 4 },
  // Of those four, C's 10 April referral ended in no further action.
  "referral-nfa": { value: 25, numerator: 1, denominator: 4 },
  // Open, not NFA, at 31 March: A, C (two open episodes, counted once), D. B closed 1 March.
  "cin-at-31-march": { value: 3, numerator: 3 },
  "cin-rate": { value: 3, numerator: 3 },
  "cp-neglect-start-rate": { value: 2, numerator: 2 }, // A and B started plans for neglect
  // Section 47 enquiries started in the year (A 2 May, B 2 July; D's was in 2023) and their conferences.
  "s47-rate": { value: 2, numerator: 2 },
  "icpc-rate": { value: 2, numerator: 2 },
  "cp-neglect-share-open": { value: 66.7, numerator: 2, denominator: 3 },
  "cp-neglect-share-started": { value: 100, numerator: 2, denominator: 2 },
  // Open plans for neglect at 31 March: D since 1 December 2023 (12 months or more); A not yet a year.
  "cp-neglect-open-12m": { value: 50, numerator: 1, denominator: 2 },
  // C's plan from 20 September 2024, factor 16A: the one open CIN plan for neglect.
  "cin-neglect-open-6m": { value: 100, numerator: 1, denominator: 1 },
  // B's plan 1 August 2024 to 1 February 2025: 184 days / 30.4375 = 6.05 months.
  "cp-neglect-length-at-closure": { value: 6, numerator: 6, denominator: 1 },
  // At 31 March: statutory A, C, D; early help only E.
  "neglect-statutory-share": { value: 75, numerator: 3, denominator: 4 },
  // Plans started for neglect: A (first plan) and B (this plan and the one before both neglect).
  "cp-repeat-neglect": { value: 50, numerator: 1, denominator: 2 },
  "rereferral-neglect": { value: 1, numerator: 1 }, // C's September referral had factor 16A
  // A (N1 with 16A), B (N4, but a plan for neglect), C September (N1 with 16A); not the NFA.
  "referrals-neglect": { value: 75, numerator: 3, denominator: 4 },
  "early-help-neglect": { value: 50, numerator: 1, denominator: 2 }, // E yes, F no
  "consultations-neglect": { value: 50, numerator: 1, denominator: 2 },
  "entered-care-neglect": { value: 1, numerator: 1 },
  // Assessments authorised with a factor: A [16A, 3B], B [1B], C [16A, 4B].
  "factor-16a": { value: 66.7, numerator: 2, denominator: 3 },
  "factor-1b": { value: 33.3, numerator: 1, denominator: 3 },
  "factor-2b": { value: 0, numerator: 0, denominator: 3 },
  "factor-3b": { value: 33.3, numerator: 1, denominator: 3 },
  "factor-4b": { value: 33.3, numerator: 1, denominator: 3 },
  "factor-5b": { value: 0, numerator: 0, denominator: 3 },
  // On plans for neglect, aged 0 to 5: A (0, with a children's centre), D (3, without).
  "cp-neglect-under5-childrens-centre": { value: 50, numerator: 1, denominator: 2 },
  // B's plan: first half 2 attendance concerns, second half 1: improved.
  "cp-neglect-attendance-improved": { value: 100, numerator: 1, denominator: 1 },
  // B's plan: first half 1 missed appointment, second half 1: not improved.
  "cp-neglect-health-improved": { value: 0, numerator: 0, denominator: 1 },
  "persistent-absence": { value: 1, numerator: 1 }, // B
  "missing-education": { value: 1, numerator: 1 }, // F
  "not-brought-appointments": { value: 2, numerator: 2 }, // B (not brought, 9), G (not attending, 16)
  "police-neglect-crimes": { value: 1, numerator: 1 }, // D's one police-recorded crime in the year
  // E: 60 to 40 (+20); G: 70 to 80 (-10); F has one score. Mean (20 - 10) / 2 = 5.
  "assessment-distance-travelled": { value: 5, numerator: 10, denominator: 2 },
  // E: 2 working days (late); F: 1 (on time).
  "timely-decisions": { value: 50, numerator: 1, denominator: 2 },
  // A: 33 working days; B: 13; C: 2 September to 20 December, 78: late.
  "timely-assessments": { value: 66.7, numerator: 2, denominator: 3 },
  // A: 2 to 20 May 2024, 11 working days (6 May a bank holiday); B: 2 to 31 July, 21: late.
  "timely-conferences": { value: 50, numerator: 1, denominator: 2 },
  // A: 15 August (due 20 August) on time, 1 March (due 15 February) late; D: 20 August (due 28 August) on time.
  "timely-reviews": { value: 66.7, numerator: 2, denominator: 3 },
  "cp-neglect-age-profile": { value: 50, numerator: 1, denominator: 2 }, // A under 1, D 1 to 3
  "cp-neglect-children": { value: 2, numerator: 2 },
  // The hand-built histories hold no case audits or feedback: nothing counted (figures with records are
  // tested in src/learning and test/browser/learning.test.ts).
  "audit-cases": { value: 0, numerator: 0 },
  "audit-good-or-better": { value: null, numerator: 0, denominator: 0 },
  "audit-actions-on-time": { value: null, numerator: 0, denominator: 0 },
  "family-feedback-score": { value: null, numerator: 0, denominator: 0 },
};

describe("the indicator registry", () => {
  it("defines each indicator once, with a definition, seeds and a unit", () => {
    const ids = INDICATORS.map((i) => i.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const i of INDICATORS) {
      assert.ok(i.definition.length > 40, `${i.id} has a definition`);
      assert.ok(i.seeds.length > 0, `${i.id} names the strategies asking for it`);
      assert.match(i.id, /^[a-z0-9-]{1,60}$/);
      if (i.unit === "percent") assert.ok(i.denominator, `${i.id} names its denominator`);
    }
  });

  it("has a worked expected figure for every indicator", () => {
    assert.deepEqual(INDICATORS.map((i) => i.id).sort(), Object.keys(EXPECTED).sort());
  });

  for (const indicator of INDICATORS) {
    it(`computes ${indicator.id} on the hand-built histories`, () => {
      const expected = EXPECTED[indicator.id];
      assert.ok(expected);
      const figure = compute(indicator, CHILDREN, YEAR, POPULATION);
      assert.equal(figure.value, expected.value, `${indicator.id} value`);
      assert.equal(figure.numerator, expected.numerator, `${indicator.id} numerator`);
      if (expected.denominator !== undefined) assert.equal(figure.denominator, expected.denominator);
    });
  }

  it("counts a police crime once however many entries record it on the day", () => {
    const crimes = indicatorById("police-neglect-crimes");
    assert.ok(crimes);
    const entry = (date: string) => ({
      date,
      type: "police-call-out",
      neglectTypes: ["physical"],
      agencyType: "police",
    });
    const X = child({
      personId: "X",
      chronology: [entry("2024-06-01"), entry("2024-06-01"), entry("2024-06-01"), entry("2024-09-01")],
    });
    const figure = compute(crimes, [X], YEAR, null);
    assert.equal(figure.value, 2);
    assert.deepEqual(
      ownGroupsOf(crimes, figure.units).map((g) => [g.key, g.count]),
      [["2 or 3 crimes", 2]],
    );
  });

  it("leaves a rate unknown without a population, and an empty percentage unknown", () => {
    const rate = indicatorById("cp-rate");
    assert.ok(rate);
    assert.equal(compute(rate, CHILDREN, YEAR, null).value, null);
    const second = indicatorById("cp-second-plan");
    assert.ok(second);
    assert.equal(compute(second, [], YEAR, null).value, null);
  });

  it("computes quarters as snapshots on the quarter's last day", () => {
    const open = indicatorById("cp-at-31-march");
    assert.ok(open);
    // 30 June 2024: A (from 20 May), C, D open; B's plan starts in August.
    assert.equal(compute(open, CHILDREN, reportingQuarter(2025, 1), null).value, 3);
    // 30 September 2024: A, B, C, D.
    assert.equal(compute(open, CHILDREN, reportingQuarter(2025, 2), null).value, 4);
  });

  it("bands durations as DfE's D5 does", () => {
    assert.equal(durationBand("2025-01-01", "2025-04-01"), DURATION_BANDS[0]);
    assert.equal(durationBand("2025-01-01", "2025-04-02"), DURATION_BANDS[1]);
    assert.equal(durationBand("2024-03-31", "2025-03-30"), DURATION_BANDS[2]);
    assert.equal(durationBand("2024-03-31", "2025-03-31"), DURATION_BANDS[3]);
    assert.equal(durationBand("2023-03-31", "2025-03-31"), DURATION_BANDS[4]);
    assert.equal(monthsBetween("2024-08-01", "2025-02-01"), 6);
  });

  it("splits a figure by a breakdown so the parts add up to the whole", () => {
    const share = indicatorById("cp-neglect-share-open");
    assert.ok(share);
    const { units } = compute(share, CHILDREN, YEAR, null);
    const bySex = breakdownOf(share, units, new Map(CHILDREN.map((c) => [c.personId, c])), "sex", YEAR.end);
    // Female: A (NEG), C (EMO): 1 of 2. Male: D (NEG): 1 of 1.
    assert.deepEqual(
      bySex.map((g) => [g.key, g.figure.numerator, g.figure.denominator, g.figure.value, g.personIds]),
      [
        ["F", 1, 2, 50, ["A"]],
        ["M", 1, 1, 100, ["D"]],
      ],
    );
    const duration = indicatorById("cp-duration-2y-plus");
    assert.ok(duration);
    const groups = ownGroupsOf(duration, compute(duration, CHILDREN, YEAR, null).units);
    assert.equal(
      groups.reduce((n, g) => n + g.count, 0),
      3,
    );
  });

  it("compares each group's share of children on plans for neglect with its share of the population", () => {
    // On plans for neglect: A (F), D (M). Population: all seven (F: A, C, E, F, G; M: B, D).
    const rows = disproportionality([A, D], CHILDREN, (c) => c.sex);
    // One child per group: no ratio is made from fewer than 5 children.
    assert.deepEqual(rows, [
      { key: "F", counted: 1, countedShare: 50, population: 5, populationShare: 71.4, ratio: null },
      { key: "M", counted: 1, countedShare: 50, population: 2, populationShare: 28.6, ratio: null },
    ]);
    // Five and more: the ratio of the shares.
    const many = (prefix: string, n: number, sex: string) =>
      Array.from({ length: n }, (_, i) => child({ personId: `${prefix}${i}`, sex }));
    const counted = [...many("f", 6, "F"), ...many("m", 6, "M")];
    const population = [...counted, ...many("pf", 24, "F"), ...many("pm", 4, "M")];
    assert.deepEqual(
      disproportionality(counted, population, (c) => c.sex).map((r) => [r.key, r.ratio]),
      [
        ["F", 0.67],
        ["M", 2],
      ],
    );
  });
});
