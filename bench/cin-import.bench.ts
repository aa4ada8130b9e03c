// SPDX-License-Identifier: MIT
/**
 * The CIN census return's import and export at scale (issue 16: at least 2,000 children a second on
 * PostgreSQL). A return of BENCH_CIN_CHILDREN (100,000) children is generated in memory from the
 * generator's journeys (src/pathways/generate-cin-return.ts, the round-trip test's generator) and written
 * as XML; it is then imported (XSD, DfE's rules, then every person, involvement and event in one
 * transaction) into an empty partnership made as `hearth partnership create` makes one, and exported back
 * (derive, rules, XML, XSD), on PGlite and on PostgreSQL. For each: seconds, children a second, and the
 * process's peak resident set size during that step (sampled every 50 ms) beside the size before it.
 * The export must give back the children imported, valid. CLI start-up is bench/cli-start.bench.ts.
 *
 * Settings: BENCH_CIN_CHILDREN (100000); BENCH_ENGINES (pglite,postgres).
 */

import type { DatabaseTarget } from "../src/config/config.ts";
import { openDatabase } from "../src/db/database.ts";
import { createPartnership } from "../src/organisation/create-partnership.ts";
import { exportCinCensus, importCinCensus } from "../src/pathways/cin-census.ts";
import { buildCinXml } from "../src/pathways/cin-xml.ts";
import { generatedCinReturnOf } from "../src/pathways/generate-cin-return.ts";
import { createPostgresDatabase, progress, saveResults, settings, timestamp } from "./support.ts";

const children = Number(process.env.BENCH_CIN_CHILDREN ?? 100_000);
const engines = (process.env.BENCH_ENGINES ?? "pglite,postgres").split(",").map((e) => e.trim());

let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50);
const mb = (bytes: number) => Math.round(bytes / 1_048_576);
const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

/** Runs a step, returning its result, seconds, and the peak resident set size during it. */
const step = async <T>(run: () => Promise<T>) => {
  const before = process.memoryUsage().rss;
  peak = before;
  const started = performance.now();
  const value = await run();
  const took = seconds(started);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { value, seconds: took, beforeMb: mb(before), peakMb: mb(peak) };
};

progress(`generating a return of ${children.toLocaleString()} children...`);
const started = performance.now();
const input = generatedCinReturnOf(children, "cin-import-bench");
const xml = buildCinXml(input);
const episodes = input.children.reduce((n, c) => n + c.episodes.length, 0);
progress(`${episodes.toLocaleString()} episodes, ${mb(xml.length)} MB of XML in ${seconds(started)} s`);

const benchmarkEngine = async (label: string, target: DatabaseTarget) => {
  const database = await openDatabase(target);
  try {
    const made = await createPartnership(database, {
      name: `CIN bench ${label}`,
      laCode: "204",
      adminEmail: `cin-bench-${label.toLowerCase()}@example.org`,
      adminName: "Administrator",
      agencyName: "Children's Social Care",
    });
    if (!made.ok) throw new Error(made.message);
    const partnershipId = made.value.partnershipId;
    progress(`${label}: importing...`);
    let reported = 0;
    const imported = await step(() =>
      importCinCensus(database.unsafeOwnerDb, {
        partnershipId,
        xml,
        onProgress: (done, total) => {
          if (done - reported >= total / 10 || done === total) {
            reported = done;
            progress(`${label}: ${done.toLocaleString()} of ${total.toLocaleString()} children written`);
          }
        },
      }),
    );
    if (!imported.value.ok) throw new Error(imported.value.reasons.slice(0, 5).join("\n"));
    progress(`${label}: imported in ${imported.seconds} s; exporting...`);
    const exported = await step(() =>
      exportCinCensus(database.unsafeOwnerDb, { partnershipId, year: 2025, dateTime: input.header.dateTime }),
    );
    const errors = exported.value.findings.filter((f) => !f.query).length;
    const back = exported.value.data.children.length;
    return {
      database: label,
      children,
      episodes,
      events: imported.value.events,
      importSeconds: imported.seconds,
      importChildrenPerSecond: Math.round(children / Math.max(imported.seconds, 0.1)),
      importRssBeforeMb: imported.beforeMb,
      importPeakRssMb: imported.peakMb,
      exportSeconds: exported.seconds,
      exportChildrenPerSecond: Math.round(back / Math.max(exported.seconds, 0.1)),
      exportRssBeforeMb: exported.beforeMb,
      exportPeakRssMb: exported.peakMb,
      exportedChildren: back,
      valid: back === children && exported.value.xsdProblems.length === 0 && errors === 0,
      problems: `${back} of ${children} children back, ${exported.value.xsdProblems.length} XSD problems, ${errors} rule errors`,
    };
  } finally {
    await database.close();
  }
};

const stamp = timestamp();
const results: Awaited<ReturnType<typeof benchmarkEngine>>[] = [];
if (engines.includes("pglite"))
  results.push(await benchmarkEngine("PGlite", { engine: "pglite", dataDir: undefined }));
if (engines.includes("postgres")) {
  try {
    const server = await createPostgresDatabase(`hearth_bench_cin_import_${stamp}`);
    try {
      results.push(await benchmarkEngine("PostgreSQL", server.target));
    } finally {
      await server.drop();
    }
  } catch (error) {
    console.log(`PostgreSQL failed or skipped: ${(error as Error).message} (${settings.postgresUrl})`);
  }
}
clearInterval(sampler);

console.log(
  `\nCIN census return of ${children.toLocaleString()} children (${episodes.toLocaleString()} episodes, ${mb(xml.length)} MB XML); target: import at least 2,000 children/s on PostgreSQL`,
);
console.log(
  `${"database".padEnd(11)}${"step".padEnd(7)}${"seconds".padStart(8)}${"children/s".padStart(11)}${"RSS before MB".padStart(14)}${"peak RSS MB".padStart(12)}  valid`,
);
for (const r of results) {
  console.log(
    `${r.database.padEnd(11)}${"import".padEnd(7)}${String(r.importSeconds).padStart(8)}${String(r.importChildrenPerSecond).padStart(11)}${String(r.importRssBeforeMb).padStart(14)}${String(r.importPeakRssMb).padStart(12)}  ${r.events.toLocaleString()} events`,
  );
  console.log(
    `${r.database.padEnd(11)}${"export".padEnd(7)}${String(r.exportSeconds).padStart(8)}${String(r.exportChildrenPerSecond).padStart(11)}${String(r.exportRssBeforeMb).padStart(14)}${String(r.exportPeakRssMb).padStart(12)}  ${r.valid ? "yes" : `NO: ${r.problems}`}`,
  );
  if (!r.valid) process.exitCode = 1;
}
const postgres = results.find((r) => r.database === "PostgreSQL");
if (postgres && postgres.importChildrenPerSecond < 2000) {
  console.log(
    `BELOW TARGET: PostgreSQL imported ${postgres.importChildrenPerSecond} children/s (target 2,000)`,
  );
  process.exitCode = 1;
}
console.log(`Process peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} MB`);
console.log(`Results: ${saveResults(`cin-import-${stamp}.json`, { stamp, results })}`);
