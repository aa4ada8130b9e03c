// SPDX-License-Identifier: MIT
/**
 * `npx hearth audit verify` as an operator runs it: a separate process against the same database. It
 * reports the chain intact, then names the exact row after someone with owner rights alters one.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { sql } from "kysely";
import type { DatabaseTarget } from "../config/config.ts";
import { repositoryFor } from "../data/repository.ts";
import { type HearthDatabase, openDatabase } from "../db/database.ts";
import { generatePartnership } from "../generator/generate-partnership.ts";
import { contextOfUser, signInFor, testDatabaseTarget, testPgliteImage } from "../test-support/harness.ts";
import { appendAudit, appendAudits, unsafeVerifyAuditChains } from "./audit-log.ts";

const run = promisify(execFile);
const target: DatabaseTarget = (() => {
  const shared = testDatabaseTarget();
  // PGlite allows one process at a time, so the CLI gets its own data folder, opened while the test has closed it.
  return shared.engine === "postgres"
    ? shared
    : { engine: "pglite", dataDir: mkdtempSync(join(tmpdir(), "hearth-audit-")) };
})();

const cliEnv = (): NodeJS.ProcessEnv => {
  if (target.engine === "postgres") return { ...process.env, DATABASE_URL: target.connectionString };
  const { DATABASE_URL: _ignored, ...rest } = process.env;
  return { ...rest, HEARTH_DATA_DIR: target.dataDir ?? "" };
};

const verify = async (): Promise<{ code: number; output: string }> => {
  const env = cliEnv();
  try {
    const { stdout } = await run(process.execPath, ["bin/hearth.js", "audit", "verify"], { env });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
};

let folderMade = false;

/** Opens the database just for the work, so the CLI can open a PGlite folder after. */
const withDb = async <T>(work: (database: HearthDatabase) => Promise<T>): Promise<T> => {
  // The first open fills the empty PGlite folder from the run's migrated image, when there is one.
  const database = await openDatabase(target, { pgliteImage: folderMade ? undefined : testPgliteImage() });
  folderMade = true;
  try {
    return await work(database);
  } finally {
    await database.close();
  }
};

let partnershipId = "";

before(async () => {
  partnershipId = await withDb(async (database) => {
    const generated = await generatePartnership(database, {
      seed: `audit-${crypto.randomUUID()}`,
      children: 30,
    });
    const admin = signInFor(generated, "administrator");
    const repo = repositoryFor(
      database,
      await contextOfUser(database, generated.partnershipId, { userId: admin.userId }),
    );
    for (const s of generated.signIns) await repo.organisation.getUser(s.userId);
    return generated.partnershipId;
  });
});

after(() => {
  if (target.engine === "pglite" && target.dataDir) rmSync(target.dataDir, { recursive: true, force: true });
});

const tamper = (statement: string) =>
  withDb(async (database) => {
    const db = database.unsafeOwnerDb;
    await db.transaction().execute(async (trx) => {
      await sql`alter table audit_log disable trigger audit_log_append_only`.execute(trx);
      await sql.raw(statement).execute(trx);
      await sql`alter table audit_log enable trigger audit_log_append_only`.execute(trx);
    });
  });

describe("hearth audit verify", () => {
  it("reports the chain intact", async () => {
    const { code, output } = await verify();
    assert.equal(code, 0, output);
    assert.match(output, /Audit chain intact: \d+ rows in \d+ partnership/);
  });

  it("reports the chain intact while other requests append to it", async () => {
    // Heads and rows are read in one snapshot: read apart, a row committed in between looked like a break.
    const problems = await withDb(async (database) => {
      const writes = Array.from({ length: 40 }, (_, i) =>
        database.unsafeOwnerDb.transaction().execute((trx) =>
          appendAudit(trx, {
            partnershipId,
            actor: null,
            action: "view",
            recordType: "partnership",
            recordId: partnershipId,
            reason: `concurrent ${i}`,
          }),
        ),
      );
      const reports = Array.from({ length: 10 }, () => unsafeVerifyAuditChains(database.unsafeOwnerDb));
      const [, settled] = await Promise.all([Promise.all(writes), Promise.all(reports)]);
      return settled.flatMap((report) => report.problems).filter((p) => p.partnershipId === partnershipId);
    });
    assert.deepEqual(problems, []);
  });

  it("stores the hash the application checks, for any text and several rows at once", async () => {
    // The database chains the rows (hearth_chain_audit, migration 0037); `verify` recomputes each hash in JavaScript.
    const problems = await withDb(async (database) => {
      await database.unsafeOwnerDb.transaction().execute((trx) =>
        appendAudits(trx, [
          {
            partnershipId,
            actor: null,
            action: "amend",
            recordType: "person",
            recordId: 'Siân "Ffion" O\'Brien \\ 😀\n',
            reason: "Gwenllïan — ‘quoted’ \u2028 line",
            details: { z: [1, 2.5, true, null], a: { é: "ü", nested: { b: -0.25, a: "\t" } } },
          },
          { partnershipId, actor: null, action: "view", recordType: "person", recordId: "second" },
          { partnershipId, actor: null, action: "search", recordType: "person", recordId: "third" },
        ]),
      );
      const report = await unsafeVerifyAuditChains(database.unsafeOwnerDb);
      return report.problems.filter((p) => p.partnershipId === partnershipId);
    });
    assert.deepEqual(problems, []);
    const { code, output } = await verify();
    assert.equal(code, 0, output);
  });

  it("reports the exact row after one is altered, and is intact again once it is put back", async () => {
    const original = await withDb((database) =>
      database.unsafeOwnerDb
        .selectFrom("audit_log")
        .select("action")
        .where("partnership_id", "=", partnershipId)
        .where("seq", "=", 3)
        .executeTakeFirstOrThrow(),
    );
    await tamper(
      `update audit_log set action = 'nothing-to-see' where partnership_id = '${partnershipId}' and seq = 3`,
    );
    const { code, output } = await verify();
    assert.equal(code, 1);
    assert.match(output, new RegExp(`partnership ${partnershipId}, row 3: row 3 has been altered`));
    await tamper(
      `update audit_log set action = '${original.action}' where partnership_id = '${partnershipId}' and seq = 3`,
    );
    assert.equal((await verify()).code, 0);
  });

  it("reports audit rows committed outside the chain, and is intact again once they are gone", async () => {
    // Rows left in audit_pending at commit were never chained (its trigger disabled, or data loaded
    // around it): walking the chain alone cannot see them, so verify lists them apart.
    await withDb((database) =>
      database.unsafeOwnerDb.transaction().execute(async (trx) => {
        await sql`alter table audit_pending disable trigger audit_pending_chained_at_commit`.execute(trx);
        await sql`insert into audit_pending (partnership_id, rows)
          values (${partnershipId}, '[]'::jsonb), (${partnershipId}, '[]'::jsonb)`.execute(trx);
        await sql`alter table audit_pending enable trigger audit_pending_chained_at_commit`.execute(trx);
      }),
    );
    const { code, output } = await verify();
    assert.equal(code, 1, output);
    assert.match(
      output,
      new RegExp(
        `partnership ${partnershipId}: 2 committed batch\\(es\\) of audit rows are not in the chain`,
      ),
    );
    await withDb((database) =>
      sql`delete from audit_pending where partnership_id = ${partnershipId}`.execute(database.unsafeOwnerDb),
    );
    assert.equal((await verify()).code, 0);
  });

  it("reports a removed row", async () => {
    const rows = await withDb((database) =>
      database.unsafeOwnerDb
        .selectFrom("audit_log")
        .selectAll()
        .where("partnership_id", "=", partnershipId)
        .where("seq", "=", 4)
        .execute(),
    );
    await tamper(`delete from audit_log where partnership_id = '${partnershipId}' and seq = 4`);
    const { code, output } = await verify();
    assert.equal(code, 1);
    assert.match(output, new RegExp(`partnership ${partnershipId}, row 4: row 4 is missing \\(removed\\)`));
    // Put it back so the shared test database stays intact for later runs.
    await withDb(async (database) => {
      await database.unsafeOwnerDb.transaction().execute(async (trx) => {
        await sql`alter table audit_log disable trigger audit_log_append_only`.execute(trx);
        for (const row of rows) {
          await trx
            .insertInto("audit_log")
            .values({
              ...row,
              occurred_at: row.occurred_at.toISOString(),
              details: JSON.stringify(row.details),
            })
            .execute();
        }
        await sql`alter table audit_log enable trigger audit_log_append_only`.execute(trx);
      });
    });
    assert.equal((await verify()).code, 0);
  });
});
