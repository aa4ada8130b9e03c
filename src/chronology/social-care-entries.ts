// SPDX-License-Identifier: MIT
/**
 * Children's social care events (src/pathways, stored as CIN census coded events) as chronology entries:
 * a title and a sentence in words, never the census codes. Pure: no I/O.
 */
import {
  ABUSE_CATEGORIES,
  ASSESSMENT_FACTORS,
  CLOSURE_REASONS,
  CSC_EVENT_TYPES,
  type CscEventType,
  labelOf,
  PRIMARY_NEEDS,
  REFERRAL_SOURCES,
} from "../pathways/codes.ts";

/** The coded fields of a social care event that a chronology shows. */
export type SocialCareFacts = {
  eventType: CscEventType;
  code: string | null;
  codes: readonly string[];
  count: number | null;
  childSeen: boolean | null;
  seenAlone: boolean | null;
};

/** The event type's label without the census hint in brackets ("Referral received (source code)"). */
export const socialCareTitle = (eventType: CscEventType): string =>
  (CSC_EVENT_TYPES[eventType] ?? eventType).replace(/\s*\([^)]*\)$/, "");

const listOf = (items: string[]): string =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;

/**
 * @returns What the event records, in words: "Referred by: Schools.", "Category: Neglect.", ...; "" when
 * the event type says it all.
 */
export const socialCareDetail = (facts: SocialCareFacts): string => {
  const { eventType, code } = facts;
  switch (eventType) {
    case "referral":
      return code ? `Referred by: ${labelOf(REFERRAL_SOURCES, code)}.` : "";
    case "primary-need":
    case "entered-care":
      return code ? `Primary need: ${labelOf(PRIMARY_NEEDS, code)}.` : "";
    case "closure":
      return code ? `Reason: ${labelOf(CLOSURE_REASONS, code)}.` : "";
    case "cp-plan-start":
    case "cp-category-change":
    case "cp-review":
      return code ? `Category of abuse: ${labelOf(ABUSE_CATEGORIES, code)}.` : "";
    case "assessment-authorised":
      return facts.codes.length > 0
        ? `Factors identified: ${listOf(facts.codes.map((c) => labelOf(ASSESSMENT_FACTORS, c)))}.`
        : "No factors identified.";
    case "visit":
      if (facts.childSeen === null) return "";
      if (!facts.childSeen) return "The child was not seen.";
      return facts.seenAlone ? "The child was seen, and seen alone." : "The child was seen, not alone.";
    default:
      return "";
  }
};
