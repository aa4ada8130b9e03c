// SPDX-License-Identifier: MIT
/**
 * Uploading a tool file: a real multipart body with a mistake is refused with the line and field named and
 * nothing is published; a good file is shown in full (sections, level rules on sample answers, the diff
 * against the previous version) and published only by the separate confirmation; only an administrator
 * may upload, licensed content cannot follow a downloadable tool; and the diff between versions.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { repositoryFor } from "../data/repository.ts";
import { contextOfUser, signInFor, TestClient } from "../test-support/harness.ts";
import {
  app,
  contentOf,
  database,
  decode,
  partnership,
  postMultipart,
  publishFields,
  ragText,
  signedInAdmin,
  TEMPLATE_IDS,
  useToolLibraryFixtures,
  versionCount,
} from "./tool-library-test-support.ts";
import { toolDiff } from "./tool-preview.ts";

useToolLibraryFixtures();

describe("uploading a tool file", () => {
  it("refuses a file with a mistake, naming the line and the field, and publishes nothing", async () => {
    const admin = await signedInAdmin();
    await admin.get("/admin/assessment-tools");
    const before = await versionCount();
    const broken = ragText()
      .replace("version: 1.0.0", "version: 2.0.0")
      .replace(
        '{id: kitchen, title: "Kitchen: somewhere safe and clean to prepare food", scale: rag}',
        '{id: kitchen, title: "Kitchen", scale: rag, colour: red}',
      );
    const line = broken.split("\n").findIndex((l) => l.includes("colour: red}")) + 1;
    const refused = await postMultipart(
      admin,
      "/admin/assessment-tools",
      {},
      {
        field: "toolUpload",
        filename: "home.yaml",
        content: broken,
      },
    );
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /The file was not published/);
    assert.ok(
      refused.body.includes(
        `line ${line}: sections[0].domains[0].items[0].colour: this field is not part of a tool file`,
      ),
      "names the line and the field",
    );
    assert.match(refused.body, /href="#toolUpload"/);

    const badScale = ragText()
      .replace("version: 1.0.0", "version: 2.0.0")
      .replace("scale: rag}", "scale: s7}");
    const scaleLine = badScale.split("\n").findIndex((l) => l.includes("scale: s7}")) + 1;
    const second = await postMultipart(
      admin,
      "/admin/assessment-tools",
      {},
      { field: "toolUpload", filename: "home.yaml", content: badScale },
    );
    assert.equal(second.statusCode, 400);
    assert.ok(
      second.body.includes(
        `line ${scaleLine}: sections[0].domains[0].items[0].scale: unknown scale &quot;s7&quot;`,
      ),
    );
    const notText = await postMultipart(
      admin,
      "/admin/assessment-tools",
      {},
      { field: "toolUpload", filename: "home.yaml", content: Buffer.from([0xff, 0xfe, 0x00, 0x41]) },
    );
    assert.equal(notText.statusCode, 400);
    assert.match(notText.body, /this one is not text/);
    const tooLarge = await postMultipart(
      admin,
      "/admin/assessment-tools",
      {},
      { field: "toolUpload", filename: "big.yaml", content: `${ragText()}${"# padding\n".repeat(60_000)}` },
    );
    assert.equal(tooLarge.statusCode, 400);
    assert.match(tooLarge.body, /The file must be smaller than 500 KB/);
    const empty = await postMultipart(admin, "/admin/assessment-tools", {});
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Choose the tool&#39;s YAML file, or paste its text/);
    assert.equal(await versionCount(), before, "nothing is published");
  });

  it("shows every section, the rule outcomes on sample answers and the diff before a separate publish", async () => {
    const admin = await signedInAdmin();
    await admin.get("/admin/assessment-tools");
    const before = await versionCount();
    const next = ragText()
      .replace("version: 1.0.0", "version: 1.5.0")
      .replace(
        "Kitchen: somewhere safe and clean to prepare food",
        "Kitchen: a safe, clean place to cook and eat",
      )
      .replace(
        '          - {id: animals, title: "Pets are cared for and kept safely around children", scale: rag}\n',
        "",
      )
      .replace(
        '          - {id: heating, title: "Heating: the home is kept warm enough", scale: rag}\n',
        '          - {id: heating, title: "Heating: the home is kept warm enough", scale: rag}\n          - {id: damp, title: "Damp and mould are dealt with", scale: rag}\n',
      );
    const preview = await postMultipart(
      admin,
      "/admin/assessment-tools",
      {},
      { field: "toolUpload", filename: "home-conditions-rag.yaml", content: next },
    );
    assert.equal(preview.statusCode, 200);
    assert.equal(await versionCount(), before, "checking a file publishes nothing");
    const body = decode(preview.body);
    assert.match(body, /What changed since version 1\.0\.0/);
    assert.match(
      body,
      /Added<\/td>\s*<td class="govuk-table__cell">Item<\/td>\s*<td class="govuk-table__cell">Damp and mould/,
    );
    assert.match(
      body,
      /Removed<\/td>\s*<td class="govuk-table__cell">Item<\/td>\s*<td class="govuk-table__cell">Pets are cared for/,
    );
    assert.match(
      body,
      /title: "Kitchen: somewhere safe and clean to prepare food" → "Kitchen: a safe, clean place to cook and eat"/,
    );
    // Every section and item is shown, as practitioners will meet them.
    assert.match(body, /Part 1: The home<\/h3>/);
    assert.match(body, /Stairs and windows are made safe for young children/);
    // The level rules on sample answers: best → none, middle → advice, worst → urgent.
    assert.match(body, /What the level rules suggest for sample answers/);
    assert.match(
      body,
      /Aged 6 to 11<\/th>\s*<td class="govuk-table__cell">No action on home conditions \(no rule fired\)<\/td>\s*<td class="govuk-table__cell">Advice and support with home conditions<\/td>\s*<td class="govuk-table__cell">Urgent action on home conditions<\/td>/,
    );
    assert.match(body, /any-red \(Urgent action on home conditions, the level suggested\)/);

    const fields = publishFields(preview.body);
    assert.equal(fields.toolText, next);
    // A publish of another text than the one checked is refused.
    const tampered = await admin.post("/admin/assessment-tools/publish", {
      ...fields,
      toolText: next.replace("Damp and mould", "Damp"),
    });
    assert.equal(tampered.statusCode, 400);
    assert.match(tampered.body, /the file is not the one that was checked/);
    assert.equal(await versionCount(), before);

    const published = await postMultipart(admin, "/admin/assessment-tools/publish", fields);
    assert.equal(published.statusCode, 200);
    assert.match(published.body, /version 1\.5\.0 is published/);
    assert.equal(await versionCount(), before + 1);

    // The same file again: nothing to publish.
    const again = await postMultipart(
      admin,
      "/admin/assessment-tools",
      {},
      { field: "toolUpload", filename: "home-conditions-rag.yaml", content: next },
    );
    assert.equal(again.statusCode, 200);
    assert.match(again.body, /already published with exactly this content/);
    assert.doesNotMatch(again.body, /name="toolText"/);
  });

  it("is denied to anyone but an administrator", async () => {
    const practitioner = signInFor(partnership, "practitioner");
    const worker = new TestClient(app);
    await worker.signIn(practitioner.email);
    const before = await versionCount();
    const refused = await postMultipart(
      worker,
      "/admin/assessment-tools",
      {},
      { field: "toolUpload", filename: "x.yaml", content: ragText().replace("1.0.0", "9.0.0") },
    );
    assert.equal(refused.statusCode, 403);
    const publish = await worker.post("/admin/assessment-tools/publish", {
      toolText: ragText().replace("1.0.0", "9.0.0"),
      hash: "x",
      previousVersionId: "",
    });
    assert.equal(publish.statusCode, 403);
    assert.equal((await worker.get(`/admin/assessment-tools/templates/${TEMPLATE_IDS[0]}`)).statusCode, 403);
    assert.equal(await versionCount(), before);
    const preview = await repositoryFor(
      database,
      await contextOfUser(database, partnership.partnershipId, { userId: practitioner.userId }),
    ).toolLibrary.previewTool(ragText());
    assert.equal(preview.ok, false);
    assert.equal((await repositoryFor(database, undefined).toolLibrary.previewTool(ragText())).ok, false);
  });

  it("refuses licensed content as a later version of a tool whose versions can be downloaded", async () => {
    const admin = await signedInAdmin();
    await admin.get("/admin/assessment-tools");
    const licensed = ragText()
      .replace("version: 1.0.0", "version: 3.0.0")
      .replace(
        'licence: {kind: own, attribution: "Hearth project, MIT licence"}',
        'licence: {kind: licensed_third_party, attribution: "Someone else, under licence"}',
      );
    const refused = await postMultipart(
      admin,
      "/admin/assessment-tools",
      {},
      { field: "toolUpload", filename: "x.yaml", content: licensed },
    );
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /publish licensed third-party content under a tool id of its own/);
  });
});

describe("the diff between versions", () => {
  it("matches a renamed item through the equivalence map and names changed fields", () => {
    const before = contentOf(ragText());
    const after = contentOf(
      ragText()
        .replace("version: 1.0.0", "version: 1.1.0")
        .replace("{id: kitchen,", "{id: kitchen-food,")
        .replace(
          "id: home-conditions-rag\n",
          "id: home-conditions-rag\nequivalence: {kitchen: kitchen-food}\n",
        )
        .replace("aggregation: {method: count_at_or_worse, at_or_worse: 2}", "aggregation: {method: worst}"),
    );
    const diff = toolDiff(before, after);
    const renamed = diff.find((d) => d.change === "renamed");
    assert.equal(renamed?.id, "kitchen-food");
    assert.deepEqual(renamed?.details, ['id: "kitchen" → "kitchen-food"']);
    assert.ok(!diff.some((d) => d.change === "removed" || d.change === "added"));
    const hazards = diff.find((d) => d.id === "hazards");
    assert.deepEqual(hazards?.details, ["aggregation changed"]);
    assert.deepEqual(toolDiff(before, before), []);
  });
});
