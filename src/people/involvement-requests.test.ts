// SPDX-License-Identifier: MIT
/**
 * A request for involvement is decided by another agency that may open the child, never by the agency
 * that asked: a worker who has broken glass (24 hours' access, for an emergency) cannot then grant her
 * own agency's request and make the access permanent for the whole agency.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccessContext } from "../data/access-context.ts";
import { repositoryFor } from "../data/repository.ts";
import { userFor } from "../test-support/harness.ts";
import { createTestChild } from "../test-support/people.ts";
import { database, partnership, useTestApp } from "../test-support/test-app.ts";

let health: AccessContext;
let police: AccessContext;

useTestApp({ app: false, children: 10 }, async () => {
  health = (await userFor(database, partnership, "practitioner", { agencyType: "health" })).context;
  police = (await userFor(database, partnership, "practitioner", { agencyType: "police" })).context;
});

const decision = { grant: true, reason: "Needed.", sharingBasis: "consent", consent: "given" } as const;

describe("deciding a request for involvement", () => {
  it("is for another agency that may open the child, not the agency that asked", async () => {
    const personId = await createTestChild(repositoryFor(database, health).people, {
      givenNames: "Requested",
      familyName: "Involvement",
      dateOfBirth: "2018-11-11",
    });
    const asker = repositoryFor(database, police).people;
    const asked = await asker.requestInvolvement(personId, "We are investigating an incident at home.");
    assert.ok(asked.ok, JSON.stringify(asked));
    const requestId = asked.value.requestId;
    const glass = await asker.breakGlass(personId, "Child found alone at night by officers.");
    assert.ok(glass.ok, JSON.stringify(glass));
    assert.equal(
      (await asker.listInvolvementRequestsForMe()).some((r) => r.request_id === requestId),
      false,
      "her own agency's request is not offered to her",
    );

    const own = await repositoryFor(database, police).people.decideInvolvementRequest(requestId, decision);
    assert.equal(own.ok, false, "the asking agency granted its own request");
    assert.equal(own.ok ? undefined : own.denied, true);
    const involved = await database.unsafeOwnerDb
      .selectFrom("involvements")
      .select("involvement_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("person_id", "=", personId)
      .where("agency_id", "=", police.agencyId)
      .execute();
    assert.deepEqual(involved, [], "no involvement was made");

    const granted = await repositoryFor(database, health).people.decideInvolvementRequest(
      requestId,
      decision,
    );
    assert.ok(granted.ok, JSON.stringify(granted));
  });
});
