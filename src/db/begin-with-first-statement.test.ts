// SPDX-License-Identifier: MIT
/**
 * A PostgreSQL connection sends a transaction's `begin` with its first statement when it can (one round
 * trip, counted by the server's "ready for query" answers), and the transaction is the same as before:
 * what it sets lasts until it ends, a statement with parameters still runs inside it, and an empty one
 * leaves nothing open. Through Kysely too, as every scoped transaction runs. (PGlite is in-process and is
 * not wrapped: PostgreSQL only.)
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { testDatabaseTarget } from "../test-support/harness.ts";
import { beginWithFirstStatement } from "./begin-with-first-statement.ts";
import { prepareRepeatedStatements } from "./prepared-statements.ts";

const target = testDatabaseTarget();
const postgres = target.engine === "postgres";

describe("a transaction's begin sent with its first statement", {
  skip: postgres ? false : "PostgreSQL only",
}, () => {
  let pool: pg.Pool;
  let client: pg.PoolClient;
  let roundTrips = 0;
  const setting = async (name: string) =>
    (await client.query<{ value: string }>(`select current_setting('${name}', true) as value`, [])).rows[0]
      ?.value ?? "";
  /** Whether a transaction is open: a setting made for the transaction outlives the statement making it. */
  const inTransaction = async () => {
    await client.query("select set_config('hearth.probe', 'open', true)", []);
    return (await setting("hearth.probe")) === "open";
  };

  before(async () => {
    if (target.engine !== "postgres") return;
    pool = new pg.Pool({ connectionString: target.connectionString, max: 1 });
    pool.on("connect", (connected) => {
      prepareRepeatedStatements(connected);
      beginWithFirstStatement(connected);
      const connection = (connected as unknown as { connection: { on: (e: string, f: () => void) => void } })
        .connection;
      connection.on("readyForQuery", () => {
        roundTrips += 1;
      });
    });
    client = await pool.connect();
  });
  after(async () => {
    client?.release();
    await pool?.end();
  });

  it("sends begin and a statement without parameters as one round trip, in one transaction", async () => {
    roundTrips = 0;
    await client.query("begin", []);
    await client.query("select set_config('hearth.test', 'kept', true)", []);
    assert.equal(roundTrips, 1, "begin and the statement together");
    assert.equal(await setting("hearth.test"), "kept", "set for the transaction");
    assert.equal(await inTransaction(), true);
    await client.query("commit", []);
    assert.equal(await setting("hearth.test"), "", "gone with it");
  });

  it("sends begin on its own before a statement with parameters, which runs inside it", async () => {
    roundTrips = 0;
    await client.query("begin", []);
    const answer = await client.query("select set_config('hearth.test', $1, true) as value", ["given"]);
    assert.equal(answer.rows[0]?.value, "given");
    assert.equal(roundTrips, 2);
    assert.equal(await setting("hearth.test"), "given");
    await client.query("rollback", []);
    assert.equal(await setting("hearth.test"), "");
  });

  it("sends nothing for a transaction with no statement, and leaves none open", async () => {
    roundTrips = 0;
    await client.query("begin", []);
    await client.query("commit", []);
    await client.query("begin", []);
    await client.query("rollback", []);
    assert.equal(roundTrips, 0);
    assert.equal(await inTransaction(), false);
  });

  it("keeps a failed first statement's transaction failed until it is rolled back", async () => {
    await client.query("begin", []);
    await assert.rejects(client.query("select 1 / 0", []), /division by zero/);
    await assert.rejects(client.query("select 1", []), /current transaction is aborted/);
    await client.query("rollback", []);
    assert.equal((await client.query<{ n: number }>("select 1 as n", [])).rows[0]?.n, 1);
  });

  it("runs Kysely's transactions as before", async () => {
    const db = new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool }) });
    client.release();
    try {
      const inside = await db.transaction().execute(async (trx) => {
        await sql`select set_config('hearth.test', 'scoped', true)`.execute(trx);
        return (await sql<{ value: string }>`select current_setting('hearth.test') as value`.execute(trx))
          .rows[0]?.value;
      });
      assert.equal(inside, "scoped");
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await sql`select set_config('hearth.test', 'undone', true)`.execute(trx);
          throw new Error("the work failed");
        }),
        /the work failed/,
      );
      const afterwards = await sql<{
        value: string;
      }>`select current_setting('hearth.test', true) as value`.execute(db);
      assert.equal(afterwards.rows[0]?.value ?? "", "");
    } finally {
      client = await pool.connect();
    }
  });
});
