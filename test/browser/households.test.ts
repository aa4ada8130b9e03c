// SPDX-License-Identifier: MIT
/**
 * Households, relationships and the partnership's settings in a real browser, at desktop width and at
 * 390 px: the safeguarding lead opens a child's households, adds the mother's new
 * partner (another adult in the household), records that he left, and edits a level of need's
 * description on the settings page. axe checks every page, at both widths.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { createFamily, findUser, type TestFamily } from "../../src/test-support/families.ts";
import {
  andWait,
  assertNoViolations,
  type BrowserSuite,
  follow,
  heading,
  pathOf,
  press,
  signInWithPassword,
  startBrowserSuite,
  text,
} from "./support.ts";

const WIDTHS = [
  ["desktop", { width: 1280, height: 900 }],
  ["390px", { width: 390, height: 844 }],
] as const;
const PAGE_NAMES = [
  "person's households",
  "household",
  "household with errors",
  "household after adding an adult",
  "household after an ending",
  "settings",
  "settings with errors",
  "settings saved",
] as const;
const PAGES = WIDTHS.flatMap(([width]) => PAGE_NAMES.map((name) => `${name} (${width})`));

let suite: BrowserSuite;
let family: TestFamily;

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
const fillDate = async (page: Page, prefix: string, iso: string) => {
  await page
    .locator(`input[name="${prefix}-day"]`)
    .first()
    .fill(String(Number(iso.slice(8, 10))));
  await page
    .locator(`input[name="${prefix}-month"]`)
    .first()
    .fill(String(Number(iso.slice(5, 7))));
  await page.locator(`input[name="${prefix}-year"]`).first().fill(iso.slice(0, 4));
};
const choose = (page: Page, name: string, value: string) =>
  page.locator(`input[name="${name}"][value="${value}"]`).first().check();

before(async () => {
  suite = await startBrowserSuite(10);
  family = await createFamily(suite.database, {
    partnershipId: suite.partnership.partnershipId,
    familyName: "Brackenbury",
  });
});

after(async () => {
  await suite?.close();
});

describe("households and settings in the browser", () => {
  for (const [width, viewport] of WIDTHS) {
    it(`are used by the safeguarding lead at ${width}, with axe on every page`, async () => {
      const lead = await findUser(suite.database, suite.partnership.partnershipId, {
        role: "safeguarding-lead",
      });
      const page = await suite.openBrowser();
      await page.setViewportSize(viewport);
      await signInWithPassword(suite, page, lead.email);
      const check = (name: (typeof PAGE_NAMES)[number]) =>
        suite.checkAccessibility(page, `${name} (${width})`);

      await page.goto(suite.url(`/people/${family.babyId}/households`));
      assert.equal(await heading(page), "Households and relationships");
      assert.match(
        await text(page.locator("main")),
        /Dean Holloway is the parent's partner of Poppy Brackenbury/,
      );
      await check("person's households");

      await follow(page, "14 Cinder Lane, Anytown ZZ1 1ZZ");
      assert.equal(pathOf(page), `/households/${family.householdId}`);
      assert.match(await text(page.locator("main")), /Other adult in the household/);
      await check("household");

      await press(page, "Add the adult");
      assert.match(await text(page.locator(".govuk-error-summary")), /Enter their given names/);
      await check("household with errors");

      const adult = width === "desktop" ? "Ryan Ashdown" : "Callum Fenwick";
      await page.getByLabel("Given names").fill(adult.split(" ")[0] ?? "");
      await page.getByLabel("Family name").fill(adult.split(" ")[1] ?? "");
      await choose(page, "sex", "M");
      await choose(page, "householdRole", "other-adult");
      await fillDate(page, "adultValidFrom", daysAgo(14));
      await press(page, "Add the adult");
      assert.match(await text(page.locator(".govuk-notification-banner")), /added to the household/);
      await check("household after adding an adult");

      const card = page.locator(".govuk-summary-card", { hasText: adult });
      await card.locator("summary").click();
      const prefix = await card.locator("textarea").getAttribute("name");
      assert.ok(prefix);
      await fillDate(page, prefix.replace(/-reason$/, "-validTo"), daysAgo(2));
      await card.locator("textarea").fill("Left after an argument; mother told the health visitor");
      await andWait(page, () => card.getByRole("button", { name: "Record that they left" }).click());
      assert.match(await text(page.locator(".govuk-notification-banner")), /end of the membership/);
      await check("household after an ending");

      await page.goto(suite.url("/settings"));
      assert.equal(await heading(page), "Levels of need and timescales");
      await check("settings");
      await page.locator("#notBroughtThreshold").fill("0");
      await press(page, "Save a new version");
      assert.match(await text(page.locator(".govuk-error-summary")), /must be a whole number/);
      await check("settings with errors");
      await page.locator("#notBroughtThreshold").fill("4");
      await page
        .locator("#level-targeted-description")
        .fill(`Complex needs (${width}): a team around the family.`);
      await page.locator("#reason").fill(`Partnership board decision (${width})`);
      await press(page, "Save a new version");
      assert.match(await text(page.locator("main")), new RegExp(`Partnership board decision \\(${width}\\)`));
      await check("settings saved");
    });
  }

  it("have no accessibility violations, script errors or missing assets", () => {
    assertNoViolations(suite, PAGES);
    assert.deepEqual(suite.scriptProblems, []);
    assert.deepEqual([...suite.missingAssets], []);
  });
});
