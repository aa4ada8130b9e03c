// SPDX-License-Identifier: MIT
/**
 * Opens Hearth's database: embedded PGlite (a data folder, or memory for tests) or a PostgreSQL server,
 * behind the same Kysely interface, and applies the migrations.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { Kysely, Migrator, PostgresDialect, sql, type Transaction } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import { z } from "zod";
import type { DatabaseTarget } from "../config/config.ts";
import { beginWithFirstStatement } from "./begin-with-first-statement.ts";
import { MIGRATIONS } from "./migrations/index.ts";
import { prepareRepeatedStatements } from "./prepared-statements.ts";
import type { HearthSchema } from "./schema.ts";

/** The PostgreSQL role that every request-scoped query runs as; row-level security applies to it. */
export const APP_ROLE = "hearth_app";
/** A partnership id's shape (`z.guid`: any 8-4-4-4-12 hex id, as the generator's are). */
const PARTNERSHIP_ID = z.guid();

const INT8_OID = 20;
/** Calendar dates stay ISO strings (YYYY-MM-DD): a JavaScript Date would shift them by time zone. */
const DATE_OID = 1082;

export type HearthDatabase = {
  engine: DatabaseTarget["engine"];
  /**
   * Runs as the database owner, bypassing row-level security. Only migrations, the CLI and the narrow
   * sign-in look-ups use it; everything else goes through {@link withPartnershipScope}.
   */
  unsafeOwnerDb: Kysely<HearthSchema>;
  /** The embedded engine itself, for `hearth backup` (undefined with PostgreSQL). */
  pglite?: PGlite;
  close: () => Promise<void>;
};

/**
 * Opens the database named by the target and brings its schema up to date.
 * @param target - PGlite folder (undefined for in-memory) or a PostgreSQL connection string.
 * @param options - `pgliteImage`: a data folder saved by {@link migratedPgliteImage} to start an empty
 *   PGlite from, so initdb and the migrations already applied in it do not run again (tests use this).
 * @returns The open database.
 */
export const openDatabase = async (
  target: DatabaseTarget,
  options: { pgliteImage?: Blob | undefined; migrate?: boolean } = {},
): Promise<HearthDatabase> => {
  // `migrate: false` (hearth doctor) opens the database as it is, to report whether it is up to date.
  const applyMigrations = options.migrate ?? true;
  let db: Kysely<HearthSchema>;
  if (target.engine === "postgres") {
    // Each engine's driver loads only when used: a CLI command should not pay for both.
    const { default: pg } = await import("pg");
    // Counts and sequence numbers are bigint; as JavaScript numbers they are exact up to 2^53.
    pg.types.setTypeParser(INT8_OID, (value: string) => Number(value));
    pg.types.setTypeParser(DATE_OID, (value: string) => value);
    const pool = new pg.Pool({ connectionString: target.connectionString, max: 10 });
    pool.on("connect", (client) => {
      prepareRepeatedStatements(client);
      beginWithFirstStatement(client);
    });
    db = new Kysely<HearthSchema>({ dialect: new PostgresDialect({ pool }) });
  } else {
    const releaseLock = target.dataDir ? lockDataDir(target.dataDir) : () => {};
    const client = await createPglite(target.dataDir, options.pgliteImage);
    db = new Kysely<HearthSchema>({ dialect: new PGliteDialect(client) });
    const pgliteDb = db;
    if (applyMigrations) await migrate(db);
    return {
      engine: target.engine,
      unsafeOwnerDb: db,
      pglite: client,
      close: async () => {
        await pgliteDb.destroy();
        releaseLock();
      },
    };
  }
  if (applyMigrations) await migrate(db);
  return { engine: target.engine, unsafeOwnerDb: db, close: () => db.destroy() };
};

const createPglite = async (dataDir: string | undefined, image: Blob | undefined): Promise<PGlite> => {
  const [{ PGlite }, { pg_trgm }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("@electric-sql/pglite/contrib/pg_trgm"),
  ]);
  return PGlite.create(dataDir ?? "memory://", {
    parsers: { [INT8_OID]: (value: string) => Number(value), [DATE_OID]: (value: string) => value },
    extensions: { pg_trgm },
    ...(image ? { loadDataDir: image } : {}),
  });
};

/**
 * A fresh in-memory PGlite with every migration applied, saved as a data folder image (an uncompressed
 * tarball) for {@link openDatabase}'s `pgliteImage`. Roles and extensions the migrations create are in it.
 * @returns The image's bytes.
 */
export const migratedPgliteImage = async (): Promise<Uint8Array<ArrayBuffer>> => {
  const client = await createPglite(undefined, undefined);
  const db = new Kysely<HearthSchema>({ dialect: new PGliteDialect(client) });
  try {
    await migrate(db);
    const image = await client.dumpDataDir("none");
    return new Uint8Array(await image.arrayBuffer());
  } finally {
    await db.destroy();
  }
};

/**
 * PGlite is one process's database: a second process opening the same folder would corrupt it. A lock
 * file with the owner's process id refuses that with a message, and is taken over if its owner has died.
 * @returns A function that releases the lock.
 */
const lockDataDir = (dataDir: string): (() => void) => {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = join(dataDir, "hearth.pid");
  if (existsSync(lockFile)) {
    const owner = Number.parseInt(readFileSync(lockFile, "utf8"), 10);
    if (owner !== process.pid && isRunning(owner)) {
      throw new Error(
        `The embedded database in ${dataDir} is in use by Hearth process ${owner}. Stop that process first, or use a PostgreSQL server (DATABASE_URL) to share one database between processes.`,
      );
    }
  }
  writeFileSync(lockFile, String(process.pid));
  return () => rmSync(lockFile, { force: true });
};

const isRunning = (pid: number): boolean => {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Whether every migration has already run: one query, so opening an up-to-date database (every CLI
 * command) skips the migrator, which takes its lock table and reads the whole list each time.
 */
export const migrationsUpToDate = async (db: Kysely<HearthSchema>): Promise<boolean> => {
  const present = await sql<{
    present: boolean;
  }>`select to_regclass('hearth_migrations') is not null as present`.execute(db);
  if (!present.rows[0]?.present) return false;
  const done = await sql<{ name: string }>`select name from hearth_migrations`.execute(db);
  const names = new Set(done.rows.map((r) => r.name));
  const expected = Object.keys(MIGRATIONS);
  // A name the code does not know goes to the migrator, which refuses it with its own message.
  return names.size === expected.length && expected.every((name) => names.has(name));
};

const migrate = async (db: Kysely<HearthSchema>): Promise<void> => {
  if (await migrationsUpToDate(db)) return;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: "hearth_migrations",
    migrationLockTableName: "hearth_migrations_lock",
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === "Error");
  if (error || failed) {
    throw new Error(`Migration ${failed?.migrationName ?? ""} failed: ${String(error)}`);
  }
};

/**
 * Runs `work` in one transaction as the application role with the partnership set, so row-level security
 * confines every statement to that partnership. An undefined partnership sees and changes nothing.
 * @param database - The open database.
 * @param partnershipId - The caller's partnership, or undefined when there is no context.
 * @param work - The statements to run; audit rows written here commit or roll back with them.
 * @returns Whatever `work` returns.
 */
export const withPartnershipScope = <T>(
  database: HearthDatabase,
  partnershipId: string | undefined,
  work: (trx: Transaction<HearthSchema>) => Promise<T>,
): Promise<T> =>
  database.unsafeOwnerDb.transaction().execute(async (trx) => {
    await enterPartnershipScope(trx, partnershipId);
    return work(trx);
  });

/**
 * Makes an open transaction run as the application role, confined to the partnership, until it ends.
 * @param trx - A transaction just begun.
 * @param partnershipId - The caller's partnership; undefined sees and changes nothing.
 */
export const enterPartnershipScope = async (
  trx: Transaction<HearthSchema>,
  partnershipId: string | undefined,
): Promise<void> => {
  // One statement, without parameters, so it travels with the transaction's `begin`
  // (begin-with-first-statement.ts): the role, the partnership (checked to be an id, then a literal) and
  // the settings all end with the transaction. set_config('role', ..., true) is SET LOCAL ROLE (same
  // membership check). JIT is off for these short page queries: the access predicate's recursive merge
  // cluster inflates cost estimates past jit_above_cost, and compiling took 60 to 85 ms of a 10 ms query.
  // Prepared statements keep one generic plan: the pages' values (ids, dates) do not change their best
  // plan, and PostgreSQL's default planned them afresh each time, 1 to 3 ms against under 1 ms executing.
  const partnership = partnershipId ?? "";
  if (partnership !== "" && !PARTNERSHIP_ID.safeParse(partnership).success)
    throw new Error("a partnership id is a uuid");
  await sql`select set_config('role', ${sql.lit(APP_ROLE)}, true), set_config('hearth.partnership_id', ${sql.lit(partnership)}, true), set_config('jit', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true)`.execute(
    trx,
  );
};
