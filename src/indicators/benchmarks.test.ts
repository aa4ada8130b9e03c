// SPDX-License-Identifier: MIT
/** Reading the DfE files and the benchmark rules, on small fixtures (src/indicators/fixtures). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type BenchmarkAreas, benchmarkSeries, lookupFrom, median, valueFor } from "./benchmarks.ts";
import { parseCsv, parseNeighbourFile, parseStatisticsFile, readCell } from "./benchmarks-import.ts";
import { indicatorById } from "./registry.ts";

const FIXTURES = join(import.meta.dirname, "fixtures");
const fixture = (name: string) => readFileSync(join(FIXTURES, name), "utf8");

const d5 = parseStatisticsFile("d5", fixture("d5_cpps_at31march_by_duration_2013_to_2025.csv"));
const d3 = parseStatisticsFile("d3", fixture("d3_cpps_subsequent_plan_2013_to_2025.csv"));
const ons = parseStatisticsFile("ons", fixture("ons_mid-year_population_estimates_2012_to_2024.csv"));
const rows = [...d5.values, ...d3.values, ...ons.values].map((v) => ({
  measure: v.measure,
  time_period: v.timePeriod,
  area_code: v.areaCode,
  value: v.value,
  suppression: v.suppression,
}));
const lookup = lookupFrom(rows);
const SOUTHAMPTON: BenchmarkAreas = {
  localCodes: ["852"],
  regionCode: "E12000008",
  neighbours: { "2025": ["331", "831", "851"], "2021": [] },
};

const spec = (id: string) => {
  const found = indicatorById(id)?.dfe?.spec;
  assert.ok(found, `${id} has a DfE spec`);
  return found;
};

describe("reading the DfE files", () => {
  it("parses quoted cells, commas inside quotes and a byte-order mark", () => {
    assert.deepEqual(parseCsv('\ufeffa,b\n"x, y","say ""hi"""\r\n1,\n'), [
      ["a", "b"],
      ["x, y", 'say "hi"'],
      ["1", ""],
    ]);
  });

  it("keeps suppressed and missing cells unknown with their code, never 0", () => {
    assert.deepEqual(readCell("c"), { value: null, suppression: "c" });
    assert.deepEqual(readCell("x"), { value: null, suppression: "x" });
    assert.deepEqual(readCell("z"), { value: null, suppression: "z" });
    assert.deepEqual(readCell("low"), { value: null, suppression: "low" });
    assert.deepEqual(readCell("u"), { value: null, suppression: "u" });
    assert.deepEqual(readCell(""), { value: null, suppression: "" });
    assert.deepEqual(readCell("0"), { value: 0, suppression: null });
    assert.deepEqual(readCell("50,000"), { value: 50000, suppression: null });
    assert.throws(() => readCell("n/a"), /neither a number nor a suppression code/);
  });

  it("names national rows by country, regional rows by region and authorities by old_la_code", () => {
    const portsmouth = d5.values.filter((v) => v.areaCode === "851");
    assert.deepEqual(
      portsmouth.map((v) => [v.measure, v.value, v.suppression]),
      [
        ["d5.CPP_At31", 200, null],
        ["d5.3_months_or_less", null, "c"],
        ["d5.3_months_or_less_percent", null, "c"],
        ["d5.2_years_or_more", null, "x"],
        ["d5.2_years_or_more_percent", null, "x"],
      ],
    );
    assert.ok(d5.values.some((v) => v.areaCode === "E92000001" && v.level === "National"));
    assert.ok(d5.values.some((v) => v.areaCode === "E12000008" && v.level === "Regional"));
    const southampton = d5.areas.find((a) => a.areaCode === "852");
    assert.deepEqual(southampton, {
      areaCode: "852",
      level: "Local authority",
      name: "Southampton",
      newLaCode: "E06000045",
      regionCode: "E12000008",
      regionName: "South East",
      lastYear: 2025,
    });
  });

  it("reads both neighbour models", () => {
    assert.deepEqual(
      parseNeighbourFile("2025", fixture("sn_model_2025_wide.csv")).map((n) => [
        n.rank,
        n.neighbourCode,
        n.closeness,
      ]),
      [
        [1, "331", "Very close"],
        [2, "831", "Very close"],
        [3, "851", "Close"],
      ],
    );
    const old = parseNeighbourFile(
      "2021",
      "LA num,LA Name,LA number,GOInd,GOReg,SN1,SNP,SN2,SNP,\n852,Southampton,852,6,South East,851,Very Close,373,Close,\n",
    );
    assert.deepEqual(
      old.map((n) => [n.laCode, n.rank, n.neighbourCode, n.closeness]),
      [
        ["852", 1, "851", "Very Close"],
        ["852", 2, "373", "Close"],
      ],
    );
  });
});

describe("benchmarks", () => {
  it("takes the median as DfE does, leaving unknown values out", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([null, 5, null]), 5);
    assert.equal(median([null]), null);
  });

  it("shows the published figure beside England, the region and the neighbours' median", () => {
    const [y2025] = benchmarkSeries(spec("cp-duration-2y-plus"), lookup, SOUTHAMPTON, [2025]);
    // Neighbours: Coventry 5; Derby's percentage empty and count "low"; Portsmouth "x": one known value.
    assert.deepEqual(y2025, {
      year: 2025,
      local: 3.1,
      localNote: null,
      england: 2.3,
      region: 2.9,
      neighbourMedian: 5,
      neighboursKnown: 1,
    });
    const [short] = benchmarkSeries(spec("cp-duration-3m"), lookup, SOUTHAMPTON, [2025]);
    // Coventry 25, Derby 30, Portsmouth suppressed (c): median of 25 and 30.
    assert.equal(short?.neighbourMedian, 27.5);
    assert.equal(short?.neighboursKnown, 2);
  });

  it("adds a partnership's authorities' counts, and keeps a suppressed part's code", () => {
    assert.deepEqual(valueFor(spec("cp-duration-3m"), lookup, 2025, ["852", "851"]), {
      value: null,
      note: "c",
    });
    assert.deepEqual(valueFor(spec("cp-second-plan"), lookup, 2025, ["852", "851"]), {
      value: null,
      note: "u",
    });
    // 292 + 200 plans open, but no published percentage for two authorities together: counts only.
    assert.deepEqual(valueFor(spec("cp-at-31-march"), lookup, 2025, ["852", "851"]), {
      value: 492,
      note: null,
    });
    assert.deepEqual(valueFor(spec("cp-at-31-march"), lookup, 2024, ["852"]), {
      value: null,
      note: "no row",
    });
  });

  it("pairs a year's count with the previous year's population for rates per 10,000", () => {
    // Southampton: 292 plans at 31 March 2025 / 50,000 children (mid-2024) x 10,000 = 58.4.
    assert.deepEqual(valueFor(spec("cp-rate"), lookup, 2025, ["852"]), { value: 58.4, note: null });
  });
});
