// SPDX-License-Identifier: MIT
/**
 * Family assessments against a real database and through HTTP: three siblings assessed together store
 * the shared (parents' or carers') answers once and three results, one per child, each child with their
 * own chronology entry and change over time; a sibling the caller may not open is never offered, and
 * adding them is refused as a denial, audited, with nothing written; a child's assessment in a family is
 * submitted and signed off only through the family, and a return needs a reason and reaches every child.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccessContext } from "../data/access-context.ts";
import { repositoryFor } from "../data/repository.ts";
import { contextOfUser, signInFor, TestClient } from "../test-support/harness.ts";
import { createTestChild } from "../test-support/people.ts";
import { app, database, partnership, useTestApp } from "../test-support/test-app.ts";

const contextOf = (userId: string): Promise<AccessContext> =>
  contextOfUser(database, partnership.partnershipId, { userId });

const demoUser = async (role: "practitioner" | "manager") => {
  const signIn = signInFor(partnership, role);
  return { email: signIn.email, context: await contextOf(signIn.userId) };
};

const newChild = (context: AccessContext, givenNames: string, dateOfBirth: string) =>
  createTestChild(repositoryFor(database, context).people, {
    givenNames,
    familyName: "Hartley",
    dateOfBirth,
  });

/** Puts the children in one current household (set up directly: the households area has its own tests). */
const household = async (personIds: string[]) => {
  const householdId = crypto.randomUUID();
  await database.unsafeOwnerDb
    .insertInto("households")
    .values({
      partnership_id: partnership.partnershipId,
      household_id: householdId,
      address_line: "4 Orchard Row",
    })
    .execute();
  for (const personId of personIds)
    await database.unsafeOwnerDb
      .insertInto("household_members")
      .values({
        partnership_id: partnership.partnershipId,
        membership_id: crypto.randomUUID(),
        household_id: householdId,
        person_id: personId,
        household_role: "child",
        valid_from: "2024-01-01",
      })
      .execute();
};

const familyScreen = async (context: AccessContext) => {
  const tools = await repositoryFor(database, context).assessments.listTools();
  const tool = tools.find((t) => t.tool.slug === "hearth-family-screen");
  assert.ok(tool, "the family screen is installed");
  return tool.tool.tool_id;
};

const CHILD_AREAS = ["physical", "nutrition", "health", "education", "emotional", "supervision"];

/** One child's own areas, through the family's page, with the child's words. */
const childForm = (grades: number[], words: string): Record<string, string> => {
  const form: Record<string, string> = { method: "words", words, scaling: "6" };
  CHILD_AREAS.forEach((area, i) => {
    form[`answer-s-${area}-signs`] = String(grades[i]);
    form[`sources-s-${area}-signs`] = "observed";
    form[`evidence-s-${area}-signs`] = `${words}: ${area} seen`;
  });
  return form;
};

const countRows = async (table: "family_assessments" | "denied-audit", recordId?: string) => {
  if (table === "family_assessments")
    return (
      await database.unsafeOwnerDb
        .selectFrom("family_assessments")
        .select("family_assessment_id")
        .where("partnership_id", "=", partnership.partnershipId)
        .execute()
    ).length;
  return (
    await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("seq")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("action", "=", "denied")
      .where("record_id", "=", recordId ?? "")
      .execute()
  ).length;
};

useTestApp({ children: 30 });

describe("the forms that start an assessment", () => {
  it("show every problem at once in the form's order, keep what was ticked, and refuse those who may only read", async () => {
    const practitioner = await demoUser("practitioner");
    const fay = await newChild(practitioner.context, "Fay", "2017-02-02");
    const gus = await newChild(practitioner.context, "Gus", "2020-03-03");
    await household([fay, gus]);
    const toolId = await familyScreen(practitioner.context);
    const client = new TestClient(app);
    await client.signIn(practitioner.email);
    assert.equal((await client.get(`/people/${fay}/family-assessments/new`)).statusCode, 200);
    const before = await countRows("family_assessments");

    const empty = await client.post(`/people/${fay}/family-assessments`, {});
    assert.equal(empty.statusCode, 400);
    const summary = [...empty.body.matchAll(/<a href="#(\w+)">/g)].map((m) => m[1]);
    assert.deepEqual(summary.slice(0, 4), ["siblingIds", "toolId", "mode", "assessedOn"]);

    // One problem left: the tool and the brother chosen stay chosen.
    const noDate = await client.post(`/people/${fay}/family-assessments`, {
      siblingIds: gus,
      toolId,
      mode: "practitioner",
    });
    assert.equal(noDate.statusCode, 400);
    assert.match(noDate.body, /Enter the date of the assessment|date of the assessment/);
    assert.match(noDate.body, new RegExp(`value="${gus}" checked`));
    assert.match(noDate.body, new RegExp(`value="${toolId}" checked`));
    assert.equal(await countRows("family_assessments"), before, "nothing is written");

    // A child's own assessment: the list is open to readers, the start form to recorders.
    const noTool = await client.post(`/people/${fay}/assessments`, { mode: "practitioner" });
    assert.equal(noTool.statusCode, 400);
    assert.match(noTool.body, /Select a tool/);
    const auditor = new TestClient(app);
    await auditor.signIn(signInFor(partnership, "auditor").email);
    await auditor.get("/");
    const refused = await auditor.post(`/people/${fay}/assessments`, {
      toolId,
      mode: "practitioner",
      "assessedOn-day": "12",
      "assessedOn-month": "1",
      "assessedOn-year": "2026",
    });
    assert.equal(refused.statusCode, 403);
    assert.equal((await auditor.post(`/people/${fay}/family-assessments`, {})).statusCode, 403);
  });
});

describe("a family assessment of three siblings", () => {
  it("stores the shared answers once and three results, one per child, each signed off into their own chronology", async () => {
    const practitioner = await demoUser("practitioner");
    const manager = await demoUser("manager");
    const ann = await newChild(practitioner.context, "Ann", "2016-04-04");
    const ben = await newChild(practitioner.context, "Ben", "2019-05-05");
    const cas = await newChild(practitioner.context, "Cas", "2023-06-06");
    await household([ann, ben, cas]);
    const repo = repositoryFor(database, practitioner.context).assessments;

    const options = await repo.familyOptions(ann);
    assert.deepEqual(options?.siblings.map((s) => s.given_names).sort(), ["Ben", "Cas"]);
    const started = await repo.startFamilyAssessment(ann, {
      toolId: await familyScreen(practitioner.context),
      mode: "with-family",
      assessedOn: "2026-01-12",
      siblingIds: [ben, cas],
    });
    assert.ok(started.ok, JSON.stringify(started));
    const familyId = started.value.familyAssessmentId;
    const base = `/family-assessments/${familyId}`;

    const client = new TestClient(app);
    await client.signIn(practitioner.email);
    const page = await client.get(base);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Answered once for the family/);
    for (const name of ["Ann", "Ben", "Cas"]) assert.match(page.body, new RegExp(`${name} Hartley`));

    assert.equal(
      (
        await client.post(`${base}/shared`, {
          "answer-f-carers-signs": "2",
          "sources-f-carers-signs": "carer",
          "evidence-f-carers-signs": "Mum says her depression makes mornings hard",
          "answer-f-home-signs": "1",
          "sources-f-home-signs": "observed",
          "evidence-f-home-signs": "Warm, clean and tidy on the visit",
        })
      ).statusCode,
      303,
    );
    const grades: Record<string, number[]> = {
      [ann]: [1, 1, 1, 1, 1, 1],
      [ben]: [1, 3, 1, 1, 1, 1],
      [cas]: [1, 1, 1, 1, 1, 2],
    };
    const view = await repo.getFamilyAssessment(familyId);
    assert.ok(view);
    for (const child of view.children) {
      const response = await client.post(
        `${base}/children/${child.assessment.assessment_id}`,
        childForm(grades[child.assessment.person_id] ?? [], `${child.assessment.given_names} says hello`),
      );
      assert.equal(response.statusCode, 303, response.body.slice(0, 500));
    }
    // A child's shared area cannot be answered for one child only.
    const first = view.children[0]?.assessment.assessment_id ?? "";
    const sneaky = await repo.saveFamilyChild(familyId, first, {
      answers: [{ nodeId: "f-home-signs", value: 3, special: null, sources: [], evidence: null }],
      judgements: {},
      voice: null,
    });
    assert.deepEqual(sneaky, {
      ok: false,
      message: "The shared areas are answered once for the whole family",
    });
    // Through a child's form, a shared answer is not read at all.
    await client.post(`${base}/children/${first}`, { "answer-f-home-signs": "3" });
    assert.equal(
      (await client.post(`${base}/words`, { comments: "We are doing our best", ownScaling: "7" })).statusCode,
      303,
    );
    // A child's assessment in a family is submitted only with the family.
    const alone = await repo.submit(first, null);
    assert.equal(alone.ok, false);
    assert.equal((await client.post(`${base}/submit`, { summary: "Three children" })).statusCode, 303);

    const stored = await database.unsafeOwnerDb
      .selectFrom("family_assessment_answers")
      .select(["node_id", "value", "evidence"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("family_assessment_id", "=", familyId)
      .orderBy("node_id")
      .execute();
    assert.deepEqual(
      stored.map((r) => [r.node_id, Number(r.value)]),
      [
        ["f-carers-signs", 2],
        ["f-home-signs", 1],
      ],
    );
    const ownShared = await database.unsafeOwnerDb
      .selectFrom("assessment_answers")
      .select("node_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("assessment_id", "in", started.value.assessmentIds)
      .where("node_id", "like", "f-%")
      .execute();
    assert.deepEqual(ownShared, [], "no child holds a copy of a shared answer");

    const children = await database.unsafeOwnerDb
      .selectFrom("assessments")
      .select(["person_id", "status", "results"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("family_assessment_id", "=", familyId)
      .execute();
    assert.equal(children.length, 3);
    const levelOf = (personId: string) => {
      const results = children.find((c) => c.person_id === personId)?.results as {
        level: { level?: { code: string } };
        domains: { domainId: string; value: number | null }[];
      };
      return {
        level: results.level.level?.code,
        carers: results.domains.find((d) => d.domainId === "f-carers")?.value,
        nutrition: results.domains.find((d) => d.domainId === "s-nutrition")?.value,
      };
    };
    // Each child's result includes the shared answers (some concern about the carers) and their own.
    assert.deepEqual(levelOf(ann), { level: "watch", carers: 2, nutrition: 1 });
    assert.deepEqual(levelOf(ben), { level: "full-assessment", carers: 2, nutrition: 3 });
    assert.deepEqual(levelOf(cas), { level: "full-assessment", carers: 2, nutrition: 1 });
    assert.ok(children.every((c) => c.status === "submitted"));

    const managerClient = new TestClient(app);
    await managerClient.signIn(manager.email);
    const check = await managerClient.get(`${base}/check`);
    assert.equal(check.statusCode, 200);
    assert.match(check.body, /Review and sign off/);
    assert.match(check.body, /Mum says her depression makes mornings hard/);
    assert.match(check.body, /Ben says hello: nutrition seen/);
    assert.match(check.body, /We are doing our best/);
    // One child's assessment is not signed off alone.
    const managerRepo = repositoryFor(database, manager.context).assessments;
    assert.equal((await managerRepo.signOff(first, { decision: "sign-off", comments: "x" })).ok, false);
    const signed = await managerClient.post(`${base}/sign-off`, {
      decision: "sign-off",
      comments: "Agreed for all three",
    });
    assert.equal(signed.statusCode, 303);
    const after = await database.unsafeOwnerDb
      .selectFrom("assessments")
      .select(["person_id", "status", "chronology_event_id"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("family_assessment_id", "=", familyId)
      .execute();
    assert.ok(after.every((a) => a.status === "signed-off" && a.chronology_event_id));
    const events = await database.unsafeOwnerDb
      .selectFrom("chronology_events")
      .select("person_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where(
        "event_id",
        "in",
        after.map((a) => a.chronology_event_id ?? ""),
      )
      .execute();
    assert.deepEqual(events.map((e) => e.person_id).sort(), [ann, ben, cas].sort());

    // Change over time is kept per child.
    const toolId = await familyScreen(practitioner.context);
    const benHistory = await repo.changeOverTime(ben, toolId);
    assert.equal(benHistory?.assessments, 1);
    assert.deepEqual(
      benHistory?.domains.find((d) => d.domainId === "s-nutrition")?.readings.map((r) => r.value),
      [3],
    );
    assert.deepEqual(
      benHistory?.domains.find((d) => d.domainId === "f-carers")?.readings.map((r) => r.value),
      [2],
    );
  });
});

describe("who may be assessed together", () => {
  it("never offers or shows a sibling the caller may not open, and refuses adding them as an audited denial with nothing written", async () => {
    const practitioner = await demoUser("practitioner");
    const other = await database.unsafeOwnerDb
      .selectFrom("users")
      .select("user_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("role", "=", "practitioner")
      .where("agency_id", "<>", practitioner.context.agencyId)
      .where("totp_secret", "is", null)
      .orderBy("email")
      .executeTakeFirstOrThrow();
    const otherContext = await contextOf(other.user_id);
    const dee = await newChild(practitioner.context, "Dee", "2018-02-02");
    const eve = await newChild(practitioner.context, "Eve", "2020-02-02");
    const hidden = await newChild(otherContext, "Zephyrine", "2021-02-02");
    await household([dee, eve, hidden]);
    const repo = repositoryFor(database, practitioner.context).assessments;

    const options = await repo.familyOptions(dee);
    assert.deepEqual(
      options?.siblings.map((s) => s.given_names),
      ["Eve"],
      "only the sibling the caller may open is offered",
    );
    const client = new TestClient(app);
    await client.signIn(practitioner.email);
    const startPage = await client.get(`/people/${dee}/family-assessments/new`);
    assert.equal(startPage.statusCode, 200);
    assert.match(startPage.body, /Eve Hartley/);
    assert.doesNotMatch(startPage.body, /Zephyrine/);
    assert.doesNotMatch(startPage.body, new RegExp(hidden));

    const before = await countRows("family_assessments");
    const toolId = await familyScreen(practitioner.context);
    const refused = await repo.startFamilyAssessment(dee, {
      toolId,
      mode: "practitioner",
      assessedOn: "2026-01-12",
      siblingIds: [eve, hidden],
    });
    assert.equal(refused.ok, false);
    assert.ok(!refused.ok && refused.denied);
    assert.equal(await countRows("family_assessments"), before, "nothing is written");
    assert.equal(await countRows("denied-audit", hidden), 1, "the refusal is audited");

    const viaForm = await client.post(`/people/${dee}/family-assessments`, {
      siblingIds: hidden,
      toolId,
      mode: "practitioner",
      "assessedOn-day": "12",
      "assessedOn-month": "1",
      "assessedOn-year": "2026",
    });
    assert.equal(viaForm.statusCode, 403);
    assert.doesNotMatch(viaForm.body, /Zephyrine/);
    assert.equal(await countRows("family_assessments"), before);

    // The other agency's practitioner may open only their child: a family assessment of Dee and Eve
    // is not found for them, and nothing of it is shown.
    const started = await repo.startFamilyAssessment(dee, {
      toolId,
      mode: "practitioner",
      assessedOn: "2026-01-12",
      siblingIds: [eve],
    });
    assert.ok(started.ok);
    const outsider = repositoryFor(database, otherContext).assessments;
    assert.equal(await outsider.getFamilyAssessment(started.value.familyAssessmentId), undefined);
  });

  it("returns the whole family assessment with a reason, which every child's assessment carries until resubmitted", async () => {
    const practitioner = await demoUser("practitioner");
    const manager = await demoUser("manager");
    const fay = await newChild(practitioner.context, "Fay", "2017-03-03");
    const gus = await newChild(practitioner.context, "Gus", "2020-03-03");
    await household([fay, gus]);
    const repo = repositoryFor(database, practitioner.context).assessments;
    const started = await repo.startFamilyAssessment(fay, {
      toolId: await familyScreen(practitioner.context),
      mode: "practitioner",
      assessedOn: "2026-01-13",
      siblingIds: [gus],
    });
    assert.ok(started.ok);
    const base = `/family-assessments/${started.value.familyAssessmentId}`;
    const client = new TestClient(app);
    await client.signIn(practitioner.email);
    await client.get(base);
    // Incomplete: nothing is submitted, and the refusal names the child.
    const early = await client.post(`${base}/submit`, {});
    assert.equal(early.statusCode, 400);
    assert.match(early.body, /Fay: Answer every question/);
    await client.post(`${base}/shared`, { "answer-f-carers-signs": "1", "answer-f-home-signs": "1" });
    for (const id of started.value.assessmentIds)
      await client.post(`${base}/children/${id}`, childForm([1, 1, 1, 1, 1, 1], "Fine"));
    assert.equal((await client.post(`${base}/submit`, {})).statusCode, 303);

    const managerClient = new TestClient(app);
    await managerClient.signIn(manager.email);
    await managerClient.get(`${base}/check`);
    const noReason = await managerClient.post(`${base}/sign-off`, { decision: "return", reason: " " });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /Enter the reason you are returning the assessment/);
    const reason = "Ask the school about attendance";
    assert.equal(
      (await managerClient.post(`${base}/sign-off`, { decision: "return", reason })).statusCode,
      303,
    );
    const rows = await database.unsafeOwnerDb
      .selectFrom("assessments")
      .select(["status", "returned_comments"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("assessment_id", "in", started.value.assessmentIds)
      .execute();
    assert.deepEqual(rows, [
      { status: "draft", returned_comments: reason },
      { status: "draft", returned_comments: reason },
    ]);
    const back = await client.get(base);
    assert.match(back.body, new RegExp(`Returned by the manager: ${reason}`));
    assert.equal((await client.post(`${base}/submit`, {})).statusCode, 303);
    await managerClient.get(`${base}/check`);
    assert.equal(
      (await managerClient.post(`${base}/sign-off`, { decision: "sign-off", comments: "Thank you" }))
        .statusCode,
      303,
    );
    assert.match((await client.get(base)).body, /Signed off/);
  });
});
