// SPDX-License-Identifier: MIT
/**
 * Who is asking, as the repository needs it: built from the signed-in user's session, never from input.
 * The access rules are pure functions of it, so they can be read and tested without a database.
 */
import type { Role } from "../organisation/codes.ts";

export type AccessContext = {
  partnershipId: string;
  userId: string;
  role: Role;
  agencyId: string;
  teamId: string | null;
  sessionId: string | null;
  ip: string | null;
};

/** How far a role sees into the partnership's staff directory. */
export type UserVisibility = "partnership" | "agency" | "team";

/**
 * @returns The widest set of user accounts this caller may list: partnership-wide roles see everyone,
 * managers their agency, everyone else their own team (and themselves).
 */
export const userVisibility = (ctx: AccessContext): UserVisibility => {
  switch (ctx.role) {
    case "administrator":
    case "auditor":
    case "safeguarding-lead":
      return "partnership";
    case "manager":
    case "front-door":
      return "agency";
    case "practitioner":
    case "analyst":
      return "team";
  }
};
