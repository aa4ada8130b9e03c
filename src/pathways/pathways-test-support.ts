// SPDX-License-Identifier: MIT
import type { AccessContext } from "../data/access-context.ts";
import { repositoryFor } from "../data/repository.ts";
import { todayInEngland } from "../kernel/calendar.ts";
import { contextOfUser, practitionerNotInvolvedWith } from "../test-support/harness.ts";
import { database, partnership, useTestApp } from "../test-support/test-app.ts";

/** The file's fixtures (live bindings, set before its tests by usePathwaysDatabase). */
export { database, partnership };

export const today = () => todayInEngland();

/** The context the app would build for a demo sign-in (by the email's local part). */
export const contextFor = async (local: string): Promise<AccessContext> => {
  const user = await database.unsafeOwnerDb
    .selectFrom("users")
    .select("user_id")
    .where("partnership_id", "=", partnership.partnershipId)
    .where("email", "like", `${local}@%`)
    .executeTakeFirstOrThrow();
  return contextOfUser(database, partnership.partnershipId, { userId: user.user_id });
};

/** A practitioner whose agency has no involvement with the child. */
export const uninvolvedPractitioner = async (personId: string): Promise<AccessContext> =>
  (await practitionerNotInvolvedWith(database, partnership.partnershipId, personId)).context;

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
export const usePathwaysDatabase = () => useTestApp({ app: false });
