// SPDX-License-Identifier: MIT
/**
 * A TypeScript port of the DfE CIN census validation rules on plans, assessments and section 47
 * enquiries (with the header and episode rules they lean on), as the project's spec describes them
 * (../../../shared/spec-cin-census.md §1.2 and §1.5, after data-to-insight/csc-validator-be-cin). Each
 * rule is pure: given a child (or the whole return) it lists what fails. Codes ending Q are queries,
 * which must be fixed or explained; the others are errors, which stop a return.
 */
import type { CinChild, CinEpisode, CinReturn } from "./cin-xml.ts";
import { addWorkingDays, isWeekend } from "./working-days.ts";

export type RuleContext = { year: number; referenceDate: string; collectionStart: string };
export type RuleFinding = { code: string; query: boolean; laChildId: string; message: string };

type ChildRule = {
  code: string;
  module:
    | "Header"
    | "CINdetails"
    | "Assessments"
    | "CINplanDates"
    | "Section47"
    | "ChildProtectionPlans"
    | "Reviews";
  description: string;
  /** @returns One message per failure in this child. */
  check: (child: CinChild, ctx: RuleContext) => string[];
};

const within = (date: string | null, ctx: RuleContext) =>
  date === null || (date >= ctx.collectionStart && date <= ctx.referenceDate);
const ep = (episodes: CinEpisode[], fn: (e: CinEpisode, n: number) => string[]) =>
  episodes.flatMap((e, i) => fn(e, i + 1));
const overlaps = (a: { start: string; end: string | null }, b: { start: string; end: string | null }) =>
  a.start < (b.end ?? "9999-12-31") && b.start < (a.end ?? "9999-12-31");

/** Rules checked child by child. */
export const CHILD_RULES: ChildRule[] = [
  // Episodes (CINdetails) that the plan, assessment and s47 rules depend on.
  {
    code: "8610",
    module: "CINdetails",
    description: "A primary need code is required when the referral leads to further action",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        !e.nfa && e.primaryNeed === null ? [`Episode ${n} has no PrimaryNeedCode`] : [],
      ),
  },
  {
    code: "8620",
    module: "CINdetails",
    description: "The closure date must fall within the census year",
    check: (c, ctx) =>
      ep(c.episodes, (e, n) =>
        within(e.closureDate, ctx) ? [] : [`Episode ${n} closed ${e.closureDate}, outside the year`],
      ),
  },
  {
    code: "8630",
    module: "CINdetails",
    description: "The closure date must not be before the referral date",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        e.closureDate !== null && e.closureDate < e.referralDate
          ? [`Episode ${n} closes before its referral`]
          : [],
      ),
  },
  {
    code: "8640",
    module: "CINdetails",
    description: "A reason for closure is present exactly when there is a closure date",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        (e.closureDate === null) !== (e.closureReason === null)
          ? [`Episode ${n} has a closure date or reason without the other`]
          : [],
      ),
  },
  {
    code: "4000",
    module: "CINplanDates",
    description: "A referral with no further action has no assessment, CIN plan or child protection activity",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        e.nfa && (e.assessments.length || e.cinPlans.length || e.section47s.length || e.cpPlans.length)
          ? [`Episode ${n} is NFA but has further action`]
          : [],
      ),
  },
  // Assessments.
  {
    code: "1103",
    module: "Assessments",
    description: "An assessment must not start before the referral",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        e.assessments
          .filter((a) => a.start < e.referralDate)
          .map(() => `Episode ${n}: assessment starts before the referral`),
      ),
  },
  {
    code: "8614",
    module: "Assessments",
    description: "Factors are recorded only on completed (authorised) assessments",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        e.assessments
          .filter((a) => a.authorised === null && a.factors.length > 0)
          .map(() => `Episode ${n}: factors on an assessment with no authorisation date`),
      ),
  },
  {
    code: "8670Q",
    module: "Assessments",
    description: "An assessment should be authorised within 45 working days of its start",
    check: (c, ctx) =>
      ep(c.episodes, (e, n) =>
        e.assessments
          .filter((a) => a.authorised === null && addWorkingDays(a.start, 45) < ctx.referenceDate)
          .map((a) => `Episode ${n}: assessment started ${a.start} is not authorised after 45 working days`),
      ),
  },
  {
    code: "8869",
    module: "Assessments",
    description: "Factor 21 (no factors identified) must stand alone",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        e.assessments
          .filter((a) => a.factors.includes("21") && a.factors.length > 1)
          .map(() => `Episode ${n}: factor 21 recorded with other factors`),
      ),
  },
  {
    code: "8873Q",
    module: "Assessments",
    description: "When the only assessment's only factor is 21, the closure reason should be RC8 or RC9",
    check: (c) =>
      ep(c.episodes, (e, n) => {
        const only = e.assessments.length === 1 ? e.assessments[0] : undefined;
        if (only?.factors.length !== 1 || only.factors[0] !== "21" || e.closureReason === null) return [];
        return e.closureReason === "RC8" || e.closureReason === "RC9"
          ? []
          : [`Episode ${n}: no factors, closed ${e.closureReason}`];
      }),
  },
  {
    code: "8897Q",
    module: "Assessments",
    description: "A completed assessment should have factors",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        e.assessments
          .filter((a) => a.authorised !== null && a.factors.length === 0)
          .map(() => `Episode ${n}: authorised assessment with no factors`),
      ),
  },
  {
    code: "8898",
    module: "Assessments",
    description: "A factor must not be recorded twice on one assessment",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        e.assessments
          .filter((a) => new Set(a.factors).size !== a.factors.length)
          .map(() => `Episode ${n}: duplicate factor`),
      ),
  },
  {
    code: "8945Q",
    module: "Assessments",
    description: "Factor 18A (physical abuse, unspecified) was replaced by 18B and 18C",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        e.assessments.filter((a) => a.factors.includes("18A")).map(() => `Episode ${n}: factor 18A`),
      ),
  },
  {
    code: "8950Q",
    module: "Assessments",
    description: "Factor 19A (sexual abuse, unspecified) was replaced by 19B and 19C",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        e.assessments.filter((a) => a.factors.includes("19A")).map(() => `Episode ${n}: factor 19A`),
      ),
  },
  // CIN plans.
  {
    code: "4001",
    module: "CINplanDates",
    description: "Child in need plans must not overlap each other",
    check: (c) => {
      const plans = c.episodes.flatMap((e) => e.cinPlans);
      return plans.flatMap((p, i) =>
        plans
          .slice(i + 1)
          .filter((q) => overlaps(p, q))
          .map((q) => `CIN plans from ${p.start} and ${q.start} overlap`),
      );
    },
  },
  {
    code: "4014",
    module: "CINplanDates",
    description: "A child in need plan must not overlap a child protection plan",
    check: (c) => {
      const cin = c.episodes.flatMap((e) => e.cinPlans);
      const cp = c.episodes.flatMap((e) => e.cpPlans);
      return cin.flatMap((p) =>
        cp
          .filter((q) => overlaps(p, q))
          .map((q) => `CIN plan from ${p.start} overlaps CP plan from ${q.start}`),
      );
    },
  },
  {
    code: "4015",
    module: "CINplanDates",
    description: "A child in need plan must not end before it starts",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        e.cinPlans
          .filter((p) => p.end !== null && p.end < p.start)
          .map(() => `Episode ${n}: CIN plan ends before it starts`),
      ),
  },
  // Section 47.
  {
    code: "1104",
    module: "Section47",
    description: "A section 47 enquiry must not start before the referral",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        e.section47s
          .filter((s) => s.start < e.referralDate)
          .map(() => `Episode ${n}: enquiry starts before the referral`),
      ),
  },
  {
    code: "2884",
    module: "Section47",
    description: "An ICPC at episode level must not also appear in a Section47 group",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        e.episodeIcpc !== null && e.section47s.some((s) => s.icpc === e.episodeIcpc)
          ? [`Episode ${n}: ICPC ${e.episodeIcpc} recorded twice`]
          : [],
      ),
  },
  {
    code: "8675Q",
    module: "Section47",
    description: "An ICPC should be held within 15 working days of the enquiry's start",
    check: (c, ctx) =>
      ep(c.episodes, (e, n) =>
        e.section47s
          .filter((s) => s.icpc === null && !s.notRequired && addWorkingDays(s.start, 15) < ctx.referenceDate)
          .map((s) => `Episode ${n}: no ICPC 15 working days after ${s.start}`),
      ),
  },
  {
    code: "8870Q",
    module: "Section47",
    description: "The ICPC target date should not be a weekend",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        e.section47s
          .filter((s) => s.target !== null && isWeekend(s.target))
          .map((s) => `Episode ${n}: target ${s.target} is a weekend`),
      ),
  },
  {
    code: "8875",
    module: "Section47",
    description: "An ICPC is not held at a weekend",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        [...e.section47s.map((s) => s.icpc), e.episodeIcpc]
          .filter((d) => d !== null && isWeekend(d))
          .map((d) => `Episode ${n}: ICPC on ${d}, a weekend`),
      ),
  },
  {
    code: "8839",
    module: "Section47",
    description: "An enquiry cannot both have an ICPC and say none was required",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        e.section47s
          .filter((s) => s.icpc !== null && s.notRequired)
          .map(() => `Episode ${n}: ICPC held and not required`),
      ),
  },
  // Child protection plans.
  {
    code: "2885",
    module: "ChildProtectionPlans",
    description: "A plan's start date should equal an initial conference date",
    check: (c) =>
      ep(c.episodes, (e, n) => {
        const icpcs = [e.episodeIcpc, ...e.section47s.map((s) => s.icpc)];
        return e.cpPlans
          .filter((p) => !icpcs.includes(p.start))
          .map((p) => `Episode ${n}: plan from ${p.start} has no ICPC that day`);
      }),
  },
  {
    code: "8832",
    module: "ChildProtectionPlans",
    description: "A referral with no further action cannot have a child protection plan",
    check: (c) =>
      ep(c.episodes, (e, n) => (e.nfa && e.cpPlans.length ? [`Episode ${n}: NFA with a CP plan`] : [])),
  },
  {
    code: "8840",
    module: "ChildProtectionPlans",
    description: "A plan must end after it starts",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        e.cpPlans
          .filter((p) => p.end !== null && p.end < p.start)
          .map(() => `Episode ${n}: plan ends before it starts`),
      ),
  },
  {
    code: "8925",
    module: "ChildProtectionPlans",
    description: "A plan must not start and end on the same day",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        e.cpPlans
          .filter((p) => p.end === p.start)
          .map(() => `Episode ${n}: plan starts and ends the same day`),
      ),
  },
  {
    code: "8905",
    module: "ChildProtectionPlans",
    description: "Initial category of abuse must be NEG, PHY, SAB, EMO or MUL",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        e.cpPlans
          .filter((p) => !["NEG", "PHY", "SAB", "EMO", "MUL"].includes(p.initialCategory))
          .map(() => `Episode ${n}: bad initial category`),
      ),
  },
  {
    code: "8910",
    module: "ChildProtectionPlans",
    description: "Latest category of abuse must be NEG, PHY, SAB, EMO or MUL",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        e.cpPlans
          .filter((p) => !["NEG", "PHY", "SAB", "EMO", "MUL"].includes(p.latestCategory))
          .map(() => `Episode ${n}: bad latest category`),
      ),
  },
  {
    code: "8730",
    module: "ChildProtectionPlans",
    description: "The number of previous plans is a whole number, 0 or more",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        e.cpPlans
          .filter((p) => !Number.isInteger(p.previousPlans) || p.previousPlans < 0)
          .map(() => `Episode ${n}: bad NumberOfPreviousCPP`),
      ),
  },
  {
    code: "8935",
    module: "ChildProtectionPlans",
    description: "Only one child protection plan may be open at a time",
    check: (c) => {
      const open = c.episodes.flatMap((e) => e.cpPlans).filter((p) => p.end === null);
      return open.length > 1 ? [`${open.length} plans are open`] : [];
    },
  },
  {
    code: "8940",
    module: "ChildProtectionPlans",
    description: "Child protection plans must not overlap",
    check: (c) => {
      const plans = c.episodes.flatMap((e) => e.cpPlans).filter((p) => p.end !== null);
      return plans.flatMap((p, i) =>
        plans
          .slice(i + 1)
          .filter((q) => overlaps(p, q))
          .map((q) => `Plans from ${p.start} and ${q.start} overlap`),
      );
    },
  },
  {
    code: "8841",
    module: "Reviews",
    description: "Each review conference falls after the plan started",
    check: (c) =>
      ep(c.episodes, (e, n) =>
        e.cpPlans.flatMap((p) =>
          p.reviews
            .filter((r) => r <= p.start)
            .map((r) => `Episode ${n}: review ${r} not after the plan start ${p.start}`),
        ),
      ),
  },
];

/** Rules over the whole return. */
export const FILE_RULES = [
  {
    code: "100",
    description: "The reference date is 31 March of the collection year",
    check: (data: CinReturn) =>
      data.header.referenceDate === `${data.header.year}-03-31`
        ? []
        : [`ReferenceDate ${data.header.referenceDate}`],
  },
  {
    code: "2883",
    description: "More child protection plans start in the year than initial conferences were held",
    check: (data: CinReturn) => {
      const start = `${data.header.year - 1}-04-01`;
      const end = data.header.referenceDate;
      const inYear = (d: string | null) => d !== null && d >= start && d <= end;
      const episodes = data.children.flatMap((c) => c.episodes);
      const plans = episodes.flatMap((e) => e.cpPlans).filter((p) => inYear(p.start)).length;
      const icpcs = episodes
        .flatMap((e) => [e.episodeIcpc, ...e.section47s.map((s) => s.icpc)])
        .filter(inYear).length;
      return plans > icpcs ? [`${plans} plans started but ${icpcs} conferences were held`] : [];
    },
  },
];

/**
 * Runs every rule on a return.
 * @returns The findings, per child and rule code; errors and queries both.
 */
export const validateCinReturn = (data: CinReturn): RuleFinding[] => {
  const ctx: RuleContext = {
    year: data.header.year,
    referenceDate: data.header.referenceDate,
    collectionStart: `${data.header.year - 1}-04-01`,
  };
  const findings: RuleFinding[] = [];
  const seen = new Set<string>();
  for (const child of data.children) {
    if (seen.has(child.laChildId))
      findings.push({
        code: "8510",
        query: false,
        laChildId: child.laChildId,
        message: "LAchildID is not unique in the file",
      });
    seen.add(child.laChildId);
    for (const rule of CHILD_RULES) {
      for (const message of rule.check(child, ctx))
        findings.push({
          code: rule.code,
          query: rule.code.endsWith("Q"),
          laChildId: child.laChildId,
          message,
        });
    }
  }
  for (const rule of FILE_RULES) {
    for (const message of rule.check(data))
      findings.push({ code: rule.code, query: false, laChildId: "(whole return)", message });
  }
  return findings;
};
