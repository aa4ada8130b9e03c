// SPDX-License-Identifier: MIT
/**
 * Indicators against a real database: the benchmark import (fixtures, then the real DfE files), the
 * Southampton check (the "done when" line: with the authority set to 852, the CP-plan-duration and
 * second-plan indicators show Southampton's, England's and the neighbours' median published figures for
 * 2024 and 2025, matching the files), access (who sees which figures, who sees the children), pages and
 * the board report.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { repositoryFor } from "../data/repository.ts";
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import type { Role } from "../organisation/codes.ts";
import {
  accessContextFor,
  createTestPartnership,
  holdBenchmarkTables,
  openTestDatabase,
  signInFor,
  startTestApp,
  TestClient,
} from "../test-support/harness.ts";
import { importBenchmarks } from "./benchmarks-import.ts";
import { IndicatorsRepository } from "./indicators-repository.ts";
import { INDICATORS } from "./registry.ts";
import { medianOf, publishedRow, southamptonNeighbours } from "./test-support.ts";

// The published DfE files, kept in the repository (Open Government Licence v3.0) so tests run anywhere.
const DFE = join(import.meta.dirname, "..", "..", "reference-data", "dfe");
const FIXTURES = join(import.meta.dirname, "fixtures");

let database: HearthDatabase;
let app: FastifyInstance;
let partnership: GeneratedPartnership;

const contextOf = (role: Role) => accessContextFor(database, partnership, role);

const signedIn = async (role: Role) => {
  const client = new TestClient(app);
  await client.signIn(signInFor(partnership, role).email);
  return client;
};

let releaseBenchmarkTables: () => Promise<void>;

before(async () => {
  releaseBenchmarkTables = await holdBenchmarkTables();
  database = await openTestDatabase();
  partnership = await createTestPartnership(database, 200);
  await database.unsafeOwnerDb
    .updateTable("partnerships")
    .set({ local_authority_codes: ["852"] })
    .where("partnership_id", "=", partnership.partnershipId)
    .execute();
  app = await startTestApp(database);
});

after(async () => {
  await app.close();
  await database.close();
  await releaseBenchmarkTables();
});

describe("the indicators repository's methods", () => {
  it("are each declared guarded or unguarded", () => {
    const methods = Object.getOwnPropertyNames(IndicatorsRepository.prototype).filter(
      (name) =>
        name !== "constructor" &&
        typeof Object.getOwnPropertyDescriptor(IndicatorsRepository.prototype, name)?.value === "function",
    );
    const declared = IndicatorsRepository.methodAccess as Record<string, string>;
    assert.deepEqual(
      methods.filter((name) => declared[name] !== "guarded" && declared[name] !== "unguarded"),
      [],
    );
    assert.deepEqual(
      Object.keys(declared).filter((name) => !methods.includes(name)),
      [],
    );
  });

  it("return nothing and change nothing without a caller, or for a role without indicators", async () => {
    const analystsJob = await repositoryFor(
      database,
      await contextOf("analyst"),
    ).indicators.startBoardReportJob("2025-Q4");
    assert.ok(analystsJob.ok);
    const jobId = analystsJob.value.jobId;
    for (const context of [undefined, await contextOf("practitioner"), await contextOf("manager")]) {
      const repo = repositoryFor(database, context).indicators;
      const results: Record<string, unknown> = {
        scope: repo.scope(),
        dashboard: await repo.dashboard(),
        indicator: await repo.indicator("cp-second-plan"),
        drillDown: await repo.drillDown("cp-second-plan", "2025"),
        disproportionality: await repo.disproportionality("2025"),
        benchmarks: await repo.benchmarks("cp-second-plan"),
        benchmarkSource: await repo.benchmarkSource(),
        listCommentary: [...(await repo.listCommentary("2025-Q4"))],
        saveCommentary: (await repo.saveCommentary("2025-Q4", "overview", "Ghost")).ok,
        boardReport: await repo.boardReport("2025-Q4"),
        startBoardReportJob: (await repo.startBoardReportJob("2025-Q4")).ok,
        boardReportJob: await repo.boardReportJob(jobId),
        boardReportFile: await repo.boardReportFile(jobId, "pdf"),
        recordBoardReportStep: await repo.recordBoardReportStep(jobId, "figures"),
        finishBoardReportJob: await repo.finishBoardReportJob(jobId, {
          pdf: Buffer.from("forged"),
          xlsx: Buffer.from("forged"),
        }),
        failBoardReportJob: await repo.failBoardReportJob(jobId, "Ghost"),
        boardSettings: await repo.boardSettings(),
        saveBoardSettings: (
          await repo.saveBoardSettings(
            { authorityCode: "852", populationBasis: "recorded", strategyNames: {}, targets: {} },
            "Ghost",
          )
        ).ok,
      };
      if (context?.role === "manager") {
        // Managers see their agency's figures, so these answer; the board report's jobs do not.
        delete results.scope;
        delete results.dashboard;
        delete results.indicator;
        delete results.drillDown;
        delete results.disproportionality;
        delete results.benchmarks;
        delete results.benchmarkSource;
        delete results.listCommentary;
      } else
        assert.deepEqual(Object.keys(results).sort(), Object.keys(IndicatorsRepository.methodAccess).sort());
      for (const [name, value] of Object.entries(results)) {
        const empty = value === undefined || value === false || (Array.isArray(value) && value.length === 0);
        assert.ok(
          empty,
          `${name} gave ${JSON.stringify(value)?.slice(0, 80)} to ${context?.role ?? "nobody"}`,
        );
      }
    }
    const ghosts = await database.unsafeOwnerDb
      .selectFrom("indicator_commentary")
      .select("body")
      .where("body", "=", "Ghost")
      .execute();
    assert.equal(ghosts.length, 0);
    const job = await database.unsafeOwnerDb
      .selectFrom("board_report_jobs")
      .select(["steps_done", "error", "pdf"])
      .where("job_id", "=", jobId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(job, { steps_done: [], error: null, pdf: null }, "the analyst's job is untouched");
  });
});

describe("importing the DfE files", () => {
  it("loads the fixtures, keeping suppressed cells unknown with their code", async () => {
    const steps: string[] = [];
    const summary = await importBenchmarks(database.unsafeOwnerDb, FIXTURES, (step) => steps.push(step));
    assert.ok(steps.includes("writing values"), "reports progress");
    assert.equal(summary.neighbours, 3);
    const portsmouth = await database.unsafeOwnerDb
      .selectFrom("benchmark_values")
      .select(["measure", "value", "suppression"])
      .where("area_code", "=", "851")
      .where("measure", "like", "d5.%")
      .orderBy("measure")
      .execute();
    assert.deepEqual(
      portsmouth.map((r) => [r.measure, r.value === null ? null : Number(r.value), r.suppression]),
      [
        ["d5.2_years_or_more", null, "x"],
        ["d5.2_years_or_more_percent", null, "x"],
        ["d5.3_months_or_less", null, "c"],
        ["d5.3_months_or_less_percent", null, "c"],
        ["d5.CPP_At31", 200, null],
      ],
    );
  });

  it("refuses a folder without the files, changing nothing", async () => {
    await assert.rejects(
      importBenchmarks(database.unsafeOwnerDb, join(FIXTURES, "..", "views")),
      /has no b1 file/,
    );
    const count = await database.unsafeOwnerDb
      .selectFrom("benchmark_values")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    assert.ok(Number(count.n) > 0);
  });

  it("lets the application role read the benchmarks but not change them", async () => {
    await assert.rejects(
      database.unsafeOwnerDb.transaction().execute(async (trx) => {
        await trx.executeQuery({
          sql: "set local role hearth_app",
          parameters: [],
          query: { kind: "RawNode" },
        } as never);
        await trx.deleteFrom("benchmark_values").execute();
      }),
    );
  });
});

describe("Southampton's benchmarks (authority 852) from the published files", () => {
  before(async () => {
    await importBenchmarks(database.unsafeOwnerDb, DFE);
  });

  const CHECKS = [
    {
      id: "referral-nfa",
      file: "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
      column: "no_further_action_percent",
    },
    {
      id: "cp-second-plan",
      file: "d3_cpps_subsequent_plan_2013_to_2025.csv",
      column: "CPP_subsequent_percent",
    },
    {
      id: "cp-duration-3m",
      file: "d5_cpps_at31march_by_duration_2013_to_2025.csv",
      column: "3_months_or_less_percent",
    },
    {
      id: "cp-duration-3-6m",
      file: "d5_cpps_at31march_by_duration_2013_to_2025.csv",
      column: "more_than_3_months_6_months_percent",
    },
    {
      id: "cp-duration-6-12m",
      file: "d5_cpps_at31march_by_duration_2013_to_2025.csv",
      column: "more_than_6_months_less_than_1_year_percent",
    },
    {
      id: "cp-duration-1-2y",
      file: "d5_cpps_at31march_by_duration_2013_to_2025.csv",
      column: "1_year_less_than_2_years_percent",
    },
    {
      id: "cp-duration-2y-plus",
      file: "d5_cpps_at31march_by_duration_2013_to_2025.csv",
      column: "2_years_or_more_percent",
    },
  ];

  for (const check of CHECKS) {
    it(`${check.id}: Southampton, England, the region and the neighbours' median for 2024 and 2025`, async () => {
      const repo = repositoryFor(database, await contextOf("analyst")).indicators;
      const series = await repo.benchmarks(check.id);
      for (const year of [2024, 2025]) {
        const got = series.find((b) => b.year === year);
        assert.ok(got, `${check.id} has ${year}`);
        const local = publishedRow(check.file, year, (c) => c.old_la_code === "852")?.[check.column];
        const england = publishedRow(check.file, year, (c) => c.geographic_level === "National")?.[
          check.column
        ];
        const region = publishedRow(
          check.file,
          year,
          (c) => c.geographic_level === "Regional" && c.region_code === "E12000008",
        )?.[check.column];
        const neighbours = southamptonNeighbours(year >= 2025 ? "2025" : "2021")
          .map((code) => publishedRow(check.file, year, (c) => c.old_la_code === code)?.[check.column])
          .filter((v): v is string => v !== undefined && /^[0-9.]+$/.test(v))
          .map(Number);
        assert.equal(got.local, Number(local), `${check.id} ${year} Southampton`);
        assert.equal(got.england, Number(england), `${check.id} ${year} England`);
        assert.equal(got.region, Number(region), `${check.id} ${year} South East`);
        assert.equal(got.neighbourMedian, medianOf(neighbours), `${check.id} ${year} neighbours' median`);
        assert.equal(got.neighboursKnown, neighbours.length);
      }
    });
  }

  it("matches the published figures quoted in the spec", async () => {
    const repo = repositoryFor(database, await contextOf("analyst")).indicators;
    const second = await repo.benchmarks("cp-second-plan");
    assert.deepEqual(
      second.filter((b) => b.year >= 2024).map((b) => [b.year, b.local, b.england]),
      [
        [2024, 29.3, 24.7],
        [2025, 31.1, 24.5],
      ],
    );
    const longest = await repo.benchmarks("cp-duration-2y-plus");
    assert.deepEqual(
      longest.filter((b) => b.year >= 2024).map((b) => [b.year, b.local, b.england]),
      [
        [2024, 4, 2.6],
        [2025, 3.1, 2.3],
      ],
    );
  });

  it("shows them on the indicator page beside the partnership's own computed values", async () => {
    const client = await signedIn("analyst");
    const page = await client.get("/indicators/cp-second-plan");
    assert.equal(page.statusCode, 200);
    const table = page.body.slice(page.body.indexOf('id="benchmark-table"'));
    for (const text of ["2023-24", "2024-25", "29.3%", "24.7%", "31.1%", "24.5%", "Computed by Hearth"])
      assert.ok(table.includes(text), `the benchmark table shows ${text}`);
  });
});

describe("the pages", () => {
  it("show an analyst the dashboard, an indicator, its breakdown and counts only on drill-down", async () => {
    const client = await signedIn("analyst");
    const dashboard = await client.get("/indicators");
    assert.equal(dashboard.statusCode, 200);
    for (const indicator of INDICATORS)
      assert.ok(dashboard.body.includes(`/indicators/${indicator.id}"`), indicator.id);
    const page = await client.get("/indicators/referrals?breakdown=sex");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /by sex/);
    assert.match(page.body, /<svg[^>]*role="img"/);
    assert.doesNotMatch(page.body, /style="/);
    const period = /href="\/indicators\/referrals\/children\?period=([0-9Q-]+)"/.exec(page.body)?.[1];
    assert.ok(period, "links to the children behind the number");
    const children = await client.get(`/indicators/referrals/children?period=${period}`);
    assert.equal(children.statusCode, 200);
    assert.doesNotMatch(children.body, /href="\/people\//, "an analyst sees no child");
    assert.match(children.body, /not listed/);
  });

  it("list the children for a safeguarding lead, and audit the drill-down", async () => {
    const lead = await contextOf("safeguarding-lead");
    const repo = repositoryFor(database, lead).indicators;
    const year = (await repo.dashboard())?.rows.find((r) => r.indicator.id === "referrals")?.years.at(-2)
      ?.period.key;
    assert.ok(year);
    const result = await repo.drillDown("referrals", year);
    assert.ok(result && result.total > 0);
    assert.equal(result.visible.length, result.total);
    const audit = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select(["action", "record_id"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("record_type", "=", "indicator")
      .where("actor_user_id", "=", lead.userId)
      .execute();
    assert.deepEqual(audit, [{ action: "view", record_id: "referrals" }]);
  });

  it("show a manager their own agency's figures and refuse practitioners", async () => {
    const manager = repositoryFor(database, await contextOf("manager")).indicators;
    assert.equal(manager.scope()?.kind, "agency");
    const lead = repositoryFor(database, await contextOf("safeguarding-lead")).indicators;
    const whole = (await lead.indicator("referrals"))?.years.reduce((n, y) => n + y.figure.numerator, 0) ?? 0;
    const own =
      (await manager.indicator("referrals"))?.years.reduce((n, y) => n + y.figure.numerator, 0) ?? 0;
    assert.ok(own <= whole);
    const practitioner = await signedIn("practitioner");
    assert.equal((await practitioner.get("/indicators")).statusCode, 403);
  });

  it("show disproportionality", async () => {
    const client = await signedIn("safeguarding-lead");
    const page = await client.get("/indicators/disproportionality");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Ethnic group/);
  });
});

describe("the board report", () => {
  it("saves commentary and makes a PDF with charts and a spreadsheet, showing progress", async () => {
    const client = await signedIn("analyst");
    const form = await client.get("/indicators/board-report");
    assert.equal(form.statusCode, 200);
    const quarter = /name="quarter" value="([0-9Q-]+)"/.exec(form.body)?.[1];
    assert.ok(quarter);
    const saved = await client.post("/indicators/board-report/commentary", {
      quarter,
      "commentary-overview": "Plans for neglect are lasting longer.",
    });
    assert.equal(saved.statusCode, 303);
    await client.get("/indicators/board-report");
    const started = await client.post("/indicators/board-report/generate", { quarter });
    assert.equal(started.statusCode, 303);
    const jobUrl = started.headers.location as string;
    let job = await client.get(jobUrl);
    for (let i = 0; i < 100 && !job.body.includes("Your report is ready"); i++) {
      assert.match(job.body, /steps done|Your report is ready/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      job = await client.get(jobUrl);
    }
    assert.match(job.body, /Your report is ready/);
    const pdf = await client.get(`${jobUrl}/report.pdf`);
    assert.equal(pdf.headers["content-type"], "application/pdf");
    assert.equal(pdf.rawPayload.subarray(0, 5).toString(), "%PDF-");
    const xlsx = await client.get(`${jobUrl}/report.xlsx`);
    assert.equal(xlsx.rawPayload.subarray(0, 2).toString(), "PK");
    const other = await signedIn("safeguarding-lead");
    assert.equal((await other.get(jobUrl)).statusCode, 404, "a report belongs to whoever made it");
    assert.equal((await other.get(`${jobUrl}/report.pdf`)).statusCode, 404);

    // Another app process (behind a load balancer) shows the same job and serves the same files.
    const secondApp = await startTestApp(database);
    try {
      const elsewhere = new TestClient(secondApp);
      await elsewhere.signIn(signInFor(partnership, "analyst").email);
      assert.match((await elsewhere.get(jobUrl)).body, /Your report is ready/);
      const again = await elsewhere.get(`${jobUrl}/report.pdf`);
      assert.deepEqual(again.rawPayload, pdf.rawPayload);
    } finally {
      await secondApp.close();
    }
  });
});
