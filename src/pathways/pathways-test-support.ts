import { after, before } from "node:test";
import { todayInEngland } from "../chronology/dates.ts";
import type { AccessContext } from "../data/access-context.ts";
import { repositoryFor } from "../data/repository.ts";
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import { createTestPartnership, openTestDatabase } from "../test-support/harness.ts";

export let database: HearthDatabase;
export let partnership: GeneratedPartnership;

export const today = () => todayInEngland();

/** The context the app would build for a demo sign-in (by the email's local part). */
export const contextFor = async (local: string): Promise<AccessContext> => {
  const row = await database.unsafeOwnerDb
    .selectFrom("users")
    .select(["user_id", "agency_id", "team_id", "role"])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("email", "like", `${local}@%`)
    .executeTakeFirstOrThrow();
  return {
    partnershipId: partnership.partnershipId,
    userId: row.user_id,
    role: row.role,
    agencyId: row.agency_id,
    teamId: row.team_id,
    sessionId: null,
    ip: "127.0.0.1",
  };
};

/** A practitioner whose agency has no involvement with the child. */
export const uninvolvedPractitioner = async (personId: string): Promise<AccessContext> => {
  const row = await database.unsafeOwnerDb
    .selectFrom("users as u")
    .select(["u.user_id", "u.agency_id", "u.team_id"])
    .where("u.partnership_id", "=", partnership.partnershipId)
    .where("u.role", "=", "practitioner")
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("involvements as i")
            .select("i.involvement_id")
            .whereRef("i.partnership_id", "=", "u.partnership_id")
            .whereRef("i.agency_id", "=", "u.agency_id")
            .where("i.person_id", "=", personId),
        ),
      ),
    )
    .orderBy("u.email")
    .executeTakeFirstOrThrow();
  return {
    partnershipId: partnership.partnershipId,
    userId: row.user_id,
    role: "practitioner",
    agencyId: row.agency_id,
    teamId: row.team_id,
    sessionId: null,
    ip: "127.0.0.1",
  };
};

export const repo = async (local: string) => repositoryFor(database, await contextFor(local)).pathways;

export const request = (receivedOn: string) => ({
  receivedOn,
  concerns: "Often hungry, wearing the same clothes for days, no PE kit.",
  whatTried: "Breakfast club, talked with mum about uniform support.",
  consent: "given" as const,
  consentReason: null,
  referrerLevel: "targeted",
});

export const auditCount = async (recordType: string) =>
  Number(
    (
      await database.unsafeOwnerDb
        .selectFrom("audit_log")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("partnership_id", "=", partnership.partnershipId)
        .where("record_type", "=", recordType)
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Sets the file's fixtures up before its tests and closes them after; call it at the file's top level. */
export const usePathwaysDatabase = () => {
  before(async () => {
    database = await openTestDatabase();
    partnership = await createTestPartnership(database);
  });
  after(async () => {
    await database.close();
  });
};
