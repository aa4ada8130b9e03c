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
import type { ChildProcess } from "node:child_process";
import { createServer, request as forward } from "node:http";
import { openDatabase } from "../src/db/database.ts";
import { generatePartnership } from "../src/generator/generate-partnership.ts";
import { chooseUsers } from "./choose-users.ts";
import { exited, freePort, startServer } from "./hearth-process.ts";
import { type Answer, chronologyEntryForm, HttpUser } from "./http-user.ts";
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
const servers: ChildProcess[] = [];
let proxy: ReturnType<typeof createServer> | undefined;
let result: Record<string, unknown> | undefined;
try {
  const database = await openDatabase(fresh.target);
  const partnership = await generatePartnership(database, { seed: "bench", children, name: "Bench" });
  const chosen = await chooseUsers(database, partnership.partnershipId, users);
  await database.close();

  const ports = [await freePort(), await freePort()];
  const proxyPort = await freePort();
  const url = `http://127.0.0.1:${proxyPort}`;
  for (const port of ports) {
    const started = await startServer(
      {
        ...process.env,
        DATABASE_URL: connectionString,
        PORT: String(port),
        HOST: "127.0.0.1",
        HEARTH_BASE_URL: url,
        // The processes share the secret that signs session and CSRF cookies, as a real deployment must.
        HEARTH_SESSION_SECRET: "two-servers-bench-session-secret-of-32-characters",
        HEARTH_COOKIE_SECURE: "false",
        HEARTH_TRUST_PROXY: "true",
        HEARTH_LOG_LEVEL: "warn",
      },
      `http://127.0.0.1:${port}`,
    );
    servers.push(started.child);
  }

  // The proxy: each request to the next process in turn, passing on the client's X-Forwarded-For.
  const served = [0, 0];
  let turn = 0;
  proxy = createServer((incoming, outgoing) => {
    const backend = turn++ % ports.length;
    served[backend] = (served[backend] ?? 0) + 1;
    const upstream = forward(
      {
        host: "127.0.0.1",
        port: ports[backend],
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on("error", () => {
      outgoing.writeHead(502);
      outgoing.end();
    });
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy?.listen(proxyPort, "127.0.0.1", resolve));

  const clients = chosen.users.map((_, i) => new HttpUser(url, `10.2.0.${i + 1}`));
  await Promise.all(chosen.users.map((user, i) => clients[i]?.signIn(user.email, user.totpSecret)));
  let requests = 0;
  let acknowledged = 0;
  const failures: string[] = [];
  const check = async (what: string, send: () => Promise<Answer>, ok: (a: Answer) => boolean) => {
    requests += 1;
    try {
      const answer = await send();
      if (answer.status >= 400 || answer.location?.startsWith("/sign-in") || !ok(answer))
        failures.push(`${what}: ${answer.status} ${answer.location ?? ""}`);
      return answer;
    } catch (error) {
      failures.push(`${what}: no answer (${(error as Error).message})`);
      return undefined;
    }
  };
  await Promise.all(
    chosen.users.map(async (user, i) => {
      const client = clients[i];
      if (!client) return;
      for (let round = 0; round < rounds; round += 1) {
        const child = user.children[round % user.children.length];
        if (!child) return;
        const path = `/people/${child.personId}/chronology`;
        await check(
          "entry form",
          () => client.get(`${path}/new?eventType=not-brought-dental`),
          (a) => a.status === 200,
        );
        const added = await check(
          "add entry",
          () => client.post(`${path}/new`, chronologyEntryForm(`${marker} user ${i} round ${round}`)),
          (a) => a.status === 303 && (a.location ?? "").includes("done=added"),
        );
        if (added?.status === 303) acknowledged += 1;
        await check(
          "chronology",
          () => client.get(path),
          (a) => a.status === 200,
        );
      }
    }),
  );

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
  const ok =
    failures.length === 0 && Number(found.n) === acknowledged && (served[0] ?? 0) > 0 && (served[1] ?? 0) > 0;
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
  proxy?.close();
  for (const server of servers) {
    server.kill("SIGTERM");
    await exited(server);
  }
  await fresh.drop();
}
if (result) console.log(`Results: ${saveResults(`two-servers-${stamp}.json`, result)}`);
