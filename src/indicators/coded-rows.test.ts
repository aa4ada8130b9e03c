// SPDX-License-Identifier: MIT
/**
 * The indicators read each child's many rows as one text (coded-rows.ts): every kind of value, a null of
 * each kind, an empty list and a child with many rows come back exactly as they were stored.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import type { Trx } from "../data/repository-scope.ts";
import type { HearthDatabase } from "../db/database.ts";
import { openTestDatabase } from "../test-support/harness.ts";
import { type CodedColumn, parseCodedTexts, readCodedTexts } from "./coded-rows.ts";

type Row = {
  code: string | null;
  codes: string[] | null;
  count: number | null;
  seen: boolean | null;
  on: string | null;
};

describe("reading a child's rows as one text", () => {
  let database: HearthDatabase;
  before(async () => {
    database = await openTestDatabase();
  });
  after(async () => {
    await database.close();
  });

  it("gives back texts, lists, numbers, booleans, dates and nulls as stored, in the order asked", async () => {
    const columns: CodedColumn[] = [
      ["code", "t.code", "text"],
      ["codes", "t.codes", "list"],
      ["count", "t.count", "number"],
      ["seen", "t.seen", "boolean"],
      ["on", "t.occurred_on", "text"],
    ];
    const texts = await readCodedTexts(
      database.unsafeOwnerDb as unknown as Trx,
      "t.person_id",
      columns,
      sql`from (values
          ('a', 'N1', array['16A', '21']::text[], 3, true, date '2026-04-01'),
          ('a', null, array[]::text[], 0, false, date '2025-12-31'),
          ('b', '', null::text[], null::int, null::boolean, null::date)
        ) as t(person_id, code, codes, count, seen, occurred_on)`,
      "t.occurred_on",
    );
    const rows = parseCodedTexts<Row>(texts, columns);
    assert.deepEqual(rows.get("a"), [
      { code: null, codes: [], count: 0, seen: false, on: "2025-12-31" },
      { code: "N1", codes: ["16A", "21"], count: 3, seen: true, on: "2026-04-01" },
    ]);
    assert.deepEqual(rows.get("b"), [{ code: "", codes: null, count: null, seen: null, on: null }]);
    assert.deepEqual([...rows.keys()].sort(), ["a", "b"]);
  });
});
