// SPDX-License-Identifier: MIT
/**
 * Who may read the multi-agency chronology, against a real database: every repository method declared and
 * empty without a context, an uninvolved agency's practitioner refused (and sent to the "known to" page),
 * restricted entries seen only by the named role and the recording agency, and the audit of every view.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { sql } from "kysely";
import { repositoryFor } from "../data/repository.ts";
import type { TestUser } from "../test-support/families.ts";
import { unclassifiedMethods } from "../test-support/method-access.ts";
import { ChronologyEntriesRepository } from "./chronology-entries-repository.ts";
import { ChronologyReadsRepository } from "./chronology-reads-repository.ts";
import { ChronologyRepository } from "./chronology-repository.ts";
import {
  auditor,
  clientFor,
  database,
  entry,
  family,
  frontDoor,
  health,
  healthEventId,
  lead,
  partnership,
  police,
  repoOf,
  restrictedEventId,
  school,
  text,
  useChronologyFixtures,
} from "./chronology-test-support.ts";

useChronologyFixtures();

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

  it("cannot change even its own agency's entry about a child it may not open, whichever page asks", async () => {
    // An entry the police recorded about the baby (while involved, say): the police are not involved now.
    const policeEntryId = crypto.randomUUID();
    const health = await database.unsafeOwnerDb
      .selectFrom("chronology_events")
      .selectAll()
      .where("event_id", "=", healthEventId)
      .executeTakeFirstOrThrow();
    await database.unsafeOwnerDb
      .insertInto("chronology_events")
      .values({
        ...health,
        event_id: policeEntryId,
        source_agency_id: police.agencyId,
        recorded_by: police.userId,
        recorded_at: new Date(),
      })
      .execute();
    const amend = await repoOf(police).amendEvent(policeEntryId, entry(), "a correction");
    assert.equal(amend.ok, false, "amending");
    const retract = await repoOf(police).retractEvent(policeEntryId, "recorded in error");
    assert.equal(retract.ok, false, "retracting");
    const changed = await database.unsafeOwnerDb
      .selectFrom("chronology_events")
      .select("event_id")
      .where("supersedes_event_id", "=", policeEntryId)
      .union(
        database.unsafeOwnerDb
          .selectFrom("chronology_retractions")
          .select("event_id")
          .where("event_id", "=", policeEntryId),
      )
      .execute();
    assert.deepEqual(changed, [], "nothing amended or retracted");
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
