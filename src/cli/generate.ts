// SPDX-License-Identifier: MIT
/** `hearth generate`: a synthetic partnership, with a progress bar. */
import cliProgress from "cli-progress";
import { appendAudit } from "../audit/audit-log.ts";
import { withPartnershipScope } from "../db/database.ts";
import { type ImportedFeed, importDemoFeeds } from "../generator/demo-feeds.ts";
import {
  DEMO_PASSWORD,
  type GeneratedPartnership,
  generatePartnership,
} from "../generator/generate-partnership.ts";
import { addSampleAssessments } from "../generator/sample-assessments.ts";
import { addSampleLearning } from "../generator/sample-learning.ts";
import { todayInEngland } from "../kernel/calendar.ts";
import { evaluateSignalsForPartnership } from "../signals/store.ts";
import { withDatabase } from "./open.ts";
import { DEMO_ADMINISTRATOR_EMAIL } from "./totp-code.ts";

/**
 * Generates a partnership, showing progress on the terminal.
 * @returns What was generated.
 */
export const generateWithProgress = async (
  database: Parameters<typeof generatePartnership>[0],
  options: {
    seed: string;
    children: number;
    name?: string;
    /** Salts the ids and e-mail domain (tests), as for generatePartnership. */
    identity?: string;
    historyYears?: number;
    referenceDate?: string;
    /** Also generate the agencies' feed files and import them (the demo). */
    feeds?: boolean;
  },
): Promise<GeneratedPartnership> => {
  const bar = new cliProgress.SingleBar(
    {
      format: "Generating {bar} {percentage}% | {value}/{total} steps",
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 1000,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1, 0);
  // Histories run up to today, so the current quarter is not a cliff; the seed and the day fix the data.
  const referenceDate = options.referenceDate ?? todayInEngland();
  try {
    const { feeds, ...partnership } = options;
    const generated = await generatePartnership(database, {
      ...partnership,
      referenceDate,
      demoBoardSettings: true,
      onProgress: (done, total) => {
        bar.setTotal(total);
        bar.update(done);
      },
    });
    // A sample of neglect assessment histories, so change over time shows in the demo.
    await addSampleAssessments(database, generated, {
      seed: options.seed,
      children: Math.min(60, Math.max(6, Math.round(options.children / 100))),
      referenceDate,
    });
    // Training and feedback, so the learning pages show realistic figures.
    await addSampleLearning(database, generated, { seed: options.seed, referenceDate });
    // The signal rules run over the generated records, as `hearth signals evaluate` would.
    await withPartnershipScope(database, generated.partnershipId, (trx) =>
      evaluateSignalsForPartnership(trx, {
        partnershipId: generated.partnershipId,
        audit: (entry) => appendAudit(trx, { ...entry, partnershipId: generated.partnershipId, actor: null }),
      }),
    );
    if (feeds) {
      // What schools, health, police and the hospital send, through the normal import path.
      bar.stop();
      const imported = await importDemoFeeds(database, {
        partnershipId: generated.partnershipId,
        seed: options.seed,
        referenceDate,
      });
      console.log(describeImportedFeeds(imported));
    }
    return generated;
  } finally {
    bar.stop();
  }
};

/** A line per imported feed: the rows' fates, so the demo's reviews and rejects are expected. */
export const describeImportedFeeds = (imported: ImportedFeed[]): string =>
  [
    `Agency feeds imported (${imported.length} files, the same path as \`hearth import\`; see /imports):`,
    ...imported.map(({ feed, summary }) => {
      const c = summary.counts;
      return `  ${feed.agency}: ${feed.file}, ${summary.total} rows: ${c["entry-created"]} entries, ${c["no-entry"]} matched with nothing to record, ${c.review} waiting for review, ${c.unmatched} matching nobody, ${c.rejected} rejected, ${c.duplicate} duplicates`;
    }),
  ].join("\n");

/** Prints the accounts people can sign in with. */
export const printSignIns = (generated: GeneratedPartnership) => {
  const administrator = generated.signIns.find((s) => s.role === "administrator")?.email;
  const lines = [
    `Partnership: ${generated.name} (${generated.counts.agencies} agencies, ${generated.counts.teams} teams, ${generated.counts.users} users)`,
    `Families: ${generated.counts.childRecords} children among ${generated.counts.people} people in ${generated.counts.households} households, ${generated.counts.involvements} involvements, ${generated.counts.events} chronology events, ${generated.counts.socialCareEvents} social care events`,
    `Demo sign-ins (password for all: "${DEMO_PASSWORD}"):`,
    ...generated.signIns.map((s) => `  ${s.role.padEnd(18)} ${s.email}`),
    ...(generated.demoFamily
      ? [
          `Try it: sign in as ${generated.signIns.find((s) => s.email.startsWith("health-visitor@"))?.email ?? "the health visitor"}, choose "Find a person" and search for NHS number ${generated.demoFamily.babyNhsNumber} (${generated.demoFamily.babyName}).`,
        ]
      : []),
    `The administrator also needs a code from an authenticator app set up with this key (random, shown only now): ${generated.administratorTotpSecret}`,
    `  or, for the demo, print the current code from the stored key with: npx hearth totp-code${administrator && administrator !== DEMO_ADMINISTRATOR_EMAIL ? ` --email ${administrator}` : ""}`,
    "  (with the embedded database, stop Hearth first: the database is one process's).",
  ];
  console.log(lines.join("\n"));
};

export const generateCommand = async (options: {
  seed: string;
  children: string;
  name?: string;
  years: string;
}) => {
  const children = Number(options.children);
  if (!Number.isInteger(children) || children < 1 || children > 1_000_000) {
    console.error("--children must be a whole number from 1 to 1000000");
    process.exitCode = 2;
    return;
  }
  const historyYears = Number(options.years);
  if (!Number.isInteger(historyYears) || historyYears < 1 || historyYears > 18) {
    console.error("--years must be a whole number from 1 to 18");
    process.exitCode = 2;
    return;
  }
  await withDatabase(async (database) => {
    const generated = await generateWithProgress(database, {
      seed: options.seed,
      children,
      historyYears,
      ...(options.name ? { name: options.name } : {}),
    });
    printSignIns(generated);
  });
};

export const generateFeedsCommand = async (
  folder: string,
  options: { seed: string; partnership?: string; referenceDate?: string; scale: string },
) => {
  const scale = Number(options.scale);
  if (!Number.isInteger(scale) || scale < 1 || scale > 1000) {
    console.error("--scale must be a whole number from 1 to 1000");
    process.exitCode = 2;
    return;
  }
  if (options.referenceDate && !/^\d{4}-\d{2}-\d{2}$/.test(options.referenceDate)) {
    console.error("--reference-date must be an ISO date, e.g. 2026-04-01");
    process.exitCode = 2;
    return;
  }
  const { generateFeeds } = await import("../generator/feeds.ts");
  await withDatabase(async (database) => {
    const all = await database.unsafeOwnerDb
      .selectFrom("partnerships")
      .select(["partnership_id", "name"])
      .execute();
    const chosen = options.partnership
      ? all.filter((p) => p.partnership_id === options.partnership || p.name === options.partnership)
      : all;
    const [partnership, ...others] = chosen;
    if (!partnership || others.length > 0)
      throw new Error(
        `Name the partnership with --partnership: ${all.map((p) => `${p.partnership_id} (${p.name})`).join(", ") || "there is none"}`,
      );
    const files = await generateFeeds(database, folder, {
      partnershipId: partnership.partnership_id,
      seed: options.seed,
      scale,
      ...(options.referenceDate ? { referenceDate: options.referenceDate } : {}),
    });
    console.log(`Wrote ${files.length} feed files to ${folder} (and manifest.json). Import them with:`);
    for (const f of files)
      console.log(
        `  npx hearth import ${f.format} ${folder}/${f.file} --agency ${f.agencyCode}   # ${f.rows} rows`,
      );
  });
};
