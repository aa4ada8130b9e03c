// SPDX-License-Identifier: MIT
/**
 * The chronology on a phone, in a real browser: a long family chronology with social care events in it,
 * at 390 and 320 pixels wide, fits the screen (no sideways scrolling) and passes axe, target size
 * included; at desktop width it is a table. Paging and the day/month/year filter work without JavaScript
 * (axe runs in the page, so it checks the pages with JavaScript on; the markup is the same).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import type { Page } from "playwright-core";
import { createFamily, findUser, type TestFamily } from "../../src/test-support/families.ts";
import {
  andWait,
  assertNoViolations,
  type BrowserSuite,
  heading,
  press,
  signInWithPassword,
  startBrowserSuite,
  text,
} from "./support.ts";

const EVERY_PAGE = [
  "family chronology at 390 px",
  "family chronology at 320 px",
  "child's chronology at 320 px, page 2",
  "family chronology at desktop width",
] as const;

let suite: BrowserSuite;
let family: TestFamily;
let healthVisitorEmail = "";

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

before(async () => {
  suite = await startBrowserSuite(20);
  const { database, partnership } = suite;
  const healthVisitor = await findUser(database, partnership.partnershipId, {
    role: "practitioner",
    agencyName: "Community Health NHS Trust",
  });
  healthVisitorEmail = healthVisitor.email;
  family = await createFamily(database, {
    partnershipId: partnership.partnershipId,
    familyName: "Narrowdale",
    involvements: [
      { agencyId: healthVisitor.agencyId, child: "baby" },
      { agencyId: healthVisitor.agencyId, child: "sibling" },
    ],
  });
  // 120 entries, some long and unbroken (a pasted reference), so the cards must wrap them.
  await sql`
    insert into chronology_events (partnership_id, event_id, person_id, occurred_on, date_precision, event_type,
      source_agency_id, recorded_by, what_happened, impact_on_child, action_taken, significance, neglect_types,
      information_basis)
    select ${partnership.partnershipId}::uuid, gen_random_uuid(),
      case when n % 3 = 0 then ${family.siblingId}::uuid else ${family.babyId}::uuid end,
      current_date - n * 3, 'day', 'home-visit-seen', ${healthVisitor.agencyId}::uuid, ${healthVisitor.userId}::uuid,
      'Home visit ' || n || ': reference HV-REF-000000000000000000000000000000000000000000' || n,
      'Seen and well; home warm and food in the cupboards', 'Next visit booked', 'low',
      array['physical', 'nutritional']::text[], 'observed'
    from generate_series(1, 120) n`.execute(database.unsafeOwnerDb);
  const referral = randomUUID();
  await database.unsafeOwnerDb
    .insertInto("csc_events")
    .values([
      {
        partnership_id: partnership.partnershipId,
        event_id: referral,
        person_id: family.babyId,
        episode_id: referral,
        event_type: "referral",
        occurred_on: daysAgo(1),
        code: "3B",
      },
      {
        partnership_id: partnership.partnershipId,
        event_id: randomUUID(),
        person_id: family.babyId,
        episode_id: referral,
        event_type: "assessment-start",
        occurred_on: daysAgo(1),
      },
    ])
    .execute();
});

after(async () => {
  await suite?.close();
});

/** How far the page scrolls sideways: 0 when everything fits. */
const overflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe("the chronology on a narrow screen", () => {
  let page: Page;

  it("fits 390 pixels: no sideways scrolling, each entry a card", async () => {
    page = await suite.openBrowser();
    await page.setViewportSize({ width: 390, height: 844 });
    await signInWithPassword(suite, page, healthVisitorEmail);
    await page.goto(suite.url(`/people/${family.babyId}/family-chronology?page=3`));
    assert.equal(await heading(page), "Family chronology");
    assert.equal(await overflow(page), 0, "the page does not scroll sideways at 390 px");
    const main = await text(page.locator("main"));
    assert.match(main, /Referral received/);
    assert.match(main, /Referred by: Health: health visitor/);
    const display = await page
      .locator(".hearth-chronology-table tbody tr")
      .first()
      .evaluate((row) => getComputedStyle(row).display);
    assert.equal(display, "block", "entries are cards below tablet width");
    await suite.checkAccessibility(page, "family chronology at 390 px");
  });

  it("fits 320 pixels", async () => {
    await page.setViewportSize({ width: 320, height: 640 });
    await page.reload();
    assert.equal(await overflow(page), 0, "the page does not scroll sideways at 320 px");
    await suite.checkAccessibility(page, "family chronology at 320 px");
    await page.goto(suite.url(`/people/${family.babyId}/chronology?page=2`));
    assert.equal(await overflow(page), 0);
    await suite.checkAccessibility(page, "child's chronology at 320 px, page 2");
  });

  it("is a table at desktop width", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(suite.url(`/people/${family.babyId}/family-chronology`));
    const display = await page
      .locator(".hearth-chronology-table tbody tr")
      .first()
      .evaluate((row) => getComputedStyle(row).display);
    assert.equal(display, "table-row");
    assert.equal(await overflow(page), 0);
    await suite.checkAccessibility(page, "family chronology at desktop width");
  });
});

describe("the chronology without JavaScript", () => {
  let page: Page;

  it("pages with links", async () => {
    page = await suite.openBrowser({ javaScriptEnabled: false });
    await signInWithPassword(suite, page, healthVisitorEmail);
    await page.goto(suite.url(`/people/${family.babyId}/chronology`));
    assert.match(await text(page.locator("main")), /Showing 1 to 50 of 82 entries/);
    await andWait(page, () => page.locator(".govuk-pagination__next a").click());
    assert.equal(new URL(page.url()).searchParams.get("page"), "2");
    assert.match(await text(page.locator("main")), /Showing 51 to 82 of 82 entries/);
    assert.equal(await page.locator(".govuk-pagination__next").count(), 0, "the last page has no next");
  });

  it("filters by day, month and year boxes", async () => {
    const [year, month, day] = daysAgo(30).split("-");
    await page.locator("#from-day").fill(String(Number(day)));
    await page.locator("#from-month").fill(String(Number(month)));
    await page.locator("#from-year").fill(String(year));
    await press(page, "Apply filters");
    const main = await text(page.locator("main"));
    // The baby's entries every 3 days for 30 days (those on the sibling left out), and the two social care events.
    assert.match(main, /Showing \d+ entries/);
    assert.doesNotMatch(main, /govuk-pagination/);
    assert.equal(await page.locator("#from-day").inputValue(), String(Number(day)));
  });
});

describe("accessibility", () => {
  it("every page passes axe (WCAG 2.2 AA, target size included) with no violations", () => {
    assertNoViolations(suite, EVERY_PAGE);
  });

  it("no page logged a script error or asked for an asset it did not get", () => {
    assert.deepEqual(suite.scriptProblems, []);
    assert.deepEqual([...suite.missingAssets], []);
  });
});
