// SPDX-License-Identifier: MIT
/**
 * Runs a migration script one statement at a time: PGlite's query protocol takes a single statement per
 * call. Splits on semicolons at line ends outside `$$` bodies, which is all Hearth's own scripts use.
 */
import { type Kysely, sql } from "kysely";

export const splitStatements = (script: string): string[] => {
  const statements: string[] = [];
  let current = "";
  let inDollarBody = false;
  for (const line of script.split("\n")) {
    current += `${line}\n`;
    inDollarBody = (line.match(/\$\$/g)?.length ?? 0) % 2 === 1 ? !inDollarBody : inDollarBody;
    if (!inDollarBody && /;\s*$/.test(line)) {
      if (current.trim() !== "") statements.push(current.trim());
      current = "";
    }
  }
  if (current.trim() !== "") statements.push(current.trim());
  return statements.filter((s) => !/^(--[^\n]*\n?)*$/.test(s));
};

export const runScript = async (db: Kysely<unknown>, script: string): Promise<void> => {
  for (const statement of splitStatements(script)) await sql.raw(statement).execute(db);
};
