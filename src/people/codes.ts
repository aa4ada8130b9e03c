// SPDX-License-Identifier: MIT
/**
 * The people vocabulary, stored as codes and shown through labels. Sex, ethnicity and disability use the
 * CIN census code lists (N00783, N00177, N00099) so the census is read straight off the record.
 */
import { codesOf } from "../organisation/codes.ts";

export const PERSON_KINDS = { child: "Child", adult: "Adult" } as const;
export type PersonKind = keyof typeof PERSON_KINDS;

/** CIN census Sex (N00783, 2024-25 on). An unborn child is U. */
export const SEX_CODES = { M: "Male", F: "Female", U: "Unknown" } as const;
export type SexCode = keyof typeof SEX_CODES;

/** CIN census Ethnicity (N00177). */
export const ETHNICITY_CODES = {
  WBRI: "White British",
  WIRI: "White Irish",
  WIRT: "Traveller of Irish heritage",
  WOTH: "Any other White background",
  WROM: "Gypsy/Roma",
  MWBC: "White and Black Caribbean",
  MWBA: "White and Black African",
  MWAS: "White and Asian",
  MOTH: "Any other mixed background",
  AIND: "Indian",
  APKN: "Pakistani",
  ABAN: "Bangladeshi",
  AOTH: "Any other Asian background",
  BCRB: "Caribbean",
  BAFR: "African",
  BOTH: "Any other Black background",
  CHNE: "Chinese",
  OOTH: "Any other ethnic group",
  REFU: "Refused",
  NOBT: "Information not yet obtained",
} as const;
export type EthnicityCode = keyof typeof ETHNICITY_CODES;

/** CIN census Disability (N00099). NONE stands alone. */
export const DISABILITY_CODES = {
  NONE: "No disability",
  MOB: "Mobility",
  HAND: "Hand function",
  PC: "Personal care",
  INC: "Incontinence",
  COMM: "Communication",
  LD: "Learning",
  HEAR: "Hearing",
  VIS: "Vision",
  BEH: "Behaviour",
  CON: "Consciousness",
  AUT: "Autism",
  DDA: "Other",
} as const;
export type DisabilityCode = keyof typeof DISABILITY_CODES;

/** Special educational needs and disability status, as schools record it. */
export const SEND_STATUSES = {
  none: "No special educational needs",
  "sen-support": "SEN support",
  ehcp: "Education, health and care plan",
  assessing: "Being assessed",
  unknown: "Not known",
} as const;
export type SendStatus = keyof typeof SEND_STATUSES;

/**
 * How one person is related to another: "person is <type> of related person". Adults in the household
 * who are not parents (parent's partner, other significant adult) are named explicitly.
 */
export const RELATIONSHIP_TYPES = {
  mother: "Mother",
  father: "Father",
  "step-parent": "Step-parent",
  "parents-partner": "Parent's partner",
  sibling: "Sibling",
  "half-sibling": "Half-sibling",
  grandparent: "Grandparent",
  "kinship-carer": "Kinship carer",
  "other-significant-adult": "Other significant adult",
} as const;
export type RelationshipType = keyof typeof RELATIONSHIP_TYPES;

/** Relationships that make someone a parent figure rather than a sibling or wider family. */
export const PARENTAL_RELATIONSHIPS: ReadonlySet<RelationshipType> = new Set([
  "mother",
  "father",
  "step-parent",
]);

/** Which way a household member stands, so adults who are not parents are never hidden. */
export const HOUSEHOLD_ROLES = {
  child: "Child",
  parent: "Parent or carer",
  "other-adult": "Other adult in the household",
} as const;
export type HouseholdRole = keyof typeof HOUSEHOLD_ROLES;

/** The lawful basis on which an agency's involvement shares information with the partnership. */
export const SHARING_BASES = {
  consent: "Consent",
  "safeguarding-exception": "Safeguarding exception (sharing without consent to protect the child)",
} as const;
export type SharingBasis = keyof typeof SHARING_BASES;

export const CONSENT_STATES = {
  given: "Given",
  refused: "Refused",
  "not-sought": "Not sought",
} as const;
export type ConsentState = keyof typeof CONSENT_STATES;

/** Why a child in the CIN census has no UPN (DfE's UPNunknown codes), kept so the return round-trips. */
export const UPN_UNKNOWN_REASONS = {
  UN1: "Child is aged under 6 years old and is not yet attending school",
  UN2: "Child has never attended school in England",
  UN3: "Child is educated at home",
  UN4: "Child is an unaccompanied asylum-seeking child or newly arrived and not yet attending school",
  UN5: "Sources collating UPNs reflect discrepancy",
  UN6: "Child is aged 6 or over and is not yet attending school",
  UN7: "Referral with no further action",
} as const;
export type UpnUnknownCode = keyof typeof UPN_UNKNOWN_REASONS;

export const PERSON_KIND_CODES = codesOf(PERSON_KINDS);
export const UPN_UNKNOWN_CODES = codesOf(UPN_UNKNOWN_REASONS);
export const SEX_CODE_LIST = codesOf(SEX_CODES);
export const ETHNICITY_CODE_LIST = codesOf(ETHNICITY_CODES);
export const DISABILITY_CODE_LIST = codesOf(DISABILITY_CODES);
export const SEND_STATUS_CODES = codesOf(SEND_STATUSES);
export const RELATIONSHIP_TYPE_CODES = codesOf(RELATIONSHIP_TYPES);
export const HOUSEHOLD_ROLE_CODES = codesOf(HOUSEHOLD_ROLES);
export const SHARING_BASIS_CODES = codesOf(SHARING_BASES);
export const CONSENT_STATE_CODES = codesOf(CONSENT_STATES);
