// SPDX-License-Identifier: MIT
/**
 * A long chronology over HTTP on a real database: 5,000 entries paged in SQL (the first page quick, every
 * page audited, the exports still whole), children's social care events among the entries in words and
 * only for children the caller may open, and the filter's day/month/year dates with every error at once.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { sql } from "kysely";
import { createFamily, findUser, type TestFamily, type TestUser } from "../test-support/families.ts";
import { TestClient } from "../test-support/harness.ts";
import { app, database, partnership, useTestApp } from "../test-support/test-app.ts";
import { pagination } from "./paging.ts";
import { socialCareDetail, socialCareTitle } from "./social-care-entries.ts";

const ENTRIES = 5000;

let family: TestFamily;
let health: TestUser;
let school: TestUser;
const clients = new Map<string, TestClient>();

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

/** The entries on a page: one date cell per entry. */
const entriesOn = (body: string): number => (body.match(/data-label="Date"/g) ?? []).length;

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

useTestApp({}, async () => {
  health = await findUser(database, partnership.partnershipId, {
    role: "practitioner",
    agencyName: "Community Health NHS Trust",
  });
  school = await findUser(database, partnership.partnershipId, {
    role: "practitioner",
    agencyType: "education",
  });
  family = await createFamily(database, {
    partnershipId: partnership.partnershipId,
    familyName: "Pagewood",
    involvements: [
      { agencyId: health.agencyId, child: "baby" },
      { agencyId: school.agencyId, child: "sibling" },
    ],
  });
  // 5,000 entries on the baby, one a day going back (some on the same day), as the owner would load them.
  await sql`
    insert into chronology_events (partnership_id, event_id, person_id, occurred_on, date_precision, event_type,
      source_agency_id, recorded_by, what_happened, impact_on_child, significance, neglect_types, information_basis)
    select ${partnership.partnershipId}::uuid, gen_random_uuid(), ${family.babyId}::uuid,
      current_date - (n / 20), 'day', 'home-visit-seen', ${health.agencyId}::uuid, ${health.userId}::uuid,
      'Visit number ' || n, 'Seen and well', 'low', '{}', 'observed'
    from generate_series(1, ${ENTRIES}) n`.execute(database.unsafeOwnerDb);
  // Social care: a referral and an assessment on the baby, a referral on the sibling.
  const referral = randomUUID();
  const siblingReferral = randomUUID();
  const assessment = randomUUID();
  await database.unsafeOwnerDb
    .insertInto("csc_events")
    .values([
      {
        partnership_id: partnership.partnershipId,
        event_id: referral,
        person_id: family.babyId,
        episode_id: referral,
        event_type: "referral",
        occurred_on: daysAgo(10),
        code: "3B",
        note: "Social worker's private note",
      },
      {
        partnership_id: partnership.partnershipId,
        event_id: assessment,
        person_id: family.babyId,
        episode_id: referral,
        event_type: "assessment-start",
        occurred_on: daysAgo(9),
        code: null,
      },
      {
        partnership_id: partnership.partnershipId,
        event_id: randomUUID(),
        person_id: family.babyId,
        episode_id: referral,
        subject_id: assessment,
        event_type: "assessment-authorised",
        occurred_on: daysAgo(2),
        code: null,
        codes: ["2B", "3A"],
      },
      {
        partnership_id: partnership.partnershipId,
        event_id: siblingReferral,
        person_id: family.siblingId,
        episode_id: siblingReferral,
        event_type: "referral",
        occurred_on: daysAgo(5),
        code: "2A",
      },
    ])
    .execute();
  await sql`analyze chronology_events, csc_events`.execute(database.unsafeOwnerDb);
});

describe("a chronology of 5,000 entries", () => {
  // How fast is measured by bench/chronology.bench.ts, never here: a timed test fails on a busy machine.
  it("shows the first 50, with GOV.UK pagination links that work without JavaScript", async () => {
    const client = await clientFor(health);
    const url = `/people/${family.babyId}/family-chronology`;
    const response = await client.get(url);
    assert.equal(response.statusCode, 200);
    const body = text(response);
    assert.equal(entriesOn(body), 50);
    assert.match(body, /Entries \(5,003\)/);
    assert.match(body, /Showing 1 to 50 of 5,003 entries/);
    assert.match(body, /class="govuk-pagination"/);
    assert.match(body, new RegExp(`href="${url}\\?by=person&page=2"`));
  });

  it("pages in SQL: page 2 follows page 1, and a page past the end shows the last", async () => {
    const client = await clientFor(health);
    const base = `/people/${family.babyId}/chronology`;
    const first = text(await client.get(base));
    const second = text(await client.get(`${base}?page=2`));
    assert.equal(entriesOn(second), 50);
    assert.match(second, /Showing 51 to 100 of 5,003 entries/);
    const visits = (body: string) => [...body.matchAll(/Visit number (\d+)/g)].map((m) => Number(m[1]));
    const overlap = visits(first).filter((n) => visits(second).includes(n));
    assert.deepEqual(overlap, [], "no entry is on two pages");
    const last = text(await client.get(`${base}?page=9999`));
    assert.equal(entriesOn(last), 3);
    assert.match(last, /Showing 5,001 to 5,003 of 5,003 entries/);
    assert.doesNotMatch(last, /govuk-pagination__next/);
    const nonsense = await client.get(`${base}?page=-3`);
    assert.equal(nonsense.statusCode, 200);
    assert.match(text(nonsense), /Showing 1 to 50/);
  });

  it("audits each page viewed", async () => {
    const client = await clientFor(health);
    const before = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select(sql<number>`count(*)::integer`.as("n"))
      .where("record_id", "=", family.babyId)
      .executeTakeFirstOrThrow();
    await client.get(`/people/${family.babyId}/chronology?page=3`);
    const rows = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select(["details", "actor_user_id"])
      .where("record_id", "=", family.babyId)
      .orderBy("seq", "desc")
      .limit(1)
      .execute();
    const after = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select(sql<number>`count(*)::integer`.as("n"))
      .where("record_id", "=", family.babyId)
      .executeTakeFirstOrThrow();
    assert.equal(after.n, before.n + 1);
    assert.equal(rows[0]?.actor_user_id, health.userId);
    assert.deepEqual((rows[0]?.details as Record<string, unknown> | undefined)?.page_number, 3);
  });

  it("keeps every entry in the CSV export", async () => {
    const client = await clientFor(health);
    const csv = await client.get(`/people/${family.babyId}/family-chronology.csv`);
    assert.equal(csv.statusCode, 200);
    // A header line, then one line per entry.
    assert.equal(csv.body.trim().split("\n").length, 1 + ENTRIES + 3);
  });
});

describe("social care events in the chronology", () => {
  it("shows the pathway's events in words, not census codes, and not the social worker's notes", async () => {
    const client = await clientFor(health);
    const body = text(await client.get(`/people/${family.babyId}/chronology?type=social-care`));
    assert.equal(entriesOn(body), 3);
    assert.match(body, /Referral received/);
    assert.match(body, /Referred by: Health: health visitor\./);
    assert.match(body, /Assessment started/);
    assert.match(body, /Factors identified: Drug misuse: parent or carer and Domestic abuse: child/);
    // Without the form's random CSRF token, which may hold the letters "3B" (it did once).
    assert.doesNotMatch(body.replace(/name="_csrf" value="[^"]*"/g, ""), /source code|3B|private note/);
    assert.match(body, /Children's social care/);
  });

  it("shows a sibling's social care events in the family chronology only to those who may open the sibling", async () => {
    // The school is involved with the sibling only: the sibling's family chronology shows the sibling's
    // referral, never the baby's social care events.
    const schoolClient = await clientFor(school);
    const sibling = text(
      await schoolClient.get(`/people/${family.siblingId}/family-chronology?type=social-care`),
    );
    assert.equal(entriesOn(sibling), 1);
    assert.match(sibling, /Referred by: Schools\./);
    assert.doesNotMatch(sibling, /Assessment started|Health: health visitor/);
    // And the baby's own chronology is refused to the school.
    const refused = await schoolClient.get(`/people/${family.babyId}/chronology`);
    assert.notEqual(refused.statusCode, 200);
    assert.doesNotMatch(text(refused), /Referral received/);
  });
});

describe("the chronology filter's dates", () => {
  it("uses GOV.UK day, month and year boxes and reports every problem in one submit", async () => {
    const client = await clientFor(health);
    const base = `/people/${family.babyId}/chronology`;
    const page = text(await client.get(base));
    assert.match(page, /name="from-day"/);
    assert.doesNotMatch(page, /type="date"/);
    const bad = text(
      await client.get(
        `${base}?from-day=31&from-month=2&from-year=2024&to-month=3&to-year=2024&type=nonsense`,
      ),
    );
    assert.match(bad, /There is a problem/);
    assert.match(bad, /The 'from' date must be a real date/);
    assert.match(bad, /The 'to' date must include a day/);
    assert.match(bad, /Select a type of event from the list/);
    assert.match(bad, /href="#from-day"/);
    // What was typed is shown back.
    assert.match(
      bad,
      /name="from-day" type="text" value="31"|id="from-day" name="from-day" type="text" value="31"/,
    );
  });

  it("filters by the dates given", async () => {
    const client = await clientFor(health);
    const [y, m, d] = daysAgo(3).split("-");
    const body = text(
      await client.get(
        `/people/${family.babyId}/chronology?from-day=${d}&from-month=${m}&from-year=${y}&type=social-care`,
      ),
    );
    assert.equal(entriesOn(body), 1, "only the assessment authorised 2 days ago");
  });
});

describe("the paging and social care presenters", () => {
  it("pages with an ellipsis, keeping the filters on each link", () => {
    const params = pagination("/c", { type: "injury", by: undefined }, 5, 1000, 50);
    assert.equal(params.previous?.href, "/c?type=injury&page=4");
    assert.equal(params.next?.href, "/c?type=injury&page=6");
    assert.deepEqual(
      params.items.map((item) => ("ellipsis" in item ? "…" : item.number)),
      ["1", "…", "4", "5", "6", "…", "20"],
    );
    assert.equal(pagination("/c", {}, 1, 1, 50).summary, "Showing 1 entry");
    assert.deepEqual(pagination("/c", {}, 1, 0, 50).items, []);
    assert.equal(pagination("/c", {}, 1, 3, 50).items.length, 0);
  });

  it("says social care events in words", () => {
    const facts = { code: null, codes: [], count: null, childSeen: null, seenAlone: null };
    assert.equal(socialCareTitle("referral"), "Referral received");
    assert.equal(
      socialCareDetail({ ...facts, eventType: "closure", code: "RC8" }),
      "Reason: Closed after assessment, no further action.",
    );
    assert.equal(
      socialCareDetail({ ...facts, eventType: "cp-plan-start", code: "NEG" }),
      "Category of abuse: Neglect.",
    );
    assert.equal(
      socialCareDetail({ ...facts, eventType: "visit", childSeen: true, seenAlone: true }),
      "The child was seen, and seen alone.",
    );
    assert.equal(socialCareDetail({ ...facts, eventType: "icpc" }), "");
  });
});

describe("forms that report every problem after one submit", () => {
  it("the chronology entry form reports a restricted entry with no roles beside the other problems", async () => {
    const client = await clientFor(health);
    await client.get(`/people/${family.babyId}/chronology/new?eventType=injury`);
    const response = await client.post(`/people/${family.babyId}/chronology/new`, {
      eventType: "injury",
      datePrecision: "day",
      "occurredOn-day": "1",
      "occurredOn-month": "2",
      "occurredOn-year": "1890",
      whatHappened: "",
      impactOnChild: "A bruise",
      significance: "medium",
      informationBasis: "observed",
      visibility: "restricted",
    });
    assert.equal(response.statusCode, 400);
    const body = text(response);
    assert.match(body, /The date of the event must be after 1900/);
    assert.match(body, /Enter what happened/);
    assert.match(body, /Select the roles that may see this restricted entry/);
  });

  it("the new person form checks the NHS number even when a name is missing", async () => {
    const client = await clientFor(health);
    await client.get("/people/new");
    const response = await client.post("/people", {
      kind: "child",
      givenNames: "",
      familyName: "Pagewood",
      sex: "F",
      nhsNumber: "1234567890",
      sharingBasis: "consent",
      consent: "given",
      isLeadAgency: "no",
    });
    assert.equal(response.statusCode, 400);
    const body = text(response);
    assert.match(body, /Enter their first names/);
    assert.match(body, /href="#nhsNumber"/);
  });
});
