// SPDX-License-Identifier: MIT
/**
 * The pathway vocabularies: DfE CIN census code lists (stored as codes, shown through labels), front-door
 * outcomes and RAG ratings, early help endings, and the coded social-care event types. Labels follow the
 * CIN census code sets (../../../shared/spec-cin-census.md §1.4).
 */
import { type AgencyType, codesOf } from "../organisation/codes.ts";

/** Referral source, N00152 (5D from the 2023 schema). */
export const REFERRAL_SOURCES = {
  "1A": "Individual: family member, relative or carer",
  "1B": "Individual: acquaintance (including neighbours and childminders)",
  "1C": "Individual: self",
  "1D": "Individual: other (including strangers)",
  "2A": "Schools",
  "2B": "Education services",
  "3A": "Health: GP",
  "3B": "Health: health visitor",
  "3C": "Health: school nurse",
  "3D": "Health: other primary health services",
  "3E": "Health: A&E",
  "3F": "Health: other",
  "4": "Housing",
  "5A": "LA services: social care",
  "5B": "LA services: other internal",
  "5C": "LA services: external",
  "5D": "LA services: early help",
  "6": "Police",
  "7": "Other legal agency",
  "8": "Other",
  "9": "Anonymous",
  "10": "Unknown",
} as const;
export type ReferralSource = keyof typeof REFERRAL_SOURCES;
export const REFERRAL_SOURCE_CODES = codesOf(REFERRAL_SOURCES);

/** The usual referral source for a request from an agency of this type. */
export const REFERRAL_SOURCE_BY_AGENCY: Record<AgencyType, ReferralSource> = {
  health: "3D",
  education: "2A",
  police: "6",
  housing: "4",
  "early-help": "5D",
  "childrens-social-care": "5A",
  probation: "7",
  "adult-services": "5A",
  "voluntary-community": "8",
  other: "8",
};

/** Primary need, N00101. */
export const PRIMARY_NEEDS = {
  N1: "Abuse, neglect and exploitation",
  N2: "Child's disability",
  N3: "Parental disability or illness",
  N4: "Family in acute stress",
  N5: "Family dysfunction",
  N6: "Socially unacceptable behaviour",
  N7: "Low income",
  N8: "Absent parenting",
  N9: "Cases other than children in need",
  N0: "Not stated",
} as const;
export type PrimaryNeed = keyof typeof PRIMARY_NEEDS;
export const PRIMARY_NEED_CODES = codesOf(PRIMARY_NEEDS);

/** Reason for closure, N00103. */
export const CLOSURE_REASONS = {
  RC1: "Adopted",
  RC2: "Died",
  RC3: "Child arrangements order",
  RC4: "Special guardianship order",
  RC5: "Transferred to another local authority",
  RC6: "Transferred to adult social care",
  RC7: "Services ceased for any other reason, including child no longer in need",
  RC8: "Closed after assessment, no further action",
  RC9: "Closed after assessment, referred to early help",
} as const;
export type ClosureReason = keyof typeof CLOSURE_REASONS;
export const CLOSURE_REASON_CODES = codesOf(CLOSURE_REASONS);

/** Category of abuse, N00113 and N00114. */
export const ABUSE_CATEGORIES = {
  NEG: "Neglect",
  PHY: "Physical abuse",
  SAB: "Sexual abuse",
  EMO: "Emotional abuse",
  MUL: "Multiple",
} as const;
export type AbuseCategory = keyof typeof ABUSE_CATEGORIES;
export const ABUSE_CATEGORY_CODES = codesOf(ABUSE_CATEGORIES);

/** Factors identified at the end of assessment, N00181. */
export const ASSESSMENT_FACTORS = {
  "1A": "Alcohol misuse: child",
  "1B": "Alcohol misuse: parent or carer",
  "1C": "Alcohol misuse: another person in the household",
  "2A": "Drug misuse: child",
  "2B": "Drug misuse: parent or carer",
  "2C": "Drug misuse: another person in the household",
  "3A": "Domestic abuse: child",
  "3B": "Domestic abuse: parent or carer",
  "3C": "Domestic abuse: another person in the household",
  "4A": "Mental health: child",
  "4B": "Mental health: parent or carer",
  "4C": "Mental health: another person in the family or household",
  "5A": "Learning disability: child",
  "5B": "Learning disability: parent or carer",
  "5C": "Learning disability: another person in the family or household",
  "6A": "Physical disability or illness: child",
  "6B": "Physical disability or illness: parent or carer",
  "6C": "Physical disability or illness: another person in the family or household",
  "7A": "Young carer",
  "8B": "Privately fostered: overseas, intending to return",
  "8C": "Privately fostered: overseas, intending to stay",
  "8D": "Privately fostered: UK, educational placement",
  "8E": "Privately fostered: UK, alternative family arrangement",
  "8F": "Privately fostered: other",
  "9A": "Unaccompanied asylum-seeking child",
  "10A": "Going or being missing",
  "11A": "Child sexual exploitation",
  "12A": "Trafficking",
  "13A": "Gangs",
  "14A": "Socially unacceptable behaviour",
  "15A": "Self-harm",
  "16A": "Abuse or neglect: neglect",
  "17A": "Abuse or neglect: emotional abuse",
  "18A": "Physical abuse (before 2021)",
  "18B": "Physical abuse: child on child",
  "18C": "Physical abuse: adult on child",
  "19A": "Sexual abuse (before 2021)",
  "19B": "Sexual abuse: child on child",
  "19C": "Sexual abuse: adult on child",
  "20": "Other",
  "21": "No factors identified",
  "22A": "Female genital mutilation",
  "23A": "Abuse linked to faith or belief",
  "24A": "Child criminal exploitation",
} as const;
export type AssessmentFactor = keyof typeof ASSESSMENT_FACTORS;
export const ASSESSMENT_FACTOR_CODES = codesOf(ASSESSMENT_FACTORS);

/** The front door's rating of urgency. */
export const RAG_RATINGS = { red: "Red", amber: "Amber", green: "Green" } as const;
export type RagRating = keyof typeof RAG_RATINGS;
export const RAG_RATING_CODES = codesOf(RAG_RATINGS);

/** What the front door decided about a request for support. */
export const FRONT_DOOR_OUTCOMES = {
  nfa: "No further action",
  advice: "Advice to the referrer",
  "early-help": "Early help",
  s17: "Child and family assessment (section 17)",
  s47: "Strategy discussion (section 47)",
} as const;
export type FrontDoorOutcome = keyof typeof FRONT_DOOR_OUTCOMES;
export const FRONT_DOOR_OUTCOME_CODES = codesOf(FRONT_DOOR_OUTCOMES);

/** How an early help episode ended. */
export const EARLY_HELP_ENDINGS = {
  "outcomes-met": "Outcomes met, universal services continue",
  "step-up": "Stepped up to children's social care",
  "consent-withdrawn": "Consent withdrawn",
  moved: "Family moved away",
} as const;
export type EarlyHelpEnding = keyof typeof EARLY_HELP_ENDINGS;
export const EARLY_HELP_ENDING_CODES = codesOf(EARLY_HELP_ENDINGS);

/** Progress against an early help plan outcome at a review. */
export const OUTCOME_PROGRESS = {
  achieved: "Achieved",
  "on-track": "On track",
  "some-progress": "Some progress",
  "no-progress": "No progress",
  worse: "Getting worse",
} as const;
export type OutcomeProgress = keyof typeof OUTCOME_PROGRESS;
export const OUTCOME_PROGRESS_CODES = codesOf(OUTCOME_PROGRESS);

/**
 * Children's social care events, each the CIN census item it records. `subject_id` ties an event to the
 * thing it belongs to: the assessment, enquiry or plan (the start event's id).
 */
export const CSC_EVENT_TYPES = {
  referral: "Referral received (source code)",
  "referral-nfa": "Referral: no further action",
  "primary-need": "Primary need recorded",
  allocation: "Allocated to a social worker",
  "assessment-start": "Assessment started",
  "assessment-internal-review": "Assessment internal review",
  "assessment-authorised": "Assessment authorised (factors identified)",
  "strategy-discussion": "Strategy discussion held: no section 47 enquiry",
  "s47-start": "Section 47 enquiry started (strategy discussion)",
  "icpc-not-required": "Section 47 enquiry ended: conference not required",
  icpc: "Initial child protection conference",
  "cp-plan-start": "Child protection plan started",
  "cp-category-change": "Category of abuse changed",
  "cp-review": "Review child protection conference",
  "core-group": "Core group meeting",
  visit: "Statutory visit",
  "cp-plan-end": "Child protection plan ended",
  "cin-plan-start": "Child in need plan started",
  "cin-plan-review": "Child in need plan review",
  "cin-plan-end": "Child in need plan ended",
  "entered-care": "Entered care (category of need)",
  closure: "Episode closed (reason code)",
} as const;
export type CscEventType = keyof typeof CSC_EVENT_TYPES;
export const CSC_EVENT_TYPE_CODES = codesOf(CSC_EVENT_TYPES);

/** The default levels of need (most partnerships publish four). Partnerships may configure their own. */
export const DEFAULT_NEED_LEVELS = [
  {
    code: "universal",
    name: "Universal",
    description: "Needs met by universal services: schools, GPs, health visiting.",
    pathway: "Universal services",
  },
  {
    code: "additional",
    name: "Additional",
    description: "Emerging needs, often met by one agency with an early help assessment and plan.",
    pathway: "Single-agency early help",
  },
  {
    code: "targeted",
    name: "Targeted",
    description: "Complex needs: a multi-agency team around the family with a lead professional.",
    pathway: "Multi-agency early help (team around the family)",
  },
  {
    code: "specialist",
    name: "Specialist",
    description: "Statutory: a social work assessment (section 17) or enquiry (section 47).",
    pathway: "Children's social care through the front door",
  },
] as const;

/** Label of a code in a list, or the code itself. */
export const labelOf = (list: Record<string, string>, code: string | null | undefined): string =>
  code == null ? "" : (list[code] ?? code);
