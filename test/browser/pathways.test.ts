// SPDX-License-Identifier: MIT
/**
 * One family's pathway in a real browser: a school asks for support, the front door decides on early
 * help, the school leads early help with a review and then steps up; the front door starts a section 47
 * enquiry; children's social care holds the conference, starts a child protection plan for neglect,
 * visits and holds a review; the team manager sees the overdue visit among the team's alerts. axe checks
 * every page on the way.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { addCalendarDays, isWeekend } from "../../src/kernel/calendar.ts";
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

const PAGES = [
  "child's pathway",
  "request for support",
  "request for support with errors",
  "request sent",
  "front-door queue",
  "front-door decision",
  "referrer's requests",
  "the case now",
  "early help plan",
  "step-up sent",
  "social care episode",
  "record a conference",
  "record a child protection plan",
  "record a visit",
  "record a review conference",
  "manager's alerts",
  "record supervision",
  "raise a professional difference",
  "professional difference",
] as const;

let suite: BrowserSuite;

const weekdayAgo = (days: number) => {
  let date = addCalendarDays(new Date().toISOString().slice(0, 10), -days);
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
const signIn = async (local: string): Promise<Page> => {
  const page = await suite.openBrowser();
  const account = suite.partnership.signIns.find((s) => s.email.startsWith(`${local}@`));
  assert.ok(account, local);
  await signInWithPassword(suite, page, account.email);
  return page;
};

before(async () => {
  suite = await startBrowserSuite(30);
});

after(async () => {
  await suite?.close();
});

describe("a family's pathway from a school's request to a child protection review", () => {
  it("is walked by the school, the front door, social care and the manager", async () => {
    const child = suite.partnership.demoFamily.siblingPersonId;
    const childName = suite.partnership.demoFamily.siblingName;

    // The school asks for support.
    const school = await signIn("school");
    await school.goto(suite.url(`/people/${child}/pathway`));
    assert.equal(await heading(school), "Pathway and support");
    await suite.checkAccessibility(school, "child's pathway");
    await follow(school, "Request support for this child");
    await suite.checkAccessibility(school, "request for support");
    await press(school, "Send the request");
    assert.match(await text(school.locator(".govuk-error-summary")), /Describe your concerns/);
    await suite.checkAccessibility(school, "request for support with errors");
    await fillDate(school, "receivedOn", weekdayAgo(200));
    await school
      .getByLabel("Your concerns for the child")
      .fill("Often hungry; same clothes all week; no PE kit.");
    await school
      .getByLabel("What has been tried already")
      .fill("Breakfast club; talked with mum about uniform help.");
    await choose(school, "consent", "given");
    await school.locator("#referrerLevel").selectOption("targeted");
    await press(school, "Send the request");
    assert.match(await text(school.locator(".govuk-notification-banner")), /sent to the front door/);
    await suite.checkAccessibility(school, "request sent");

    // The front door sees it overdue and decides on early help.
    const frontDoor = await signIn("front-door");
    await frontDoor.goto(suite.url("/pathways/front-door"));
    assert.match(await text(frontDoor.locator("main")), /Overdue/);
    await suite.checkAccessibility(frontDoor, "front-door queue");
    await follow(frontDoor, childName);
    await suite.checkAccessibility(frontDoor, "front-door decision");
    await choose(frontDoor, "rag", "amber");
    await choose(frontDoor, "outcome", "early-help");
    const schoolUser = suite.partnership.signIns.find((s) => s.email.startsWith("school@"));
    assert.ok(schoolUser);
    await frontDoor.locator("#leadUserId").selectOption(schoolUser.userId);
    await frontDoor
      .getByLabel("Reason for the decision")
      .fill("Needs can be met by a team around the family.");
    await fillDate(frontDoor, "decidedOn", weekdayAgo(199));
    await press(frontDoor, "Record the decision");
    assert.equal(pathOf(frontDoor), "/pathways/front-door");

    // The school sees the outcome and leads early help.
    await school.goto(suite.url("/pathways/requests"));
    assert.match(await text(school.locator("main")), /Early help/);
    await suite.checkAccessibility(school, "referrer's requests");
    // The decision opened early help with the school as lead; the case summary leads to it.
    await school.goto(suite.url(`/people/${child}/pathway`));
    assert.match(await text(school.locator("main")), /The case now/);
    await suite.checkAccessibility(school, "the case now");
    await andWait(school, () =>
      school.locator('main a[href*="/pathway/early-help/"]:not([href$="/new"])').first().click(),
    );
    assert.equal(await heading(school), "Early help");
    await school.locator("#name").fill("Sam Okafor");
    await school.locator("#memberRole").fill("School nurse");
    await press(school, "Add to the team");
    await school.locator("#description").fill("Comes to school fed and in clean clothes");
    await press(school, "Add the outcome");
    await school.locator("#actionDescription").fill("Apply for the uniform grant");
    await school.locator("#owner").fill("Mum");
    await fillDate(school, "dueOn", weekdayAgo(170));
    await press(school, "Add the action");
    await fillDate(school, "heldOn", weekdayAgo(150));
    await school.locator('input[name^="progress-"][value="no-progress"]').check();
    await school.locator("#notes").fill("Little change at home.");
    await press(school, "Record the review");
    assert.match(await text(school.locator("main")), /No progress/);
    await suite.checkAccessibility(school, "early help plan");

    // Step-up: the early help is kept, and a request goes to the front door.
    await choose(school, "ending", "step-up");
    await school.locator("#endingNote").fill("No progress after two months; neglect getting worse.");
    await fillDate(school, "endedOn", weekdayAgo(120));
    await school
      .getByLabel("Your concerns for the child")
      .fill("Neglect is getting worse despite early help.");
    await school.getByLabel("What has been tried already").fill("Early help with a team around the family.");
    await choose(school, "consent", "not-sought");
    await school
      .getByLabel("Why consent was not sought, or what the family said")
      .fill("Seeking consent could increase the risk.");
    await press(school, "End early help");
    assert.match(await text(school.locator("main")), /step-up from early help/);
    await suite.checkAccessibility(school, "step-up sent");

    // The front door starts a section 47 enquiry and allocates a social worker.
    const worker = suite.partnership.signIns.find((s) => s.email.startsWith("practitioner@"));
    assert.ok(worker);
    await frontDoor.goto(suite.url("/pathways/front-door"));
    await follow(frontDoor, childName);
    await choose(frontDoor, "rag", "red");
    await choose(frontDoor, "outcome", "s47");
    await frontDoor.locator("#workerUserId").selectOption(worker.userId);
    await frontDoor
      .getByLabel("Reason for the decision")
      .fill("Reasonable cause to suspect significant harm through neglect.");
    await fillDate(frontDoor, "decidedOn", weekdayAgo(119));
    await press(frontDoor, "Record the decision");

    // Social care: the conference, a plan for neglect, a visit, and a review conference.
    const social = await signIn("practitioner");
    await social.goto(suite.url(`/people/${child}/pathway`));
    await andWait(social, () => social.locator('a[href*="/pathway/episodes/"]').first().click());
    assert.match(await heading(social), /Social care episode/);
    await suite.checkAccessibility(social, "social care episode");
    await follow(social, "Initial child protection conference");
    await suite.checkAccessibility(social, "record a conference");
    const conference = weekdayAgo(105);
    await fillDate(social, "occurredOn", conference);
    await press(social, "Record");
    await follow(social, "Child protection plan started");
    await suite.checkAccessibility(social, "record a child protection plan");
    await fillDate(social, "occurredOn", conference);
    await choose(social, "code", "NEG");
    await social.locator("#count").fill("0");
    await press(social, "Record");
    assert.match(await text(social.locator("main")), /Initial Neglect; latest Neglect/);
    await follow(social, "Statutory visit");
    await suite.checkAccessibility(social, "record a visit");
    await fillDate(social, "occurredOn", weekdayAgo(100));
    await choose(social, "childSeen", "yes");
    await choose(social, "seenAlone", "yes");
    await press(social, "Record");
    await follow(social, "Review child protection conference");
    await suite.checkAccessibility(social, "record a review conference");
    await fillDate(social, "occurredOn", weekdayAgo(20));
    await press(social, "Record");
    assert.match(await text(social.locator("main")), /Child not seen within the visit interval/);

    // The manager sees the overdue visit among the team's alerts.
    const manager = await signIn("manager");
    await manager.goto(suite.url("/pathways/alerts"));
    const alerts = await text(manager.locator("main"));
    assert.match(alerts, new RegExp(`Child not seen within the visit interval: ${childName}`));
    assert.match(alerts, /seen alone/);
    await suite.checkAccessibility(manager, "manager's alerts");

    // Supervision, and a professional difference raised by the school.
    await manager.goto(suite.url(`/people/${child}/pathway`));
    await follow(manager, "Record supervision");
    await suite.checkAccessibility(manager, "record supervision");
    await manager.locator("#superviseeUserId").selectOption(worker.userId);
    await manager.getByLabel("Reflection").fill("The visit is overdue; what is the child's day like now?");
    await manager.getByLabel("Decisions").fill("Visit this week, unannounced.");
    await press(manager, "Record supervision");
    assert.match(await text(manager.locator("main")), /Visit this week, unannounced/);
    await school.goto(suite.url(`/people/${child}/pathway`));
    assert.doesNotMatch(
      await text(school.locator("body")),
      /Visit this week, unannounced|what is the child's day like now/,
      "the school does not read social care supervision",
    );
    await follow(school, "Raise a professional difference");
    await suite.checkAccessibility(school, "raise a professional difference");
    await school
      .getByLabel("What is the disagreement about the plan?")
      .fill("The school thinks visits are too infrequent.");
    await press(school, "Raise the difference");
    assert.equal(await heading(school), "Professional difference");
    await suite.checkAccessibility(school, "professional difference");

    assertNoViolations(suite, PAGES);
    assert.deepEqual(suite.scriptProblems, []);
    assert.deepEqual([...suite.missingAssets], []);
  });
});
