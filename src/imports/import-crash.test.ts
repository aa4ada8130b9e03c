// SPDX-License-Identifier: MIT
/**
 * A crash halfway through an import: `hearth import` runs as a child process against a PGlite data
 * folder (or the test PostgreSQL database), is killed with SIGKILL once its progress passes half the
 * rows, and is run again. The import ends with exactly the rows of a clean run of the same file: each
 * row once, with the same fate and person, and one chronology entry per matched row.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { DatabaseTarget } from "../config/config.ts";
import { type HearthDatabase, openDatabase } from "../db/database.ts";
import { generateFeeds } from "../generator/feeds.ts";
import { onKey } from "../kernel/sql.ts";
import { createTestPartnership, testDatabaseTarget, testPgliteImage } from "../test-support/harness.ts";

const BIN = fileURLToPath(new URL("../../bin/hearth.js", import.meta.url));

type Outcome = {
  code: number | null;
  signal: NodeJS.Signals | null;
  killedAt: number | null;
  output: string;
};

/** Runs the CLI; with `killAtHalf`, sends SIGKILL when a progress line passes half the rows. */
const runCli = (args: string[], env: NodeJS.ProcessEnv, killAtHalf = false): Promise<Outcome> =>
  new Promise((resolve, reject) => {
    const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
    for (const [key, value] of Object.entries(merged))
      if (value === undefined || value === "") delete merged[key];
    const child = spawn(process.execPath, [BIN, ...args], { env: merged });
    let output = "";
    let killedAt: number | null = null;
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (!killAtHalf || killedAt !== null) return;
      for (const match of output.matchAll(/progress (\d+)\/(\d+)/g)) {
        const done = Number(match[1]);
        const total = Number(match[2]);
        if (total > 0 && done * 2 >= total && done < total) {
          killedAt = done;
          child.kill("SIGKILL");
          break;
        }
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, killedAt, output }));
  });

describe("an import killed with SIGKILL halfway and run again", () => {
  const target = testDatabaseTarget();
  let folder: string;
  let dbTarget: DatabaseTarget;
  let env: NodeJS.ProcessEnv;
  let partnershipId: string;
  let feed: string;
  let schools: { agency_id: string; name: string }[];

  /** Opens the database the CLI uses (PGlite: only while the CLI is not running). */
  const withDb = async <T>(work: (db: HearthDatabase) => Promise<T>): Promise<T> => {
    const db = await openDatabase(dbTarget, { pgliteImage: undefined });
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  };

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), "hearth-import-crash-"));
    if (target.engine === "postgres") {
      dbTarget = target;
      env = { DATABASE_URL: target.connectionString, HEARTH_DATA_DIR: "" };
    } else {
      dbTarget = { engine: "pglite", dataDir: join(folder, "data") };
      env = { HEARTH_DATA_DIR: join(folder, "data"), DATABASE_URL: "" };
    }
    const db = await openDatabase(dbTarget, {
      pgliteImage: target.engine === "pglite" ? testPgliteImage() : undefined,
    });
    try {
      const partnership = await createTestPartnership(db, 120);
      partnershipId = partnership.partnershipId;
      const files = await generateFeeds(db, join(folder, "feeds"), {
        partnershipId,
        seed: `crash-${partnershipId}`,
        referenceDate: "2026-04-01",
      });
      const biggest = files
        .filter((f) => f.format === "attendance")
        .sort((a, b) => b.rows - a.rows || a.file.localeCompare(b.file))[0];
      assert.ok(biggest && biggest.rows >= 40, "the feeds include an attendance file of some size");
      feed = join(folder, "feeds", biggest.file);
      schools = await db.unsafeOwnerDb
        .selectFrom("agencies")
        .select(["agency_id", "name"])
        .where("partnership_id", "=", partnershipId)
        .where("agency_type", "=", "education")
        .orderBy("name")
        .execute();
    } finally {
      await db.close();
    }
  });
  after(() => rm(folder, { recursive: true, force: true }));

  it("ends with exactly the rows and entries of a clean run", { timeout: 300_000 }, async () => {
    const [crashing, clean] = schools;
    assert.ok(crashing && clean, "two schools");
    const content = await readFile(feed, "utf8");
    const common = ["--partnership", partnershipId, "--progress-lines", "--batch-size", "5"];
    const killed = await runCli(
      ["import", "attendance", feed, "--agency", crashing.agency_id, ...common],
      env,
      true,
    );
    assert.equal(killed.signal, "SIGKILL", `the run was killed:\n${killed.output}`);
    assert.ok(killed.killedAt !== null);

    const halfway = await withDb((db) =>
      db.unsafeOwnerDb
        .selectFrom("agency_imports")
        .select(["import_id", "next_row", "total_rows", "finished_at"])
        .where("partnership_id", "=", partnershipId)
        .where("agency_id", "=", crashing.agency_id)
        .executeTakeFirstOrThrow(),
    );
    assert.equal(halfway.finished_at, null, "the killed run did not finish");
    assert.ok(halfway.next_row > 0 && halfway.next_row < (halfway.total_rows ?? 0), "it stopped partway");

    const resumed = await runCli(
      ["import", "attendance", feed, "--agency", crashing.agency_id, ...common],
      env,
    );
    assert.equal(resumed.code, 0, resumed.output);
    assert.match(resumed.output, /Resuming import/);
    const cleanRun = await runCli(
      ["import", "attendance", feed, "--agency", clean.agency_id, ...common],
      env,
    );
    assert.equal(cleanRun.code, 0, cleanRun.output);

    await withDb(async (db) => {
      const rowsOf = async (agencyId: string) => {
        const imports = await db.unsafeOwnerDb
          .selectFrom("agency_imports")
          .select(["import_id", "total_rows", "finished_at"])
          .where("partnership_id", "=", partnershipId)
          .where("agency_id", "=", agencyId)
          .execute();
        assert.equal(imports.length, 1, "one import per agency: the re-run resumed the killed one");
        const [imp] = imports;
        assert.ok(imp?.finished_at, "finished");
        const rows = await db.unsafeOwnerDb
          .selectFrom("import_rows as r")
          .leftJoin("chronology_events as e", (join) => onKey(join, "e.event_id", "r.event_id"))
          .select(["r.row_number", "r.fate", "r.person_id", "e.event_type", "e.import_id"])
          .where("r.partnership_id", "=", partnershipId)
          .where("r.import_id", "=", imp.import_id)
          .orderBy("r.row_number")
          .execute();
        const entries = await db.unsafeOwnerDb
          .selectFrom("chronology_events")
          .select(["event_id"])
          .where("partnership_id", "=", partnershipId)
          .where("import_id", "=", imp.import_id)
          .execute();
        return { total: imp.total_rows, rows, entries: entries.length };
      };
      const afterCrash = await rowsOf(crashing.agency_id);
      const afterClean = await rowsOf(clean.agency_id);
      assert.equal(afterCrash.rows.length, afterCrash.total, "every row has exactly one fate");
      assert.deepEqual(
        afterCrash.rows.map((r) => [r.row_number, r.fate, r.person_id, r.event_type]),
        afterClean.rows.map((r) => [r.row_number, r.fate, r.person_id, r.event_type]),
      );
      assert.equal(afterCrash.entries, afterCrash.rows.filter((r) => r.fate === "entry-created").length);
      assert.equal(afterCrash.entries, afterClean.entries);
      assert.ok(afterCrash.entries > 0, "the file had rows to record");
    });
    assert.ok(content.length > 0);
  });
});
