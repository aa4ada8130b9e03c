// SPDX-License-Identifier: MIT
/**
 * `hearth partnership create`: an empty partnership (no demo data) for a council to start from its own
 * CIN census history, with one agency and its first administrator, invited by a one-time link. The work
 * is src/organisation/create-partnership.ts, shared with the administration page.
 */
import { readConfig } from "../config/config.ts";
import { createPartnership, INVITE_LIFETIME_DAYS } from "../organisation/create-partnership.ts";
import { withDatabase } from "./open.ts";

export {
  type CreatedPartnership,
  checkLaCode,
  createPartnership,
  knownLaCodes,
  type NewPartnership,
} from "../organisation/create-partnership.ts";

export const partnershipCreateCommand = async (options: {
  name: string;
  laCode: string;
  adminEmail: string;
  adminName: string;
  agencyName: string;
}) => {
  const config = readConfig();
  // The exit code is set after the database has closed: closing the embedded database resets it.
  process.exitCode = await withDatabase(async (database) => {
    const result = await createPartnership(database, options);
    if (!result.ok) {
      console.error(`Not created: ${result.message}`);
      return 1;
    }
    const made = result.value;
    console.log(
      [
        `Created partnership ${options.name.trim()} (${made.partnershipId}) for local authority ${options.laCode.trim()}${made.laName ? ` (${made.laName})` : ""}: empty, no demo data.`,
        `Agency: ${options.agencyName.trim()}. First administrator: ${options.adminEmail.trim().toLowerCase()}, invited.`,
        `Send them this invite link (shown only now, valid for ${INVITE_LIFETIME_DAYS} days):`,
        `  ${config.baseUrl}/invite/${made.inviteToken}`,
        "Then load the council's history with: npx hearth cin import <file> --partnership " +
          made.partnershipId,
      ].join("\n"),
    );
    return 0;
  });
};
