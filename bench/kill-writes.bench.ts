// SPDX-License-Identifier: MIT
/**
 * Killed mid-write: starts Hearth as its own process (the real CLI, `hearth serve`, on a fresh PostgreSQL
 * database hearth_bench_kill_<timestamp>, dropped afterwards), signs in BENCH_KILL_WRITERS (10) members of
 * staff, and has each post new chronology entries back to back (the add form's POST with its CSRF token)
 * until BENCH_KILL_WRITES (400) have been sent. Once BENCH_KILL_AFTER (100) have been acknowledged (303 to
 * the chronology), the server gets SIGKILL: no shutdown, requests cut off mid-transaction. Hearth is then
 * started again on the same database, and the benchmark counts how many acknowledged entries are in the
 * database (every one must be), checks the writers' sessions still work, and runs `hearth audit verify`
 * (the hash-chained audit log must be intact: each entry's audit row is written in the entry's own
 * transaction).
 *
 * Settings: BENCH_KILL_WRITERS, BENCH_KILL_WRITES, BENCH_KILL_AFTER, BENCH_KILL_CHILDREN (200, the
 * generated partnership's size), BENCH_POSTGRES_URL, BENCH_POSTGRES_DATABASE.
 */
import { openDatabase } from "../src/db/database.ts";
import { generatePartnership } from "../src/generator/generate-partnership.ts";
import { chooseUsers } from "../src/test-support/choose-users.ts";
import { auditVerify, killDuringWrites, storedWrites } from "../src/test-support/kill-writes.ts";
import { createPostgresDatabase, saveResults, settings, timestamp } from "./support.ts";

const number = (name: string, fallback: number, min: number): number => {
  const value = process.env[name] ? Number(process.env[name]) : fallback;
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name} must be a whole number of at least ${min}`);
  return value;
};
const writers = number("BENCH_KILL_WRITERS", 10, 1);
const writes = number("BENCH_KILL_WRITES", 400, 1);
const killAfter = number("BENCH_KILL_AFTER", 100, 1);
const children = number("BENCH_KILL_CHILDREN", 200, 1);
if (killAfter >= writes) throw new Error("BENCH_KILL_AFTER must be fewer than BENCH_KILL_WRITES");

const stamp = timestamp();
const marker = `kill-bench-${stamp}`;
console.log(
  `Hearth kill-during-writes benchmark ${stamp}: ${writers} writers, ${writes} entries, SIGKILL after ${killAfter} acknowledged, PostgreSQL`,
);
const fresh = await createPostgresDatabase(settings.postgresDatabase ?? `hearth_bench_kill_${stamp}`);
if (fresh.target.engine !== "postgres") throw new Error("unreachable");
const connectionString = fresh.target.connectionString;
let result: Record<string, unknown> | undefined;
try {
  const database = await openDatabase(fresh.target);
  const partnership = await generatePartnership(database, { seed: "bench", children, name: "Bench" });
  const chosen = await chooseUsers(database, partnership.partnershipId, writers);
  await database.close();

  const env = {
    ...process.env,
    DATABASE_URL: connectionString,
    // The same secret after the restart, as a real deployment has.
    HEARTH_SESSION_SECRET: "kill-bench-session-secret-of-at-least-32-characters",
    HEARTH_LOG_LEVEL: "warn",
  };
  const run = await killDuringWrites({
    env,
    users: chosen.users,
    writes,
    killAfter,
    marker,
    addressPrefix: "10.1.0.",
  });
  const { stored, unaudited } = await storedWrites(fresh.target, partnership.partnershipId, marker);
  const found = run.acknowledged.filter((text) => stored.has(text)).length;
  const verify = auditVerify(env);

  console.log(
    `\nSent ${run.sent} entries; killed with ${run.signal} at ${run.killedAt} acknowledged; ${run.acknowledged.length} acknowledged in all, ${run.refused.length} refused, ${run.cutOff} cut off without an answer.`,
  );
  console.log(
    `Restarted in ${(run.restartMs / 1000).toFixed(1)} s; ${run.sessionsKept} of ${writers} writers' sessions still signed in.`,
  );
  console.log(
    `acknowledged writes found after restart: ${found} / ${run.sent} sent (${run.acknowledged.length} acknowledged)`,
  );
  console.log(
    `Entries in the database: ${stored.size} (${stored.size - found} sent but cut off before their answer, committed all the same).`,
  );
  console.log(`Entries without their audit row: ${unaudited}.`);
  console.log(`hearth audit verify (exit ${verify.status}): ${verify.output}`);
  if (run.refused.length > 0) console.log(`Refused: ${run.refused.slice(0, 5).join("; ")}`);
  const ok =
    found === run.acknowledged.length && unaudited === 0 && verify.status === 0 && run.refused.length === 0;
  console.log(ok ? "No acknowledged write lost; audit chain intact." : "FAILED: see above.");
  if (!ok) process.exitCode = 1;
  result = {
    benchmark: "kill-writes",
    stamp,
    settings: { writers, writes, killAfter, children },
    sent: run.sent,
    killedAt: run.killedAt,
    acknowledged: run.acknowledged.length,
    refused: run.refused,
    cutOff: run.cutOff,
    found,
    stored: stored.size,
    unaudited,
    sessionsKept: run.sessionsKept,
    restartMs: run.restartMs,
    auditVerify: verify,
  };
} finally {
  await fresh.drop();
}
if (result) console.log(`Results: ${saveResults(`kill-writes-${stamp}.json`, result)}`);
