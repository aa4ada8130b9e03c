// SPDX-License-Identifier: MIT
/**
 * Supervision about a child's case is of someone who works on cases (a role that records): a forged form
 * cannot record a safeguarding lead's supervision of an analyst, an administrator or an auditor, who
 * write nothing about a child.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { repositoryFor } from "../../data/repository.ts";
import { todayInEngland } from "../../kernel/calendar.ts";
import { contextOfUser, userFor } from "../../test-support/harness.ts";
import { createTestChild } from "../../test-support/people.ts";
import { database, partnership, useTestApp } from "../../test-support/test-app.ts";

useTestApp({ app: false, children: 10 });

describe("recording supervision", () => {
  it("is of a worker in a role that records", async () => {
    const worker = (await userFor(database, partnership, "practitioner", { agencyType: "health" })).context;
    const personId = await createTestChild(repositoryFor(database, worker).people, {
      givenNames: "Supervised",
      familyName: "Case",
      dateOfBirth: "2016-12-12",
    });
    const leadRow = await database.unsafeOwnerDb
      .selectFrom("users")
      .select("user_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("role", "=", "safeguarding-lead")
      .where("deactivated_at", "is", null)
      .executeTakeFirstOrThrow();
    const lead = repositoryFor(
      database,
      await contextOfUser(database, partnership.partnershipId, { userId: leadRow.user_id }),
    ).pathways;
    const supervise = (superviseeUserId: string) =>
      lead.recordSupervision(personId, {
        heldOn: todayInEngland(),
        superviseeUserId,
        reflection: "Reflection.",
        decisions: "Decisions.",
        actions: "Actions.",
      });
    for (const role of ["analyst", "administrator", "auditor"] as const) {
      const row = await database.unsafeOwnerDb
        .selectFrom("users")
        .select("user_id")
        .where("partnership_id", "=", partnership.partnershipId)
        .where("role", "=", role)
        .where("deactivated_at", "is", null)
        .executeTakeFirstOrThrow();
      const refused = await supervise(row.user_id);
      assert.equal(refused.ok, false, `supervision of an ${role}`);
      assert.equal(refused.ok ? undefined : refused.field, "superviseeUserId");
    }
    const recorded = await supervise(worker.userId);
    assert.ok(recorded.ok, JSON.stringify(recorded));
  });
});
