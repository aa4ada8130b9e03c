// SPDX-License-Identifier: MIT
/**
 * Assessments against a real database and through HTTP: access follows the child-record rules (an
 * uninvolved practitioner gets nothing; every view is audited), a malformed tool upload is refused with
 * its path, publishing a new version leaves earlier assessments pinned, a draft keeps what was saved,
 * the second tool works through the same pages, and sign-off adds the assessment to the chronology.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import type { AccessContext } from "../data/access-context.ts";
import { repositoryFor } from "../data/repository.ts";
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import type { AgencyType, Role } from "../organisation/codes.ts";
import {
  createTestPartnership,
  openTestDatabase,
  signInFor,
  startTestApp,
  TestClient,
  userFor,
} from "../test-support/harness.ts";
import { unclassifiedMethods } from "../test-support/method-access.ts";
import { AssessmentDraftsRepository } from "./assessment-drafts-repository.ts";
import { AssessmentSignOffRepository } from "./assessment-sign-off.ts";
import { AssessmentsRepository } from "./assessments-repository.ts";
import { ChildAssessmentsRepository } from "./child-assessments-repository.ts";
import { FamilyAssessmentsRepository } from "./family-assessments-repository.ts";
import { generateAssessments } from "./generate-assessments.ts";
import { repositoryTools } from "./tool-library.ts";
import { ToolVersionsRepository } from "./tool-versions-repository.ts";

let database: HearthDatabase;
let app: FastifyInstance;
let partnership: GeneratedPartnership;

const userOf = (role: Role, agencyType?: AgencyType, notUserId?: string) =>
  userFor(database, partnership, role, { agencyType, notUserId });

/** The demo practitioner and the manager of the same team. */
const demoUser = async (role: "practitioner" | "manager") => {
  const signIn = signInFor(partnership, role);
  const row = await database.unsafeOwnerDb
    .selectFrom("users")
    .select(["agency_id", "team_id"])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("user_id", "=", signIn.userId)
    .executeTakeFirstOrThrow();
  const context: AccessContext = {
    partnershipId: partnership.partnershipId,
    userId: signIn.userId,
    role,
    agencyId: row.agency_id,
    teamId: row.team_id,
    sessionId: null,
    ip: "127.0.0.1",
  };
  return { email: signIn.email, context };
};

const newChild = async (context: AccessContext, givenNames: string, dateOfBirth: string) => {
  const created = await repositoryFor(database, context).people.createPerson(
    {
      kind: "child",
      givenNames,
      familyName: "Testwell",
      dateOfBirth,
      expectedDateOfBirth: null,
      sex: "F",
      ethnicity: "WBRI",
      disabilities: [],
      nhsNumber: null,
      upn: null,
      localId: null,
      sendStatus: null,
      youngCarer: null,
      firstLanguage: "English",
    },
    {
      startedOn: "2025-01-06",
      isLeadAgency: true,
      sharingBasis: "consent",
      consent: "given",
      sharingReasoning: null,
    },
  );
  assert.ok(created.ok);
  return created.value.personId;
};

const toolId = async (context: AccessContext, slug: string) => {
  const tools = await repositoryFor(database, context).assessments.listTools();
  const tool = tools.find((t) => t.tool.slug === slug);
  assert.ok(tool, `tool ${slug} is installed`);
  return tool.tool.tool_id;
};

const auditCount = async (action: string, recordId: string) =>
  (
    await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("seq")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("action", "=", action)
      .where("record_id", "=", recordId)
      .execute()
  ).length;

before(async () => {
  database = await openTestDatabase();
  partnership = await createTestPartnership(database, 30);
  app = await startTestApp(database);
});

after(async () => {
  await app.close();
  await database.close();
});

describe("the assessments repository's methods", () => {
  it("are each declared in the sub-area repository that does the work", () => {
    for (const repository of [
      ToolVersionsRepository,
      ChildAssessmentsRepository,
      AssessmentDraftsRepository,
      AssessmentSignOffRepository,
      FamilyAssessmentsRepository,
    ]) {
      assert.deepEqual(unclassifiedMethods(repository), { undeclared: [], stale: [] }, repository.name);
    }
  });

  it("return nothing and change nothing without a caller", async () => {
    const practitioner = await demoUser("practitioner");
    const personId = await newChild(practitioner.context, "Nobody", "2021-01-01");
    const rag = await toolId(practitioner.context, "home-conditions-rag");
    const started = await repositoryFor(database, practitioner.context).assessments.startAssessment(
      personId,
      {
        toolId: rag,
        mode: "practitioner",
        assessedOn: "2026-01-05",
      },
    );
    assert.ok(started.ok);
    const id = started.value.assessmentId;
    const nobody = repositoryFor(database, undefined).assessments;
    const results: Record<string, unknown> = {
      listTools: await nobody.listTools(),
      uploadTool: (await nobody.uploadTool(repositoryTools()[0]?.text ?? "")).ok,
      exportToolVersion: (await nobody.exportToolVersion(id)).ok,
      listForChild: await nobody.listForChild(personId),
      startAssessment: (
        await nobody.startAssessment(personId, {
          toolId: rag,
          mode: "practitioner",
          assessedOn: "2026-01-05",
        })
      ).ok,
      getAssessment: await nobody.getAssessment(id),
      saveDetails: (
        await nobody.saveDetails(id, {
          mode: "practitioner",
          assessedOn: "2026-01-05",
          observationFrom: null,
          observationTo: null,
        })
      ).ok,
      saveAnswers: (await nobody.saveAnswers(id, { answers: [], judgements: {} })).ok,
      addVisit: (
        await nobody.addVisit(id, { visitedOn: "2026-01-05", announced: true, childSeen: true, note: null })
      ).ok,
      removeVisit: (await nobody.removeVisit(id, id)).ok,
      saveFamilyView: (
        await nobody.saveFamilyView(id, { domains: {}, comments: null, ownScaling: null, seenScoresOn: null })
      ).ok,
      saveChildVoice: (
        await nobody.saveChildVoice(id, { method: "words", words: null, scaling: null, recordedOn: null })
      ).ok,
      addTarget: (
        await nobody.addTarget(id, {
          nodeId: "kitchen",
          targetValue: 1,
          whatWillChange: "x",
          who: null,
          reviewOn: "2026-06-01",
        })
      ).ok,
      removeTarget: (await nobody.removeTarget(id, id)).ok,
      submit: (await nobody.submit(id, null)).ok,
      signOff: (await nobody.signOff(id, { decision: "sign-off", comments: "x" })).ok,
      changeOverTime: await nobody.changeOverTime(personId, rag),
      familyOptions: await nobody.familyOptions(personId),
      startFamilyAssessment: (
        await nobody.startFamilyAssessment(personId, {
          toolId: rag,
          mode: "practitioner",
          assessedOn: "2026-01-05",
          siblingIds: [id],
        })
      ).ok,
      getFamilyAssessment: await nobody.getFamilyAssessment(id),
      saveFamilyShared: (await nobody.saveFamilyShared(id, { answers: [], judgements: {} })).ok,
      saveFamilyChild: (await nobody.saveFamilyChild(id, id, { answers: [], judgements: {}, voice: null }))
        .ok,
      saveFamilyWords: (
        await nobody.saveFamilyWords(id, {
          domains: {},
          comments: null,
          ownScaling: null,
          seenScoresOn: null,
        })
      ).ok,
      submitFamily: (await nobody.submitFamily(id, null)).ok,
      decideFamily: (await nobody.decideFamily(id, { decision: "sign-off", comments: "x" })).ok,
    };
    assert.deepEqual(Object.keys(results).sort(), Object.keys(AssessmentsRepository.methodAccess).sort());
    for (const [name, value] of Object.entries(results)) {
      const empty = value === undefined || value === false || (Array.isArray(value) && value.length === 0);
      assert.ok(empty, `${name} gave ${JSON.stringify(value)} with no caller`);
    }
  });
});

describe("access to a child's assessments", () => {
  it("is denied to a practitioner whose agency is not involved, and to analysts; every view is audited", async () => {
    const practitioner = await demoUser("practitioner");
    const personId = await newChild(practitioner.context, "Private", "2021-03-03");
    const repo = repositoryFor(database, practitioner.context).assessments;
    const started = await repo.startAssessment(personId, {
      toolId: await toolId(practitioner.context, "hearth-child-needs-profile"),
      mode: "with-family",
      assessedOn: "2026-01-05",
    });
    assert.ok(started.ok);
    const id = started.value.assessmentId;
    const practitionerAgencyType = await database.unsafeOwnerDb
      .selectFrom("agencies")
      .select("agency_type")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("agency_id", "=", practitioner.context.agencyId)
      .executeTakeFirstOrThrow();
    const otherType: AgencyType = practitionerAgencyType.agency_type === "education" ? "health" : "education";
    const outsider = await userOf("practitioner", otherType);
    const outsiderRepo = repositoryFor(database, outsider.context).assessments;
    assert.equal(await outsiderRepo.getAssessment(id), undefined);
    assert.equal(await outsiderRepo.listForChild(personId), undefined);
    assert.equal(
      await outsiderRepo.changeOverTime(
        personId,
        await toolId(outsider.context, "hearth-child-needs-profile"),
      ),
      undefined,
    );
    assert.equal((await outsiderRepo.saveAnswers(id, { answers: [], judgements: {} })).ok, false);
    assert.equal(
      (
        await outsiderRepo.startAssessment(personId, {
          toolId: await toolId(outsider.context, "hearth-neglect-screen"),
          mode: "practitioner",
          assessedOn: "2026-01-05",
        })
      ).ok,
      false,
    );
    const analyst = await userOf("analyst");
    assert.equal(await repositoryFor(database, analyst.context).assessments.getAssessment(id), undefined);
    assert.deepEqual(await repositoryFor(database, analyst.context).assessments.listTools(), []);

    const client = new TestClient(app);
    await client.signIn(outsider.email);
    assert.equal((await client.get(`/assessments/${id}`)).statusCode, 404);
    assert.equal((await client.get(`/people/${personId}/assessments`)).statusCode, 404);

    const before = await auditCount("view", id);
    assert.ok(await repo.getAssessment(id));
    assert.equal(await auditCount("view", id), before + 1, "the view is audited");
    const lead = await userOf("safeguarding-lead");
    assert.ok(
      await repositoryFor(database, lead.context).assessments.getAssessment(id),
      "a partnership-wide role sees it",
    );
    assert.equal(await auditCount("view", id), before + 2);
  });
});

describe("tool versions", () => {
  it("refuses a malformed upload with the path and the problem, and publishing leaves assessments pinned", async () => {
    const practitioner = await demoUser("practitioner");
    const personId = await newChild(practitioner.context, "Pinned", "2020-02-02");
    const rag = await toolId(practitioner.context, "home-conditions-rag");
    const started = await repositoryFor(database, practitioner.context).assessments.startAssessment(
      personId,
      { toolId: rag, mode: "practitioner", assessedOn: "2026-01-05" },
    );
    assert.ok(started.ok);

    const admin = new TestClient(app);
    const signIn = signInFor(partnership, "administrator");
    await admin.signIn(signIn.email, { totpSecret: partnership.administratorTotpSecret });
    const page = await admin.get("/admin/assessment-tools");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Home conditions checklist/);
    const original = repositoryTools().find((t) => t.content.id === "home-conditions-rag")?.text ?? "";
    const broken = await admin.post("/admin/assessment-tools", {
      toolFile: original.replace(
        '{id: kitchen, title: "Kitchen: somewhere safe and clean to prepare food", scale: rag}',
        '{id: kitchen, title: "Kitchen", scale: s7}',
      ),
    });
    assert.equal(broken.statusCode, 400);
    assert.match(broken.body, /sections\[0\]\.domains\[0\]\.items\[0\]\.scale: unknown scale &quot;s7&quot;/);
    assert.match(broken.body, /href="#toolFile"/);

    const changed = original.replace(
      "Kitchen: somewhere safe and clean to prepare food",
      "Kitchen: a safe, clean place to cook and eat",
    );
    const sameVersion = await admin.post("/admin/assessment-tools", { toolFile: changed });
    assert.equal(sameVersion.statusCode, 400);
    assert.match(sameVersion.body, /already published with different content/);
    // A pasted file is checked and shown first; only the separate confirmation publishes it.
    const checked = await admin.post("/admin/assessment-tools", {
      toolFile: changed.replace("version: 1.0.0", "version: 1.1.0"),
    });
    assert.equal(checked.statusCode, 200);
    assert.match(checked.body, /What changed since version 1\.0\.0/);
    const hidden = (name: string) =>
      new RegExp(`name="${name}" value="([^"]*)"`).exec(checked.body)?.[1] ?? "";
    const published = await admin.post("/admin/assessment-tools/publish", {
      toolText: changed.replace("version: 1.0.0", "version: 1.1.0"),
      hash: hidden("hash"),
      previousVersionId: hidden("previousVersionId"),
    });
    assert.equal(published.statusCode, 200);
    assert.match(published.body, /version 1\.1\.0 is published/);

    const repo = repositoryFor(database, practitioner.context).assessments;
    const old = await repo.getAssessment(started.value.assessmentId);
    assert.equal(old?.assessment.version, "1.0.0");
    assert.match(JSON.stringify(old?.tool), /somewhere safe and clean to prepare food/);
    const next = await repo.startAssessment(personId, {
      toolId: rag,
      mode: "practitioner",
      assessedOn: "2026-02-05",
    });
    assert.ok(next.ok);
    assert.equal((await repo.getAssessment(next.value.assessmentId))?.assessment.version, "1.1.0");
    await assert.rejects(
      sql`update assessment_tool_versions set source_text = 'x' where partnership_id = ${partnership.partnershipId}`.execute(
        database.unsafeOwnerDb,
      ),
      /never changes/,
    );
    const download = await admin.get(
      `/admin/assessment-tools/versions/${old?.assessment.tool_version_id}/download`,
    );
    assert.equal(download.statusCode, 200);
    assert.match(download.body, /home-conditions-rag/);
  });
});

describe("completing an assessment through the pages", () => {
  it("keeps a draft's answers, runs the second tool from YAML alone, and signs off into the chronology", async () => {
    const practitioner = await demoUser("practitioner");
    const manager = await demoUser("manager");
    const personId = await newChild(practitioner.context, "Rosie", "2019-06-06");
    const client = new TestClient(app);
    await client.signIn(practitioner.email);
    const list = await client.get(`/people/${personId}/assessments`);
    assert.equal(list.statusCode, 200);
    const rag = await toolId(practitioner.context, "home-conditions-rag");
    const refusedStart = await client.post(`/people/${personId}/assessments`, { mode: "practitioner" });
    assert.equal(refusedStart.statusCode, 400);
    assert.match(refusedStart.body, /Select a tool/);
    const start = await client.post(`/people/${personId}/assessments`, {
      toolId: rag,
      mode: "practitioner",
      "assessedOn-day": "5",
      "assessedOn-month": "1",
      "assessedOn-year": "2026",
    });
    assert.equal(start.statusCode, 303);
    const base = String(start.headers.location);
    const overview = await client.get(base);
    assert.equal(overview.statusCode, 200);
    assert.match(overview.body, /Rooms and facilities/);

    const section = await client.get(`${base}/sections/home`);
    assert.equal(section.statusCode, 200);
    assert.doesNotMatch(section.body, /Stairs and windows/, "not asked for a 6-year-old");
    // An interrupted session: half the items saved, then the page read again.
    await client.post(`${base}/sections/home`, {
      "answer-kitchen": "1",
      "sources-kitchen": "observed",
      "evidence-kitchen": "Clean and stocked",
      action: "save",
    });
    const again = await client.get(`${base}/sections/home`);
    assert.match(again.body, /Clean and stocked/);
    assert.match(again.body, /name="answer-kitchen" type="radio" value="1" checked/);
    const early = await client.post(`${base}/submit`, {});
    assert.equal(early.statusCode, 400);
    assert.match(early.body, /still to answer/);

    const saved = await client.post(`${base}/sections/home`, {
      "answer-bathroom": "3",
      "answer-sleeping": "not_known",
      "answer-heating": "2",
      "answer-medicines": "1",
      "answer-animals": "not_applicable",
      action: "continue",
    });
    assert.equal(saved.statusCode, 303);
    await client.get(`${base}/details`);
    assert.equal(
      (
        await client.post(`${base}/visits`, {
          "visitedOn-day": "4",
          "visitedOn-month": "1",
          "visitedOn-year": "2026",
          announced: "no",
          childSeen: "yes",
        })
      ).statusCode,
      303,
    );
    await client.get(`${base}/child`);
    assert.equal(
      (await client.post(`${base}/child`, { method: "words", words: "I like my room", scaling: "7" }))
        .statusCode,
      303,
    );
    await client.get(`${base}/targets`);
    assert.equal(
      (
        await client.post(`${base}/targets`, {
          nodeId: "bathroom",
          targetValue: "1",
          whatWillChange: "Hot water fixed",
          "reviewOn-day": "1",
          "reviewOn-month": "4",
          "reviewOn-year": "2026",
        })
      ).statusCode,
      303,
    );
    const check = await client.get(`${base}/check`);
    assert.match(check.body, /Urgent action on home conditions/);
    assert.match(check.body, /Bathroom: working toilet, hot water and somewhere to wash: Red/);
    assert.equal((await client.post(`${base}/submit`, { summary: "Bathroom needs repair" })).statusCode, 303);
    const selfSignOff = await repositoryFor(database, practitioner.context).assessments.signOff(
      base.split("/").at(-1) ?? "",
      { decision: "sign-off", comments: "me" },
    );
    assert.equal(selfSignOff.ok, false);

    const managerClient = new TestClient(app);
    await managerClient.signIn(manager.email);
    const toSign = await managerClient.get(base);
    assert.match(toSign.body, /Manager.s sign-off/);
    const signed = await managerClient.post(`${base}/sign-off`, {
      decision: "sign-off",
      comments: "Agreed; housing to be contacted",
    });
    assert.equal(signed.statusCode, 303);
    const events = await database.unsafeOwnerDb
      .selectFrom("chronology_events")
      .select(["event_type", "what_happened", "impact_on_child", "neglect_types"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("person_id", "=", personId)
      .execute();
    assert.equal(events.length, 1);
    assert.equal(events[0]?.event_type, "neglect-assessment");
    assert.match(events[0]?.what_happened ?? "", /Home conditions checklist/);
    const change = await managerClient.get(`/people/${personId}/assessments/change/${rag}`);
    assert.equal(change.statusCode, 200);
    assert.match(change.body, /<svg/);
    assert.match(change.body, /Only one reading so far/);
  });
});

describe("the generator", () => {
  it("writes improving, static and relapsing histories that raise the right flags", async () => {
    const practitioner = await demoUser("practitioner");
    const children = [];
    for (const [name, trajectory] of [
      ["Imp", "improving"],
      ["Sta", "static"],
      ["Rel", "relapsing"],
    ] as const) {
      children.push({
        personId: await newChild(practitioner.context, name, "2020-04-04"),
        dateOfBirth: "2020-04-04",
        trajectory,
      });
    }
    const written = await generateAssessments(database, {
      partnershipId: partnership.partnershipId,
      seed: "gen-test",
      agencyId: practitioner.context.agencyId,
      practitionerUserId: practitioner.context.userId,
      managerUserId: (await demoUser("manager")).context.userId,
      referenceDate: "2026-03-01",
      children,
    });
    assert.ok(written.assessments >= 9);
    const tool = await toolId(practitioner.context, "hearth-child-needs-profile");
    const repo = repositoryFor(database, practitioner.context).assessments;
    const [improving, stuck, relapsing] = await Promise.all(
      children.map((c) => repo.changeOverTime(c.personId, tool)),
    );
    assert.ok(improving?.domains.some((d) => d.trend.direction === "better"));
    assert.ok(!improving?.domains.some((d) => d.trend.direction === "worse" || d.trend.relapse));
    assert.ok(stuck?.domains.some((d) => d.trend.noImprovement));
    assert.ok(relapsing?.domains.some((d) => d.trend.relapse));
  });
});

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
