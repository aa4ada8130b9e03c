// SPDX-License-Identifier: MIT
/**
 * An administrator creating another, empty partnership over HTTP against a real database: the fields at
 * fault, the first administrator's invite audited in both chains, and the refusal to every other role.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { signInFor, TestClient } from "../test-support/harness.ts";
import {
  assertFieldError,
  capture,
  database,
  FORBIDDEN,
  NON_ADMIN_ROLES,
  ownPartnershipWithAdmin,
  signedIn,
  text,
  useTestDatabase,
} from "./admin-test-support.ts";

useTestDatabase();

describe("an administrator creates another, empty partnership", () => {
  const suite = ownPartnershipWithAdmin();
  const suffix = randomUUID().slice(0, 8);
  const input = {
    // Markup in the name: the result page must show it as text (the hostile-input crawl cannot reach
    // that page, whose LA code and e-mail address hostile values never pass).
    name: `Hackney <i>Safeguarding</i> Children Partnership ${suffix}`,
    laCode: "204",
    agencyName: "Children's Social Care",
    adminName: "Morgan Ellery",
    adminEmail: `morgan.ellery.${suffix}@example.org`,
  };

  it("names each field at fault and makes nothing", async () => {
    await suite.admin.get("/admin/partnerships/new");
    const empty = await suite.admin.post("/admin/partnerships", {
      name: "",
      laCode: "85",
      agencyName: "",
      adminName: "",
      adminEmail: "not an address",
    });
    assertFieldError(empty, "name", "Enter the partnership's name");
    assertFieldError(empty, "laCode", "Enter the local authority's three-digit DfE code");
    assertFieldError(empty, "adminName", "Enter the first administrator's full name");
    assertFieldError(empty, "adminEmail", "Enter an email address in the correct format");
    const unknownCode = await suite.admin.post("/admin/partnerships", { ...input, laCode: "999" });
    assertFieldError(unknownCode, "laCode", "999 is not a current local authority code");
    const takenEmail = await suite.admin.post("/admin/partnerships", {
      ...input,
      adminEmail: signInFor(suite.partnership, "practitioner").email,
    });
    assertFieldError(takenEmail, "adminEmail", "already exists");
    const sameName = await suite.admin.post("/admin/partnerships", {
      ...input,
      name: (
        await database.unsafeOwnerDb
          .selectFrom("partnerships")
          .select("name")
          .where("partnership_id", "=", suite.partnership.partnershipId)
          .executeTakeFirstOrThrow()
      ).name.toUpperCase(),
    });
    assertFieldError(sameName, "name", "already exists");
    const made = await database.unsafeOwnerDb
      .selectFrom("partnerships")
      .select("partnership_id")
      .where("name", "=", input.name)
      .execute();
    assert.deepEqual(made, []);
  });

  it("shows the first administrator's invite once, audits it in both chains, and gives the creator no access", async () => {
    const form = await suite.admin.get("/admin/partnerships/new");
    assert.equal(form.statusCode, 200);
    const response = await suite.admin.post("/admin/partnerships", input);
    assert.equal(response.statusCode, 200);
    assert.ok(response.body.includes("Partnership created"));
    assert.ok(text(response).includes("Hackney"), "the authority's name from DfE's list");
    assert.ok(response.body.includes("Hackney &lt;i&gt;Safeguarding&lt;/i&gt;"), "the name is shown as text");
    assert.ok(!response.body.includes("<i>Safeguarding</i>"));
    const token = capture(/\/invite\/([A-Za-z0-9_-]+)"/, response.body, "the invite link");

    const db = database.unsafeOwnerDb;
    const created = await db
      .selectFrom("partnerships")
      .select(["partnership_id", "local_authority_codes"])
      .where("name", "=", input.name)
      .executeTakeFirstOrThrow();
    assert.deepEqual(created.local_authority_codes, ["204"]);
    const id = created.partnership_id;
    const users = await db
      .selectFrom("users")
      .select(["email", "role", "password_hash"])
      .where("partnership_id", "=", id)
      .execute();
    assert.deepEqual(users, [{ email: input.adminEmail, role: "administrator", password_hash: null }]);
    for (const table of ["people", "csc_events", "teams"] as const) {
      const rows = await db
        .selectFrom(table)
        .select("partnership_id")
        .where("partnership_id", "=", id)
        .execute();
      assert.equal(rows.length, 0, `${table}: the new partnership is empty`);
    }
    // The invite is kept only as a hash: the page was the one time it could be read.
    const invites = await db
      .selectFrom("invites")
      .select("token_hash")
      .where("partnership_id", "=", id)
      .execute();
    assert.equal(invites.length, 1);
    assert.notEqual(invites[0]?.token_hash, token);
    const invitePage = await new TestClient(suite.app).get(`/invite/${token}`);
    assert.equal(invitePage.statusCode, 200);
    assert.ok(invitePage.body.includes(input.adminEmail));

    // The creator's own chain says who made it; the new chain starts with what was made and from where.
    const creator = signInFor(suite.partnership, "administrator");
    const mine = await db
      .selectFrom("audit_log")
      .select(["action", "actor_user_id", "record_type"])
      .where("partnership_id", "=", suite.partnership.partnershipId)
      .where("record_id", "=", id)
      .execute();
    assert.deepEqual(mine, [{ action: "create", actor_user_id: creator.userId, record_type: "partnership" }]);
    const theirs = await db
      .selectFrom("audit_log")
      .select(["action", "record_type", "actor_user_id"])
      .where("partnership_id", "=", id)
      .orderBy("seq")
      .execute();
    assert.deepEqual(
      theirs.map((r) => `${r.action} ${r.record_type} ${r.actor_user_id}`),
      ["create partnership null", "create agency null", "invite user null"],
    );

    // Nothing of the new partnership is the creator's to see: not its administrator, not its agency.
    const search = await suite.admin.get(`/admin/users?q=${encodeURIComponent(input.adminEmail)}`);
    assert.equal(search.statusCode, 200);
    const newAdmin = await db
      .selectFrom("users")
      .select("user_id")
      .where("partnership_id", "=", id)
      .executeTakeFirstOrThrow();
    assert.ok(!search.body.includes(newAdmin.user_id), "the search finds no account of the new partnership");
    assert.equal((await suite.admin.get(`/admin/users/${newAdmin.user_id}`)).statusCode, 404);
    const agencies = await suite.admin.get("/admin/agencies");
    const newAgency = await db
      .selectFrom("agencies")
      .select("agency_id")
      .where("partnership_id", "=", id)
      .executeTakeFirstOrThrow();
    assert.ok(!agencies.body.includes(newAgency.agency_id));
  });

  it("is refused to every other role (403), and makes nothing", async () => {
    for (const role of NON_ADMIN_ROLES) {
      const client = await signedIn(suite, role);
      const page = await client.get("/admin/partnerships/new");
      assert.equal(page.statusCode, 403, `GET as ${role}`);
      assert.ok(page.body.includes(FORBIDDEN));
      await client.get("/");
      const name = `Partnership by ${role} ${suffix}`;
      const post = await client.post("/admin/partnerships", {
        ...input,
        name,
        adminEmail: `${role}.${suffix}@example.org`,
      });
      assert.equal(post.statusCode, 403, `POST as ${role}`);
      const made = await database.unsafeOwnerDb
        .selectFrom("partnerships")
        .select("partnership_id")
        .where("name", "=", name)
        .execute();
      assert.deepEqual(made, [], `nothing made by ${role}`);
    }
  });
});
