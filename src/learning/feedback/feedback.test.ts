// SPDX-License-Identifier: MIT
/**
 * Feedback from children and families over HTTP: a practitioner whose agency works with the child makes a
 * one-time link; the link opens the questionnaire without signing in and names nobody; it works once; an
 * expired link and an unknown one open nothing; only the hash of the token is stored; answers given on
 * the practitioner's device are recorded against the child; someone who may not open the child's record
 * can make no link; the lead professional chooses a quote and the summary shows it without a name.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createFamily, type TestFamily } from "../../test-support/families.ts";
import { signInFor, TestClient, userFor } from "../../test-support/harness.ts";
import { app, database, partnership, useTestApp } from "../../test-support/test-app.ts";

let family: TestFamily;
let practitioner: { email: string; userId: string };

const FAMILY_NAME = "Quillfeather";
const answers = { "q-listened": "4", "q-understood": "5", "q-helped": "3", "q-safe": "4" };

useTestApp({}, async () => {
  const user = await userFor(database, partnership, "practitioner", { agencyType: "health" });
  practitioner = { email: user.email, userId: user.context.userId };
  family = await createFamily(database, {
    partnershipId: partnership.partnershipId,
    familyName: FAMILY_NAME,
    involvements: [{ agencyId: user.context.agencyId, child: "baby" }],
  });
  // The practitioner is the baby's lead professional, who chooses quotes.
  await database.unsafeOwnerDb
    .updateTable("involvements")
    .set({ lead_professional_user_id: user.context.userId })
    .where("partnership_id", "=", partnership.partnershipId)
    .where("person_id", "=", family.babyId)
    .execute();
});

const signedIn = async (email: string) => {
  const client = new TestClient(app);
  await client.signIn(email);
  return client;
};

const makeLink = async (version: "child" | "family") => {
  const client = await signedIn(practitioner.email);
  await client.get(`/people/${family.babyId}/feedback`);
  const page = await client.post(`/people/${family.babyId}/feedback/links`, { version });
  assert.equal(page.statusCode, 200);
  const match = /\/f\/([A-Za-z0-9_-]+)/.exec(page.body);
  assert.ok(match?.[1], "the link is shown once");
  return match[1];
};

describe("a one-time feedback link", () => {
  it("opens without signing in, names nobody, works once, and stores only the token's hash", async () => {
    const token = await makeLink("child");
    const visitor = new TestClient(app);
    const form = await visitor.get(`/f/${token}`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Did the grown-ups listen to you\?/, "the child's words");
    for (const personal of [FAMILY_NAME, "Poppy", "Kerry", "Jayden", family.babyId])
      assert.ok(!form.body.includes(personal), `the page shows nothing of the family (${personal})`);
    assert.match(
      form.body,
      /<span class="hearth-faces__words">Yes, a lot<\/span>/,
      "each face has its words",
    );
    const missing = await visitor.post(`/f/${token}`, { "q-listened": "4" });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /Pick an answer for &quot;Did they tell you what was going on\?&quot;/);
    const sent = await visitor.post(`/f/${token}`, { ...answers, comment: "My worker was kind." });
    assert.equal(sent.statusCode, 200);
    assert.match(sent.body, /Thank you/);
    assert.ok(!sent.body.includes(FAMILY_NAME));
    const again = await visitor.post(`/f/${token}`, answers);
    assert.equal(again.statusCode, 410);
    assert.match(again.body, /This link has been used/);
    assert.equal((await new TestClient(app).get(`/f/${token}`)).statusCode, 410);
    const stored = await database.unsafeOwnerDb
      .selectFrom("feedback_links")
      .select("token_hash")
      .where("partnership_id", "=", partnership.partnershipId)
      .execute();
    assert.ok(stored.length > 0 && stored.every((row) => row.token_hash !== token), "only a hash is stored");
    const responses = await database.unsafeOwnerDb
      .selectFrom("feedback_responses")
      .selectAll()
      .where("partnership_id", "=", partnership.partnershipId)
      .where("person_id", "=", family.babyId)
      .execute();
    assert.equal(responses.length, 1, "answered once, attached to the child");
    assert.equal(responses[0]?.channel, "link");
  });

  it("opens nothing once expired, or when unknown", async () => {
    const token = await makeLink("family");
    await database.unsafeOwnerDb
      .updateTable("feedback_links")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("partnership_id", "=", partnership.partnershipId)
      .where("version", "=", "family")
      .execute();
    const visitor = new TestClient(app);
    const expired = await visitor.get(`/f/${token}`);
    assert.equal(expired.statusCode, 410);
    assert.match(expired.body, /This link has expired/);
    assert.ok(!expired.body.includes(FAMILY_NAME));
    const post = await visitor.post(`/f/${token}`, answers);
    assert.ok([403, 410].includes(post.statusCode), "refused (the expired page carries no form to send)");
    const written = await database.unsafeOwnerDb
      .selectFrom("feedback_responses")
      .select("response_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("version", "=", "family")
      .execute();
    assert.equal(written.length, 0, "nothing was written");
    const unknown = await visitor.get("/f/not-a-real-token-at-all-but-long-enough");
    assert.equal(unknown.statusCode, 404);
  });

  it("cannot be made by someone who may not open the child's record", async () => {
    const school = await userFor(database, partnership, "practitioner", { agencyType: "education" });
    const client = await signedIn(school.email);
    await client.get("/learning");
    const refused = await client.post(`/people/${family.babyId}/feedback/links`, { version: "child" });
    assert.equal(refused.statusCode, 403);
  });

  it("answers an address whose child is not an id as not found", async () => {
    const client = await signedIn(practitioner.email);
    await client.get(`/people/${family.babyId}/feedback`);
    assert.equal((await client.get("/people/not-an-id/feedback")).statusCode, 404);
    assert.equal((await client.get("/people/not-an-id/feedback/answer")).statusCode, 404);
    assert.equal(
      (await client.post("/people/not-an-id/feedback/links", { version: "child" })).statusCode,
      404,
    );
    assert.equal((await client.post("/people/not-an-id/feedback/answer", {})).statusCode, 404);
  });
});

describe("answers on the practitioner's device, quotes and the summary", () => {
  it("records the family's answers, lets the lead professional quote them, and summarises without names", async () => {
    const client = await signedIn(practitioner.email);
    const form = await client.get(`/people/${family.babyId}/feedback/answer?version=family`);
    assert.equal(form.statusCode, 200);
    const sent = await client.post(`/people/${family.babyId}/feedback/answer?version=family`, {
      ...answers,
      comment: "They helped us get the flat sorted.",
    });
    assert.equal(sent.statusCode, 200);
    const page = await client.get(`/people/${family.babyId}/feedback`);
    const responseId = /feedback\/([0-9a-f-]{36})\/quote/.exec(page.body)?.[1];
    assert.ok(responseId, "the lead professional may choose a quote");
    assert.equal(
      (await client.post(`/people/${family.babyId}/feedback/${responseId}/quote`, {})).statusCode,
      303,
    );
    const lead = await signedIn(signInFor(partnership, "safeguarding-lead").email);
    const summary = await lead.get("/learning/feedback");
    assert.equal(summary.statusCode, 200);
    assert.match(summary.body, /They helped us get the flat sorted\./);
    assert.ok(!summary.body.includes(FAMILY_NAME));
    const practitionerSummary = await client.get("/learning/feedback");
    assert.equal(practitionerSummary.statusCode, 403);
  });
});
