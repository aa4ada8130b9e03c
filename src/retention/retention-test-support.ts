// SPDX-License-Identifier: MIT
import type { Role } from "../organisation/codes.ts";
import { createFamily, findUser } from "../test-support/families.ts";
import { signInFor, TestClient } from "../test-support/harness.ts";
import { app, database, partnership, useTestApp } from "../test-support/test-app.ts";

/** The file's fixtures (live bindings, set before its tests by useTestApp). */
export { database, partnership };

/** Markup in a reason: it must come back escaped. */
export const MARKUP = '<i data-x="hostile">';

/** Closed in 2015, 25 in January 2025: due long ago. */
export let dueLongAgo: string;
/** Closed in December 2020, 25 on 20 December 2026: due in December 2026, not November. */
export let dueInDecember: string;
/** Closed in 2019, 25 in 2030: not due. */
export let notYetDue: string;
/** 26 years old, but an agency is still involved: open, never due. */
export let stillOpen: string;

/** One signed-in client per role: an administrator's authenticator code is accepted once. */
const clients = new Map<Role, TestClient>();
export const client = async (role: Role) => {
  const known = clients.get(role);
  if (known) return known;
  const c = new TestClient(app);
  await c.signIn(
    signInFor(partnership, role).email,
    role === "administrator" ? { totpSecret: partnership.administratorTotpSecret } : {},
  );
  clients.set(role, c);
  return c;
};

export const setChild = async (
  personId: string,
  dateOfBirth: string,
  startedOn: string,
  endedOn: string | null,
) => {
  await database.unsafeOwnerDb
    .updateTable("people")
    .set({ date_of_birth: dateOfBirth })
    .where("partnership_id", "=", partnership.partnershipId)
    .where("person_id", "=", personId)
    .execute();
  await database.unsafeOwnerDb
    .updateTable("involvements")
    .set({ started_on: startedOn, ended_on: endedOn })
    .where("partnership_id", "=", partnership.partnershipId)
    .where("person_id", "=", personId)
    .execute();
};

export const archivedRows = (personId: string) =>
  database.unsafeOwnerDb
    .selectFrom("record_archives")
    .selectAll()
    .where("partnership_id", "=", partnership.partnershipId)
    .where("person_id", "=", personId)
    .execute();

/** Sets the file's fixtures up before its tests and closes them after; call it at the file's top level. */
export const useRetentionFixtures = () => {
  useTestApp({}, async () => {
    const { agencyId } = await findUser(database, partnership.partnershipId, { role: "practitioner" });
    const both = [
      { agencyId, child: "baby" as const },
      { agencyId, child: "sibling" as const },
    ];
    const first = await createFamily(database, {
      partnershipId: partnership.partnershipId,
      involvements: both,
      familyName: "Quillfeather",
    });
    const second = await createFamily(database, {
      partnershipId: partnership.partnershipId,
      involvements: both,
      familyName: "Brackenbury",
    });
    dueLongAgo = first.siblingId;
    dueInDecember = first.babyId;
    notYetDue = second.siblingId;
    stillOpen = second.babyId;
    await setChild(dueLongAgo, "2000-01-15", "2010-01-01", "2015-06-30");
    await setChild(dueInDecember, "2001-12-20", "2016-03-01", "2020-12-01");
    await setChild(notYetDue, "2005-03-10", "2012-01-01", "2019-05-01");
    await setChild(stillOpen, "2000-02-01", "2012-01-01", null);
  });
};
