// SPDX-License-Identifier: MIT
/** `hearth import <format> FILE --agency <agency>`: an agency's file into the chronology, with progress. */
import { readFile, writeFile } from "node:fs/promises";
import { basename } from "node:path";
import cliProgress from "cli-progress";
import type { HearthDatabase } from "../db/database.ts";
import { IMPORT_FORMAT_CODES, isImportFormat } from "../imports/codes.ts";
import { FileRefused, prepareImport, processImport, rejectsCsv } from "../imports/engine.ts";
import { choosePartnership, withDatabase } from "./open.ts";

/** An agency's short code: its name in lower case with hyphens ("Community Health NHS Trust" -> community-health-nhs-trust). */
export const agencyCode = (name: string): string =>
  name
    .toLowerCase()
    .replace(/['’]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** The agency by id, name or code. */
const chooseAgency = async (database: HearthDatabase, partnershipId: string, named: string) => {
  const agencies = await database.unsafeOwnerDb
    .selectFrom("agencies")
    .select(["agency_id", "name"])
    .where("partnership_id", "=", partnershipId)
    .where("deactivated_at", "is", null)
    .execute();
  const found = agencies.find(
    (a) =>
      a.agency_id === named || a.name.toLowerCase() === named.toLowerCase() || agencyCode(a.name) === named,
  );
  if (!found)
    throw new Error(
      `No agency "${named}" in this partnership. Agencies (code: name): ${agencies
        .map((a) => `${agencyCode(a.name)}: ${a.name}`)
        .join("; ")}`,
    );
  return found;
};

export const importCommand = async (
  format: string,
  file: string,
  options: {
    agency: string;
    partnership?: string;
    rejects?: string;
    batchSize?: string;
    progressLines?: boolean;
  },
) => {
  if (!isImportFormat(format)) {
    console.error(`Unknown format "${format}": use one of ${IMPORT_FORMAT_CODES.join(", ")}`);
    process.exitCode = 2;
    return;
  }
  const batchSize = Number(options.batchSize ?? "500");
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    console.error("--batch-size must be a whole number from 1 to 10000");
    process.exitCode = 2;
    return;
  }
  const content = await readFile(file, "utf8");
  process.exitCode = await withDatabase(async (database) => {
    const partnershipId = await choosePartnership(database, options.partnership, { orName: true });
    const agency = await chooseAgency(database, partnershipId, options.agency);
    const actor = null;
    let prepared: Awaited<ReturnType<typeof prepareImport>>;
    try {
      prepared = await prepareImport(database, {
        partnershipId,
        agencyId: agency.agency_id,
        format,
        fileName: basename(file),
        content,
        actor,
      });
    } catch (error) {
      if (error instanceof FileRefused) {
        console.error(`Refused: nothing was imported from ${file}. ${error.message}`);
        return 1;
      }
      throw error;
    }
    console.log(
      prepared.resumed
        ? `Resuming import ${prepared.importId} of ${file} for ${agency.name} at row ${prepared.nextRow + 1} of ${prepared.total}.`
        : `Importing ${file} for ${agency.name}: ${prepared.total} rows (import ${prepared.importId}).`,
    );
    const bar = new cliProgress.SingleBar(
      {
        format: "Importing {bar} {percentage}% | {value}/{total} rows",
        stream: process.stderr,
        noTTYOutput: !options.progressLines,
        notTTYSchedule: 1000,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(prepared.total, prepared.nextRow);
    let summary: Awaited<ReturnType<typeof processImport>>;
    try {
      summary = await processImport(database, {
        partnershipId,
        importId: prepared.importId,
        content,
        actor,
        batchSize,
        onProgress: (done, total) => {
          bar.setTotal(total);
          bar.update(done);
          if (options.progressLines) console.log(`progress ${done}/${total}`);
        },
      });
    } finally {
      bar.stop();
    }
    const c = summary.counts;
    console.log(
      `Done: ${summary.total} rows. ${c["entry-created"]} chronology entries added, ${c["no-entry"]} matched with nothing to record, ${c.review} waiting for review, ${c.unmatched} matching nobody, ${c.rejected} rejected, ${c.duplicate} duplicates.`,
    );
    const rejects = options.rejects ?? `${file}.rejects.csv`;
    await writeFile(rejects, await rejectsCsv(database, partnershipId, prepared.importId), "utf8");
    console.log(`Rows not imported, with their row numbers and reasons: ${rejects}`);
    if (c.review > 0)
      console.log(
        `Matches to review: sign in as ${agency.name}'s staff or a safeguarding lead and open /imports/${prepared.importId}/review`,
      );
    return 0;
  });
};

/** `hearth mapping show|save`: an agency's saved mapping for a format, and a new version of it. */
export const mappingCommand = async (
  action: "show" | "save",
  format: string,
  file: string | undefined,
  options: { agency: string; partnership?: string; reason?: string },
) => {
  if (!isImportFormat(format)) {
    console.error(`Unknown format "${format}": use one of ${IMPORT_FORMAT_CODES.join(", ")}`);
    process.exitCode = 2;
    return;
  }
  const { currentMapping, saveMapping } = await import("../imports/engine.ts");
  const { readMapping } = await import("../imports/formats.ts");
  let mapping: ReturnType<typeof readMapping> | undefined;
  if (action === "save") {
    if (!file || !options.reason?.trim()) {
      console.error("Give the mapping's JSON file and --reason (why it changes)");
      process.exitCode = 2;
      return;
    }
    mapping = readMapping(await readFile(file, "utf8"));
    if (!mapping.ok) {
      console.error(`Refused: ${mapping.message}. Nothing was saved.`);
      process.exitCode = 1;
      return;
    }
  }
  process.exitCode = await withDatabase(async (database) => {
    const partnershipId = await choosePartnership(database, options.partnership, { orName: true });
    const agency = await chooseAgency(database, partnershipId, options.agency);
    if (mapping?.ok) {
      const version = await saveMapping(database, {
        partnershipId,
        agencyId: agency.agency_id,
        format,
        mapping: mapping.value,
        reason: options.reason ?? "",
        actor: null,
      });
      console.log(`Saved version ${version} of ${agency.name}'s ${format} mapping; later imports use it.`);
      return 0;
    }
    const { withPartnershipScope } = await import("../db/database.ts");
    const current = await withPartnershipScope(database, partnershipId, (trx) =>
      currentMapping(trx, partnershipId, agency.agency_id, format, null),
    );
    console.log(`${agency.name}'s ${format} mapping, version ${current.version}:`);
    console.log(JSON.stringify(current.mapping, null, 2));
    return 0;
  });
};
