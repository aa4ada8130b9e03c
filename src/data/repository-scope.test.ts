// SPDX-License-Identifier: MIT
/**
 * The per-request memo: a load runs once per scope (one scope per request), a failed load is tried again,
 * and the caller's agency is read within the caller's own partnership only.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import { notify } from "../notifications/notify.ts";
import { accessContextFor, createTestPartnership, openTestDatabase } from "../test-support/harness.ts";
import { mayChange, RepositoryScope } from "./repository-scope.ts";

let database: HearthDatabase;
let a: GeneratedPartnership;
let b: GeneratedPartnership;

before(async () => {
  database = await openTestDatabase();
  a = await createTestPartnership(database);
  b = await createTestPartnership(database);
});

after(async () => {
  await database.close();
});

describe("RepositoryScope.memo", () => {
  it("loads once per scope and key, and again in a new scope", async () => {
    let loads = 0;
    const load = async () => ++loads;
    const scope = new RepositoryScope(database, undefined);
    assert.deepEqual(await Promise.all([scope.memo("k", load), scope.memo("k", load)]), [1, 1]);
    assert.equal(await scope.memo("other", load), 2);
    assert.equal(await new RepositoryScope(database, undefined).memo("k", load), 3);
  });

  it("forgets a failed load", async () => {
    const scope = new RepositoryScope(database, undefined);
    await assert.rejects(scope.memo("k", () => Promise.reject(new Error("down"))));
    assert.equal(await scope.memo("k", async () => "up"), "up");
  });
});

describe("RepositoryScope.memo after a change", () => {
  it("keeps its loads through an audited view, and forgets them when the request audits a change", async () => {
    const ctx = await accessContextFor(database, a, "practitioner");
    const scope = new RepositoryScope(database, ctx);
    let loads = 0;
    const load = async () => ++loads;
    const record = { recordType: "person", recordId: a.demoFamily.babyPersonId };
    assert.equal(await scope.memo("counts", load), 1);
    await scope.run((trx) => scope.audit(trx, { action: "view", ...record }));
    assert.equal(await scope.memo("counts", load), 1);
    await scope.run((trx) => scope.audit(trx, { action: "update", ...record }));
    assert.equal(await scope.memo("counts", load), 2);
  });
});

describe("RepositoryScope.callerAgency", () => {
  it("is the caller's agency and team, read once", async () => {
    const ctx = await accessContextFor(database, a, "practitioner");
    const scope = new RepositoryScope(database, ctx);
    const agency = await scope.run((trx) => scope.callerAgency(trx));
    assert.equal(agency?.agencyId, ctx.agencyId);
    assert.equal(agency?.teamId, ctx.teamId);
    assert.ok(agency?.agencyName && agency.agencyType);
    const again = await scope.run((trx) => scope.callerAgency(trx));
    assert.equal(again, agency, "the same object: not read again");
  });

  it("is nothing without a caller, and nothing of another partnership's agency", async () => {
    const nobody = new RepositoryScope(database, undefined);
    assert.equal(await nobody.run((trx) => nobody.callerAgency(trx)), undefined);
    const inB = await accessContextFor(database, b, "practitioner");
    const forged = new RepositoryScope(database, {
      ...(await accessContextFor(database, a, "practitioner")),
      agencyId: inB.agencyId,
    });
    assert.equal(await forged.run((trx) => forged.callerAgency(trx)), undefined);
  });
});

describe("RepositoryScope's one transaction for a page", () => {
  const auditRows = async (partnershipId: string, recordId: string) =>
    database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select(["action", "record_id"])
      .where("partnership_id", "=", partnershipId)
      .where("record_id", "=", recordId)
      .execute();

  it("keeps every call's audit rows until the commit, then writes them all", async () => {
    const ctx = await accessContextFor(database, a, "practitioner");
    const scope = new RepositoryScope(database, ctx);
    scope.shareOneTransaction();
    const marker = crypto.randomUUID();
    await Promise.all(
      ["first", "second", "third"].map((section) =>
        scope.run((trx) => scope.audit(trx, { action: "view", recordType: section, recordId: marker })),
      ),
    );
    if (database.engine === "postgres") {
      // (PGlite has one connection, held by the open transaction, so only PostgreSQL can look from outside.)
      assert.equal(
        (await auditRows(a.partnershipId, marker)).length,
        0,
        "nothing is visible before the commit",
      );
    }
    await scope.finish();
    assert.equal((await auditRows(a.partnershipId, marker)).length, 3);
  });

  it("undoes a failed call and its audit rows, and keeps the calls that succeeded", async () => {
    const ctx = await accessContextFor(database, a, "practitioner");
    const scope = new RepositoryScope(database, ctx);
    scope.shareOneTransaction();
    const marker = crypto.randomUUID();
    await scope.run((trx) => scope.audit(trx, { action: "view", recordType: "kept", recordId: marker }));
    await assert.rejects(
      scope.run(async (trx) => {
        await scope.audit(trx, { action: "view", recordType: "undone", recordId: marker });
        // A change the application role may make, which succeeds before the call fails in its own code.
        await notify(trx, a.partnershipId, {
          kind: "plan-review-due",
          recipients: [ctx.userId],
          subject: "undone",
          body: "undone",
          link: null,
          dedupeKey: `${marker}:undone`,
        });
        throw new Error("the call fails after its change");
      }),
      /the call fails after its change/,
    );
    await scope.finish();
    assert.deepEqual(
      (await auditRows(a.partnershipId, marker)).map((row) => row.action),
      ["view"],
      "only the kept call's row",
    );
    const made = await database.unsafeOwnerDb
      .selectFrom("notifications")
      .select("subject")
      .where("partnership_id", "=", a.partnershipId)
      .where("dedupe_key", "=", `${marker}:undone`)
      .execute();
    assert.deepEqual(made, [], "the failed call's change is undone");
  });

  /**
   * Runs the steps as calls on one page's shared transaction, each making a change the application role
   * may make (a notification to the caller) and recording a view, a failing one then failing in SQL.
   * @returns The steps whose audit rows and whose changes were kept.
   */
  const runCalls = async (steps: { name: string; fails?: boolean }[]) => {
    const ctx = await accessContextFor(database, a, "practitioner");
    const scope = new RepositoryScope(database, ctx);
    scope.shareOneTransaction();
    const marker = crypto.randomUUID();
    for (const step of steps) {
      const call = scope.run(async (trx) => {
        await notify(trx, a.partnershipId, {
          kind: "plan-review-due",
          recipients: [ctx.userId],
          subject: step.name,
          body: step.name,
          link: null,
          dedupeKey: `${marker}:${step.name}`,
        });
        await scope.audit(trx, { action: "view", recordType: step.name, recordId: marker });
        if (step.fails) await sql`select 1 / 0`.execute(trx);
      });
      if (step.fails) await assert.rejects(call);
      else await call;
    }
    await scope.finish();
    const audited = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("record_type")
      .where("partnership_id", "=", a.partnershipId)
      .where("record_id", "=", marker)
      .execute();
    const made = await database.unsafeOwnerDb
      .selectFrom("notifications")
      .select("subject")
      .where("partnership_id", "=", a.partnershipId)
      .where("dedupe_key", "like", `${marker}:%`)
      .execute();
    return { audited: audited.map((r) => r.record_type).sort(), made: made.map((r) => r.subject).sort() };
  };

  it("after a statement fails, keeps the calls before and after it, changes and rows alike", async () => {
    const kept = await runCalls([{ name: "first" }, { name: "failed", fails: true }, { name: "third" }]);
    assert.deepEqual(kept.audited, ["first", "third"], "the kept calls' rows");
    assert.deepEqual(kept.made, ["first", "third"], "the kept calls' changes");
  });

  it("undoes a failed first call, which has no savepoint, and keeps the calls after it", async () => {
    const kept = await runCalls([{ name: "failed", fails: true }, { name: "second" }, { name: "third" }]);
    assert.deepEqual(kept.audited, ["second", "third"], "the kept calls' rows");
    assert.deepEqual(kept.made, ["second", "third"], "the failed call's change undone");
  });

  it("after reads, a call failing in SQL (no savepoint: the transaction is rolled back) keeps the reads' audit rows", async () => {
    const ctx = await accessContextFor(database, a, "practitioner");
    const scope = new RepositoryScope(database, ctx);
    scope.shareOneTransaction();
    const marker = crypto.randomUUID();
    const read = (name: string) =>
      scope.run(async (trx) => {
        await sql`select 1`.execute(trx);
        await scope.audit(trx, { action: "view", recordType: name, recordId: marker });
      });
    await read("first");
    await read("second");
    await assert.rejects(
      scope.run(async (trx) => {
        await scope.audit(trx, { action: "view", recordType: "failed", recordId: marker });
        await sql`select 1 / 0`.execute(trx);
      }),
    );
    await read("fourth");
    await scope.finish();
    const audited = (await auditRows(a.partnershipId, marker)).length;
    assert.equal(audited, 3, "first, second and fourth");
  });

  it("after reads, a failed last call's transaction rolled back, the finish still writes the reads' rows", async () => {
    const ctx = await accessContextFor(database, a, "practitioner");
    const scope = new RepositoryScope(database, ctx);
    scope.shareOneTransaction();
    const marker = crypto.randomUUID();
    await scope.run((trx) => scope.audit(trx, { action: "view", recordType: "kept", recordId: marker }));
    await assert.rejects(scope.run((trx) => sql`select 1 / 0`.execute(trx)));
    await scope.finish();
    assert.equal((await auditRows(a.partnershipId, marker)).length, 1);
  });

  it("runs each call in its own transaction again after the commit", async () => {
    const ctx = await accessContextFor(database, a, "practitioner");
    const scope = new RepositoryScope(database, ctx);
    scope.shareOneTransaction();
    await scope.finish();
    const marker = crypto.randomUUID();
    await scope.run((trx) => scope.audit(trx, { action: "view", recordType: "later", recordId: marker }));
    assert.equal((await auditRows(a.partnershipId, marker)).length, 1);
  });
});

describe("mayChange: which statements need the savepoints that keep a failed call's undoing to itself", () => {
  const node = (query: { toOperationNode(): unknown }) =>
    query.toOperationNode() as Parameters<typeof mayChange>[0];
  it("counts selects as reads, and changes, writing functions and unknown raw SQL as changes", () => {
    const db = database.unsafeOwnerDb;
    assert.equal(mayChange(node(db.selectFrom("people").select("person_id"))), false);
    assert.equal(mayChange(node(sql`select count(*) from people`)), false);
    assert.equal(mayChange(node(db.insertInto("notifications").values({} as never))), true);
    assert.equal(mayChange(node(db.updateTable("people").set({ given_names: "x" }))), true);
    assert.equal(mayChange(node(db.deleteFrom("notifications"))), true);
    assert.equal(mayChange(node(sql`savepoint x`)), true);
    assert.equal(mayChange(node(sql`${sql`select ${sql.raw("1")}`}`)), false, "raw SQL put together");
    assert.equal(mayChange(node(sql`${sql`delete from notifications`}`)), true);
    const insert = db.insertInto("notifications").values({} as never);
    assert.equal(mayChange(node(sql`with made as (${insert}) select 1`)), true, "a change put into raw SQL");
    assert.equal(mayChange(node(sql`select hearth_analyze_indicator_units()`)), true);
    assert.equal(
      mayChange(node(sql`with x as (delete from notifications returning 1) select * from x`)),
      true,
    );
    const insertingCte = db
      .with("made", (w) =>
        w
          .insertInto("notifications")
          .values({} as never)
          .returning("notification_id"),
      )
      .selectFrom("made")
      .selectAll();
    assert.equal(mayChange(node(insertingCte)), true);
  });
});
