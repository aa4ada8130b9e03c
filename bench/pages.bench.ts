// SPDX-License-Identifier: MIT
/**
 * Signed-in page views: requests per second and p50/p95/p99 latency of the pages staff open most, at 1, 10
 * and 50 concurrent connections, on PGlite in memory and on a fresh PostgreSQL database
 * (hearth_bench_<timestamp>, dropped afterwards):
 *   home        / as a practitioner (the worklist home page)
 *   child       /people/:id, a child's record, as a practitioner whose agency is involved
 *   chronology  /people/:id/family-chronology, a family holding BENCH_CHRONOLOGY_EVENTS (5,000) entries
 *   search      /people?name=..., a person search by family name, as a practitioner
 *   alerts      /pathways/alerts as a manager
 *   users       /admin/users as an administrator
 *
 * A bare Fastify hello-world is measured first, in the same run on the same machine: absolute numbers
 * mean little from one machine to another, but the ratio to the baseline shows what Hearth's own work per
 * request (session look-up, row-level-security transaction, queries, rendering) costs.
 *
 * Settings: BENCH_SECONDS (5) per measurement after BENCH_WARMUP_SECONDS (1), BENCH_CHILDREN (10000) sizes
 * the partnership, BENCH_CHRONOLOGY_EVENTS (5000), BENCH_POSTGRES_URL
 * (postgres://postgres@127.0.0.1:5432/postgres). For quick runs: BENCH_PAGES (home,child,chronology,
 * search,alerts,users), BENCH_ENGINES (pglite,postgres), BENCH_CONNECTIONS (1,10,50), BENCH_QUICK=1 (2,000
 * children, 2 s per measurement), BENCH_POSTGRES_DATABASE (the database created and dropped; by default
 * hearth_bench_<timestamp>).
 */
import { loadavg } from "node:os";
import type { DatabaseTarget } from "../src/config/config.ts";
import {
  addBenchFamily,
  type BenchFamily,
  benchmarkPages,
  createPostgresDatabase,
  type DataSize,
  measureBaseline,
  type Page,
  printTable,
  quick,
  type Row,
  saveResults,
  settings,
  startHearth,
  timestamp,
} from "./support.ts";

const chronologyEvents = Number(process.env.BENCH_CHRONOLOGY_EVENTS ?? 5_000);

/** The pages, given the family added for the benchmark. */
const ALL_PAGES: Record<string, (fixture: BenchFamily) => Page> = {
  home: () => ({ name: "/ (home)", path: "/", role: "practitioner" }),
  child: (f) => ({ name: "/people/:id (child)", path: `/people/${f.childId}`, role: "practitioner" }),
  chronology: (f) => ({
    name: `/people/:id/family-chronology (${chronologyEvents} entries)`,
    path: `/people/${f.childId}/family-chronology`,
    role: "practitioner",
  }),
  search: (f) => ({
    name: `/people?name=${f.searchName}`,
    path: `/people?name=${encodeURIComponent(f.searchName)}`,
    role: "practitioner",
  }),
  alerts: () => ({ path: "/pathways/alerts", role: "manager" }),
  users: () => ({ path: "/admin/users", role: "administrator" }),
};

const choose = (variable: string, known: string[]): string[] => {
  const chosen = (process.env[variable] ?? known.join(",")).split(",").map((s) => s.trim());
  const unknown = chosen.filter((c) => !known.includes(c));
  if (unknown.length > 0) throw new Error(`${variable}: unknown ${unknown.join(", ")} (known: ${known})`);
  return chosen;
};
const pageKeys = choose("BENCH_PAGES", Object.keys(ALL_PAGES));
const engines = choose("BENCH_ENGINES", ["pglite", "postgres"]);

const stamp = timestamp();
console.log(
  `Hearth page benchmark ${stamp}${quick ? " (quick)" : ""}: ${settings.children} children; ${settings.warmupSeconds} s warm-up + ${settings.seconds} s per measurement; pages ${pageKeys}; engines ${engines}; connections ${settings.connections}`,
);

const rows: Row[] = await measureBaseline();
let size: (DataSize & { familyChronologyEntries: number }) | undefined;

const run = async (label: string, target: DatabaseTarget) => {
  const hearth = await startHearth(label, target);
  try {
    const fixture = await addBenchFamily(hearth.database, hearth.partnership, chronologyEvents);
    size = { ...hearth.size, familyChronologyEntries: chronologyEvents };
    const pages = pageKeys.map((key) => ALL_PAGES[key]?.(fixture)).filter((p): p is Page => p !== undefined);
    rows.push(...(await benchmarkPages(hearth, pages, rows)));
    saveResults(`${stamp}.json`, { benchmark: "pages", stamp, partial: true, size, rows });
  } finally {
    await hearth.close();
  }
};

if (engines.includes("pglite")) await run("PGlite", { engine: "pglite", dataDir: undefined });

let postgres = engines.includes("postgres") ? "measured" : "not chosen";
const fresh = engines.includes("postgres")
  ? await createPostgresDatabase(settings.postgresDatabase ?? `hearth_bench_${stamp}`).catch(
      (error: Error) => {
        postgres = `skipped: PostgreSQL at ${settings.postgresUrl} is not available (${error.message})`;
        console.log(postgres);
        return undefined;
      },
    )
  : undefined;
if (fresh) {
  try {
    await run("PostgreSQL", fresh.target);
  } finally {
    await fresh.drop();
  }
}

printTable(rows);
console.log(
  `Load while measuring (1, 5, 15 minutes): ${loadavg()
    .map((l) => l.toFixed(2))
    .join(", ")}`,
);
console.log(
  `\nData: one partnership sized for ${size?.children} children: ${size?.agencies} agencies, ${size?.teams} teams, ${size?.users} users, ${size?.people} people, ${size?.events} chronology entries, and one family with ${size?.familyChronologyEntries} more (per database).`,
);
const file = saveResults(`${stamp}.json`, {
  benchmark: "pages",
  stamp,
  node: process.version,
  settings: { ...settings, pages: pageKeys, engines, chronologyEvents },
  size,
  postgres,
  rows,
});
console.log(`Results: ${file}`);
