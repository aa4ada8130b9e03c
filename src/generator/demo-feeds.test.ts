// SPDX-License-Identifier: MIT
/**
 * The demo as `hearth serve --demo` makes it (generateWithProgress with feeds) imports the agencies' feed
 * files through the normal import path: every file finishes, with entries, weak matches waiting for a
 * person, rejects, duplicates and unknown children, the signals see the imported entries, and the
 * safeguarding lead finds the imports on her page. The feed files are the same from the same seed.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateWithProgress } from "../cli/generate.ts";
import { repositoryFor } from "../data/repository.ts";
import type { HearthDatabase } from "../db/database.ts";
import { IMPORT_FORMAT_CODES } from "../imports/codes.ts";
import { todayInEngland } from "../kernel/calendar.ts";
import { onKey } from "../kernel/sql.ts";
import { accessContextFor, openTestDatabase, TEST_SEED } from "../test-support/harness.ts";
import { generateFeeds } from "./feeds.ts";
import type { GeneratedPartnership } from "./generate-partnership.ts";

let database: HearthDatabase;
let demo: GeneratedPartnership;
const referenceDate = todayInEngland();

before(async () => {
  database = await openTestDatabase();
  const started = Date.now();
  demo = await generateWithProgress(database, {
    seed: TEST_SEED,
    identity: `test-${randomUUID()}`,
    children: 240,
    referenceDate,
    feeds: true,
  });
  console.log(`demo of 240 children with its feeds: ${Date.now() - started} ms`);
});
after(() => database?.close());

describe("the demo's agency feeds", () => {
  it("imports every feed file to the end, with every kind of row fate", async () => {
    const imports = await database.unsafeOwnerDb
      .selectFrom("agency_imports")
      .select(["import_id", "format", "total_rows", "next_row", "finished_at", "started_by"])
      .where("partnership_id", "=", demo.partnershipId)
      .execute();
    assert.deepEqual(
      [...new Set(imports.map((i) => i.format))].sort(),
      [...IMPORT_FORMAT_CODES].sort(),
      "a file of every format",
    );
    for (const i of imports) {
      assert.ok(i.finished_at, `${i.format} finished`);
      assert.equal(i.next_row, i.total_rows, `${i.format}: every row done`);
      assert.equal(i.started_by, null, "imported by the system, not a person");
    }
    const fates = await database.unsafeOwnerDb
      .selectFrom("import_rows")
      .select(["fate", (eb) => eb.fn.countAll<string>().as("rows")])
      .where("partnership_id", "=", demo.partnershipId)
      .groupBy("fate")
      .execute();
    const count = (fate: string) => Number(fates.find((f) => f.fate === fate)?.rows ?? 0);
    for (const fate of ["entry-created", "review", "unmatched", "rejected", "duplicate"])
      assert.ok(count(fate) > 0, `some rows are ${fate}`);
    const entries = await database.unsafeOwnerDb
      .selectFrom("chronology_events")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("partnership_id", "=", demo.partnershipId)
      .where("import_id", "is not", null)
      .executeTakeFirstOrThrow();
    assert.equal(Number(entries.n), count("entry-created"), "each entry-created row is one chronology entry");
  });

  it("lets the signal rules see the imported entries", async () => {
    const fired = await database.unsafeOwnerDb
      .selectFrom("signal_entries as s")
      .innerJoin("chronology_events as c", (join) => onKey(join, "c.event_id", "s.entry_id"))
      .select((eb) => eb.fn.count<string>("s.signal_id").distinct().as("n"))
      .where("s.partnership_id", "=", demo.partnershipId)
      .where("c.import_id", "is not", null)
      .executeTakeFirstOrThrow();
    assert.ok(Number(fired.n) > 0, "some signals list imported entries");
  });

  it("shows the imports and their review lists to the safeguarding lead", async () => {
    const lead = repositoryFor(database, await accessContextFor(database, demo, "safeguarding-lead"));
    const list = await lead.imports.listImports();
    assert.ok(list);
    assert.ok(list.imports.length >= IMPORT_FORMAT_CODES.length);
    let waiting = 0;
    for (const i of list.imports) waiting += (await lead.imports.reviewList(i.import_id))?.rows.length ?? 0;
    assert.ok(waiting > 0, "weak matches wait for her");
  });

  it("writes the same feed files from the same seed", async () => {
    const folders = [
      await mkdtemp(join(tmpdir(), "hearth-feeds-a-")),
      await mkdtemp(join(tmpdir(), "hearth-feeds-b-")),
    ];
    try {
      for (const folder of folders)
        await generateFeeds(database, folder, {
          partnershipId: demo.partnershipId,
          seed: "demo",
          referenceDate,
        });
      const names = await readdir(folders[0] as string);
      assert.deepEqual((await readdir(folders[1] as string)).sort(), names.sort());
      for (const name of names)
        assert.equal(
          await readFile(join(folders[1] as string, name), "utf8"),
          await readFile(join(folders[0] as string, name), "utf8"),
          name,
        );
    } finally {
      for (const folder of folders) await rm(folder, { recursive: true, force: true });
    }
  });
});
