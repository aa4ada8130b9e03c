// SPDX-License-Identifier: MIT
/**
 * The tool library in a real browser: an administrator uploads a tool file with a mistake through the
 * file input and is told the line and field, uploads a corrected new version and checks its preview (every
 * section, the rules on sample answers, the changes), publishes it, and checks a template. axe checks
 * every page on the way.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { repositoryTools } from "../../src/assessments/tool-library.ts";
import { currentTotpCode } from "../../src/auth/totp.ts";
import { DEMO_PASSWORD } from "../../src/generator/generate-partnership.ts";
import { signInFor } from "../../src/test-support/harness.ts";
import {
  assertNoViolations,
  type BrowserSuite,
  follow,
  heading,
  pathOf,
  press,
  startBrowserSuite,
  text,
} from "./support.ts";

const PAGES = [
  "assessment tools",
  "an upload refused",
  "preview of a new version",
  "published",
  "preview of a template",
] as const;

let suite: BrowserSuite;
let admin: Page;

before(async () => {
  suite = await startBrowserSuite(20);
});

after(async () => {
  await suite?.close();
});

const ragText = () => repositoryTools().find((t) => t.content.id === "home-conditions-rag")?.text ?? "";

const upload = async (page: Page, name: string, content: string) => {
  await page.getByLabel("The tool's YAML file").setInputFiles({
    name,
    mimeType: "application/x-yaml",
    buffer: Buffer.from(content),
  });
  await press(page, "Check the file");
};

describe("the tool library in a browser", () => {
  it("refuses a file with a mistake, previews a good one, and publishes only on confirmation", async () => {
    const account = signInFor(suite.partnership, "administrator");
    admin = await suite.openBrowser();
    await admin.goto(suite.url("/sign-in"));
    await admin.getByLabel("Email address").fill(account.email);
    await admin.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
    await press(admin, "Sign in");
    await admin
      .getByLabel("Enter your security code")
      .fill(currentTotpCode(suite.partnership.administratorTotpSecret));
    await press(admin, "Continue");
    await admin.goto(suite.url("/admin/assessment-tools"));
    assert.equal(await heading(admin), "Assessment tools");
    assert.match(await text(admin.locator("main")), /Your partnership loads its own text/);
    await suite.checkAccessibility(admin, "assessment tools");

    const broken = ragText()
      .replace("version: 1.0.0", "version: 1.2.0")
      .replace("direction: higher_worse", "direction: sideways");
    const line = broken.split("\n").findIndex((l) => l.includes("direction: sideways")) + 1;
    await upload(admin, "home-conditions-rag.yaml", broken);
    assert.match(
      await text(admin.locator(".govuk-error-summary")),
      new RegExp(`line ${line}: scales\\[0\\]\\.direction`),
    );
    await suite.checkAccessibility(admin, "an upload refused");

    const good = ragText()
      .replace("version: 1.0.0", "version: 1.2.0")
      .replace(
        "Kitchen: somewhere safe and clean to prepare food",
        "Kitchen: a safe, clean place to cook and eat",
      );
    await upload(admin, "home-conditions-rag.yaml", good);
    assert.equal(await heading(admin), "Home conditions checklist (demonstration), version 1.2.0");
    const main = await text(admin.locator("main"));
    assert.match(main, /What changed since version 1\.0\.0/);
    assert.match(main, /Kitchen: a safe, clean place to cook and eat/);
    assert.match(main, /What the level rules suggest for sample answers/);
    await suite.checkAccessibility(admin, "preview of a new version");

    await press(admin, "Publish version 1.2.0");
    assert.equal(pathOf(admin), "/admin/assessment-tools/publish");
    assert.match(
      await text(admin.locator(".govuk-notification-banner")),
      /Home conditions checklist \(demonstration\) version 1\.2\.0 is published/,
    );
    await suite.checkAccessibility(admin, "published");

    await follow(
      admin,
      "Check and publish Template: neglect identification and measurement checklist (Portsmouth shape)",
    );
    assert.match(await heading(admin), /Portsmouth shape/);
    assert.match(await text(admin.locator("main")), /This is a template: its wording is a placeholder/);
    await suite.checkAccessibility(admin, "preview of a template");
  });

  it("has no accessibility violations and no script or asset problems", () => {
    assertNoViolations(suite, PAGES);
    assert.deepEqual(suite.scriptProblems, []);
    assert.deepEqual([...suite.missingAssets], []);
  });
});
