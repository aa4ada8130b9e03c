// SPDX-License-Identifier: MIT
/**
 * The neglect benchmarks from the published files (issue 14, item 4): persistent absence of children on
 * CP plans and in need, hospital admissions for injuries aged 0 to 14, section 47s and conferences with
 * the days between them (C4), the social work workforce, and the neglect factor (16A) share from C3.
 * Each figure Hearth imports for Southampton (852), England, the South East and the neighbours' median
 * must equal the published rows, read here independently of Hearth's parser; and the pages show them,
 * beside Hearth's own figure where Hearth computes the same measure and as labelled context otherwise.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { repositoryFor } from "../data/repository.ts";
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import {
  accessContextFor,
  createTestPartnership,
  holdBenchmarkTables,
  openTestDatabase,
  signInFor,
  startTestApp,
  TestClient,
} from "../test-support/harness.ts";
import type { BenchmarkYear } from "./benchmarks.ts";
import {
  importBenchmarks,
  parseAbsenceFile,
  parseInjuriesFile,
  parseStatisticsFile,
  withDerived,
} from "./benchmarks-import.ts";
import { medianOf, publishedRows, southamptonNeighbours } from "./test-support.ts";

const DFE = join(import.meta.dirname, "..", "..", "reference-data", "dfe");

const readRows = publishedRows;

const files = {
  absence: readRows("absence_la_children_in_social_care.csv"),
  injuries: readRows("hospital_admissions_injuries_0_14_la.csv"),
  csww: readRows("csww_indicators_2017_to_2025.csv"),
  c4: readRows("c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"),
  c3: readRows("c3_factors_identified_at_end_of_assessment_2018_to_2025.csv"),
};

const neighboursOf = southamptonNeighbours;
const neighbours2025 = () => neighboursOf("2025");

const isNumber = (v: string | undefined): v is string => v !== undefined && /^-?[0-9.]+$/.test(v);
const round1 = (n: number) => Math.round(n * 10) / 10;

/** The published value for Southampton, England, the South East and the 2025 neighbours' median. */
const expected = (value: (pick: (row: Record<string, string>) => boolean) => string | undefined) => {
  const neighbourValues = neighbours2025()
    .map((code) => value((r) => r.geographic_level === "Local authority" && r.old_la_code === code))
    .filter(isNumber)
    .map(Number);
  return {
    local: Number(value((r) => r.geographic_level === "Local authority" && r.old_la_code === "852")),
    england: Number(value((r) => r.geographic_level === "National")),
    region: Number(value((r) => r.geographic_level === "Regional" && r.region_code === "E12000008")),
    neighbourMedian: medianOf(neighbourValues),
    neighboursKnown: neighbourValues.length,
  };
};

const pick = (got: BenchmarkYear | undefined) =>
  got && {
    local: got.local,
    england: got.england,
    region: got.region,
    neighbourMedian: got.neighbourMedian,
    neighboursKnown: got.neighboursKnown,
  };

describe("reading the neglect benchmark files", () => {
  it("keeps suppressed cells unknown, never 0, and reads academic and financial years as reporting years", () => {
    const absence = parseAbsenceFile(
      [
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,la_name,new_la_code,absence_terms,social_care_group,phase_type_grouping,t_pupils,t_pupils_pa_10_exact,pt_pupils_pa_10_exact",
        "202425,Academic year,Local authority,E92000001,England,E12000008,South East,852,Southampton,E06000045,six half terms,CPPO at 31 March,Total,159,102,64.2",
        "202425,Academic year,Local authority,E92000001,England,E12000008,South East,852,Southampton,E06000045,six half terms,CPPO at 31 March,Special,7,c,c",
        "202324,Academic year,Local authority,E92000001,England,E12000008,South East,852,Southampton,E06000045,six half terms,CINO at 31 March,Total,645,c,c",
      ].join("\n"),
    );
    assert.deepEqual(
      absence.values.map((v) => [v.measure, v.timePeriod, v.value, v.suppression]),
      [
        ["absence.cpp_t_pupils", 2025, 159, null],
        ["absence.cpp_t_pupils_pa_10_exact", 2025, 102, null],
        ["absence.cpp_pt_pupils_pa_10_exact", 2025, 64.2, null],
        ["absence.cin_t_pupils", 2024, 645, null],
        ["absence.cin_t_pupils_pa_10_exact", 2024, null, "c"],
        ["absence.cin_pt_pupils_pa_10_exact", 2024, null, "c"],
      ],
    );
    const injuries = parseInjuriesFile(
      [
        "Indicator ID,Area Code,Area Name,Area Type,Sex,Category,Time period,Value,Count,Denominator",
        "90284,E06000045,Southampton,Counties & UAs (from Apr 2023),Persons,,2023/24,101.5,400,39400",
        "90284,E06000045,Southampton,Counties & UAs (from Apr 2023),Male,,2023/24,120,240,20000",
        "90284,E06000045,Southampton,Counties & UAs (from Apr 2023),Persons,Most deprived decile,2023/24,150,,",
        "90284,E92000001,England,England,Persons,,2023/24,,,",
      ].join("\n"),
    );
    assert.deepEqual(
      injuries.map((v) => [v.measure, v.timePeriod, v.level, v.areaCode, v.value, v.suppression]),
      [
        ["injuries.rate", 2024, "Local authority", "E06000045", 101.5, null],
        ["injuries.count", 2024, "Local authority", "E06000045", 400, null],
        ["injuries.denominator", 2024, "Local authority", "E06000045", 39400, null],
        ["injuries.rate", 2024, "National", "E92000001", null, ""],
        ["injuries.count", 2024, "National", "E92000001", null, ""],
        ["injuries.denominator", 2024, "National", "E92000001", null, ""],
      ],
    );
  });

  it("adds C4's bands into conferences within 15 working days, unknown when a band is suppressed", () => {
    const c4 = parseStatisticsFile(
      "c4",
      [
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,category,ICPC,Duration_0-10_days,Duration_11-15_days,Duration_16-20_days,Duration_21+_days",
        "2025,Reporting year,Local authority,E92000001,England,E12000008,South East,852,E06000045,Southampton,x,315,27,217,34,36",
        "2025,Reporting year,Local authority,E92000001,England,E12000008,South East,851,E06000044,Portsmouth,x,100,c,80,10,5",
      ].join("\n"),
    );
    const derived = withDerived(c4.values).filter((v) => v.measure.startsWith("c4.Duration_0_15"));
    assert.deepEqual(
      derived.map((v) => [v.areaCode, v.value, v.suppression]),
      [
        ["852", 244, null],
        ["851", null, "c"],
      ],
    );
  });
});

describe("Southampton's neglect benchmarks (852) from the published files", () => {
  let releaseBenchmarkTables: () => Promise<void>;
  let database: HearthDatabase;
  let partnership: GeneratedPartnership;
  let app: FastifyInstance;

  before(async () => {
    releaseBenchmarkTables = await holdBenchmarkTables();
    database = await openTestDatabase();
    partnership = await createTestPartnership(database, 40);
    await database.unsafeOwnerDb
      .updateTable("partnerships")
      .set({ local_authority_codes: ["852"] })
      .where("partnership_id", "=", partnership.partnershipId)
      .execute();
    await importBenchmarks(database.unsafeOwnerDb, DFE);
    app = await startTestApp(database);
  });

  after(async () => {
    await app.close();
    await database.close();
    await releaseBenchmarkTables();
  });

  const analyst = async () =>
    repositoryFor(database, await accessContextFor(database, partnership, "analyst")).indicators;
  const context = async (id: string, title: RegExp, year: number) => {
    const found = (await (await analyst()).indicator(id))?.context.find((c) => title.test(c.title));
    assert.ok(found, `${id} shows ${title}`);
    return pick(found.years.find((b) => b.year === year));
  };

  for (const [group, name] of [
    ["cpp", "CPPO at 31 March"],
    ["cin", "CINO at 31 March"],
  ] as const)
    it(`persistent absence of pupils ${group === "cpp" ? "on a CP plan" : "in need"}, 2024/25, as published`, async () => {
      const want = expected(
        (where) =>
          files.absence.find(
            (r) =>
              r.time_period === "202425" &&
              r.social_care_group === name &&
              r.phase_type_grouping === "Total" &&
              where(r),
          )?.pt_pupils_pa_10_exact,
      );
      assert.equal(want.local, group === "cpp" ? 64.2 : 49.7, "the file's Southampton figure");
      const title = group === "cpp" ? /child protection plan/ : /in need/;
      assert.deepEqual(await context("persistent-absence", title, 2025), want);
    });

  it("hospital admissions for injuries aged 0 to 14, 2023/24, as published (2021 neighbours; no regional figure)", async () => {
    const onsCodes = new Map(files.c4.map((r) => [r.old_la_code, r.new_la_code]));
    const rate = (code: string | undefined) =>
      files.injuries.find(
        (r) =>
          r["Area Code"] === code &&
          r.Sex === "Persons" &&
          r.Category === "" &&
          r["Time period"] === "2023/24",
      )?.Value;
    const neighbourValues = neighboursOf("2021")
      .map((code) => rate(onsCodes.get(code)))
      .filter(isNumber)
      .map(Number);
    assert.deepEqual(await context("not-brought-appointments", /injuries/, 2024), {
      local: Number(rate("E06000045")),
      england: Number(rate("E92000001")),
      region: null,
      neighbourMedian: medianOf(neighbourValues),
      neighboursKnown: neighbourValues.length,
    });
  });

  for (const [title, column] of [
    [/turnover/, "turnover_rate_fte"],
    [/Agency/, "agency_rate_fte"],
    [/vacancies/, "vacancy_rate_fte"],
    [/caseload/, "caseload_fte"],
  ] as const)
    it(`the social work workforce's ${column}, 2025, as published`, async () => {
      const want = expected(
        (where) => files.csww.find((r) => r.time_period === "2025" && where(r))?.[column],
      );
      assert.deepEqual(await context("timely-assessments", title, 2025), want);
    });

  it("conferences within 15 working days of the section 47's start (C4) beside Hearth's own", async () => {
    const share = (where: (r: Record<string, string>) => boolean) => {
      const row = files.c4.find((r) => r.time_period === "2025" && where(r));
      if (!row) return undefined;
      const bands = [
        "Duration_0-10_days",
        "Duration_11-15_days",
        "Duration_16-20_days",
        "Duration_21+_days",
      ].map((b) => row[b]);
      if (!bands.every(isNumber)) return "c";
      const [a = 0, b = 0, c = 0, d = 0] = bands.map(Number);
      return String(round1(((a + b) / (a + b + c + d)) * 100));
    };
    const want = expected(share);
    assert.equal(want.local, 77.7, "Southampton 2024-25: 244 of 314 conferences");
    const series = await (await analyst()).benchmarks("timely-conferences");
    assert.deepEqual(pick(series.find((b) => b.year === 2025)), want);
    const median = expected(
      (where) => files.c4.find((r) => r.time_period === "2025" && where(r))?.Duration_median,
    );
    assert.deepEqual(await context("timely-conferences", /Median working days/, 2025), median);
  });

  it("the neglect factor (16A) share of assessments (C3) beside Hearth's own", async () => {
    const want = expected((where) => {
      const row = files.c3.find((r) => r.time_period === "2025" && where(r));
      if (!row || !isNumber(row.Neglect) || !isNumber(row.Episodes_with_assessment_factor)) return undefined;
      return String(round1((Number(row.Neglect) / Number(row.Episodes_with_assessment_factor)) * 100));
    });
    const series = await (await analyst()).benchmarks("factor-16a");
    assert.deepEqual(pick(series.find((b) => b.year === 2025)), want);
  });

  it("shows Hearth's figure with the published benchmark, and context labelled as not computed by Hearth", async () => {
    const client = new TestClient(app);
    await client.signIn(signInFor(partnership, "analyst").email);
    const conferences = await client.get("/indicators/timely-conferences");
    assert.equal(conferences.statusCode, 200);
    const table = conferences.body.slice(conferences.body.indexOf('id="benchmark-table"'));
    for (const text of ["Computed by Hearth", "2024-25", "77.7%"]) assert.ok(table.includes(text), text);
    const absence = await client.get("/indicators/persistent-absence");
    assert.equal(absence.statusCode, 200);
    const contextPart = absence.body.slice(absence.body.indexOf('id="context"'));
    for (const text of ["figures Hearth does not compute", "on a child protection plan", "64.2%", "49.7%"])
      assert.ok(contextPart.includes(text), text);
    assert.doesNotMatch(contextPart, /Computed by Hearth/);
    const disproportionality = await client.get("/indicators/disproportionality");
    assert.equal(disproportionality.statusCode, 200);
    const overall = disproportionality.body.slice(disproportionality.body.indexOf('id="overall-rate"'));
    const ons = readRows("ons_mid-year_population_estimates_2012_to_2024.csv").find(
      (r) => r.time_period === "2024" && r.old_la_code === "852",
    );
    assert.ok(ons);
    assert.ok(overall.includes(Number(ons.population_estimate).toLocaleString("en-GB")), "the ONS estimate");
    assert.match(overall, /ONS mid-year estimate/);
    assert.match(overall, /per 10,000|Not worked out \(fewer than 5\)/);
    const health = await client.get("/indicators/not-brought-appointments");
    assert.match(health.body, /Hospital admissions caused by unintentional and deliberate injuries/);
  });
});
