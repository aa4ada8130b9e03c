// SPDX-License-Identifier: MIT
/** The join on a key: the partnership ids first, then the key, as every hand-written join spelled it. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from "kysely";
import type { HearthSchema } from "../db/schema.ts";
import { onKey } from "./sql.ts";

/** Compiles queries to PostgreSQL's SQL without a connection (Kysely's documented way to only compile). */
const compiler = new Kysely<HearthSchema>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

describe("onKey", () => {
  it("joins on the partnership id of each side's table, then on the key", () => {
    const { sql } = compiler
      .selectFrom("assessments as a")
      .innerJoin("people as c", (j) => onKey(j, "c.person_id", "a.person_id"))
      .leftJoin("users", (j) => onKey(j, "users.user_id", "a.started_by"))
      .select("a.assessment_id")
      .compile();
    assert.match(
      sql,
      /inner join "people" as "c" on "c"\."partnership_id" = "a"\."partnership_id" and "c"\."person_id" = "a"\."person_id"/,
    );
    assert.match(
      sql,
      /left join "users" on "users"\."partnership_id" = "a"\."partnership_id" and "users"\."user_id" = "a"\."started_by"/,
    );
  });

  it("keeps conditions chained after it", () => {
    const { sql } = compiler
      .selectFrom("involvements as i")
      .innerJoin("agencies as g", (j) =>
        onKey(j, "g.agency_id", "i.agency_id").on("g.agency_type", "=", "health"),
      )
      .select("i.person_id")
      .compile();
    assert.match(sql, /"g"\."agency_id" = "i"\."agency_id" and "g"\."agency_type" = \$1/);
  });
});
