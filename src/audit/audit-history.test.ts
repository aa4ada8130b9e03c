// SPDX-License-Identifier: MIT
/**
 * The record-history page follows the record's own rules: a restricted chronology entry's text reaches
 * only those who may read the entry, and administrators see who did what and when, and which fields
 * changed, but never a child's content. Over HTTP as the pages are used, and through the repository for
 * readers the page does not serve.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import type { EventInput } from "../chronology/chronology-repository.ts";
import { repositoryFor } from "../data/repository.ts";
import { grantAuditAccess } from "../learning/test-support.ts";
import { nhsCheckDigit } from "../people/identifiers.ts";
import {
  contextOfTestUser,
  createFamily,
  findUser,
  type TestFamily,
  type TestUser,
} from "../test-support/families.ts";
import { signInFor, TestClient } from "../test-support/harness.ts";
import { createTestChild } from "../test-support/people.ts";
import { app, database, partnership, useTestApp } from "../test-support/test-app.ts";

let family: TestFamily;
let health: TestUser;
let admin: TestClient;
let auditor: TestClient;

const RESTRICTED_TEXT = "Mother disclosed a private health matter to the midwife.";
const NORMAL_TEXT = "Poppy was not brought to her 6-month health review.";
const CHILD = { givenNames: "Marigold", familyName: "Quenby", dateOfBirth: "2021-05-17" };
let nhsNumber: string;
let restrictedEventId: string;
let normalEventId: string;
let amendedToRestrictedId: string;
let childId: string;

const contextOf = (user: TestUser, role = user.role) =>
  contextOfTestUser(partnership.partnershipId, user, role);

const entry = (overrides: Partial<EventInput> = {}): EventInput => ({
  eventType: "not-brought-health",
  occurredOn: new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10),
  datePrecision: "day",
  whatHappened: NORMAL_TEXT,
  impactOnChild: "Her weight and development were not checked.",
  actionTaken: null,
  significance: "medium",
  neglectTypes: ["medical"],
  informationBasis: "observed",
  visibility: "normal",
  restrictedToRoles: [],
  ...overrides,
});

const text = (response: LightMyRequestResponse): string =>
  response.body
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");

const signedIn = async (role: "administrator" | "auditor"): Promise<TestClient> => {
  const client = new TestClient(app);
  const signIn = signInFor(partnership, role);
  const response = await client.signIn(signIn.email, { totpSecret: partnership.administratorTotpSecret });
  assert.equal(response.headers.location, "/", `${role} signs in`);
  return client;
};

useTestApp({}, async () => {
  health = await findUser(database, partnership.partnershipId, {
    role: "practitioner",
    agencyName: "Community Health NHS Trust",
  });
  family = await createFamily(database, {
    partnershipId: partnership.partnershipId,
    involvements: [{ agencyId: health.agencyId, child: "baby" }],
  });
  const chronology = repositoryFor(database, contextOf(health)).chronology;
  const add = async (input: EventInput) => {
    const result = await chronology.addEvent(family.babyId, input);
    assert.ok(result.ok, JSON.stringify(result));
    return result.value.eventId;
  };
  restrictedEventId = await add(
    entry({
      whatHappened: RESTRICTED_TEXT,
      visibility: "restricted",
      restrictedToRoles: ["safeguarding-lead"],
    }),
  );
  normalEventId = await add(entry());
  // An entry recorded openly, then amended to be restricted: its first version's text is restricted now.
  const firstVersion = await add(entry({ whatHappened: "Seen by the GP about a rash." }));
  const amended = await chronology.amendEvent(
    firstVersion,
    entry({
      whatHappened: "Seen by the GP about a rash.",
      visibility: "restricted",
      restrictedToRoles: ["safeguarding-lead"],
    }),
    "Health-confidential",
  );
  assert.ok(amended.ok);
  amendedToRestrictedId = firstVersion;

  for (let n = 4_400_000; ; n += 1) {
    const first = String(n).padStart(9, "4");
    const check = nhsCheckDigit(first);
    if (check !== undefined) {
      nhsNumber = `${first}${check}`;
      break;
    }
  }
  childId = await createTestChild(
    repositoryFor(database, contextOf(health)).people,
    { ...CHILD, ethnicity: null, nhsNumber, firstLanguage: null },
    { startedOn: "2024-01-01", isLeadAgency: false },
  );

  admin = await signedIn("administrator");
  auditor = await signedIn("auditor");
  // An auditor sees a child only while an audit round opens the record to them: this one audits the baby.
  await grantAuditAccess(database, {
    partnershipId: partnership.partnershipId,
    auditorUserId: signInFor(partnership, "auditor").userId,
    plannedBy: signInFor(partnership, "safeguarding-lead").userId,
    personIds: [family.babyId],
  });
});

describe("a restricted chronology entry's history", () => {
  for (const role of ["administrator", "auditor"] as const) {
    it(`shows the ${role} that it was created and which fields, never what it says`, async () => {
      const client = role === "administrator" ? admin : auditor;
      const response = await client.get(`/audit/chronology-event/${restrictedEventId}`);
      assert.equal(response.statusCode, 200);
      const body = text(response);
      assert.ok(body.includes("create"), "the action is listed");
      assert.ok(body.includes("Content not shown"), "the row says its content is withheld");
      assert.ok(body.includes("what happened"), "and names the fields");
      assert.ok(!body.includes(RESTRICTED_TEXT), "the restricted text is not shown");
    });

    it(`hides from the ${role} an earlier open version of an entry now restricted`, async () => {
      const client = role === "administrator" ? admin : auditor;
      const body = text(await client.get(`/audit/chronology-event/${amendedToRestrictedId}`));
      assert.ok(body.includes("create"));
      assert.ok(!body.includes("about a rash"));
    });
  }

  it("is shown in full to a reader the entry is restricted to, and to the recording agency", async () => {
    const auditorUser = signInFor(partnership, "auditor");
    const auditorAgency = await database.unsafeOwnerDb
      .selectFrom("users")
      .select("agency_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("user_id", "=", auditorUser.userId)
      .executeTakeFirstOrThrow();
    const asAuditorIn = (agencyId: string) =>
      repositoryFor(database, {
        ...contextOf({ ...health, userId: auditorUser.userId, agencyId }, "auditor"),
      });
    const [fromOtherAgency] = await asAuditorIn(auditorAgency.agency_id).auditTrail.auditHistory(
      "chronology-event",
      restrictedEventId,
    );
    assert.equal(fromOtherAgency?.details, null, "an auditor of another agency gets no content");

    assert.equal(fromOtherAgency?.content_hidden, true);
    const [fromRecordingAgency] = await asAuditorIn(health.agencyId).auditTrail.auditHistory(
      "chronology-event",
      restrictedEventId,
    );
    assert.equal(fromRecordingAgency?.content_hidden, false);
    assert.ok(JSON.stringify(fromRecordingAgency?.details).includes(RESTRICTED_TEXT));

    // Restricted to auditors as well: the auditor reads it.
    const visibleToAuditors = await repositoryFor(database, contextOf(health)).chronology.addEvent(
      family.babyId,
      entry({ whatHappened: RESTRICTED_TEXT, visibility: "restricted", restrictedToRoles: ["auditor"] }),
    );
    assert.ok(visibleToAuditors.ok);
    const body = text(await auditor.get(`/audit/chronology-event/${visibleToAuditors.value.eventId}`));
    assert.ok(body.includes(RESTRICTED_TEXT));
  });

  it("shows an open entry's content to the auditor but not to the administrator", async () => {
    assert.ok(text(await auditor.get(`/audit/chronology-event/${normalEventId}`)).includes(NORMAL_TEXT));
    const adminBody = text(await admin.get(`/audit/chronology-event/${normalEventId}`));
    assert.ok(adminBody.includes("create"));
    assert.ok(!adminBody.includes(NORMAL_TEXT));
  });
});

describe("a child's history", () => {
  it("shows the administrator who added the child and which fields, but no name, birth date or NHS number", async () => {
    const response = await admin.get(`/audit/person/${childId}`);
    assert.equal(response.statusCode, 200);
    const body = text(response);
    assert.ok(body.includes("create"));
    assert.ok(body.includes("given names") || body.includes("givenNames"), "the fields are named");
    for (const value of [CHILD.givenNames, CHILD.familyName, CHILD.dateOfBirth, nhsNumber]) {
      assert.ok(!body.includes(value), `${value} is not shown`);
    }
    // The involvement recorded with the child is about the child too.
    const involvement = await database.unsafeOwnerDb
      .selectFrom("involvements")
      .select("involvement_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("person_id", "=", childId)
      .executeTakeFirstOrThrow();
    const involvementBody = text(await admin.get(`/audit/involvement/${involvement.involvement_id}`));
    assert.ok(involvementBody.includes("create"));
    assert.ok(!involvementBody.includes(childId), "not even the child's id");
  });

  it("shows the administrator no search criteria (names searched for)", async () => {
    await repositoryFor(database, contextOf(health)).people.searchPeople({ name: CHILD.familyName });
    const body = text(await admin.get("/audit/person/search"));
    assert.ok(body.includes("search"));
    assert.ok(!body.includes(CHILD.familyName));
  });

  it("is shown in full to an auditor only while an audit round opens the child's record to them", async () => {
    const before = text(await auditor.get(`/audit/person/${childId}`));
    assert.ok(!before.includes(nhsNumber), "no round: the auditor reads who did what, not the values");
    await grantAuditAccess(database, {
      partnershipId: partnership.partnershipId,
      auditorUserId: signInFor(partnership, "auditor").userId,
      plannedBy: signInFor(partnership, "safeguarding-lead").userId,
      personIds: [childId],
    });
    const body = text(await auditor.get(`/audit/person/${childId}`));
    assert.ok(body.includes(CHILD.givenNames));
    assert.ok(body.includes(nhsNumber));
  });

  it("still shows the administrator the values of a user account's history", async () => {
    const target = signInFor(partnership, "practitioner");
    await admin.get(`/admin/users/${target.userId}`);
    const rows = await repositoryFor(database, {
      ...contextOf(health, "administrator"),
      userId: signInFor(partnership, "administrator").userId,
    }).auditTrail.auditHistory("user", target.userId);
    assert.ok(rows.length > 0);
    assert.ok(rows.every((row) => row.content_hidden === false));
  });
});

// A fresh id never seen in the log: nothing is listed, nothing fails.
it("lists nothing for a record id that is not a uuid or does not exist", async () => {
  for (const id of ["not-a-uuid", randomUUID()]) {
    const response = await admin.get(`/audit/chronology-event/${id}`);
    assert.equal(response.statusCode, 200);
    assert.ok(response.body.includes("No one has viewed or changed this record"));
  }
});
