// SPDX-License-Identifier: MIT
/**
 * A draft assessment is changed only by recorders of the agency that started it. Another agency that
 * may open the child reads it, but a forged form from them is refused for access: a 403, audited as a
 * denial, never the form again with a 400 as if their input were at fault. A submitted assessment is
 * still refused as input (it can no longer be changed).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { repositoryFor } from "../data/repository.ts";
import { todayInEngland } from "../kernel/calendar.ts";
import { contextOfUser, TestClient } from "../test-support/harness.ts";
import { createTestChild } from "../test-support/people.ts";
import { app, database, partnership, useTestApp } from "../test-support/test-app.ts";
import { dateInputValues } from "../web/dates.ts";

const demo = (local: string) => {
  const found = partnership.signIns.find((s) => s.email.startsWith(`${local}@`));
  assert.ok(found, local);
  return found;
};

useTestApp({ children: 10 });

describe("changing another agency's draft assessment", () => {
  it("is refused for access, with a 403 and a denial in the audit log", async () => {
    const school = await contextOfUser(database, partnership.partnershipId, {
      userId: demo("school").userId,
    });
    const repo = repositoryFor(database, school);
    const personId = await createTestChild(repo.people, {
      givenNames: "Assessed",
      familyName: "Elsewhere",
      dateOfBirth: "2015-07-07",
    });
    const tools = await repo.assessments.listTools();
    const tool = tools.find((t) => t.tool.slug === "home-conditions-rag") ?? tools[0];
    assert.ok(tool);
    const started = await repo.assessments.startAssessment(personId, {
      toolId: tool.tool.tool_id,
      mode: "practitioner",
      assessedOn: todayInEngland(),
    });
    assert.ok(started.ok, JSON.stringify(started));
    const assessmentId = started.value.assessmentId;

    // The front door sees every child, and works for another agency.
    const frontDoor = demo("front-door");
    const other = new TestClient(app);
    await other.signIn(frontDoor.email);
    assert.equal((await other.get(`/assessments/${assessmentId}`)).statusCode, 200, "it may read it");
    const forged = await other.post(`/assessments/${assessmentId}/details`, {
      mode: "practitioner",
      ...dateInputValues("assessedOn", todayInEngland()),
    });
    assert.equal(forged.statusCode, 403);
    const visit = await other.post(`/assessments/${assessmentId}/visits`, {
      ...dateInputValues("visitedOn", todayInEngland()),
      announced: "yes",
      childSeen: "yes",
    });
    assert.equal(visit.statusCode, 403);
    const denied = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select(["record_type", "record_id"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("action", "=", "denied")
      .where("actor_user_id", "=", frontDoor.userId)
      .execute();
    assert.ok(
      denied.some((d) => d.record_type === "assessment" && d.record_id === assessmentId),
      "the refusal is audited",
    );
    const frontDoorRepo = repositoryFor(
      database,
      await contextOfUser(database, partnership.partnershipId, { userId: frontDoor.userId }),
    );
    const direct = await frontDoorRepo.assessments.addVisit(assessmentId, {
      visitedOn: todayInEngland(),
      announced: true,
      childSeen: true,
      note: null,
    });
    assert.equal(direct.ok ? undefined : direct.denied, true, "the repository marks it a denial");

    // The agency that started it still changes it.
    const own = await repo.assessments.addVisit(assessmentId, {
      visitedOn: todayInEngland(),
      announced: true,
      childSeen: true,
      note: null,
    });
    assert.ok(own.ok, JSON.stringify(own));
  });

  it("is refused for access on a family assessment too", async () => {
    const school = await contextOfUser(database, partnership.partnershipId, {
      userId: demo("school").userId,
    });
    const repo = repositoryFor(database, school);
    const older = await createTestChild(repo.people, {
      givenNames: "Older",
      familyName: "Together",
      dateOfBirth: "2014-08-08",
    });
    const younger = await createTestChild(repo.people, {
      givenNames: "Younger",
      familyName: "Together",
      dateOfBirth: "2016-09-09",
    });
    const householdId = crypto.randomUUID();
    await database.unsafeOwnerDb
      .insertInto("households")
      .values({ partnership_id: partnership.partnershipId, household_id: householdId, address_line: "1 Row" })
      .execute();
    for (const personId of [older, younger])
      await database.unsafeOwnerDb
        .insertInto("household_members")
        .values({
          partnership_id: partnership.partnershipId,
          membership_id: crypto.randomUUID(),
          household_id: householdId,
          person_id: personId,
          household_role: "child",
          valid_from: "2024-01-01",
        })
        .execute();
    const tool = (await repo.assessments.listTools()).find((t) => t.tool.slug === "hearth-family-screen");
    assert.ok(tool);
    const started = await repo.assessments.startFamilyAssessment(older, {
      toolId: tool.tool.tool_id,
      mode: "practitioner",
      assessedOn: todayInEngland(),
      siblingIds: [younger],
    });
    assert.ok(started.ok, JSON.stringify(started));
    const familyId = started.value.familyAssessmentId;

    const frontDoor = demo("front-door");
    const other = new TestClient(app);
    await other.signIn(frontDoor.email);
    assert.equal((await other.get(`/family-assessments/${familyId}`)).statusCode, 200, "it may read it");
    const forged = await other.post(`/family-assessments/${familyId}/words`, { comments: "Forged." });
    assert.equal(forged.statusCode, 403);
    assert.equal((await other.post(`/family-assessments/${familyId}/submit`, {})).statusCode, 403);
    const denied = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("record_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("action", "=", "denied")
      .where("actor_user_id", "=", frontDoor.userId)
      .where("record_type", "=", "family-assessment")
      .execute();
    assert.ok(
      denied.some((d) => d.record_id === familyId),
      "the refusal is audited",
    );
  });
});
