// SPDX-License-Identifier: MIT
/**
 * A level of need decision names as its approver only an active manager, safeguarding lead or front-door
 * worker: a forged form cannot record a decision as approved by someone whose account has been
 * deactivated (who can no longer have approved anything). The form's list offers the same accounts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccessContext } from "../../data/access-context.ts";
import { repositoryFor } from "../../data/repository.ts";
import { todayInEngland } from "../../kernel/calendar.ts";
import { userFor } from "../../test-support/harness.ts";
import { createTestChild } from "../../test-support/people.ts";
import { database, partnership, useTestApp } from "../../test-support/test-app.ts";

let worker: AccessContext;

useTestApp({ app: false, children: 10 }, async () => {
  worker = (await userFor(database, partnership, "practitioner", { agencyType: "health" })).context;
});

describe("a level of need decision's approver", () => {
  it("is an active account", async () => {
    const repo = repositoryFor(database, worker);
    const personId = await createTestChild(repo.people, {
      givenNames: "Levelled",
      familyName: "Approved",
      dateOfBirth: "2017-10-10",
    });
    const decide = (approverUserId: string) =>
      repo.pathways.recordLevelDecision(personId, {
        suggestedLevel: null,
        suggestionSource: null,
        chosenLevel: "targeted",
        rationale: "Needs support from more than one agency.",
        decidedOn: todayInEngland(),
        approverUserId,
      });
    const manager = (await userFor(database, partnership, "manager", { agencyType: "health" })).context;
    const leaver = (
      await userFor(database, partnership, "manager", { agencyType: "education", notUserId: manager.userId })
    ).context;
    await database.unsafeOwnerDb
      .updateTable("users")
      .set({ deactivated_at: new Date() })
      .where("partnership_id", "=", partnership.partnershipId)
      .where("user_id", "=", leaver.userId)
      .execute();
    const forged = await decide(leaver.userId);
    assert.equal(forged.ok, false, "a deactivated manager approved it");
    assert.equal(forged.ok ? undefined : forged.field, "approverUserId");
    const approved = await decide(manager.userId);
    assert.ok(approved.ok, JSON.stringify(approved));

    // The form's list offers exactly those a decision accepts: the worker sees it, the leaver is not on it.
    const offered = await repo.pathways.levelApprovers();
    const ids = new Set(offered.map((a) => a.user_id));
    assert.ok(ids.has(manager.userId), "the active manager is offered");
    assert.ok(!ids.has(leaver.userId), "the leaver is not");
    assert.ok(!ids.has(worker.userId), "a practitioner is not");
    const roles = await database.unsafeOwnerDb
      .selectFrom("users")
      .select("role")
      .distinct()
      .where("partnership_id", "=", partnership.partnershipId)
      .where("user_id", "in", [...ids])
      .execute();
    assert.deepEqual(roles.map((r) => r.role).sort(), ["front-door", "manager", "safeguarding-lead"]);
  });
});
