// SPDX-License-Identifier: MIT
/**
 * The chronology vocabulary. Each event type is a code with a label, the agency types that usually
 * record it, and the neglect types it may indicate (a suggestion the recorder confirms or changes).
 */
import { type AgencyType, codesOf } from "../organisation/codes.ts";

export const NEGLECT_TYPES = {
  physical: "Physical",
  nutritional: "Nutritional",
  medical: "Medical or dental",
  educational: "Educational",
  emotional: "Emotional",
  supervisory: "Supervisory",
} as const;
export type NeglectType = keyof typeof NEGLECT_TYPES;

export const SIGNIFICANCE = { low: "Low", medium: "Medium", high: "High" } as const;
export type Significance = keyof typeof SIGNIFICANCE;

/** Chronologies keep fact, report and opinion apart. */
export const INFORMATION_BASES = {
  observed: "Observed",
  reported: "Reported",
  opinion: "Professional opinion",
} as const;
export type InformationBasis = keyof typeof INFORMATION_BASES;

export const DATE_PRECISIONS = {
  day: "Exact day",
  month: "Month only",
  approximate: "Approximate",
} as const;
export type DatePrecision = keyof typeof DATE_PRECISIONS;

export const VISIBILITIES = {
  normal: "Everyone who can see the child's record",
  restricted: "Restricted to named roles",
} as const;
export type Visibility = keyof typeof VISIBILITIES;

type EventTypeDefinition = {
  label: string;
  /** Neglect types this event may indicate, offered as a starting point. */
  neglectTypes: NeglectType[];
  significance: Significance;
  /** A positive change is recorded as well as a concern: chronologies show capacity to change. */
  positive?: boolean;
};

export const EVENT_TYPES = {
  "not-brought-health": {
    label: "Child not brought to a health appointment",
    neglectTypes: ["medical"],
    significance: "medium",
  },
  "not-brought-dental": {
    label: "Child not brought to a dental appointment",
    neglectTypes: ["medical"],
    significance: "medium",
  },
  "ae-attendance": {
    label: "A&E attendance",
    neglectTypes: ["supervisory", "medical"],
    significance: "medium",
  },
  injury: { label: "Injury", neglectTypes: ["supervisory", "physical"], significance: "high" },
  "school-absence": { label: "School absence", neglectTypes: ["educational"], significance: "low" },
  "persistent-absence": {
    label: "Persistent school absence (10% or more of sessions missed)",
    neglectTypes: ["educational"],
    significance: "medium",
  },
  exclusion: { label: "Exclusion from school", neglectTypes: ["educational"], significance: "medium" },
  "missing-education": {
    label: "Child missing education",
    neglectTypes: ["educational"],
    significance: "high",
  },
  "missing-episode": { label: "Missing from home", neglectTypes: ["supervisory"], significance: "high" },
  "domestic-abuse": {
    label: "Domestic abuse incident",
    neglectTypes: ["emotional", "supervisory"],
    significance: "high",
  },
  "parental-substance-misuse": {
    label: "Parental substance misuse concern",
    neglectTypes: ["supervisory", "physical"],
    significance: "medium",
  },
  "parental-mental-health": {
    label: "Parental mental health concern",
    neglectTypes: ["emotional"],
    significance: "medium",
  },
  "housing-concern": { label: "Housing concern", neglectTypes: ["physical"], significance: "medium" },
  eviction: { label: "Eviction or loss of home", neglectTypes: ["physical"], significance: "high" },
  "household-change": { label: "Change of household membership", neglectTypes: [], significance: "medium" },
  "home-visit-seen": { label: "Home visit: child seen", neglectTypes: [], significance: "low" },
  "home-visit-seen-alone": { label: "Home visit: child seen alone", neglectTypes: [], significance: "low" },
  "home-visit-not-seen": {
    label: "Home visit: child not seen",
    neglectTypes: ["supervisory"],
    significance: "medium",
  },
  "home-conditions": {
    label: "Poor home conditions observed",
    neglectTypes: ["physical"],
    significance: "medium",
  },
  "hunger-or-poor-hygiene": {
    label: "Child hungry or poorly cared for at school or nursery",
    neglectTypes: ["nutritional", "physical"],
    significance: "medium",
  },
  "police-call-out": {
    label: "Police call-out to the home",
    neglectTypes: ["supervisory"],
    significance: "medium",
  },
  referral: { label: "Referral to children's social care", neglectTypes: [], significance: "high" },
  birth: { label: "Birth", neglectTypes: [], significance: "medium" },
  death: { label: "Death", neglectTypes: [], significance: "high" },
  "positive-change": { label: "Positive change", neglectTypes: [], significance: "medium", positive: true },
  "neglect-assessment": { label: "Neglect assessment completed", neglectTypes: [], significance: "medium" },
  other: { label: "Other significant event", neglectTypes: [], significance: "low" },
  /** Recorded by Hearth when a person decides what to do about a signal (src/signals). */
  "signal-decision": {
    label: "Decision on a signal of possible neglect",
    neglectTypes: [],
    significance: "medium",
  },
} as const satisfies Record<string, EventTypeDefinition>;
export type EventType = keyof typeof EVENT_TYPES;

/** The agency types whose users typically record each event, to order the form's list for them. */
export const USUAL_RECORDERS: Partial<Record<EventType, AgencyType[]>> = {
  "not-brought-health": ["health"],
  "not-brought-dental": ["health"],
  "ae-attendance": ["health"],
  "school-absence": ["education"],
  "persistent-absence": ["education"],
  exclusion: ["education"],
  "missing-education": ["education"],
  "domestic-abuse": ["police"],
  "police-call-out": ["police"],
  "housing-concern": ["housing"],
  eviction: ["housing"],
};

export const NEGLECT_TYPE_CODES = codesOf(NEGLECT_TYPES);
export const SIGNIFICANCE_CODES = codesOf(SIGNIFICANCE);
export const INFORMATION_BASIS_CODES = codesOf(INFORMATION_BASES);
export const DATE_PRECISION_CODES = codesOf(DATE_PRECISIONS);
export const VISIBILITY_CODES = codesOf(VISIBILITIES);
export const EVENT_TYPE_CODES = codesOf(EVENT_TYPES);

/** Event types Hearth records itself (a decision on a signal is recorded from the signal's page). */
export const SYSTEM_EVENT_TYPES: readonly EventType[] = ["signal-decision"];
/** The event types a person may choose on the chronology's entry form. */
export const FORM_EVENT_TYPES = Object.fromEntries(
  Object.entries(EVENT_TYPES).filter(([code]) => !SYSTEM_EVENT_TYPES.includes(code as EventType)),
) as Omit<typeof EVENT_TYPES, "signal-decision">;
