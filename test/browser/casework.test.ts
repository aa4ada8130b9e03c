// SPDX-License-Identifier: MIT
/**
 * Issue 12's casework walked in a real browser, role by role, with axe on every page at desktop width
 * and at 390 px (and no sideways scroll on a phone):
 * 1. a school's concern becomes a request; the front door decides on early help and names the school's
 *    practitioner lead professional; she finds the child on her home page and records a team around the
 *    family review with the child's and family's views;
 * 2. a health visitor's referral; the front door allocates a social worker, who reads the referral and the
 *    chronology, writes the assessment and sends it to her manager; the manager authorises it from the
 *    sign-off list on his home page; the worker starts a child protection plan and reviews it;
 * 3. the school disagrees with the front door's decision; the difference reaches the front door and the
 *    social care manager; the front door records the resolution, and the school is told.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { addCalendarDays, isWeekend, todayInEngland } from "../../src/kernel/calendar.ts";
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
const choose = (page: Page, name: string, value: string) =>
  page.locator(`input[name="${name}"][value="${value}"]`).check();
const account = (local: string) => {
  const found = suite.partnership.signIns.find((s) => s.email.startsWith(`${local}@`));
  assert.ok(found, local);
  return found;
};
const signIn = async (local: string): Promise<Page> => {
  const page = await suite.openBrowser();
  // The machine may be busy: be patient with every wait.
  page.setDefaultTimeout(120_000);
  page.setDefaultNavigationTimeout(120_000);
  await signInWithPassword(suite, page, account(local).email);
  return page;
};

/**
 * axe at the current (desktop) width, then at 390 px with no sideways scroll, then the width restored.
 * Each page checked is added to `pages`, so the journey can assert every one was clean.
 */
const checkerFor = (pages: string[]) => async (page: Page, name: string) => {
  const desktop = page.viewportSize() ?? { width: 1280, height: 720 };
  await suite.checkAccessibility(page, name);
  await page.setViewportSize({ width: 390, height: 844 });
  await suite.checkAccessibility(page, `${name} at 390 px`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  // What sticks out, so a failure names the element to fix.
  const sticksOut = await page.evaluate(() =>
    Array.from(document.querySelectorAll("main *"))
      .filter((el) => el.getBoundingClientRect().right > 391)
      .slice(-3)
      .map(
        (el) => `${el.tagName.toLowerCase()}.${el.className}: ${(el.textContent ?? "").trim().slice(0, 80)}`,
      ),
  );
  assert.ok(wide <= 390, `${name} fits 390 px (it is ${wide} px wide): ${sticksOut.join(" | ")}`);
  await page.setViewportSize(desktop);
  pages.push(name, `${name} at 390 px`);
};

const assertCleanJourney = (pages: readonly string[]) => {
  assertNoViolations(suite, pages);
  assert.deepEqual(suite.scriptProblems, []);
  assert.deepEqual([...suite.missingAssets], []);
};

/** The school's request decided on in journey 1, about which the school raises a difference in journey 3. */
let schoolRequestDecided = false;

before(async () => {
  suite = await startBrowserSuite(30);
});

after(async () => {
  await suite?.close();
});

describe("issue 12's casework in a browser", () => {
  it("1: a school's concern reaches early help, whose lead professional finds it and reviews the plan", async () => {
    const PAGES: string[] = [];
    const checkBoth = checkerFor(PAGES);
    const child = suite.partnership.demoFamily.siblingPersonId;
    const childName = suite.partnership.demoFamily.siblingName;

    // The school's concern becomes a request for support.
    const school = await signIn("school");
    await checkBoth(school, "school's home");
    await school.goto(suite.url(`/people/${child}/pathway`));
    assert.equal(await heading(school), "Pathway and support");
    await checkBoth(school, "child's pathway");
    await follow(school, "Request support for this child");
    await checkBoth(school, "request for support");
    await fillDate(school, "receivedOn", weekdayAgo(3));
    await school
      .getByLabel("Your concerns for the child")
      .fill("Often hungry; same clothes all week; no PE kit.");
    await school
      .getByLabel("What has been tried already")
      .fill("Breakfast club; talked with mum about uniform help.");
    await choose(school, "consent", "given");
    await press(school, "Send the request");
    assert.match(await text(school.locator(".govuk-notification-banner")), /sent to the front door/);
    await checkBoth(school, "request sent");

    // The front door finds it on its home page and decides on early help, led by the school.
    const frontDoor = await signIn("front-door");
    assert.match(await text(frontDoor.locator("#front-door")), new RegExp(childName));
    await checkBoth(frontDoor, "front door's home");
    await frontDoor.goto(suite.url("/pathways/front-door"));
    await checkBoth(frontDoor, "front-door queue");
    await follow(frontDoor, childName);
    assert.equal(await heading(frontDoor), "Request for support");
    await checkBoth(frontDoor, "front-door decision");
    await choose(frontDoor, "rag", "green");
    await choose(frontDoor, "outcome", "early-help");
    await frontDoor.locator("#leadUserId").selectOption(account("school").userId);
    await frontDoor
      .getByLabel("Reason for the decision")
      .fill("Needs can be met by a team around the family.");
    await fillDate(frontDoor, "decidedOn", weekdayAgo(1));
    await press(frontDoor, "Record the decision");
    assert.equal(pathOf(frontDoor), "/pathways/front-door");
    await checkBoth(frontDoor, "front-door queue after the decision");
    schoolRequestDecided = true;

    // The lead professional signs in: the child is on her worklist and she has been told.
    const lead = await signIn("school");
    assert.match(await text(lead.locator("#my-cases")), new RegExp(childName));
    assert.match(await text(lead.locator("#notifications")), /You are the lead professional for early help/);
    await checkBoth(lead, "lead professional's home");
    await andWait(lead, () =>
      lead.locator("#my-cases").getByRole("link", { name: childName, exact: true }).click(),
    );
    assert.equal(pathOf(lead), `/people/${child}/pathway`);
    assert.match(await text(lead.locator("main")), /lead professional/);
    await checkBoth(lead, "the case now");

    // The team around the family plan, from the pathway's plans.
    await follow(lead, "Start a plan");
    await checkBoth(lead, "start a plan");
    await lead.getByLabel("Team around the family plan").check();
    const belongs = await lead
      .locator("#belongsTo option")
      .filter({ hasText: /^Early help from/ })
      .first()
      .getAttribute("value");
    assert.ok(belongs, "the early help opened by the decision is offered");
    await lead.locator("#belongsTo").selectOption(belongs);
    await lead
      .getByLabel("What needs to change for the child")
      .fill("Comes to school fed and in clean clothes.");
    await lead.getByLabel("Outcome 1", { exact: true }).fill("Has breakfast every school day");
    await lead.locator("#action-1-description").fill("Apply for the uniform grant");
    await lead.locator("#action-1-outcome").selectOption("1");
    await lead.locator("#action-1-ownerName").fill("Mum");
    await fillDate(lead, "action-1-due", addCalendarDays(todayInEngland(), 14));
    await press(lead, "Save the plan");
    assert.equal(await heading(lead), "Team around the family plan");
    await checkBoth(lead, "team around the family plan");

    // The review: progress, and the child's and the family's views.
    await follow(lead, "Record a review");
    await checkBoth(lead, "team around the family review");
    await lead.locator('input[name="outcome-1-status"][value="some-progress"]').check();
    await lead.getByLabel("The child's view").fill("Breakfast club is the best bit of the day.");
    await lead.getByLabel("The family's view").fill("Mum says the grant made mornings easier.");
    await press(lead, "Record the review");
    const plan = await text(lead.locator("main"));
    assert.match(plan, /best bit of the day/);
    assert.match(plan, /made mornings easier/);
    await checkBoth(lead, "team around the family plan reviewed");

    assertCleanJourney(PAGES);
  });

  it("2: a referral reaches the social worker, whose assessment her manager authorises, then a plan and its review", async () => {
    const PAGES: string[] = [];
    const checkBoth = checkerFor(PAGES);
    const child = suite.partnership.demoFamily.babyPersonId;
    const childName = suite.partnership.demoFamily.babyName;

    // The health visitor's referral.
    const healthVisitor = await signIn("health-visitor");
    await healthVisitor.goto(suite.url(`/people/${child}/pathway/request`));
    await checkBoth(healthVisitor, "referral");
    await fillDate(healthVisitor, "receivedOn", weekdayAgo(2));
    await healthVisitor
      .getByLabel("Your concerns for the child")
      .fill("Baby underweight; missed two weigh-ins; the flat is cold.");
    await healthVisitor
      .getByLabel("What has been tried already")
      .fill("Extra visits; a referral to the food bank.");
    await choose(healthVisitor, "consent", "given");
    await press(healthVisitor, "Send the request");
    assert.match(await text(healthVisitor.locator(".govuk-notification-banner")), /sent to the front door/);
    await checkBoth(healthVisitor, "referral sent");

    // The front door decides on a section 17 assessment and allocates the social worker.
    const frontDoor = await signIn("front-door");
    await frontDoor.goto(suite.url("/pathways/front-door"));
    await checkBoth(frontDoor, "front-door queue with the referral");
    await follow(frontDoor, childName);
    await checkBoth(frontDoor, "referral decision");
    await choose(frontDoor, "rag", "amber");
    await choose(frontDoor, "outcome", "s17");
    await frontDoor.locator("#workerUserId").selectOption(account("practitioner").userId);
    await frontDoor.getByLabel("Reason for the decision").fill("Needs a social care assessment.");
    await fillDate(frontDoor, "decidedOn", weekdayAgo(1));
    await press(frontDoor, "Record the decision");
    assert.equal(pathOf(frontDoor), "/pathways/front-door");

    // The allocated worker finds the child on her home page, reads the referral and the chronology.
    const worker = await signIn("practitioner");
    assert.match(await text(worker.locator("#my-cases")), new RegExp(childName));
    await checkBoth(worker, "social worker's home");
    await andWait(worker, () =>
      worker.locator("#my-cases").getByRole("link", { name: childName, exact: true }).click(),
    );
    await checkBoth(worker, "allocated child's pathway");
    await andWait(worker, () => worker.locator('main a[href^="/pathways/requests/"]').first().click());
    assert.equal(await heading(worker), "Request for support");
    assert.match(await text(worker.locator("main")), /missed two weigh-ins/);
    await checkBoth(worker, "the referral, read by the social worker");
    await worker.goto(suite.url(`/people/${child}/chronology`));
    assert.match(await heading(worker), /Chronology/);
    await checkBoth(worker, "the child's chronology");

    // The assessment's narrative, sent to her manager.
    await worker.goto(suite.url(`/people/${child}/pathway`));
    await andWait(worker, () => worker.locator('main a[href*="/pathway/episodes/"]').first().click());
    assert.match(await heading(worker), /Social care episode/);
    await checkBoth(worker, "social care episode");
    await andWait(worker, () =>
      worker.getByRole("link", { name: /Write the single assessment record/ }).click(),
    );
    assert.equal(await heading(worker), "Single assessment");
    await checkBoth(worker, "assessment record form");
    await worker
      .getByLabel("Record", { exact: true })
      .fill("The baby is underweight.\nMum is isolated and the heating is off.");
    await worker
      .getByLabel("The child's lived experience (optional)")
      .fill("Cold, often hungry, often alone.");
    await press(worker, "Save the record");
    assert.match(await text(worker.locator("main")), /the heating is off/);
    await checkBoth(worker, "assessment record");
    await follow(worker, "Send for authorisation");
    await checkBoth(worker, "send the assessment for authorisation");
    await worker.getByLabel("Manager").selectOption(account("manager").userId);
    await press(worker, "Send for authorisation");
    assert.match(await text(worker.locator("main")), /Waiting for/);
    await checkBoth(worker, "assessment sent for authorisation");

    // The manager authorises it from the sign-off list on his home page.
    const manager = await signIn("manager");
    const signOff = manager
      .locator("#sign-offs a[href^='/authorisations/']")
      .filter({ hasText: /Single assessment/ });
    assert.equal(await signOff.count(), 1, "the assessment waits on the manager's sign-off list");
    await checkBoth(manager, "manager's home with a sign-off");
    await andWait(manager, () => signOff.click());
    assert.match(await heading(manager), /^Authorise/);
    await checkBoth(manager, "authorise the assessment");
    await manager.getByLabel("Authorise", { exact: true }).check();
    await press(manager, "Record the decision");
    assert.match(await text(manager.locator("main")), /Authorised/);
    await checkBoth(manager, "assessment authorised");
    await manager.goto(suite.url("/"));
    assert.doesNotMatch(
      await text(manager.locator("#sign-offs")),
      /Single assessment/,
      "the sign-off leaves the list",
    );

    // A child protection plan with outcomes and actions, then its review.
    await worker.goto(suite.url(`/people/${child}/pathway`));
    await follow(worker, "Start a plan");
    await worker.getByLabel("Child protection plan").check();
    const episode = await worker
      .locator("#belongsTo option")
      .filter({ hasText: /^Social care episode/ })
      .first()
      .getAttribute("value");
    assert.ok(episode);
    await worker.locator("#belongsTo").selectOption(episode);
    await worker
      .getByLabel("What needs to change for the child")
      .fill("The baby is fed, warm and gaining weight.");
    await worker.getByLabel("Outcome 1", { exact: true }).fill("Gains weight at each weigh-in");
    await worker.getByLabel("Outcome 2", { exact: true }).fill("The flat is warm");
    await worker.locator("#action-1-description").fill("Weigh the baby every week");
    await worker.locator("#action-1-outcome").selectOption("1");
    await worker.locator("#action-1-owner").selectOption(account("health-visitor").userId);
    await fillDate(worker, "action-1-due", addCalendarDays(todayInEngland(), 7));
    await worker.locator("#action-2-description").fill("Get the heating mended");
    await worker.locator("#action-2-outcome").selectOption("2");
    await worker.locator("#action-2-ownerName").fill("Housing officer");
    await fillDate(worker, "action-2-due", addCalendarDays(todayInEngland(), 10));
    await checkBoth(worker, "start a child protection plan");
    await press(worker, "Save the plan");
    assert.equal(await heading(worker), "Child protection plan");
    const plan = await text(worker.locator("main"));
    assert.match(plan, /Gains weight at each weigh-in/);
    assert.match(plan, /Get the heating mended/);
    await checkBoth(worker, "child protection plan");
    await follow(worker, "Record a review");
    await checkBoth(worker, "child protection plan review");
    await worker.locator('input[name="outcome-1-status"][value="some-progress"]').check();
    await worker.locator('input[name="outcome-2-status"][value="no-progress"]').check();
    await worker.getByLabel("The child's view").fill("Settles and smiles when held; feeds well.");
    await worker.getByLabel("The family's view").fill("Mum wants the heating fixed before winter.");
    await press(worker, "Record the review");
    assert.match(await text(worker.locator("main")), /heating fixed before winter/);
    await checkBoth(worker, "child protection plan reviewed");

    assertCleanJourney(PAGES);
  });

  it("3: a professional difference raised by the school reaches the front door and the manager, and its resolution reaches the school", async () => {
    assert.ok(schoolRequestDecided, "journey 1 decided the school's request");
    const PAGES: string[] = [];
    const checkBoth = checkerFor(PAGES);
    const child = suite.partnership.demoFamily.siblingPersonId;
    const childName = suite.partnership.demoFamily.siblingName;

    // The school disagrees with the front door's decision.
    const school = await signIn("school");
    await school.goto(suite.url(`/people/${child}/pathway`));
    await follow(school, "Raise a professional difference");
    await checkBoth(school, "raise a professional difference");
    await fillDate(school, "raisedOn", todayInEngland());
    await school.locator('input[name="about"][value^="request:"]').first().check();
    await school
      .getByLabel("What is the disagreement about the plan?")
      .fill("The school thinks social care should assess: the neglect is long-standing.");
    await press(school, "Raise the difference");
    assert.equal(await heading(school), "Professional difference");
    assert.match(await text(school.locator("main")), /The front door's decision of/);
    await checkBoth(school, "professional difference raised");
    const differencePath = pathOf(school);

    // It reaches the front door: its home page, its notification, and the list of differences.
    const frontDoor = await signIn("front-door");
    assert.match(await text(frontDoor.locator("#differences")), new RegExp(childName));
    assert.match(await text(frontDoor.locator("#notifications")), /Professional difference raised/);
    await checkBoth(frontDoor, "front door's home with a difference");
    await frontDoor.goto(suite.url("/escalations"));
    assert.match(await text(frontDoor.locator("main")), new RegExp(childName));
    await checkBoth(frontDoor, "front door's professional differences");

    // And the children's social care manager.
    const manager = await signIn("manager");
    await manager.goto(suite.url("/escalations"));
    assert.match(await text(manager.locator("main")), new RegExp(childName));
    await checkBoth(manager, "manager's professional differences");
    await andWait(manager, () => manager.locator(`main a[href="${differencePath}"]`).first().click());
    assert.equal(await heading(manager), "Professional difference");
    assert.match(await text(manager.locator("main")), /long-standing/);
    await checkBoth(manager, "the difference, opened by the manager");

    // The front door opens it from its home page and records the resolution.
    await frontDoor.goto(suite.url("/"));
    await andWait(frontDoor, () =>
      frontDoor.locator(`#differences a[href="${differencePath}"]`).first().click(),
    );
    assert.equal(await heading(frontDoor), "Professional difference");
    await checkBoth(frontDoor, "the difference, opened by the front door");
    await fillDate(frontDoor, "resolvedOn", todayInEngland());
    await frontDoor
      .getByLabel("How it was resolved")
      .fill("Agreed: the front door will ask social care to assess after a joint visit.");
    await press(frontDoor, "Record the resolution");
    assert.match(await text(frontDoor.locator("main")), /Resolved/);
    await checkBoth(frontDoor, "the difference resolved");

    // The school is told of the resolution.
    await school.goto(suite.url("/"));
    assert.match(await text(school.locator("#notifications")), /Professional difference resolved/);
    await checkBoth(school, "school's home after the resolution");
    await school.goto(suite.url("/notifications"));
    assert.match(await text(school.locator("main")), /Professional difference resolved/);
    await checkBoth(school, "school's notifications");
    await andWait(school, () =>
      school
        .getByRole("link", { name: /^Professional difference resolved/ })
        .first()
        .click(),
    );
    assert.match(await text(school.locator("main")), /ask social care to assess after a joint visit/);
    await checkBoth(school, "the resolution, read by the school");

    assertCleanJourney(PAGES);
  });
});
