// SPDX-License-Identifier: MIT
/**
 * Killed mid-write, as a test (bench/kill-writes.bench.ts measures it at scale with the same code,
 * src/test-support/kill-writes.ts): `hearth serve` as its own process, 3 writers posting 60 chronology
 * entries through the real forms, SIGKILL once 20 are acknowledged, then Hearth started again on the same
 * database. Every acknowledged entry must be stored with its audit row, the writers' sessions must still
 * work, and `hearth audit verify` must pass. On PostgreSQL (HEARTH_TEST_DATABASE_URL) in a database of its
 * own; otherwise on the embedded database in a data folder, as `npm start` keeps it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { auditVerify, killDuringWrites, storedWrites } from "../test-support/kill-writes.ts";
import { type ProcessDatabase, processDatabase } from "../test-support/process-database.ts";

const engine = process.env.HEARTH_TEST_DATABASE_URL ? "postgres" : "pglite";
const WRITERS = 3;
const WRITES = 60;
const KILL_AFTER = 20;

let database: ProcessDatabase;

before(async () => {
  database = await processDatabase("kill", WRITERS, { engine });
});

after(async () => {
  await database?.drop();
});

describe(`killed mid-write (${engine === "postgres" ? "PostgreSQL" : "embedded database in a data folder"})`, () => {
  it("keeps every acknowledged entry with its audit row, the sessions and an intact audit chain", async (t) => {
    const marker = `kill-test-${Date.now()}`;
    const env = {
      ...database.env,
      // The same secret after the restart, as a real deployment has.
      HEARTH_SESSION_SECRET: "kill-test-session-secret-of-at-least-32-characters",
      HEARTH_LOG_LEVEL: "error",
    };
    const run = await killDuringWrites({
      env,
      users: database.users,
      writes: WRITES,
      killAfter: KILL_AFTER,
      marker,
      addressPrefix: "10.9.0.",
    });
    assert.equal(run.signal, "SIGKILL");
    assert.ok(
      run.killedAt !== undefined && run.killedAt >= KILL_AFTER && run.killedAt < WRITES,
      `killed mid-burst (at ${run.killedAt} acknowledged of ${WRITES})`,
    );
    assert.deepEqual(run.refused, [], "no entry refused");
    assert.equal(run.sessionsKept, WRITERS, "every writer still signed in after the restart");
    const { stored, unaudited } = await storedWrites(
      database.target,
      database.partnership.partnershipId,
      marker,
    );
    const lost = run.acknowledged.filter((text) => !stored.has(text));
    t.diagnostic(
      `sent ${run.sent}, killed at ${run.killedAt} acknowledged, ${run.acknowledged.length} acknowledged in all, ${run.cutOff} cut off; stored ${stored.size}, acknowledged but missing ${lost.length}, without audit row ${unaudited}; restart ${(run.restartMs / 1000).toFixed(1)} s`,
    );
    assert.deepEqual(
      lost,
      [],
      `${lost.length} of ${run.acknowledged.length} acknowledged entries missing after the restart`,
    );
    assert.equal(unaudited, 0, "every stored entry has its audit row");
    const verify = auditVerify(env);
    assert.equal(verify.status, 0, verify.output);
  });
});
