// SPDX-License-Identifier: MIT
/**
 * A multi-agency case audit in a real browser: a safeguarding lead plans a neglect audit of 6 children
 * across 3 agencies; two agencies' auditors return their forms for a child; the lead moderates and
 * records an action; the action is completed; the results page and the indicator show it. axe checks
 * every page at desktop width and at 320 px.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { addCalendarDays, todayInEngland } from "../../src/kernel/calendar.ts";
import { onKey } from "../../src/kernel/sql.ts";
import { type AddedUser, addUser } from "../../src/learning/test-support.ts";
import {
  assertNoViolations,
  type BrowserSuite,
  follow,
  heading,
  press,
  signInWithPassword,
  startBrowserSuite,
  text,
} from "./support.ts";

const NARROW = { width: 320, height: 800 };
const DESKTOP = { width: 1280, height: 900 };
const PAGE_NAMES = [
  "learning hub",
  "case audits",
  "plan a round",
  "plan with errors",
  "round planned",
  "auditor's return form",
  "moderation",
  "audit actions",
  "audit results",
  "audit indicator",
  "child's questionnaire",
  "child's questionnaire with errors",
] as const;
// The indicator page is the indicators area's own (checked there at its widths): desktop only here.
const PAGES = PAGE_NAMES.flatMap((name) => [`${name} (desktop)`, `${name} (320px)`]).filter(
  (name) => name !== "audit indicator (320px)",
);

let suite: BrowserSuite;
let health: AddedUser;
let police: AddedUser;
let cscAuditor: { userId: string; agencyId: string };
let roundPath = "";
let childName = "";
const today = todayInEngland();

/** Runs axe on the page at desktop width and at 320 px, then returns to desktop. */
const checkBoth = async (page: Page, name: (typeof PAGE_NAMES)[number]) => {
  await page.setViewportSize(DESKTOP);
  await suite.checkAccessibility(page, `${name} (desktop)`);
  await page.setViewportSize(NARROW);
  await suite.checkAccessibility(page, `${name} (320px)`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${name} fits 320 px without sideways scrolling (${overflow} px over)`);
  await page.setViewportSize(DESKTOP);
};

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

const signedIn = async (email: string): Promise<Page> => {
  const page = await suite.openBrowser();
  await signInWithPassword(suite, page, email);
  return page;
};

const leadEmail = () => {
  const lead = suite.partnership.signIns.find((s) => s.role === "safeguarding-lead");
  assert.ok(lead);
  return lead.email;
};

before(async () => {
  suite = await startBrowserSuite(30);
  health = await addUser(suite.database, suite.partnership, {
    agencyType: "health",
    role: "auditor",
    name: "Hana Health Auditor",
  });
  police = await addUser(suite.database, suite.partnership, {
    agencyType: "police",
    role: "auditor",
    name: "Pat Police Auditor",
  });
  const csc = suite.partnership.signIns.find((s) => s.role === "auditor");
  assert.ok(csc);
  const row = await suite.database.unsafeOwnerDb
    .selectFrom("users")
    .select("agency_id")
    .where("user_id", "=", csc.userId)
    .executeTakeFirstOrThrow();
  cscAuditor = { userId: csc.userId, agencyId: row.agency_id };
});

after(async () => {
  await suite?.close();
});

describe("a multi-agency neglect case audit", () => {
  it("a safeguarding lead plans a neglect audit of 6 children across 3 agencies", async () => {
    const page = await signedIn(leadEmail());
    await page.goto(suite.url("/learning"));
    assert.equal(await heading(page), "Learning");
    await checkBoth(page, "learning hub");
    await follow(page, "Case audits");
    await checkBoth(page, "case audits");
    await press(page, "Plan a round");
    await checkBoth(page, "plan a round");
    // Nothing filled in: every problem is named.
    await press(page, "Plan the round and draw the sample");
    assert.match(await text(page.locator(".govuk-error-summary")), /Enter the date the round starts/);
    await checkBoth(page, "plan with errors");

    await page.getByLabel("Title").fill("Neglect audit, winter");
    await choose(page, "theme", "neglect");
    await choose(page, "sampleRule", "any-child");
    await choose(page, "sampleMethod", "random");
    await page.getByLabel("Seed (optional)").fill("winter-2026");
    await page.getByLabel("Number of children").fill("6");
    await page.locator(`select[name="auditor-${cscAuditor.agencyId}"]`).selectOption(cscAuditor.userId);
    await page.locator(`select[name="auditor-${health.agencyId}"]`).selectOption(health.userId);
    await page.locator(`select[name="auditor-${police.agencyId}"]`).selectOption(police.userId);
    await fillDate(page, "startsOn", today);
    await fillDate(page, "returnsDueOn", addCalendarDays(today, 14));
    await fillDate(page, "endsOn", addCalendarDays(today, 28));
    await press(page, "Plan the round and draw the sample");
    assert.equal(await heading(page), "Neglect audit, winter");
    const main = await text(page.locator("main"));
    assert.match(main, /The round is planned and its sample drawn/);
    assert.match(main, /winter-2026/, "the seed is shown");
    assert.match(main, /Hana Health Auditor/);
    assert.match(main, /Pat Police Auditor/);
    assert.equal(await page.locator("main table").first().locator("tbody tr").count(), 6);
    roundPath = new URL(page.url()).pathname;
    childName = (await text(page.locator("main table tbody tr th").first())).replace(/\s*Moderate.*$/, "");
    await checkBoth(page, "round planned");
  });

  it("two agencies' auditors return their forms for the first child", async () => {
    for (const [auditor, grade] of [
      [health, "good"],
      [police, "requires-improvement"],
    ] as const) {
      const page = await signedIn(auditor.email);
      await page.goto(suite.url("/learning/audits"));
      await follow(page, "Neglect audit, winter");
      await page.getByRole("link", { name: `Audit ${childName}` }).click();
      await page.waitForLoadState("load");
      assert.equal(await heading(page), `Audit return: ${childName}`);
      if (auditor === health) await checkBoth(page, "auditor's return form");
      for (const id of ["recognition", "child-voice", "assessment", "information-sharing", "impact"]) {
        await choose(page, `grade-${id}`, grade);
        await page.locator(`textarea[name="evidence-${id}"]`).fill(`Evidence from ${auditor.displayName}.`);
      }
      await choose(page, "overallGrade", grade);
      await page.getByLabel("Summary of what you found").fill("Neglect was seen but shared late.");
      await press(page, "Return the audit");
      assert.equal(new URL(page.url()).pathname, roundPath);
    }
  });

  it("the lead moderates, records an action, and the action is completed", async () => {
    const page = await signedIn(leadEmail());
    await page.goto(suite.url(roundPath));
    const row = await text(page.locator("main table tbody tr").first());
    assert.match(row, /Good/);
    assert.match(row, /Requires improvement/);
    await page.getByRole("link", { name: `Moderate ${childName}` }).click();
    await page.waitForLoadState("load");
    assert.equal(await heading(page), `Moderate: ${childName}`);
    await choose(page, "agreedGrade", "requires-improvement");
    await page.getByLabel("Learning points").fill("Health and police should share worries within a day.");
    await press(page, "Save the moderation");
    assert.match(await text(page.locator("main")), /Agreed: Requires improvement/);
    await page.getByLabel("Action", { exact: true }).fill("Agree a one-day information sharing standard");
    const leadName = suite.partnership.signIns.find((s) => s.role === "safeguarding-lead")?.displayName ?? "";
    const option = page.locator('select[name="ownerUserId"] option', { hasText: leadName }).first();
    await page.getByLabel("Owner").selectOption((await option.getAttribute("value")) ?? "");
    await fillDate(page, "dueOn", addCalendarDays(today, 7));
    await press(page, "Add the action");
    assert.match(await text(page.locator("main")), /Agree a one-day information sharing standard/);
    await checkBoth(page, "moderation");

    await page.goto(suite.url("/learning/actions"));
    assert.equal(await heading(page), "Audit actions");
    await checkBoth(page, "audit actions");
    const actionId = await page.locator('form[action^="/learning/actions/"]').first().getAttribute("action");
    const id = actionId?.split("/")[3] ?? "";
    await fillDate(page, `completedOn-${id}`, today);
    await page.locator(`textarea[name="note-${id}"]`).fill("Standard agreed at the partnership meeting.");
    await press(page, "Mark as done");
    assert.match(await text(page.locator("main")), /Standard agreed at the partnership meeting/);
  });

  it("the results page and the indicator show it", async () => {
    const page = await signedIn(leadEmail());
    await page.goto(suite.url("/learning/audits/results"));
    assert.equal(await heading(page), "Case audit results");
    const round = await text(page.locator("main table").first());
    assert.match(round, /Neglect audit, winter 6 0 0 1 0 1 of 1/);
    const byAgency = await text(page.locator("main table").nth(2));
    assert.match(byAgency, /Police Public Protection 0 0 1 0/);
    await checkBoth(page, "audit results");

    const year = Number(today.slice(0, 4)) + (today.slice(5) >= "04-01" ? 1 : 0);
    await page.goto(suite.url(`/indicators/audit-cases?period=${year}`));
    assert.equal(await heading(page), "Children's cases audited and moderated");
    assert.match(await text(page.locator("main")), /audited by the partnership's agencies and moderated/);
    const years = await text(page.locator("main"));
    assert.match(years, new RegExp(`${year - 1}-${String(year % 100).padStart(2, "0")}: 1\\b`));
    await suite.checkAccessibility(page, "audit indicator (desktop)");
    await page.goto(suite.url(`/indicators/audit-actions-on-time?period=${year}`));
    assert.match(await text(page.locator("main")), /100(\.0)?%/);
  });

  it("a child's questionnaire through a one-time link is axe-clean at 320 px and names nobody", async () => {
    const practitioner = suite.partnership.signIns.find((s) => s.role === "practitioner");
    assert.ok(practitioner);
    const child = await suite.database.unsafeOwnerDb
      .selectFrom("involvements as i")
      .innerJoin("users as u", (j) => onKey(j, "u.agency_id", "i.agency_id"))
      .innerJoin("people as p", (j) => onKey(j, "p.person_id", "i.person_id"))
      .select(["i.person_id", "p.family_name", "u.agency_id", "u.team_id"])
      .where("u.user_id", "=", practitioner.userId)
      .where("p.kind", "=", "child")
      .where("i.ended_on", "is", null)
      .executeTakeFirstOrThrow();
    const { repositoryFor } = await import("../../src/data/repository.ts");
    const link = await repositoryFor(suite.database, {
      partnershipId: suite.partnership.partnershipId,
      userId: practitioner.userId,
      role: "practitioner",
      agencyId: child.agency_id,
      teamId: child.team_id,
      sessionId: null,
      ip: null,
    }).feedback.createLink(child.person_id, "child");
    assert.ok(link.ok);
    const page = await suite.openBrowser();
    await page.setViewportSize(NARROW);
    await page.goto(suite.url(`/f/${link.value.token}`));
    assert.equal(await heading(page), "Tell us what you think");
    assert.ok(!(await text(page.locator("body"))).includes(child.family_name), "the page names nobody");
    // The picture scale is announced as words: each face is hidden, the words are the radio's name.
    assert.equal(await page.getByRole("radio", { name: "Yes, a lot" }).count(), 4);
    await checkBoth(page, "child's questionnaire");
    await press(page, "Send my answers");
    assert.match(await text(page.locator(".govuk-error-summary")), /Pick an answer for/);
    await checkBoth(page, "child's questionnaire with errors");
    for (const id of ["listened", "understood", "helped", "safe"]) await choose(page, `q-${id}`, "5");
    await press(page, "Send my answers");
    assert.match(await text(page.locator("main")), /Thank you for telling us/);
  });

  it("every page passes axe at both widths", () => {
    assertNoViolations(suite, PAGES);
    assert.deepEqual(suite.scriptProblems, []);
  });
});
