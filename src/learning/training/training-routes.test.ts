// SPDX-License-Identifier: MIT
/**
 * Training pages over HTTP: a safeguarding lead adds a course, a session and who attended; the attendee
 * records their confidence before and after, and the session page shows the change; coverage counts the
 * trained by agency and role against the target. A practitioner may not record training, nor someone
 * else's evaluation, nor read coverage: each gets a 403 and the refusal is audited.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { todayInEngland } from "../../kernel/calendar.ts";
import { signInFor, TestClient } from "../../test-support/harness.ts";
import { app, database, partnership, useTestApp } from "../../test-support/test-app.ts";
import { dateInputValues } from "../../web/dates.ts";
import { type AddedUser, addUser } from "../test-support.ts";

let attendee: AddedUser;
let other: AddedUser;

const clientFor = async (email: string) => {
  const client = new TestClient(app);
  await client.signIn(email);
  await client.get("/learning"); // the signed-in session's form token
  return client;
};

const denialsBy = (userId: string) =>
  database.unsafeOwnerDb
    .selectFrom("audit_log")
    .select(["record_type", "record_id", "details"])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("actor_user_id", "=", userId)
    .where("action", "=", "denied")
    .execute();

useTestApp({}, async () => {
  attendee = await addUser(database, partnership, {
    agencyType: "health",
    role: "practitioner",
    name: "Tam Trainee",
  });
  other = await addUser(database, partnership, {
    agencyType: "health",
    role: "practitioner",
    name: "Oli Other",
  });
});

describe("training pages", () => {
  let sessionId: string;

  it("lets a safeguarding lead add a course, a session and who attended", async () => {
    const lead = await clientFor(signInFor(partnership, "safeguarding-lead").email);
    const blank = await lead.post("/learning/training/courses/new", {
      title: "Recognising neglect",
      level: "core",
      toolSlugs: "",
      outcomes: " ",
    });
    assert.equal(blank.statusCode, 400);
    assert.match(blank.body, /Enter at least one learning outcome/);
    const added = await lead.post("/learning/training/courses/new", {
      title: "Recognising neglect",
      level: "core",
      toolSlugs: "graded-care-profile-2",
      outcomes: "Spot the signs of neglect\nRecord the child's lived experience",
    });
    assert.equal(added.statusCode, 303);
    const list = await lead.get("/learning/training");
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Recognising neglect/);
    assert.match(list.body, /graded-care-profile-2/);
    const courseId = /\/learning\/training\/courses\/([0-9a-f-]{36})\/sessions\/new/.exec(list.body)?.[1];
    assert.ok(courseId, "the lead is offered a session for the course");
    const noDate = await lead.post(`/learning/training/courses/${courseId}/sessions/new`, {
      trainer: "Pat Trainer",
    });
    assert.equal(noDate.statusCode, 400);
    assert.match(noDate.body, /Enter the date the session was held/);
    const session = await lead.post(`/learning/training/courses/${courseId}/sessions/new`, {
      ...dateInputValues("heldOn", todayInEngland()),
      trainer: "Pat Trainer",
    });
    assert.equal(session.statusCode, 303);
    sessionId = String(session.headers.location).split("/").pop() as string;
    const page = await lead.get(`/learning/training/sessions/${sessionId}`);
    assert.match(page.body, /Tam Trainee/, "the lead chooses attendees from the partnership's people");
    const attended = await lead.post(`/learning/training/sessions/${sessionId}/attendance`, {
      userIds: attendee.userId,
    });
    assert.equal(attended.statusCode, 303);
  });

  it("shows the attendee's confidence before and after, and the change", async () => {
    const client = await clientFor(attendee.email);
    const mine = await client.get("/learning/training");
    assert.match(mine.body, new RegExp(`/learning/training/sessions/${sessionId}`));
    const url = `/learning/training/sessions/${sessionId}/attendees/${attendee.userId}/evaluation`;
    const missing = await client.post(`${url}?stage=before`, { "rating-0": "2" });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /Choose a confidence from 1 to 5 for outcome 2/);
    assert.equal(
      (await client.post(`${url}?stage=before`, { "rating-0": "2", "rating-1": "1" })).statusCode,
      303,
    );
    assert.equal(
      (await client.post(`${url}?stage=after`, { "rating-0": "4", "rating-1": "4" })).statusCode,
      303,
    );
    const page = await client.get(`/learning/training/sessions/${sessionId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /\+2\.0/, "the first outcome rose from 2 to 4");
    assert.match(page.body, /\+3\.0/, "the second from 1 to 4");
    const lead = await clientFor(signInFor(partnership, "safeguarding-lead").email);
    const coverage = await lead.get("/learning/training/coverage");
    assert.equal(coverage.statusCode, 200);
    assert.match(coverage.body, /\+2\.5 on a 1 to 5 scale, from 1 before-and-after evaluations/);
    assert.doesNotMatch(coverage.body, /Tam Trainee/, "coverage names no one");
    assert.equal((await lead.post("/learning/training/target", { targetPercent: "150" })).statusCode, 400);
    assert.equal((await lead.post("/learning/training/target", { targetPercent: "60" })).statusCode, 303);
    assert.match((await lead.get("/learning/training/coverage")).body, /60%/);
    const indicators = await lead.get("/indicators");
    assert.equal(indicators.statusCode, 200);
    assert.match(indicators.body, /Learning: training of the workforce/);
    assert.match(indicators.body, /People trained by agency and role/);
    assert.match(
      indicators.body,
      /\+2\.5 on a 1 to 5 scale/,
      "the change in confidence is on the indicators page",
    );
  });

  it("refuses a practitioner recording training, someone else's evaluation or coverage, and audits it", async () => {
    const client = await clientFor(other.email);
    assert.equal((await client.get("/learning/training")).statusCode, 200, "anyone reads the courses");
    assert.equal((await client.get("/learning/training/courses/new")).statusCode, 403);
    assert.equal(
      (
        await client.post("/learning/training/courses/new", {
          title: "Mine",
          level: "core",
          outcomes: "Something",
        })
      ).statusCode,
      403,
    );
    assert.equal(
      (await client.post(`/learning/training/sessions/${sessionId}/attendance`, { userIds: other.userId }))
        .statusCode,
      403,
    );
    const url = `/learning/training/sessions/${sessionId}/attendees/${attendee.userId}/evaluation?stage=after`;
    assert.equal((await client.get(url)).statusCode, 403);
    assert.equal((await client.post(url, { "rating-0": "1", "rating-1": "1" })).statusCode, 403);
    assert.equal((await client.get("/learning/training/coverage")).statusCode, 403);
    assert.equal((await client.post("/learning/training/target", { targetPercent: "10" })).statusCode, 403);
    const page = await client.get(`/learning/training/sessions/${sessionId}`);
    assert.doesNotMatch(page.body, /Tam Trainee/, "a non-attendee sees no one's names");
    const denials = await denialsBy(other.userId);
    const routes = denials.map((d) => (d.details as { route?: string }).route);
    for (const route of [
      "/learning/training/courses/new",
      "/learning/training/sessions/:trainingSessionId/attendance",
      "/learning/training/sessions/:trainingSessionId/attendees/:userId/evaluation",
      "/learning/training/coverage",
      "/learning/training/target",
    ])
      assert.ok(routes.includes(route), `the refusal of ${route} is audited`);
    const courses = await database.unsafeOwnerDb
      .selectFrom("training_courses")
      .select("title")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("title", "=", "Mine")
      .execute();
    assert.equal(courses.length, 0, "nothing was written");
  });
});
