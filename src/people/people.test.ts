// SPDX-License-Identifier: MIT
/**
 * People: identifiers are checked, likely duplicates are flagged, a practitioner sees a child only while
 * their agency is involved (otherwise only "known to"), break glass needs a reason and is audited and
 * told, a merge keeps both records and can be undone, and every view is audited.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sql } from "kysely";
import { repositoryFor } from "../data/repository.ts";
import { onKey } from "../kernel/sql.ts";
import type { AgencyType, Role } from "../organisation/codes.ts";
import { createTestPartnership, TestClient, userFor } from "../test-support/harness.ts";
import { unclassifiedMethods } from "../test-support/method-access.ts";
import { testChild, testInvolvement } from "../test-support/people.ts";
import { app, database, partnership, useTestApp } from "../test-support/test-app.ts";
import { ChildRecordRepository } from "./child-record-repository.ts";
import { FamilyLinksRepository } from "./family-links-repository.ts";
import { nhsCheckDigit, upnCheckLetter } from "./identifiers.ts";
import { InvolvementsRepository } from "./involvements-repository.ts";
import { PeopleRepository } from "./people-repository.ts";
import { PersonSearchRepository } from "./person-search-repository.ts";

/** A user of the given role in an agency of the given type, with the context the app would build. */
const userOf = (role: Role, agencyType: AgencyType) => userFor(database, partnership, role, { agencyType });

const validNhsNumber = (seed: number): string => {
  for (let n = seed; ; n += 1) {
    const first = String(100000000 + (n % 800000000)).slice(0, 9);
    const check = nhsCheckDigit(first);
    if (check !== undefined) return `${first}${check}`;
  }
};

const newChild = (
  givenNames: string,
  familyName: string,
  dateOfBirth: string,
  nhsNumber: string | null = null,
) => testChild({ givenNames, familyName, dateOfBirth, nhsNumber });

const consent = testInvolvement();

/** A child a health practitioner recorded, and a school practitioner whose agency is not involved. */
const childOfHealthNotSchool = async (givenNames: string, familyName: string, dateOfBirth: string) => {
  const health = await userOf("practitioner", "health");
  const school = await userOf("practitioner", "education");
  const created = await repositoryFor(database, health.context).people.createPerson(
    newChild(givenNames, familyName, dateOfBirth),
    consent,
  );
  assert.ok(created.ok);
  return { health, school, id: created.value.personId };
};

const auditRows = (action: string, recordId: string) =>
  database.unsafeOwnerDb
    .selectFrom("audit_log")
    .select(["action", "reason", "actor_user_id", "details"])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("action", "=", action)
    .where("record_id", "=", recordId)
    .execute();

useTestApp();

describe("the people repository's methods", () => {
  it("are each declared in the sub-area repository that does the work", () => {
    for (const repository of [
      PersonSearchRepository,
      ChildRecordRepository,
      InvolvementsRepository,
      FamilyLinksRepository,
    ]) {
      assert.deepEqual(unclassifiedMethods(repository), { undeclared: [], stale: [] }, repository.name);
    }
  });

  it("return nothing and change nothing without a caller", async () => {
    const health = await userOf("practitioner", "health");
    const created = await repositoryFor(database, health.context).people.createPerson(
      newChild("Nobody", "Sees", "2020-01-01"),
      consent,
    );
    assert.ok(created.ok);
    const id = created.value.personId;
    const nobody = repositoryFor(database, undefined).people;
    const results: Record<string, unknown> = {
      searchPeople: await nobody.searchPeople({ name: "Nobody Sees" }),
      findLikelyDuplicates: await nobody.findLikelyDuplicates({
        givenNames: "Nobody",
        familyName: "Sees",
        dateOfBirth: "2020-01-01",
        nhsNumber: null,
        upn: null,
      }),
      createPerson: (await nobody.createPerson(newChild("Ghost", "Child", "2020-01-01"), consent)).ok,
      getChildRecord: await nobody.getChildRecord(id),
      openRecordPage: await nobody.openRecordPage(id),
      knownTo: await nobody.knownTo(id),
      historySummary: await nobody.historySummary(id),
      acknowledgeHistory: await nobody.acknowledgeHistory(id),
      addInvolvement: (await nobody.addInvolvement(id, consent)).ok,
      endInvolvement: (await nobody.endInvolvement(id, "2025-02-01", "x")).ok,
      requestInvolvement: (await nobody.requestInvolvement(id, "because")).ok,
      listInvolvementRequestsForMe: await nobody.listInvolvementRequestsForMe(),
      decideInvolvementRequest: (
        await nobody.decideInvolvementRequest(id, {
          grant: true,
          reason: "x",
          sharingBasis: "consent",
          consent: "given",
        })
      ).ok,
      breakGlass: (await nobody.breakGlass(id, "a long enough reason")).ok,
      listMyNotifications: await nobody.listMyNotifications(),
      mergePeople: (await nobody.mergePeople(id, id, "x")).ok,
      undoMerge: (await nobody.undoMerge(id, "x")).ok,
      addHouseholdMember: (
        await nobody.addHouseholdMember({
          personId: id,
          address: { addressLine: "1 Nowhere", town: null, postcode: null, ward: null, lsoa: null },
          householdRole: "child",
          validFrom: "2020-01-01",
          validTo: null,
        })
      ).ok,
      addRelationship: (
        await nobody.addRelationship({
          personId: id,
          relatedPersonId: health.context.userId,
          relationshipType: "sibling",
          parentalResponsibility: false,
          validFrom: null,
        })
      ).ok,
      listAgencyUsers: await nobody.listAgencyUsers(health.context.agencyId),
    };
    assert.deepEqual(Object.keys(results).sort(), Object.keys(PeopleRepository.methodAccess).sort());
    for (const [name, value] of Object.entries(results)) {
      const empty = value === undefined || value === false || (Array.isArray(value) && value.length === 0);
      assert.ok(empty, `${name} gave ${JSON.stringify(value)} with no caller`);
    }
    const ghosts = await database.unsafeOwnerDb
      .selectFrom("people")
      .select("person_id")
      .where("given_names", "=", "Ghost")
      .execute();
    assert.equal(ghosts.length, 0);
  });
});

describe("a practitioner whose agency is not involved", () => {
  it("sees only that the child is known, and to which agencies", async () => {
    const { health, school, id } = await childOfHealthNotSchool("Maisie", "Thornbury", "2023-05-14");
    const schoolRepo = repositoryFor(database, school.context).people;
    assert.equal(await schoolRepo.getChildRecord(id), undefined);
    assert.equal(await schoolRepo.historySummary(id), undefined);
    assert.equal(await schoolRepo.openRecordPage(id), undefined);
    const known = await schoolRepo.knownTo(id);
    assert.ok(known);
    assert.ok(known.agencies.length === 1 && known.agencies[0]?.agency_id === health.context.agencyId);
    const found = await schoolRepo.searchPeople({ name: "Maisie Thornbury" });
    assert.equal(found[0]?.person_id, id);
    assert.equal(found[0]?.can_open, false);
    assert.ok((await repositoryFor(database, health.context).people.getChildRecord(id))?.person);

    const client = new TestClient(app);
    await client.signIn(school.email);
    const page = await client.get(`/people/${id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Known to/);
    assert.match(page.body, /Your agency is not involved/);
    assert.doesNotMatch(page.body, /Hearth record number/);
    assert.ok(
      (await auditRows("view", id)).some((row) => (row.details as { page?: string }).page === "known-to"),
    );
  });

  it("within one request, a record refused is opened once glass is broken (access is asked again after a change)", async () => {
    const { school, id } = await childOfHealthNotSchool("Ilse", "Trevanion", "2021-03-03");
    const oneRequest = repositoryFor(database, school.context).people;
    assert.equal(await oneRequest.getChildRecord(id), undefined, "refused before");
    assert.equal(await oneRequest.getChildRecord(id), undefined, "refused again, from what was asked once");
    assert.ok((await oneRequest.breakGlass(id, "Injury seen at school; need the record now")).ok);
    assert.ok((await oneRequest.getChildRecord(id))?.person, "opened after the change");
  });

  it("cannot break glass without a reason; with one, sees the record, and leads are told", async () => {
    const { health, school, id } = await childOfHealthNotSchool("Oscar", "Penhallow", "2022-02-02");

    const client = new TestClient(app);
    await client.signIn(school.email);
    await client.get(`/people/${id}`);
    const refusedResponse = await client.post(`/people/${id}/break-glass`, { reason: "" });
    assert.equal(refusedResponse.statusCode, 400);
    assert.match(refusedResponse.body, /Enter the reason you need to see this record now/);
    assert.match(refusedResponse.body, /href="#reason"/);
    assert.equal(await repositoryFor(database, school.context).people.getChildRecord(id), undefined);

    const opened = await client.post(`/people/${id}/break-glass`, {
      reason: "Child seen at school with an untreated injury; need health history now",
    });
    assert.equal(opened.statusCode, 303);
    assert.equal(opened.headers.location, `/people/${id}?glass=1`);
    const record = await client.get(String(opened.headers.location));
    assert.equal(record.statusCode, 200);
    assert.match(record.body, /break glass access/);
    assert.match(record.body, /Hearth record number/);
    const audit = await auditRows("break-glass", id);
    assert.equal(audit.length, 1);
    assert.match(audit[0]?.reason ?? "", /untreated injury/);
    const told = await database.unsafeOwnerDb
      .selectFrom("notifications")
      .innerJoin("users", (j) => onKey(j, "users.user_id", "notifications.recipient_user_id"))
      .select(["users.role", "users.user_id"])
      .where("notifications.partnership_id", "=", partnership.partnershipId)
      .where("notifications.link", "=", `/people/${id}`)
      .execute();
    assert.ok(told.some((row) => row.role === "safeguarding-lead"));
    assert.ok(
      told.some((row) => row.user_id === health.context.userId),
      "the lead professional is told",
    );
  });

  it("cannot be granted access by an analyst or administrator, who see no children at all", async () => {
    const health = await userOf("practitioner", "health");
    const created = await repositoryFor(database, health.context).people.createPerson(
      newChild("Ada", "Quillfeather", "2021-07-07"),
      consent,
    );
    assert.ok(created.ok);
    for (const role of ["analyst", "administrator"] as const) {
      const user = await userOf(role, "childrens-social-care").catch(() => undefined);
      if (!user) continue;
      const repo = repositoryFor(database, user.context).people;
      assert.equal(await repo.getChildRecord(created.value.personId), undefined);
      assert.deepEqual(await repo.searchPeople({ name: "Ada Quillfeather" }), []);
    }
  });
});

describe("adding a person", () => {
  it("refuses an invalid NHS number or UPN, naming the field", async () => {
    const health = await userOf("practitioner", "health");
    const client = new TestClient(app);
    await client.signIn(health.email);
    await client.get("/people/new");
    const form = {
      kind: "child",
      givenNames: "Ivy",
      familyName: "Marchbank",
      "dateOfBirth-day": "3",
      "dateOfBirth-month": "4",
      "dateOfBirth-year": "2021",
      sex: "F",
      sharingBasis: "consent",
      consent: "given",
    };
    const badNhs = await client.post("/people", { ...form, nhsNumber: "943 476 5918", disabilities: "COMM" });
    assert.equal(badNhs.statusCode, 400);
    assert.match(badNhs.body, /NHS number is not valid/);
    assert.match(badNhs.body, /href="#nhsNumber"/);
    assert.match(badNhs.body, /value="COMM" checked/, "the one box ticked stays ticked");
    assert.doesNotMatch(badNhs.body, /value="CON" checked/, "and only that one");
    const rest = "204123400001";
    const wrongLetter = upnCheckLetter(rest) === "A" ? "B" : "A";
    const badUpn = await client.post("/people", { ...form, upn: `${wrongLetter}${rest}` });
    assert.equal(badUpn.statusCode, 400);
    assert.match(badUpn.body, /UPN is not valid/);
    assert.match(badUpn.body, /href="#upn"/);
    const stored = await database.unsafeOwnerDb
      .selectFrom("people")
      .select("person_id")
      .where("family_name", "=", "Marchbank")
      .execute();
    assert.equal(stored.length, 0, "nothing is stored from a refused form");

    const good = await client.post("/people", { ...form, nhsNumber: validNhsNumber(123456) });
    assert.equal(good.statusCode, 303);
  });

  it("warns of a likely duplicate before adding, and adds when told it is someone else", async () => {
    const health = await userOf("practitioner", "health");
    const client = new TestClient(app);
    await client.signIn(health.email);
    await client.get("/people/new");
    const form = {
      kind: "child",
      givenNames: "Rowan",
      familyName: "Ashcombe",
      "dateOfBirth-day": "9",
      "dateOfBirth-month": "9",
      "dateOfBirth-year": "2019",
      sex: "M",
      sharingBasis: "consent",
      consent: "given",
    };
    assert.equal((await client.post("/people", form)).statusCode, 303);
    await client.get("/people/new");
    const again = await client.post("/people", { ...form, givenNames: "Rowen" });
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /This may be someone Hearth already knows/);
    assert.match(again.body, /Rowan Ashcombe/);
    const confirmed = await client.post("/people", { ...form, givenNames: "Rowen", notDuplicate: "yes" });
    assert.equal(confirmed.statusCode, 303);
  });

  it("names a likely duplicate's NHS number only to those who may open their record, and audits the check", async () => {
    const health = await userOf("practitioner", "health");
    const school = await userOf("practitioner", "education");
    const nhsNumber = validNhsNumber(731731);
    const created = await repositoryFor(database, health.context).people.createPerson(
      newChild("Marisol", "Quenby", "2017-04-12", nhsNumber),
      consent,
    );
    assert.ok(created.ok);
    const form = {
      kind: "child",
      givenNames: "Marisol",
      familyName: "Quenby",
      "dateOfBirth-day": "12",
      "dateOfBirth-month": "4",
      "dateOfBirth-year": "2017",
      sex: "F",
      sharingBasis: "consent",
      consent: "given",
    };
    const spaced = `${nhsNumber.slice(0, 3)} ${nhsNumber.slice(3, 6)} ${nhsNumber.slice(6)}`;
    const shown = (body: string) => body.includes(nhsNumber) || body.includes(spaced);
    // The school is not involved: the warning names the child (as search would), never the NHS number.
    const uninvolved = new TestClient(app);
    await uninvolved.signIn(school.email);
    await uninvolved.get("/people/new");
    const warned = await uninvolved.post("/people", form);
    assert.equal(warned.statusCode, 409);
    assert.match(warned.body, /Marisol Quenby/);
    assert.ok(!shown(warned.body), "an uninvolved worker is not shown the child's NHS number");
    // The check found a child by name and date of birth: audited as the search it is.
    const searches = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select(["details"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("action", "=", "search")
      .where("actor_user_id", "=", school.context.userId)
      .execute();
    const checks = searches.filter(
      (row) =>
        JSON.stringify(row.details).includes("likely-duplicates") &&
        JSON.stringify(row.details).includes("Quenby"),
    );
    assert.equal(checks.length, 1);
    // The involved agency still sees it, to tell the records apart.
    const involved = new TestClient(app);
    await involved.signIn(health.email);
    await involved.get("/people/new");
    const again = await involved.post("/people", form);
    assert.equal(again.statusCode, 409);
    assert.ok(shown(again.body));
  });
});

describe("finding a person", () => {
  it("finds a misspelt name, an NHS number and a date of birth", async () => {
    const health = await userOf("practitioner", "health");
    const nhsNumber = validNhsNumber(424242);
    const repo = repositoryFor(database, health.context).people;
    const created = await repo.createPerson(newChild("Tobias", "Fenwicke", "2018-11-30", nhsNumber), consent);
    assert.ok(created.ok);
    const id = created.value.personId;
    assert.ok((await repo.searchPeople({ name: "Tobias Fenwick" })).some((r) => r.person_id === id));
    assert.ok((await repo.searchPeople({ name: "Tobyas Fenwicke" })).some((r) => r.person_id === id));
    assert.ok((await repo.searchPeople({ nhsNumber })).some((r) => r.person_id === id));
    assert.ok((await repo.searchPeople({ dateOfBirth: "2018-11-30" })).some((r) => r.person_id === id));
    // With the NHS number, part of the family name (similarity under the cut-off) still finds them; without
    // it, a name that weak finds no one, and a name that is not theirs does not find them by number.
    assert.ok((await repo.searchPeople({ name: "fenw", nhsNumber })).some((r) => r.person_id === id));
    assert.ok(!(await repo.searchPeople({ name: "fenw" })).some((r) => r.person_id === id));
    assert.deepEqual(await repo.searchPeople({ name: "Quentin Oddbody", nhsNumber }), []);

    const client = new TestClient(app);
    await client.signIn(health.email);
    const page = await client.get(
      `/people?nhsNumber=${nhsNumber.slice(0, 3)}+${nhsNumber.slice(3, 6)}+${nhsNumber.slice(6)}`,
    );
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Tobias Fenwicke/);
    const bad = await client.get("/people?nhsNumber=1234567890");
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /NHS number is not valid/);
  });
});

describe("merging two records of one child", () => {
  it("keeps both records' events, and can be undone", async () => {
    const health = await userOf("practitioner", "health");
    const lead = await userOf("safeguarding-lead", "childrens-social-care");
    const repo = repositoryFor(database, health.context).people;
    const first = await repo.createPerson(newChild("Lily", "Brackenridge", "2020-03-03"), consent);
    const second = await repo.createPerson(newChild("Lilly", "Brackenridge", "2020-03-03"), consent);
    assert.ok(first.ok && second.ok);
    const kept = first.value.personId;
    const merged = second.value.personId;
    // One event on each record, recorded by the owner as fixtures.
    for (const [personId, what] of [
      [kept, "Not brought to 2-year review"],
      [merged, "Attended A&E with a burn"],
    ] as const) {
      await database.unsafeOwnerDb
        .insertInto("chronology_events")
        .values({
          partnership_id: partnership.partnershipId,
          event_id: crypto.randomUUID(),
          person_id: personId,
          occurred_on: "2024-06-01",
          date_precision: "day",
          event_type: "ae-attendance",
          source_agency_id: health.context.agencyId,
          recorded_by: health.context.userId,
          what_happened: what,
          impact_on_child: "Pain; health needs not met",
          significance: "high",
          information_basis: "observed",
        })
        .execute();
    }
    const leadRepo = repositoryFor(database, lead.context).people;
    const keyEvents = async () =>
      (await leadRepo.historySummary(kept))?.keyEvents.map((e) => e.what_happened).sort();
    assert.deepEqual(await keyEvents(), ["Not brought to 2-year review"]);

    assert.equal(
      (await repo.mergePeople(kept, merged, "same child")).ok,
      false,
      "a practitioner cannot merge",
    );
    const result = await leadRepo.mergePeople(kept, merged, "Same child: spelling mistake at registration");
    assert.ok(result.ok);
    assert.deepEqual(await keyEvents(), ["Attended A&E with a burn", "Not brought to 2-year review"]);
    const search = await leadRepo.searchPeople({ name: "Brackenridge" });
    assert.ok(search.some((r) => r.person_id === kept));
    assert.ok(!search.some((r) => r.person_id === merged), "the merged record is found through the kept one");
    // The kept record lists the merge, when it was made, and both records' names.
    const record = await leadRepo.getChildRecord(kept);
    assert.equal(record?.merges[0]?.merged_person_id, merged);
    assert.ok(record?.merges[0]?.merged_at instanceof Date);
    assert.equal(record?.merges[0]?.reversed_at, null);
    assert.deepEqual(record?.names.map((n) => n.given_names).sort(), ["Lilly", "Lily"]);
    assert.ok(record?.names.every((n) => n.recorded_at instanceof Date));

    const undone = await leadRepo.undoMerge(result.value.mergeId, "They are twins");
    assert.ok(undone.ok);
    assert.ok(
      (await leadRepo.getChildRecord(kept))?.merges[0]?.reversed_at instanceof Date,
      "the undoing is dated",
    );
    assert.deepEqual(await keyEvents(), ["Not brought to 2-year review"]);
    assert.deepEqual(
      (await leadRepo.historySummary(merged))?.keyEvents.map((e) => e.what_happened),
      ["Attended A&E with a burn"],
    );
    const trail = await database.unsafeOwnerDb
      .selectFrom("person_merges")
      .selectAll()
      .where("partnership_id", "=", partnership.partnershipId)
      .where("merge_id", "=", result.value.mergeId)
      .executeTakeFirstOrThrow();
    assert.ok(trail.reversed_at);
    assert.equal((await auditRows("merge", kept)).length, 1);
    assert.equal((await auditRows("undo-merge", kept)).length, 1);
  });
});

describe("row-level security on people", () => {
  it("shows no person of another partnership to the application role", async () => {
    const other = await createTestPartnership(database);
    const health = await userOf("practitioner", "health");
    const created = await repositoryFor(database, health.context).people.createPerson(
      newChild("Hidden", "Elsewhere", "2020-01-01"),
      consent,
    );
    assert.ok(created.ok);
    const { withPartnershipScope } = await import("../db/database.ts");
    const seen = await withPartnershipScope(database, other.partnershipId, (trx) =>
      sql<{
        count: number;
      }>`select count(*)::int as count from people where person_id = ${created.value.personId}`.execute(trx),
    );
    assert.equal(seen.rows[0]?.count, 0);
  });

  it("finds names through hearth_name_matches only in the caller's own partnership", async () => {
    const other = await createTestPartnership(database);
    const health = await userOf("practitioner", "health");
    const created = await repositoryFor(database, health.context).people.createPerson(
      newChild("Quenby", "Ashworthy", "2020-02-02"),
      consent,
    );
    assert.ok(created.ok);
    const { withPartnershipScope } = await import("../db/database.ts");
    // The function runs as the owner (to use the trigram index), so it must state the boundary itself.
    const matches = (partnershipId: string | undefined) =>
      withPartnershipScope(database, partnershipId, (trx) =>
        sql<{ person_id: string }>`select person_id from hearth_name_matches('quenby ashworthy')`.execute(
          trx,
        ),
      );
    const own = await matches(partnership.partnershipId);
    assert.ok(own.rows.some((r) => r.person_id === created.value.personId));
    assert.deepEqual((await matches(other.partnershipId)).rows, []);
    assert.deepEqual((await matches(undefined)).rows, []);
    const search = await repositoryFor(database, health.context).people.searchPeople({
      name: "Quenby Ashworthy",
    });
    assert.ok(search.some((r) => r.person_id === created.value.personId));
  });
});

describe("ending an involvement", () => {
  it("is refused to another agency, answered 403 and audited, and the involvement stays open", async () => {
    const { health, school, id } = await childOfHealthNotSchool("Tamsin", "Polglase", "2020-10-10");
    // The school is involved too, so it may open the record, but the health involvement is not its to end.
    const lead = await userOf("safeguarding-lead", "childrens-social-care");
    const added = await repositoryFor(database, lead.context).people.addInvolvement(id, {
      ...testInvolvement({ isLeadAgency: false }),
      agencyId: school.context.agencyId,
    });
    assert.ok(added.ok, JSON.stringify(added));
    const healthInvolvement = await database.unsafeOwnerDb
      .selectFrom("involvements")
      .select("involvement_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("person_id", "=", id)
      .where("agency_id", "=", health.context.agencyId)
      .executeTakeFirstOrThrow();
    const client = new TestClient(app);
    await client.signIn(school.email);
    assert.equal((await client.get(`/people/${id}/history`)).statusCode, 200);
    const response = await client.post(`/people/${id}/involvements/${healthInvolvement.involvement_id}/end`, {
      endReason: "Trying to end the health visitor's involvement",
    });
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /Only the agency involved can end its involvement/);
    const still = await database.unsafeOwnerDb
      .selectFrom("involvements")
      .select("ended_on")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("involvement_id", "=", healthInvolvement.involvement_id)
      .executeTakeFirstOrThrow();
    assert.equal(still.ended_on, null);
    const denied = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select(["record_type", "record_id"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("action", "=", "denied")
      .where("actor_user_id", "=", school.context.userId)
      .execute();
    assert.ok(
      denied.some((row) => row.record_id === healthInvolvement.involvement_id),
      JSON.stringify(denied),
    );
  });
});
