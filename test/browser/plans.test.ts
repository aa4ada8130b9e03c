// SPDX-License-Identifier: MIT
/**
 * Plans with content in a real browser: after the front door's section 17 decision, the allocated social
 * worker writes the assessment's narrative from the episode page, starts a child protection plan with
 * outcomes and actions, records a review with the child's and family's views, and sends the plan to her
 * manager, who authorises it. axe checks every page at desktop width and at 390 px.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { repositoryFor } from "../../src/data/repository.ts";
import { addCalendarDays, isWeekend, todayInEngland } from "../../src/kernel/calendar.ts";
import {
  andWait,
  assertNoViolations,
  type BrowserSuite,
  follow,
  heading,
  press,
  signInWithPassword,
  startBrowserSuite,
  text,
} from "./support.ts";

const PAGES = [
  "social care episode",
  "assessment record form",
  "assessment record",
  "start a plan",
  "start a plan with errors",
  "plan",
  "record a review",
  "send for authorisation",
  "authorisation",
] as const;

let suite: BrowserSuite;

const weekdayAgo = (days: number) => {
  let date = addCalendarDays(todayInEngland(), -days);
  while (isWeekend(date)) date = addCalendarDays(date, -1);
  return date;
};
const fillDate = async (page: Page, prefix: string, iso: string) => {
  await page.locator(`input[name="${prefix}-day"]`).fill(String(Number(iso.slice(8, 10))));
  await page.locator(`input[name="${prefix}-month"]`).fill(String(Number(iso.slice(5, 7))));
  await page.locator(`input[name="${prefix}-year"]`).fill(iso.slice(0, 4));
};
const account = (local: string) => {
  const found = suite.partnership.signIns.find((s) => s.email.startsWith(`${local}@`));
  assert.ok(found, local);
  return found;
};
const signIn = async (local: string): Promise<Page> => {
  const page = await suite.openBrowser();
  await signInWithPassword(suite, page, account(local).email);
  return page;
};
const contextOf = async (local: string) => {
  const user = account(local);
  const row = await suite.database.unsafeOwnerDb
    .selectFrom("users")
    .select(["agency_id", "team_id", "role"])
    .where("partnership_id", "=", suite.partnership.partnershipId)
    .where("user_id", "=", user.userId)
    .executeTakeFirstOrThrow();
  return {
    partnershipId: suite.partnership.partnershipId,
    userId: user.userId,
    role: row.role,
    agencyId: row.agency_id,
    teamId: row.team_id,
    sessionId: null,
    ip: "127.0.0.1",
  };
};
/** axe at desktop width and at 390 px (a phone), as two named pages. */
const checkBoth = async (page: Page, name: string) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await suite.checkAccessibility(page, name);
  await page.setViewportSize({ width: 390, height: 844 });
  await suite.checkAccessibility(page, `${name} at 390 px`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  assert.equal(overflow, false, `${name} scrolls sideways at 390 px`);
  await page.setViewportSize({ width: 1280, height: 900 });
};

before(async () => {
  suite = await startBrowserSuite(30);
});

after(async () => {
  await suite?.close();
});

describe("a child protection plan with content", () => {
  it("is written by the social worker and authorised by her manager", async () => {
    const child = suite.partnership.demoFamily.siblingPersonId;
    const school = repositoryFor(suite.database, await contextOf("school")).pathways;
    const sent = await school.submitRequest(child, {
      receivedOn: weekdayAgo(20),
      concerns: "Often hungry and unkempt.",
      whatTried: "Breakfast club.",
      consent: "given",
      consentReason: null,
      referrerLevel: null,
    });
    assert.ok(sent.ok);
    const frontDoor = repositoryFor(suite.database, await contextOf("front-door")).pathways;
    const decided = await frontDoor.decideRequest(sent.value.requestId, {
      rag: "amber",
      outcome: "s17",
      reason: "Needs an assessment.",
      decidedOn: weekdayAgo(19),
      workerUserId: account("practitioner").userId,
    });
    assert.ok(decided.ok);
    // The decision's own episode: the randomly seeded family may hold older ones of this child.
    const episodeId = decided.value.episodeId;
    assert.ok(episodeId);
    const worker = await signIn("practitioner");
    await worker.goto(suite.url(`/people/${child}/pathway/episodes/${episodeId}`));
    await checkBoth(worker, "social care episode");
    await andWait(worker, () =>
      worker.getByRole("link", { name: /Write the single assessment record/ }).click(),
    );
    assert.equal(await heading(worker), "Single assessment");
    await checkBoth(worker, "assessment record form");
    await worker.getByLabel("Record", { exact: true }).fill("Sam is often hungry.\nMum works nights.");
    await worker.getByLabel("The child's lived experience (optional)").fill("Sam wakes alone.");
    await press(worker, "Save the record");
    assert.match(await text(worker.locator("main")), /Mum works nights/);
    await checkBoth(worker, "assessment record");

    await worker.goto(suite.url(`/people/${child}/plans/new?type=cp&episode=${episodeId}`));
    await press(worker, "Save the plan");
    assert.match(await text(worker.locator(".govuk-error-summary")), /Enter at least one outcome/);
    await checkBoth(worker, "start a plan with errors");
    await worker.goto(suite.url(`/people/${child}/plans/new?type=cp&episode=${episodeId}`));
    await checkBoth(worker, "start a plan");
    await worker.getByLabel("Child protection plan").check();
    await worker.getByLabel("Belongs to").selectOption(episodeId);
    await worker.getByLabel("What needs to change for the child").fill("Sam is fed, warm and in school.");
    await worker.getByLabel("Outcome 1", { exact: true }).fill("Sam has breakfast every day");
    await worker.locator("#action-1-description").fill("Check breakfast at the school gate");
    await worker.locator("#action-1-outcome").selectOption("1");
    await worker.locator("#action-1-owner").selectOption(account("school").userId);
    await fillDate(worker, "action-1-due", addCalendarDays(todayInEngland(), 7));
    await press(worker, "Save the plan");
    assert.equal(await heading(worker), "Child protection plan");
    await checkBoth(worker, "plan");

    await follow(worker, "Record a review");
    await checkBoth(worker, "record a review");
    await worker.locator('input[name="outcome-1-status"][value="some-progress"]').check();
    await worker.getByLabel("The child's view").fill("Sam said breakfast club is fun.");
    await worker.getByLabel("The family's view").fill("Mum says mornings are hard.");
    await press(worker, "Record the review");
    assert.match(await text(worker.locator("main")), /breakfast club is fun/);

    await follow(worker, "Send for authorisation");
    await checkBoth(worker, "send for authorisation");
    await worker.getByLabel("Manager").selectOption(account("manager").userId);
    await press(worker, "Send for authorisation");
    assert.match(await text(worker.locator("main")), /Waiting for/);

    const manager = await signIn("manager");
    const [waiting] = await repositoryFor(
      suite.database,
      await contextOf("manager"),
    ).plans.listAwaitingMyAuthorisation();
    assert.ok(waiting);
    await manager.goto(suite.url(waiting.href));
    await checkBoth(manager, "authorisation");
    await manager.getByLabel("Authorise", { exact: true }).check();
    await press(manager, "Record the decision");
    assert.match(await text(manager.locator("main")), /Authorised/);

    assertNoViolations(suite, [...PAGES, ...PAGES.map((p) => `${p} at 390 px`)]);
    assert.deepEqual(suite.scriptProblems, []);
    assert.deepEqual([...suite.missingAssets], []);
  });
});
