// SPDX-License-Identifier: MIT
/**
 * What the plans tests (plans-*.test.ts) share: the database, a partnership, the app, and the demo
 * family's sibling with a social care episode from the school's request, decided by the front door and
 * allocated to the social worker (live bindings, set by usePlansFixtures' before hook); the demo users,
 * their clients and contexts, notifications, a practitioner of an uninvolved agency, and a reviewed plan
 * for the refusals.
 */
import assert from "node:assert/strict";
import type { AccessContext } from "../../data/access-context.ts";
import { repositoryFor } from "../../data/repository.ts";
import { addCalendarDays, todayInEngland } from "../../kernel/calendar.ts";
import {
  contextOfUser,
  practitionerNotInvolvedWith,
  TestClient,
  weekdayAgo,
} from "../../test-support/harness.ts";
import { app, database, partnership, useTestApp } from "../../test-support/test-app.ts";

/** The file's fixtures (live bindings, set before its tests by useTestApp). */
export { database, partnership };

export let child: string;
export let episodeId: string;
export let assessmentEventId: string;

export const today = () => todayInEngland();
export const demo = (local: string) => {
  const found = partnership.signIns.find((s) => s.email.startsWith(`${local}@`));
  assert.ok(found, local);
  return found;
};
export const client = async (email: string) => {
  const c = new TestClient(app);
  await c.signIn(email);
  return c;
};
export const contextOf = (userId: string): Promise<AccessContext> =>
  contextOfUser(database, partnership.partnershipId, { userId });
export const notificationsFor = (userId: string, kind: string) =>
  database.unsafeOwnerDb
    .selectFrom("notifications")
    .select(["subject", "link", "person_id"])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("recipient_user_id", "=", userId)
    .where("kind", "=", kind)
    .execute();
export const kindCount = async (kind: string) =>
  Number(
    (
      await database.unsafeOwnerDb
        .selectFrom("notifications")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("partnership_id", "=", partnership.partnershipId)
        .where("kind", "=", kind)
        .executeTakeFirstOrThrow()
    ).n,
  );

/** A practitioner whose agency has no involvement with the child. */
export const outsider = () => practitionerNotInvolvedWith(database, partnership.partnershipId, child);

/**
 * What the first tests in plans-writing.test.ts leave for the refusals in plans-refusals.test.ts: the
 * social worker's child protection plan for the child, with an action the school owns, reviewed once.
 * @returns The plan's id.
 */
export const seedReviewedPlan = async (): Promise<string> => {
  const plans = repositoryFor(database, await contextOf(demo("practitioner").userId)).plans;
  const created = await plans.createPlan(child, {
    planType: "cp",
    episodeId,
    earlyHelpId: null,
    content: {
      summary: "Sam needs to be fed, clean and in school every day.",
      changeReason: null,
      outcomes: [{ outcomeId: null, description: "Sam has breakfast every school day" }],
      actions: [
        {
          actionId: null,
          outcomeIndex: 0,
          description: "Check Sam has had breakfast at the school gate",
          ownerUserId: demo("school").userId,
          ownerAgencyId: null,
          ownerName: null,
          dueOn: addCalendarDays(today(), 7),
        },
      ],
    },
  });
  assert.ok(created.ok, JSON.stringify(created));
  const outcomes = await database.unsafeOwnerDb
    .selectFrom("plan_outcomes")
    .select("outcome_id")
    .where("partnership_id", "=", partnership.partnershipId)
    .where("plan_id", "=", created.value.planId)
    .execute();
  const reviewed = await plans.recordReview(created.value.planId, {
    heldOn: today(),
    childView: "Sam said breakfast at school is nice.",
    familyView: "Mum says mornings are hard.",
    summary: "",
    progress: new Map(outcomes.map((o) => [o.outcome_id, { status: "some-progress", narrative: "" }])),
  });
  assert.ok(reviewed.ok, JSON.stringify(reviewed));
  return created.value.planId;
};

/** Sets the file's fixtures up before its tests and closes them after; call it at the file's top level. */
export const usePlansFixtures = () => {
  useTestApp({}, async () => {
    child = partnership.demoFamily.siblingPersonId;
    // The way in: the school's request, the front door's section 17 decision, allocated to the social worker.
    const school = repositoryFor(database, await contextOf(demo("school").userId)).pathways;
    const sent = await school.submitRequest(child, {
      receivedOn: weekdayAgo(30),
      concerns: "Often hungry and unkempt.",
      whatTried: "Breakfast club.",
      consent: "given",
      consentReason: null,
      referrerLevel: null,
    });
    assert.ok(sent.ok);
    const frontDoor = repositoryFor(database, await contextOf(demo("front-door").userId)).pathways;
    const decided = await frontDoor.decideRequest(sent.value.requestId, {
      rag: "amber",
      outcome: "s17",
      reason: "Needs a child and family assessment.",
      decidedOn: weekdayAgo(29),
      workerUserId: demo("practitioner").userId,
    });
    assert.ok(decided.ok, JSON.stringify(decided));
    const event = await database.unsafeOwnerDb
      .selectFrom("csc_events")
      .select(["event_id", "episode_id"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("person_id", "=", child)
      .where("event_type", "=", "assessment-start")
      .orderBy("recorded_at", "desc")
      .executeTakeFirstOrThrow();
    episodeId = event.episode_id;
    assessmentEventId = event.event_id;
  });
};
