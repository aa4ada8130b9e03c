// SPDX-License-Identifier: MIT
/**
 * Where a signed-in page's time goes: for each page of the page benchmark, the statements and
 * transactions one request sends to the database, then a CPU profile of the server under load
 * (autocannon in its own process), summarised as the functions with the most self time. Writes the
 * profiles to bench/results/profile-<page>.cpuprofile (open them in Chrome's DevTools).
 *
 *   node --import tsx bench/profile-pages.ts
 *
 * Settings: PROFILE_ENGINE (postgres or pglite), BENCH_POSTGRES_URL and BENCH_POSTGRES_DATABASE as for the
 * page benchmark (hearth_profile_<timestamp> by default), BENCH_CHILDREN (2000), BENCH_PAGES, PROFILE_SECONDS
 * (5), PROFILE_CONNECTIONS (10), PROFILE_TOP (25), PROFILE_SQL (set: print each statement's SQL).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import type { DatabaseTarget } from "../src/config/config.ts";
import { type HearthDatabase, openDatabase } from "../src/db/database.ts";
import { generatePartnership } from "../src/generator/generate-partnership.ts";
import type { Role } from "../src/organisation/codes.ts";
import { signInFor, TestClient, testConfig } from "../src/test-support/harness.ts";
import { countStatements } from "../src/test-support/statement-counter.ts";
import { buildApp } from "../src/web/app.ts";
import {
  addBenchFamily,
  createPostgresDatabase,
  measure,
  saveResults,
  settings,
  timestamp,
} from "./support.ts";

const engine = process.env.PROFILE_ENGINE ?? "postgres";
const children = Number(process.env.BENCH_CHILDREN ?? 2_000);
const seconds = Number(process.env.PROFILE_SECONDS ?? 5);
const connections = Number(process.env.PROFILE_CONNECTIONS ?? 10);
const top = Number(process.env.PROFILE_TOP ?? 25);
const showSql = Boolean(process.env.PROFILE_SQL);

const stamp = timestamp();
let target: DatabaseTarget = { engine: "pglite", dataDir: undefined };
let drop = async () => {};
if (engine === "postgres") {
  const fresh = await createPostgresDatabase(settings.postgresDatabase ?? `hearth_profile_${stamp}`);
  target = fresh.target;
  drop = fresh.drop;
}
try {
  const opened = await openDatabase(target);
  const partnership = await generatePartnership(opened, { seed: "bench", children, name: "Bench" });
  const family = await addBenchFamily(opened, partnership, 5_000);

  const counter = countStatements(opened, showSql);
  const database: HearthDatabase = counter.database;
  const app = await buildApp({ config: testConfig(target), database });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  const cookies = new Map<Role, string>();
  const cookieFor = async (role: Role) => {
    const known = cookies.get(role);
    if (known) return known;
    const client = new TestClient(app);
    await client.signIn(signInFor(partnership, role).email, {
      totpSecret: partnership.administratorTotpSecret,
    });
    cookies.set(role, client.cookieHeader);
    return client.cookieHeader;
  };
  const pages: Record<string, { path: string; role: Role }> = {
    home: { path: "/", role: "practitioner" },
    managerHome: { path: "/", role: "manager" },
    child: { path: `/people/${family.childId}`, role: "practitioner" },
    chronology: { path: `/people/${family.childId}/family-chronology`, role: "practitioner" },
    search: {
      path: `/people?name=${encodeURIComponent(family.searchName)}`,
      role: "practitioner",
    },
    alerts: { path: "/pathways/alerts", role: "manager" },
    users: { path: "/admin/users", role: "administrator" },
    // A small page: what every signed-in request costs before its own work (session, frame, form).
    entry: {
      path: `/people/${family.childId}/chronology/new?eventType=not-brought-dental`,
      role: "practitioner",
    },
  };
  const chosen = (process.env.BENCH_PAGES ?? Object.keys(pages).join(",")).split(",");
  mkdirSync(join(import.meta.dirname, "results"), { recursive: true });
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  const summary: Record<string, unknown> = {};
  for (const key of chosen) {
    const page = pages[key];
    if (!page) throw new Error(`unknown page ${key}`);
    const headers = { cookie: await cookieFor(page.role) };
    const pageUrl = new URL(page.path, url).toString();
    for (let i = 0; i < 2; i += 1) await fetch(pageUrl, { headers });
    counter.reset();
    const response = await fetch(pageUrl, { headers });
    const html = await response.text();
    const statements = counter.statements();
    const transactions = counter.transactions();
    const kinds = statements.reduce<Record<string, number>>(
      (all, { kind }) => Object.assign(all, { [kind]: (all[kind] ?? 0) + 1 }),
      {},
    );
    console.log(
      `${key} ${page.path}: ${response.status}, ${html.length} bytes, ${transactions} transaction(s), ${statements.length} statement(s) ${JSON.stringify(kinds)}`,
    );
    for (const [i, { sql: text }] of statements.entries())
      if (showSql) console.log(`  ${i + 1}. ${text.replace(/\s+/g, " ").slice(0, 220)}`);
    await session.post("Profiler.setSamplingInterval", { interval: 200 });
    await session.post("Profiler.start");
    const cpuBefore = process.cpuUsage();
    const load = await measure(pageUrl, { connections, headers, seconds });
    const cpu = process.cpuUsage(cpuBefore);
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(join(import.meta.dirname, "results", `profile-${key}.cpuprofile`), JSON.stringify(profile));
    console.log(
      `  ${load.requestsPerSecond.toFixed(0)} req/s at ${connections} connections, p50 ${load.p50?.toFixed(1)} ms, p99 ${load.p99?.toFixed(1)} ms; server CPU ${((cpu.user + cpu.system) / 1000 / Math.max(1, load.requests)).toFixed(2)} ms per request (profiler on)${load.non2xx || load.errors ? `; ${load.non2xx} not 2xx, ${load.errors} errors` : ""}`,
    );
    // Self time per function, and time per file (node_modules package or src file).
    const nodes = profile.nodes;
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const self = new Map<number, number>();
    const deltas = profile.timeDeltas ?? [];
    for (const [i, id] of (profile.samples ?? []).entries())
      self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0));
    const total = [...self.values()].reduce((a, b) => a + b, 0);
    const byFunction = new Map<string, number>();
    const byPlace = new Map<string, number>();
    for (const [id, time] of self) {
      const frame = byId.get(id)?.callFrame;
      if (!frame) continue;
      const file = frame.url.replace(/^file:\/\//, "");
      const place = file.includes("node_modules/")
        ? (file
            .split("node_modules/")
            .pop()
            ?.split("/")
            .slice(0, file.includes("/@") ? 2 : 1)
            .join("/") ?? file)
        : file.includes("/src/")
          ? `src/${file.split("/src/").pop()}`
          : file || `(${frame.functionName || "native"})`;
      const name = `${frame.functionName || "(anonymous)"} ${place}:${frame.lineNumber + 1}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + time);
      byPlace.set(place, (byPlace.get(place) ?? 0) + time);
    }
    const pct = (t: number) => `${((100 * t) / total).toFixed(1)}%`.padStart(6);
    console.log("  self time by place:");
    for (const [place, time] of [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, 15))
      console.log(`    ${pct(time)} ${place}`);
    console.log("  self time by function:");
    for (const [name, time] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`    ${pct(time)} ${name}`);
    summary[key] = { transactions, statements: statements.length, kinds, load, cpu };
  }
  session.disconnect();
  saveResults(`profile-${stamp}.json`, summary);
  await app.close();
  await opened.close();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await drop();
}
