// SPDX-License-Identifier: MIT
/**
 * A database of its own for a test that runs Hearth as separate processes and kills them
 * (src/ops/kill-writes.test.ts, src/ops/two-servers.test.ts): on the PostgreSQL server of
 * HEARTH_TEST_DATABASE_URL a fresh database (the suites' shared one must not see a killed server's
 * half-finished work or its audit rows), dropped afterwards; otherwise an embedded database in a fresh
 * temporary folder, as `hearth serve` keeps it in ./data, removed afterwards. Migrated, with a small
 * generated partnership.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { DatabaseTarget } from "../config/config.ts";
import { openDatabase } from "../db/database.ts";
import { type GeneratedPartnership, generatePartnership } from "../generator/generate-partnership.ts";
import { chooseUsers, type SimulatedUser } from "./choose-users.ts";
import { testPgliteImage } from "./harness.ts";

export type ProcessDatabase = {
  target: DatabaseTarget;
  /** The environment `hearth serve` and `hearth audit verify` need for this database. */
  env: NodeJS.ProcessEnv;
  partnership: GeneratedPartnership;
  users: SimulatedUser[];
  drop: () => Promise<void>;
};

/**
 * @param name - A short plain name for the database or folder, e.g. "kill".
 * @param users - How many members of staff to pick ({@link chooseUsers}).
 */
export const processDatabase = async (
  name: string,
  users: number,
  options: { engine: "postgres" | "pglite"; children?: number },
): Promise<ProcessDatabase> => {
  const { DATABASE_URL: _, HEARTH_DATA_DIR: __, ...inherited } = process.env;
  let target: DatabaseTarget;
  let env: NodeJS.ProcessEnv;
  let drop: () => Promise<void>;
  if (options.engine === "postgres") {
    const shared = process.env.HEARTH_TEST_DATABASE_URL;
    if (!shared) throw new Error("HEARTH_TEST_DATABASE_URL is not set");
    const database = `hearth_test_${name}_${Date.now()}_${process.pid}`;
    const admin = new pg.Client({ connectionString: shared });
    await admin.connect();
    await admin.query(`create database ${database}`);
    const url = new URL(shared);
    url.pathname = `/${database}`;
    target = { engine: "postgres", connectionString: url.toString() };
    env = { ...inherited, DATABASE_URL: url.toString() };
    drop = async () => {
      // Wait (up to 10 s) for closed pools' connections to go before forcing the drop.
      for (let waited = 0; waited < 10_000; waited += 100) {
        const open = await admin.query("select count(*)::int as n from pg_stat_activity where datname = $1", [
          database,
        ]);
        if (open.rows[0]?.n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await admin.query(`drop database if exists ${database} with (force)`);
      await admin.end();
    };
  } else {
    const folder = mkdtempSync(join(tmpdir(), `hearth-${name}-`));
    const dataDir = join(folder, "data");
    target = { engine: "pglite", dataDir };
    env = { ...inherited, HEARTH_DATA_DIR: dataDir };
    drop = async () => rmSync(folder, { recursive: true, force: true });
  }
  try {
    const database = await openDatabase(target, { pgliteImage: testPgliteImage() });
    try {
      const partnership = await generatePartnership(database, {
        seed: `${name}-test`,
        children: options.children ?? 30,
        name: "Process Test",
      });
      const chosen = await chooseUsers(database, partnership.partnershipId, users);
      return { target, env, partnership, users: chosen.users, drop };
    } finally {
      await database.close();
    }
  } catch (error) {
    await drop();
    throw error;
  }
};
