// SPDX-License-Identifier: MIT
/**
 * A professional difference about an agency names one of the agencies involved with the child, as the
 * form's list offers: the agency it is about becomes a party (its managers are told, and may open the
 * difference with the child's name and the disagreement), so a forged form naming an agency with no part
 * in the child's life would tell that agency about the child.
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

describe("raising a professional difference", () => {
  it("is about an agency involved with the child, never one with no part in the child's life", async () => {
    const repo = repositoryFor(database, worker);
    const personId = await createTestChild(repo.people, {
      givenNames: "Differed",
      familyName: "About",
      dateOfBirth: "2016-05-05",
    });
    const police = (await userFor(database, partnership, "manager", { agencyType: "police" })).context;
    const involved = await repo.escalations.aboutOptions(personId);
    assert.ok(!involved.agencies.some((a) => a.agency_id === police.agencyId), "the police are not involved");

    const forged = await repo.pathways.raiseEscalation(personId, {
      raisedOn: todayInEngland(),
      disagreement: "Forged: about an agency with no part in this child's life.",
      aboutAgencyId: police.agencyId,
    });
    assert.equal(forged.ok, false);
    assert.equal(forged.ok ? undefined : forged.field, "about");
    assert.equal(
      (await repositoryFor(database, police).escalations.listMine()).some((x) => x.person_id === personId),
      false,
      "the police manager is not a party to a difference about a child the police do not know",
    );

    const own = await repo.pathways.raiseEscalation(personId, {
      raisedOn: todayInEngland(),
      disagreement: "About an agency on the list.",
      aboutAgencyId: worker.agencyId,
    });
    assert.ok(own.ok, JSON.stringify(own));
  });
});
