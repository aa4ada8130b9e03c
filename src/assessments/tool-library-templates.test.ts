// SPDX-License-Identifier: MIT
/**
 * The tool library's templates: the five strategies' tool shapes load, validate, are never installed on
 * their own, suggest levels from sample answers, and once an administrator publishes one its assessment
 * form renders.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { repositoryFor } from "../data/repository.ts";
import { contextOfUser, signInFor, TestClient } from "../test-support/harness.ts";
import { createTestChild } from "../test-support/people.ts";
import { repositoryTools, templateTools } from "./tool-library.ts";
import {
  app,
  database,
  partnership,
  publishFields,
  signedInAdmin,
  TEMPLATE_IDS,
  useToolLibraryFixtures,
  versionCount,
} from "./tool-library-test-support.ts";
import { sampleOutcome } from "./tool-preview.ts";

useToolLibraryFixtures();

describe("the template tools", () => {
  it("are one per strategy's shape, each valid, with placeholder wording, and never installed on their own", async () => {
    const templates = templateTools();
    assert.deepEqual(
      templates.map((t) => t.content.id),
      TEMPLATE_IDS,
    );
    for (const template of templates) {
      assert.match(template.text, /PLACEHOLDER WORDING/);
      assert.match(template.content.purpose, /TEMPLATE WITH PLACEHOLDER WORDING/);
      assert.match(template.text, /loads its OWN text/);
      assert.deepEqual(
        template.content.levels.map((l) => l.code),
        ["universal", "additional", "targeted", "specialist"],
        `${template.file} maps to the four levels of need`,
      );
    }
    // The shapes differ: scale types, directions and how areas are combined.
    const shapes = templates.map((t) => ({
      scales: t.content.scales.map((s) => `${s.type}/${s.direction}/${s.points.length}`).join(),
      methods: [
        ...new Set(t.content.sections.flatMap((s) => s.domains.map((d) => d.aggregation.method))),
      ].join(),
    }));
    assert.equal(new Set(shapes.map((s) => `${s.scales} ${s.methods}`)).size, 5);
    const installed = repositoryTools().map((t) => t.content.id);
    for (const id of TEMPLATE_IDS) assert.ok(!installed.includes(id), `${id} is not a repository tool`);
    const slugs = (
      await database.unsafeOwnerDb
        .selectFrom("assessment_tools")
        .select("slug")
        .where("partnership_id", "=", partnership.partnershipId)
        .execute()
    ).map((r) => r.slug);
    for (const id of TEMPLATE_IDS) assert.ok(!slugs.includes(id), `${id} is not in a new partnership`);
  });

  it("suggest the lowest level for the best answers and a higher one for the worst", () => {
    for (const { content } of templateTools()) {
      const best = sampleOutcome(content, "6-11", "best");
      const worst = sampleOutcome(content, "6-11", "worst");
      assert.equal(best.level?.code, "universal", `${content.id}: best answers`);
      assert.equal(best.fired.length, 0, `${content.id}: no rule fires on the best answers`);
      assert.ok(
        ["targeted", "specialist"].includes(worst.level?.code ?? ""),
        `${content.id}: worst answers give ${worst.level?.code}`,
      );
    }
  });

  it("are listed, checked, published by an administrator, and their assessment forms render", async () => {
    const admin = await signedInAdmin();
    const library = await admin.get("/admin/assessment-tools");
    assert.equal(library.statusCode, 200);
    assert.match(library.body, /Templates of the strategies' tool shapes/);
    assert.match(library.body, /Your partnership loads its own text/);
    for (const template of templateTools()) {
      assert.ok(library.body.includes(`/admin/assessment-tools/templates/${template.content.id}"`));
    }
    const download = await admin.get(`/admin/assessment-tools/templates/${TEMPLATE_IDS[0]}/download`);
    assert.equal(download.statusCode, 200);
    assert.match(download.body, /PLACEHOLDER WORDING/);

    const practitioner = signInFor(partnership, "practitioner");
    const worker = new TestClient(app);
    await worker.signIn(practitioner.email);
    const context = await contextOfUser(database, partnership.partnershipId, { userId: practitioner.userId });

    for (const template of templateTools()) {
      const { content } = template;
      const before = await versionCount();
      const preview = await admin.get(`/admin/assessment-tools/templates/${content.id}`);
      assert.equal(preview.statusCode, 200, content.id);
      assert.match(preview.body, /This is a template: its wording is a placeholder/);
      assert.match(preview.body, /This is the first version of this tool in the partnership/);
      for (const section of content.sections)
        assert.ok(preview.body.includes(`${section.title.replaceAll("'", "&#39;")}</h3>`));
      assert.equal(await versionCount(), before, "checking a template publishes nothing");
      const published = await admin.post("/admin/assessment-tools/publish", publishFields(preview.body));
      assert.equal(published.statusCode, 200, content.id);
      assert.ok(published.body.includes(`version ${content.version} is published`), content.id);
      assert.equal(await versionCount(), before + 1);

      // The practitioner starts an assessment of a child aged 7 with it and opens every section.
      const childId = await createTestChild(repositoryFor(database, context).people, {
        givenNames: "Template",
        familyName: `Shape${TEMPLATE_IDS.indexOf(content.id)}`,
        dateOfBirth: "2018-06-06",
      });
      const tools = await repositoryFor(database, context).assessments.listTools();
      const tool = tools.find((t) => t.tool.slug === content.id);
      assert.ok(tool, `${content.id} is published`);
      await worker.get(`/people/${childId}/assessments`);
      const start = await worker.post(`/people/${childId}/assessments`, {
        toolId: tool.tool.tool_id,
        mode: "with-family",
        "assessedOn-day": "5",
        "assessedOn-month": "1",
        "assessedOn-year": "2026",
      });
      assert.equal(start.statusCode, 303, content.id);
      const base = String(start.headers.location);
      const overview = await worker.get(base);
      assert.equal(overview.statusCode, 200);
      for (const section of content.sections) {
        const page = await worker.get(`${base}/sections/${section.id}`);
        assert.equal(page.statusCode, 200, `${content.id} ${section.id}`);
        const firstItem = section.domains[0]?.items.find(
          (i) => !i.applies_to || i.applies_to.includes("6-11"),
        );
        assert.ok(firstItem);
        assert.ok(page.body.includes(firstItem.title.replaceAll('"', "&quot;").replaceAll("'", "&#39;")));
        assert.ok(page.body.includes(`name="answer-${firstItem.id}"`));
      }
    }
    const after = await admin.get("/admin/assessment-tools");
    assert.match(after.body, /Version 0\.1\.0/);
  });
});
