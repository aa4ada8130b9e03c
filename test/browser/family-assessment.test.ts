// SPDX-License-Identifier: MIT
/**
 * A family assessment in a real browser, with axe on every page at desktop width and at 390 px (and no
 * sideways scroll on a phone): a health visitor completes the Hearth family neglect screen for two
 * siblings with their mother (the parents' areas once, each child's own areas and words, the family's
 * words) and submits it; her manager opens the sign-off, reads each child's areas with their evidence,
 * returns it once with a reason; the health visitor changes it and submits again; the manager signs it
 * off, and each child's assessment is signed off.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import type { AccessContext } from "../../src/data/access-context.ts";
import { repositoryFor } from "../../src/data/repository.ts";
import { createTestChild } from "../../src/test-support/people.ts";
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

let suite: BrowserSuite;
const pages: string[] = [];

/** axe at desktop width, then at 390 px with no sideways scroll, then the width restored. */
const check = async (page: Page, name: string) => {
  const desktop = page.viewportSize() ?? { width: 1280, height: 720 };
  await suite.checkAccessibility(page, name);
  await page.setViewportSize({ width: 390, height: 844 });
  await suite.checkAccessibility(page, `${name} at 390 px`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  const sticksOut = await page.evaluate(() =>
    Array.from(document.querySelectorAll("main *"))
      .filter((el) => el.getBoundingClientRect().right > 391 && !el.closest(".govuk-visually-hidden"))
      .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right)
      .slice(0, 3)
      .map(
        (el) => `${el.tagName.toLowerCase()}.${el.className}: ${(el.textContent ?? "").trim().slice(0, 80)}`,
      ),
  );
  assert.ok(wide <= 390, `${name} fits 390 px (it is ${wide} px wide): ${sticksOut.join(" | ")}`);
  await page.setViewportSize(desktop);
  pages.push(name, `${name} at 390 px`);
};

const signIn = async (email: string): Promise<Page> => {
  const page = await suite.openBrowser();
  page.setDefaultTimeout(120_000);
  page.setDefaultNavigationTimeout(120_000);
  await signInWithPassword(suite, page, email);
  return page;
};

const choose = (form: ReturnType<Page["locator"]>, name: string, value: string) =>
  form.locator(`input[name="${name}"][value="${value}"]`).check();

const AREAS = ["physical", "nutrition", "health", "education", "emotional", "supervision"];

/** Answers one child's own areas in their form on the family's page, with their words, and saves. */
const answerChild = async (page: Page, index: number, name: string, grades: number[], words: string) => {
  const form = page.locator('form[action*="/children/"]').nth(index);
  for (const [i, area] of AREAS.entries()) {
    await choose(form, `answer-s-${area}-signs`, String(grades[i]));
    await choose(form, `sources-s-${area}-signs`, "observed");
    await form
      .locator(`textarea[name="evidence-s-${area}-signs"]`)
      .fill(`${name}: ${area} seen on the visit`);
  }
  await choose(form, "method", "words");
  await form.locator('textarea[name="words"]').fill(words);
  await form.locator('select[name="scaling"]').selectOption("7");
  await andWait(page, () => form.getByRole("button", { name: `Save ${name}'s answers` }).click());
  assert.match(await text(page.locator(".govuk-notification-banner")), /saved/);
};

before(async () => {
  suite = await startBrowserSuite(30);
});

after(async () => {
  await suite?.close();
});

describe("a family screening of two siblings with their mother", () => {
  it("is completed by the health visitor, returned once with a reason by the manager, then signed off", async () => {
    const { database, partnership } = suite;
    const hv = partnership.signIns.find((s) => s.email.startsWith("health-visitor@"));
    assert.ok(hv);
    const hvRow = await database.unsafeOwnerDb
      .selectFrom("users")
      .select(["agency_id", "team_id"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("user_id", "=", hv.userId)
      .executeTakeFirstOrThrow();
    // The health visiting team's manager signs off the team's assessments.
    const manager = await database.unsafeOwnerDb
      .selectFrom("users")
      .select(["email"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("agency_id", "=", hvRow.agency_id)
      .where("role", "=", "manager")
      .where("totp_secret", "is", null)
      .orderBy((eb) => eb.case().when("team_id", "=", hvRow.team_id).then(0).else(1).end(), "asc")
      .orderBy("email")
      .executeTakeFirstOrThrow();
    const context: AccessContext = {
      partnershipId: partnership.partnershipId,
      userId: hv.userId,
      role: "practitioner",
      agencyId: hvRow.agency_id,
      teamId: hvRow.team_id,
      sessionId: null,
      ip: "127.0.0.1",
    };
    const people = repositoryFor(database, context).people;
    const child = (givenNames: string, dateOfBirth: string) =>
      createTestChild(people, { givenNames, familyName: "Brightwater", dateOfBirth });
    const mia = await child("Mia", "2021-05-01");
    const leo = await child("Leo", "2024-02-01");
    const households = repositoryFor(database, context).households;
    const home = await households.startHousehold({
      personId: mia,
      address: { addressLine: "9 Willow Close", town: null, postcode: null },
      householdRole: "child",
      validFrom: "2024-02-01",
    });
    assert.ok(home.ok, JSON.stringify(home));
    const joined = await households.addMember({
      householdId: home.value.householdId,
      personId: leo,
      householdRole: "child",
      validFrom: "2024-02-01",
    });
    assert.ok(joined.ok, JSON.stringify(joined));

    // The health visitor starts the family screening from Mia's assessments.
    const page = await signIn(hv.email);
    await page.goto(suite.url(`/people/${mia}/assessments`));
    await follow(page, "Assess Mia with their brothers and sisters");
    assert.equal(await heading(page), "Assess Mia with their brothers and sisters");
    await check(page, "start a family assessment");
    await page.getByLabel("Leo Brightwater").check();
    await page.getByLabel("Hearth family neglect screen").check();
    await page.getByLabel("With the family").check();
    await press(page, "Start family assessment");
    assert.match(pathOf(page), /^\/family-assessments\/[0-9a-f-]{36}$/);
    const base = pathOf(page);
    assert.equal(await heading(page), "Hearth family neglect screen: Mia and Leo");
    await check(page, "the family's page");

    // The parents' areas, once for the family.
    const shared = page.locator('form[action$="/shared"]');
    await choose(shared, "answer-f-carers-signs", "2");
    await choose(shared, "sources-f-carers-signs", "carer");
    await shared
      .locator('textarea[name="evidence-f-carers-signs"]')
      .fill("Mum says her low mood makes mornings hard");
    await choose(shared, "answer-f-home-signs", "1");
    await choose(shared, "sources-f-home-signs", "observed");
    await shared.locator('textarea[name="evidence-f-home-signs"]').fill("Warm and tidy on the visit");
    await andWait(page, () => shared.getByRole("button", { name: "Save the family's answers" }).click());
    assert.match(await text(page.locator(".govuk-notification-banner")), /saved/);

    // Each child's own areas and words (Mia is the older, so first).
    await answerChild(page, 0, "Mia", [1, 1, 1, 1, 1, 1], "I like my bedroom");
    await answerChild(page, 1, "Leo", [1, 2, 1, 1, 1, 3], "Leo babbles and reaches for Mum");
    const words = page.locator('form[action$="/words"]');
    await words.locator('textarea[name="comments"]').fill("We are trying our best with two little ones");
    await words.locator('select[name="ownScaling"]').selectOption("6");
    await andWait(page, () => words.getByRole("button", { name: "Save the family's words" }).click());
    const each = await text(page.getByTestId("each-child"));
    assert.match(
      each,
      /Mia Brightwater [^.]*\. Draft\. Suggested level of need: Keep under review; talk with the family/,
    );
    assert.match(
      each,
      /Leo Brightwater [^.]*\. Draft\. Suggested level of need: Complete the Hearth child needs profile/,
    );
    await check(page, "the family's page, answered");

    await press(page, "Check and submit");
    assert.equal(await heading(page), "Check and submit");
    await check(page, "check and submit the family assessment");
    await press(page, "Submit for sign-off");
    assert.match(await text(page.locator(".govuk-notification-banner")), /submitted for sign-off/);

    // The manager opens the sign-off from a child's assessment and reads each area's evidence.
    const managerPage = await signIn(manager.email);
    const miaAssessment = await database.unsafeOwnerDb
      .selectFrom("assessments")
      .select("assessment_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("person_id", "=", mia)
      .executeTakeFirstOrThrow();
    await managerPage.goto(suite.url(`/assessments/${miaAssessment.assessment_id}`));
    await follow(managerPage, "Open the family assessment");
    await check(managerPage, "the family's page, waiting for sign-off");
    await follow(managerPage, "Review and sign off");
    assert.equal(await heading(managerPage), "Review and sign off");
    await check(managerPage, "the manager's sign-off of the family");
    for (const [index, name] of [
      [1, "Mia"],
      [2, "Leo"],
    ] as const) {
      const carers = await text(managerPage.getByTestId(`c${index}-area-f-carers`));
      assert.match(carers, /Some concern/);
      assert.match(carers, /Mum says her low mood makes mornings hard \(Told by a parent or carer\)/);
      assert.match(carers, /First reading with this tool/);
      for (const area of AREAS) {
        const evidence = await text(managerPage.getByTestId(`c${index}-area-s-${area}`));
        assert.match(evidence, new RegExp(`${name}: ${area} seen on the visit \\(Observed\\)`));
      }
    }
    assert.match(await text(managerPage.getByTestId("c2-area-s-supervision")), /Significant concern/);
    assert.match(await text(managerPage.getByTestId("child-1")), /I like my bedroom/);
    assert.match(await text(managerPage.getByTestId("child-2")), /Leo babbles and reaches for Mum/);
    assert.match(await text(managerPage.locator("main")), /We are trying our best with two little ones/);

    // Returned once, with a reason.
    await managerPage.getByLabel("Return it to the practitioner").check();
    await managerPage.getByLabel("If you return it: why").fill("Say what will keep Leo safe near the stairs");
    await press(managerPage, "Record decision");
    assert.match(
      await text(managerPage.locator(".govuk-notification-banner")),
      /returned to the practitioner/,
    );

    // The health visitor sees the reason, changes Leo's supervision, and submits again.
    await page.goto(suite.url(base));
    assert.match(
      await text(page.locator(".govuk-inset-text").first()),
      /Returned by the manager: Say what will keep Leo safe near the stairs/,
    );
    const leoForm = page.locator('form[action*="/children/"]').nth(1);
    await choose(leoForm, "answer-s-supervision-signs", "2");
    await leoForm
      .locator('textarea[name="evidence-s-supervision-signs"]')
      .fill("Stair gate fitted; Mum agreed a plan with the health visitor");
    await andWait(page, () => leoForm.getByRole("button", { name: "Save Leo's answers" }).click());
    await press(page, "Check and submit");
    await press(page, "Submit for sign-off");

    // The manager signs it off: each child's assessment is signed off.
    await managerPage.goto(suite.url(`${base}/check`));
    assert.match(
      await text(managerPage.getByTestId("c2-area-s-supervision")),
      /Stair gate fitted; Mum agreed a plan with the health visitor/,
    );
    await managerPage.getByLabel("Sign off the family assessment").check();
    await managerPage.getByLabel("If you sign it off: your comments").fill("Agreed; review in three months");
    await press(managerPage, "Record decision");
    assert.match(await text(managerPage.locator(".govuk-notification-banner")), /signed off/);
    await check(managerPage, "the family assessment, signed off");
    const statuses = await database.unsafeOwnerDb
      .selectFrom("assessments")
      .select(["status", "chronology_event_id"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("person_id", "in", [mia, leo])
      .execute();
    assert.equal(statuses.length, 2);
    assert.ok(statuses.every((s) => s.status === "signed-off" && s.chronology_event_id));

    assertNoViolations(suite, pages);
    assert.deepEqual(suite.scriptProblems, []);
    assert.deepEqual([...suite.missingAssets], []);
  });
});
