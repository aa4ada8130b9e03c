// SPDX-License-Identifier: MIT
/** `hearth benchmarks import|authority`: load the published DfE files; set a partnership's authorities. */
import cliProgress from "cli-progress";
import { withDatabase } from "../cli/open.ts";
import { importBenchmarks } from "./benchmarks-import.ts";

/** Loads the DfE files in a folder, showing progress. */
export const benchmarksImportCommand = async (folder: string) => {
  await withDatabase(async (database) => {
    const bar = new cliProgress.SingleBar(
      {
        format: "Importing {bar} {percentage}% | {value}/{total} rows | {step}",
        stream: process.stderr,
        noTTYOutput: true,
        notTTYSchedule: 1000,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(1, 0, { step: "reading" });
    try {
      const summary = await importBenchmarks(database.unsafeOwnerDb, folder, (step, done, total) => {
        bar.setTotal(Math.max(total, 1));
        bar.update(done, { step });
      });
      bar.stop();
      console.log(
        `Imported ${summary.valueRows} figures (${summary.suppressedRows} suppressed or missing, kept as unknown) for ${summary.areas} areas, and ${summary.neighbours} statistical-neighbour links, from ${summary.files.length} files.`,
      );
    } finally {
      bar.stop();
    }
  });
};

/** Sets the local authority codes (old_la_code, e.g. 852) a partnership is benchmarked as. */
export const benchmarksAuthorityCommand = async (codes: string[], options: { partnership?: string }) => {
  if (codes.length === 0 || codes.some((c) => !/^\d{3}$/.test(c))) {
    console.error("Give one or more three-digit DfE authority codes, e.g. 852 for Southampton");
    process.exitCode = 2;
    return;
  }
  await withDatabase(async (database) => {
    const all = await database.unsafeOwnerDb
      .selectFrom("partnerships")
      .select(["partnership_id", "name"])
      .execute();
    const chosen = options.partnership ? all.find((p) => p.partnership_id === options.partnership) : all[0];
    if (!chosen || (!options.partnership && all.length > 1)) {
      console.error(
        `Name the partnership with --partnership: ${all.map((p) => `${p.partnership_id} (${p.name})`).join(", ")}`,
      );
      process.exitCode = 2;
      return;
    }
    await database.unsafeOwnerDb
      .updateTable("partnerships")
      .set({ local_authority_codes: codes })
      .where("partnership_id", "=", chosen.partnership_id)
      .execute();
    console.log(`${chosen.name} is now benchmarked as authority ${codes.join(" and ")}.`);
  });
};
