// SPDX-License-Identifier: MIT
/** `hearth cin export|import|annex-a`: the CIN census return and Ofsted's Annex A lists. */
import { readFile, writeFile } from "node:fs/promises";
import cliProgress from "cli-progress";
import { todayInEngland } from "../kernel/calendar.ts";
import { annexALists, annexAWorkbook, exportCinCensus, importCinCensus } from "../pathways/cin-census.ts";
import { choosePartnership, withDatabase } from "./open.ts";

// Each command sets the exit code after the database has closed: closing the embedded database resets it.

export const cinExportCommand = async (options: {
  year: string;
  partnership?: string;
  out?: string;
  allowErrors?: boolean;
}) => {
  const year = Number.parseInt(options.year, 10);
  if (!Number.isInteger(year) || year < 2000 || year > 2100) {
    console.error("--year must be the census year, e.g. 2025 for April 2024 to March 2025");
    process.exitCode = 2;
    return;
  }
  process.exitCode = await withDatabase(async (database) => {
    const partnershipId = await choosePartnership(database, options.partnership, { orName: false });
    const result = await exportCinCensus(database.unsafeOwnerDb, { partnershipId, year });
    const errors = result.findings.filter((f) => !f.query);
    const queries = result.findings.filter((f) => f.query);
    for (const p of result.xsdProblems) console.error(`XSD${p.line ? ` line ${p.line}` : ""}: ${p.message}`);
    for (const f of result.findings)
      console.error(
        `child ${f.laChildId}: ${f.code}${f.query ? " (query)" : ""}: ${f.message}${f.detail ? ` (${f.detail})` : ""}`,
      );
    if (result.xsdProblems.length > 0 || (errors.length > 0 && !options.allowErrors)) {
      console.error(
        `Not written: ${result.xsdProblems.length} schema problems and ${errors.length} rule errors to fix first.`,
      );
      return 1;
    }
    const out = options.out ?? `cin-census-${year}.xml`;
    await writeFile(out, result.xml, "utf8");
    console.log(
      `Wrote ${out}: ${result.data.children.length} children, ${result.data.children.reduce((n, c) => n + c.episodes.length, 0)} episodes; ${errors.length > 0 ? `${errors.length} rule errors written anyway (--allow-errors)` : "valid against the XSD and the rules"} (${queries.length} queries to explain).`,
    );
    return 0;
  });
};

export const cinImportCommand = async (file: string, options: { partnership?: string; dryRun?: boolean }) => {
  const xml = await readFile(file, "utf8");
  process.exitCode = await withDatabase(async (database) => {
    const partnershipId = await choosePartnership(database, options.partnership, { orName: false });
    console.error(`Checking ${file} against the XSD and DfE's rules...`);
    // Children written so far, on standard error (a line a second when not a terminal).
    const bar = new cliProgress.SingleBar(
      {
        format: "Loading {bar} {percentage}% | {value}/{total} children",
        stream: process.stderr,
        noTTYOutput: true,
        notTTYSchedule: 1000,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    const result = await importCinCensus(database.unsafeOwnerDb, {
      partnershipId,
      xml,
      dryRun: options.dryRun === true,
      onProgress: (done, total) => {
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      },
    }).finally(() => {
      if (started) bar.stop();
    });
    if (!result.ok) {
      console.error(`Refused: nothing was loaded from ${file}. Reasons:`);
      for (const reason of result.reasons) console.error(`  ${reason}`);
      return 1;
    }
    if (options.dryRun) {
      console.log(
        `Valid: ${file} passes the XSD and DfE's error rules (${result.children} children); nothing loaded.`,
      );
      return 0;
    }
    console.log(
      `Loaded ${file}: ${result.children} children (${result.peopleAdded} new records), ${result.episodes} episodes, ${result.events} events.`,
    );
    return 0;
  });
};

export const annexACommand = async (options: { date?: string; partnership?: string; out?: string }) => {
  const on = options.date ?? todayInEngland();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(on)) {
    console.error("--date must be an ISO date, e.g. 2025-06-01");
    process.exitCode = 2;
    return;
  }
  await withDatabase(async (database) => {
    const partnershipId = await choosePartnership(database, options.partnership, { orName: false });
    const lists = await annexALists(database.unsafeOwnerDb, { partnershipId, on });
    const out = options.out ?? `annex-a-${on}.xlsx`;
    await writeFile(out, await annexAWorkbook(lists));
    console.log(`Wrote ${out}: ${lists.map((l) => `${l.name} (${l.rows.length})`).join(", ")}`);
  });
};
