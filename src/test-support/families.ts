// SPDX-License-Identifier: MIT
/**
 * Test factory: a family inserted directly as the database owner (as the generator would), so tests can
 * exercise what people see of it through the repository and over HTTP. A household with a baby, an older
 * sibling at school, their mother, and the mother's partner (another adult in the household, not a
 * parent), with their relationships and household memberships, and the involvements a test asks for.
 * Every name is invented.
 */
import { randomUUID } from "node:crypto";
import type { AccessContext } from "../data/access-context.ts";
import type { HearthDatabase } from "../db/database.ts";
import { addCalendarDays, todayInEngland } from "../kernel/calendar.ts";
import { onKey } from "../kernel/sql.ts";
import type { AgencyType, Role } from "../organisation/codes.ts";

export type TestFamily = {
  householdId: string;
  babyId: string;
  siblingId: string;
  motherId: string;
  partnerId: string;
  /** Involvement ids by child. */
  involvementIds: string[];
};

export type FamilyOptions = {
  partnershipId: string;
  /**
   * Agencies involved with a child: each gets an open involvement started a year ago, with the lead
   * professional (whose worklist a signal reaches) where the test names one.
   */
  involvements?: { agencyId: string; child: "baby" | "sibling"; leadProfessionalUserId?: string }[];
  familyName?: string;
};

/** A date this many days before today in England (negative: after), as the app's own dates are. */
export const isoDaysAgo = (days: number): string => addCalendarDays(todayInEngland(), -days);

/**
 * Inserts a family. The baby is about 8 months old, the sibling 7 years old.
 * @returns The new rows' ids.
 */
export const createFamily = async (database: HearthDatabase, options: FamilyOptions): Promise<TestFamily> => {
  const p = options.partnershipId;
  const familyName = options.familyName ?? "Tamworth";
  const ids = {
    householdId: randomUUID(),
    babyId: randomUUID(),
    siblingId: randomUUID(),
    motherId: randomUUID(),
    partnerId: randomUUID(),
  };
  const involvementIds: string[] = [];
  await database.unsafeOwnerDb.transaction().execute(async (trx) => {
    const people = [
      {
        person_id: ids.babyId,
        kind: "child" as const,
        given_names: "Poppy",
        family_name: familyName,
        date_of_birth: isoDaysAgo(240),
        sex: "F" as const,
        nhs_number: null,
      },
      {
        person_id: ids.siblingId,
        kind: "child" as const,
        given_names: "Jayden",
        family_name: familyName,
        date_of_birth: isoDaysAgo(7 * 365 + 30),
        sex: "M" as const,
        nhs_number: null,
      },
      {
        person_id: ids.motherId,
        kind: "adult" as const,
        given_names: "Kerry",
        family_name: familyName,
        date_of_birth: isoDaysAgo(27 * 365),
        sex: "F" as const,
        nhs_number: null,
      },
      {
        person_id: ids.partnerId,
        kind: "adult" as const,
        given_names: "Dean",
        family_name: "Holloway",
        date_of_birth: isoDaysAgo(33 * 365),
        sex: "M" as const,
        nhs_number: null,
      },
    ];
    await trx
      .insertInto("people")
      .values(people.map((person) => ({ ...person, partnership_id: p })))
      .execute();
    await trx
      .insertInto("person_names")
      .values(
        people.map((person) => ({
          partnership_id: p,
          name_id: randomUUID(),
          person_id: person.person_id,
          given_names: person.given_names,
          family_name: person.family_name,
        })),
      )
      .execute();
    await trx
      .insertInto("households")
      .values({
        partnership_id: p,
        household_id: ids.householdId,
        address_line: "14 Cinder Lane",
        town: "Anytown",
        postcode: "ZZ1 1ZZ",
        ward: "Riverside",
        lsoa: "E01000001",
      })
      .execute();
    const member = (personId: string, role: "child" | "parent" | "other-adult", from: string) => ({
      partnership_id: p,
      membership_id: randomUUID(),
      household_id: ids.householdId,
      person_id: personId,
      household_role: role,
      valid_from: from,
      valid_to: null,
    });
    await trx
      .insertInto("household_members")
      .values([
        member(ids.motherId, "parent", isoDaysAgo(8 * 365)),
        member(ids.siblingId, "child", isoDaysAgo(7 * 365)),
        member(ids.babyId, "child", isoDaysAgo(240)),
        member(ids.partnerId, "other-adult", isoDaysAgo(400)),
      ])
      .execute();
    const relationship = (
      personId: string,
      relatedPersonId: string,
      type: "mother" | "sibling" | "parents-partner",
      parentalResponsibility = false,
    ) => ({
      partnership_id: p,
      relationship_id: randomUUID(),
      person_id: personId,
      related_person_id: relatedPersonId,
      relationship_type: type,
      parental_responsibility: parentalResponsibility,
    });
    await trx
      .insertInto("relationships")
      .values([
        relationship(ids.motherId, ids.babyId, "mother", true),
        relationship(ids.motherId, ids.siblingId, "mother", true),
        relationship(ids.siblingId, ids.babyId, "sibling"),
        relationship(ids.partnerId, ids.babyId, "parents-partner"),
        relationship(ids.partnerId, ids.siblingId, "parents-partner"),
      ])
      .execute();
    for (const involvement of options.involvements ?? []) {
      const involvementId = randomUUID();
      involvementIds.push(involvementId);
      await trx
        .insertInto("involvements")
        .values({
          partnership_id: p,
          involvement_id: involvementId,
          person_id: involvement.child === "baby" ? ids.babyId : ids.siblingId,
          agency_id: involvement.agencyId,
          started_on: isoDaysAgo(365),
          ended_on: null,
          sharing_basis: "consent",
          consent: "given",
          sharing_reasoning: null,
          lead_professional_user_id: involvement.leadProfessionalUserId ?? null,
        })
        .execute();
    }
  });
  return { ...ids, involvementIds };
};

export type TestUser = { userId: string; email: string; agencyId: string; agencyName: string; role: Role };

/** The access context a test user's request would carry (no team, no session), as their own role or another. */
export const contextOfTestUser = (
  partnershipId: string,
  user: TestUser,
  role: Role = user.role,
): AccessContext => ({
  partnershipId,
  userId: user.userId,
  role,
  agencyId: user.agencyId,
  teamId: null,
  sessionId: null,
  ip: null,
});

/**
 * Finds a generated user (all share the demo password) of a role in an agency of a type.
 * @param match - The role, and the agency type or an exact agency name.
 */
export const findUser = async (
  database: HearthDatabase,
  partnershipId: string,
  match: { role: Role; agencyType?: AgencyType; agencyName?: string },
): Promise<TestUser> => {
  let query = database.unsafeOwnerDb
    .selectFrom("users")
    .innerJoin("agencies", (join) => onKey(join, "agencies.agency_id", "users.agency_id"))
    .select(["users.user_id", "users.email", "users.agency_id", "agencies.name as agency_name", "users.role"])
    .where("users.partnership_id", "=", partnershipId)
    .where("users.role", "=", match.role)
    .where("users.deactivated_at", "is", null);
  if (match.agencyType) query = query.where("agencies.agency_type", "=", match.agencyType);
  if (match.agencyName) query = query.where("agencies.name", "=", match.agencyName);
  const row = await query.orderBy("agencies.name").orderBy("users.email").executeTakeFirst();
  if (!row) throw new Error(`no ${match.role} in ${match.agencyName ?? match.agencyType ?? "any agency"}`);
  return {
    userId: row.user_id,
    email: row.email,
    agencyId: row.agency_id,
    agencyName: row.agency_name,
    role: row.role,
  };
};
