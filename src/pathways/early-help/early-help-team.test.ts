// SPDX-License-Identifier: MIT
/**
 * Early help is changed by its team around the family: the lead professional, the lead agency, the
 * agencies in the team, and safeguarding leads. Another agency that may open the child reads the page
 * without its forms; a forged post from it is refused for access (403, audited as a denial) and changes
 * nothing: it cannot end another agency's early help, step it up, or rewrite its plan.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { repositoryFor } from "../../data/repository.ts";
import { todayInEngland } from "../../kernel/calendar.ts";
import { contextOfUser, TestClient } from "../../test-support/harness.ts";
import { createTestChild } from "../../test-support/people.ts";
import { app, database, partnership, useTestApp } from "../../test-support/test-app.ts";
import { dateInputValues } from "../../web/dates.ts";

const demo = (local: string) => {
  const found = partnership.signIns.find((s) => s.email.startsWith(`${local}@`));
  assert.ok(found, local);
  return found;
};

const contextOf = async (local: string) =>
  contextOfUser(database, partnership.partnershipId, { userId: demo(local).userId });

useTestApp({ children: 10 });

describe("changing early help", () => {
  it("is for its team: another agency reads it, and a forged change from it is refused for access", async () => {
    const school = repositoryFor(database, await contextOf("school"));
    const personId = await createTestChild(school.people, {
      givenNames: "Teamed",
      familyName: "Around",
      dateOfBirth: "2016-03-03",
    });
    const started = await school.pathways.startEarlyHelp(personId, {
      startedOn: todayInEngland(),
      consentOn: todayInEngland(),
      assessmentSummary: "Early help assessment with the family.",
      reviewIntervalWeeks: 6,
      supportRequestId: null,
      steppedDownFromEpisodeId: null,
    });
    assert.ok(started.ok, JSON.stringify(started));
    const earlyHelpId = started.value.earlyHelpId;
    const page = `/people/${personId}/pathway/early-help/${earlyHelpId}`;

    // The front door may open every child and records, but is not in this team around the family.
    const frontDoor = demo("front-door");
    const other = new TestClient(app);
    await other.signIn(frontDoor.email);
    const read = await other.get(page);
    assert.equal(read.statusCode, 200, "it reads the early help");
    assert.doesNotMatch(read.body, new RegExp(`action="${page}/end"`), "without the form to end it");
    assert.doesNotMatch(read.body, new RegExp(`action="${page}/outcomes"`), "or to change the plan");
    const deniedBefore = await deniedRowsOf(frontDoor.userId);
    const ended = await other.post(`${page}/end`, {
      ending: "outcomes-met",
      endingNote: "Closed by someone outside the team.",
      ...dateInputValues("endedOn", todayInEngland()),
    });
    assert.equal(ended.statusCode, 403);
    const outcome = await other.post(`${page}/outcomes`, { description: "An outcome from outside" });
    assert.equal(outcome.statusCode, 403);
    assert.equal(await deniedRowsOf(frontDoor.userId), deniedBefore + 2, "each refusal is audited");
    const direct = await repositoryFor(database, await contextOf("front-door")).pathways.addPlanOutcome(
      earlyHelpId,
      "Another outcome from outside",
    );
    assert.equal(direct.ok ? undefined : direct.denied, true, "the repository marks it a denial");
    const row = await database.unsafeOwnerDb
      .selectFrom("early_help")
      .select("ended_on")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("early_help_id", "=", earlyHelpId)
      .executeTakeFirstOrThrow();
    assert.equal(row.ended_on, null, "the early help is still open");
    const outcomes = await database.unsafeOwnerDb
      .selectFrom("early_help_outcomes")
      .select("description")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("early_help_id", "=", earlyHelpId)
      .execute();
    assert.deepEqual(outcomes, [], "nothing was added to the plan");

    // The lead agency and a safeguarding lead change it.
    assert.ok((await school.pathways.addPlanOutcome(earlyHelpId, "Regular meals")).ok);
    const lead = repositoryFor(database, await contextOf("safeguarding-lead"));
    assert.ok((await lead.pathways.addPlanOutcome(earlyHelpId, "Attending school")).ok);
    assert.equal(await school.pathways.mayChangeEarlyHelp(earlyHelpId), true);
    assert.equal(
      await repositoryFor(database, await contextOf("front-door")).pathways.mayChangeEarlyHelp(earlyHelpId),
      false,
    );
  });
});

const deniedRowsOf = async (userId: string): Promise<number> =>
  (
    await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("seq")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("action", "=", "denied")
      .where("actor_user_id", "=", userId)
      .execute()
  ).length;
