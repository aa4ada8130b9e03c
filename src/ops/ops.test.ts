// SPDX-License-Identifier: MIT
/**
 * Operations: the health checks answer without sign-in and reveal nothing else; log lines are JSON with a
 * request id and no query string or cookie; shutdown finishes a request in flight; `hearth doctor` finds a
 * missing migration; a backup of the embedded database is refused while another Hearth process holds the
 * folder, and restoring it into an empty folder gives the same rows and a verified audit chain.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, describe, it } from "node:test";
import { sql } from "kysely";
import { chainsHold } from "../audit/audit-log.ts";
import { runDoctor } from "../cli/doctor.ts";
import type { DatabaseTarget } from "../config/config.ts";
import { openDatabase } from "../db/database.ts";
import {
  createTestPartnership,
  openTestDatabase,
  signInFor,
  TestClient,
  testConfig,
  testPgliteImage,
} from "../test-support/harness.ts";
import { buildApp } from "../web/app.ts";
import { BackupRefused, backupEmbedded, restoreEmbedded, tableCounts } from "./backup.ts";
import { gracefulShutdown } from "./shutdown.ts";

const folders: string[] = [];
const tempFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), "hearth-ops-"));
  folders.push(folder);
  return folder;
};
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe("health checks, logs and shutdown", () => {
  it("answer /healthz and /readyz without sign-in, and /readyz says not ready when a migration is missing", async () => {
    const database = await openTestDatabase();
    const app = await buildApp({ config: testConfig(), database });
    try {
      const health = await app.inject({ url: "/healthz" });
      assert.equal(health.statusCode, 200);
      assert.deepEqual(health.json(), { status: "ok" });
      const ready = await app.inject({ url: "/readyz" });
      assert.equal(ready.statusCode, 200);
      assert.deepEqual(ready.json(), { status: "ready" });
      // One migration's record taken away (and put back: on PostgreSQL the database outlives the test).
      const owner = database.unsafeOwnerDb;
      await sql`create temporary table kept_migration as select * from hearth_migrations where name = '0021-operations'`.execute(
        owner,
      );
      await sql`delete from hearth_migrations where name = '0021-operations'`.execute(owner);
      const notReady = await app.inject({ url: "/readyz" });
      await sql`insert into hearth_migrations select * from kept_migration`.execute(owner);
      assert.equal(notReady.statusCode, 503);
      assert.deepEqual(notReady.json(), { status: "not ready" });
      assert.equal((await app.inject({ url: "/readyz" })).statusCode, 200);
    } finally {
      await app.close();
      await database.close();
    }
  });

  it("log JSON lines with a request id, and no query string, cookie or name searched for", async () => {
    const database = await openTestDatabase();
    const partnership = await createTestPartnership(database, 20);
    const lines: string[] = [];
    const logStream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split("\n").filter(Boolean));
        done();
      },
    });
    const app = await buildApp({ config: { ...testConfig(), logLevel: "info" }, database, logStream });
    try {
      const client = new TestClient(app);
      await client.signIn(signInFor(partnership, "practitioner").email);
      const response = await app.inject({
        url: "/people?q=Smithson-Private",
        headers: { cookie: client.cookieHeader, "x-request-id": "proxy-id-12345" },
      });
      assert.equal(response.headers["x-request-id"], "proxy-id-12345");
      const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      const mine = entries.filter((e) => e.requestId === "proxy-id-12345");
      assert.ok(mine.length >= 2, "the request's lines carry its id");
      assert.ok(mine.some((e) => (e.req as { url?: string } | undefined)?.url === "/people"));
      const all = lines.join("\n");
      assert.doesNotMatch(all, /Smithson-Private/);
      assert.doesNotMatch(all, /hearth_session=/);
      assert.doesNotMatch(all, /demo-password|password=/i);
    } finally {
      await app.close();
      await database.close();
    }
  });

  it("finish a request in flight when shutting down, then stop", async () => {
    const database = await openTestDatabase();
    const app = await buildApp({ config: testConfig(), database });
    app.get("/slow-for-test", async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      return { finished: true };
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    assert.ok(address && typeof address === "object");
    const inFlight = fetch(`http://127.0.0.1:${address.port}/slow-for-test`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The client keeps its connection alive, as browsers and load balancers do: shutdown must not wait
    // for it to time out, so it stops within the grace period with no "still running" exit.
    const exitCodes: number[] = [];
    await gracefulShutdown(
      app,
      database,
      (code) => {
        exitCodes.push(code);
      },
      10_000,
    )("SIGTERM");
    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("connection"), "close");
    assert.deepEqual(await response.json(), { finished: true });
    assert.deepEqual(exitCodes, [0]);
    await assert.rejects(fetch(`http://127.0.0.1:${address.port}/healthz`), "no new connections");
  });
});

describe("backups of the embedded database", () => {
  it("restore into an empty folder with the same rows and a verified audit chain; doctor checks it", async () => {
    const live: DatabaseTarget = { engine: "pglite", dataDir: join(tempFolder(), "live") };
    const database = await openDatabase(live, { pgliteImage: testPgliteImage() });
    await createTestPartnership(database, 20);
    const before = await tableCounts(database);
    await database.close();
    const file = join(tempFolder(), "hearth.backup");

    // Another Hearth process holding the folder: refused, with the reason.
    const other = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    try {
      writeFileSync(join(live.dataDir ?? "", "hearth.pid"), String(other.pid));
      await assert.rejects(backupEmbedded(live, file), (error: Error) => {
        assert.ok(error instanceof BackupRefused);
        assert.match(error.message, new RegExp(`in use by Hearth process ${other.pid}`));
        assert.match(error.message, /taken while Hearth is stopped/);
        return true;
      });
      assert.ok(!existsSync(file), "nothing is written");
    } finally {
      const exited = new Promise((resolve) => other.once("exit", resolve));
      other.kill();
      await exited;
    }

    const backup = await backupEmbedded(live, file);
    assert.ok(backup.bytes > 0);
    assert.deepEqual(backup.counts, before);
    await assert.rejects(backupEmbedded(live, file), /already exists/);

    await assert.rejects(restoreEmbedded(live, file), /is not empty/);
    const copy: DatabaseTarget = { engine: "pglite", dataDir: join(tempFolder(), "restored") };
    const restored = await restoreEmbedded(copy, file);
    assert.deepEqual(restored.counts, before, "the same rows in every table");
    assert.ok(chainsHold(restored.chains));
    assert.equal(restored.chains.rows, before.audit_log);

    const env = { HEARTH_DATA_DIR: copy.dataDir, HEARTH_SESSION_SECRET: testConfig().sessionSecret };
    const findings = await runDoctor(env);
    assert.deepEqual(
      findings.filter((f) => f.level === "fail"),
      [],
    );
    assert.ok(
      findings.some(
        (f) => f.check === "audit chain" && /intact: .*none committed outside it/.test(f.message),
      ),
    );

    // Audit rows committed around the chain (its trigger disabled) are reported, not passed over.
    const reopened = await openDatabase(copy, { migrate: false });
    const owner = reopened.unsafeOwnerDb;
    const partnershipId = (
      await owner.selectFrom("partnerships").select("partnership_id").executeTakeFirstOrThrow()
    ).partnership_id;
    await sql`alter table audit_pending disable trigger audit_pending_chained_at_commit`.execute(owner);
    await sql`insert into audit_pending (partnership_id, rows) values (${partnershipId}, '[]'::jsonb)`.execute(
      owner,
    );
    await sql`alter table audit_pending enable trigger audit_pending_chained_at_commit`.execute(owner);
    await reopened.close();
    const unchained = (await runDoctor(env)).filter((f) => f.level === "fail");
    assert.equal(unchained.length, 1);
    assert.match(unchained[0]?.message ?? "", new RegExp(`partnership ${partnershipId}: 1 committed batch`));
    // A backup holding them restores with a report that says not to use it.
    const unchainedFile = join(tempFolder(), "unchained.backup");
    await backupEmbedded(copy, unchainedFile);
    const unchainedCopy = await restoreEmbedded(
      { engine: "pglite", dataDir: join(tempFolder(), "unchained") },
      unchainedFile,
    );
    assert.equal(chainsHold(unchainedCopy.chains), false);
    assert.deepEqual(unchainedCopy.chains.unchained, [{ partnershipId, batches: 1 }]);
    const again = await openDatabase(copy, { migrate: false });
    await sql`delete from audit_pending`.execute(again.unsafeOwnerDb);
    await again.close();

    const reopenedForMigrations = await openDatabase(copy, { migrate: false });
    await sql`delete from hearth_migrations where name = '0021-operations'`.execute(
      reopenedForMigrations.unsafeOwnerDb,
    );
    await reopenedForMigrations.close();
    const missing = (await runDoctor(env)).filter((f) => f.level === "fail");
    assert.equal(missing.length, 1);
    assert.match(missing[0]?.message ?? "", /not applied: 0021-operations/);
  });
});
