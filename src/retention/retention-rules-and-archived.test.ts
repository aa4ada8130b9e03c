// SPDX-License-Identifier: MIT
/**
 * Retention over HTTP, on PGlite and PostgreSQL: the rules as versions with a reason, an archived child
 * leaving the worklists, alerts, the front door's queue and the navigation's counts, a record kept open by
 * its social care episode, and the monthly notice that the review list is ready.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { repositoryFor } from "../data/repository.ts";
import { withPartnershipScope } from "../db/database.ts";
import { notify } from "../notifications/notify.ts";
import { createFamily, findUser, isoDaysAgo } from "../test-support/families.ts";
import { accessContextFor, userFor } from "../test-support/harness.ts";
import { remindRetentionReviewIn } from "./retention-repository.ts";
import {
  client,
  database,
  dueInDecember,
  partnership,
  setChild,
  stillOpen,
  useRetentionFixtures,
} from "./retention-test-support.ts";

useRetentionFixtures();

describe("retention", () => {
  it("keeps the rules as versions with a reason, and the list follows the rules in force", async () => {
    const admin = await client("administrator");
    const page = await admin.get("/settings/retention");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Hearth&#39;s defaults apply|Hearth's defaults apply/);
    const bad = await admin.post("/settings/retention", {
      keepUntilAge: "abc",
      yearsAfterClosure: "6",
      auditLogExtraYears: "6",
      reason: "",
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Keep a closed record at least until the child is this age: enter a whole number/);
    assert.match(bad.body, /Enter why the retention rules are changing/);
    const saved = await admin.post("/settings/retention", {
      keepUntilAge: "30",
      yearsAfterClosure: "6",
      auditLogExtraYears: "10",
      reason: "The board's retention schedule of 1 December 2026",
    });
    assert.equal(saved.statusCode, 303, saved.body);
    const versions = await database.unsafeOwnerDb
      .selectFrom("retention_rule_versions")
      .selectAll()
      .where("partnership_id", "=", partnership.partnershipId)
      .execute();
    assert.equal(versions.length, 1);
    assert.equal(versions[0]?.keep_until_age, 30);
    const audit = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("reason")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("action", "=", "change")
      .where("record_type", "=", "retention-rules")
      .execute();
    assert.equal(audit.length, 1);
    // Kept until 30, the child who turns 25 in December 2026 is no longer due.
    const lead = await client("safeguarding-lead");
    const december = await lead.get("/retention?month=2026-12");
    assert.ok(!december.body.includes(`/retention/${dueInDecember}/archive`));
    assert.match(december.body, /30th birthday/);
    const wrongMonth = await lead.get("/retention?month=December");
    assert.equal(wrongMonth.statusCode, 400);
    assert.match(wrongMonth.body, /Enter the month as a year and month/);
  });

  it("an archived child leaves the worklists and alerts, and nothing more is sent about them", async () => {
    const leadContext = await accessContextFor(database, partnership, "safeguarding-lead");
    const { context: worker } = await userFor(database, partnership, "practitioner", {
      agencyType: "childrens-social-care",
    });
    const lead = () => repositoryFor(database, leadContext);
    const alertsBefore = await lead().pathways.myAlerts();
    const casesBefore = await repositoryFor(database, worker).worklist.myCases();
    // A baby with no lead professional, 3 times not brought: a signal on the lead's worklist.
    const { babyId: signalled } = await createFamily(database, {
      partnershipId: partnership.partnershipId,
      familyName: "Thistlewaite",
    });
    for (const days of [30, 20, 10])
      assert.ok(
        (
          await lead().chronology.addEvent(signalled, {
            eventType: "not-brought-health",
            occurredOn: isoDaysAgo(days),
            datePrecision: "day",
            whatHappened: `Not brought to the health visitor's review (${days} days ago)`,
            impactOnChild: "Checks missed.",
            actionTaken: null,
            significance: "medium",
            neglectTypes: ["medical"],
            informationBasis: "observed",
            visibility: "normal",
            restrictedToRoles: [],
          })
        ).ok,
      );
    const signalsBefore = await lead().signals.worklist();
    // A child on the lead's alerts, one on the social worker's cases and one on the lead's signals worklist.
    const alerted = alertsBefore[0]?.personId;
    const worked = casesBefore.cases.find((c) => c.personId !== alerted)?.personId;
    assert.ok(alerted && worked, "the partnership has alerts and cases to begin with");
    assert.ok(
      signalsBefore.signals.some((x) => x.personId === signalled),
      "the baby's signal to begin with",
    );
    const archived = [alerted, worked, signalled];
    // A fixture: the archive row the retention review writes (the review's own checks are tested above).
    await database.unsafeOwnerDb
      .insertInto("record_archives")
      .values(
        archived.map((personId) => ({
          partnership_id: partnership.partnershipId,
          person_id: personId,
          archived_by: leadContext.userId,
          reason: "Closed record past its retention date",
          due_on: "2025-01-15",
          rule_version: 0,
        })),
      )
      .execute();
    const alertsAfter = await lead().pathways.myAlerts();
    assert.ok(!alertsAfter.some((a) => a.personId === alerted), "no alert about the archived child");
    assert.ok(
      alertsAfter.length > 0 || alertsBefore.every((a) => a.personId === alerted),
      "other children's alerts stay",
    );
    const casesAfter = await repositoryFor(database, worker).worklist.myCases();
    assert.ok(!casesAfter.cases.some((c) => archived.includes(c.personId)), "not on the worklist");
    assert.equal(
      casesAfter.total,
      casesBefore.total - casesBefore.cases.filter((c) => archived.includes(c.personId)).length,
    );
    const signalsAfter = await lead().signals.worklist();
    assert.ok(!signalsAfter.signals.some((x) => archived.includes(x.personId)), "no signal about them");
    // A notification about an archived child is not made; about a child still open it is.
    const sent = await withPartnershipScope(database, partnership.partnershipId, async (trx) => ({
      archived: await notify(trx, partnership.partnershipId, {
        kind: "plan-review-due",
        recipients: [worker.userId],
        subject: "Review due",
        body: "Review due.",
        link: `/people/${alerted}/pathway`,
        personId: alerted,
      }),
      open: await notify(trx, partnership.partnershipId, {
        kind: "plan-review-due",
        recipients: [worker.userId],
        subject: "Review due",
        body: "Review due.",
        link: `/people/${stillOpen}/pathway`,
        personId: stillOpen,
      }),
    }));
    assert.deepEqual(sent, { archived: 0, open: 1 });
  });

  it("an archived child leaves the front door's queue, the differences list and the navigation's counts", async () => {
    const leadContext = await accessContextFor(database, partnership, "safeguarding-lead");
    const lead = () => repositoryFor(database, leadContext);
    const http = await client("safeguarding-lead");
    const { babyId: queued } = await createFamily(database, {
      partnershipId: partnership.partnershipId,
      familyName: "Wrenfield",
    });
    const request = await lead().pathways.submitRequest(queued, {
      receivedOn: isoDaysAgo(0),
      concerns: "Retention-test concerns.",
      whatTried: "Retention-test support tried.",
      consent: "given",
      consentReason: null,
      referrerLevel: "targeted",
    });
    assert.ok(request.ok, JSON.stringify(request));
    const raised = await lead().pathways.raiseEscalation(queued, {
      raisedOn: isoDaysAgo(0),
      disagreement: "Retention-test disagreement.",
    });
    assert.ok(raised.ok, JSON.stringify(raised));
    const state = async () => ({
      counts: await lead().worklist.navigationCounts(),
      waiting: await lead().worklist.frontDoorWaiting(),
      queue: (await lead().pathways.frontDoorQueue()).waiting.map((r) => r.request_id),
      differences: (await lead().escalations.listMine({ open: true })).map((x) => x.escalation_id),
      openDifferences: await lead().escalations.countOpenMine(),
      page: (await http.get("/pathways/front-door")).body,
    });
    const navText = (label: string, n: number) => (n > 0 ? `${label} (${n})` : label);
    const before = await state();
    assert.ok(before.queue.includes(request.value.requestId), "on the front door's queue to begin with");
    assert.ok(before.differences.includes(raised.value.escalationId), "on the differences list");
    assert.ok(before.page.includes(`/pathways/requests/${request.value.requestId}`), "on the queue page");
    assert.ok(before.counts.frontDoor >= 1 && before.counts.differences >= 1);
    assert.ok(before.page.includes(navText("Front door", before.counts.frontDoor)), "the count on the page");
    await database.unsafeOwnerDb
      .insertInto("record_archives")
      .values({
        partnership_id: partnership.partnershipId,
        person_id: queued,
        archived_by: leadContext.userId,
        reason: "Closed record past its retention date",
        due_on: "2025-01-15",
        rule_version: 0,
      })
      .execute();
    const afterwards = await state();
    assert.ok(!afterwards.queue.includes(request.value.requestId), "not on the front door's queue");
    assert.ok(!afterwards.page.includes(`/pathways/requests/${request.value.requestId}`), "nor its page");
    assert.ok(!afterwards.differences.includes(raised.value.escalationId), "not on the differences list");
    assert.equal(afterwards.counts.frontDoor, before.counts.frontDoor - 1);
    assert.equal(afterwards.waiting.total, before.waiting.total - 1);
    assert.ok(!afterwards.waiting.oldest.some((r) => r.requestId === request.value.requestId));
    assert.equal(afterwards.counts.differences, before.counts.differences - 1);
    assert.equal(afterwards.openDifferences, before.openDifferences - 1);
    assert.ok(
      afterwards.page.includes(navText("Front door", afterwards.counts.frontDoor)),
      "the page's count follows",
    );
    // The record stays readable: the request and the difference still open by their own pages.
    assert.ok(await lead().pathways.getRequest(request.value.requestId), "the request is still readable");
    assert.ok(
      await lead().escalations.getDifference(raised.value.escalationId),
      "the difference is still readable",
    );
  });

  it("a record with an open social care episode is not closed, and closes on its episode's closure when that is later", async () => {
    const leadContext = await accessContextFor(database, partnership, "safeguarding-lead");
    const { agencyId } = await findUser(database, partnership.partnershipId, { role: "practitioner" });
    const family = await createFamily(database, {
      partnershipId: partnership.partnershipId,
      involvements: [
        { agencyId, child: "baby" },
        { agencyId, child: "sibling" },
      ],
      familyName: "Harrowgate",
    });
    const episodeOpen = family.babyId;
    const episodeClosedLater = family.siblingId;
    // Both: every involvement ended in 2015, born in 1990; by involvements alone, both due in 2021 (under
    // the default rules and the 30th birthday an earlier test saves).
    await setChild(episodeOpen, "1990-01-15", "2005-01-01", "2015-06-30");
    await setChild(episodeClosedLater, "1990-03-01", "2005-01-01", "2015-06-30");
    // A fixture: social care events as the CIN census import would store them.
    const event = (
      personId: string,
      episodeId: string,
      eventType: "referral" | "closure",
      occurredOn: string,
    ) => ({
      partnership_id: partnership.partnershipId,
      event_id: eventType === "referral" ? episodeId : randomUUID(),
      person_id: personId,
      episode_id: episodeId,
      event_type: eventType,
      occurred_on: occurredOn,
      code: eventType === "referral" ? "10" : "RC1",
      origin: "import" as const,
    });
    const stillOpen = randomUUID();
    const closedLater = randomUUID();
    await database.unsafeOwnerDb
      .insertInto("csc_events")
      .values([
        event(episodeOpen, stillOpen, "referral", "2014-02-01"),
        event(episodeClosedLater, closedLater, "referral", "2016-01-04"),
        event(episodeClosedLater, closedLater, "closure", "2020-10-01"),
      ])
      .execute();
    const review = (month: string) => repositoryFor(database, leadContext).retention.reviewList(month);
    const november = await review("2026-11");
    assert.ok(november);
    assert.ok(!november.records.some((r) => r.person_id === episodeOpen), "an open episode keeps it open");
    const closed = november.records.find((r) => r.person_id === episodeClosedLater);
    assert.ok(closed, "closed once the episode closed");
    assert.equal(
      closed.closed_on,
      "2020-10-01",
      "closed on the episode's closure, not the involvement's end",
    );
    assert.equal(closed.due_on, "2026-10-01", "six years after the episode closed");
    const september = await review("2026-09");
    assert.ok(september);
    assert.ok(!september.records.some((r) => r.person_id === episodeClosedLater), "not due in September");
    // Archiving follows the same rule: the open one is refused.
    const refusedArchive = await repositoryFor(database, leadContext).retention.archive(
      episodeOpen,
      "Closed record past its retention date",
    );
    assert.equal(refusedArchive.ok, false);
  });

  it("tells the safeguarding leads once a month that the review list is ready, without a child's name", async () => {
    const pid = partnership.partnershipId;
    const remind = (month: string) =>
      withPartnershipScope(database, pid, (trx) => remindRetentionReviewIn(trx, pid, month));
    const leads = await database.unsafeOwnerDb
      .selectFrom("users")
      .select("user_id")
      .where("partnership_id", "=", pid)
      .where("role", "=", "safeguarding-lead")
      .where("deactivated_at", "is", null)
      .execute();
    assert.ok(leads.length > 0);
    // Far enough ahead that records are due under the defaults and the 30th birthday an earlier test saves.
    assert.equal(await remind("2040-01"), leads.length, "one notice per safeguarding lead");
    assert.equal(await remind("2040-01"), 0, "once a month, however often it runs");
    assert.equal(await remind("1999-01"), 0, "nothing when no record is due");
    const sent = await database.unsafeOwnerDb
      .selectFrom("notifications")
      .select(["recipient_user_id", "subject", "body", "link", "person_id"])
      .where("partnership_id", "=", pid)
      .where("kind", "=", "retention-review-due")
      .execute();
    assert.deepEqual(sent.map((n) => n.recipient_user_id).sort(), leads.map((l) => l.user_id).sort());
    for (const notice of sent) {
      assert.equal(notice.link, "/retention?month=2040-01");
      assert.equal(notice.person_id, null);
      assert.match(notice.body, /^\d+ closed records? (is|are) due for review by 2040-01-31\./);
      for (const name of ["Quillfeather", "Brackenbury", "Harrowgate"])
        assert.ok(!`${notice.subject} ${notice.body}`.includes(name), "no child's name");
    }
    // The lead follows it to the list.
    const lead = await client("safeguarding-lead");
    const list = await lead.get("/retention?month=2040-01");
    assert.equal(list.statusCode, 200);
  });
});
