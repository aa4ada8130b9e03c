// SPDX-License-Identifier: MIT
/**
 * Shared benchmark helpers: start Hearth on PGlite or PostgreSQL with a generated partnership and
 * signed-in cookies, measure a bare Fastify baseline, run autocannon against a URL in its own process,
 * and print and save the results. Each `*.bench.ts` in this folder composes these.
 */
import { fork } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify from "fastify";
import { sql } from "kysely";
import pg from "pg";
import { EVENT_TYPE_CODES, EVENT_TYPES } from "../src/chronology/codes.ts";
import type { DatabaseTarget, HearthConfig } from "../src/config/config.ts";
import { repositoryFor } from "../src/data/repository.ts";
import { type HearthDatabase, openDatabase } from "../src/db/database.ts";
import { type GeneratedPartnership, generatePartnership } from "../src/generator/generate-partnership.ts";
import { seededRandom } from "../src/generator/random.ts";
import type { Role } from "../src/organisation/codes.ts";
import { createFamily } from "../src/test-support/families.ts";
import { signInFor, TestClient, testConfig } from "../src/test-support/harness.ts";
import { buildApp } from "../src/web/app.ts";
import { cpuPerRequest, readCpu } from "./cpu-meter.ts";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

const envNumber = (name: string, fallback: number, min: number): number => {
  const value = process.env[name] ? Number(process.env[name]) : fallback;
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number of at least ${min}`);
  return value;
};

/**
 * BENCH_QUICK=1: a run for iterating on a change (2,000 children, 2 s per measurement after 1 s of
 * warm-up); any BENCH_* variable set alongside still wins. Ratios to bare Fastify are comparable with a
 * full run's, absolute numbers less so (smaller tables).
 */
export const quick = process.env.BENCH_QUICK === "1";

/** Every setting a benchmark reads from the environment. */
export const settings = {
  /** Seconds of load per measurement. */
  seconds: envNumber("BENCH_SECONDS", quick ? 2 : 5, 1),
  /** Seconds of unrecorded load before each measurement (JIT, template and connection-pool warm-up). */
  warmupSeconds: envNumber("BENCH_WARMUP_SECONDS", 1, 0),
  /** The size of the generated partnership: the number of children it serves. */
  children: envNumber("BENCH_CHILDREN", quick ? 2_000 : 10_000, 1),
  /** Concurrent connections per measurement: BENCH_CONNECTIONS, comma-separated (1,10,50). */
  connections: (process.env.BENCH_CONNECTIONS ?? "1,10,50").split(",").map((c) => {
    const value = Number(c.trim());
    if (!Number.isInteger(value) || value < 1) throw new Error("BENCH_CONNECTIONS must list whole numbers");
    return value;
  }),
  /** A PostgreSQL server's maintenance database, on which each run creates and drops its own database. */
  postgresUrl: process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  /**
   * The database each run creates on that server and drops afterwards (BENCH_POSTGRES_DATABASE; by default
   * hearth_bench_<timestamp>). A name of one's own keeps runs on a shared server apart and easy to find.
   */
  postgresDatabase: process.env.BENCH_POSTGRES_DATABASE,
};

/** What {@link measure} asks of the load generator (bench/load.ts). */
export type LoadRequest = {
  url: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  headers: Record<string, string>;
};

/** One measurement: throughput, latency in milliseconds, and anything that was not a 2xx response. */
export type LoadSummary = {
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  seconds: number;
};

export type Row = LoadSummary & {
  /**
   * CPU ms a request cost, measured after warm-up (./cpu-meter.ts): the benchmark's process (the server,
   * and PGlite inside it), and the machine's PostgreSQL processes (null when it runs elsewhere or with
   * PGlite, where it is idle). Bare Fastify's row is the server's cost without Hearth.
   */
  hearthCpuMs: number | null;
  postgresCpuMs: number | null;
  database: string;
  page: string;
  connections: number;
  /** Throughput as a fraction of bare Fastify's at the same concurrency. */
  vsFastify: number;
};

/**
 * Loads `url` with autocannon from a child process, so the load generator never shares the server's
 * event loop.
 */
export const measure = (
  url: string,
  options: { connections: number; headers?: Record<string, string>; seconds?: number },
): Promise<LoadSummary & ReturnType<typeof cpuPerRequest>> =>
  new Promise((resolve, reject) => {
    const request: LoadRequest = {
      url,
      connections: options.connections,
      seconds: options.seconds ?? settings.seconds,
      warmupSeconds: settings.warmupSeconds,
      headers: options.headers ?? {},
    };
    const child = fork(join(BENCH_DIR, "load.ts"), { execArgv: ["--import", "tsx"] });
    // The generator says when the warm-up is over; the CPU is read then and with its result.
    let start = readCpu();
    child.on("message", (message: LoadSummary | "measuring") => {
      if (message === "measuring") {
        start = readCpu();
        return;
      }
      resolve({ ...message, ...cpuPerRequest(start, readCpu(), message.requests) });
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the load generator exited (${code}) without a result`)));
    child.send(request);
  });

const measuring = (what: string) => process.stdout.write(`  measuring ${what}\n`);

/** Measures a bare Fastify hello-world at each concurrency: the baseline every other row is compared to. */
export const measureBaseline = async (): Promise<Row[]> => {
  const app = Fastify({ logger: false });
  app.get("/", async () => ({ hello: "world" }));
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  const rows: Row[] = [];
  try {
    for (const connections of settings.connections) {
      measuring(`bare Fastify at ${connections} connection(s)`);
      const summary = await measure(url, { connections });
      rows.push({ database: "-", page: "bare Fastify hello world", connections, ...summary, vsFastify: 1 });
    }
  } finally {
    await app.close();
  }
  return rows;
};

export type DataSize = { children: number } & GeneratedPartnership["counts"];

/** Hearth listening on a local port over a freshly generated partnership. */
export type RunningHearth = {
  label: string;
  url: string;
  database: HearthDatabase;
  size: DataSize;
  partnership: GeneratedPartnership;
  /** The Cookie header of the partnership's demo user in `role`, signed in once (sign-in is rate limited). */
  cookieFor: (role: Role) => Promise<string>;
  close: () => Promise<void>;
};

/**
 * Opens the database, generates a partnership (seed "bench") and starts Hearth on a free local port with
 * the test configuration (plain-HTTP cookies, silent logs).
 */
export const startHearth = async (
  label: string,
  target: DatabaseTarget,
  children = settings.children,
  config: Partial<HearthConfig> = {},
): Promise<RunningHearth> => {
  const database = await openDatabase(target);
  const partnership = await generatePartnership(database, { seed: "bench", children, name: "Bench" });
  const app = await buildApp({ config: { ...testConfig(target), ...config }, database });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  const cookies = new Map<Role, string>();
  return {
    label,
    url,
    database,
    size: { children, ...partnership.counts },
    partnership,
    cookieFor: async (role) => {
      const known = cookies.get(role);
      if (known) return known;
      const client = new TestClient(app);
      await client.signIn(signInFor(partnership, role).email, {
        totpSecret: partnership.administratorTotpSecret,
      });
      const home = await client.get("/");
      if (home.statusCode !== 200)
        throw new Error(`signing in as ${role} failed: / answered ${home.statusCode}`);
      cookies.set(role, client.cookieHeader);
      return client.cookieHeader;
    },
    close: async () => {
      await app.close();
      await database.close();
    },
  };
};

/**
 * Creates an empty database on the PostgreSQL server at {@link settings.postgresUrl}.
 * @throws When the server is not available.
 * @returns Its target, and a function that drops it.
 */
export const createPostgresDatabase = async (
  name: string,
): Promise<{ target: DatabaseTarget; drop: () => Promise<void> }> => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const admin = new pg.Client({ connectionString: settings.postgresUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } catch (error) {
    await admin.end();
    throw error;
  }
  const url = new URL(settings.postgresUrl);
  url.pathname = `/${name}`;
  return {
    target: { engine: "postgres", connectionString: url.toString() },
    drop: async () => {
      // A closed pool's connections say goodbye asynchronously: forcing the drop while one is still
      // open makes that connection fail with "terminating connection due to administrator command",
      // an unhandled pool error that ended the process. Wait (up to 10 s) for them to go first.
      for (let waited = 0; waited < 10_000; waited += 100) {
        const open = await admin.query("select count(*)::int as n from pg_stat_activity where datname = $1", [
          name,
        ]);
        if (open.rows[0]?.n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
};

/** A page to load as the partnership's demo user in a role; `name` labels it in the table. */
export type Page = { path: string; role: Role; name?: string };

/**
 * Measures each page at each concurrency as its signed-in user, after checking the page answers 200 (a
 * redirect to sign-in would otherwise look very fast).
 * @param baseline - Rows from {@link measureBaseline}, for the ratio to bare Fastify.
 */
export const benchmarkPages = async (
  hearth: RunningHearth,
  pages: Page[],
  baseline: Row[],
): Promise<Row[]> => {
  const rows: Row[] = [];
  for (const page of pages) {
    const headers = { cookie: await hearth.cookieFor(page.role) };
    const url = new URL(page.path, hearth.url).toString();
    const check = await fetch(url, { headers, redirect: "manual" });
    if (check.status !== 200) throw new Error(`${page.path} as ${page.role} answered ${check.status}`);
    const name = `${page.name ?? page.path} (${page.role})`;
    for (const connections of settings.connections) {
      measuring(`${hearth.label} ${name} at ${connections} connection(s)`);
      const summary = await measure(url, { connections, headers });
      const fastify = baseline.find((row) => row.connections === connections)?.requestsPerSecond;
      const vsFastify = fastify ? summary.requestsPerSecond / fastify : Number.NaN;
      rows.push({ database: hearth.label, page: name, connections, ...summary, vsFastify });
    }
  }
  return rows;
};

/** The run's UTC time as `YYYYMMDD_HHMMSS`: usable in a file name and a database name. */
export const timestamp = (): string =>
  new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "_");

/** Prints the rows as an aligned table, and a warning for any row with failed requests. */
export const printTable = (rows: Row[]): void => {
  const header = [
    "database",
    "page",
    "conns",
    "req/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "× Fastify",
    "CPU ms/req",
    "PG CPU ms/req",
    "failed",
  ];
  // A measurement in which no request finished has no latencies (null once through JSON).
  const fixed = (value: number | null, digits: number) =>
    typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : "-";
  const cells = rows.map((r) => [
    r.database,
    r.page,
    String(r.connections),
    fixed(r.requestsPerSecond, 0),
    fixed(r.p50, 2),
    fixed(r.p95, 2),
    fixed(r.p99, 2),
    fixed(r.vsFastify, 3),
    fixed(r.hearthCpuMs, 2),
    fixed(r.postgresCpuMs, 2),
    String(r.non2xx + r.errors),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ");
  console.log(`\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const row of cells) console.log(line(row));
  const failed = rows.filter((r) => r.non2xx + r.errors > 0);
  if (failed.length > 0) {
    console.log(`\nWARNING: ${failed.length} measurement(s) had non-2xx responses or errors.`);
    process.exitCode = 1;
  }
};

/** Writes a run's results as JSON to bench/results/<file> (git-ignored). @returns The file's path. */
export const saveResults = (file: string, data: unknown): string => {
  const path = join(BENCH_DIR, "results", file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
};

/** Server-time percentiles of one measurement, in milliseconds. */
export type Timing = { p50: number; p95: number; runs: number };

/** Progress on standard error, so the results table on standard output stays clean. */
export const progress = (message: string): boolean => process.stderr.write(`  ${message}\n`);

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/**
 * Runs `work` `warmUp` times untimed, then `iterations` times timed.
 * @returns p50 and p95 in milliseconds.
 */
export const timeRuns = async (
  work: (i: number) => Promise<unknown>,
  options: { warmUp: number; iterations: number },
): Promise<Timing> => {
  for (let i = 0; i < options.warmUp; i += 1) await work(i);
  const samples: number[] = [];
  for (let i = 0; i < options.iterations; i += 1) {
    const start = process.hrtime.bigint();
    await work(i);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), runs: samples.length };
};

/** Adds `count` entries spread over ten years across the family's four people, deterministically. */
export const addFamilyEvents = async (
  database: HearthDatabase,
  partnershipId: string,
  personIds: string[],
  agencyIds: string[],
  count: number,
) => {
  const random = seededRandom("bench-chronology");
  const start = Date.UTC(2016, 3, 1);
  const rows = Array.from({ length: count }, (_, i) => {
    const type = EVENT_TYPE_CODES[Math.floor(random.next() * EVENT_TYPE_CODES.length)] ?? "other";
    return {
      partnership_id: partnershipId,
      event_id: random.uuid(),
      person_id: personIds[i % personIds.length] ?? "",
      occurred_on: new Date(start + Math.floor(random.next() * 3650) * 86_400_000).toISOString().slice(0, 10),
      date_precision: "day" as const,
      event_type: type,
      source_agency_id: agencyIds[i % agencyIds.length] ?? "",
      what_happened: `Synthetic entry ${i + 1}: ${EVENT_TYPES[type].label.toLowerCase()}`,
      impact_on_child: "Synthetic impact on the child, for the benchmark",
      significance: EVENT_TYPES[type].significance,
      neglect_types: [...EVENT_TYPES[type].neglectTypes],
      information_basis: "observed" as const,
    };
  });
  for (let i = 0; i < rows.length; i += 1000) {
    await database.unsafeOwnerDb
      .insertInto("chronology_events")
      .values(rows.slice(i, i + 1000))
      .execute();
  }
};

/**
 * Runs `benchmark` on a fresh PostgreSQL database named `name` (at BENCH_POSTGRES_URL), then closes and
 * drops it. A server that is missing or refuses is reported and skipped, so the PGlite half still prints;
 * errors `rethrow` picks (a wrong result, not a missing server) end the run.
 */
export const onFreshPostgres = async <T>(
  name: string,
  benchmark: (database: HearthDatabase, target: DatabaseTarget) => Promise<T>,
  rethrow: (error: unknown) => boolean = () => false,
): Promise<T | undefined> => {
  try {
    const server = await createPostgresDatabase(name);
    const database = await openDatabase(server.target);
    try {
      return await benchmark(database, server.target);
    } finally {
      progress("closing");
      await database.close();
      progress("dropping");
      await server.drop();
    }
  } catch (error) {
    if (rethrow(error)) throw error;
    console.log(`PostgreSQL failed or skipped: ${(error as Error).stack ?? error} (${settings.postgresUrl})`);
    return undefined;
  }
};

/** The benchmark family's baby, and a family name to search for. */
export type BenchFamily = { childId: string; searchName: string };

/**
 * A family whose baby the demo practitioner's agency is involved with, holding `chronologyEvents`
 * chronology entries across its four members, whose history the practitioner has read.
 */
export const addBenchFamily = async (
  database: HearthDatabase,
  partnership: GeneratedPartnership,
  chronologyEvents: number,
): Promise<BenchFamily> => {
  const practitioner = signInFor(partnership, "practitioner");
  const user = await database.unsafeOwnerDb
    .selectFrom("users")
    .select(["agency_id", "team_id"])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("user_id", "=", practitioner.userId)
    .executeTakeFirstOrThrow();
  const family = await createFamily(database, {
    partnershipId: partnership.partnershipId,
    familyName: "Benchmark",
    involvements: [{ agencyId: user.agency_id, child: "baby" }],
  });
  const agencies = await database.unsafeOwnerDb
    .selectFrom("agencies")
    .select("agency_id")
    .where("partnership_id", "=", partnership.partnershipId)
    .orderBy("name")
    .limit(6)
    .execute();
  await addFamilyEvents(
    database,
    partnership.partnershipId,
    [family.babyId, family.siblingId, family.motherId, family.partnerId],
    agencies.map((a) => a.agency_id),
    chronologyEvents,
  );
  // The record opens on "what is already known" until the practitioner has read it once.
  const read = await repositoryFor(database, {
    partnershipId: partnership.partnershipId,
    userId: practitioner.userId,
    role: "practitioner",
    agencyId: user.agency_id,
    teamId: user.team_id,
    sessionId: null,
    ip: null,
  }).people.acknowledgeHistory(family.babyId);
  if (!read) throw new Error("the practitioner cannot open the benchmark family's baby");
  // Fresh statistics, as autovacuum would have them in service: the generator analyzes only above 1,000
  // children, and the planner's guesses on never-analyzed tables (an access check driven from an agency's
  // thousands of involvements) made a 1 ms search query take 170 ms.
  await sql`analyze`.execute(database.unsafeOwnerDb);
  return { childId: family.babyId, searchName: partnership.demoFamily.familyName };
};
