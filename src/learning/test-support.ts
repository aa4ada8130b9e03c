// SPDX-License-Identifier: MIT
/**
 * Test factories for the learning area: an auditor account in an agency of a given type (the generated
 * partnership has one auditor, in children's social care), inserted as the owner as the generator would,
 * signing in with the demo password.
 */
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import type { AgencyType, Role } from "../organisation/codes.ts";

export type AddedUser = { userId: string; agencyId: string; email: string; displayName: string };

/**
 * Adds an active user with the demo password to the first agency of a type (by name).
 * @param options - The agency's type, the role, and a name to tell accounts apart in tests.
 */
export const addUser = async (
  database: HearthDatabase,
  partnership: GeneratedPartnership,
  options: { agencyType: AgencyType; role: Role; name: string; agencyIndex?: number },
): Promise<AddedUser> => {
  const db = database.unsafeOwnerDb;
  const agencies = await db
    .selectFrom("agencies")
    .select(["agency_id"])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("agency_type", "=", options.agencyType)
    .orderBy("name")
    .execute();
  const agency = agencies[options.agencyIndex ?? 0];
  if (!agency) throw new Error(`no ${options.agencyType} agency`);
  const hash = await db
    .selectFrom("users")
    .select("password_hash")
    .where("partnership_id", "=", partnership.partnershipId)
    .where("password_hash", "is not", null)
    .executeTakeFirstOrThrow();
  const userId = crypto.randomUUID();
  const email = `${options.name.toLowerCase().replace(/[^a-z0-9]+/g, ".")}.${userId.slice(0, 8)}@learning.hearth.example`;
  await db
    .insertInto("users")
    .values({
      partnership_id: partnership.partnershipId,
      user_id: userId,
      email,
      display_name: options.name,
      agency_id: agency.agency_id,
      team_id: null,
      role: options.role,
      password_hash: hash.password_hash,
      totp_secret: null,
      totp_confirmed_at: null,
      totp_last_step: null,
    })
    .execute();
  return { userId, agencyId: agency.agency_id, email, displayName: options.name };
};
