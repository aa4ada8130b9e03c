// SPDX-License-Identifier: MIT
/** The embedded database's statistics: analyzed by Hearth, since PGlite has no autovacuum to do it. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { createTestPartnership, openTestDatabase } from "../test-support/harness.ts";
import type { HearthDatabase } from "./database.ts";
import { unsafeKeepStatisticsFresh } from "./statistics.ts";

let database: HearthDatabase;

before(async () => {
  database = await openTestDatabase();
  await createTestPartnership(database);
});

after(async () => {
  await database.close();
});

/** Rows the planner believes `people` holds: -1 until the table is first analyzed. */
const plannedPeople = async () =>
  (
    await sql<{ n: number }>`select reltuples::int as n from pg_class where relname = 'people'`.execute(
      database.unsafeOwnerDb,
    )
  ).rows[0]?.n;

describe("keeping the planner's statistics fresh", () => {
  it("analyzes every table as Hearth starts on PGlite, and leaves PostgreSQL to autovacuum", async () => {
    const problems: unknown[] = [];
    if (database.engine === "pglite") assert.equal(await plannedPeople(), -1, "a new table, never analyzed");
    const stop = unsafeKeepStatisticsFresh(database, (problem) => problems.push(problem));
    try {
      if (database.engine !== "pglite") return;
      for (let waited = 0; waited < 10_000 && (await plannedPeople()) === -1; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const people = await sql<{ n: number }>`select count(*)::int as n from people`.execute(
        database.unsafeOwnerDb,
      );
      assert.equal(await plannedPeople(), people.rows[0]?.n);
      assert.deepEqual(problems, []);
    } finally {
      stop();
    }
  });
});
