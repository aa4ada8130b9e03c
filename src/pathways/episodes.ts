// SPDX-License-Identifier: MIT
/**
 * Children's social care as events: each row records one CIN census item on one day. These pure
 * functions fold a child's events into episodes (referral, assessments, section 47 enquiries, child in
 * need and child protection plans, closure) and say where the child is now. Nothing here is stored:
 * statuses are always derived, so correcting an event corrects everything that follows from it.
 */

import type { IsoDate } from "../kernel/calendar.ts";
import type { AbuseCategory, ClosureReason, CscEventType, PrimaryNeed, ReferralSource } from "./codes.ts";
import { EVENT_TYPES } from "./event-types.ts";

/** One coded event, as stored. */
export type CscEvent = {
  eventId: string;
  personId: string;
  /** The referral event's id: every event belongs to one episode. */
  episodeId: string;
  /** The assessment, enquiry or plan (its start event's id) the event belongs to, if any. */
  subjectId: string | null;
  eventType: CscEventType;
  occurredOn: IsoDate;
  /** Referral source, primary need, category of abuse, closure reason or category of need. */
  code: string | null;
  /** Factors identified at assessment. */
  codes: string[];
  /** Number of previous child protection plans. */
  count: number | null;
  childSeen: boolean | null;
  seenAlone: boolean | null;
  /** The ICPC target date of an enquiry. */
  targetOn: IsoDate | null;
  workerUserId: string | null;
};

export type Assessment = {
  id: string;
  start: IsoDate;
  /** The assessment's internal review (the census's AssessmentInternalReviewDate), if one was held. */
  internalReview: IsoDate | null;
  authorised: IsoDate | null;
  factors: string[];
  childSeen: boolean | null;
  due: IsoDate;
};
export type Section47 = {
  id: string;
  start: IsoDate;
  target: IsoDate;
  icpc: IsoDate | null;
  notRequired: boolean;
};
export type Visit = { date: IsoDate; childSeen: boolean; seenAlone: boolean };
export type CpPlan = {
  id: string;
  start: IsoDate;
  end: IsoDate | null;
  initialCategory: AbuseCategory;
  latestCategory: AbuseCategory;
  previousPlans: number;
  reviews: IsoDate[];
  coreGroups: IsoDate[];
  visits: Visit[];
  nextReviewDue: IsoDate;
};
export type CinPlan = {
  id: string;
  start: IsoDate;
  end: IsoDate | null;
  reviews: IsoDate[];
  visits: Visit[];
};

export type Episode = {
  episodeId: string;
  personId: string;
  referralDate: IsoDate;
  source: ReferralSource;
  primaryNeed: PrimaryNeed | null;
  nfa: boolean;
  closureDate: IsoDate | null;
  closureReason: ClosureReason | null;
  /** An initial conference held at episode level (e.g. a transfer-in), not within an enquiry. */
  episodeIcpc: IsoDate | null;
  workerUserId: string | null;
  assessments: Assessment[];
  section47s: Section47[];
  /** Strategy discussions that decided no section 47 enquiry was needed. */
  strategyDiscussions: IsoDate[];
  cinPlans: CinPlan[];
  cpPlans: CpPlan[];
  enteredCare: { date: IsoDate; categoryOfNeed: string | null } | null;
};

/** On one day, a referral comes first, then whatever starts, then the rest, then whatever ends. */
const byDate = (a: CscEvent, b: CscEvent) =>
  a.occurredOn < b.occurredOn
    ? -1
    : a.occurredOn > b.occurredOn
      ? 1
      : EVENT_TYPES[a.eventType].sameDayOrder - EVENT_TYPES[b.eventType].sameDayOrder;

/**
 * Folds one child's events into episodes, oldest first. Events whose episode has no referral are ignored
 * (an import refuses them before they get here).
 * @param events - The child's events, in any order.
 */
export const deriveEpisodes = (events: readonly CscEvent[]): Episode[] => {
  const sorted = [...events].sort(byDate);
  const episodes = new Map<string, Episode>();
  for (const e of sorted) {
    if (e.eventType !== "referral") continue;
    episodes.set(e.eventId, {
      episodeId: e.eventId,
      personId: e.personId,
      referralDate: e.occurredOn,
      source: (e.code ?? "10") as ReferralSource,
      primaryNeed: null,
      nfa: false,
      closureDate: null,
      closureReason: null,
      episodeIcpc: null,
      workerUserId: e.workerUserId,
      assessments: [],
      section47s: [],
      strategyDiscussions: [],
      cinPlans: [],
      cpPlans: [],
      enteredCare: null,
    });
  }
  for (const e of sorted) {
    const episode = episodes.get(e.episodeId);
    if (!episode) continue;
    EVENT_TYPES[e.eventType].fold(episode, e);
  }
  return [...episodes.values()].sort((a, b) => (a.referralDate < b.referralDate ? -1 : 1));
};

/** Where a child's episode stands now, as Annex A list 6 puts it. */
export type EpisodeStatus =
  | "closed"
  | "looked-after"
  | "cp-plan"
  | "cin-plan"
  | "s47-enquiry"
  | "open-assessment"
  | "referral";

export const EPISODE_STATUSES: Record<EpisodeStatus, string> = {
  closed: "Closed",
  "looked-after": "Looked after",
  "cp-plan": "Child protection plan",
  "cin-plan": "Child in need plan",
  "s47-enquiry": "Section 47 enquiry",
  "open-assessment": "Assessment under way",
  referral: "Referral received",
};

/**
 * @param episode - A derived episode.
 * @param on - The day to ask about.
 * @returns The episode's status on that day.
 */
export const episodeStatus = (episode: Episode, on: IsoDate): EpisodeStatus => {
  if (episode.closureDate !== null && episode.closureDate <= on) return "closed";
  if (episode.enteredCare && episode.enteredCare.date <= on) return "looked-after";
  const openOn = (p: { start: IsoDate; end: IsoDate | null }) =>
    p.start <= on && (p.end === null || p.end > on);
  if (episode.cpPlans.some(openOn)) return "cp-plan";
  if (episode.cinPlans.some(openOn)) return "cin-plan";
  if (episode.section47s.some((s) => s.start <= on && s.icpc === null && !s.notRequired))
    return "s47-enquiry";
  if (episode.assessments.some((a) => a.start <= on && (a.authorised === null || a.authorised > on)))
    return "open-assessment";
  return "referral";
};

/** @returns The episode open on the day, if any (the latest). */
export const openEpisode = (episodes: readonly Episode[], on: IsoDate): Episode | undefined =>
  episodes.filter((e) => e.referralDate <= on && (e.closureDate === null || e.closureDate > on)).at(-1);
