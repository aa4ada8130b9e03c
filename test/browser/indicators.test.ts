// SPDX-License-Identifier: MIT
/**
 * Measuring success, in a real browser: an analyst opens the indicators dashboard, follows one indicator
 * to its breakdown by sex and its drill-down (counts only: analysts never open a child's record), looks
 * at disproportionality, writes the board's commentary and downloads the quarterly board report, whose
 * PDF opens and carries charts. axe checks every page on the way.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { inflateSync } from "node:zlib";
import type { Page } from "playwright-core";
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

const EVERY_PAGE = [
  "indicators dashboard",
  "indicator page",
  "indicator by sex",
  "children behind the number",
  "disproportionality",
  "board report",
  "board report progress",
] as const;

let suite: BrowserSuite;
let page: Page;

/** Drawing operators in the PDF's content streams: charts draw curves (the dots); tables do not. */
const curvesIn = (pdf: Buffer): number => {
  let curves = 0;
  const source = pdf.toString("latin1");
  for (const match of source.matchAll(/stream\r?\n/g)) {
    const start = (match.index ?? 0) + match[0].length;
    const end = source.indexOf("endstream", start);
    try {
      const content = inflateSync(pdf.subarray(start, end)).toString("latin1");
      curves += (content.match(/ c\n/g) ?? []).length;
    } catch {
      // Not a Flate stream (a font, say).
    }
  }
  return curves;
};

before(async () => {
  suite = await startBrowserSuite(120);
  page = await suite.openBrowser();
  const analyst = suite.partnership.signIns.find((s) => s.role === "analyst");
  assert.ok(analyst);
  await signInWithPassword(suite, page, analyst.email);
});

after(async () => {
  await suite?.close();
});

describe("an analyst measuring the neglect strategy", () => {
  it("opens the dashboard from the navigation", async () => {
    await follow(page, "Indicators");
    assert.equal(await heading(page), "Indicators");
    assert.match(await text(page.locator("main")), /Referrals to children's social care/);
    await suite.checkAccessibility(page, "indicators dashboard");
  });

  it("follows an indicator to its definition, chart and table", async () => {
    await follow(page, "Referrals to children's social care");
    assert.equal(await heading(page), "Referrals to children's social care");
    assert.match(
      await text(page.locator("main")),
      /Referrals received by children's social care in the period/,
    );
    assert.ok((await page.locator("svg[role=img]").count()) > 0, "a chart is drawn");
    await suite.checkAccessibility(page, "indicator page");
  });

  it("breaks it down by sex and drills down to the children behind a number", async () => {
    await page.getByLabel("Break down by").selectOption("sex");
    await press(page, "Show");
    assert.match(await text(page.locator("main")), /by sex/);
    await suite.checkAccessibility(page, "indicator by sex");
    await page
      .getByRole("link", { name: /^Children in / })
      .first()
      .click();
    await page.waitForLoadState("load");
    assert.equal(await heading(page), "The children behind this number");
    assert.match(await text(page.locator("main")), /not listed/);
    assert.equal(await page.locator('main a[href^="/people/"]').count(), 0, "an analyst sees counts only");
    await suite.checkAccessibility(page, "children behind the number");
  });

  it("sees disproportionality", async () => {
    await page.goto(suite.url("/indicators"));
    await follow(page, "Disproportionality: who is on plans for neglect, against the child population");
    assert.equal(await heading(page), "Disproportionality");
    await suite.checkAccessibility(page, "disproportionality");
  });

  it("writes the commentary and downloads the board report, whose PDF shows charts", async () => {
    await page.goto(suite.url("/indicators"));
    await follow(page, "Board report: commentary and download (PDF and spreadsheet)");
    assert.equal(await heading(page), "Board report");
    await suite.checkAccessibility(page, "board report");
    await page.getByLabel("Overall commentary").fill("Fewer plans for neglect last two years or more.");
    await press(page, "Save commentary");
    assert.match(await text(page.locator("main")), /Commentary saved/);
    await page.getByRole("button", { name: /^Make the board report for / }).click();
    await page.waitForLoadState("load");
    // The progress page updates itself (a meta refresh, no JavaScript) until the report is ready.
    await page.getByText("Your report is ready").waitFor({ timeout: 60_000 });
    assert.match(await text(page.locator("main")), /Your report is ready/);
    await suite.checkAccessibility(page, "board report progress");
    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download the board report as PDF" }).click();
    const download = await downloading;
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const pdf = Buffer.concat(chunks);
    assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
    assert.ok(curvesIn(pdf) > 0, "the PDF draws charts");
  });

  it("passes axe on every page, with no script errors or missing assets", () => {
    assertNoViolations(suite, EVERY_PAGE);
    assert.deepEqual(suite.scriptProblems, []);
    assert.deepEqual([...suite.missingAssets], []);
  });
});
