// SPDX-License-Identifier: MIT
/**
 * The worklist pages in a browser, axe-checked at desktop width and at 390 px: each role's home page,
 * the notifications page with a break glass notice acknowledged, the professional differences list and
 * a difference opened by the social care manager, and the grouped, filtered alerts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { repositoryFor } from "../../src/data/repository.ts";
import { todayInEngland } from "../../src/kernel/calendar.ts";
import { userFor } from "../../src/test-support/harness.ts";
import {
  andWait,
  assertNoViolations,
  type BrowserSuite,
  heading,
  signInWithPassword,
  startBrowserSuite,
} from "./support.ts";

let suite: BrowserSuite;
const checked: string[] = [];

const check = async (page: Page, name: string) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await suite.checkAccessibility(page, name);
  await page.setViewportSize({ width: 390, height: 844 });
  await suite.checkAccessibility(page, `${name} at 390 px`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `${name} fits 390 px (${wide})`);
  checked.push(name, `${name} at 390 px`);
  await page.setViewportSize({ width: 1280, height: 900 });
};

const demo = (local: string) => {
  const found = suite.partnership.signIns.find((s) => s.email.startsWith(`${local}@`));
  assert.ok(found, local);
  return found;
};

before(async () => {
  suite = await startBrowserSuite();
});

after(async () => {
  await suite?.close();
});

describe("worklists in a browser", () => {
  it("are labelled and axe-clean for each role, at desktop and 390 px", async () => {
    const { database, partnership } = suite;
    const child = partnership.demoFamily.siblingPersonId;
    // A difference raised by the school about the child's plan, and a break glass by another agency.
    const school = await userFor(database, partnership, "practitioner");
    const schoolCtx = { ...school.context, userId: demo("school").userId };
    const schoolAgency = await database.unsafeOwnerDb
      .selectFrom("users")
      .select("agency_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("user_id", "=", demo("school").userId)
      .executeTakeFirstOrThrow();
    const csc = await userFor(database, partnership, "manager", { agencyType: "childrens-social-care" });
    const raised = await repositoryFor(database, {
      ...schoolCtx,
      agencyId: schoolAgency.agency_id,
    }).pathways.raiseEscalation(child, {
      raisedOn: todayInEngland(),
      disagreement: "Social care should assess.",
      aboutAgencyId: csc.context.agencyId,
    });
    assert.ok(raised.ok, JSON.stringify(raised));
    const police = await userFor(database, partnership, "practitioner", { agencyType: "police" });
    assert.ok(
      (await repositoryFor(database, police.context).people.breakGlass(child, "Police called overnight.")).ok,
    );

    for (const local of ["practitioner", "manager", "front-door", "safeguarding-lead", "school"]) {
      const page = await suite.openBrowser();
      await signInWithPassword(suite, page, demo(local).email);
      assert.match(await heading(page), /^Welcome, /);
      await check(page, `${local} home`);
      if (local === "safeguarding-lead") {
        await page.goto(suite.url("/notifications"));
        await check(page, "notifications");
        await andWait(page, () =>
          page
            .getByRole("button", { name: /^Acknowledge: Break glass/ })
            .first()
            .click(),
        );
        assert.match((await page.locator(".govuk-notification-banner").textContent()) ?? "", /Acknowledged/);
        await page.goto(suite.url("/pathways/alerts"));
        await check(page, "alerts");
        await page.goto(suite.url("/pathways/alerts?severity=high"));
        await check(page, "alerts filtered");
      }
      if (local === "manager") {
        await page.goto(suite.url("/escalations"));
        await check(page, "professional differences");
        await page.goto(suite.url(`/escalations/${raised.value.escalationId}`));
        assert.equal(await heading(page), "Professional difference");
        await check(page, "a professional difference");
      }
      if (local === "school") {
        await page.goto(suite.url(`/people/${child}/pathway/escalations/new`));
        await check(page, "raise a professional difference");
      }
      await page.context().close();
    }
    assertNoViolations(suite, checked);
  });
});
