// SPDX-License-Identifier: MIT
/**
 * The CIN census export at scale: a partnership of 100,000 children whose social care journeys the
 * generator writes in national proportions (src/pathways/generate-journeys.ts), exported for one census
 * year: load and derive the episodes, run the ported DfE rules, write the XML and validate it against the
 * XSD. Reports the export's time and the process's peak memory during it (resident set size, sampled every
 * 50 ms, beside the size before the export began), on PGlite and on PostgreSQL.
 *
 * The baseline, measured in the same run, is the bare SQL that reads the same events as the database
 * owner: the export's cost above that is deriving, checking and writing the return.
 *
 * Settings: BENCH_CIN_CHILDREN (100000) sizes the partnership; BENCH_CIN_YEAR (2025) the census year.
 */
import { sql } from "kysely";
import { type HearthDatabase, openDatabase } from "../src/db/database.ts";
import { generatePartnership } from "../src/generator/generate-partnership.ts";
import { exportCinCensus } from "../src/pathways/cin-census.ts";
import { onFreshPostgres, saveResults, timestamp } from "./support.ts";

const children = Number(process.env.BENCH_CIN_CHILDREN ?? 100_000);
const year = Number(process.env.BENCH_CIN_YEAR ?? 2025);

let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50);
const mb = (bytes: number) => Math.round(bytes / 1_048_576);
const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

const benchmarkEngine = async (label: string, database: HearthDatabase) => {
  console.log(`${label}: generating a partnership of ${children.toLocaleString()} children...`);
  let started = performance.now();
  const partnership = await generatePartnership(database, { seed: "cin-bench", children });
  const db = database.unsafeOwnerDb;
  console.log(
    `  ${partnership.counts.childRecords.toLocaleString()} children, ${partnership.counts.socialCareEvents.toLocaleString()} social care events in ${seconds(started)} s`,
  );

  started = performance.now();
  const raw = await sql`select * from csc_events where partnership_id = ${partnership.partnershipId}
    order by person_id, occurred_on`.execute(db);
  const rawSeconds = seconds(started);

  peak = process.memoryUsage().rss;
  const before = peak;
  started = performance.now();
  const result = await exportCinCensus(db, { partnershipId: partnership.partnershipId, year });
  const exportSeconds = seconds(started);
  const errors = result.findings.filter((f) => !f.query).length;
  return {
    database: label,
    children: partnership.counts.childRecords,
    censusYear: year,
    socialCareEvents: partnership.counts.socialCareEvents,
    childrenInReturn: result.data.children.length,
    episodes: result.data.children.reduce((n, c) => n + c.episodes.length, 0),
    xmlMegabytes: Math.round((result.xml.length / 1_048_576) * 10) / 10,
    exportSeconds,
    rawReadSeconds: rawSeconds,
    rawRows: raw.rows.length,
    rssBeforeMegabytes: mb(before),
    peakRssMegabytes: mb(peak),
    xsdProblems: result.xsdProblems.length,
    ruleErrors: errors,
    ruleQueries: result.findings.length - errors,
  };
};

const stamp = timestamp();
const results: Awaited<ReturnType<typeof benchmarkEngine>>[] = [];
const pglite = await openDatabase({ engine: "pglite", dataDir: undefined });
try {
  results.push(await benchmarkEngine("PGlite", pglite));
} finally {
  await pglite.close();
}
const onPostgres = await onFreshPostgres(`hearth_bench_cin_${stamp}`, (database) =>
  benchmarkEngine("PostgreSQL", database),
);
if (onPostgres) results.push(onPostgres);
clearInterval(sampler);

console.log(
  `\n${"database".padEnd(11)}${"children".padStart(9)}${"in return".padStart(10)}${"episodes".padStart(9)}${"XML MB".padStart(7)}${"export s".padStart(9)}${"raw read s".padStart(11)}${"× raw".padStart(7)}${"RSS before MB".padStart(14)}${"peak MB".padStart(8)}  valid`,
);
for (const r of results) {
  console.log(
    `${r.database.padEnd(11)}${String(r.children).padStart(9)}${String(r.childrenInReturn).padStart(10)}${String(r.episodes).padStart(9)}${String(r.xmlMegabytes).padStart(7)}${String(r.exportSeconds).padStart(9)}${String(r.rawReadSeconds).padStart(11)}${(r.exportSeconds / Math.max(r.rawReadSeconds, 0.1)).toFixed(1).padStart(7)}${String(r.rssBeforeMegabytes).padStart(14)}${String(r.peakRssMegabytes).padStart(8)}  ${r.xsdProblems === 0 && r.ruleErrors === 0 ? "yes" : `NO: ${r.xsdProblems} XSD problems, ${r.ruleErrors} rule errors`}`,
  );
}
console.log(`Results: ${saveResults(`cin-export-${stamp}.json`, { stamp, results })}`);
