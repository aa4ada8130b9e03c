// SPDX-License-Identifier: MIT
/**
 * PostgreSQL connections keep Hearth's repeated statements prepared, at most a fixed number each, and the
 * answers are the same as unprepared. (PGlite plans in-process and is not wrapped: PostgreSQL only.)
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { testDatabaseTarget } from "../test-support/harness.ts";
import { prepareRepeatedStatements } from "./prepared-statements.ts";

const target = testDatabaseTarget();
const postgres = target.engine === "postgres";

describe("statements kept prepared on a PostgreSQL connection", {
  skip: postgres ? false : "PostgreSQL only",
}, () => {
  let pool: pg.Pool;
  let client: pg.PoolClient;
  const prepared = async () =>
    (
      await client.query<{ statement: string }>(
        "select statement from pg_prepared_statements order by prepare_time, name",
      )
    ).rows.map((row) => row.statement);

  before(async () => {
    if (target.engine !== "postgres") return;
    pool = new pg.Pool({ connectionString: target.connectionString, max: 1 });
    pool.on("connect", (connected) => prepareRepeatedStatements(connected, 3));
    client = await pool.connect();
  });
  after(async () => {
    client?.release();
    await pool?.end();
  });

  it("prepares a repeated statement once and answers each call with its own values", async () => {
    const answers = [];
    for (const value of [1, 2, 3])
      answers.push((await client.query("select $1::int + 1 as n", [value])).rows[0]?.n);
    assert.deepEqual(answers, [2, 3, 4]);
    assert.deepEqual(await prepared(), ["select $1::int + 1 as n"]);
  });

  it("keeps at most its capacity, dropping the least recently used, which still runs when sent again", async () => {
    for (const i of [2, 3, 4]) await client.query(`select $1::int + ${i} as n`, [0]);
    await client.query("select $1::int + 1 as n", [0]); // used again: now the most recent
    await client.query("select $1::int + 5 as n", [0]);
    assert.deepEqual(await prepared(), [
      "select $1::int + 4 as n",
      "select $1::int + 1 as n",
      "select $1::int + 5 as n",
    ]);
    assert.equal((await client.query("select $1::int + 2 as n", [40])).rows[0]?.n, 42);
    assert.equal((await prepared()).length, 3);
  });

  it("leaves transaction control and statements with a callback unprepared", async () => {
    await client.query("begin", []);
    await client.query("savepoint inner_call", []);
    await client.query("commit", []);
    const viaCallback = await new Promise<number>((resolve, reject) =>
      client.query("select $1::int * 2 as n", [21], (error, result) =>
        error ? reject(error) : resolve(result.rows[0]?.n),
      ),
    );
    assert.equal(viaCallback, 42);
    assert.ok((await prepared()).every((statement) => !/begin|savepoint|commit|\* 2/.test(statement)));
  });
});
