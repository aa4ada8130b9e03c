// SPDX-License-Identifier: MIT
/**
 * Signed-in page views: requests per second and p50/p95/p99 latency of the home page (as a
 * practitioner) and the users page (as an administrator) at 1, 10 and 50 concurrent connections, on
 * PGlite in memory and on a fresh PostgreSQL database (hearth_bench_<timestamp>, dropped afterwards).
 *
 * A bare Fastify hello-world is measured first, in the same run on the same machine: absolute numbers
 * mean little from one machine to another, but the ratio to the baseline shows what Hearth's own work per
 * request (session look-up, row-level-security transaction, queries, rendering) costs.
 *
 * Settings: BENCH_SECONDS (5) per measurement after BENCH_WARMUP_SECONDS (1), BENCH_CHILDREN (10000) sizes
 * the partnership, BENCH_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/postgres).
 */
import {
  benchmarkPages,
  createPostgresDatabase,
  type DataSize,
  measureBaseline,
  type Page,
  printTable,
  type Row,
  saveResults,
  settings,
  startHearth,
  timestamp,
} from "./support.ts";

const PAGES: Page[] = [
  { path: "/", role: "practitioner" },
  { path: "/admin/users", role: "administrator" },
];

const stamp = timestamp();
console.log(
  `Hearth page benchmark ${stamp}: ${settings.warmupSeconds} s warm-up + ${settings.seconds} s per measurement`,
);

const rows: Row[] = await measureBaseline();
let size: DataSize | undefined;

const hearthOnPglite = await startHearth("PGlite", { engine: "pglite", dataDir: undefined });
try {
  size = hearthOnPglite.size;
  rows.push(...(await benchmarkPages(hearthOnPglite, PAGES, rows)));
} finally {
  await hearthOnPglite.close();
}

let postgres = "measured";
const fresh = await createPostgresDatabase(`hearth_bench_${stamp}`).catch((error: Error) => {
  postgres = `skipped: PostgreSQL at ${settings.postgresUrl} is not available (${error.message})`;
  console.log(postgres);
  return undefined;
});
if (fresh) {
  try {
    const hearthOnPostgres = await startHearth("PostgreSQL", fresh.target);
    try {
      rows.push(...(await benchmarkPages(hearthOnPostgres, PAGES, rows)));
    } finally {
      await hearthOnPostgres.close();
    }
  } finally {
    await fresh.drop();
  }
}

printTable(rows);
console.log(
  `\nData: one partnership sized for ${size?.children} children: ${size?.agencies} agencies, ${size?.teams} teams, ${size?.users} users (per database).`,
);
const file = saveResults(`${stamp}.json`, {
  benchmark: "pages",
  stamp,
  node: process.version,
  settings,
  size,
  postgres,
  rows,
});
console.log(`Results: ${file}`);
