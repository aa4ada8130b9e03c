// SPDX-License-Identifier: MIT
/** Opens the configured database for a CLI command and closes it afterwards, whatever happens. */
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
