// SPDX-License-Identifier: MIT
/**
 * The multi-agency chronology against a real database, through the repository and over HTTP: who sees a
 * child's entries (and who only gets sent to the "known to" page), restricted entries, amendments and
 * retractions that keep the original, the family chronology across siblings and agencies, filters, the
 * timeline picture under the content security policy, the PDF and CSV exports, and the audit of every view.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { sql } from "kysely";
import type { AccessContext } from "../data/access-context.ts";
import { repositoryFor } from "../data/repository.ts";
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import { grantAuditAccess } from "../learning/test-support.ts";
import type { Role } from "../organisation/codes.ts";
import { createFamily, findUser, type TestFamily, type TestUser } from "../test-support/families.ts";
import {
  createTestPartnership,
  openTestDatabase,
  signInFor,
  startTestApp,
  TestClient,
} from "../test-support/harness.ts";
import { unclassifiedMethods } from "../test-support/method-access.ts";
import { ChronologyEntriesRepository } from "./chronology-entries-repository.ts";
import { ChronologyReadsRepository } from "./chronology-reads-repository.ts";
import { ChronologyRepository, type EventInput } from "./chronology-repository.ts";

let database: HearthDatabase;
let partnership: GeneratedPartnership;
let app: FastifyInstance;
let family: TestFamily;
let health: TestUser;
let school: TestUser;
let police: TestUser;
let lead: TestUser;
let auditor: TestUser;
let frontDoor: TestUser;

const contextOf = (user: TestUser): AccessContext => ({
  partnershipId: partnership.partnershipId,
  userId: user.userId,
  role: user.role,
  agencyId: user.agencyId,
  teamId: null,
  sessionId: null,
  ip: null,
});
const repoOf = (user: TestUser) => repositoryFor(database, contextOf(user)).chronology;

const demoUser = async (role: Role): Promise<TestUser> => {
  const signIn = signInFor(partnership, role);
  const row = await database.unsafeOwnerDb
    .selectFrom("users")
    .innerJoin("agencies", (join) =>
      join
        .onRef("agencies.partnership_id", "=", "users.partnership_id")
        .onRef("agencies.agency_id", "=", "users.agency_id"),
    )
    .select(["users.agency_id", "agencies.name"])
    .where("users.partnership_id", "=", partnership.partnershipId)
    .where("users.user_id", "=", signIn.userId)
    .executeTakeFirstOrThrow();
  return { userId: signIn.userId, email: signIn.email, agencyId: row.agency_id, agencyName: row.name, role };
};

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

const entry = (overrides: Partial<EventInput> = {}): EventInput => ({
  eventType: "not-brought-health",
  occurredOn: daysAgo(30),
  datePrecision: "day",
  whatHappened: "Poppy was not brought to her 6-month health review.",
  impactOnChild: "Her weight and development were not checked; a second missed review.",
  actionTaken: "Letter sent and a home visit booked.",
  significance: "medium",
  neglectTypes: ["medical"],
  informationBasis: "observed",
  visibility: "normal",
  restrictedToRoles: [],
  ...overrides,
});

const clients = new Map<string, TestClient>();
/** A signed-in client per user, made once (sign-in is rate limited per address). */
const clientFor = async (user: TestUser): Promise<TestClient> => {
  const existing = clients.get(user.userId);
  if (existing) return existing;
  const client = new TestClient(app);
  const response = await client.signIn(user.email);
  assert.equal(response.headers.location, "/", `${user.email} signs in`);
  clients.set(user.userId, client);
  return client;
};

const text = (response: LightMyRequestResponse): string =>
  response.body
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");

const assertRedirect = (response: LightMyRequestResponse, location: string) => {
  assert.equal(response.statusCode, 303, `expected a 303 to ${location}, got ${response.statusCode}`);
  assert.equal(response.headers.location, location);
};

let schoolEventId: string;
let healthEventId: string;
let restrictedEventId: string;
let motherEventId: string;

before(async () => {
  database = await openTestDatabase();
  partnership = await createTestPartnership(database);
  app = await startTestApp(database);
  health = await findUser(database, partnership.partnershipId, {
    role: "practitioner",
    agencyName: "Community Health NHS Trust",
  });
  school = await findUser(database, partnership.partnershipId, {
    role: "practitioner",
    agencyType: "education",
  });
  police = await findUser(database, partnership.partnershipId, {
    role: "practitioner",
    agencyType: "police",
  });
  lead = await demoUser("safeguarding-lead");
  auditor = await demoUser("auditor");
  frontDoor = await demoUser("front-door");
  family = await createFamily(database, {
    partnershipId: partnership.partnershipId,
    involvements: [
      { agencyId: health.agencyId, child: "baby" },
      { agencyId: school.agencyId, child: "sibling" },
    ],
  });
  const add = async (user: TestUser, personId: string, input: EventInput) => {
    const result = await repoOf(user).addEvent(personId, input);
    assert.ok(result.ok, JSON.stringify(result));
    return result.value.eventId;
  };
  healthEventId = await add(health, family.babyId, entry());
  schoolEventId = await add(
    school,
    family.siblingId,
    entry({
      eventType: "persistent-absence",
      occurredOn: daysAgo(60),
      datePrecision: "month",
      whatHappened: "Jayden's attendance this term is 82%.",
      impactOnChild: "He is falling behind in reading.",
      neglectTypes: ["educational"],
      significance: "medium",
    }),
  );
  restrictedEventId = await add(
    health,
    family.babyId,
    entry({
      eventType: "parental-mental-health",
      whatHappened: "Mother disclosed low mood to the health visitor.",
      impactOnChild: "Poppy's care may be affected when mother is unwell.",
      neglectTypes: ["emotional"],
      informationBasis: "reported",
      visibility: "restricted",
      restrictedToRoles: ["safeguarding-lead"],
    }),
  );
  // The front door sees every child, so it can record on the mother (an adult in the household).
  motherEventId = await add(
    frontDoor,
    family.motherId,
    entry({
      eventType: "domestic-abuse",
      occurredOn: daysAgo(400),
      datePrecision: "approximate",
      whatHappened: "Police attended a verbal argument between Kerry and Dean.",
      impactOnChild: "Jayden was present and upset.",
      neglectTypes: ["emotional", "supervisory"],
      significance: "high",
    }),
  );
});

after(async () => {
  await app.close();
  await database.close();
});

describe("ChronologyRepository's methods", () => {
  it("are each declared in the sub-area repository that does the work", () => {
    for (const repository of [ChronologyReadsRepository, ChronologyEntriesRepository]) {
      assert.deepEqual(unclassifiedMethods(repository), { undeclared: [], stale: [] }, repository.name);
    }
  });

  it("return nothing and change nothing without a context", async () => {
    const nobody = repositoryFor(database, undefined).chronology;
    const before = await database.unsafeOwnerDb
      .selectFrom("chronology_events")
      .select(sql<number>`count(*)`.as("n"))
      .executeTakeFirstOrThrow();
    const results: Record<string, unknown> = {
      addEvent: (await nobody.addEvent(family.babyId, entry())).ok,
      amendEvent: (await nobody.amendEvent(healthEventId, entry(), "because")).ok,
      retractEvent: (await nobody.retractEvent(healthEventId, "because")).ok,
      getEvent: await nobody.getEvent(family.babyId, healthEventId),
      getEventHistory: await nobody.getEventHistory(family.babyId, healthEventId),
      childChronology: await nobody.childChronology(family.babyId),
      familyChronology: await nobody.familyChronology(family.babyId),
      personForChronology: await nobody.personForChronology(family.babyId),
    };
    const guarded = Object.entries(ChronologyRepository.methodAccess)
      .filter(([, access]) => access === "guarded")
      .map(([name]) => name);
    assert.deepEqual(Object.keys(results).sort(), [...guarded].sort(), "every guarded method is exercised");
    for (const [name, value] of Object.entries(results)) {
      assert.ok(
        value === undefined || value === false,
        `${name} gave ${JSON.stringify(value)} with no context`,
      );
    }
    const afterCount = await database.unsafeOwnerDb
      .selectFrom("chronology_events")
      .select(sql<number>`count(*)`.as("n"))
      .executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n), Number(before.n));
  });
});

describe("a practitioner of an uninvolved agency", () => {
  it("gets no chronology entries from the repository", async () => {
    assert.equal(await repoOf(police).childChronology(family.babyId), undefined);
    assert.equal(await repoOf(police).familyChronology(family.babyId), undefined);
    assert.equal(await repoOf(police).getEvent(family.babyId, healthEventId), undefined);
    const refused = await repoOf(police).addEvent(family.babyId, entry());
    assert.equal(refused.ok, false);
    const amend = await repoOf(police).amendEvent(healthEventId, entry(), "I think it is wrong");
    assert.equal(amend.ok, false);
  });

  it("is refused every chronology route, pointed to the child's 'known to' page", async () => {
    const client = await clientFor(police);
    const base = `/people/${family.babyId}`;
    const assertRefused = (response: LightMyRequestResponse) => {
      assert.equal(response.statusCode, 403);
      assert.ok(response.body.includes("You cannot see this record"));
      assert.ok(response.body.includes(`href="${base}"`), "with a link to who knows the child");
      assert.ok(!response.body.includes("Poppy"), "and nothing about the child");
    };
    for (const path of [
      "/chronology",
      "/family-chronology",
      "/family-chronology.pdf",
      "/family-chronology.csv",
      "/chronology/new",
      `/chronology/${healthEventId}/amend`,
      `/chronology/${healthEventId}/retract`,
      `/chronology/${healthEventId}/history`,
    ]) {
      assertRefused(await client.get(`${base}${path}`));
    }
    assertRefused(await client.post(`${base}/chronology/new`, { eventType: "injury" }));
  });
});

describe("the family chronology", () => {
  it("includes a sibling's entry from another agency, labelled with the sibling, for a caller who may open the sibling", async () => {
    const chronology = await repoOf(frontDoor).familyChronology(family.babyId);
    assert.ok(chronology);
    assert.equal(chronology.hiddenMembers, 0);
    const absence = chronology.events.find((e) => e.event_id === schoolEventId);
    assert.ok(absence, "the school's entry about the sibling is in the baby's family chronology");
    assert.equal(absence.person_name, "Jayden Tamworth");
    assert.equal(absence.person_label, "Sibling");
    assert.equal(absence.agency_name, school.agencyName);
    assert.equal(absence.age_at_event, "6 years", "born 7 years and a month ago, seen two months ago");
    assert.match(absence.date_label, /^[A-Z][a-z]+ \d{4}$/, "a month-precision date shows the month only");
    const mother = chronology.events.find((e) => e.event_id === motherEventId);
    assert.ok(mother);
    assert.equal(mother.person_label, "Mother");
    assert.match(mother.date_label, /^about /);
    const partner = chronology.members.find((m) => m.person_id === family.partnerId);
    assert.equal(partner?.label, "Parent's partner · Other adult in the household");
    // The child's own chronology holds only the child's entries.
    const own = await repoOf(frontDoor).childChronology(family.babyId);
    assert.ok(own);
    assert.deepEqual(new Set(own.events.map((e) => e.person_id)), new Set([family.babyId]));
  });

  it("leaves out the entries of members whose records the caller may not open, and says so", async () => {
    // The health visitor is involved with the baby only: not with the brother, the mother or her partner.
    const chronology = await repoOf(health).familyChronology(family.babyId);
    assert.ok(chronology);
    assert.deepEqual(new Set(chronology.events.map((e) => e.person_id)), new Set([family.babyId]));
    assert.deepEqual(
      chronology.members.map((m) => m.person_id),
      [family.babyId],
    );
    assert.equal(chronology.hiddenMembers, 3);
    const page = await (await clientFor(health)).get(`/people/${family.babyId}/family-chronology`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(text(page), /Jayden's attendance this term is 82%/);
    assert.doesNotMatch(text(page), /verbal argument/);
    assert.match(
      text(page),
      /3 family members' entries are not shown, because you cannot open their records/,
    );
  });

  it("filters by neglect type, person, agency and date", async () => {
    const educational = await repoOf(frontDoor).familyChronology(family.babyId, {
      neglectType: "educational",
    });
    assert.deepEqual(
      educational?.events.map((e) => e.event_id),
      [schoolEventId],
    );
    const mother = await repoOf(frontDoor).familyChronology(family.babyId, { personId: family.motherId });
    assert.deepEqual(
      mother?.events.map((e) => e.event_id),
      [motherEventId],
    );
    const bySchool = await repoOf(frontDoor).familyChronology(family.babyId, { agencyId: school.agencyId });
    assert.deepEqual(
      bySchool?.events.map((e) => e.event_id),
      [schoolEventId],
    );
    const recent = await repoOf(health).familyChronology(family.babyId, { from: daysAgo(45) });
    assert.ok(recent?.events.every((e) => e.occurred_on >= daysAgo(45)));
    assert.ok(recent?.events.some((e) => e.event_id === healthEventId));

    const client = await clientFor(frontDoor);
    const page = await client.get(`/people/${family.babyId}/family-chronology?neglect=educational`);
    assert.equal(page.statusCode, 200);
    assert.match(text(page), /Jayden's attendance this term is 82%/);
    assert.doesNotMatch(text(page), /not brought to her 6-month health review/);
  });

  it("draws the timeline as SVG with a title and a table of the same counts, with no inline style or script", async () => {
    const client = await clientFor(health);
    const page = await client.get(`/people/${family.babyId}/family-chronology`);
    assert.equal(page.statusCode, 200);
    const body = page.body;
    assert.match(body, /<svg[^>]*role="img"[^>]*aria-label="Chronology entries per [a-z]+ by person/);
    assert.match(body, /<svg[^>]*class="hearth-timeline-plot"[^>]*><title>Chronology entries per/);
    assert.match(body, /<caption class="govuk-table__caption[^"]*">Chronology entries per/);
    assert.doesNotMatch(body, /<style/i, "no <style> element: the CSP allows only same-origin stylesheets");
    assert.doesNotMatch(body, /\sstyle="/i, "no style attributes");
    const csp = String(page.headers["content-security-policy"]);
    assert.match(csp, /style-src 'self'/);
    // The only inline script is GOV.UK Frontend's one-line body class, carrying the CSP's nonce.
    const scripts = body.match(/<script\b[^>]*>/g) ?? [];
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(
      scripts.every((tag) => /\ssrc="/.test(tag) || (nonce && tag.includes(`nonce="${nonce}"`))),
      "no inline script without the nonce",
    );
    // The table's total equals the number of entries shown.
    const totals = [
      ...body.matchAll(/<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)<\/td>\s*<\/tr>/g),
    ];
    const sum = totals.reduce((n, m) => n + Number(m[1]), 0);
    const shown = (await repoOf(health).familyChronology(family.babyId))?.events.length;
    assert.equal(sum, shown);
  });
});

describe("restricted entries", () => {
  it("are hidden from other roles and agencies but seen by the named role and the recording agency", async () => {
    const seen = async (user: TestUser, focal: string) =>
      (await repoOf(user).familyChronology(focal))?.events.some((e) => e.event_id === restrictedEventId);
    assert.equal(await seen(health, family.babyId), true, "the recording agency sees it");
    assert.equal(await seen(lead, family.babyId), true, "the named role sees it");
    assert.equal(await seen(school, family.siblingId), false, "another agency's practitioner does not");
    assert.equal(await seen(frontDoor, family.babyId), false, "a role not named does not");
    assert.notEqual(
      await seen(auditor, family.babyId),
      true,
      "an auditor (with no audit round for the baby) does not",
    );
    // The school may not open the baby's record, so none of the baby's entries reach the sibling's
    // family chronology for them.
    const schoolView = await repoOf(school).familyChronology(family.siblingId);
    assert.ok(schoolView);
    assert.ok(!schoolView.events.some((e) => e.event_id === healthEventId));
    const page = await (await clientFor(school)).get(`/people/${family.siblingId}/family-chronology`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(text(page), /low mood/);
    const csv = await (await clientFor(school)).get(`/people/${family.siblingId}/family-chronology.csv`);
    assert.doesNotMatch(csv.body, /low mood/);
  });
});

describe("recording an entry", () => {
  it("refuses an entry without the impact on the child, naming the field", async () => {
    const result = await repoOf(health).addEvent(family.babyId, entry({ impactOnChild: "   " }));
    assert.deepEqual(result, { ok: false, field: "impactOnChild", message: "Enter the impact on the child" });
    const future = await repoOf(health).addEvent(family.babyId, entry({ occurredOn: daysAgo(-3) }));
    assert.equal(future.ok, false);
    assert.equal(!future.ok && future.field, "occurredOn");
    const restricted = await repoOf(health).addEvent(family.babyId, entry({ visibility: "restricted" }));
    assert.equal(!restricted.ok && restricted.field, "restrictedToRoles");
    const auditorTry = await repoOf(auditor).addEvent(family.babyId, entry());
    assert.equal(auditorTry.ok, false, "an auditor does not record");

    const client = await clientFor(health);
    const form = await client.get(`/people/${family.babyId}/chronology/new?eventType=not-brought-dental`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /name="neglectTypes" type="checkbox" value="medical" checked/);
    const response = await client.post(`/people/${family.babyId}/chronology/new`, {
      eventType: "not-brought-dental",
      "occurredOn-day": "",
      "occurredOn-month": "2",
      "occurredOn-year": "2025",
      datePrecision: "month",
      whatHappened: "Not brought to the dentist.",
      impactOnChild: "",
      significance: "medium",
      neglectTypes: "medical",
      informationBasis: "observed",
      visibility: "normal",
    });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /govuk-error-summary/);
    assert.match(response.body, /<a href="#impactOnChild">Enter the impact on the child<\/a>/);
  });

  it("adds an entry over HTTP, from the caller's agency, and audits it", async () => {
    const client = await clientFor(health);
    await client.get(`/people/${family.babyId}/chronology/new?eventType=not-brought-dental`);
    const response = await client.post(`/people/${family.babyId}/chronology/new`, {
      eventType: "not-brought-dental",
      "occurredOn-day": "",
      "occurredOn-month": "2",
      "occurredOn-year": "2025",
      datePrecision: "month",
      whatHappened: "Not brought to the dentist for the second time.",
      impactOnChild: "Tooth decay untreated.",
      significance: "medium",
      neglectTypes: "medical",
      informationBasis: "observed",
      visibility: "normal",
    });
    assertRedirect(response, `/people/${family.babyId}/chronology?done=added`);
    const page = await client.get(`/people/${family.babyId}/chronology?done=added`);
    assert.match(text(page), /Not brought to the dentist for the second time\./);
    assert.match(text(page), /February 2025/);
    const row = await database.unsafeOwnerDb
      .selectFrom("chronology_events")
      .select(["event_id", "source_agency_id", "recorded_by", "neglect_types"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("what_happened", "=", "Not brought to the dentist for the second time.")
      .executeTakeFirstOrThrow();
    assert.equal(row.source_agency_id, health.agencyId);
    assert.equal(row.recorded_by, health.userId);
    assert.deepEqual(row.neglect_types, ["medical"]);
    const audit = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("action")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("record_type", "=", "chronology-event")
      .where("record_id", "=", row.event_id)
      .execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      ["create"],
    );
  });
});

describe("amending and retracting", () => {
  it("an amendment keeps the original, visible in the history to an auditor", async () => {
    const original = await repoOf(health).addEvent(
      family.babyId,
      entry({
        whatHappened: "Bruise seen on the left arm.",
        eventType: "injury",
        neglectTypes: ["physical"],
      }),
    );
    assert.ok(original.ok);
    const originalId = original.value.eventId;
    const bySchool = await repoOf(school).amendEvent(originalId, entry(), "not ours to change");
    assert.equal(bySchool.ok, false, "only the recording agency (or a safeguarding lead) may amend");
    const noReason = await repoOf(health).amendEvent(originalId, entry(), "  ");
    assert.equal(!noReason.ok && noReason.field, "reason");

    const client = await clientFor(health);
    const form = await client.get(`/people/${family.babyId}/chronology/${originalId}/amend`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Bruise seen on the left arm\./);
    const values = {
      eventType: "injury",
      "occurredOn-day": String(Number(daysAgo(30).slice(8, 10))),
      "occurredOn-month": String(Number(daysAgo(30).slice(5, 7))),
      "occurredOn-year": daysAgo(30).slice(0, 4),
      datePrecision: "day",
      whatHappened: "Bruise seen on the right arm.",
      impactOnChild: "Pain when lifted.",
      significance: "high",
      neglectTypes: "physical",
      informationBasis: "observed",
      visibility: "normal",
    };
    const missingReason = await client.post(
      `/people/${family.babyId}/chronology/${originalId}/amend`,
      values,
    );
    assert.equal(missingReason.statusCode, 400);
    assert.match(missingReason.body, /<a href="#reason">Enter the reason for the amendment<\/a>/);
    const amended = await client.post(`/people/${family.babyId}/chronology/${originalId}/amend`, {
      ...values,
      reason: "Wrong arm recorded.",
    });
    assertRedirect(amended, `/people/${family.babyId}/chronology?done=amended`);

    const chronology = await repoOf(health).familyChronology(family.babyId);
    assert.ok(chronology?.events.some((e) => e.what_happened === "Bruise seen on the right arm."));
    assert.ok(
      !chronology?.events.some((e) => e.event_id === originalId),
      "only the current version is shown",
    );
    const stored = await database.unsafeOwnerDb
      .selectFrom("chronology_events")
      .select("what_happened")
      .where("event_id", "=", originalId)
      .executeTakeFirst();
    assert.equal(stored?.what_happened, "Bruise seen on the left arm.", "the original row is unchanged");
    const again = await repoOf(health).amendEvent(originalId, entry(), "second fork");
    assert.equal(again.ok, false, "an old version cannot be amended again");

    // An auditor sees a child only while an audit round opens the record to them (src/learning/audits).
    assert.equal(await repoOf(auditor).getEventHistory(family.babyId, originalId), undefined);
    await grantAuditAccess(database, {
      partnershipId: partnership.partnershipId,
      auditorUserId: auditor.userId,
      plannedBy: lead.userId,
      personIds: [family.babyId],
    });
    const history = await repoOf(auditor).getEventHistory(family.babyId, originalId);
    assert.deepEqual(
      history?.versions.map((v) => v.what_happened),
      ["Bruise seen on the left arm.", "Bruise seen on the right arm."],
    );
    assert.equal(history?.versions[1]?.amendment_reason, "Wrong arm recorded.");
    assert.equal(await repoOf(health).getEventHistory(family.babyId, originalId), undefined);
    const auditorPage = await (await clientFor(auditor)).get(
      `/people/${family.babyId}/chronology/${originalId}/history`,
    );
    assert.equal(auditorPage.statusCode, 200);
    assert.match(text(auditorPage), /Bruise seen on the left arm\./);
    assert.match(text(auditorPage), /Wrong arm recorded\./);
    const practitionerPage = await client.get(`/people/${family.babyId}/chronology/${originalId}/history`);
    assert.equal(practitionerPage.statusCode, 403);
  });

  it("a retraction hides the entry but keeps the row, with its reason in the history", async () => {
    const added = await repoOf(health).addEvent(
      family.babyId,
      entry({ whatHappened: "Recorded on the wrong child." }),
    );
    assert.ok(added.ok);
    const eventId = added.value.eventId;
    const client = await clientFor(health);
    const form = await client.get(`/people/${family.babyId}/chronology/${eventId}/retract`);
    assert.equal(form.statusCode, 200);
    const noReason = await client.post(`/people/${family.babyId}/chronology/${eventId}/retract`, {
      reason: "",
    });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /<a href="#reason">Enter the reason for retracting this entry<\/a>/);
    const retracted = await client.post(`/people/${family.babyId}/chronology/${eventId}/retract`, {
      reason: "Wrong child.",
    });
    assertRedirect(retracted, `/people/${family.babyId}/chronology?done=retracted`);
    const chronology = await repoOf(health).childChronology(family.babyId);
    assert.ok(!chronology?.events.some((e) => e.event_id === eventId));
    const row = await database.unsafeOwnerDb
      .selectFrom("chronology_events")
      .select("event_id")
      .where("event_id", "=", eventId)
      .executeTakeFirst();
    assert.ok(row, "the retracted row is kept");
    const history = await repoOf(lead).getEventHistory(family.babyId, eventId);
    assert.equal(history?.retraction?.reason, "Wrong child.");
    assert.equal((await repoOf(health).retractEvent(eventId, "again")).ok, false);
  });
});

describe("exports", () => {
  it("give CSV and PDF with the right content types, honouring the filters", async () => {
    const client = await clientFor(frontDoor);
    const csv = await client.get(`/people/${family.babyId}/family-chronology.csv?neglect=educational`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers["content-type"]), /^text\/csv/);
    assert.match(
      String(csv.headers["content-disposition"]),
      /^attachment; filename="family-chronology-poppy-tamworth\.csv"/,
    );
    assert.match(csv.body, /Jayden Tamworth/);
    assert.doesNotMatch(csv.body, /health review/);
    const pdf = await client.get(`/people/${family.babyId}/family-chronology.pdf`);
    assert.equal(pdf.statusCode, 200);
    assert.equal(pdf.headers["content-type"], "application/pdf");
    assert.equal(pdf.rawPayload.subarray(0, 5).toString("latin1"), "%PDF-");
  });
});

describe("the audit log", () => {
  it("records every view of a chronology, page and export alike", async () => {
    const client = await clientFor(lead);
    const base = `/people/${family.babyId}`;
    for (const path of [
      "/chronology",
      "/family-chronology",
      "/family-chronology.pdf",
      "/family-chronology.csv",
    ])
      assert.equal((await client.get(`${base}${path}`)).statusCode, 200, path);
    const rows = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select(sql<string>`details->>'page'`.as("page"))
      .where("partnership_id", "=", partnership.partnershipId)
      .where("actor_user_id", "=", lead.userId)
      .where("action", "=", "view")
      .where("record_type", "=", "person")
      .where("record_id", "=", family.babyId)
      .execute();
    const pages = new Set(rows.map((r) => r.page));
    for (const page of ["chronology", "family-chronology", "export-pdf", "export-csv"])
      assert.ok(pages.has(page), `a view of ${page} is audited`);
    // A refused read is recorded as a refusal, never as a view.
    const policeRows = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("action")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("actor_user_id", "=", police.userId)
      .where("record_id", "=", family.babyId)
      .execute();
    assert.ok(policeRows.length > 0);
    assert.deepEqual(new Set(policeRows.map((r) => r.action)), new Set(["denied"]));
  });
});
