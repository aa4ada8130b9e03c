// SPDX-License-Identifier: MIT
/**
 * Everything Hearth knows about each children's social care event type, in one row per type: what its
 * form asks for, when it is offered next in an episode, the check a new event must pass, how it folds
 * into the episode, and where it sorts among events on the same day. Adding an event type is a label in
 * codes.ts (CSC_EVENT_TYPES, which the database constraint follows), one row here, and its view.
 */

import { type IsoDate, isWeekend } from "../kernel/calendar.ts";
import {
  ABUSE_CATEGORY_CODES,
  type AbuseCategory,
  ASSESSMENT_FACTOR_CODES,
  type ClosureReason,
  type CscEventType,
  type PrimaryNeed,
} from "./codes.ts";
import type { CscEvent, Episode } from "./episodes.ts";
import { assessmentDue, icpcTarget, nextReviewDue } from "./timescales.ts";

/** A new event as the form gives it, before it is stored. */
export type NewCscEvent = {
  eventType: CscEventType;
  occurredOn: IsoDate;
  episodeId: string;
  subjectId: string | null;
  code: string | null;
  codes: string[];
  count: number | null;
  childSeen: boolean | null;
  seenAlone: boolean | null;
  workerUserId: string | null;
  note: string | null;
};

export type EventCheck = { ok: true } | { ok: false; field: string; message: string };

/** What an event type's form asks for, beyond the date. */
export type EventForm = {
  subject?: "assessment" | "s47" | "cp-plan" | "cin-plan" | "plan";
  code?: "need" | "category" | "category-optional" | "closure";
  factors?: true;
  count?: true;
  seen?: true;
  alone?: true;
  worker?: true;
};

export type EventTypeRow = {
  form: EventForm;
  /** On one day: 0 the referral, 1 an assessment or enquiry starting, 2 a conference's outcome, 3 other starts, 4 the rest, 5 endings. */
  sameDayOrder: 0 | 1 | 2 | 3 | 4 | 5;
  /** Whether the episode's page offers this event next (the episode is open). */
  offeredWhen: (episode: Episode, on: IsoDate) => boolean;
  /** The type's own check of a new event, after the checks every event passes. */
  check: (episode: Episode, event: NewCscEvent) => EventCheck;
  /** Applies a stored event to its episode. */
  fold: (episode: Episode, event: CscEvent) => void;
};

const ok: EventCheck = { ok: true };
const no = (field: string, message: string): EventCheck => ({ ok: false, field, message });
const always = () => true;
const nothing = () => {};

const openAssessment = (e: Episode) => e.assessments.some((a) => a.authorised === null);
const openSection47 = (e: Episode) => e.section47s.some((s) => s.icpc === null && !s.notRequired);
const openCpPlan = (e: Episode) => e.cpPlans.find((p) => p.end === null);
const openCinPlan = (e: Episode) => e.cinPlans.find((p) => p.end === null);
const conferenceDates = (e: Episode) =>
  [e.episodeIcpc, ...e.section47s.map((s) => s.icpc)].filter((d): d is IsoDate => d !== null);

const checkConferenceOutcome = (episode: Episode, event: NewCscEvent): EventCheck => {
  const s = episode.section47s.find((x) => x.id === event.subjectId);
  if (!s) return no("subjectId", "Select the section 47 enquiry");
  if (s.icpc !== null || s.notRequired) return no("subjectId", "This enquiry already has its outcome");
  if (event.occurredOn < s.start)
    return no("occurredOn", "The date cannot be before the strategy discussion");
  if (event.eventType === "icpc" && isWeekend(event.occurredOn))
    return no("occurredOn", "Conferences are not held at weekends (rule 8875)");
  return ok;
};

/** An event on the open child protection plan, dated after it started unless `anyDate` (a core group). */
const checkOnCpPlan =
  (anyDate: boolean) =>
  (episode: Episode, event: NewCscEvent): EventCheck => {
    const plan = episode.cpPlans.find((p) => p.id === event.subjectId);
    if (!plan || plan.end !== null) return no("subjectId", "Select the open child protection plan");
    if (!anyDate && event.occurredOn <= plan.start)
      return no("occurredOn", `The date must be after the plan started (${plan.start})`);
    return ok;
  };

const checkOnCinPlan = (episode: Episode, event: NewCscEvent): EventCheck => {
  const plan = episode.cinPlans.find((p) => p.id === event.subjectId);
  if (!plan || plan.end !== null) return no("subjectId", "Select the open child in need plan");
  if (event.occurredOn < plan.start) return no("occurredOn", "The date cannot be before the plan started");
  return ok;
};

const cpPlanOf = (episode: Episode, event: CscEvent) => episode.cpPlans.find((x) => x.id === event.subjectId);
const cinPlanOf = (episode: Episode, event: CscEvent) =>
  episode.cinPlans.find((x) => x.id === event.subjectId);

/** The rows, in the order an episode's page offers them. */
export const EVENT_TYPES: Readonly<Record<CscEventType, EventTypeRow>> = {
  "primary-need": {
    form: { code: "need" },
    sameDayOrder: 4,
    offeredWhen: always,
    check: () => ok,
    fold: (episode, e) => {
      episode.primaryNeed = e.code as PrimaryNeed;
    },
  },
  allocation: {
    form: { worker: true },
    sameDayOrder: 4,
    offeredWhen: always,
    check: () => ok,
    fold: (episode, e) => {
      episode.workerUserId = e.workerUserId;
    },
  },
  "assessment-start": {
    form: {},
    sameDayOrder: 1,
    offeredWhen: (episode) => !openAssessment(episode),
    check: (episode) =>
      openAssessment(episode) ? no("eventType", "An assessment is already under way") : ok,
    fold: (episode, e) => {
      episode.assessments.push({
        id: e.eventId,
        start: e.occurredOn,
        internalReview: null,
        authorised: null,
        factors: [],
        childSeen: null,
        due: assessmentDue(e.occurredOn),
      });
    },
  },
  "assessment-internal-review": {
    form: { subject: "assessment" },
    sameDayOrder: 4,
    offeredWhen: (episode) =>
      episode.assessments.some((a) => a.authorised === null && a.internalReview === null),
    check: (episode, event) => {
      const a = episode.assessments.find((x) => x.id === event.subjectId);
      if (!a) return no("subjectId", "Select the assessment");
      if (a.internalReview !== null)
        return no("subjectId", "This assessment already had its internal review");
      if (event.occurredOn < a.start) return no("occurredOn", "A review cannot come before the start");
      return ok;
    },
    fold: (episode, e) => {
      const a = episode.assessments.find((x) => x.id === e.subjectId);
      if (a) a.internalReview = e.occurredOn;
    },
  },
  "assessment-authorised": {
    form: { subject: "assessment", factors: true, seen: true },
    sameDayOrder: 4,
    offeredWhen: openAssessment,
    check: (episode, event) => {
      const a = episode.assessments.find((x) => x.id === event.subjectId);
      if (!a) return no("subjectId", "Select the assessment");
      if (a.authorised !== null) return no("subjectId", "This assessment is already authorised");
      if (event.occurredOn < a.start) return no("occurredOn", "Authorisation cannot come before the start");
      if (event.codes.length === 0)
        return no("codes", "Select the factors identified, or No factors identified");
      if (event.codes.includes("21") && event.codes.length > 1)
        return no("codes", "No factors identified (21) must be the only factor (rule 8869)");
      if (!event.codes.every((c) => (ASSESSMENT_FACTOR_CODES as readonly string[]).includes(c)))
        return no("codes", "Select factors from the list");
      if (event.childSeen === null) return no("childSeen", "Say whether the child was seen");
      return ok;
    },
    fold: (episode, e) => {
      const a = episode.assessments.find((x) => x.id === e.subjectId);
      if (a) Object.assign(a, { authorised: e.occurredOn, factors: e.codes, childSeen: e.childSeen });
    },
  },
  "strategy-discussion": {
    form: {},
    sameDayOrder: 4,
    offeredWhen: (episode) => !openSection47(episode) && !openCpPlan(episode),
    check: (episode) =>
      openSection47(episode)
        ? no("eventType", "A section 47 enquiry is open: its strategy discussion is recorded as its start")
        : ok,
    fold: (episode, e) => {
      episode.strategyDiscussions.push(e.occurredOn);
    },
  },
  "s47-start": {
    form: {},
    sameDayOrder: 1,
    offeredWhen: (episode) => !openSection47(episode) && !openCpPlan(episode),
    check: (episode) =>
      openSection47(episode) ? no("eventType", "A section 47 enquiry is already open") : ok,
    fold: (episode, e) => {
      episode.section47s.push({
        id: e.eventId,
        start: e.occurredOn,
        target: e.targetOn ?? icpcTarget(e.occurredOn),
        icpc: null,
        notRequired: false,
      });
    },
  },
  icpc: {
    form: { subject: "s47" },
    sameDayOrder: 2,
    offeredWhen: openSection47,
    check: checkConferenceOutcome,
    fold: (episode, e) => {
      const s = episode.section47s.find((x) => x.id === e.subjectId);
      if (s) s.icpc = e.occurredOn;
      else episode.episodeIcpc = e.occurredOn;
    },
  },
  "icpc-not-required": {
    form: { subject: "s47" },
    sameDayOrder: 2,
    offeredWhen: openSection47,
    check: checkConferenceOutcome,
    fold: (episode, e) => {
      const s = episode.section47s.find((x) => x.id === e.subjectId);
      if (s) s.notRequired = true;
    },
  },
  "cp-plan-start": {
    form: { code: "category", count: true },
    sameDayOrder: 3,
    offeredWhen: (episode, on) => !openCpPlan(episode) && conferenceDates(episode).some((d) => d <= on),
    check: (episode, event) => {
      if (openCpPlan(episode)) return no("eventType", "A child protection plan is already open (rule 8935)");
      if (!event.code || !(ABUSE_CATEGORY_CODES as readonly string[]).includes(event.code))
        return no("code", "Select the category of abuse");
      if (event.count === null || event.count < 0) return no("count", "Enter the number of previous plans");
      if (!conferenceDates(episode).includes(event.occurredOn))
        return no("occurredOn", "A plan starts on the day of an initial conference (rule 2885)");
      return ok;
    },
    fold: (episode, e) => {
      const category = (e.code ?? "NEG") as AbuseCategory;
      episode.cpPlans.push({
        id: e.eventId,
        start: e.occurredOn,
        end: null,
        initialCategory: category,
        latestCategory: category,
        previousPlans: e.count ?? 0,
        reviews: [],
        coreGroups: [],
        visits: [],
        nextReviewDue: nextReviewDue(e.occurredOn, []),
      });
    },
  },
  visit: {
    form: { subject: "plan", seen: true, alone: true },
    sameDayOrder: 4,
    offeredWhen: (episode) => openCpPlan(episode) !== undefined || openCinPlan(episode) !== undefined,
    check: (episode, event) => {
      const plan =
        episode.cpPlans.find((p) => p.id === event.subjectId) ??
        episode.cinPlans.find((p) => p.id === event.subjectId);
      if (!plan || plan.end !== null) return no("subjectId", "Select the open plan");
      if (event.occurredOn < plan.start) return no("occurredOn", "A visit on the plan cannot come before it");
      if (event.childSeen === null) return no("childSeen", "Say whether the child was seen");
      if (event.childSeen === false && event.seenAlone === true)
        return no("seenAlone", "A child who was not seen cannot have been seen alone");
      return ok;
    },
    fold: (episode, e) => {
      const visit = { date: e.occurredOn, childSeen: e.childSeen === true, seenAlone: e.seenAlone === true };
      (cpPlanOf(episode, e) ?? cinPlanOf(episode, e))?.visits.push(visit);
    },
  },
  "core-group": {
    form: { subject: "cp-plan" },
    sameDayOrder: 4,
    offeredWhen: (episode) => openCpPlan(episode) !== undefined,
    check: checkOnCpPlan(true),
    fold: (episode, e) => {
      cpPlanOf(episode, e)?.coreGroups.push(e.occurredOn);
    },
  },
  "cp-review": {
    form: { subject: "cp-plan", code: "category-optional" },
    sameDayOrder: 4,
    offeredWhen: (episode) => openCpPlan(episode) !== undefined,
    check: checkOnCpPlan(false),
    fold: (episode, e) => {
      const plan = cpPlanOf(episode, e);
      if (!plan) return;
      plan.reviews.push(e.occurredOn);
      if (e.code) plan.latestCategory = e.code as AbuseCategory;
      plan.nextReviewDue = nextReviewDue(plan.start, plan.reviews);
    },
  },
  "cp-category-change": {
    form: { subject: "cp-plan", code: "category" },
    sameDayOrder: 4,
    offeredWhen: (episode) => openCpPlan(episode) !== undefined,
    check: (episode, event) => {
      const onPlan = checkOnCpPlan(false)(episode, event);
      if (!onPlan.ok) return onPlan;
      return event.code ? ok : no("code", "Select the new category of abuse");
    },
    fold: (episode, e) => {
      const plan = cpPlanOf(episode, e);
      if (plan && e.code) plan.latestCategory = e.code as AbuseCategory;
    },
  },
  "cp-plan-end": {
    form: { subject: "cp-plan" },
    sameDayOrder: 5,
    offeredWhen: (episode) => openCpPlan(episode) !== undefined,
    check: checkOnCpPlan(false),
    fold: (episode, e) => {
      const plan = cpPlanOf(episode, e);
      if (plan) plan.end = e.occurredOn;
    },
  },
  "cin-plan-start": {
    form: {},
    sameDayOrder: 3,
    offeredWhen: (episode) => !openCinPlan(episode) && !openCpPlan(episode),
    check: (episode) => {
      if (openCinPlan(episode)) return no("eventType", "A child in need plan is already open");
      if (openCpPlan(episode))
        return no("eventType", "A child in need plan cannot overlap a child protection plan (rule 4001)");
      return ok;
    },
    fold: (episode, e) => {
      episode.cinPlans.push({ id: e.eventId, start: e.occurredOn, end: null, reviews: [], visits: [] });
    },
  },
  "cin-plan-review": {
    form: { subject: "cin-plan" },
    sameDayOrder: 4,
    offeredWhen: (episode) => openCinPlan(episode) !== undefined,
    check: checkOnCinPlan,
    fold: (episode, e) => {
      cinPlanOf(episode, e)?.reviews.push(e.occurredOn);
    },
  },
  "cin-plan-end": {
    form: { subject: "cin-plan" },
    sameDayOrder: 5,
    offeredWhen: (episode) => openCinPlan(episode) !== undefined,
    check: checkOnCinPlan,
    fold: (episode, e) => {
      const plan = cinPlanOf(episode, e);
      if (plan) plan.end = e.occurredOn;
    },
  },
  "entered-care": {
    form: { code: "need" },
    sameDayOrder: 4,
    offeredWhen: always,
    check: () => ok,
    fold: (episode, e) => {
      episode.enteredCare = { date: e.occurredOn, categoryOfNeed: e.code };
    },
  },
  closure: {
    form: { code: "closure" },
    sameDayOrder: 5,
    offeredWhen: (episode) => !openCpPlan(episode) && !openCinPlan(episode),
    check: (episode, event) => {
      if (openCpPlan(episode) || openCinPlan(episode))
        return no("eventType", "End the open plan before closing the episode");
      if (openAssessment(episode))
        return no("eventType", "Authorise the open assessment before closing the episode");
      if (!event.code) return no("code", "Select the reason for closure");
      return ok;
    },
    fold: (episode, e) => {
      episode.closureDate = e.occurredOn;
      episode.closureReason = e.code as ClosureReason;
    },
  },
  "referral-nfa": {
    form: {},
    sameDayOrder: 4,
    offeredWhen: (episode) => episode.assessments.length === 0 && episode.section47s.length === 0,
    check: (episode) =>
      episode.assessments.length > 0 || episode.cpPlans.length > 0 || episode.cinPlans.length > 0
        ? no("eventType", "A referral with further action cannot be marked no further action")
        : ok,
    fold: (episode, e) => {
      episode.nfa = e.childSeen !== false;
    },
  },
  // A referral opens its episode (deriveEpisodes); the episode's page never offers one.
  referral: {
    form: {},
    sameDayOrder: 0,
    offeredWhen: () => false,
    check: () => no("eventType", "A referral opens a new episode"),
    fold: nothing,
  },
};

/** The events that make sense next in an open episode, in the order its page offers them. */
export const nextEventTypes = (episode: Episode, on: IsoDate): CscEventType[] =>
  episode.closureDate !== null
    ? []
    : (Object.entries(EVENT_TYPES) as [CscEventType, EventTypeRow][])
        .filter(([, row]) => row.offeredWhen(episode, on))
        .map(([type]) => type);
