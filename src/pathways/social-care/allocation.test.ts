// SPDX-License-Identifier: MIT
/**
 * Allocating a social care episode (the "allocation" event, or a referral recorded with its worker) names
 * a children's social care practitioner or manager with an active account, as the list on the form offers
 * and the front door's decision accepts: a forged form cannot allocate a child to another agency's
 * worker, to an auditor, or to a deactivated account, who would then be sent the case's reminders.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccessContext } from "../../data/access-context.ts";
import { repositoryFor } from "../../data/repository.ts";
import { todayInEngland } from "../../kernel/calendar.ts";
import { userFor } from "../../test-support/harness.ts";
import { createTestChild } from "../../test-support/people.ts";
import { database, partnership, useTestApp } from "../../test-support/test-app.ts";
import { noEventDetails } from "./social-care-events.ts";

let worker: AccessContext;

useTestApp({ app: false, children: 10 }, async () => {
  worker = (await userFor(database, partnership, "practitioner", { agencyType: "childrens-social-care" }))
    .context;
});

describe("allocating a social care episode", () => {
  it("names only an active social care practitioner or manager", async () => {
    const repo = repositoryFor(database, worker);
    const personId = await createTestChild(repo.people, {
      givenNames: "Allocated",
      familyName: "Rightly",
      dateOfBirth: "2018-04-04",
    });
    const today = todayInEngland();
    const opened = await repo.pathways.openReferral(personId, {
      referralDate: today,
      source: "1B",
      workerUserId: null,
    });
    assert.ok(opened.ok, JSON.stringify(opened));
    const episodeId = opened.value.episodeId;
    const allocate = (workerUserId: string) =>
      repo.pathways.recordEvent(personId, {
        ...noEventDetails(),
        eventType: "allocation",
        occurredOn: today,
        episodeId,
        workerUserId,
      });

    const police = (await userFor(database, partnership, "practitioner", { agencyType: "police" })).context;
    const auditor = (await userFor(database, partnership, "auditor")).context;
    const leaver = (
      await userFor(database, partnership, "practitioner", {
        agencyType: "childrens-social-care",
        notUserId: worker.userId,
      })
    ).context;
    await database.unsafeOwnerDb
      .updateTable("users")
      .set({ deactivated_at: new Date() })
      .where("partnership_id", "=", partnership.partnershipId)
      .where("user_id", "=", leaver.userId)
      .execute();
    for (const [who, userId] of [
      ["another agency's practitioner", police.userId],
      ["an auditor", auditor.userId],
      ["a deactivated account", leaver.userId],
      ["nobody", crypto.randomUUID()],
    ] as const) {
      const refused = await allocate(userId);
      assert.equal(refused.ok, false, `allocated to ${who}`);
      assert.equal(refused.ok ? undefined : refused.field, "workerUserId");
      const direct = await repo.pathways.openReferral(personId, {
        referralDate: today,
        source: "1B",
        workerUserId: userId,
      });
      assert.equal(direct.ok, false, `a referral allocated to ${who}`);
    }
    const stored = await database.unsafeOwnerDb
      .selectFrom("csc_events")
      .select("worker_user_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("person_id", "=", personId)
      .where("worker_user_id", "is not", null)
      .execute();
    assert.deepEqual(stored, [], "no refused allocation was stored");

    const manager = (await userFor(database, partnership, "manager", { agencyType: "childrens-social-care" }))
      .context;
    const allocated = await allocate(manager.userId);
    assert.ok(allocated.ok, JSON.stringify(allocated));
  });
});
