// SPDX-License-Identifier: MIT
/**
 * Assessments against a real database and through HTTP: a malformed tool upload is refused with its path,
 * publishing a new version leaves earlier assessments pinned, a draft keeps what was saved, the second tool
 * works through the same pages, sign-off adds the assessment to the chronology, and the generator's
 * histories raise the right flags.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sql } from "kysely";
import { repositoryFor } from "../data/repository.ts";
import { signInFor, TestClient } from "../test-support/harness.ts";
import {
  app,
  database,
  demoUser,
  newChild,
  partnership,
  toolId,
  useAssessmentsTestApp,
} from "./assessments-test-support.ts";
import { generateAssessments } from "./generate-assessments.ts";
import { repositoryTools } from "./tool-library.ts";

useAssessmentsTestApp();

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
