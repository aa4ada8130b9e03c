// SPDX-License-Identifier: MIT
/**
 * The tool library: the templates of the five strategies' tool shapes load, validate, are never
 * installed on their own, and once an administrator publishes one its assessment form renders; a tool
 * file uploaded as a real multipart body with a mistake is refused with the line and field named and
 * nothing is published; a good file is shown in full (sections, level rules on sample answers, the diff
 * against the previous version) and published only by the separate confirmation.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import type { AccessContext } from "../data/access-context.ts";
import { repositoryFor } from "../data/repository.ts";
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import {
  createTestPartnership,
  openTestDatabase,
  signInFor,
  startTestApp,
  TestClient,
} from "../test-support/harness.ts";
import { repositoryTools, templateTools } from "./tool-library.ts";
import { sampleOutcome, toolDiff } from "./tool-preview.ts";
import { parseToolYaml, type ToolContent } from "./tool-schema.ts";

let database: HearthDatabase;
let app: FastifyInstance;
let partnership: GeneratedPartnership;

const TEMPLATE_IDS = [
  "city-hackney-neglect-toolkit",
  "northamptonshire-neglect-assessment-tool",
  "portsmouth-nimt",
  "somerset-family-strengths-needs",
  "southampton-uha-levels-of-need",
];

before(async () => {
  database = await openTestDatabase();
  partnership = await createTestPartnership(database, 10);
  app = await startTestApp(database);
});

after(async () => {
  await app.close();
  await database.close();
});

const contentOf = (text: string): ToolContent => {
  const parsed = parseToolYaml(text);
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.errors.join("\n"));
  return parsed.content;
};

const ragText = () => repositoryTools().find((t) => t.content.id === "home-conditions-rag")?.text ?? "";

/** A real multipart/form-data body, as a browser sends a form with a file input. */
const multipart = (
  fields: Record<string, string>,
  file?: { field: string; filename: string; content: string | Buffer },
) => {
  const boundary = `----hearthtest${crypto.randomUUID().replaceAll("-", "")}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields))
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: application/x-yaml\r\n\r\n`,
      ),
      Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
      Buffer.from("\r\n"),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
};

const postMultipart = async (
  client: TestClient,
  url: string,
  fields: Record<string, string>,
  file?: { field: string; filename: string; content: string | Buffer },
) => {
  const body = multipart({ _csrf: client.csrfToken, ...fields }, file);
  const response = await client.app.inject({
    method: "POST",
    url,
    payload: body.payload,
    headers: { cookie: client.cookieHeader, "content-type": body.contentType },
  });
  const token = /name="_csrf" value="([^"]+)"/.exec(response.body);
  if (token?.[1]) client.csrfToken = token[1];
  return response;
};

const decode = (html: string) =>
  html
    .replaceAll("&#10;", "\n")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");

/** The publish form's hidden fields on a preview page. */
const publishFields = (html: string) => {
  const field = (name: string) =>
    decode(new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? "missing");
  return {
    toolText: field("toolText"),
    hash: field("hash"),
    previousVersionId: field("previousVersionId"),
  };
};

const versionCount = async () =>
  (
    await database.unsafeOwnerDb
      .selectFrom("assessment_tool_versions")
      .select("tool_version_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .execute()
  ).length;

let admin: TestClient | undefined;
/** The administrator, signed in once (a second factor's code is accepted only once). */
const signedInAdmin = async () => {
  if (admin) return admin;
  admin = new TestClient(app);
  const signIn = signInFor(partnership, "administrator");
  await admin.signIn(signIn.email, { totpSecret: partnership.administratorTotpSecret });
  return admin;
};

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
    const row = await database.unsafeOwnerDb
      .selectFrom("users")
      .select(["agency_id", "team_id"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("user_id", "=", practitioner.userId)
      .executeTakeFirstOrThrow();
    const context: AccessContext = {
      partnershipId: partnership.partnershipId,
      userId: practitioner.userId,
      role: "practitioner",
      agencyId: row.agency_id,
      teamId: row.team_id,
      sessionId: null,
      ip: "127.0.0.1",
    };

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
      const created = await repositoryFor(database, context).people.createPerson(
        {
          kind: "child",
          givenNames: "Template",
          familyName: `Shape${TEMPLATE_IDS.indexOf(content.id)}`,
          dateOfBirth: "2018-06-06",
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
      const tools = await repositoryFor(database, context).assessments.listTools();
      const tool = tools.find((t) => t.tool.slug === content.id);
      assert.ok(tool, `${content.id} is published`);
      await worker.get(`/people/${created.value.personId}/assessments`);
      const start = await worker.post(`/people/${created.value.personId}/assessments`, {
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
    const row = await database.unsafeOwnerDb
      .selectFrom("users")
      .select(["agency_id", "team_id"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("user_id", "=", practitioner.userId)
      .executeTakeFirstOrThrow();
    const preview = await repositoryFor(database, {
      partnershipId: partnership.partnershipId,
      userId: practitioner.userId,
      role: "practitioner",
      agencyId: row.agency_id,
      teamId: row.team_id,
      sessionId: null,
      ip: "127.0.0.1",
    }).toolLibrary.previewTool(ragText());
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
