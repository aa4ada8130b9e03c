// SPDX-License-Identifier: MIT
/**
 * The migrated PGlite image every test file starts from: a database opened from it already has every
 * migration, the application role and the trigram extension, and the migrator finds nothing to do.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sql } from "kysely";
import { openTestDatabase } from "../test-support/harness.ts";
import { migratedPgliteImage, openDatabase, withPartnershipScope } from "./database.ts";
import { MIGRATIONS } from "./migrations/index.ts";

describe("a database opened from the migrated PGlite image", () => {
  it("has every migration applied once, the application role and pg_trgm", async () => {
    const image = new Blob([await migratedPgliteImage()]);
    const database = await openDatabase({ engine: "pglite", dataDir: undefined }, { pgliteImage: image });
    try {
      const db = database.unsafeOwnerDb;
      const applied = await sql<{ name: string }>`select name from hearth_migrations order by name`.execute(
        db,
      );
      assert.deepEqual(
        applied.rows.map((row) => row.name),
        Object.keys(MIGRATIONS).sort(),
      );
      const role = await sql<{
        n: number;
      }>`select count(*)::int as n from pg_roles where rolname = 'hearth_app'`.execute(db);
      assert.equal(role.rows[0]?.n, 1);
      const similar = await sql<{ s: number }>`select similarity('Hearth', 'Hearth') as s`.execute(db);
      assert.equal(similar.rows[0]?.s, 1);
    } finally {
      await database.close();
    }
  });
});

describe("a partnership scope", () => {
  it("takes only an id as the partnership, and sees nothing without one", async () => {
    const database = await openTestDatabase();
    try {
      await assert.rejects(
        withPartnershipScope(database, "x', true); select 1; --", async () => undefined),
        /a partnership id is a uuid/,
      );
      const seen = await withPartnershipScope(database, undefined, (trx) =>
        trx.selectFrom("people").select("person_id").execute(),
      );
      assert.deepEqual(seen, []);
    } finally {
      await database.close();
    }
  });
});
