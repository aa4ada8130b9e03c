// SPDX-License-Identifier: MIT
/**
 * A working day's load: BENCH_LOAD_USERS (200) members of staff, each signed in with their own generated
 * account over HTTP, for BENCH_LOAD_SECONDS (300) on a fresh PostgreSQL database
 * (hearth_bench_load_<timestamp>, dropped afterwards). Each user loops: search for a family name, open a
 * child their agency works with (the first time through the history summary, as a browser), read the
 * child's chronology, open the add-entry form and post a new
 * entry (with the form's CSRF token), and the alerts page, pausing a think time between requests
 * (BENCH_LOAD_THINK_MS, each pause 0.5 to 1.5 times it; 0 makes every user a closed loop of back-to-back
 * requests). By default two runs: 5,000 ms on average, a working pace, then 1,000 ms, a stress pace (see
 * `paces`). The users run in their own process (bench/load-users.ts).
 *
 * Prints requests, errors (any status outside 2xx/3xx, a redirect to sign-in, an entry not acknowledged,
 * or no answer) and p50/p95/p99 per action and overall, and bare Fastify's hello world measured in the
 * same run at the same number of connections, as the floor. Then counts the entries found in the database
 * against those acknowledged. The target: zero errors and p99 under 1 s.
 *
 * Each simulated user sends its own X-Forwarded-For address, which Hearth trusts as HEARTH_TRUST_PROXY=true
 * makes it (as behind a council's proxy): the sign-in rate limit is 20 a minute per address.
 *
 * Settings: BENCH_LOAD_USERS, BENCH_LOAD_SECONDS, BENCH_LOAD_THINK_MS, BENCH_CHILDREN (10000; BENCH_QUICK=1
 * 2000), BENCH_POSTGRES_URL, BENCH_POSTGRES_DATABASE.
 */
import { fork } from "node:child_process";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify from "fastify";
import { sql } from "kysely";
import { chooseUsers } from "./choose-users.ts";
import type { UsersRequest, UsersSummary } from "./load-users.ts";
import { ACTIONS } from "./load-users.ts";
import {
  createPostgresDatabase,
  type LoadSummary,
  measure,
  saveResults,
  settings,
  startHearth,
  timestamp,
} from "./support.ts";

const number = (name: string, fallback: number, min: number): number => {
  const value = process.env[name] ? Number(process.env[name]) : fallback;
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number of at least ${min}`);
  return value;
};
const users = number("BENCH_LOAD_USERS", 200, 1);
const seconds = number("BENCH_LOAD_SECONDS", 300, 1);
/**
 * The mean pauses between one user's requests to run at, one run each: a working pace (5 s: a member of
 * staff reading a page or filling in a form takes far longer, so 200 users then send about 40 requests a
 * second, 140,000 an hour, several times a partnership's whole working day) against which the target is
 * judged, and a stress pace (1 s) that shows what this machine serves at the most.
 */
const paces = (process.env.BENCH_LOAD_THINK_MS ?? "5000,1000").split(",").map((text) => {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0)
    throw new Error(
      "BENCH_LOAD_THINK_MS must be one or more numbers of milliseconds, 0 or more, comma-separated",
    );
  return value;
});
const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
/** Bare Fastify's hello world at `connections` connections: the floor for the same number of users. */
const measureFastify = async (connections: number): Promise<LoadSummary> => {
  const app = Fastify({ logger: false });
  app.get("/", async () => ({ hello: "world" }));
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  try {
    return await measure(url, { connections, seconds: Math.min(seconds, settings.seconds) });
  } finally {
    await app.close();
  }
};

const simulate = (request: UsersRequest): Promise<UsersSummary> =>
  new Promise((resolve, reject) => {
    const child = fork(join(BENCH_DIR, "load-users.ts"), { execArgv: ["--import", "tsx"] });
    child.once("message", (message: { summary?: UsersSummary; error?: string }) =>
      message.summary ? resolve(message.summary) : reject(new Error(message.error)),
    );
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the simulated users exited (${code}) without a result`)));
    child.send(request);
  });

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "-");

/** One run at one pace, on a database of its own; prints its table and whether the target was met. */
const runAt = async (thinkMs: number, fastify: LoadSummary): Promise<void> => {
  const stamp = timestamp();
  console.log(
    `\nHearth load benchmark ${stamp}: ${users} users for ${seconds} s, think time ${thinkMs} ms, ${settings.children} children, PostgreSQL`,
  );
  const fresh = await createPostgresDatabase(settings.postgresDatabase ?? `hearth_bench_load_${stamp}`);
  let summary: UsersSummary | undefined;
  let entriesFound = 0;
  let accounts = 0;
  let size: Record<string, number> = {};
  const marker = `load-bench-${stamp}`;
  try {
    // Each simulated user signs in from its own address, passed as X-Forwarded-For (the sign-in rate limit
    // is per address), as behind a council's proxy.
    const hearth = await startHearth("PostgreSQL", fresh.target, settings.children, { trustProxy: true });
    try {
      size = hearth.size;
      await sql`analyze`.execute(hearth.database.unsafeOwnerDb);
      const chosen = await chooseUsers(hearth.database, hearth.partnership.partnershipId, users);
      accounts = chosen.accounts;
      console.log(`  ${users} users (${accounts} distinct accounts) signing in, then ${seconds} s of load`);
      summary = await simulate({
        url: hearth.url,
        users: chosen.users,
        seconds,
        thinkMs,
        signInConcurrency: 8,
        marker,
      });
      const found = await hearth.database.unsafeOwnerDb
        .selectFrom("chronology_events")
        .select((s) => s.fn.countAll<string>().as("n"))
        .where("partnership_id", "=", hearth.partnership.partnershipId)
        .where("what_happened", "like", `${marker} %`)
        .executeTakeFirstOrThrow();
      entriesFound = Number(found.n);
    } finally {
      await hearth.close().catch((error: Error) => console.error(`closing Hearth: ${error.stack}`));
    }
  } catch (error) {
    console.error(`The load benchmark failed: ${(error as Error).stack}`);
    process.exitCode = 1;
  } finally {
    await fresh.drop();
  }
  if (!summary) return;

  const header = ["action", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"];
  const cells = [
    ...ACTIONS.map((a) => [a, summary.actions[a]] as const),
    ["overall", summary.overall] as const,
  ].map(([name, s]) => [
    name,
    String(s.requests),
    String(s.errors),
    fixed(s.p50),
    fixed(s.p95),
    fixed(s.p99),
    fixed(s.max),
  ]);
  cells.push([
    `bare Fastify (${users} conns)`,
    String(fastify.requests),
    String(fastify.non2xx + fastify.errors),
    fixed(fastify.p50, 2),
    fixed(fastify.p95, 2),
    fixed(fastify.p99, 2),
    "-",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ");
  console.log(`\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const row of cells) console.log(line(row));

  const hearthRate = summary.overall.requests / summary.seconds;
  console.log(
    `\n${users} users (${accounts} accounts) signed in in ${fixed(summary.signInSeconds)} s, then ${summary.overall.requests} requests in ${fixed(summary.seconds)} s: ${fixed(hearthRate)} req/s; ${summary.overall.errors} error(s).`,
  );
  console.log(
    `Against bare Fastify at ${users} connections in the same run (${fixed(fastify.requestsPerSecond, 0)} req/s, p99 ${fixed(fastify.p99, 2)} ms): Hearth's p50 ${fixed(summary.overall.p50 / fastify.p50, 0)}×, p99 ${fixed(summary.overall.p99 / fastify.p99, 0)}× (throughput not comparable: the users pause ${thinkMs} ms between requests; Fastify's connections do not).`,
  );
  console.log(
    `Chronology entries: ${summary.entriesAcknowledged} acknowledged, ${entriesFound} found in the database.`,
  );
  const met = summary.overall.errors === 0 && summary.overall.p99 < 1000;
  console.log(
    `Target (zero errors, p99 under 1 s): ${met ? "met" : "NOT met"} (${summary.overall.errors} errors, p99 ${fixed(summary.overall.p99, 0)} ms).`,
  );
  if (summary.failures.length > 0) console.log(`First failures:\n  ${summary.failures.join("\n  ")}`);
  console.log(
    `Load while measuring (1, 5, 15 minutes): ${loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")}`,
  );
  if (summary.overall.errors > 0 || entriesFound !== summary.entriesAcknowledged) process.exitCode = 1;
  const file = saveResults(`load-${stamp}.json`, {
    benchmark: "load",
    stamp,
    node: process.version,
    settings: { users, seconds, thinkMs, children: settings.children },
    size,
    accounts,
    fastify,
    summary,
    entriesFound,
  });
  console.log(`Results: ${file}`);
};

const fastify = await measureFastify(users);
for (const thinkMs of paces) await runAt(thinkMs, fastify);
