// SPDX-License-Identifier: MIT
/**
 * The demo's agency data (issue 13 item 5): the generated partnership's feed files (./feeds.ts),
 * deterministic from the seed, imported through the same path as `hearth import` (prepare, then process
 * in committed batches, signals evaluated per family), so the demo shows finished imports, weak matches
 * waiting for a person, rejects with their row numbers, and the signals the imported entries fire.
 * The files are written to a temporary folder and removed afterwards: the database keeps every row's fate.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HearthDatabase } from "../db/database.ts";
import { type ImportSummary, prepareImport, processImport } from "../imports/engine.ts";
import { type FeedFile, generateFeeds } from "./feeds.ts";

/**
 * Rows committed together. A feed names each child in many rows (attendance comes a half term at a time),
 * and the signal rules run once per batch for each family with new entries, so the demo's files, a few
 * thousand rows, go in one batch each: the same path `hearth import --batch-size` takes.
 */
const DEMO_BATCH_ROWS = 5000;

export type ImportedFeed = { feed: FeedFile; summary: ImportSummary };

/**
 * Generates the partnership's feed files and imports each as its agency's, as the system (no user).
 * @param options.referenceDate - The day the feeds run up to: the demo's own reference date, so the
 *   appointments and notifications fall inside the rules' windows.
 * @param options.onFile - Told each file as its import finishes.
 */
export const importDemoFeeds = async (
  database: HearthDatabase,
  options: {
    partnershipId: string;
    seed: string;
    referenceDate: string;
    onFile?: (imported: ImportedFeed) => void;
  },
): Promise<ImportedFeed[]> => {
  const folder = await mkdtemp(join(tmpdir(), "hearth-demo-feeds-"));
  try {
    const feeds = await generateFeeds(database, folder, {
      partnershipId: options.partnershipId,
      seed: options.seed,
      referenceDate: options.referenceDate,
    });
    const agencies = await database.unsafeOwnerDb
      .selectFrom("agencies")
      .select(["agency_id", "name"])
      .where("partnership_id", "=", options.partnershipId)
      .execute();
    const imported: ImportedFeed[] = [];
    for (const feed of feeds) {
      const agency = agencies.find((a) => a.name === feed.agency);
      if (!agency) throw new Error(`The feed ${feed.file} names an agency the partnership lacks`);
      const content = await readFile(join(folder, feed.file), "utf8");
      const prepared = await prepareImport(database, {
        partnershipId: options.partnershipId,
        agencyId: agency.agency_id,
        format: feed.format,
        fileName: feed.file,
        content,
        actor: null,
      });
      const summary = await processImport(database, {
        partnershipId: options.partnershipId,
        importId: prepared.importId,
        content,
        actor: null,
        batchSize: DEMO_BATCH_ROWS,
      });
      const done = { feed, summary };
      imported.push(done);
      options.onFile?.(done);
    }
    return imported;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
};
