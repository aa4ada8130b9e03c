// SPDX-License-Identifier: MIT
/**
 * Households and relationships over HTTP. A school involved with the older child sees the household with
 * that child named and everyone else as "another person" (each member shown audited as a view), and may
 * not change links to records it cannot open; an agency involved with nobody in the household is
 * refused the page; the safeguarding lead adds a new adult, ends and corrects a membership (the earlier
 * end kept), and adds and ends a relationship. Every refusal is audited as a denial.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sql } from "kysely";
import { createFamily, findUser, type TestFamily, type TestUser } from "../../test-support/families.ts";
import { TestClient } from "../../test-support/harness.ts";
import { unclassifiedMethods } from "../../test-support/method-access.ts";
import { app, database, partnership, useTestApp } from "../../test-support/test-app.ts";
import { dateInputValues } from "../../web/dates.ts";
import { HouseholdChangesRepository } from "./household-changes-repository.ts";
import { HouseholdReadsRepository } from "./household-reads-repository.ts";

let family: TestFamily;
let school: TestUser;
let health: TestUser;
let lead: TestUser;

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
const signedIn = async (user: TestUser) => {
  const client = new TestClient(app);
  assert.equal((await client.signIn(user.email)).headers.location, "/");
  return client;
};
const membershipOf = async (personId: string) =>
  await database.unsafeOwnerDb
    .selectFrom("household_members")
    .select(["membership_id", "valid_to"])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("household_id", "=", family.householdId)
    .where("person_id", "=", personId)
    .executeTakeFirstOrThrow();
const auditRows = (userId: string, action: string) =>
  database.unsafeOwnerDb
    .selectFrom("audit_log")
    .select(["record_type", "record_id", "details", "reason"])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("actor_user_id", "=", userId)
    .where("action", "=", action)
    .orderBy("seq")
    .execute();

useTestApp({ children: 10 }, async () => {
  school = await findUser(database, partnership.partnershipId, {
    role: "practitioner",
    agencyType: "education",
  });
  health = await findUser(database, partnership.partnershipId, {
    role: "practitioner",
    agencyName: "Community Health NHS Trust",
  });
  lead = await findUser(database, partnership.partnershipId, { role: "safeguarding-lead" });
  family = await createFamily(database, {
    partnershipId: partnership.partnershipId,
    familyName: "Wrenfield",
    involvements: [{ agencyId: school.agencyId, child: "sibling" }],
  });
});

describe("households and relationships", () => {
  it("show a member's details only to someone who may open that member, auditing each one shown", async () => {
    const client = await signedIn(school);
    const page = await client.get(`/households/${family.householdId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Jayden Wrenfield/);
    for (const hidden of ["Poppy", "Kerry", "Dean"]) assert.doesNotMatch(page.body, new RegExp(hidden));
    assert.equal(page.body.match(/summary-card__title">Another person/g)?.length, 3);
    assert.match(page.body, /Other adult in the household/);
    // The school cannot add to a household whose current members it cannot all open.
    assert.doesNotMatch(page.body, /Add an adult who is not in Hearth/);
    const views = (await auditRows(school.userId, "view")).filter(
      (row) => (row.details as Record<string, unknown>).page === "household",
    );
    assert.deepEqual(
      views.map((row) => row.record_id),
      [family.siblingId],
    );

    const person = await client.get(`/people/${family.siblingId}/households`);
    assert.equal(person.statusCode, 200);
    assert.match(person.body, /14 Cinder Lane/);
    assert.match(person.body, /Another person/);
    assert.doesNotMatch(person.body, /Kerry|Dean|Poppy/);
    // The record page links to it.
    await client.get(`/people/${family.siblingId}/history`);
    await client.post(`/people/${family.siblingId}/history`, {});
    assert.match((await client.get(`/people/${family.siblingId}`)).body, /\/households"/);
  });

  it("refuse links and endings that touch a record the caller cannot open, and audit the refusal", async () => {
    const client = await signedIn(school);
    await client.get(`/people/${family.siblingId}/households`);
    const mother = await membershipOf(family.motherId);
    const end = await client.post(`/households/${family.householdId}/members/${mother.membership_id}/end`, {
      ...dateInputValues(`end-${mother.membership_id}-validTo`, daysAgo(3)),
      [`end-${mother.membership_id}-reason`]: "Moved out",
    });
    assert.equal(end.statusCode, 403);
    assert.equal((await membershipOf(family.motherId)).valid_to, null);
    const link = await client.post(`/people/${family.siblingId}/households/relationships`, {
      relatedPersonId: family.babyId,
      relationshipType: "sibling",
    });
    assert.equal(link.statusCode, 403);
    const add = await client.post(`/households/${family.householdId}/members`, {
      personId: family.siblingId,
      householdRole: "child",
      ...dateInputValues("validFrom", daysAgo(1)),
    });
    assert.equal(add.statusCode, 403);
    const denied = await auditRows(school.userId, "denied");
    assert.ok(denied.length >= 3, "each refusal is audited");

    // An agency involved with no one in the household is refused the pages.
    const outsider = await signedIn(health);
    const household = await outsider.get(`/households/${family.householdId}`);
    assert.equal(household.statusCode, 404);
    assert.doesNotMatch(household.body, /Cinder Lane/);
    assert.equal((await outsider.get(`/people/${family.siblingId}/households`)).statusCode, 403);
    const outsiderDenials = await auditRows(health.userId, "denied");
    assert.ok(
      outsiderDenials.some((row) => row.record_type === "household" && row.record_id === family.householdId),
    );
    assert.ok(
      outsiderDenials.some((row) => row.record_type === "person" && row.record_id === family.siblingId),
    );
  });

  it("let the safeguarding lead add a new adult, end and correct a membership, keeping the earlier end", async () => {
    const client = await signedIn(lead);
    const page = await client.get(`/households/${family.householdId}`);
    assert.match(page.body, /Kerry Wrenfield/);
    assert.match(page.body, /Dean Holloway/);

    const empty = await client.post(`/households/${family.householdId}/adults`, {});
    assert.equal(empty.statusCode, 400);
    for (const field of ["givenNames", "familyName", "sex", "householdRole", "adultValidFrom"])
      assert.match(empty.body, new RegExp(`href="#${field}"`), field);

    const added = await client.post(`/households/${family.householdId}/adults`, {
      givenNames: "Tyler",
      familyName: "Grange",
      sex: "M",
      householdRole: "other-adult",
      sharingBasis: "safeguarding-exception",
      consent: "not-sought",
      ...dateInputValues("adultValidFrom", daysAgo(30)),
    });
    assert.equal(added.statusCode, 303);
    assert.match((await client.get(`/households/${family.householdId}`)).body, /Tyler Grange/);

    const dean = await membershipOf(family.partnerId);
    const prefix = `end-${dean.membership_id}`;
    const noReason = await client.post(
      `/households/${family.householdId}/members/${dean.membership_id}/end`,
      {},
    );
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, new RegExp(`href="#${prefix}-reason"`));
    assert.match(noReason.body, new RegExp(`href="#${prefix}-validTo"`));
    for (const [days, reason] of [
      [20, "Mother said he left after the police call-out"],
      [25, "Correction: the housing officer confirms an earlier date"],
    ] as const) {
      const ended = await client.post(`/households/${family.householdId}/members/${dean.membership_id}/end`, {
        ...dateInputValues(`${prefix}-validTo`, daysAgo(days)),
        [`${prefix}-reason`]: reason,
      });
      assert.equal(ended.statusCode, 303);
    }
    assert.equal((await membershipOf(family.partnerId)).valid_to, daysAgo(25));
    const endings = await database.unsafeOwnerDb
      .selectFrom("household_membership_endings")
      .select(["previous_valid_to", "valid_to", "reason"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("membership_id", "=", dean.membership_id)
      .orderBy("recorded_at")
      .execute();
    assert.deepEqual(
      endings.map((e) => [e.previous_valid_to, e.valid_to]),
      [
        [null, daysAgo(20)],
        [daysAgo(20), daysAgo(25)],
      ],
    );
    const history = await client.get(`/people/${family.partnerId}/households`);
    assert.match(history.body, /police call-out/);
    assert.match(history.body, /replacing/);
    const audited = (await auditRows(lead.userId, "end")).filter(
      (row) => row.record_type === "household-member",
    );
    assert.equal(audited.length, 2);
    assert.equal(audited[1]?.reason, "Correction: the housing officer confirms an earlier date");
  });

  it("let the safeguarding lead find and add an existing person, and add and end a relationship", async () => {
    const client = await signedIn(lead);
    const other = await createFamily(database, {
      partnershipId: partnership.partnershipId,
      familyName: "Quillon",
    });
    const search = await client.get(`/households/${family.householdId}?name=Kerry+Quillon`);
    assert.equal(search.statusCode, 200);
    assert.match(search.body, /Add Kerry Quillon/);
    const added = await client.post(`/households/${family.householdId}/members`, {
      personId: other.motherId,
      householdRole: "other-adult",
      name: "Kerry Quillon",
      ...dateInputValues("validFrom", daysAgo(2)),
    });
    assert.equal(added.statusCode, 303);

    await client.get(`/people/${family.babyId}/households`);
    const linked = await client.post(`/people/${family.babyId}/households/relationships`, {
      relatedPersonId: other.motherId,
      relationshipType: "other-significant-adult",
    });
    assert.equal(linked.statusCode, 303);
    const relationship = await database.unsafeOwnerDb
      .selectFrom("relationships")
      .select("relationship_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("person_id", "=", other.motherId)
      .where("related_person_id", "=", family.babyId)
      .executeTakeFirstOrThrow();
    const prefix = `end-${relationship.relationship_id}`;
    const ended = await client.post(
      `/people/${family.babyId}/relationships/${relationship.relationship_id}/end`,
      { ...dateInputValues(`${prefix}-validTo`, daysAgo(1)), [`${prefix}-reason`]: "No longer in contact" },
    );
    assert.equal(ended.statusCode, 303);
    const page = await client.get(`/people/${family.babyId}/households`);
    assert.match(page.body, /No longer in contact/);
    const kept = await database.unsafeOwnerDb
      .selectFrom("relationship_endings")
      .select(sql<number>`count(*)`.as("n"))
      .where("partnership_id", "=", partnership.partnershipId)
      .where("relationship_id", "=", relationship.relationship_id)
      .executeTakeFirstOrThrow();
    assert.equal(Number(kept.n), 1);
  });
});

describe("the households repository's methods", () => {
  it("are each declared in the sub-area repository that does the work", () => {
    for (const repository of [HouseholdReadsRepository, HouseholdChangesRepository]) {
      assert.deepEqual(unclassifiedMethods(repository), { undeclared: [], stale: [] }, repository.name);
    }
  });
});
