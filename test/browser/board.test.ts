// SPDX-License-Identifier: MIT
/**
 * The board's view in a real browser: the analyst opens the dashboard (a sparkline and direction of
 * travel per indicator), an indicator whose chart draws Hearth, England, the region and the statistical
 * neighbours' median with a legend and a table of the same figures, a breakdown and a drill-down, sets a
 * target on the board settings page and sees it rated, and downloads the board report, whose PDF names
 * the partnership and opens with an executive summary. The PDF's text is read with pdf.js and each page
 * is drawn by pdf.js to a PNG and checked as an image (drawn, not blank, charts in colour); the PDF, its
 * text and the page images are kept in the test's artefacts (test-results/board/). axe checks every page
 * on the way.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { importBenchmarks } from "../../src/indicators/benchmarks-import.ts";
import { holdBenchmarkTables } from "../../src/test-support/harness.ts";
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

const DFE = join(import.meta.dirname, "..", "..", "reference-data", "dfe");
const ARTEFACTS = join(import.meta.dirname, "..", "..", "test-results", "board");

const EVERY_PAGE = [
  "dashboard",
  "indicator with its chart",
  "indicator by age",
  "children behind the number",
  "board settings",
  "board report",
  "board report ready",
] as const;

let suite: BrowserSuite;
let page: Page;
let releaseBenchmarkTables: () => Promise<void> = async () => {};

/** Each page's text, read with pdf.js (the legacy build runs in Node without a canvas). */
const pdfPages = async (pdf: Buffer): Promise<string[]> => {
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const standardFontDataUrl = `${join(import.meta.dirname, "..", "..", "node_modules", "pdfjs-dist", "standard_fonts")}/`;
  const document = await pdfjs.getDocument({ data: new Uint8Array(pdf), standardFontDataUrl }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= document.numPages; n++) {
    const content = await (await document.getPage(n)).getTextContent();
    pages.push(content.items.map((item) => ("str" in item ? item.str : "")).join(" "));
  }
  return pages;
};

/** What a drawn page shows: its size, the share of pixels that are not white, and whether any is in colour. */
type Looks = { width: number; height: number; inked: number; coloured: boolean };

const looksOf = (width: number, height: number, rgba: Uint8ClampedArray): Looks => {
  let inked = 0;
  let coloured = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    const r = rgba[i] ?? 255;
    const g = rgba[i + 1] ?? 255;
    const b = rgba[i + 2] ?? 255;
    if (r < 240 || g < 240 || b < 240) inked++;
    if (Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
  }
  return { width, height, inked: inked / (width * height), coloured: coloured > 0 };
};

type NodeCanvas = {
  canvas: { toBuffer: (type: "image/png") => Buffer };
  context: { getImageData: (x: number, y: number, w: number, h: number) => { data: Uint8ClampedArray } };
};

/**
 * Each page drawn by pdf.js (with @napi-rs/canvas, its canvas in Node) at 1.5 times its size, the way a
 * reader's viewer shows it: the PNG and what it shows.
 */
const pdfImages = async (pdf: Buffer): Promise<{ png: Buffer; looks: Looks }[]> => {
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const standardFontDataUrl = `${join(import.meta.dirname, "..", "..", "node_modules", "pdfjs-dist", "standard_fonts")}/`;
  const document = await pdfjs.getDocument({ data: new Uint8Array(pdf), standardFontDataUrl }).promise;
  const factory = document.canvasFactory as { create: (w: number, h: number) => NodeCanvas };
  const images: { png: Buffer; looks: Looks }[] = [];
  for (let n = 1; n <= document.numPages; n++) {
    const pdfPage = await document.getPage(n);
    const viewport = pdfPage.getViewport({ scale: 1.5 });
    const width = Math.ceil(viewport.width);
    const height = Math.ceil(viewport.height);
    const { canvas, context } = factory.create(width, height);
    await pdfPage.render({ canvas, viewport } as unknown as Parameters<typeof pdfPage.render>[0]).promise;
    images.push({
      png: canvas.toBuffer("image/png"),
      looks: looksOf(width, height, context.getImageData(0, 0, width, height).data),
    });
  }
  return images;
};

before(async () => {
  releaseBenchmarkTables = await holdBenchmarkTables();
  suite = await startBrowserSuite(150);
  await importBenchmarks(suite.database.unsafeOwnerDb, DFE);
  page = await suite.openBrowser();
  const analyst = suite.partnership.signIns.find((s) => s.role === "analyst");
  assert.ok(analyst);
  await signInWithPassword(suite, page, analyst.email);
});

after(async () => {
  await suite?.close();
  await releaseBenchmarkTables();
});

describe("the analyst preparing the board's view", () => {
  it("opens the dashboard: each indicator with a sparkline and its direction of travel", async () => {
    await follow(page, "Indicators");
    assert.equal(await heading(page), "Indicators");
    const main = await text(page.locator("main"));
    assert.match(main, /benchmarked as Southampton \(local authority 852\)/);
    assert.ok((await page.locator("svg.hearth-sparkline").count()) > 10, "sparklines are drawn");
    assert.match(main, /Since \d{4}-\d{2}/);
    await suite.checkAccessibility(page, "dashboard");
  });

  it("opens an indicator whose chart has a legend, four series and a data table", async () => {
    await follow(page, "Child protection plans that were a second or subsequent plan (%)");
    const legend = page.locator("#trend-legend li");
    assert.deepEqual(await legend.allTextContents().then((t) => t.map((x) => x.trim())), [
      "This partnership (Hearth)",
      "England",
      "Region",
      "Statistical neighbours (median)",
    ]);
    assert.equal(await page.locator("figure.hearth-chart svg[role=img]").count(), 1);
    const table = page.locator("#trend-table");
    assert.deepEqual(
      (await table.locator("thead th").allTextContents()).map((t) => t.trim()),
      ["Year", "This partnership (Hearth)", "England", "Region", "Statistical neighbours (median)"],
    );
    assert.match(await text(table), /2024-25 .*%/);
    await suite.checkAccessibility(page, "indicator with its chart");
  });

  it("breaks an indicator down by age and drills down to the children behind a group", async () => {
    await page.goto(suite.url("/indicators"));
    await follow(page, "Referrals to children's social care");
    await page.getByLabel("Period").selectOption({ label: "2024-25" });
    await page.getByLabel("Break down by").selectOption("age");
    await press(page, "Show");
    assert.match(await text(page.locator("main")), /2024-25 by age band/);
    await suite.checkAccessibility(page, "indicator by age");
    await page
      .getByRole("link", { name: /^Children in / })
      .first()
      .click();
    await page.waitForLoadState("load");
    assert.equal(await heading(page), "The children behind this number");
    assert.equal(await page.locator('main a[href^="/people/"]').count(), 0, "an analyst sees counts only");
    await suite.checkAccessibility(page, "children behind the number");
  });

  it("sets a target on the board settings page and sees the dashboard rate against it", async () => {
    await follow(page, "Board settings");
    assert.equal(await heading(page), "The board's authority, strategies and targets");
    await suite.checkAccessibility(page, "board settings");
    await page
      .getByLabel("Target for Child protection plans that were a second or subsequent plan (%)")
      .fill("20");
    await page
      .getByLabel("Amber tolerance for Child protection plans that were a second or subsequent plan (%)")
      .fill("5");
    await page
      .getByLabel("Why are these settings changing?")
      .fill("Board of 1 December: target for repeat plans");
    await press(page, "Save a new version");
    assert.match(await text(page.locator("main")), /saved as a new version/);
    await page.goto(suite.url("/indicators"));
    const row = page.locator("tr", {
      hasText: "Child protection plans that were a second or subsequent plan (%)",
    });
    assert.match(await text(row), /(Green|Amber|Red) target 20%|target 20%: not known/i);
  });

  it("downloads the board report: a board paper naming the partnership, opening with an executive summary", async () => {
    await follow(page, "Board report: commentary and download (PDF and spreadsheet)");
    assert.equal(await heading(page), "Board report");
    await suite.checkAccessibility(page, "board report");
    await page
      .getByLabel("Overall commentary")
      .fill("Repeat plans for neglect are above target this quarter.");
    await press(page, "Save commentary");
    await page.getByRole("button", { name: /^Make the board report for / }).click();
    await page.waitForLoadState("load");
    // The progress page updates itself (a meta refresh, no JavaScript) until the report is ready.
    await page.getByText("Your report is ready").waitFor({ timeout: 90_000 });
    await suite.checkAccessibility(page, "board report ready");
    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download the board report as PDF" }).click();
    const download = await downloading;
    const chunks: Buffer[] = [];
    for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
    const pdf = Buffer.concat(chunks);
    assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
    const pages = await pdfPages(pdf);
    mkdirSync(ARTEFACTS, { recursive: true });
    writeFileSync(join(ARTEFACTS, "board-report.pdf"), pdf);
    writeFileSync(
      join(ARTEFACTS, "board-report.txt"),
      pages.map((p, i) => `--- page ${i + 1}\n${p}`).join("\n"),
    );
    // Each page as an image, kept with the PDF: drawn at A4's proportions, none blank, the charts in colour.
    const images = await pdfImages(pdf);
    assert.equal(images.length, pages.length);
    images.forEach(({ png }, i) => {
      assert.equal(png.subarray(1, 4).toString(), "PNG");
      writeFileSync(join(ARTEFACTS, `board-report-page-${String(i + 1).padStart(2, "0")}.png`), png);
    });
    const looks = images.map((image) => image.looks);
    for (const [i, look] of looks.entries()) {
      assert.ok(Math.abs(look.height / look.width - Math.SQRT2) < 0.05, `page ${i + 1} is A4 portrait`);
      assert.ok(look.inked > 0.002, `page ${i + 1} is drawn, not blank`);
    }
    assert.ok(
      looks.some((look) => look.coloured),
      "the trend charts are drawn in their colours",
    );
    assert.match(pages[0] ?? "", /Test Partnership/, "the title page names the partnership");
    assert.match(pages[0] ?? "", /report to the partnership board/);
    assert.match(pages[0] ?? "", /Southampton/);
    assert.match(pages[1] ?? "", /Executive summary/);
    assert.match(pages[1] ?? "", /Repeat plans for neglect are above target this quarter\./);
    assert.match(pages.join(" "), /Appendix C: definitions/);
    // The learning measures (issue 15): case audits, their actions, families' feedback, and training.
    const text = pages.join(" ").replace(/\s+/g, " ");
    for (const measure of [
      /Children.s cases audited and moderated/,
      /Case audit actions completed on time/,
      /Feedback from children and families/,
      /Training of the workforce/,
      /Trend: people trained by the end of each quarter/,
    ])
      assert.match(text, measure);
    assert.match(pdf.toString("latin1"), /\/MarkInfo/, "pdfmake asks for a tagged PDF");
  });

  it("passes axe on every page, with no script errors or missing assets", () => {
    assertNoViolations(suite, EVERY_PAGE);
    assert.deepEqual(suite.scriptProblems, []);
    assert.deepEqual([...suite.missingAssets], []);
  });
});
