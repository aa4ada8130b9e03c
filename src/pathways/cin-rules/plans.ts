// SPDX-License-Identifier: MIT
/** CIN plan, section 47, child protection plan and review rules (DfE CIN census 2024-25). */

import { addWorkingDays } from "../../kernel/calendar.ts";
import type { CinChild, CinCpPlan } from "../cin-xml.ts";
import {
  type CinRule,
  child,
  episodes,
  has,
  inYear,
  isWeekend,
  outsideYear,
  WHOLE_RETURN,
  whole,
} from "./types.ts";

const CATEGORIES = new Set(["NEG", "PHY", "SAB", "EMO", "MUL"]);
const allCinPlans = (c: CinChild) => c.episodes.flatMap((e) => e.cinPlans);
const allCpPlans = (c: CinChild) => c.episodes.flatMap((e) => e.cpPlans);
/** Whether `date` falls in [start, end) — or [start, reference date] when the plan is open. */
const during = (date: string, p: { start: string; end: string | null }, referenceDate: string) =>
  date >= p.start && (has(p.end) ? date < p.end : date <= referenceDate);

export const PLAN_RULES: CinRule[] = [
  // CIN plans.
  child(
    "4000",
    "CINplanDates",
    "CIN Plan details provided for a referral with no further action",
    "CIN plans of NFA episodes.",
    (c) => episodes(c, (e, n) => (e.nfa && e.cinPlans.length ? [`episode ${n}`] : [])),
  ),
  child(
    "4001",
    "CINplanDates",
    "A CIN Plan cannot run concurrently with a Child Protection Plan",
    "Within one episode: an open CP plan with an open CIN plan.",
    (c) =>
      episodes(c, (e, n) =>
        e.cpPlans.some((p) => !has(p.end)) && e.cinPlans.some((p) => !has(p.end))
          ? [`episode ${n}: open CIN and CP plans`]
          : [],
      ),
  ),
  child(
    "4003",
    "Reviews",
    "A CPP review date is shown as being held at the same time as an open CIN Plan.",
    "Every CP review of the child against every ended CIN plan (start to end), unless the review is the CP plan's end date.",
    (c) => {
      const cin = allCinPlans(c).filter((p) => has(p.end));
      return allCpPlans(c).flatMap((cp) =>
        cp.reviews
          .filter((r) => r !== cp.end && cin.some((p) => r >= p.start && r < (p.end as string)))
          .map((r) => `review ${r} during a CIN plan`),
      );
    },
  ),
  child(
    "4004",
    "CINplanDates",
    "This child is showing more than one open CIN Plan, i.e. with no End Date",
    "CIN plans with no end date, per episode.",
    (c) => episodes(c, (e, n) => (e.cinPlans.filter((p) => !has(p.end)).length > 1 ? [`episode ${n}`] : [])),
  ),
  child(
    "4010",
    "CINplanDates",
    "CIN Plan start date is missing or out of data collection period",
    "Every CIN plan: start present and on or before the reference date.",
    (c, ctx) =>
      allCinPlans(c)
        .filter((p) => !has(p.start) || p.start > ctx.referenceDate)
        .map((p) => `CIN plan from ${p.start || "(missing)"}`),
  ),
  child("4011", "CINplanDates", "CIN Plan End Date earlier than Start Date", "Every ended CIN plan.", (c) =>
    allCinPlans(c)
      .filter((p) => has(p.end) && p.end < p.start)
      .map((p) => `CIN plan ${p.start} to ${p.end}`),
  ),
  child(
    "4012Q",
    "CINplanDates",
    "CIN Plan shown as starting and ending on the same day - please check",
    "Every ended CIN plan.",
    (c) =>
      allCinPlans(c)
        .filter((p) => has(p.end) && p.end === p.start)
        .map((p) => `CIN plan on ${p.start}`),
  ),
  child(
    "4013",
    "CINplanDates",
    "CIN Plan end date must fall within the census year",
    "Every CIN plan end date present.",
    (c, ctx) =>
      allCinPlans(c)
        .filter((p) => outsideYear(p.end, ctx))
        .map((p) => `CIN plan ended ${p.end}`),
  ),
  child(
    "4014",
    "CINplanDates",
    "CIN Plan data contains overlapping dates",
    "Each pair of the child's CIN plans: a start must not fall from another plan's start to its end (or the reference date).",
    (c, ctx) => {
      const plans = allCinPlans(c).filter((p) => has(p.start));
      return plans.flatMap((p, i) =>
        plans
          .filter((q, j) => j !== i && p.start >= q.start && p.start <= (q.end ?? ctx.referenceDate))
          .map((q) => `CIN plan from ${p.start} starts within the one from ${q.start}`),
      );
    },
  ),
  child(
    "4015",
    "CINplanDates",
    "The CIN Plan start date cannot be before the referral date",
    "Every CIN plan, against its episode's referral.",
    (c) =>
      episodes(c, (e, n) =>
        e.cinPlans
          .filter((p) => has(p.start) && p.start < e.referralDate)
          .map((p) => `episode ${n}: CIN plan from ${p.start}`),
      ),
  ),
  child(
    "4016",
    "CINplanDates",
    "A CIN Plan has been reported as open at the same time as a Child Protection Plan.",
    "Every CIN plan start of the child against every CP plan (start to end, or to the reference date), unless it is the CP plan's end date.",
    (c, ctx) => {
      const cp = allCpPlans(c);
      return allCinPlans(c)
        .filter((p) => has(p.start) && cp.some((q) => during(p.start, q, ctx.referenceDate)))
        .map((p) => `CIN plan from ${p.start} during a CP plan`);
    },
  ),
  child(
    "4017",
    "CINplanDates",
    "A CIN Plan has been reported as open at the same time as a Child Protection Plan.",
    "Every CP plan start of the child against every CIN plan (start to end, or to the reference date), unless it is the CIN plan's end date.",
    (c, ctx) => {
      const cin = allCinPlans(c);
      return allCpPlans(c)
        .filter((p) => has(p.start) && cin.some((q) => has(q.start) && during(p.start, q, ctx.referenceDate)))
        .map((p) => `CP plan from ${p.start} during a CIN plan`);
    },
  ),
  // Section 47.
  child(
    "1104",
    "Section47",
    "The date of the initial child protection conference cannot be before the referral date",
    "Every s47 ICPC date present, against its episode's referral.",
    (c) =>
      episodes(c, (e, n) =>
        e.section47s
          .filter((s) => has(s.icpc) && s.icpc < e.referralDate)
          .map((s) => `episode ${n}: ICPC ${s.icpc}`),
      ),
  ),
  child(
    "2884",
    "Section47",
    "An initial child protection conference is recorded at both the S47 and CIN Details level and it should only be recorded in one",
    "Episode-level ICPC dates against every s47 ICPC of the child.",
    (c) => {
      const s47 = c.episodes.flatMap((e) => e.section47s.map((s) => s.icpc)).filter(has);
      return episodes(c, (e, n) =>
        has(e.episodeIcpc) && s47.includes(e.episodeIcpc) ? [`episode ${n}: ICPC ${e.episodeIcpc}`] : [],
      );
    },
  ),
  child(
    "2889",
    "Section47",
    "The S47 start date cannot be before the referral date.",
    "Every s47 start, against its episode's referral.",
    (c) =>
      episodes(c, (e, n) =>
        e.section47s
          .filter((s) => has(s.start) && s.start < e.referralDate)
          .map((s) => `episode ${n}: s47 from ${s.start}`),
      ),
  ),
  child(
    "8615",
    "Section47",
    "Section 47 Enquiry Start Date must be present and cannot be later than the date of the initial Child Protection Conference",
    "Every s47 with an ICPC date.",
    (c) =>
      episodes(c, (e, n) =>
        e.section47s
          .filter((s) => has(s.icpc) && (!has(s.start) || s.start > s.icpc))
          .map((s) => `episode ${n}: s47 ${s.start} ICPC ${s.icpc}`),
      ),
  ),
  child(
    "8675Q",
    "Section47",
    "Please check: S47 Enquiry started more than 15 working days before the end of the census year. However, there is no date of Initial Child Protection Conference.",
    "S47s with no ICPC and ICPC required, 15 working days from their start to the reference date.",
    (c, ctx) =>
      episodes(c, (e, n) =>
        e.section47s
          .filter(
            (s) =>
              !has(s.icpc) &&
              !s.notRequired &&
              has(s.start) &&
              addWorkingDays(s.start, 15) < ctx.referenceDate,
          )
          .map((s) => `episode ${n}: s47 from ${s.start}`),
      ),
  ),
  child(
    "8715",
    "Section47",
    "Date of Initial Child Protection Conference must fall within the census year",
    "Every Section47 ICPC date present.",
    (c, ctx) =>
      episodes(c, (e, n) =>
        e.section47s
          .map((s) => s.icpc)
          .filter((d) => outsideYear(d, ctx))
          .map((d) => `episode ${n}: ICPC ${d}`),
      ),
  ),
  child(
    "8740",
    "Section47",
    "For a Section 47 Enquiry that has not held the Initial Child Protection Conference by the end of the census year, the start date must fall within the census year",
    "S47s with no ICPC date and ICPC required.",
    (c, ctx) =>
      episodes(c, (e, n) =>
        e.section47s
          .filter((s) => !has(s.icpc) && !s.notRequired && !inYear(s.start, ctx))
          .map((s) => `episode ${n}: s47 from ${s.start}`),
      ),
  ),
  child(
    "8839",
    "Section47",
    "Within one CINDetails group there are 2 or more open S47 Assessments",
    "S47s with no ICPC date and ICPC required, per episode.",
    (c) =>
      episodes(c, (e, n) =>
        e.section47s.filter((s) => !has(s.icpc) && !s.notRequired).length > 1 ? [`episode ${n}`] : [],
      ),
  ),
  child(
    "8870Q",
    "Section47",
    "Please check: The Target Date for Initial Child Protection Conference should not be a weekend",
    "Every ICPC target date present.",
    (c) =>
      episodes(c, (e, n) =>
        e.section47s
          .filter((s) => has(s.target) && isWeekend(s.target))
          .map((s) => `episode ${n}: target ${s.target}`),
      ),
  ),
  child(
    "8875",
    "Section47",
    "The Date of Initial Child Protection Conference cannot be a weekend",
    "Every Section47 ICPC date present.",
    (c) =>
      episodes(c, (e, n) =>
        e.section47s
          .map((s) => s.icpc)
          .filter((d) => has(d) && isWeekend(d))
          .map((d) => `episode ${n}: ICPC ${d}`),
      ),
  ),
  child(
    "8890",
    "Section47",
    "A Section 47 enquiry is shown as starting when there is another Section 47 Enquiry ongoing",
    "Within one episode, each s47 start against the other s47s (start to ICPC, or to the reference date when no ICPC and ICPC required).",
    (c, ctx) =>
      episodes(c, (e, n) =>
        e.section47s.flatMap((s, i) =>
          e.section47s
            .filter((o, j) => {
              if (j === i || !has(s.start) || !has(o.start) || s.start < o.start) return false;
              if (has(o.icpc)) return s.start <= o.icpc;
              return !o.notRequired && s.start <= ctx.referenceDate;
            })
            .map((o) => `episode ${n}: s47 from ${s.start} starts during the one from ${o.start}`),
        ),
      ),
  ),
  // Child protection plans and reviews.
  child(
    "1105",
    "ChildProtectionPlans",
    "The child protection plan start date cannot be before the referral date",
    "Every CP plan, against its episode's referral.",
    (c) =>
      episodes(c, (e, n) =>
        e.cpPlans
          .filter((p) => has(p.start) && p.start < e.referralDate)
          .map((p) => `episode ${n}: CP plan from ${p.start}`),
      ),
  ),
  whole(
    "2883",
    "ChildProtectionPlans",
    "There are more child protection plans starting than initial conferences taking place",
    "CP plan starts and ICPCs (s47 and episode level) in the census year (LA level).",
    (d, ctx) => {
      const eps = d.children.flatMap((c) => c.episodes);
      const plans = eps.flatMap((e) => e.cpPlans).filter((p) => inYear(p.start, ctx)).length;
      const icpcs = eps
        .flatMap((e) => [e.episodeIcpc, ...e.section47s.map((s) => s.icpc)])
        .filter((x) => inYear(x, ctx)).length;
      return plans > icpcs
        ? [{ laChildId: WHOLE_RETURN, detail: `${plans} plans started, ${icpcs} conferences held` }]
        : [];
    },
  ),
  child(
    "2885",
    "ChildProtectionPlans",
    "Child protection plan shown as starting a different day to the initial child protection conference.",
    "CP plans starting in the census year: the start equals an ICPC date of the same episode (s47 or episode level).",
    (c, ctx) =>
      episodes(c, (e, n) => {
        const icpcs = [e.episodeIcpc, ...e.section47s.map((s) => s.icpc)].filter(has);
        return e.cpPlans
          .filter((p) => inYear(p.start, ctx) && !icpcs.includes(p.start))
          .map((p) => `episode ${n}: CP plan from ${p.start}`);
      }),
  ),
  child(
    "8720",
    "ChildProtectionPlans",
    "Child Protection Plan Start Date missing or out of data collection period",
    "Every CP plan: start present and on or before the reference date.",
    (c, ctx) =>
      allCpPlans(c)
        .filter((p) => !has(p.start) || p.start > ctx.referenceDate)
        .map((p) => `CP plan from ${p.start || "(missing)"}`),
  ),
  child(
    "8730",
    "ChildProtectionPlans",
    "Total Number of previous Child Protection Plans missing",
    "Every CP plan.",
    (c) =>
      allCpPlans(c)
        .filter((p) => !Number.isInteger(p.previousPlans) || p.previousPlans < 0)
        .map((p) => `CP plan from ${p.start}`),
  ),
  child(
    "8832",
    "ChildProtectionPlans",
    "Child Protection details provided for a referral with no further action.",
    "CP plans of NFA episodes.",
    (c) => episodes(c, (e, n) => (e.nfa && e.cpPlans.length ? [`episode ${n}`] : [])),
  ),
  child(
    "8840",
    "ChildProtectionPlans",
    "Child Protection Plan cannot start and end on the same day",
    "Every ended CP plan.",
    (c) =>
      allCpPlans(c)
        .filter((p) => has(p.end) && p.end === p.start)
        .map((p) => `CP plan on ${p.start}`),
  ),
  child(
    "8841",
    "ChildProtectionPlans",
    "The review date cannot be on the same day or before the Child protection Plan start date.",
    "Every CP review date.",
    (c) =>
      allCpPlans(c).flatMap((p) =>
        p.reviews.filter((r) => has(r) && r <= p.start).map((r) => `review ${r}, plan from ${p.start}`),
      ),
  ),
  child("8842Q", "Reviews", "Please check: Review Record has a missing date", "Every Reviews group.", (c) =>
    allCpPlans(c).flatMap((p) =>
      p.reviews.filter((r) => !/^\d{4}-\d{2}-\d{2}$/.test(r)).map(() => `plan from ${p.start}`),
    ),
  ),
  child(
    "8905",
    "ChildProtectionPlans",
    "Initial Category of Abuse code missing or invalid (see Category of Abuse table in CIN Census code set)",
    "Every CP plan.",
    (c) =>
      allCpPlans(c)
        .filter((p) => !CATEGORIES.has(p.initialCategory))
        .map((p) => `CP plan from ${p.start}: ${p.initialCategory}`),
  ),
  child(
    "8910",
    "ChildProtectionPlans",
    "Latest Category of Abuse code missing or invalid (see Category of Abuse table in CIN Census code set)",
    "Every CP plan.",
    (c) =>
      allCpPlans(c)
        .filter((p) => !CATEGORIES.has(p.latestCategory))
        .map((p) => `CP plan from ${p.start}: ${p.latestCategory}`),
  ),
  child(
    "8920",
    "ChildProtectionPlans",
    "Child Protection Plan cannot end after the child’s Date of Death",
    "Ended CP plans of a child with a death date.",
    (c) =>
      has(c.deathDate)
        ? allCpPlans(c)
            .filter((p) => has(p.end) && p.end > (c.deathDate as string))
            .map((p) => `CP plan ended ${p.end}`)
        : [],
  ),
  child(
    "8925",
    "ChildProtectionPlans",
    "Child Protection Plan End Date earlier than Start Date",
    "Every ended CP plan.",
    (c) =>
      allCpPlans(c)
        .filter((p) => has(p.end) && p.end < p.start)
        .map((p) => `CP plan ${p.start} to ${p.end}`),
  ),
  child(
    "8930",
    "ChildProtectionPlans",
    "Child Protection Plan End Date must fall within the census year",
    "Every CP plan end date present.",
    (c, ctx) =>
      allCpPlans(c)
        .filter((p) => outsideYear(p.end, ctx))
        .map((p) => `CP plan ended ${p.end}`),
  ),
  child(
    "8935",
    "ChildProtectionPlans",
    "This child is showing more than one open Child Protection plan, i.e. with no End Date",
    "The child's CP plans with no end date.",
    (c) => {
      const open = allCpPlans(c).filter((p) => !has(p.end));
      return open.length > 1 ? [`${open.length} open CP plans`] : [];
    },
  ),
  child(
    "8940",
    "ChildProtectionPlans",
    "Child Protection Plan data contains overlapping dates",
    "Each pair of the child's CP plans: a start must not fall from another plan's start to its end inclusive (or the reference date).",
    (c, ctx) => {
      const plans: CinCpPlan[] = allCpPlans(c).filter((p) => has(p.start));
      return plans.flatMap((p, i) =>
        plans
          .filter(
            (q, j) =>
              j !== i && p.start >= q.start && (has(q.end) ? p.start <= q.end : p.start <= ctx.referenceDate),
          )
          .map((q) => `CP plan from ${p.start} starts within the one from ${q.start}`),
      );
    },
  ),
];
