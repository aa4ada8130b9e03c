// SPDX-License-Identifier: MIT
/**
 * A relationship or a household never opens someone else's record. The attack this guards against: a
 * practitioner adds a child their agency is involved with (a decoy), links it as a sibling of a child they
 * may not open, then reads that child's chronology through the decoy's family chronology, CSV and PDF.
 * Linking now needs both records open to the caller (a 403, audited as a denial, otherwise, and no 500 for
 * another partnership's id); a link that exists anyway shows a member's entries only to a caller who could
 * read them on that member's own chronology, and each member read is audited.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { inflateSync } from "node:zlib";
import type { LightMyRequestResponse } from "fastify";
import { sql } from "kysely";
import { repositoryFor } from "../data/repository.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import {
  contextOfTestUser,
  createFamily,
  findUser,
  type TestFamily,
  type TestUser,
} from "../test-support/families.ts";
import { createTestPartnership, TestClient } from "../test-support/harness.ts";
import { testChild, testInvolvement } from "../test-support/people.ts";
import { app, database, partnership, useTestApp } from "../test-support/test-app.ts";

let otherPartnership: GeneratedPartnership;
let family: TestFamily;
let health: TestUser;
let school: TestUser;
let frontDoor: TestUser;
let decoyId: string;
let strangerId: string;

/** Words that appear only in the victim's entries, and only in the decoy's. */
const VICTIM_SECRET = "Marigold disclosed the cellar";
const DECOY_NOTE = "Decoy attended breakfast club";

const contextOf = (user: TestUser) => contextOfTestUser(partnership.partnershipId, user);

const newChild = (givenNames: string, familyName: string) =>
  testChild({
    givenNames,
    familyName,
    dateOfBirth: "2017-04-04",
    sex: "M",
    ethnicity: null,
    firstLanguage: null,
  });

const involvement = testInvolvement({ isLeadAgency: false });

const entry = (whatHappened: string) => ({
  eventType: "other" as const,
  occurredOn: "2025-02-03",
  datePrecision: "day" as const,
  whatHappened,
  impactOnChild: "Frightened at home.",
  actionTaken: null,
  significance: "high" as const,
  neglectTypes: ["emotional" as const],
  informationBasis: "reported" as const,
  visibility: "normal" as const,
  restrictedToRoles: [],
});

/** The text a PDF shows: every Flate stream inflated, every hex string (pdfkit's text) decoded. */
const pdfText = (pdf: Buffer): string => {
  const source = pdf.toString("latin1");
  let shown = "";
  for (const match of source.matchAll(/stream\r?\n/g)) {
    const start = (match.index ?? 0) + match[0].length;
    const end = source.indexOf("endstream", start);
    let content: string;
    try {
      content = inflateSync(pdf.subarray(start, end)).toString("latin1");
    } catch {
      continue;
    }
    for (const hex of content.matchAll(/<([0-9a-fA-F]+)>/g))
      shown += Buffer.from(hex[1] ?? "", "hex").toString("latin1");
  }
  return shown;
};

const linkRows = async (a: string, b: string) =>
  (
    await database.unsafeOwnerDb
      .selectFrom("relationships")
      .select("relationship_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where((eb) =>
        eb.or([
          eb.and([eb("person_id", "=", a), eb("related_person_id", "=", b)]),
          eb.and([eb("person_id", "=", b), eb("related_person_id", "=", a)]),
        ]),
      )
      .execute()
  ).length;

const viewRows = (userId: string, recordId: string) =>
  database.unsafeOwnerDb
    .selectFrom("audit_log")
    .select([sql<string>`details->>'page'`.as("page"), sql<string>`details->>'via_person_id'`.as("via")])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("actor_user_id", "=", userId)
    .where("action", "=", "view")
    .where("record_type", "=", "person")
    .where("record_id", "=", recordId)
    .execute();

const text = (response: LightMyRequestResponse): string =>
  response.body
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");

let schoolClient: TestClient;

useTestApp({}, async () => {
  otherPartnership = await createTestPartnership(database, 10);
  health = await findUser(database, partnership.partnershipId, {
    role: "practitioner",
    agencyName: "Community Health NHS Trust",
  });
  school = await findUser(database, partnership.partnershipId, {
    role: "practitioner",
    agencyType: "education",
  });
  frontDoor = await findUser(database, partnership.partnershipId, { role: "front-door" });
  // The victim: a baby the health visitor is involved with and the school is not.
  family = await createFamily(database, {
    partnershipId: partnership.partnershipId,
    familyName: "Wrenfield",
    involvements: [{ agencyId: health.agencyId, child: "baby" }],
  });
  const secret = await repositoryFor(database, contextOf(health)).chronology.addEvent(
    family.babyId,
    entry(VICTIM_SECRET),
  );
  assert.ok(secret.ok);
  // The decoy: a child the school adds, so the school's agency is involved with it.
  const schoolRepo = repositoryFor(database, contextOf(school));
  const decoy = await schoolRepo.people.createPerson(newChild("Decoy", "Ashgrove"), involvement);
  assert.ok(decoy.ok);
  decoyId = decoy.value.personId;
  assert.ok((await schoolRepo.chronology.addEvent(decoyId, entry(DECOY_NOTE))).ok);
  const stranger = await database.unsafeOwnerDb
    .selectFrom("people")
    .select("person_id")
    .where("partnership_id", "=", otherPartnership.partnershipId)
    .where("kind", "=", "child")
    .executeTakeFirstOrThrow();
  strangerId = stranger.person_id;
  schoolClient = new TestClient(app);
  assert.equal((await schoolClient.signIn(school.email)).headers.location, "/");
});

describe("linking a child the caller may open to one they may not", () => {
  it("is refused over HTTP with 403 and a message saying whom to ask, and nothing is stored", async () => {
    await schoolClient.get(`/people/${decoyId}?added=1`);
    const response = await schoolClient.post(`/people/${decoyId}/relationships`, {
      relatedPersonId: family.babyId,
      relationshipType: "sibling",
    });
    assert.equal(response.statusCode, 403);
    assert.match(text(response), /You can only link records you can open/);
    assert.match(text(response), /ask the front door or the child's lead professional/);
    assert.doesNotMatch(text(response), new RegExp(VICTIM_SECRET));
    assert.equal(await linkRows(decoyId, family.babyId), 0);
  });

  it("is refused from the other child's page too", async () => {
    await schoolClient.get(`/people/${family.babyId}`);
    const response = await schoolClient.post(`/people/${family.babyId}/relationships`, {
      relatedPersonId: decoyId,
      relationshipType: "sibling",
    });
    assert.equal(response.statusCode, 403);
    assert.equal(await linkRows(decoyId, family.babyId), 0);
  });

  it("refuses another partnership's child or an unknown number cleanly, without reaching the database's keys", async () => {
    for (const other of [strangerId, crypto.randomUUID()]) {
      await schoolClient.get(`/people/${decoyId}?added=1`);
      const response = await schoolClient.post(`/people/${decoyId}/relationships`, {
        relatedPersonId: other,
        relationshipType: "sibling",
      });
      assert.equal(response.statusCode, 403, `linking to ${other}`);
      assert.match(text(response), /You can only link records you can open/);
    }
  });

  it("refuses joining a household with someone the caller may not open, and a household that does not exist", async () => {
    const repo = repositoryFor(database, contextOf(school)).people;
    const member = {
      personId: decoyId,
      householdRole: "child" as const,
      validFrom: "2024-01-01",
      validTo: null,
    };
    const joined = await repo.addHouseholdMember({ ...member, householdId: family.householdId });
    assert.equal(joined.ok, false);
    assert.equal(!joined.ok && joined.denied, true);
    const nowhere = await repo.addHouseholdMember({ ...member, householdId: crypto.randomUUID() });
    assert.equal(!nowhere.ok && nowhere.denied, true);
    const victimMoved = await repo.addHouseholdMember({
      ...member,
      personId: family.babyId,
      address: { addressLine: "1 Decoy Row", town: null, postcode: null, ward: null, lsoa: null },
    });
    assert.equal(!victimMoved.ok && victimMoved.denied, true);
    const memberships = await database.unsafeOwnerDb
      .selectFrom("household_members")
      .select("person_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("person_id", "in", [decoyId, family.babyId])
      .execute();
    assert.deepEqual(
      memberships.map((row) => row.person_id),
      [family.babyId],
      "only the baby's own household",
    );
  });

  it("is allowed when the caller may open both records", async () => {
    const repo = repositoryFor(database, contextOf(frontDoor)).people;
    const other = await repo.createPerson(newChild("Linked", "Ashgrove"), null);
    assert.ok(other.ok);
    const linked = await repo.addRelationship({
      personId: other.value.personId,
      relatedPersonId: decoyId,
      relationshipType: "sibling",
      parentalResponsibility: false,
      validFrom: null,
    });
    assert.ok(linked.ok, JSON.stringify(linked));
  });
});

describe("a link that exists anyway (made before this rule, or by someone who may open both)", () => {
  before(async () => {
    await database.unsafeOwnerDb
      .insertInto("relationships")
      .values({
        partnership_id: partnership.partnershipId,
        relationship_id: crypto.randomUUID(),
        person_id: family.babyId,
        related_person_id: decoyId,
        relationship_type: "sibling",
        parental_responsibility: false,
        valid_from: null,
      })
      .execute();
  });

  it("does not show the other child's entries in the decoy's family chronology page, CSV or PDF", async () => {
    const base = `/people/${decoyId}/family-chronology`;
    const page = await schoolClient.get(base);
    assert.equal(page.statusCode, 200);
    assert.match(text(page), new RegExp(DECOY_NOTE));
    assert.doesNotMatch(text(page), new RegExp(VICTIM_SECRET));
    assert.doesNotMatch(text(page), /Poppy Wrenfield \(/, "not offered as a person to filter by");
    assert.match(text(page), /family members?' entries are not shown, because you cannot open their records/);
    const filtered = await schoolClient.get(`${base}?person=${family.babyId}`);
    assert.doesNotMatch(text(filtered), new RegExp(VICTIM_SECRET));
    const csv = await schoolClient.get(`${base}.csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(csv.body, new RegExp(DECOY_NOTE));
    assert.doesNotMatch(csv.body, new RegExp(VICTIM_SECRET));
    assert.doesNotMatch(csv.body, /Wrenfield/);
    const pdf = await schoolClient.get(`${base}.pdf`);
    assert.equal(pdf.statusCode, 200);
    const shown = pdfText(pdf.rawPayload);
    assert.match(shown, new RegExp(DECOY_NOTE), "the PDF's text is read");
    assert.doesNotMatch(shown, new RegExp(VICTIM_SECRET));
    assert.doesNotMatch(shown, /Wrenfield/);
  });

  it("shows the other child on the decoy's record as a name the caller cannot open, without details", async () => {
    const record = await schoolClient.get(`/people/${decoyId}?added=1`);
    assert.equal(record.statusCode, 200);
    const family = text(record).split("Family and household")[1]?.split("Agencies involved")[0] ?? "";
    assert.match(family, /Poppy Wrenfield/);
    assert.match(family, /You cannot open this record/);
    assert.match(family, /Not shown/);
    assert.doesNotMatch(family, /Aged \d/);
  });

  it("shows both children's entries to a caller who may open both, and audits a view of each", async () => {
    const client = new TestClient(app);
    assert.equal((await client.signIn(frontDoor.email)).headers.location, "/");
    for (const suffix of ["", ".csv", ".pdf"]) {
      const response = await client.get(`/people/${decoyId}/family-chronology${suffix}`);
      assert.equal(response.statusCode, 200);
      const shown = suffix === ".pdf" ? pdfText(response.rawPayload) : response.body;
      assert.match(shown, new RegExp(VICTIM_SECRET), `the sibling's entry in ${suffix || "the page"}`);
    }
    const pages = (await viewRows(frontDoor.userId, family.babyId)).filter((row) => row.via === decoyId);
    assert.deepEqual(pages.map((row) => row.page).sort(), ["export-csv", "export-pdf", "family-chronology"]);
    // The school read nothing of the other child's chronology (it saw only the "known to" page).
    assert.deepEqual(
      [...new Set((await viewRows(school.userId, family.babyId)).map((row) => row.page))],
      ["known-to"],
    );
  });
});
