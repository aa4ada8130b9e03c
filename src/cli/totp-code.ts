// SPDX-License-Identifier: MIT
/**
 * `hearth totp-code`: the current second-factor code of an account, read from the secret stored in the
 * database (as its owner), so the demo needs no phone. For demonstrations and testing only: anyone who can
 * run it can open the database anyway. The embedded database is one process's, so with it Hearth must be
 * stopped first; with PostgreSQL it works while Hearth runs.
 */
import { currentTotpCode } from "../auth/totp.ts";
import type { HearthDatabase } from "../db/database.ts";
import { withDatabase } from "./open.ts";

/** The demo administrator's email address, what `hearth serve --demo` creates. */
export const DEMO_ADMINISTRATOR_EMAIL = "administrator@demo.hearth.example";

/**
 * Reads an active account's confirmed second-factor secret.
 * @returns The secret, or undefined when there is no such account or it has no second factor.
 */
export const unsafeStoredTotpSecret = async (
  database: HearthDatabase,
  email: string,
): Promise<string | undefined> => {
  const row = await database.unsafeOwnerDb
    .selectFrom("users")
    .select("totp_secret")
    .where("email", "=", email.trim().toLowerCase())
    .where("deactivated_at", "is", null)
    .where("totp_confirmed_at", "is not", null)
    .executeTakeFirst();
  return row?.totp_secret ?? undefined;
};

export const totpCodeCommand = (options: { email: string }) =>
  withDatabase(async (database) => {
    const secret = await unsafeStoredTotpSecret(database, options.email);
    if (!secret) throw new Error(`No active account ${options.email} with a second factor in this database.`);
    console.log(currentTotpCode(secret));
  });
