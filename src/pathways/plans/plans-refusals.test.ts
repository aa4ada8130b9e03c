// SPDX-License-Identifier: MIT
/**
 * Plans' refusals on a real database: another agency cannot read or write a plan, the school may read a
 * plan it has an action in but not change it, the early help lead's agency writes a team around the family
 * plan but not social care's, plans are append-only in the database, and the repository gives nothing
 * without a caller. They start from a reviewed child protection plan (seedReviewedPlan).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { sql } from "kysely";
import { repositoryFor } from "../../data/repository.ts";
import { addCalendarDays } from "../../kernel/calendar.ts";
import { PlansRepository } from "./plans-repository.ts";
import {
  assessmentEventId,
  child,
  client,
  contextOf,
  database,
  demo,
  episodeId,
  outsider,
  partnership,
  seedReviewedPlan,
  today,
  usePlansFixtures,
} from "./plans-test-support.ts";

usePlansFixtures();

let planId: string;

describe("plans with content", () => {
  before(async () => {
    planId = await seedReviewedPlan();
  });

  it("are refused to another agency, and changed only by those who write them", async () => {
    const other = await outsider();
    const stranger = await client(other.email);
    assert.equal((await stranger.get(`/people/${child}/plans/${planId}`)).statusCode, 404);
    assert.equal((await stranger.get(`/people/${child}/plans/${planId}?version=1`)).statusCode, 404);
    assert.equal((await stranger.get(`/people/${child}/plans/new`)).statusCode, 404);
    const attempt = await stranger.post(`/people/${child}/plans/${planId}/edit`, {
      summary: "x",
      changeReason: "x",
      "outcome-1-description": "x",
    });
    assert.ok([403, 404].includes(attempt.statusCode), String(attempt.statusCode));
    const strangerRepo = repositoryFor(database, other.context).plans;
    assert.equal(await strangerRepo.getPlan(planId), undefined);
    assert.equal(await strangerRepo.summaryFor(child), undefined);
    assert.equal(await strangerRepo.episodeCasework(child, episodeId), undefined);
    const denied = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("record_type")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("action", "=", "denied")
      .where("actor_user_id", "=", other.context.userId)
      .execute();
    assert.ok(denied.some((d) => d.record_type === "plan"));

    // The school may read the plan it has an action in, but not change a child protection plan.
    const school = await client(demo("school").email);
    assert.equal((await school.get(`/people/${child}/plans/${planId}`)).statusCode, 200);
    assert.equal((await school.get(`/people/${child}/plans/${planId}/edit`)).statusCode, 403);
    const schoolRepo = repositoryFor(database, await contextOf(demo("school").userId)).plans;
    const change = await schoolRepo.revisePlan(planId, {
      summary: "x",
      changeReason: "x",
      outcomes: [{ outcomeId: null, description: "x" }],
      actions: [],
    });
    assert.equal(change.ok, false);
    assert.equal(change.ok ? false : change.denied, true);
    const sent = await school.post(`/people/${child}/plans/${planId}/edit`, {
      summary: "x",
      changeReason: "x",
      "outcome-1-description": "x",
    });
    assert.equal(sent.statusCode, 403, "the form is refused, not shown again");
    assert.doesNotMatch(sent.body, /could not be accepted/, "by the plan's rules, not the form's token");
    assert.doesNotMatch(sent.body, /name="changeReason"/);
  });

  it("let the early help lead's agency write a team around the family plan, and refuse social care's plans to it", async () => {
    const schoolCtx = await contextOf(demo("school").userId);
    const schoolPathways = repositoryFor(database, schoolCtx).pathways;
    const started = await schoolPathways.startEarlyHelp(child, {
      startedOn: today(),
      consentOn: today(),
      assessmentSummary: "Family asked for help with mornings.",
      reviewIntervalWeeks: 6,
      supportRequestId: null,
      steppedDownFromEpisodeId: null,
    });
    assert.ok(started.ok, JSON.stringify(started));
    const content = {
      summary: "Mornings work for Sam and Mum.",
      changeReason: null,
      outcomes: [{ outcomeId: null, description: "Sam arrives on time" }],
      actions: [
        {
          actionId: null,
          outcomeIndex: 0,
          description: "Family support worker visits at 7:30",
          ownerUserId: null,
          ownerAgencyId: null,
          ownerName: "Family support worker",
          dueOn: addCalendarDays(today(), 5),
        },
      ],
    };
    const schoolPlans = repositoryFor(database, schoolCtx).plans;
    const cp = await schoolPlans.createPlan(child, { planType: "cp", episodeId, earlyHelpId: null, content });
    assert.equal(cp.ok, false);
    assert.equal(cp.ok ? false : cp.denied, true);
    const taf = await schoolPlans.createPlan(child, {
      planType: "taf",
      episodeId: null,
      earlyHelpId: started.value.earlyHelpId,
      content,
    });
    assert.ok(taf.ok, JSON.stringify(taf));
    const summary = await schoolPlans.summaryFor(child);
    assert.deepEqual(summary?.plans.map((x) => x.planType).sort(), ["cp", "taf"]);
    // A practitioner of another agency, not in the team around the family, cannot write it.
    const other = await outsider();
    const refusedOther = await repositoryFor(database, other.context).plans.revisePlan(taf.value.planId, {
      ...content,
      changeReason: "x",
    });
    assert.equal(refusedOther.ok, false);
  });

  it("give an action only to someone who may open the child, whatever the form sends", async () => {
    // The social worker's agency is involved with the child, but its analyst, administrator and auditor
    // never open a child's record: an action given to one would tell them what the plan says.
    const worker = repositoryFor(database, await contextOf(demo("practitioner").userId)).plans;
    const socialCare = (await contextOf(demo("practitioner").userId)).agencyId;
    for (const role of ["analyst", "administrator", "auditor"] as const) {
      const user = await database.unsafeOwnerDb
        .selectFrom("users")
        .select("user_id")
        .where("partnership_id", "=", partnership.partnershipId)
        .where("agency_id", "=", socialCare)
        .where("role", "=", role)
        .executeTakeFirstOrThrow();
      const revised = await worker.revisePlan(planId, {
        summary: "Sam needs to be fed, clean and in school every day.",
        changeReason: "Core group added an action",
        outcomes: [{ outcomeId: null, description: "Sam has breakfast every day" }],
        actions: [
          {
            actionId: null,
            outcomeIndex: 0,
            description: `Check the breakfast club register (${role})`,
            ownerUserId: user.user_id,
            ownerAgencyId: null,
            ownerName: null,
            dueOn: addCalendarDays(today(), 7),
          },
        ],
      });
      assert.equal(revised.ok, false, role);
      const told = await database.unsafeOwnerDb
        .selectFrom("notifications")
        .select("body")
        .where("partnership_id", "=", partnership.partnershipId)
        .where("recipient_user_id", "=", user.user_id)
        .where("kind", "=", "action-assigned")
        .execute();
      assert.deepEqual(told, [], role);
    }
  });

  it("are append-only in the database", async () => {
    await assert.rejects(
      sql`update plan_versions set summary = 'changed' where plan_id = ${planId}`.execute(
        database.unsafeOwnerDb,
      ),
      /never edited in place/,
    );
    await assert.rejects(
      sql`delete from plan_reviews where plan_id = ${planId}`.execute(database.unsafeOwnerDb),
      /never edited in place/,
    );
  });

  it("return nothing and change nothing without a caller", async () => {
    const nobody = repositoryFor(database, undefined).plans;
    assert.ok(nobody instanceof PlansRepository);
    const id = "00000000-0000-4000-8000-000000000000";
    assert.equal(await nobody.summaryFor(child), undefined);
    assert.equal(await nobody.getPlan(planId), undefined);
    assert.equal(await nobody.planFormContext(child), undefined);
    assert.equal(await nobody.episodeCasework(child, episodeId), undefined);
    assert.equal(await nobody.getRecord(id), undefined);
    assert.equal(await nobody.recordFormContext(child, episodeId, assessmentEventId), undefined);
    assert.equal(await nobody.getAuthorisation(id), undefined);
    assert.deepEqual(await nobody.listManagers(), []);
    assert.deepEqual(await nobody.listAwaitingMyAuthorisation(), []);
    const content = { summary: "x", changeReason: null, outcomes: [], actions: [] };
    assert.equal(
      (await nobody.createPlan(child, { planType: "cp", episodeId, earlyHelpId: null, content })).ok,
      false,
    );
    assert.equal((await nobody.revisePlan(planId, content)).ok, false);
    assert.equal(
      (
        await nobody.recordReview(planId, {
          heldOn: today(),
          childView: "x",
          familyView: "x",
          summary: "",
          progress: new Map(),
        })
      ).ok,
      false,
    );
    assert.equal(
      (
        await nobody.createRecord(child, {
          recordType: "assessment",
          episodeId,
          eventId: assessmentEventId,
          narrative: "x",
          childExperience: "",
        })
      ).ok,
      false,
    );
    assert.equal(
      (await nobody.reviseRecord(id, { narrative: "x", childExperience: "", changeReason: "x" })).ok,
      false,
    );
    assert.equal(
      (await nobody.submitForAuthorisation({ subjectType: "plan", subjectId: planId, managerUserId: id })).ok,
      false,
    );
    assert.equal((await nobody.decideAuthorisation(id, "authorised", "")).ok, false);
  });
});
