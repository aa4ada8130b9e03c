// SPDX-License-Identifier: MIT
/**
 * Backup and restore of the embedded database (PGlite). A backup is PGlite's own dump of its data folder
 * (a gzipped tarball, `dumpDataDir`), taken with the folder opened by this process alone: the folder's
 * lock refuses it, with a clear message, while Hearth runs on it, so a backup is never a copy of a folder
 * mid-write. A restore loads the tarball into an EMPTY folder (`loadDataDir`) and verifies every
 * partnership's audit chain before it reports success. PostgreSQL is backed up with its own tools
 * (pg_dump, or base backups with WAL archiving for point-in-time recovery): see the README.
 */
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type ChainReport, unsafeVerifyAuditChains } from "../audit/audit-log.ts";
import type { DatabaseTarget } from "../config/config.ts";
import { type HearthDatabase, openDatabase } from "../db/database.ts";

export class BackupRefused extends Error {}

const postgresRefusal = () =>
  new BackupRefused(
    'Hearth is using PostgreSQL (DATABASE_URL): back it up with pg_dump, or with base backups and WAL archiving for point-in-time recovery. See "Backups" in the README.',
  );

/** How many rows each table holds, to report and compare. */
export const tableCounts = async (database: HearthDatabase): Promise<Record<string, number>> => {
  const tables = await database.unsafeOwnerDb
    .selectFrom("pg_catalog.pg_tables" as never)
    .select(["tablename" as never])
    .where("schemaname" as never, "=", "public" as never)
    .execute();
  const counts: Record<string, number> = {};
  for (const { tablename } of tables as { tablename: string }[]) {
    const row = await database.unsafeOwnerDb
      .selectFrom(tablename as never)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    counts[tablename] = Number(row.n);
  }
  return counts;
};

/**
 * Writes a consistent backup of the embedded database to a new file.
 * @returns The file's size in bytes and the rows per table it holds.
 */
export const backupEmbedded = async (
  target: DatabaseTarget,
  file: string,
): Promise<{ bytes: number; counts: Record<string, number> }> => {
  if (target.engine === "postgres") throw postgresRefusal();
  if (!target.dataDir || !existsSync(target.dataDir) || readdirSync(target.dataDir).length === 0)
    throw new BackupRefused(`There is no embedded database in ${target.dataDir ?? "memory"} to back up.`);
  const out = resolve(file);
  if (existsSync(out))
    throw new BackupRefused(`${out} already exists: choose a new file name, so no backup is overwritten.`);
  if (!existsSync(dirname(out))) throw new BackupRefused(`The folder ${dirname(out)} does not exist.`);
  let database: HearthDatabase;
  try {
    // The folder's lock: refused while a Hearth process has it open.
    database = await openDatabase(target, { migrate: false });
  } catch (error) {
    throw new BackupRefused(
      `${(error as Error).message}\nA backup of the embedded database is taken while Hearth is stopped, so it is never a copy of a folder mid-write.`,
    );
  }
  try {
    const counts = await tableCounts(database);
    const dump = await database.pglite?.dumpDataDir("gzip");
    if (!dump) throw new BackupRefused("The embedded database could not be dumped.");
    const bytes = new Uint8Array(await dump.arrayBuffer());
    // Written beside the target and renamed, so a half-written file never carries the backup's name.
    const partial = `${out}.partial`;
    writeFileSync(partial, bytes, { mode: 0o600, flush: true });
    renameSync(partial, out);
    return { bytes: statSync(out).size, counts };
  } finally {
    await database.close();
  }
};

/**
 * Restores a backup into an empty data folder and verifies the audit chains there.
 * @returns The rows per table and the audit chains' report; unless `chainsHold` it, do not use it.
 */
export const restoreEmbedded = async (
  target: DatabaseTarget,
  file: string,
): Promise<{ counts: Record<string, number>; chains: ChainReport }> => {
  if (target.engine === "postgres") throw postgresRefusal();
  if (!target.dataDir) throw new BackupRefused("Set HEARTH_DATA_DIR to the empty folder to restore into.");
  const source = resolve(file);
  if (!existsSync(source)) throw new BackupRefused(`There is no backup file ${source}.`);
  if (existsSync(target.dataDir) && readdirSync(target.dataDir).length > 0)
    throw new BackupRefused(
      `${target.dataDir} is not empty: a backup is restored into an empty folder, so nothing is overwritten. Set HEARTH_DATA_DIR to a new folder.`,
    );
  const image = new Blob([readFileSync(source)]);
  let database: HearthDatabase;
  try {
    database = await openDatabase(target, { pgliteImage: image, migrate: false });
  } catch (error) {
    throw new BackupRefused(`${source} could not be restored: ${(error as Error).message}`);
  }
  try {
    const chains = await unsafeVerifyAuditChains(database.unsafeOwnerDb);
    return { counts: await tableCounts(database), chains };
  } finally {
    await database.close();
  }
};
