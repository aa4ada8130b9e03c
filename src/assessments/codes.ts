// SPDX-License-Identifier: MIT
/**
 * The assessment vocabulary: age bands, evidence sources, modes, the child's-voice methods, the
 * Assessment Framework's dimensions, and the meanings a scale point can carry. Stored as codes, shown
 * through these labels.
 */

export const AGE_BANDS = {
  antenatal: "Before birth",
  "0-2": "Aged 0 to 2",
  "3-5": "Aged 3 to 5",
  "6-11": "Aged 6 to 11",
  "12-17": "Aged 12 to 17",
} as const;
export type AgeBand = keyof typeof AGE_BANDS;
export const AGE_BAND_CODES = Object.keys(AGE_BANDS) as [AgeBand, ...AgeBand[]];

/** What a scale point means for the child, from best to worst: level rules and flags read these. */
export const MEANINGS = {
  needs_met: "Needs met",
  partly: "Needs partly met",
  unmet: "Needs mostly unmet",
  serious: "Serious concern",
} as const;
export type Meaning = keyof typeof MEANINGS;
export const MEANING_CODES = Object.keys(MEANINGS) as [Meaning, ...Meaning[]];
/** A meaning's rank: 0 best, 3 worst. */
export const meaningRank = (meaning: Meaning): number => MEANING_CODES.indexOf(meaning);

export const EVIDENCE_SOURCES = {
  observed: "Observed",
  carer: "Told by a parent or carer",
  child: "Told by the child",
  records: "Records",
  "other-agency": "Another agency",
} as const;
export type EvidenceSource = keyof typeof EVIDENCE_SOURCES;
export const EVIDENCE_SOURCE_CODES = Object.keys(EVIDENCE_SOURCES) as [EvidenceSource, ...EvidenceSource[]];

export const ASSESSMENT_MODES = {
  practitioner: "Practitioner alone",
  "with-family": "With the family",
} as const;
export type AssessmentMode = keyof typeof ASSESSMENT_MODES;
export const ASSESSMENT_MODE_CODES = Object.keys(ASSESSMENT_MODES) as [AssessmentMode, ...AssessmentMode[]];

export const ASSESSMENT_STATUSES = {
  draft: "Draft",
  submitted: "Waiting for sign-off",
  "signed-off": "Signed off",
} as const;
export type AssessmentStatus = keyof typeof ASSESSMENT_STATUSES;
export const ASSESSMENT_STATUS_CODES = Object.keys(ASSESSMENT_STATUSES) as [
  AssessmentStatus,
  ...AssessmentStatus[],
];

/** How the child's voice was heard; the last three suit young or non-verbal children. */
export const CHILD_VOICE_METHODS = {
  words: "Talking with the child (their own words)",
  "three-houses": "Three houses (worries, good things, dreams)",
  drawing: "Drawing or play",
  observation: "Observation (a young or non-verbal child)",
  "communication-aid": "Signs, symbols or a communication aid",
} as const;
export type ChildVoiceMethod = keyof typeof CHILD_VOICE_METHODS;
export const CHILD_VOICE_METHOD_CODES = Object.keys(CHILD_VOICE_METHODS) as [
  ChildVoiceMethod,
  ...ChildVoiceMethod[],
];

export const FAMILY_AGREEMENT = {
  agree: "We agree",
  partly: "We partly agree",
  disagree: "We do not agree",
} as const;
export type FamilyAgreement = keyof typeof FAMILY_AGREEMENT;
export const FAMILY_AGREEMENT_CODES = Object.keys(FAMILY_AGREEMENT) as [
  FamilyAgreement,
  ...FamilyAgreement[],
];

export const TOOL_TIERS = { screen: "Screening", in_depth: "In-depth", analysis: "Analysis" } as const;
export type ToolTier = keyof typeof TOOL_TIERS;

export const LICENCE_KINDS = {
  own: "Hearth's own",
  open: "Openly licensed",
  licensed_third_party: "Licensed third-party content",
} as const;
export type LicenceKind = keyof typeof LICENCE_KINDS;

/** The Assessment Framework's 20 dimensions, in its three domains. */
export const FRAMEWORK_DIMENSIONS = {
  health: "Child's developmental needs: health",
  education: "Child's developmental needs: education",
  "emotional-behavioural": "Child's developmental needs: emotional and behavioural development",
  identity: "Child's developmental needs: identity",
  "family-social-relationships": "Child's developmental needs: family and social relationships",
  "social-presentation": "Child's developmental needs: social presentation",
  "self-care": "Child's developmental needs: self-care skills",
  "basic-care": "Parenting capacity: basic care",
  "ensuring-safety": "Parenting capacity: ensuring safety",
  "emotional-warmth": "Parenting capacity: emotional warmth",
  stimulation: "Parenting capacity: stimulation",
  "guidance-boundaries": "Parenting capacity: guidance and boundaries",
  stability: "Parenting capacity: stability",
  "family-history": "Family and environment: family history and functioning",
  "wider-family": "Family and environment: wider family",
  housing: "Family and environment: housing",
  employment: "Family and environment: employment",
  income: "Family and environment: income",
  "social-integration": "Family and environment: family's social integration",
  "community-resources": "Family and environment: community resources",
} as const;
export type FrameworkDimension = keyof typeof FRAMEWORK_DIMENSIONS;
export const FRAMEWORK_DIMENSION_CODES = Object.keys(FRAMEWORK_DIMENSIONS) as [
  FrameworkDimension,
  ...FrameworkDimension[],
];
