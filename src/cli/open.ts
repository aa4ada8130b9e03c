// SPDX-License-Identifier: MIT
/**
 * Opens the configured database for a CLI command and closes it afterwards, whatever happens; and
 * chooses the partnership a command works in.
 */
import { readConfig } from "../config/config.ts";
import { type HearthDatabase, openDatabase } from "../db/database.ts";

export const withDatabase = async <T>(work: (database: HearthDatabase) => Promise<T>): Promise<T> => {
  const database = await openDatabase(readConfig().database);
  try {
    return await work(database);
  } finally {
    await database.close();
  }
};

/**
 * The partnership named by id (or, where `orName`, by name), or the only one there is.
 * @throws When none matches, there is none, or there are several and none is named.
 */
export const choosePartnership = async (
  database: HearthDatabase,
  named: string | undefined,
  { orName }: { orName: boolean },
): Promise<string> => {
  const all = await database.unsafeOwnerDb
    .selectFrom("partnerships")
    .select(["partnership_id", "name"])
    .execute();
  if (named) {
    const found = all.find((p) => p.partnership_id === named || (orName && p.name === named));
    if (!found) throw new Error(`No partnership ${named}`);
    return found.partnership_id;
  }
  const [only, ...rest] = all;
  if (!only) throw new Error("There is no partnership in this database");
  if (rest.length > 0)
    throw new Error(
      `Name the partnership with --partnership: ${all.map((p) => `${p.partnership_id} (${p.name})`).join(", ")}`,
    );
  return only.partnership_id;
};
