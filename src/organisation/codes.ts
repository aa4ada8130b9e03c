// SPDX-License-Identifier: MIT
/**
 * The partnership's organisation vocabulary: agency types and user roles. Stored as these codes, shown
 * through the labels, so a later rename of a label never rewrites history.
 */

/**
 * The codes of a code list, as a non-empty tuple: what `z.enum` and SQL check constraints take.
 * @param list - Codes mapped to their labels (or definitions).
 */
export const codesOf = <T extends Record<string, unknown>>(list: T) =>
  Object.keys(list) as [keyof T & string, ...(keyof T & string)[]];

export const AGENCY_TYPES = {
  health: "Health",
  education: "School or education",
  police: "Police",
  housing: "Housing",
  "early-help": "Early help",
  "childrens-social-care": "Children's social care",
  probation: "Probation",
  "adult-services": "Adult services",
  "voluntary-community": "Voluntary or community",
  other: "Other",
} as const;

export type AgencyType = keyof typeof AGENCY_TYPES;
export const AGENCY_TYPE_CODES = Object.keys(AGENCY_TYPES) as [AgencyType, ...AgencyType[]];

export const ROLES = {
  practitioner: "Practitioner",
  manager: "Manager",
  "safeguarding-lead": "Safeguarding lead",
  "front-door": "Front door (MASH)",
  analyst: "Analyst",
  auditor: "Auditor",
  administrator: "Administrator",
} as const;

export type Role = keyof typeof ROLES;
export const ROLE_CODES = Object.keys(ROLES) as [Role, ...Role[]];

/** Roles that must use a second factor: the ones that can change who sees what. */
export const ROLES_REQUIRING_SECOND_FACTOR: ReadonlySet<Role> = new Set<Role>(["administrator"]);

/**
 * Roles a sign-in provider's group may give on a first sign-in (src/sso): every role but those needing
 * Hearth's own second factor, which are only ever invited.
 */
export const SSO_MAPPABLE_ROLE_CODES = ROLE_CODES.filter(
  (role): role is Exclude<Role, "administrator"> => !ROLES_REQUIRING_SECOND_FACTOR.has(role),
);
