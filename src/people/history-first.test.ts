// SPDX-License-Identifier: MIT
/**
 * The record page sends some callers elsewhere instead of showing the record, and records no view of a
 * page it did not show. A worker new to a child reads what is already known first: opening the record
 * sends her to the history summary, and only the record she is then shown is audited as viewed. Someone
 * who may not open the record is not sent there. A record merged into another sends the caller on to the
 * record kept.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { repositoryFor } from "../data/repository.ts";
import {
  contextOfUser,
  practitionerNotInvolvedWith,
  signInFor,
  TestClient,
} from "../test-support/harness.ts";
import { createTestChild } from "../test-support/people.ts";
import { app, database, partnership, useTestApp } from "../test-support/test-app.ts";

useTestApp();

/** The audit log's views of the child's record page by one user. */
const recordViews = async (userId: string, personId: string) =>
  (
    await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("details")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("actor_user_id", "=", userId)
      .where("action", "=", "view")
      .where("record_type", "=", "person")
      .where("record_id", "=", personId)
      .execute()
  ).filter((row) => row.details.page === "record").length;

describe("opening a child's record for the first time", () => {
  it("goes to what is already known first, and records a view of the record only once it is shown", async () => {
    const child = partnership.demoFamily.siblingPersonId;
    const school = partnership.signIns.find((s) => s.email.startsWith("school@"));
    assert.ok(school);
    const { userId } = await contextOfUser(database, partnership.partnershipId, { email: school.email });
    const client = new TestClient(app);
    await client.signIn(school.email);

    const first = await client.get(`/people/${child}`);
    assert.equal(first.statusCode, 303);
    assert.equal(first.headers.location, `/people/${child}/history`);
    assert.equal(await recordViews(userId, child), 0, "sent on, not shown the record");

    assert.match((await client.get(`/people/${child}/history`)).body, /What is already known/);
    const read = await client.post(`/people/${child}/history`, {});
    assert.equal(read.headers.location, `/people/${child}`);
    const record = await client.get(`/people/${child}`);
    assert.equal(record.statusCode, 200);
    assert.equal(await recordViews(userId, child), 1);
  });

  it("is not sent to the history by someone whose agency is not involved: they see only that the child is known", async () => {
    const child = partnership.demoFamily.siblingPersonId;
    const outsider = await practitionerNotInvolvedWith(database, partnership.partnershipId, child);
    const client = new TestClient(app);
    await client.signIn(outsider.email);
    const page = await client.get(`/people/${child}`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /What is already known/);
    assert.equal(await recordViews(outsider.context.userId, child), 0);
  });
});

describe("opening a record merged into another", () => {
  it("sends the caller to the record kept, recording a view of that record only", async () => {
    const lead = signInFor(partnership, "safeguarding-lead");
    const context = await contextOfUser(database, partnership.partnershipId, { email: lead.email });
    const people = repositoryFor(database, context).people;
    const child = { familyName: "Quillfeather", dateOfBirth: "2021-02-02" };
    const kept = await createTestChild(people, { givenNames: "Maisie", ...child });
    const merged = await createTestChild(people, { givenNames: "Maisy", ...child });
    assert.ok((await people.mergePeople(kept, merged, "Same child: spelling mistake at registration")).ok);
    const client = new TestClient(app);
    await client.signIn(lead.email);

    const opened = await client.get(`/people/${merged}`);
    assert.equal(opened.statusCode, 303);
    assert.equal(opened.headers.location, `/people/${kept}`);
    assert.equal(await recordViews(context.userId, merged), 0, "sent on, not shown the merged record");

    // Two records' involvements are history to read first, then the record kept is shown.
    assert.equal((await client.get(`/people/${kept}`)).headers.location, `/people/${kept}/history`);
    assert.match((await client.get(`/people/${kept}/history`)).body, /What is already known/);
    await client.post(`/people/${kept}/history`, {});
    const shown = await client.get(`/people/${kept}`);
    assert.equal(shown.statusCode, 200);
    assert.match(shown.body, /Maisie Quillfeather/);
    assert.equal(await recordViews(context.userId, kept), 1);
  });
});
