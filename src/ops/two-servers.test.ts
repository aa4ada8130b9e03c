// SPDX-License-Identifier: MIT
/**
 * Two processes behind a proxy, as a test (bench/two-servers.bench.ts measures it at scale with the same
 * code, src/test-support/two-servers.ts): two `hearth serve` processes sharing HEARTH_SESSION_SECRET on
 * one PostgreSQL database of its own, behind a round-robin proxy without sticky sessions. Three members of
 * staff sign in and, for 4 rounds, open the add-entry form, post an entry with its CSRF token and read the
 * chronology: a session and a CSRF token made by one process must work on the other, every acknowledged
 * entry must be stored, and the audit chain must verify. PostgreSQL only (HEARTH_TEST_DATABASE_URL): the
 * embedded database is one process's, and refuses a second.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openDatabase } from "../db/database.ts";
import { auditVerify } from "../test-support/kill-writes.ts";
import { type ProcessDatabase, processDatabase } from "../test-support/process-database.ts";
import { twoServersBehindProxy } from "../test-support/two-servers.ts";

const postgres = Boolean(process.env.HEARTH_TEST_DATABASE_URL);
const USERS = 3;
const ROUNDS = 4;

let database: ProcessDatabase | undefined;

before(async () => {
  if (postgres) database = await processDatabase("two", USERS, { engine: "postgres" });
});

after(async () => {
  await database?.drop();
});

describe("two processes behind a round-robin proxy", () => {
  it("share sessions and CSRF tokens, and store every acknowledged entry", {
    skip: postgres ? false : "PostgreSQL only: the embedded database is one process's",
  }, async () => {
    assert.ok(database);
    const marker = `two-servers-test-${Date.now()}`;
    const env = {
      ...database.env,
      // The processes share the secret that signs session and CSRF cookies, as a real deployment must.
      HEARTH_SESSION_SECRET: "two-servers-test-session-secret-of-32-characters",
      HEARTH_LOG_LEVEL: "error",
    };
    const run = await twoServersBehindProxy({
      env,
      users: database.users,
      rounds: ROUNDS,
      marker,
      addressPrefix: "10.8.0.",
    });
    assert.deepEqual(run.failures, [], "no request failed or lost its session");
    assert.equal(run.requests, USERS * ROUNDS * 3);
    assert.ok(run.served[0] > 0 && run.served[1] > 0, `both processes served (${run.served.join(" and ")})`);
    assert.equal(run.acknowledged, USERS * ROUNDS);
    const check = await openDatabase(database.target, { migrate: false });
    try {
      const found = await check.unsafeOwnerDb
        .selectFrom("chronology_events")
        .select((s) => s.fn.countAll<number>().as("n"))
        .where("partnership_id", "=", database.partnership.partnershipId)
        .where("what_happened", "like", `${marker} %`)
        .executeTakeFirstOrThrow();
      assert.equal(Number(found.n), run.acknowledged);
    } finally {
      await check.close();
    }
    const verify = auditVerify(env);
    assert.equal(verify.status, 0, verify.output);
  });
});
