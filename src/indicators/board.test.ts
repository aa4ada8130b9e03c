// SPDX-License-Identifier: MIT
/**
 * The board's view against a real database and real HTTP: a generated demo plays Southampton (852)
 * with rates per 10,000 of its own synthetic children, of the same order as Southampton's published
 * rates; the board settings page sets the authority, population, strategy names and targets (and refuses
 * everyone else); the dashboard shows a sparkline, direction of travel and RAG; an indicator page draws
 * Hearth, England, the region and the neighbours in one chart with a legend and a table; small cells
 * are suppressed; the board report is a board paper.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import ExcelJS from "exceljs";
import type { FastifyInstance } from "fastify";
import { repositoryFor } from "../data/repository.ts";
import type { HearthDatabase } from "../db/database.ts";
import { type GeneratedPartnership, generatePartnership } from "../generator/generate-partnership.ts";
import { todayInEngland } from "../kernel/calendar.ts";
import type { Role } from "../organisation/codes.ts";
import {
  accessContextFor,
  holdBenchmarkTables,
  openTestDatabase,
  signInFor,
  startTestApp,
  TestClient,
} from "../test-support/harness.ts";
import { importBenchmarks } from "./benchmarks-import.ts";
import { boardReportXlsx } from "./board-report.ts";
import { boardSettingsInForce, ragOf, recordedPopulation } from "./board-settings.ts";
import { countText } from "./disclosure.ts";
import { reportingQuarter } from "./model.ts";
import { INDICATORS } from "./registry.ts";

const DFE = join(import.meta.dirname, "..", "..", "reference-data", "dfe");

let database: HearthDatabase;
let app: FastifyInstance;
let demo: GeneratedPartnership;

const signedIn = async (role: Role) => {
  const client = new TestClient(app);
  await client.signIn(signInFor(demo, role).email);
  return client;
};

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");

let releaseBenchmarkTables: () => Promise<void>;

before(async () => {
  releaseBenchmarkTables = await holdBenchmarkTables();
  database = await openTestDatabase();
  // The demo as `hearth serve --demo` makes it: Southampton, history up to today, its own population.
  demo = await generatePartnership(database, {
    seed: `board-${crypto.randomUUID()}`,
    children: 500,
    name: "Southampton Safeguarding Children Partnership (Hearth demo: synthetic data)",
    referenceDate: todayInEngland(),
    demoBoardSettings: true,
  });
  await importBenchmarks(database.unsafeOwnerDb, DFE);
  app = await startTestApp(database);
});

after(async () => {
  await app.close();
  await database.close();
  await releaseBenchmarkTables();
});

describe("the board's rules", () => {
  it("rates red, amber or green against a target by the indicator's better direction", () => {
    const target = { target: 20, tolerance: 5 };
    assert.equal(ragOf({ higherIsBetter: false }, 18, target), "green");
    assert.equal(ragOf({ higherIsBetter: false }, 24, target), "amber");
    assert.equal(ragOf({ higherIsBetter: false }, 26, target), "red");
    assert.equal(ragOf({ higherIsBetter: true }, 16, target), "amber");
    assert.equal(ragOf({ higherIsBetter: true }, 21, target), "green");
    assert.equal(ragOf({ higherIsBetter: null }, 24, target), "green");
    assert.equal(ragOf({ higherIsBetter: null }, 29, target), "amber");
    assert.equal(ragOf({ higherIsBetter: null }, 31, target), "red");
    assert.equal(ragOf({ higherIsBetter: true }, null, target), null);
    assert.equal(ragOf({ higherIsBetter: true }, 10, undefined), null);
  });

  it("shows 1 to 4 as fewer than 5, and keeps 0 and 5", () => {
    assert.deepEqual([0, 1, 4, 5, 1234].map(countText), ["0", "fewer than 5", "fewer than 5", "5", "1,234"]);
  });

  it("counts the recorded population aged 0 to 17 on a day", () => {
    const child = (dateOfBirth: string | null) =>
      ({ dateOfBirth }) as unknown as Parameters<typeof recordedPopulation>[0][number];
    assert.equal(
      recordedPopulation([child("2010-01-01"), child("2006-03-30"), child(null)], "2025-03-31"),
      1,
    );
  });

  it("falls back to the partnership's authority, the ONS estimate and the neutral names", () => {
    const settings = boardSettingsInForce("852", undefined);
    assert.equal(settings.authorityCode, "852");
    assert.equal(settings.populationBasis, "ons");
    assert.equal(settings.version, 0);
  });
});

describe("the board report's spreadsheet", () => {
  it("stores figures rounded to one decimal place as numbers, with a display format", async () => {
    const indicator = INDICATORS.find((i) => i.id === "cp-neglect-share-open");
    assert.ok(indicator);
    const period = reportingQuarter(2026, 3);
    const figure = { numerator: 429, denominator: 1000, value: 42.900000000000006 };
    const xlsx = await boardReportXlsx({
      partnershipName: "Southampton Safeguarding Children Partnership",
      authorityCodes: ["852"],
      period,
      generatedOn: "2026-01-05",
      rows: [{ indicator, quarters: [{ period, figure }], years: [], benchmarks: [] }],
      commentary: new Map(),
    });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx as unknown as ArrayBuffer);
    const sheet = book.getWorksheet("Indicators");
    assert.ok(sheet);
    const cell = sheet.getRow(2).getCell(4);
    assert.equal(cell.value, 42.9);
    assert.equal(typeof cell.value, "number");
    assert.equal(cell.numFmt, "0.0");
    assert.equal(
      book.getWorksheet("Cover")?.getRow(1).getCell(1).value,
      "Southampton Safeguarding Children Partnership",
    );
  });
});

describe("the board report's exports suppress small numbers", () => {
  it("shows 1 to 4 as fewer than 5 in the spreadsheet, and no value made from them", async () => {
    const indicator = INDICATORS.find((i) => i.id === "cp-neglect-share-open");
    assert.ok(indicator);
    const period = reportingQuarter(2026, 3);
    const xlsx = await boardReportXlsx({
      partnershipName: "Southampton Safeguarding Children Partnership",
      authorityCodes: ["852"],
      period,
      generatedOn: "2026-01-05",
      rows: [
        {
          indicator,
          quarters: [{ period, figure: { numerator: 3, denominator: 7, value: 42.9 } }],
          years: [],
          benchmarks: [],
        },
      ],
      commentary: new Map(),
    });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx as unknown as ArrayBuffer);
    assert.equal(book.getWorksheet("Indicators")?.getRow(2).getCell(4).value, "Not shown (fewer than 5)");
    const numerators = book.getWorksheet("Numerators")?.getRow(2);
    assert.deepEqual(
      [3, 4, 5].map((c) => numerators?.getCell(c).value),
      ["fewer than 5", 7, "Not shown (fewer than 5)"],
    );
  });
});

describe("the demo plays Southampton", () => {
  it("names Southampton and its population on the dashboard, an indicator and disproportionality", async () => {
    const client = await signedIn("analyst");
    for (const url of ["/indicators", "/indicators/cp-rate", "/indicators/disproportionality"]) {
      const page = await client.get(url);
      assert.equal(page.statusCode, 200, url);
      const words = text(page.body);
      assert.match(words, /benchmarked as Southampton \(local authority 852\), South East region/, url);
      assert.match(words, /children aged 0 to 17 recorded in Hearth/i, url);
    }
  });

  it("has rates of the same order as Southampton's published ones, with activity up to today", async () => {
    const repo = repositoryFor(database, await accessContextFor(database, demo, "analyst")).indicators;
    const dashboard = await repo.dashboard(undefined, { wait: true });
    assert.ok(dashboard);
    const latest = (id: string) => dashboard.rows.find((r) => r.indicator.id === id);
    // Southampton 2024-25: CP plans 57.3 per 10,000; children in need 386.9 per 10,000 (DfE B1, D5).
    for (const [id, published] of [
      ["cp-rate", 57.3],
      ["cin-rate", 386.9],
    ] as const) {
      const row = latest(id);
      assert.ok(row);
      const values = row.years.slice(-3).flatMap((y) => (y.figure.value === null ? [] : [y.figure.value]));
      assert.ok(values.length > 0, `${id} has values`);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      assert.ok(mean > published / 10 && mean < published * 10, `${id}: ${mean} against ${published}`);
    }
    // Referrals keep coming in the last complete quarters: no cliff.
    const referrals = latest("referrals");
    assert.ok(referrals);
    const lastTwo = referrals.quarters.slice(-3, -1).map((q) => q.figure.value ?? 0);
    assert.ok(
      lastTwo.every((n) => n > 0),
      `referrals in the last complete quarters: ${lastTwo.join(", ")}`,
    );
  });
});

describe("the board settings page", () => {
  it("lets the analyst set a target that the dashboard rates against, kept as a version", async () => {
    const client = await signedIn("analyst");
    const page = await client.get("/settings/board");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<option value="852" selected>Southampton \(852\)<\/option>/);
    const form: Record<string, string> = {
      authority: "852",
      population: "recorded",
      reason: "Board meeting of 1 December: targets for the year",
      "target-cp-rate": "50",
      "tolerance-cp-rate": "10",
    };
    for (const seed of ["000", "001", "002", "003", "004"]) form[`strategy-${seed}`] = `Strategy ${seed}`;
    form["strategy-000"] = "Southampton neglect strategy 2024-2027";
    const saved = await client.post("/settings/board", form);
    assert.equal(saved.statusCode, 303);
    const after = await client.get("/settings/board");
    assert.match(after.body, /Board meeting of 1 December/);
    assert.match(after.body, /value="50"/);
    const dashboard = await client.get("/indicators");
    assert.match(text(dashboard.body), /(Green|Amber|Red) target 50 per 10,000/);
    const indicator = await client.get("/indicators/cp-rate");
    assert.match(text(indicator.body), /Southampton neglect strategy 2024-2027/);
  });

  it("says which field is wrong and saves nothing", async () => {
    const client = await signedIn("analyst");
    await client.get("/settings/board");
    const bad = await client.post("/settings/board", {
      authority: "999",
      population: "recorded",
      reason: "Testing",
      "target-cp-second-plan": "lots",
      "strategy-000": "",
    });
    assert.equal(bad.statusCode, 400);
    const words = text(bad.body);
    assert.match(
      words,
      /Enter the target for "Child protection plans that were a second or subsequent plan \(%\)"/,
    );
    assert.match(words, /Enter a name for strategy 000/);
  });

  it("refuses practitioners and managers, and an unknown authority code", async () => {
    for (const role of ["practitioner", "manager"] as const) {
      const client = await signedIn(role);
      assert.equal((await client.get("/settings/board")).statusCode, 403, role);
      assert.equal((await client.post("/settings/board", { authority: "204", reason: "x" })).statusCode, 403);
    }
    const repo = repositoryFor(database, await accessContextFor(database, demo, "analyst")).indicators;
    const refused = await repo.saveBoardSettings(
      { authorityCode: "999", populationBasis: "ons", strategyNames: {}, targets: {} },
      "A code DfE does not publish",
    );
    assert.equal(refused.ok, false);
  });
});

describe("the indicator pages", () => {
  it("draw Hearth, England, the region and the neighbours with a legend and a table, counts as rates", async () => {
    const client = await signedIn("analyst");
    const page = await client.get("/indicators/cp-second-plan");
    const legend =
      /<ul class="hearth-legend" id="trend-legend"[^>]*>([\s\S]*?)<\/ul>/.exec(page.body)?.[1] ?? "";
    assert.deepEqual(
      [...legend.matchAll(/data-series="(\w+)"/g)].map((m) => m[1]),
      ["hearth", "england", "region", "neighbours"],
    );
    assert.match(page.body, /<svg[^>]*role="img"/);
    assert.match(page.body, /id="trend-table"/);
    const count = await client.get("/indicators/cp-at-31-march");
    assert.match(text(count.body), /as a rate per 10,000 children, by reporting year/);
    assert.match(text(count.body), /England [\s\S]*per 10,000/);
  });

  it("shows small breakdown cells as fewer than 5 and labels codes in words", async () => {
    const client = await signedIn("analyst");
    const page = await client.get("/indicators/referrals?breakdown=ethnicity&period=2025");
    assert.equal(page.statusCode, 200);
    const words = text(page.body);
    assert.doesNotMatch(words, /\bWBRI\b/);
    assert.match(words, /White British/);
    assert.match(words, /fewer than 5/);
    const area = await client.get("/indicators/referrals?breakdown=area&period=2025");
    assert.doesNotMatch(text(area.body), /<th[^>]*>\s*E0599\d{4}\s*</);
    assert.match(text(area.body), / ward/);
  });

  it("shows a sparkline and direction of travel for each indicator on the dashboard", async () => {
    const client = await signedIn("analyst");
    const page = await client.get("/indicators");
    assert.ok((page.body.match(/class="hearth-sparkline"/g) ?? []).length > 10);
    assert.match(text(page.body), /(Up|Down) [\d.]+/);
  });
});
