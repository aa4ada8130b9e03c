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
import { type ChildProcess, spawnSync } from "node:child_process";
import { openDatabase } from "../src/db/database.ts";
import { generatePartnership } from "../src/generator/generate-partnership.ts";
import { chooseUsers } from "./choose-users.ts";
import { exited, freePort, HEARTH, startServer } from "./hearth-process.ts";
import { chronologyEntryForm, HttpUser } from "./http-user.ts";
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
let server: ChildProcess | undefined;
try {
  const database = await openDatabase(fresh.target);
  const partnership = await generatePartnership(database, { seed: "bench", children, name: "Bench" });
  const chosen = await chooseUsers(database, partnership.partnershipId, writers);
  await database.close();

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    DATABASE_URL: connectionString,
    PORT: String(port),
    HOST: "127.0.0.1",
    HEARTH_BASE_URL: url,
    // The same secret after the restart, as a real deployment has.
    HEARTH_SESSION_SECRET: "kill-bench-session-secret-of-at-least-32-characters",
    HEARTH_COOKIE_SECURE: "false",
    HEARTH_TRUST_PROXY: "true",
    HEARTH_LOG_LEVEL: "warn",
  };
  const first = await startServer(env, url);
  server = first.child;
  const clients = chosen.users.map((_, i) => new HttpUser(url, `10.1.0.${i + 1}`));
  await Promise.all(chosen.users.map((user, i) => clients[i]?.signIn(user.email, user.totpSecret)));

  // The burst: each writer posts entries back to back, until all are sent or the server is gone.
  let sent = 0;
  const acknowledged: string[] = [];
  const refused: string[] = [];
  let cutOff = 0;
  let killedAt: number | undefined;
  const kill = () => {
    if (killedAt !== undefined) return;
    killedAt = acknowledged.length;
    server?.kill("SIGKILL");
  };
  const watch = setInterval(() => {
    if (acknowledged.length >= killAfter) kill();
  }, 1);
  const write = async (user: (typeof chosen.users)[number], client: HttpUser, index: number) => {
    let round = 0;
    while (sent < writes) {
      const child = user.children[round % user.children.length];
      if (!child) return;
      round += 1;
      const form = await client
        .get(`/people/${child.personId}/chronology/new?eventType=not-brought-dental`)
        .catch(() => undefined);
      if (form?.status !== 200) return;
      if (sent >= writes) return;
      const text = `${marker} writer ${index} entry ${round}`;
      sent += 1;
      try {
        const answer = await client.post(
          `/people/${child.personId}/chronology/new`,
          chronologyEntryForm(text),
        );
        if (answer.status === 303 && (answer.location ?? "").includes("done=added")) acknowledged.push(text);
        else refused.push(`${answer.status} ${answer.location ?? ""}`);
      } catch {
        cutOff += 1;
        return; // the server is gone
      }
    }
  };
  await Promise.all(
    chosen.users.map((user, i) => {
      const client = clients[i];
      return client ? write(user, client, i) : Promise.resolve();
    }),
  );
  // Every writer stopped: the server was killed, or every entry was sent before the kill (then kill now).
  clearInterval(watch);
  kill();
  await exited(server);
  const signal = server.signalCode;

  // Started again on the same database.
  const second = await startServer(env, url);
  server = second.child;
  const sessionsKept = (
    await Promise.all(
      chosen.users.map(async (user, i) => {
        const child = user.children[0];
        const answer = await clients[i]?.get(`/people/${child?.personId}/chronology`);
        return answer?.status === 200;
      }),
    )
  ).filter(Boolean).length;
  const check = await openDatabase(fresh.target, { migrate: false });
  const rows = await check.unsafeOwnerDb
    .selectFrom("chronology_events")
    .select("what_happened")
    .where("partnership_id", "=", partnership.partnershipId)
    .where("what_happened", "like", `${marker} %`)
    .execute();
  // Each entry's "create" audit row is written in the entry's own transaction: none may be missing.
  const audited = await check.unsafeOwnerDb
    .selectFrom("audit_log")
    .select("record_id")
    .where("partnership_id", "=", partnership.partnershipId)
    .where("record_type", "=", "chronology-event")
    .where("action", "=", "create")
    .execute();
  const eventIds = await check.unsafeOwnerDb
    .selectFrom("chronology_events")
    .select("event_id")
    .where("partnership_id", "=", partnership.partnershipId)
    .where("what_happened", "like", `${marker} %`)
    .execute();
  await check.close();
  const auditedIds = new Set(audited.map((a) => a.record_id));
  const unaudited = eventIds.filter((e) => !auditedIds.has(e.event_id)).length;
  const stored = new Set(rows.map((r) => r.what_happened));
  const found = acknowledged.filter((text) => stored.has(text)).length;
  server.kill("SIGTERM");
  await exited(server);
  server = undefined;

  const verify = spawnSync(process.execPath, [HEARTH, "audit", "verify"], {
    env: { ...process.env, DATABASE_URL: connectionString, HEARTH_LOG_LEVEL: "silent" },
    encoding: "utf8",
  });
  const chain = `${verify.stdout}${verify.stderr}`.trim();

  console.log(
    `\nSent ${sent} entries; killed with ${signal} at ${killedAt} acknowledged; ${acknowledged.length} acknowledged in all, ${refused.length} refused, ${cutOff} cut off without an answer.`,
  );
  console.log(
    `Restarted in ${(second.startMs / 1000).toFixed(1)} s; ${sessionsKept} of ${writers} writers' sessions still signed in.`,
  );
  console.log(
    `acknowledged writes found after restart: ${found} / ${sent} sent (${acknowledged.length} acknowledged)`,
  );
  console.log(
    `Entries in the database: ${stored.size} (${stored.size - found} sent but cut off before their answer, committed all the same).`,
  );
  console.log(`Entries without their audit row: ${unaudited}.`);
  console.log(`hearth audit verify (exit ${verify.status}): ${chain}`);
  if (refused.length > 0) console.log(`Refused: ${refused.slice(0, 5).join("; ")}`);
  const ok = found === acknowledged.length && unaudited === 0 && verify.status === 0 && refused.length === 0;
  console.log(ok ? "No acknowledged write lost; audit chain intact." : "FAILED: see above.");
  if (!ok) process.exitCode = 1;
  result = {
    benchmark: "kill-writes",
    stamp,
    settings: { writers, writes, killAfter, children },
    sent,
    killedAt,
    acknowledged: acknowledged.length,
    refused,
    cutOff,
    found,
    stored: stored.size,
    unaudited,
    sessionsKept,
    restartMs: second.startMs,
    auditVerify: { status: verify.status, output: chain },
  };
} finally {
  if (server) {
    server.kill("SIGKILL");
    await exited(server);
  }
  await fresh.drop();
}
if (result) console.log(`Results: ${saveResults(`kill-writes-${stamp}.json`, result)}`);
