// SPDX-License-Identifier: MIT
/**
 * Plans with content over real HTTP on a real database: a social worker writes a child protection plan
 * with outcomes and actions (the action's owner is told, nobody else), changes it (the earlier version is
 * kept), records a review with progress and the child's and family's views, writes the assessment's
 * narrative, and sends both to a manager, who authorises from their list or returns with a reason. The
 * author cannot authorise their own work (refused by the repository and by the database).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { repositoryFor } from "../../data/repository.ts";
import { addCalendarDays } from "../../kernel/calendar.ts";

import { unclassifiedMethods } from "../../test-support/method-access.ts";
import { dateInputValues } from "../../web/dates.ts";
import { createViewEnvironment } from "../../web/views.ts";
import { AuthorisationsRepository } from "./authorisations-repository.ts";
import { CaseworkRecordsRepository } from "./casework-records-repository.ts";
import { ChildPlansRepository } from "./child-plans-repository.ts";
import { PlanReviewsRepository } from "./plan-reviews-repository.ts";
import {
  assessmentEventId,
  child,
  client,
  contextOf,
  database,
  demo,
  episodeId,
  kindCount,
  notificationsFor,
  partnership,
  today,
  usePlansFixtures,
} from "./plans-test-support.ts";

usePlansFixtures();

let planId: string;

describe("the plans repository's methods", () => {
  it("are each declared in the sub-area repository that does the work", () => {
    for (const repository of [
      ChildPlansRepository,
      PlanReviewsRepository,
      CaseworkRecordsRepository,
      AuthorisationsRepository,
    ]) {
      assert.deepEqual(unclassifiedMethods(repository), { undeclared: [], stale: [] }, repository.name);
    }
  });
});

describe("plans with content", () => {
  it("refuse an empty plan with every problem named, then save a child protection plan and tell the action's owner", async () => {
    const worker = await client(demo("practitioner").email);
    const form = await worker.get(`/people/${child}/plans/new?type=cp&episode=${episodeId}`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Outcome 1/);

    const empty = await worker.post(`/people/${child}/plans/new`, {
      planType: "cp",
      belongsTo: episodeId,
      "action-1-description": "Visit weekly",
    });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /href="#summary"/);
    assert.match(empty.body, /href="#outcome-1-description"/);
    assert.match(empty.body, /href="#action-1-owner"/);
    assert.match(empty.body, /href="#action-1-due"/);

    const schoolUser = demo("school");
    const saved = await worker.post(`/people/${child}/plans/new`, {
      planType: "cp",
      belongsTo: episodeId,
      summary: "Sam needs to be fed, clean and in school every day.",
      "outcome-1-description": "Sam has breakfast every school day",
      "outcome-2-description": "Sam's room is warm and safe",
      "action-1-description": "Check Sam has had breakfast at the school gate",
      "action-1-outcome": "1",
      "action-1-owner": schoolUser.userId,
      ...dateInputValues("action-1-due", addCalendarDays(today(), 7)),
      "action-2-description": "Buy a bed guard and heater",
      "action-2-outcome": "2",
      "action-2-ownerName": "Mum",
      ...dateInputValues("action-2-due", addCalendarDays(today(), 10)),
    });
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 2000));
    const match = /\/plans\/([0-9a-f-]{36})/.exec(String(saved.headers.location));
    assert.ok(match?.[1]);
    planId = match[1];

    const page = await worker.get(`/people/${child}/plans/${planId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Child protection plan/);
    assert.match(page.body, /Sam has breakfast every school day/);
    assert.match(page.body, /Mum/);

    // The school's practitioner owns an action and is told; nobody else is.
    const told = await notificationsFor(schoolUser.userId, "action-assigned");
    assert.equal(told.length, 1);
    assert.equal(told[0]?.link, `/people/${child}/plans/${planId}`);
    assert.equal(await kindCount("action-assigned"), 1);

    // Every read of the plan page is a view of the child's record in the audit log.
    const views = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("details")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("action", "=", "view")
      .where("record_type", "=", "person")
      .where("record_id", "=", child)
      .execute();
    assert.ok(views.some((v) => (v.details as Record<string, unknown>)?.page === "plan"));
  });

  it("keep the earlier version when the plan changes, and tell only a new owner", async () => {
    const worker = await client(demo("practitioner").email);
    const edit = await worker.get(`/people/${child}/plans/${planId}/edit`);
    assert.equal(edit.statusCode, 200);
    const hidden = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(edit.body)?.[1] ?? "";
    const noReason = await worker.post(`/people/${child}/plans/${planId}/edit`, {
      summary: "Sam needs to be fed, clean and in school every day.",
      "outcome-1-description": "Sam has breakfast every day",
    });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /href="#changeReason"/);

    const changed = await worker.post(`/people/${child}/plans/${planId}/edit`, {
      summary: "Sam needs to be fed, clean and in school every day.",
      changeReason: "Core group agreed weekends matter too",
      "outcome-1-id": hidden("outcome-1-id"),
      "outcome-1-description": "Sam has breakfast every day, weekends too",
      "outcome-2-id": hidden("outcome-2-id"),
      "outcome-2-description": "Sam's room is warm and safe",
      "action-1-id": hidden("action-1-id"),
      "action-1-description": "Check Sam has had breakfast at the school gate",
      "action-1-outcome": "1",
      "action-1-owner": demo("school").userId,
      ...dateInputValues("action-1-due", addCalendarDays(today(), 7)),
      "action-2-id": hidden("action-2-id"),
      "action-2-description": "Buy a bed guard and heater",
      "action-2-outcome": "2",
      "action-2-ownerName": "Mum",
      ...dateInputValues("action-2-due", addCalendarDays(today(), 10)),
    });
    assert.equal(changed.statusCode, 303, changed.body.slice(0, 2000));
    const current = await worker.get(`/people/${child}/plans/${planId}`);
    assert.match(current.body, /weekends too/);
    assert.match(current.body, /Core group agreed weekends matter too/);
    const first = await worker.get(`/people/${child}/plans/${planId}?version=1`);
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /an earlier version/);
    assert.match(first.body, /Sam has breakfast every school day/);
    assert.doesNotMatch(first.body, /weekends too/);
    // The school still owns the same action: not told again.
    assert.equal(await kindCount("action-assigned"), 1);
    const versions = await database.unsafeOwnerDb
      .selectFrom("plan_outcomes")
      .select(["version", "outcome_id"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("plan_id", "=", planId)
      .where("position", "=", 1)
      .orderBy("version")
      .execute();
    assert.equal(versions.length, 2);
    assert.equal(versions[0]?.outcome_id, versions[1]?.outcome_id, "an outcome keeps its id across versions");
  });

  it("record a review with progress per outcome and action and the child's and family's views", async () => {
    const worker = await client(demo("practitioner").email);
    const form = await worker.get(`/people/${child}/plans/${planId}/reviews/new`);
    assert.equal(form.statusCode, 200);
    const hidden = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(form.body)?.[1] ?? "";
    const missing = await worker.post(`/people/${child}/plans/${planId}/reviews/new`, {
      ...dateInputValues("heldOn", today()),
      "outcome-1-id": hidden("outcome-1-id"),
      "outcome-2-id": hidden("outcome-2-id"),
    });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /href="#outcome-1-status"/);
    const reviewed = await worker.post(`/people/${child}/plans/${planId}/reviews/new`, {
      ...dateInputValues("heldOn", today()),
      "outcome-1-id": hidden("outcome-1-id"),
      "outcome-1-status": "some-progress",
      "outcome-1-narrative": "Fed most days; two days without breakfast.",
      "outcome-2-id": hidden("outcome-2-id"),
      "outcome-2-status": "achieved",
      "outcome-2-narrative": "Heater fitted.",
      "action-2-id": hidden("action-2-id"),
      "action-2-status": "achieved",
      "action-2-narrative": "Done.",
      childView: "Sam said: I like the heater, it's warm now.",
      familyView: "Mum says mornings are hard when she works nights.",
    });
    assert.equal(reviewed.statusCode, 303, reviewed.body.slice(0, 2000));
    const page = await worker.get(`/people/${child}/plans/${planId}`);
    assert.match(page.body, /I like the heater, it&#39;s warm now\./);
    assert.match(page.body, /mornings are hard/);
    assert.match(page.body, /Some progress/);
    assert.match(page.body, /Fed most days/);
  });

  it("keep the assessment's narrative, shown on the episode page, with its versions", async () => {
    const worker = await client(demo("practitioner").email);
    const episode = await worker.get(`/people/${child}/pathway/episodes/${episodeId}`);
    assert.equal(episode.statusCode, 200);
    assert.match(episode.body, /Write the single assessment record/);
    const path = `/people/${child}/pathway/episodes/${episodeId}/casework/${assessmentEventId}`;
    assert.equal((await worker.get(path)).statusCode, 200);
    assert.equal((await worker.post(path, { narrative: "" })).statusCode, 400);
    const saved = await worker.post(path, {
      narrative: "Sam is often hungry.\nMum works nights; no one gets Sam up.",
      childExperience: "Sam wakes alone and walks to school.",
    });
    assert.equal(saved.statusCode, 303);
    const recordPath = String(saved.headers.location).split("?")[0] as string;
    const revised = await worker.post(`${recordPath}/edit`, {
      narrative: "Sam is often hungry. Grandmother now helps in the mornings.",
      childExperience: "Sam wakes alone and walks to school.",
      changeReason: "Grandmother's help agreed",
    });
    assert.equal(revised.statusCode, 303);
    const record = await worker.get(recordPath);
    assert.match(record.body, /Grandmother now helps/);
    const first = await worker.get(`${recordPath}?version=1`);
    assert.match(first.body, /Mum works nights/);
    const again = await worker.get(`/people/${child}/pathway/episodes/${episodeId}`);
    assert.match(again.body, /Single assessment<\/a>, version 2/);
    // The pathway page's plan summary gets its context.
    const summary = await repositoryFor(
      database,
      await contextOf(demo("practitioner").userId),
    ).plans.summaryFor(child);
    assert.equal(summary?.plans.length, 1);
    assert.equal(summary?.plans[0]?.lastReview?.held_on, today());
    // The partial pathway.njk includes renders from that context alone.
    const html = createViewEnvironment().render("pathways/views/_plan-summary.njk", { casework: summary });
    assert.match(html, /Child protection plan/);
    assert.match(html, /Sam has breakfast every day, weekends too \(some progress\)/);
    assert.match(html, /Due soon:<\/strong> Check Sam has had breakfast/);
    assert.equal(createViewEnvironment().render("pathways/views/_plan-summary.njk", {}).trim(), "");
  });

  it("go to a manager to authorise, never the author, who is told the decision", async () => {
    const author = demo("practitioner");
    const manager = demo("manager");
    const worker = await client(author.email);
    const form = await worker.get(`/people/${child}/plans/${planId}/submit`);
    assert.equal(form.statusCode, 200);
    assert.doesNotMatch(form.body, new RegExp(`value="${author.userId}"`), "the author is not offered");
    const sent = await worker.post(`/people/${child}/plans/${planId}/submit`, {
      managerUserId: manager.userId,
    });
    assert.equal(sent.statusCode, 303, sent.body.slice(0, 2000));
    const requested = await notificationsFor(manager.userId, "authorisation-requested");
    assert.equal(requested.length, 1);
    assert.equal(await kindCount("authorisation-requested"), 1);

    // The author cannot decide it: not through the repository...
    const own = await repositoryFor(database, await contextOf(author.userId)).plans;
    const waiting = await repositoryFor(
      database,
      await contextOf(manager.userId),
    ).plans.listAwaitingMyAuthorisation();
    assert.equal(waiting.length, 1);
    const item = waiting[0];
    assert.ok(item);
    assert.equal(item.subjectType, "plan");
    assert.equal(item.personId, child);
    assert.equal(item.submittedBy, author.displayName);
    assert.match(item.subjectLabel, /Child protection plan, version 2/);
    const refusedOwn = await own.decideAuthorisation(item.authorisationId, "authorised", "");
    assert.equal(refusedOwn.ok, false);
    assert.match(refusedOwn.ok ? "" : refusedOwn.message, /your own/);
    assert.deepEqual(await own.listAwaitingMyAuthorisation(), []);
    // ...nor over HTTP: the author may read the page, only a manager may send its form...
    assert.equal((await worker.get(item.href)).statusCode, 200);
    assert.equal((await worker.post(item.href, { decision: "authorised" })).statusCode, 403);
    // ...nor by writing to the database directly: the CHECK refuses a decision by the author.
    await assert.rejects(
      database.unsafeOwnerDb
        .insertInto("authorisation_decisions")
        .values({
          partnership_id: partnership.partnershipId,
          authorisation_id: item.authorisationId,
          author_user_id: author.userId,
          decision: "authorised",
          reason: null,
          decided_by: author.userId,
        })
        .execute(),
      /check constraint/i,
    );
    // An authorisation naming someone other than the version's author is refused too.
    await assert.rejects(
      database.unsafeOwnerDb
        .insertInto("authorisations")
        .values({
          partnership_id: partnership.partnershipId,
          authorisation_id: crypto.randomUUID(),
          person_id: child,
          subject_type: "plan",
          record_id: null,
          plan_id: planId,
          subject_version: 2,
          author_user_id: demo("front-door").userId,
          manager_user_id: author.userId,
        })
        .execute(),
      /author of the version/,
    );

    // The manager authorises from their list.
    const boss = await client(manager.email);
    const page = await boss.get(item.href);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Record the decision/);
    const noChoice = await boss.post(item.href, {});
    assert.equal(noChoice.statusCode, 400);
    const decided = await boss.post(item.href, { decision: "authorised" });
    assert.equal(decided.statusCode, 303);
    const toAuthor = await notificationsFor(author.userId, "authorisation-decided");
    assert.equal(toAuthor.length, 1);
    assert.match(toAuthor[0]?.subject ?? "", /authorised/);
    assert.equal(await kindCount("authorisation-decided"), 1);
    assert.deepEqual(
      await repositoryFor(database, await contextOf(manager.userId)).plans.listAwaitingMyAuthorisation(),
      [],
    );
    assert.match((await worker.get(`/people/${child}/plans/${planId}`)).body, /Authorised by/);
  });

  it("return an assessment with the reason, which must be given", async () => {
    const author = demo("practitioner");
    const manager = demo("manager");
    const worker = await client(author.email);
    const record = await database.unsafeOwnerDb
      .selectFrom("casework_records")
      .select("record_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("person_id", "=", child)
      .executeTakeFirstOrThrow();
    const base = `/people/${child}/records/${record.record_id}`;
    await worker.get(`${base}/submit`);
    assert.equal((await worker.post(`${base}/submit`, { managerUserId: manager.userId })).statusCode, 303);
    const boss = await client(manager.email);
    const [item] = await repositoryFor(
      database,
      await contextOf(manager.userId),
    ).plans.listAwaitingMyAuthorisation();
    assert.ok(item);
    assert.equal(item.subjectType, "assessment");
    await boss.get(item.href);
    const noReason = await boss.post(item.href, { decision: "returned", reason: " " });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /href="#reason"/);
    assert.equal(
      (await boss.post(item.href, { decision: "returned", reason: "Add the father's view" })).statusCode,
      303,
    );
    const toAuthor = await notificationsFor(author.userId, "authorisation-decided");
    assert.ok(toAuthor.some((n) => /returned/.test(n.subject)));
    assert.match((await worker.get(base)).body, /Add the father&#39;s view/);
  });
});
