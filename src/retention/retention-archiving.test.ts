// SPDX-License-Identifier: MIT
/**
 * Retention over HTTP, on PGlite and PostgreSQL: the safeguarding lead's monthly list of closed records
 * due for review on a fixed month, archiving with a reason (audited in the same transaction), archived
 * records leaving search and the indicators but staying readable by the auditor, every other role refused,
 * and a record that is open or not yet due never archived.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sql } from "kysely";
import { repositoryFor } from "../data/repository.ts";
import { withPartnershipScope } from "../db/database.ts";
import { loadChildren } from "../indicators/loader.ts";
import { accessContextFor, signInFor } from "../test-support/harness.ts";
import {
  archivedRows,
  client,
  database,
  dueInDecember,
  dueLongAgo,
  MARKUP,
  notYetDue,
  partnership,
  stillOpen,
  useRetentionFixtures,
} from "./retention-test-support.ts";

useRetentionFixtures();

describe("retention", () => {
  it("a retention rule lists the right records on a fixed date and archiving hides them from search but not from the auditor", async () => {
    const lead = await client("safeguarding-lead");
    const listed = (body: string) => ({
      dueLongAgo: body.includes(`/retention/${dueLongAgo}/archive`),
      dueInDecember: body.includes(`/retention/${dueInDecember}/archive`),
      notYetDue: body.includes(`/retention/${notYetDue}/archive`),
      stillOpen: body.includes(`/retention/${stillOpen}/archive`),
    });
    const november = await lead.get("/retention?month=2026-11");
    assert.equal(november.statusCode, 200);
    assert.deepEqual(listed(november.body), {
      dueLongAgo: true,
      dueInDecember: false,
      notYetDue: false,
      stillOpen: false,
    });
    const december = await lead.get("/retention?month=2026-12");
    assert.deepEqual(listed(december.body), {
      dueLongAgo: true,
      dueInDecember: true,
      notYetDue: false,
      stillOpen: false,
    });
    assert.match(december.body, /20 December 2026/);

    // Before archiving: found by search, counted by the indicators, closed to the auditor (no audit round).
    const leadRepo = repositoryFor(
      database,
      await accessContextFor(database, partnership, "safeguarding-lead"),
    );
    const found = async () =>
      (await leadRepo.people.searchPeople({ name: "Jayden Quillfeather" })).map((r) => r.person_id);
    assert.ok((await found()).includes(dueLongAgo));
    const counted = async () =>
      (await withPartnershipScope(database, partnership.partnershipId, (trx) => loadChildren(trx))).map(
        (c) => c.personId,
      );
    assert.ok((await counted()).includes(dueLongAgo));
    const auditor = await client("auditor");
    assert.equal((await auditor.get(`/people/${dueLongAgo}`)).statusCode, 404);

    // Archiving: a reason is required, then the archive row and its audit row are written together.
    await lead.get(`/retention/${dueLongAgo}/archive`);
    const noReason = await lead.post(`/retention/${dueLongAgo}/archive`, { reason: "  " });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /Enter why the record is being archived/);
    assert.equal((await archivedRows(dueLongAgo)).length, 0);
    const nul = await lead.post(`/retention/${dueLongAgo}/archive`, { reason: "before\u0000after" });
    assert.equal(nul.statusCode, 400);
    assert.match(nul.body, /reason/i);
    assert.equal((await archivedRows(dueLongAgo)).length, 0);
    const archived = await lead.post(`/retention/${dueLongAgo}/archive`, {
      reason: `Reviewed under the retention rules: no open request or inquiry ${MARKUP}`,
    });
    assert.equal(archived.statusCode, 303, archived.body);
    const [row] = await archivedRows(dueLongAgo);
    assert.equal(row?.archived_by, signInFor(partnership, "safeguarding-lead").userId);
    const audit = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select(["reason", "details", "actor_user_id"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("action", "=", "archive")
      .where("record_id", "=", dueLongAgo)
      .execute();
    assert.equal(audit.length, 1);
    assert.equal(
      audit[0]?.reason,
      `Reviewed under the retention rules: no open request or inquiry ${MARKUP}`,
    );
    assert.equal((audit[0]?.details as { dueOn?: string } | undefined)?.dueOn, "2025-01-15");

    // After: gone from search, the indicators and the review list; archiving again is refused.
    assert.ok(!(await found()).includes(dueLongAgo));
    assert.ok(!(await counted()).includes(dueLongAgo));
    assert.ok((await counted()).includes(dueInDecember));
    assert.equal(listed((await lead.get("/retention?month=2026-12")).body).dueLongAgo, false);
    const again = await lead.post(`/retention/${dueLongAgo}/archive`, { reason: "Again" });
    assert.equal(again.statusCode, 404);
    assert.equal((await archivedRows(dueLongAgo)).length, 1);

    // The record is kept, and the auditor finds it in the archive and reads it (the view audited).
    const archive = await auditor.get("/retention/archived");
    assert.equal(archive.statusCode, 200);
    assert.ok(archive.body.includes(`/people/${dueLongAgo}`));
    // The reason is shown escaped, never as markup.
    assert.ok(!archive.body.includes(MARKUP));
    assert.ok(archive.body.includes("&lt;i data-x=&quot;hostile&quot;&gt;"));
    let record = await auditor.get(`/people/${dueLongAgo}`);
    // The first opening goes by the record's history page, as for anyone: read, acknowledged, then the record.
    if (record.statusCode === 303) {
      assert.equal((await auditor.get(String(record.headers.location))).statusCode, 200);
      assert.equal((await auditor.post(`/people/${dueLongAgo}/history`, {})).statusCode, 303);
      record = await auditor.get(`/people/${dueLongAgo}`);
    }
    assert.equal(record.statusCode, 200);
    assert.match(record.body, /Jayden/);
    const viewed = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select(sql<number>`count(*)`.as("n"))
      .where("partnership_id", "=", partnership.partnershipId)
      .where("actor_user_id", "=", signInFor(partnership, "auditor").userId)
      .where("action", "=", "view")
      .where("record_id", "=", dueLongAgo)
      .executeTakeFirstOrThrow();
    assert.ok(Number(viewed.n) >= 1);
    // ...but not a record that is not archived.
    assert.equal((await auditor.get(`/people/${dueInDecember}`)).statusCode, 404);
  });

  it("refuses the review list, the archive action and the rules to other roles, and audits the refusal", async () => {
    for (const role of ["practitioner", "manager", "administrator", "auditor", "analyst"] as const) {
      const other = await client(role);
      assert.equal((await other.get("/retention")).statusCode, 403, `${role} sees the review list`);
      assert.equal((await other.get(`/retention/${dueInDecember}/archive`)).statusCode, 403, role);
      const post = await other.post(`/retention/${dueInDecember}/archive`, { reason: "Tidying up" });
      assert.equal(post.statusCode, 403, `${role} archives`);
    }
    for (const role of ["practitioner", "manager", "front-door", "administrator", "analyst"] as const) {
      const other = await client(role);
      assert.equal((await other.get("/retention/archived")).statusCode, 403, `${role} reads the archive`);
    }
    for (const role of ["practitioner", "auditor", "analyst"] as const) {
      const other = await client(role);
      assert.equal((await other.get("/settings/retention")).statusCode, 403, role);
      const post = await other.post("/settings/retention", {
        keepUntilAge: "18",
        yearsAfterClosure: "1",
        auditLogExtraYears: "1",
        reason: "Shorter",
      });
      assert.equal(post.statusCode, 403, `${role} changes the rules`);
    }
    assert.equal((await archivedRows(dueInDecember)).length, 0);
    const denied = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select(sql<number>`count(*)`.as("n"))
      .where("partnership_id", "=", partnership.partnershipId)
      .where("actor_user_id", "=", signInFor(partnership, "practitioner").userId)
      .where("action", "=", "denied")
      .where(sql<boolean>`details->>'route' like '/retention%'`)
      .executeTakeFirstOrThrow();
    assert.ok(Number(denied.n) >= 3);
    // The door itself: without a caller, or as a practitioner, nothing is listed or archived.
    const nobody = repositoryFor(database, undefined);
    assert.equal(await nobody.retention.reviewList("2026-12"), undefined);
    assert.equal(await nobody.retention.archivedRecords(), undefined);
    assert.equal(await nobody.retention.rulesPage(), undefined);
    assert.equal((await nobody.retention.archive(dueInDecember, "No one")).ok, false);
    const practitioner = repositoryFor(
      database,
      await accessContextFor(database, partnership, "practitioner"),
    );
    const refused = await practitioner.retention.archive(dueInDecember, "Tidying up");
    assert.equal(refused.ok, false);
    assert.equal(await practitioner.retention.reviewList("2026-12"), undefined);
    assert.equal((await archivedRows(dueInDecember)).length, 0);
  });

  it("refuses to archive a record that is open or not yet due, naming the reason", async () => {
    const lead = await client("safeguarding-lead");
    await lead.get("/retention");
    for (const personId of [notYetDue, stillOpen]) {
      assert.equal((await lead.get(`/retention/${personId}/archive`)).statusCode, 404);
      const post = await lead.post(`/retention/${personId}/archive`, { reason: "Early" });
      assert.equal(post.statusCode, 404);
      assert.equal((await archivedRows(personId)).length, 0);
    }
    const leadRepo = repositoryFor(
      database,
      await accessContextFor(database, partnership, "safeguarding-lead"),
    );
    const early = await leadRepo.retention.archive(notYetDue, "Early");
    assert.equal(early.ok, false);
    assert.match(early.ok ? "" : early.message, /not due for review/);
  });
});
