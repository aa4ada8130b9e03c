// SPDX-License-Identifier: MIT
/** CIN details (episode) rules (DfE CIN census 2024-25). */

import { isWorkingDay } from "../../kernel/calendar.ts";
import type { CinEpisode } from "../cin-xml.ts";
import { type CinRule, child, episodes, furtherAction, has, outsideYear, plusDays } from "./types.ts";

const REASONS = new Set(["RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7", "RC8", "RC9"]);
const NEEDS = new Set(["N0", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9"]);
const SOURCES = new Set("1A 1B 1C 1D 2A 2B 3A 3B 3C 3D 3E 3F 4 5A 5B 5C 5D 6 7 8 9 10".split(" "));
const open = (e: CinEpisode) => !has(e.closureDate);
/** A working day before `date` (England and Wales bank holidays). */
const workingDayBefore = (date: string) => {
  let d = plusDays(date, -1);
  while (!isWorkingDay(d)) d = plusDays(d, -1);
  return d;
};

export const EPISODE_RULES: CinRule[] = [
  child(
    "2990",
    "CINdetails",
    "Activity is recorded against a case marked as ‘Case closed after assessment, no further action’.",
    "Episodes closed RC8: no Section47, child protection plan, episode-level ICPC or CIN plan.",
    (c) =>
      episodes(c, (e, n) =>
        e.closureReason === "RC8" &&
        (e.section47s.length || e.cpPlans.length || has(e.episodeIcpc) || e.cinPlans.length)
          ? [`episode ${n} closed RC8 with s47, ICPC or plan`]
          : [],
      ),
  ),
  child(
    "2991Q",
    "CINdetails",
    "Please check: A Section 47 module is recorded and there is no assessment on the episode",
    "Episodes with a Section47 group.",
    (c) => episodes(c, (e, n) => (e.section47s.length && !e.assessments.length ? [`episode ${n}`] : [])),
  ),
  child(
    "8555Q",
    "CINdetails",
    "Child cannot be referred after its recorded date of death",
    "Every referral of a child with a death date.",
    (c) =>
      has(c.deathDate)
        ? episodes(c, (e) => (e.referralDate > (c.deathDate as string) ? [`referred ${e.referralDate}`] : []))
        : [],
  ),
  child(
    "8565",
    "CINdetails",
    "Activity shown after a case has been closed",
    "Closed episodes: assessment start and authorisation, s47 start and ICPC, episode ICPC, CP plan end, CIN plan start and end must not be after the closure date.",
    (c) =>
      episodes(c, (e, n) => {
        if (!has(e.closureDate)) return [];
        const closed = e.closureDate;
        const dates = [
          e.episodeIcpc,
          ...e.assessments.flatMap((a) => [a.start, a.authorised]),
          ...e.section47s.flatMap((s) => [s.start, s.icpc]),
          ...e.cpPlans.map((p) => p.end),
          ...e.cinPlans.flatMap((p) => [p.start, p.end]),
        ];
        return dates
          .filter((d) => has(d) && d > closed)
          .map((d) => `episode ${n} closed ${closed}, activity ${d}`);
      }),
  ),
  // 8568 (ReferralNFA missing or invalid) is enforced by the XSD and the boolean model; kept for the code list.
  child(
    "8568",
    "CINdetails",
    "RNFA flag is missing or invalid",
    "Every episode's ReferralNFA (true/false/1/0).",
    (c) => episodes(c, (e, n) => (typeof e.nfa === "boolean" ? [] : [`episode ${n}`])),
  ),
  child(
    "8569Q",
    "CINdetails",
    "A case with referral date before one working day prior to the collection start date must not be flagged as a no further action case",
    "Episodes referred before the working day before 1 April.",
    (c, ctx) => {
      const cutoff = workingDayBefore(ctx.collectionStart);
      return episodes(c, (e, n) =>
        e.referralDate < cutoff && e.nfa ? [`episode ${n} referred ${e.referralDate}`] : [],
      );
    },
  ),
  child(
    "8585Q",
    "CINdetails",
    "Please check and either amend or provide a reason: CIN episode shows Died as the Closure Reason, however child has no recorded Date of Death",
    "Episodes closed RC2.",
    (c) => episodes(c, (e, n) => (e.closureReason === "RC2" && !has(c.deathDate) ? [`episode ${n}`] : [])),
  ),
  child(
    "8600",
    "CINdetails",
    "Child referral date missing or after data collection period",
    "Every episode.",
    (c, ctx) =>
      episodes(c, (e, n) =>
        !has(e.referralDate) || e.referralDate > ctx.referenceDate
          ? [`episode ${n} referred ${e.referralDate}`]
          : [],
      ),
  ),
  child(
    "8606",
    "CINdetails",
    "Child referral date is more than 40 weeks before DOB or expected DOB",
    "Every referral: not more than 280 days before the birth or expected birth date.",
    (c) =>
      episodes(c, (e, n) => {
        const born = [c.birthDate, c.expectedBirthDate].filter(has);
        return born.some((b) => e.referralDate < plusDays(b, -280))
          ? [`episode ${n} referred ${e.referralDate}, born ${born[0]}`]
          : [];
      }),
  ),
  child(
    "8610",
    "CINdetails",
    "Primary Need code is missing for a referral which led to further action.",
    "Episodes going on to further action.",
    (c) => episodes(c, (e, n) => (furtherAction(e) && !has(e.primaryNeed) ? [`episode ${n}`] : [])),
  ),
  child(
    "8620",
    "CINdetails",
    "CIN Closure Date present and does not fall within the Census year",
    "Every closure date.",
    (c, ctx) =>
      episodes(c, (e, n) =>
        outsideYear(e.closureDate, ctx) ? [`episode ${n} closed ${e.closureDate}`] : [],
      ),
  ),
  child(
    "8630",
    "CINdetails",
    "CIN Closure Date is before CIN Referral Date for the same CIN episode",
    "Every closed episode.",
    (c) =>
      episodes(c, (e, n) => (has(e.closureDate) && e.closureDate < e.referralDate ? [`episode ${n}`] : [])),
  ),
  child(
    "8640",
    "CINdetails",
    "CIN Reason for closure code invalid (see Reason for Closure table in CIN Census code set)",
    "Every ReasonForClosure present.",
    (c) =>
      episodes(c, (e, n) =>
        has(e.closureReason) && !REASONS.has(e.closureReason) ? [`episode ${n}: ${e.closureReason}`] : [],
      ),
  ),
  child(
    "8650",
    "CINdetails",
    "Primary Need Code invalid (see Primary Need table in CIN census code set)",
    "Every PrimaryNeedCode present.",
    (c) =>
      episodes(c, (e, n) =>
        has(e.primaryNeed) && !NEEDS.has(e.primaryNeed) ? [`episode ${n}: ${e.primaryNeed}`] : [],
      ),
  ),
  child(
    "8805",
    "CINdetails",
    "A CIN case cannot have a CIN closure date without a Reason for Closure",
    "Every closed episode.",
    (c) => episodes(c, (e, n) => (has(e.closureDate) && !has(e.closureReason) ? [`episode ${n}`] : [])),
  ),
  child(
    "8810",
    "CINdetails",
    "A CIN case cannot have a Reason for Closure without a CIN Closure Date",
    "Every episode with a reason for closure.",
    (c) => episodes(c, (e, n) => (has(e.closureReason) && !has(e.closureDate) ? [`episode ${n}`] : [])),
  ),
  child(
    "8815",
    "CINdetails",
    "More than one open CIN Details episode (a module with no CIN Closure Date) has been provided for this child and case is not a referral with no further action.",
    "Open episodes going on to further action.",
    (c) => {
      const openFurther = c.episodes.filter((e) => open(e) && furtherAction(e));
      return openFurther.length > 1 ? [`${openFurther.length} open episodes`] : [];
    },
  ),
  child(
    "8816",
    "CINdetails",
    "An open CIN episode is shown and case is not a referral with no further action, but it is not the latest episode.",
    "Open episodes going on to further action, against the child's latest referral.",
    (c) => {
      const latest = c.episodes
        .map((e) => e.referralDate)
        .sort()
        .at(-1);
      return episodes(c, (e, n) =>
        open(e) && furtherAction(e) && e.referralDate !== latest
          ? [`episode ${n} referred ${e.referralDate}`]
          : [],
      );
    },
  ),
  child(
    "8820",
    "CINdetails",
    "The dates on the CIN episodes for this child overlap",
    "Each pair of a child's episodes: a referral must not fall in another episode (to its closure, or to the reference date if open and not NFA).",
    (c, ctx) =>
      episodes(c, (e, n) =>
        c.episodes
          .filter((o) => o !== e)
          .filter(
            (o) =>
              e.referralDate >= o.referralDate &&
              (has(o.closureDate)
                ? e.referralDate <= o.closureDate
                : furtherAction(o) && e.referralDate <= ctx.referenceDate),
          )
          .map((o) => `episode ${n} (${e.referralDate}) starts within the episode from ${o.referralDate}`),
      ),
  ),
  child(
    "8825Q",
    "CINdetails",
    "Please check and either amend data or provide a reason: Reason for Closure code RC8 (case closed after assessment) or RC9 (case closed after assessment, referred to early help) has been returned but there is no assessment present for the episode.",
    "Episodes closed RC8 or RC9.",
    (c) =>
      episodes(c, (e, n) =>
        (e.closureReason === "RC8" || e.closureReason === "RC9") && !e.assessments.length
          ? [`episode ${n}`]
          : [],
      ),
  ),
  child(
    "8831",
    "CINdetails",
    "Activity is recorded against a case marked as a referral with no further action",
    "NFA episodes: no assessment dates, s47 start or ICPC.",
    (c) =>
      episodes(c, (e, n) =>
        e.nfa &&
        (has(e.episodeIcpc) ||
          e.section47s.some((s) => has(s.start) || has(s.icpc)) ||
          e.assessments.some((a) => has(a.start) || has(a.authorised)))
          ? [`episode ${n}`]
          : [],
      ),
  ),
  child(
    "8866",
    "CINdetails",
    "Source of Referral is missing or an invalid code",
    "Episodes referred on or after 1 April 2013.",
    (c) =>
      episodes(c, (e, n) =>
        e.referralDate >= "2013-04-01" && !SOURCES.has(e.source)
          ? [`episode ${n}: ${e.source || "(missing)"}`]
          : [],
      ),
  ),
  child(
    "8867",
    "CINdetails",
    "CIN episode is shown as closed, however Assessment is not shown as completed",
    "Assessments of closed episodes.",
    (c) =>
      episodes(c, (e, n) =>
        has(e.closureDate) && e.assessments.some((a) => !has(a.authorised)) ? [`episode ${n}`] : [],
      ),
  ),
  child(
    "8868",
    "CINdetails",
    "CIN episode is shown as closed, however Section 47 enquiry is not shown as completed by ICPC date or ICPC not required flag",
    "Section47 groups of closed episodes.",
    (c) =>
      episodes(c, (e, n) =>
        has(e.closureDate) && e.section47s.some((s) => !has(s.icpc) && !s.notRequired)
          ? [`episode ${n}`]
          : [],
      ),
  ),
];
