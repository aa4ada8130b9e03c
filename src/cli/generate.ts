// SPDX-License-Identifier: MIT
/** `hearth generate`: a synthetic partnership, with a progress bar. */
import cliProgress from "cli-progress";
import {
  DEMO_PASSWORD,
  type GeneratedPartnership,
  generatePartnership,
} from "../generator/generate-partnership.ts";
import { withDatabase } from "./open.ts";

/**
 * Generates a partnership, showing progress on the terminal.
 * @returns What was generated.
 */
export const generateWithProgress = async (
  database: Parameters<typeof generatePartnership>[0],
  options: { seed: string; children: number; name?: string },
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
  try {
    return await generatePartnership(database, {
      ...options,
      onProgress: (done, total) => {
        bar.setTotal(total);
        bar.update(done);
      },
    });
  } finally {
    bar.stop();
  }
};

/** Prints the accounts people can sign in with. */
export const printSignIns = (generated: GeneratedPartnership, seed: string) => {
  const lines = [
    `Partnership: ${generated.name} (${generated.counts.agencies} agencies, ${generated.counts.teams} teams, ${generated.counts.users} users)`,
    `Families: ${generated.counts.childRecords} children among ${generated.counts.people} people in ${generated.counts.households} households, ${generated.counts.involvements} involvements, ${generated.counts.events} chronology events`,
    `Demo sign-ins (password for all: "${DEMO_PASSWORD}"):`,
    ...generated.signIns.map((s) => `  ${s.role.padEnd(18)} ${s.email}`),
    `The administrator also needs a code from an authenticator app set up with the key ${generated.administratorTotpSecret}`,
    `  or, for the demo, print the current code with: npx hearth totp-code${seed === "demo" ? "" : ` --seed ${seed}`}`,
  ];
  console.log(lines.join("\n"));
};

export const generateCommand = async (options: { seed: string; children: string; name?: string }) => {
  const children = Number.parseInt(options.children, 10);
  if (!Number.isInteger(children) || children < 1 || children > 1_000_000) {
    console.error("--children must be a whole number from 1 to 1000000");
    process.exitCode = 2;
    return;
  }
  await withDatabase(async (database) => {
    const generated = await generateWithProgress(database, {
      seed: options.seed,
      children,
      ...(options.name ? { name: options.name } : {}),
    });
    printSignIns(generated, options.seed);
  });
};
