// SPDX-License-Identifier: MIT
/**
 * `hearth partnership create`: an empty partnership with its first administrator's invite, audited in its
 * own chain; a bad or unknown LA code, a name already used and an email already used are refused and make
 * nothing. The last test runs the real CLI in a child process against a fresh database.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { unsafeVerifyAuditChains } from "../audit/audit-log.ts";
import type { HearthDatabase } from "../db/database.ts";
import { openTestDatabase, startTestApp, TestClient } from "../test-support/harness.ts";
import { checkLaCode, createPartnership, knownLaCodes } from "./partnership.ts";

let database: HearthDatabase;

before(async () => {
  database = await openTestDatabase();
});

after(async () => {
  await database.close();
});

const unique = () => randomUUID().slice(0, 8);
const input = (over: Partial<Parameters<typeof createPartnership>[1]> = {}) => ({
  name: `Test Safeguarding Children Partnership ${unique()}`,
  laCode: "852",
  adminEmail: `admin-${unique()}@council.example.org`,
  adminName: "Ada Admin",
  agencyName: "Children's Social Care",
  ...over,
});
/**
 * How many partnerships this file's inputs name (or a blank name): on PostgreSQL other test files create
 * their own partnerships in the same database at the same time, so counting every one was flaky.
 */
const partnershipCount = async () =>
  (
    await database.unsafeOwnerDb
      .selectFrom("partnerships")
      .select("partnership_id")
      .where((eb) =>
        eb.or([
          eb("name", "ilike", "%test safeguarding children partnership%"),
          eb(eb.fn("trim", ["name"]), "=", ""),
        ]),
      )
      .execute()
  ).length;

describe("the LA code", () => {
  it("is DfE's current list from reference-data/dfe", () => {
    const known = knownLaCodes();
    assert.ok(known);
    assert.equal(known.size, 153);
    assert.equal(known.get("852"), "Southampton");
    assert.equal(known.get("940"), "North Northamptonshire");
  });

  it("must be three digits and one of DfE's; without the list, three digits will do", () => {
    const known = knownLaCodes();
    assert.deepEqual(checkLaCode("852", known), { ok: true, laName: "Southampton" });
    for (const bad of ["85", "8520", "abc", "", "E06000045"]) assert.equal(checkLaCode(bad, known).ok, false);
    // Northamptonshire (928) split into 940 and 941 in 2021: no longer an authority.
    const gone = checkLaCode("928", known);
    assert.equal(gone.ok, false);
    assert.match(gone.ok ? "" : gone.message, /not a current local authority code/);
    assert.deepEqual(checkLaCode("999", undefined), { ok: true, laName: null });
  });
});

describe("creating a partnership", () => {
  it("makes an empty partnership, one agency and an invited administrator, audited in its own chain", async () => {
    const asked = input({ adminEmail: ` Ada.Admin-${unique()}@Council.Example.org ` });
    const result = await createPartnership(database, asked);
    assert.ok(result.ok, result.ok ? "" : result.message);
    const { partnershipId, userId, inviteToken, laName } = result.value;
    assert.equal(laName, "Southampton");
    const db = database.unsafeOwnerDb;
    const partnership = await db
      .selectFrom("partnerships")
      .selectAll()
      .where("partnership_id", "=", partnershipId)
      .executeTakeFirstOrThrow();
    assert.equal(partnership.name, asked.name);
    assert.deepEqual(partnership.local_authority_codes, ["852"]);
    const agencies = await db
      .selectFrom("agencies")
      .selectAll()
      .where("partnership_id", "=", partnershipId)
      .execute();
    assert.deepEqual(
      agencies.map((a) => [a.name, a.agency_type]),
      [["Children's Social Care", "childrens-social-care"]],
    );
    const users = await db
      .selectFrom("users")
      .selectAll()
      .where("partnership_id", "=", partnershipId)
      .execute();
    assert.equal(users.length, 1);
    assert.equal(users[0]?.user_id, userId);
    assert.equal(users[0]?.email, asked.adminEmail.trim().toLowerCase());
    assert.equal(users[0]?.role, "administrator");
    assert.equal(users[0]?.password_hash, null, "invited: no password until the invite is accepted");
    // No demo data: no people, no events.
    const people = await db
      .selectFrom("people")
      .select("person_id")
      .where("partnership_id", "=", partnershipId)
      .execute();
    assert.equal(people.length, 0);
    const audit = await db
      .selectFrom("audit_log")
      .select(["seq", "action", "record_type", "actor_user_id", "reason"])
      .where("partnership_id", "=", partnershipId)
      .orderBy("seq")
      .execute();
    assert.deepEqual(
      audit.map((r) => [r.seq, r.action, r.record_type, r.actor_user_id, r.reason]),
      [
        [1, "create", "partnership", null, "hearth partnership create"],
        [2, "create", "agency", null, "hearth partnership create"],
        [3, "invite", "user", null, "hearth partnership create"],
      ],
    );
    // Only this partnership's chain: on PostgreSQL other files share the database, and one tampers on purpose.
    const chains = await unsafeVerifyAuditChains(db);
    assert.deepEqual(
      chains.problems.filter((problem) => problem.partnershipId === partnershipId),
      [],
    );
    // The invite link works: the invite page opens for the token.
    const app = await startTestApp(database);
    try {
      const page = await new TestClient(app).get(`/invite/${inviteToken}`);
      assert.equal(page.statusCode, 200);
      const wrong = await new TestClient(app).get(`/invite/${inviteToken}x`);
      assert.equal(wrong.statusCode, 404);
    } finally {
      await app.close();
    }
  });

  it("refuses a name already used (in any case) and makes nothing", async () => {
    const first = input();
    const made = await createPartnership(database, first);
    assert.ok(made.ok);
    const before = await partnershipCount();
    const again = await createPartnership(database, input({ name: ` ${first.name.toUpperCase()} ` }));
    assert.equal(again.ok, false);
    assert.match(again.ok ? "" : again.message, /already exists.*choose another name/);
    assert.equal(await partnershipCount(), before);
  });

  it("refuses an email address that already names an account, a bad email and a bad or unknown LA code", async () => {
    const first = input();
    assert.ok((await createPartnership(database, first)).ok);
    const before = await partnershipCount();
    const refusals = [
      [input({ adminEmail: first.adminEmail.toUpperCase() }), /already exists/],
      [input({ adminEmail: "not-an-email" }), /must be an email address/],
      [input({ laCode: "85" }), /three-digit DfE code/],
      [input({ laCode: "999" }), /not a current local authority code/],
      [input({ name: "  " }), /--name must be/],
    ] as const;
    for (const [asked, message] of refusals) {
      const result = await createPartnership(database, asked);
      assert.equal(result.ok, false, asked.name);
      assert.match(result.ok ? "" : result.message, message);
    }
    assert.equal(await partnershipCount(), before);
  });
});

describe("the real CLI", () => {
  it("creates a partnership, prints the invite link from HEARTH_BASE_URL, and refuses the same name again", () => {
    const hearth = fileURLToPath(new URL("../../bin/hearth.js", import.meta.url));
    const dataDir = mkdtempSync(join(tmpdir(), "hearth-partnership-"));
    // Against the test's PostgreSQL database when there is one, else a fresh embedded database folder.
    const url = process.env.HEARTH_TEST_DATABASE_URL;
    const env = {
      ...process.env,
      HEARTH_BASE_URL: "https://hearth.council.example.org/",
      HEARTH_DATA_DIR: dataDir,
      ...(url ? { DATABASE_URL: url } : {}),
    };
    if (!url) delete env.DATABASE_URL;
    const name = `CLI Partnership ${unique()}`;
    const run = (email: string) =>
      spawnSync(
        process.execPath,
        [hearth, "partnership", "create", "--name", name, "--la-code", "851", "--admin-email", email],
        { env, encoding: "utf8" },
      );
    try {
      const made = run(`first-${unique()}@portsmouth.example.org`);
      assert.equal(made.status, 0, made.stderr);
      assert.match(made.stdout, /for local authority 851 \(Portsmouth\): empty, no demo data/);
      assert.match(made.stdout, /^ {2}https:\/\/hearth\.council\.example\.org\/invite\/[A-Za-z0-9_-]{43}$/m);
      const again = run(`second-${unique()}@portsmouth.example.org`);
      assert.equal(again.status, 1);
      assert.match(again.stderr, new RegExp(`Not created: A partnership named "${name}" already exists`));
      const version = spawnSync(process.execPath, [hearth, "version"], { env, encoding: "utf8" });
      assert.equal(version.status, 0);
      assert.match(version.stdout, /^hearth \d+\.\d+\.\d+ \(Node /);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
