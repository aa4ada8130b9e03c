// SPDX-License-Identifier: MIT
/**
 * Whether a new social care event fits the child's history: pure checks run before anything is stored,
 * so the events always fold into valid CIN census episodes. Each refusal names the form field at fault.
 */
import { ABUSE_CATEGORY_CODES, ASSESSMENT_FACTOR_CODES, type CscEventType } from "./codes.ts";
import type { Episode } from "./episodes.ts";
import { type IsoDate, isWeekend } from "./working-days.ts";

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

const no = (field: string, message: string): EventCheck => ({ ok: false, field, message });

/**
 * @param episodes - The child's episodes as they stand.
 * @param event - The event to add (not a referral: referrals open episodes).
 * @param today - No event may be dated after today.
 */
export const checkNewEvent = (
  episodes: readonly Episode[],
  event: NewCscEvent,
  today: IsoDate,
): EventCheck => {
  const episode = episodes.find((e) => e.episodeId === event.episodeId);
  if (!episode) return no("episodeId", "This episode does not exist for this child");
  if (event.occurredOn > today) return no("occurredOn", "The date must be today or in the past");
  if (event.occurredOn < episode.referralDate)
    return no("occurredOn", `The date must be on or after the referral (${episode.referralDate})`);
  if (episode.closureDate !== null) return no("occurredOn", "This episode is closed");
  const openCp = episode.cpPlans.find((p) => p.end === null);
  const openCin = episode.cinPlans.find((p) => p.end === null);
  switch (event.eventType) {
    case "referral":
      return no("eventType", "A referral opens a new episode");
    case "referral-nfa":
      if (episode.assessments.length > 0 || episode.cpPlans.length > 0 || episode.cinPlans.length > 0)
        return no("eventType", "A referral with further action cannot be marked no further action");
      return { ok: true };
    case "primary-need":
    case "allocation":
    case "entered-care":
      return { ok: true };
    case "assessment-start":
      if (episode.assessments.some((a) => a.authorised === null))
        return no("eventType", "An assessment is already under way");
      return { ok: true };
    case "assessment-internal-review": {
      const a = episode.assessments.find((x) => x.id === event.subjectId);
      if (!a) return no("subjectId", "Select the assessment");
      if (a.internalReview !== null)
        return no("subjectId", "This assessment already had its internal review");
      if (event.occurredOn < a.start) return no("occurredOn", "A review cannot come before the start");
      return { ok: true };
    }
    case "assessment-authorised": {
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
      return { ok: true };
    }
    case "s47-start":
      if (episode.section47s.some((s) => s.icpc === null && !s.notRequired))
        return no("eventType", "A section 47 enquiry is already open");
      return { ok: true };
    case "icpc":
    case "icpc-not-required": {
      const s = episode.section47s.find((x) => x.id === event.subjectId);
      if (!s) return no("subjectId", "Select the section 47 enquiry");
      if (s.icpc !== null || s.notRequired) return no("subjectId", "This enquiry already has its outcome");
      if (event.occurredOn < s.start)
        return no("occurredOn", "The date cannot be before the strategy discussion");
      if (event.eventType === "icpc" && isWeekend(event.occurredOn))
        return no("occurredOn", "Conferences are not held at weekends (rule 8875)");
      return { ok: true };
    }
    case "cp-plan-start": {
      if (openCp) return no("eventType", "A child protection plan is already open (rule 8935)");
      if (!event.code || !(ABUSE_CATEGORY_CODES as readonly string[]).includes(event.code))
        return no("code", "Select the category of abuse");
      if (event.count === null || event.count < 0) return no("count", "Enter the number of previous plans");
      const icpcs = [episode.episodeIcpc, ...episode.section47s.map((s) => s.icpc)].filter((d) => d !== null);
      if (!icpcs.includes(event.occurredOn))
        return no("occurredOn", "A plan starts on the day of an initial conference (rule 2885)");
      return { ok: true };
    }
    case "cp-category-change":
    case "cp-review":
    case "core-group":
    case "cp-plan-end": {
      const plan = episode.cpPlans.find((p) => p.id === event.subjectId);
      if (!plan || plan.end !== null) return no("subjectId", "Select the open child protection plan");
      if (event.occurredOn <= plan.start && event.eventType !== "core-group")
        return no("occurredOn", `The date must be after the plan started (${plan.start})`);
      if (event.eventType === "cp-category-change" && !event.code)
        return no("code", "Select the new category of abuse");
      return { ok: true };
    }
    case "visit": {
      const plan =
        episode.cpPlans.find((p) => p.id === event.subjectId) ??
        episode.cinPlans.find((p) => p.id === event.subjectId);
      if (!plan || plan.end !== null) return no("subjectId", "Select the open plan");
      if (event.occurredOn < plan.start) return no("occurredOn", "A visit on the plan cannot come before it");
      if (event.childSeen === null) return no("childSeen", "Say whether the child was seen");
      if (event.childSeen === false && event.seenAlone === true)
        return no("seenAlone", "A child who was not seen cannot have been seen alone");
      return { ok: true };
    }
    case "cin-plan-start":
      if (openCin) return no("eventType", "A child in need plan is already open");
      if (openCp)
        return no("eventType", "A child in need plan cannot overlap a child protection plan (rule 4001)");
      return { ok: true };
    case "cin-plan-review":
    case "cin-plan-end": {
      const plan = episode.cinPlans.find((p) => p.id === event.subjectId);
      if (!plan || plan.end !== null) return no("subjectId", "Select the open child in need plan");
      if (event.occurredOn < plan.start)
        return no("occurredOn", "The date cannot be before the plan started");
      return { ok: true };
    }
    case "closure":
      if (openCp || openCin) return no("eventType", "End the open plan before closing the episode");
      if (episode.assessments.some((a) => a.authorised === null))
        return no("eventType", "Authorise the open assessment before closing the episode");
      if (!event.code) return no("code", "Select the reason for closure");
      return { ok: true };
  }
};
