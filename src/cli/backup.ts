// SPDX-License-Identifier: MIT
/** `hearth backup FILE` and `hearth restore FILE` for the embedded database (see src/ops/backup.ts). */
import { chainFailures, chainsHold } from "../audit/audit-log.ts";
import { readConfig } from "../config/config.ts";
import { BackupRefused, backupEmbedded, restoreEmbedded } from "../ops/backup.ts";

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

const refusedOr = (error: unknown): never => {
  if (error instanceof BackupRefused) {
    console.error(error.message);
    process.exitCode = 1;
    return undefined as never;
  }
  throw error;
};

export const backupCommand = async (file: string) => {
  try {
    const result = await backupEmbedded(readConfig().database, file);
    console.log(
      `Backup written to ${file}: ${(result.bytes / 1_048_576).toFixed(1)} MB, ${total(result.counts)} rows in ${Object.keys(result.counts).length} tables, people ${result.counts.people ?? 0}, audit rows ${result.counts.audit_log ?? 0}.`,
    );
    console.log("It holds personal data: keep it encrypted and access-controlled, as the live database is.");
  } catch (error) {
    refusedOr(error);
  }
};

export const restoreCommand = async (file: string) => {
  try {
    const config = readConfig();
    console.log(
      `Restoring ${file} into ${config.database.engine === "pglite" ? config.database.dataDir : "?"}...`,
    );
    const result = await restoreEmbedded(config.database, file);
    if (!chainsHold(result.chains)) {
      console.error("Restored, but the audit chain is BROKEN:");
      for (const line of chainFailures(result.chains)) console.error(`  ${line}`);
      console.error("Do not use this copy. Keep the backup file for investigation.");
      process.exitCode = 1;
      return;
    }
    console.log(
      `Done: ${total(result.counts)} rows in ${Object.keys(result.counts).length} tables; audit chain verified (${result.chains.rows} rows in ${result.chains.partnerships} partnership(s)).`,
    );
  } catch (error) {
    refusedOr(error);
  }
};
