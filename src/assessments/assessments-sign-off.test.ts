// SPDX-License-Identifier: MIT
/**
 * The manager's sign-off page through HTTP against a real database: no advice on an unstarted screen, each
 * area's grade, evidence, the family's and child's words and the change; a return needs a reason and goes
 * back to the author; a manager cannot sign off or return their own assessment.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TestClient } from "../test-support/harness.ts";
import {
  app,
  auditCount,
  database,
  demoUser,
  newChild,
  partnership,
  toolId,
  useAssessmentsTestApp,
} from "./assessments-test-support.ts";

useAssessmentsTestApp();

describe("the manager's sign-off page", () => {
  const AREAS = ["physical", "nutrition", "health", "education", "emotional", "supervision"];

  /** Starts a screen with the family and answers every area with evidence; returns its path. */
  const completeScreen = async (
    client: TestClient,
    personId: string,
    screen: string,
    day: string,
    grades: number[],
  ) => {
    await client.get(`/people/${personId}/assessments`);
    const start = await client.post(`/people/${personId}/assessments`, {
      toolId: screen,
      mode: "with-family",
      "assessedOn-day": day,
      "assessedOn-month": "1",
      "assessedOn-year": "2026",
    });
    assert.equal(start.statusCode, 303);
    const base = String(start.headers.location);
    const answers: Record<string, string> = { action: "continue" };
    AREAS.forEach((area, i) => {
      answers[`answer-s-${area}-signs`] = String(grades[i]);
      answers[`sources-s-${area}-signs`] = "observed";
      answers[`evidence-s-${area}-signs`] = `Seen on the visit: ${area} evidence ${day}`;
    });
    assert.equal((await client.post(`${base}/sections/screen`, answers)).statusCode, 303);
    assert.equal(
      (
        await client.post(`${base}/family`, {
          "agreement-s-supervision": "partly",
          "comment-s-supervision": "Mum says the gate latch is broken",
          comments: "We are trying our best",
          ownScaling: "6",
        })
      ).statusCode,
      303,
    );
    assert.equal(
      (await client.post(`${base}/child`, { method: "words", words: "I play on the stairs", scaling: "5" }))
        .statusCode,
      303,
    );
    return base;
  };

  it("gives no advice on an unstarted screen, and says how many areas must be answered", async () => {
    const practitioner = await demoUser("practitioner");
    const personId = await newChild(practitioner.context, "Ada", "2021-03-03");
    const client = new TestClient(app);
    await client.signIn(practitioner.email);
    await client.get(`/people/${personId}/assessments`);
    const start = await client.post(`/people/${personId}/assessments`, {
      toolId: await toolId(practitioner.context, "hearth-neglect-screen"),
      mode: "practitioner",
      "assessedOn-day": "6",
      "assessedOn-month": "1",
      "assessedOn-year": "2026",
    });
    const page = await client.get(String(start.headers.location));
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /No suggestion yet/);
    assert.match(
      page.body,
      /No level of need is suggested until all 6 areas are answered: 0 are answered so far/,
    );
    assert.doesNotMatch(page.body, /No further neglect assessment needed now/);
    assert.doesNotMatch(page.body, /No rule fired/);
  });

  it("shows each area's grade, evidence, the family's and child's words and the change; a return needs a reason, tells the author, who resubmits", async () => {
    const practitioner = await demoUser("practitioner");
    const manager = await demoUser("manager");
    const personId = await newChild(practitioner.context, "Bea", "2021-03-03");
    const screen = await toolId(practitioner.context, "hearth-neglect-screen");
    const client = new TestClient(app);
    await client.signIn(practitioner.email);
    const managerClient = new TestClient(app);
    await managerClient.signIn(manager.email);

    // An earlier reading, signed off, so the next one shows the change since it.
    const first = await completeScreen(client, personId, screen, "5", [1, 1, 1, 1, 1, 1]);
    assert.equal((await client.post(`${first}/submit`, {})).statusCode, 303);
    await managerClient.get(`${first}/check`);
    assert.equal(
      (await managerClient.post(`${first}/sign-off`, { decision: "sign-off", comments: "Agreed" }))
        .statusCode,
      303,
    );

    const base = await completeScreen(client, personId, screen, "19", [1, 2, 1, 1, 1, 3]);
    const id = base.split("/").at(-1) ?? "";
    assert.equal((await client.post(`${base}/submit`, { summary: "Gate and supervision" })).statusCode, 303);

    const overview = await managerClient.get(base);
    assert.match(overview.body, /Manager.s sign-off/);
    assert.match(overview.body, new RegExp(`href="${base}/check"`));
    const check = await managerClient.get(`${base}/check`);
    assert.equal(check.statusCode, 200);
    assert.match(check.body, /Review and sign off/);
    for (const area of AREAS) {
      assert.match(check.body, new RegExp(`data-testid="area-s-${area}"`));
      assert.match(check.body, new RegExp(`Seen on the visit: ${area} evidence 19`));
    }
    const supervision = check.body.slice(check.body.indexOf('data-testid="area-s-supervision"'));
    assert.match(supervision, /Significant concern/);
    assert.match(supervision, /Worse than the last reading: No concern on 5 January 2026/);
    assert.match(supervision, /We partly agree: Mum says the gate latch is broken/);
    const physical = check.body.slice(
      check.body.indexOf('data-testid="area-s-physical"'),
      check.body.indexOf('data-testid="area-s-nutrition"'),
    );
    assert.match(physical, /No concern/);
    assert.match(physical, /The same as the last reading: No concern on 5 January 2026/);
    assert.match(check.body, /We are trying our best/);
    assert.match(check.body, /I play on the stairs/);
    // The why list counts the areas that fired: two at some concern or worse, one significant.
    assert.match(check.body, /2 areas at Needs partly met or worse \(the rule needs at least 2\)/);
    assert.match(check.body, /1 area at Needs mostly unmet or worse \(the rule needs at least 1\)/);

    const noReason = await managerClient.post(`${base}/sign-off`, { decision: "return", reason: " " });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /Enter the reason you are returning the assessment/);
    assert.match(noReason.body, /href="#reason"/);
    assert.equal(await auditCount("return", id), 0);

    const reason = "Say what the family will do about the gate, and when";
    const returned = await managerClient.post(`${base}/sign-off`, { decision: "return", reason });
    assert.equal(returned.statusCode, 303);
    const row = await database.unsafeOwnerDb
      .selectFrom("assessments")
      .select(["status", "returned_comments"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("assessment_id", "=", id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: "draft", returned_comments: reason });
    const audit = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select(["reason", "actor_user_id"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("action", "=", "return")
      .where("record_id", "=", id)
      .execute();
    assert.deepEqual(audit, [{ reason, actor_user_id: manager.context.userId }]);
    const told = await database.unsafeOwnerDb
      .selectFrom("notifications")
      .select(["recipient_user_id", "kind", "link"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("link", "=", base)
      .where("kind", "=", "message")
      .execute();
    assert.deepEqual(told, [{ recipient_user_id: practitioner.context.userId, kind: "message", link: base }]);

    const back = await client.get(base);
    assert.match(back.body, new RegExp(`Returned by the manager: ${reason.replace(/,/g, ",")}`));
    assert.equal(
      (
        await client.post(`${base}/sections/screen`, {
          "answer-s-supervision-signs": "2",
          "evidence-s-supervision-signs": "Gate latch mended; plan agreed with Mum",
          action: "save",
        })
      ).statusCode,
      303,
    );
    assert.equal((await client.post(`${base}/submit`, { summary: "Gate mended" })).statusCode, 303);
    const again = await managerClient.get(`${base}/check`);
    assert.match(again.body, /Gate latch mended; plan agreed with Mum/);
    const signed = await managerClient.post(`${base}/sign-off`, {
      decision: "sign-off",
      comments: "Agreed after the return",
    });
    assert.equal(signed.statusCode, 303);
    assert.match((await managerClient.get(base)).body, /Signed off/);
  });

  it("does not let a manager sign off or return an assessment they wrote", async () => {
    const manager = await demoUser("manager");
    const personId = await newChild(manager.context, "Cal", "2021-03-03");
    const client = new TestClient(app);
    await client.signIn(manager.email);
    const base = await completeScreen(
      client,
      personId,
      await toolId(manager.context, "hearth-neglect-screen"),
      "7",
      [1, 1, 2, 1, 1, 1],
    );
    assert.equal((await client.post(`${base}/submit`, {})).statusCode, 303);
    const check = await client.get(`${base}/check`);
    assert.equal(check.statusCode, 200);
    assert.doesNotMatch(check.body, /action="[^"]*\/sign-off"/);
    const attempts: Record<string, string>[] = [
      { decision: "sign-off", comments: "Fine" },
      { decision: "return", reason: "Mine to return" },
    ];
    for (const body of attempts) {
      const refused = await client.post(`${base}/sign-off`, body);
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /Someone other than the person who wrote it must sign it off or return it/);
    }
    const status = await database.unsafeOwnerDb
      .selectFrom("assessments")
      .select("status")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("assessment_id", "=", base.split("/").at(-1) ?? "")
      .executeTakeFirstOrThrow();
    assert.equal(status.status, "submitted");
  });
});
