// SPDX-License-Identifier: MIT
/**
 * A neglect assessment in a real browser: a practitioner completes the Hearth child needs profile for a
 * 4-year-old with the family's view and the child's voice, submits it, and a manager signs it off; a
 * second assessment three months later shows both readings per area on the change-over-time charts,
 * with distance travelled. axe checks every page on the way.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import type { AccessContext } from "../../src/data/access-context.ts";
import { repositoryFor } from "../../src/data/repository.ts";
import { signInFor } from "../../src/test-support/harness.ts";
import { createTestChild } from "../../src/test-support/people.ts";
import {
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

const PAGES = [
  "child's assessments",
  "assessment overview (draft)",
  "about this assessment",
  "a section of the profile",
  "a section with suggestions to confirm",
  "the family's view",
  "the child's voice",
  "targets",
  "check and submit",
  "assessment waiting for sign-off",
  "manager's sign-off",
  "signed-off results",
  "change over time",
] as const;

let suite: BrowserSuite;

const isoDaysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
const fillDate = async (page: Page, prefix: string, iso: string) => {
  await page.locator(`input[name="${prefix}-day"]`).fill(String(Number(iso.slice(8, 10))));
  await page.locator(`input[name="${prefix}-month"]`).fill(String(Number(iso.slice(5, 7))));
  await page.locator(`input[name="${prefix}-year"]`).fill(iso.slice(0, 4));
};
const choose = (page: Page, name: string, value: string) =>
  page.locator(`input[name="${name}"][value="${value}"]`).check();

/** Grades per area (1 best, 5 worst): the baseline, and the review three months later. */
const BASELINE: Record<string, number> = {
  "physical-care": 3,
  nutrition: 4,
  "health-dental": 2,
  "education-stimulation": 3,
  "emotional-warmth": 2,
  "supervision-safety": 4,
};
const REVIEW: Record<string, number> = {
  "physical-care": 2,
  nutrition: 3,
  "health-dental": 2,
  "education-stimulation": 2,
  "emotional-warmth": 1,
  "supervision-safety": 3,
};

/** Answers every section: each item at its area's grade, saved, then each area's grade confirmed. */
const answerSections = async (page: Page, grades: Record<string, number>, check: boolean) => {
  for (let section = 0; section < 3; section += 1) {
    const names = await page
      .locator('input[type="radio"][name^="answer-"]')
      .evaluateAll((inputs) => [...new Set(inputs.map((input) => (input as HTMLInputElement).name))]);
    const domainIds = await page
      .locator('input[type="radio"][name^="judgement-"]')
      .evaluateAll((inputs) => [
        ...new Set(inputs.map((input) => (input as HTMLInputElement).name.replace("judgement-", ""))),
      ]);
    if (check && section === 0) await suite.checkAccessibility(page, "a section of the profile");
    // Items belong to the area whose judgement follows them on the page.
    const itemDomains = await page.evaluate(() => {
      const map: Record<string, string> = {};
      let pending: string[] = [];
      for (const input of document.querySelectorAll<HTMLInputElement>('input[type="radio"]')) {
        if (input.name.startsWith("answer-") && !pending.includes(input.name)) pending.push(input.name);
        if (input.name.startsWith("judgement-")) {
          for (const name of pending) map[name] = input.name.replace("judgement-", "");
          pending = [];
        }
      }
      return map;
    });
    for (const name of names) {
      await choose(page, name, String(grades[itemDomains[name] ?? ""] ?? 2));
      await page.locator(`input[name="${name.replace("answer-", "sources-")}"][value="observed"]`).check();
    }
    await press(page, "Save");
    assert.match(await text(page.locator(".govuk-notification-banner")), /saved/);
    if (check && section === 0) await suite.checkAccessibility(page, "a section with suggestions to confirm");
    for (const id of domainIds) {
      const suggestion = await text(page.locator(`#grades-${id}`));
      assert.match(
        suggestion,
        new RegExp(`from the answers saved: ${grades[id]}:`),
        `${id} suggests ${grades[id]}`,
      );
      await choose(page, `judgement-${id}`, String(grades[id]));
    }
    await press(page, "Save and continue");
  }
};

before(async () => {
  suite = await startBrowserSuite(30);
});

after(async () => {
  await suite?.close();
});

describe("a neglect assessment with the family, signed off, then reviewed", () => {
  it("shows both readings per area on the change chart with distance travelled, and passes axe", async () => {
    const practitionerSignIn = signInFor(suite.partnership, "practitioner");
    const row = await suite.database.unsafeOwnerDb
      .selectFrom("users")
      .select(["agency_id", "team_id"])
      .where("partnership_id", "=", suite.partnership.partnershipId)
      .where("user_id", "=", practitionerSignIn.userId)
      .executeTakeFirstOrThrow();
    const context: AccessContext = {
      partnershipId: suite.partnership.partnershipId,
      userId: practitionerSignIn.userId,
      role: "practitioner",
      agencyId: row.agency_id,
      teamId: row.team_id,
      sessionId: null,
      ip: "127.0.0.1",
    };
    const personId = await createTestChild(
      repositoryFor(suite.database, context).people,
      { givenNames: "Poppy", familyName: "Larkworthy", dateOfBirth: isoDaysAgo(4 * 365 + 200) },
      { startedOn: isoDaysAgo(200) },
    );

    const practitioner = await suite.openBrowser();
    await signInWithPassword(suite, practitioner, practitionerSignIn.email);
    const manager = await suite.openBrowser();
    await signInWithPassword(suite, manager, signInFor(suite.partnership, "manager").email);

    const complete = async (
      assessedOn: string,
      grades: Record<string, number>,
      level: RegExp,
      check: boolean,
    ) => {
      await practitioner.goto(suite.url(`/people/${personId}`));
      await follow(practitioner, "Neglect assessments");
      assert.equal(await heading(practitioner), "Neglect assessments");
      if (check) await suite.checkAccessibility(practitioner, "child's assessments");
      await practitioner.getByRole("radio", { name: "Hearth child needs profile" }).check();
      await practitioner.getByRole("radio", { name: "With the family" }).check();
      await fillDate(practitioner, "assessedOn", assessedOn);
      await press(practitioner, "Start assessment");
      const base = pathOf(practitioner);
      assert.match(base, /^\/assessments\/[0-9a-f-]{36}$/);
      if (check) await suite.checkAccessibility(practitioner, "assessment overview (draft)");

      await practitioner.goto(suite.url(`${base}/details`));
      await fillDate(practitioner, "visitedOn", assessedOn);
      await choose(practitioner, "announced", "no");
      await choose(practitioner, "childSeen", "yes");
      await press(practitioner, "Add visit");
      assert.match(await text(practitioner.locator("table").first()), /Unannounced/);
      if (check) await suite.checkAccessibility(practitioner, "about this assessment");

      await practitioner.goto(suite.url(`${base}/sections/everyday-care`));
      await answerSections(practitioner, grades, check);
      assert.equal(pathOf(practitioner), base);

      await follow(practitioner, "The family's view");
      assert.equal(await heading(practitioner), "What we think, and what you think");
      if (check) await suite.checkAccessibility(practitioner, "the family's view");
      await choose(practitioner, "agreement-nutrition", "partly");
      await practitioner.locator("#comment-nutrition").fill("We run out of food before payday");
      await choose(practitioner, "ownScaling", "6");
      await fillDate(practitioner, "seenScoresOn", assessedOn);
      await press(practitioner, "Save the family's view");

      await follow(practitioner, "The child's voice");
      if (check) await suite.checkAccessibility(practitioner, "the child's voice");
      await choose(practitioner, "method", "drawing");
      await practitioner.locator("#words").fill("Drew her family at the table; said 'I'm hungry at night'");
      await choose(practitioner, "scaling", "5");
      await press(practitioner, "Save the child's voice");

      await follow(practitioner, "Targets and review dates");
      await practitioner.locator("#nodeId").selectOption("enough-food");
      await practitioner.locator("#targetValue").selectOption("2");
      await practitioner.locator("#whatWillChange").fill("Food bank referral and budgeting support");
      await fillDate(practitioner, "reviewOn", isoDaysAgo(-90));
      await press(practitioner, "Add target");
      assert.match(await text(practitioner.locator("table")), /Enough food, regularly/);
      if (check) await suite.checkAccessibility(practitioner, "targets");

      await practitioner.goto(suite.url(`${base}/check`));
      assert.match(await text(practitioner.locator("[data-testid=suggested-level]")), level);
      if (check) await suite.checkAccessibility(practitioner, "check and submit");
      await press(practitioner, "Submit for sign-off");
      assert.match(await text(practitioner.locator(".govuk-tag").first()), /Waiting for sign-off/);
      if (check) await suite.checkAccessibility(practitioner, "assessment waiting for sign-off");

      await manager.goto(suite.url(base));
      await manager.getByRole("button", { name: "Review and sign off" }).click();
      await manager.waitForURL(/\/check$/);
      assert.match(await text(manager.locator("h1")), /Review and sign off/);
      if (check) await suite.checkAccessibility(manager, "manager's sign-off");
      await choose(manager, "decision", "sign-off");
      await manager.locator("#comments").fill("Agreed. Step up to a team around the family.");
      await press(manager, "Record decision");
      assert.match(await text(manager.locator(".govuk-tag").first()), /Signed off/);
      if (check) await suite.checkAccessibility(manager, "signed-off results");
      return base;
    };

    const firstDate = isoDaysAgo(91);
    await complete(firstDate, BASELINE, /Level 3: targeted/, true);
    await complete(isoDaysAgo(0), REVIEW, /Level 2: early help/, false);

    const events = await suite.database.unsafeOwnerDb
      .selectFrom("chronology_events")
      .select("event_type")
      .where("partnership_id", "=", suite.partnership.partnershipId)
      .where("person_id", "=", personId)
      .execute();
    assert.equal(events.filter((e) => e.event_type === "neglect-assessment").length, 2);

    await manager.goto(suite.url(`/people/${personId}/assessments`));
    await follow(manager, "Change over time with the Hearth child needs profile");
    assert.equal(await heading(manager), "Change over time");
    await suite.checkAccessibility(manager, "change over time");
    for (const [domain, baseline] of Object.entries(BASELINE)) {
      const section = manager.locator(`section[aria-labelledby="domain-${domain}"]`);
      assert.equal(await section.locator("svg[role=img]").count(), 1, `${domain} has a chart`);
      assert.equal(await section.locator("tbody tr").count(), 2, `${domain} has both readings`);
      assert.equal(await section.locator("svg circle").count(), 2, `${domain} draws both readings`);
      const steps = baseline - (REVIEW[domain] ?? baseline);
      const distance = await text(manager.getByTestId(`distance-${domain}`));
      assert.match(
        distance,
        steps === 0
          ? /No change since the baseline/
          : new RegExp(`${steps} grades? better since the baseline`),
        `${domain}: ${distance}`,
      );
    }
    assertNoViolations(suite, PAGES);
    assert.deepEqual(suite.scriptProblems, []);
    assert.deepEqual([...suite.missingAssets], []);
  });
});
