// SPDX-License-Identifier: MIT
/**
 * The CIN census export at scale: a partnership of 100,000 children with four years of synthetic social
 * care journeys (national proportions, src/pathways/generate-journeys.ts), exported for one census year:
 * load and derive the episodes, run the ported DfE rules, write the XML and validate it against the XSD.
 * Reports the time of each part and the process's peak memory (resident set size, sampled), on PGlite.
 *
 * Settings: BENCH_CIN_CHILDREN (100000) sizes the partnership; BENCH_CIN_YEAR (2026) the census year.
 */
import { openDatabase } from "../src/db/database.ts";
import { generatePartnership } from "../src/generator/generate-partnership.ts";
import { seededRandom } from "../src/generator/random.ts";
import { exportCinCensus } from "../src/pathways/cin-census.ts";
import { generateJourneys } from "../src/pathways/generate-journeys.ts";
import { saveResults, timestamp } from "./support.ts";

const children = Number(process.env.BENCH_CIN_CHILDREN ?? 100_000);
const year = Number(process.env.BENCH_CIN_YEAR ?? 2026);

let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50);
const mb = (bytes: number) => Math.round(bytes / 1_048_576);

const database = await openDatabase({ engine: "pglite", dataDir: undefined });
try {
  console.log(`Generating a partnership of ${children} children...`);
  let started = performance.now();
  const partnership = await generatePartnership(database, { seed: "cin-bench", children });
  const db = database.unsafeOwnerDb;
  const kids = await db
    .selectFrom("people")
    .select(["person_id", "date_of_birth"])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("kind", "=", "child")
    .execute();
  const workers = await db
    .selectFrom("users")
    .select("user_id")
    .where("partnership_id", "=", partnership.partnershipId)
    .where("role", "=", "practitioner")
    .execute();
  const rows = generateJourneys(
    kids.map((k) => ({ personId: k.person_id, dateOfBirth: k.date_of_birth })),
    {
      random: seededRandom("cin-bench-journeys"),
      partnershipId: partnership.partnershipId,
      referenceDate: `${year}-04-01`,
      years: 4,
      workerUserIds: workers.map((w) => w.user_id),
    },
  ).map((r) => ({ ...r, codes: r.codes ?? [] }));
  for (let i = 0; i < rows.length; i += 2000)
    await db
      .insertInto("csc_events")
      .values(rows.slice(i, i + 2000))
      .execute();
  const setupSeconds = (performance.now() - started) / 1000;
  console.log(`  ${kids.length} children, ${rows.length} social care events in ${setupSeconds.toFixed(1)} s`);

  peak = process.memoryUsage().rss;
  const before = peak;
  started = performance.now();
  const result = await exportCinCensus(db, { partnershipId: partnership.partnershipId, year });
  const exportSeconds = (performance.now() - started) / 1000;
  const errors = result.findings.filter((f) => !f.query).length;
  const summary = {
    children,
    censusYear: year,
    childrenInReturn: result.data.children.length,
    episodes: result.data.children.reduce((n, c) => n + c.episodes.length, 0),
    events: rows.length,
    xmlMegabytes: Math.round((result.xml.length / 1_048_576) * 10) / 10,
    exportSeconds: Math.round(exportSeconds * 10) / 10,
    rssBeforeMegabytes: mb(before),
    peakRssMegabytes: mb(peak),
    xsdProblems: result.xsdProblems.length,
    ruleErrors: errors,
    ruleQueries: result.findings.length - errors,
  };
  console.table(summary);
  console.log(`Saved ${saveResults(`cin-export-${timestamp()}.json`, summary)}`);
} finally {
  clearInterval(sampler);
  await database.close();
}
