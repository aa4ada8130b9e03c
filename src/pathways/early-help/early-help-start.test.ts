// SPDX-License-Identifier: MIT
/**
 * Starting early help links the request for support it answers only when that request is one the form
 * offers: the front door decided it for early help and it is not yet linked. A forged form cannot take
 * over a request still waiting for the front door, or one already linked to other early help.
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

describe("starting early help", () => {
  it("links only a request decided for early help and not yet linked", async () => {
    const repo = repositoryFor(database, worker);
    const personId = await createTestChild(repo.people, {
      givenNames: "Waiting",
      familyName: "Request",
      dateOfBirth: "2019-06-06",
    });
    const today = todayInEngland();
    const sent = await repo.pathways.submitRequest(personId, {
      receivedOn: today,
      concerns: "Often hungry.",
      whatTried: "Breakfast club.",
      consent: "given",
      consentReason: null,
      referrerLevel: null,
    });
    assert.ok(sent.ok, JSON.stringify(sent));
    const start = (supportRequestId: string | null) =>
      repo.pathways.startEarlyHelp(personId, {
        startedOn: today,
        consentOn: today,
        assessmentSummary: "Early help assessment.",
        reviewIntervalWeeks: 6,
        supportRequestId,
        steppedDownFromEpisodeId: null,
      });
    const forged = await start(sent.value.requestId);
    assert.equal(forged.ok, false, "a request still waiting for the front door is not taken over");
    assert.equal(forged.ok ? undefined : forged.field, "supportRequestId");
    const request = await database.unsafeOwnerDb
      .selectFrom("support_requests")
      .select(["early_help_id"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("request_id", "=", sent.value.requestId)
      .executeTakeFirstOrThrow();
    assert.equal(request.early_help_id, null);
    const open = await database.unsafeOwnerDb
      .selectFrom("early_help")
      .select("early_help_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("person_id", "=", personId)
      .execute();
    assert.deepEqual(open, [], "no early help was started by the refused form");

    assert.ok((await start(null)).ok, "early help without a request starts");
  });
});
