// SPDX-License-Identifier: MIT
/**
 * Scaling out: two Hearth processes (the real CLI, `hearth serve`, sharing HEARTH_SESSION_SECRET) on one
 * fresh PostgreSQL database (hearth_bench_two_<timestamp>, dropped afterwards), behind a simple
 * round-robin proxy started here (no sticky sessions: each request goes to the next process).
 * BENCH_TWO_USERS (10) members of staff sign in through the proxy, then for BENCH_TWO_ROUNDS (10) rounds
 * each opens the add-entry form, posts an entry with the form's CSRF token and reads the chronology, so a
 * session and its CSRF token made by one process are used on the other. Prints each process's share of
 * the requests, errors (any status outside 2xx/3xx, a redirect to sign-in, an entry not acknowledged, or
 * no answer) and the entries found in the database against those acknowledged.
 *
 * Settings: BENCH_TWO_USERS, BENCH_TWO_ROUNDS, BENCH_TWO_CHILDREN (200), BENCH_POSTGRES_URL,
 * BENCH_POSTGRES_DATABASE.
 */
import { openDatabase } from "../src/db/database.ts";
import { generatePartnership } from "../src/generator/generate-partnership.ts";
import { chooseUsers } from "../src/test-support/choose-users.ts";
import { twoServersBehindProxy } from "../src/test-support/two-servers.ts";
import { createPostgresDatabase, saveResults, settings, timestamp } from "./support.ts";

const number = (name: string, fallback: number): number => {
  const value = process.env[name] ? Number(process.env[name]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1`);
  return value;
};
const users = number("BENCH_TWO_USERS", 10);
const rounds = number("BENCH_TWO_ROUNDS", 10);
const children = number("BENCH_TWO_CHILDREN", 200);

const stamp = timestamp();
const marker = `two-servers-bench-${stamp}`;
console.log(
  `Hearth two processes behind a proxy ${stamp}: ${users} users, ${rounds} rounds of form, entry and chronology, PostgreSQL`,
);
const fresh = await createPostgresDatabase(settings.postgresDatabase ?? `hearth_bench_two_${stamp}`);
if (fresh.target.engine !== "postgres") throw new Error("unreachable");
const connectionString = fresh.target.connectionString;
let result: Record<string, unknown> | undefined;
try {
  const database = await openDatabase(fresh.target);
  const partnership = await generatePartnership(database, { seed: "bench", children, name: "Bench" });
  const chosen = await chooseUsers(database, partnership.partnershipId, users);
  await database.close();

  const { requests, served, failures, acknowledged } = await twoServersBehindProxy({
    env: {
      ...process.env,
      DATABASE_URL: connectionString,
      // The processes share the secret that signs session and CSRF cookies, as a real deployment must.
      HEARTH_SESSION_SECRET: "two-servers-bench-session-secret-of-32-characters",
      HEARTH_LOG_LEVEL: "warn",
    },
    users: chosen.users,
    rounds,
    marker,
    addressPrefix: "10.2.0.",
  });

  const db = await openDatabase(fresh.target, { migrate: false });
  const found = await db.unsafeOwnerDb
    .selectFrom("chronology_events")
    .select((s) => s.fn.countAll<number>().as("n"))
    .where("partnership_id", "=", partnership.partnershipId)
    .where("what_happened", "like", `${marker} %`)
    .executeTakeFirstOrThrow();
  await db.close();

  console.log(
    `\n${requests} requests through the proxy after sign-in (${served[0]} and ${served[1]} requests, sign-in included, served by each process): ${failures.length} error(s).`,
  );
  console.log(`Chronology entries: ${acknowledged} acknowledged, ${Number(found.n)} found in the database.`);
  if (failures.length > 0) console.log(`First failures:\n  ${failures.slice(0, 10).join("\n  ")}`);
  const ok = failures.length === 0 && Number(found.n) === acknowledged && served[0] > 0 && served[1] > 0;
  console.log(ok ? "Both processes served the same sessions without an error." : "FAILED: see above.");
  if (!ok) process.exitCode = 1;
  result = {
    benchmark: "two-servers",
    stamp,
    users,
    rounds,
    requests,
    served,
    failures,
    acknowledged,
    found,
  };
} finally {
  await fresh.drop();
}
if (result) console.log(`Results: ${saveResults(`two-servers-${stamp}.json`, result)}`);
