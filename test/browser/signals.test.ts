// SPDX-License-Identifier: MIT
/**
 * Signals in a browser, axe-checked at desktop width and at 390 px: the health visitor (the baby's lead
 * professional) sees a signal on her worklist after "not brought" entries are recorded, opens it, sees
 * the entries that fired it, records "screening with the family", and the decision appears in the
 * baby's chronology and in the rule's precision figures.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { repositoryFor } from "../../src/data/repository.ts";
import { createFamily } from "../../src/test-support/families.ts";
import { contextOfUser } from "../../src/test-support/harness.ts";
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

const isoDaysAgo = (days: number): string =>
  new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

before(async () => {
  suite = await startBrowserSuite();
});

after(async () => {
  await suite?.close();
});

describe("signals in a browser", () => {
  it("reach the health visitor, show their entries, and take her decision to the chronology and the figures", async () => {
    const { database, partnership } = suite;
    const hvSignIn = partnership.signIns.find((s) => s.email.startsWith("health-visitor@"));
    assert.ok(hvSignIn);
    const user = await database.unsafeOwnerDb
      .selectFrom("users")
      .select(["user_id", "agency_id", "team_id", "role"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("email", "=", hvSignIn.email)
      .executeTakeFirstOrThrow();
    const family = await createFamily(database, {
      partnershipId: partnership.partnershipId,
      familyName: "Wrenfield",
    });
    await database.unsafeOwnerDb
      .insertInto("involvements")
      .values({
        partnership_id: partnership.partnershipId,
        involvement_id: randomUUID(),
        person_id: family.babyId,
        agency_id: user.agency_id,
        started_on: isoDaysAgo(200),
        ended_on: null,
        sharing_basis: "consent",
        consent: "given",
        sharing_reasoning: null,
        lead_professional_user_id: user.user_id,
      })
      .execute();
    // Appointments the baby was not brought to, entered by hand (an appointments import will do the same).
    const hv = repositoryFor(
      database,
      await contextOfUser(database, partnership.partnershipId, { userId: user.user_id }),
    );
    for (const [days, what] of [
      [60, "Not brought to the new birth review"],
      [35, "Not brought to the 6 to 8 week check"],
      [12, "Not brought to immunisations"],
    ] as const) {
      const added = await hv.chronology.addEvent(family.babyId, {
        eventType: "not-brought-health",
        occurredOn: isoDaysAgo(days),
        datePrecision: "day",
        whatHappened: what,
        impactOnChild: "Growth and immunisations not checked.",
        actionTaken: null,
        significance: "medium",
        neglectTypes: ["medical"],
        informationBasis: "observed",
        visibility: "normal",
        restrictedToRoles: [],
      });
      assert.ok(added.ok);
    }

    const page = await suite.openBrowser();
    await signInWithPassword(suite, page, hvSignIn.email);
    const section = page.locator("#signals");
    assert.match(await text(section), /Signals to consider/);
    await check(page, "Home with a signal");
    await andWait(page, () =>
      section
        .getByRole("link", {
          name: "Poppy Wrenfield: Not brought to health appointments, across brothers and sisters",
        })
        .click(),
    );
    assert.match(await heading(page), /^Signal: Not brought to health appointments/);
    const entries = await text(page.locator("#signal-entries"));
    for (const what of [
      "Not brought to the new birth review",
      "Not brought to the 6 to 8 week check",
      "Not brought to immunisations",
    ])
      assert.ok(entries.includes(what), what);
    await check(page, "Signal");

    // Without a reason the form says so.
    await page.getByLabel("Screening with the family, using the neglect screening tool").check();
    await press(page, "Record the decision");
    assert.match(await text(page.locator(".govuk-error-summary")), /Enter the reason for your decision/);
    await check(page, "Signal decision with an error");
    await page.getByLabel("Screening with the family, using the neglect screening tool").check();
    await page
      .getByLabel("Reason")
      .fill("Three appointments missed since birth; mother agreed to a screening together next week.");
    await press(page, "Record the decision");
    assert.match(await text(page.locator(".govuk-notification-banner")), /Your decision has been recorded/);
    assert.match(
      await text(page.locator("main")),
      /Screening with the family, using the neglect screening tool/,
    );

    await page.goto(suite.url(`/people/${family.babyId}/chronology`));
    const chronology = await text(page.locator("main"));
    assert.match(chronology, /Decision on a signal of possible neglect/);
    assert.match(chronology, /mother agreed to a screening together/);

    await page.goto(suite.url(`/people/${family.babyId}/history`));
    const known = await text(page.locator("main"));
    assert.match(known, /Repeated concerns across the family/);
    assert.match(known, /Child not brought to a health appointment/);
    assert.match(known, /Screening with the family/);
    assert.ok(!known.includes("No events of high significance are recorded"));
    await check(page, "What is already known with patterns");

    const lead = await suite.openBrowser();
    const leadSignIn = partnership.signIns.find((s) => s.role === "safeguarding-lead");
    assert.ok(leadSignIn);
    await signInWithPassword(suite, lead, leadSignIn.email);
    await lead.goto(suite.url("/indicators"));
    await follow(lead, "Signals: how often each rule helped, and whether any falls unevenly on a group");
    assert.equal(await heading(lead), "Signals: how often each rule helped");
    const rule = await text(lead.locator("main"));
    const section2 = rule.slice(rule.indexOf("Not brought to health appointments"));
    // Counted across brothers and sisters, the pattern fired for the baby and for her brother: one decided.
    assert.match(section2, /Signals fired 2 Decided 1 Confirmed as needing action 1/);
    assert.match(section2, /Screening with the family, using the neglect screening tool 1/);
    await check(lead, "Signal precision");

    assertNoViolations(suite, checked);
    assert.deepEqual(suite.scriptProblems, []);
  });
});
