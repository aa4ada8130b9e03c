// SPDX-License-Identifier: MIT
/**
 * CLI start-up: how long `npx hearth` takes for commands that do no work (help, version, and `audit
 * verify` on an empty, already migrated database), against `node -e ""`, the floor any Node CLI pays.
 * Each command runs BENCH_CLI_RUNS times (default 5) in a fresh process after one unrecorded run (which
 * migrates the new database); the table shows the median and the fastest. The target is under 3 s.
 * Settings: BENCH_CLI_RUNS; BENCH_CLI_HEARTH (another checkout's bin/hearth.js, to compare).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPostgresDatabase, saveResults, timestamp } from "./support.ts";

const runs = Number(process.env.BENCH_CLI_RUNS ?? 5);
// BENCH_CLI_HEARTH: another checkout's bin/hearth.js, to compare before and after a change.
const HEARTH = process.env.BENCH_CLI_HEARTH ?? fileURLToPath(new URL("../bin/hearth.js", import.meta.url));

type Case = { name: string; args: string[]; env?: Record<string, string> };

const time = (c: Case): number => {
  const started = performance.now();
  const result = spawnSync(process.execPath, c.args, {
    env: { ...process.env, HEARTH_LOG_LEVEL: "silent", ...c.env },
    encoding: "utf8",
  });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${c.name} failed (${result.status}): ${result.stderr}`);
  return ms;
};

const measure = (c: Case) => {
  time(c);
  const times = Array.from({ length: runs }, () => time(c)).sort((a, b) => a - b);
  return {
    command: c.name,
    medianMs: Math.round(times[Math.floor(times.length / 2)] ?? 0),
    minMs: Math.round(times[0] ?? 0),
  };
};

const dataDir = mkdtempSync(join(tmpdir(), "hearth-cli-start-"));
const postgres = await createPostgresDatabase(`hearth_bench_cli_${timestamp()}`).catch(() => undefined);
const pgUrl = postgres?.target.engine === "postgres" ? postgres.target.connectionString : undefined;
try {
  const cases: Case[] = [
    { name: 'node -e ""', args: ["-e", ""] },
    { name: "hearth --help", args: [HEARTH, "--help"] },
    ...(process.env.BENCH_CLI_HEARTH ? [] : [{ name: "hearth version", args: [HEARTH, "version"] }]),
    { name: "hearth cin export --help", args: [HEARTH, "cin", "export", "--help"] },
    {
      name: "hearth audit verify (PGlite, empty)",
      args: [HEARTH, "audit", "verify"],
      env: { HEARTH_DATA_DIR: dataDir },
    },
    ...(pgUrl
      ? [
          {
            name: "hearth audit verify (PostgreSQL, empty)",
            args: [HEARTH, "audit", "verify"],
            env: { DATABASE_URL: pgUrl },
          },
        ]
      : []),
  ];
  const rows = cases.map(measure);
  const floor = rows[0]?.medianMs ?? 1;
  console.log(`CLI start-up, ${runs} runs each (median, fastest; target under 3000 ms):`);
  for (const r of rows)
    console.log(
      `  ${r.command.padEnd(42)} ${String(r.medianMs).padStart(6)} ms  ${String(r.minMs).padStart(6)} ms  ${(r.medianMs / floor).toFixed(1).padStart(6)} × node`,
    );
  if (!pgUrl) console.log("  (no PostgreSQL server at BENCH_POSTGRES_URL: PostgreSQL row skipped)");
  console.log(`Saved ${saveResults(`cli-start-${timestamp()}.json`, { runs, rows })}`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
  await postgres?.drop();
}
