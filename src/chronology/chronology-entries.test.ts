// SPDX-License-Identifier: MIT
/**
 * Recording chronology entries against a real database and over HTTP: a missing impact on the child is
 * refused naming the field, an entry is added from the caller's agency and audited, and amendments and
 * retractions keep the original, visible in the history.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { grantAuditAccess } from "../learning/test-support.ts";
import {
  assertRedirect,
  auditor,
  clientFor,
  database,
  daysAgo,
  entry,
  family,
  health,
  lead,
  partnership,
  repoOf,
  school,
  text,
  useChronologyFixtures,
} from "./chronology-test-support.ts";

useChronologyFixtures();

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
