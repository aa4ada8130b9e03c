// SPDX-License-Identifier: MIT
/**
 * The refusals of administration over HTTP against a real database: every administration page for every
 * other role, anything in another partnership, and every organisation repository method declared.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, describe, it } from "node:test";
import { signInFor, TestClient } from "../test-support/harness.ts";
import { unclassifiedMethods } from "../test-support/method-access.ts";
import {
  agenciesOf,
  assertFieldError,
  assertRedirect,
  countRows,
  FORBIDDEN,
  NON_ADMIN_ROLES,
  ownPartnershipWithAdmin,
  signedIn,
  text,
  userRow,
  useTestDatabase,
} from "./admin-test-support.ts";
import { OrganisationDirectoryRepository } from "./organisation-directory-repository.ts";
import { UserAccountsRepository } from "./user-accounts-repository.ts";

useTestDatabase();

describe("administration is for administrators only", () => {
  const suite = ownPartnershipWithAdmin();

  for (const role of NON_ADMIN_ROLES) {
    it(`refuses every administration page and action to the ${role} role (403)`, async () => {
      const me = signInFor(suite.partnership, role);
      const adminUser = signInFor(suite.partnership, "administrator");
      const client = await signedIn(suite, role);
      const gets = [
        "/admin/agencies",
        "/admin/agencies/new",
        "/admin/teams",
        "/admin/teams/new",
        "/admin/users",
        "/admin/users/new",
        `/admin/users/${adminUser.userId}`,
        `/admin/users/${me.userId}`,
      ];
      for (const url of gets) {
        const response = await client.get(url);
        assert.equal(response.statusCode, 403, `GET ${url}`);
        assert.ok(response.body.includes(FORBIDDEN), `GET ${url} says so`);
      }

      const agency = (await agenciesOf(suite.partnership.partnershipId))[0];
      assert.ok(agency);
      const marker = `${role} ${randomUUID().slice(0, 8)}`;
      const posts: [string, Record<string, string>][] = [
        ["/admin/agencies", { name: `Agency by ${marker}`, agencyType: "other" }],
        ["/admin/teams", { agencyId: agency.agency_id, name: `Team by ${marker}` }],
        [
          "/admin/users",
          {
            displayName: "Invited Illicitly",
            email: `invited.by.${marker.replace(/ /g, ".")}@example.org`,
            agencyId: agency.agency_id,
            teamId: "",
            role: "administrator",
          },
        ],
        [`/admin/users/${me.userId}/role`, { role: "administrator", reason: "Promoting myself" }],
        [`/admin/users/${adminUser.userId}/deactivate`, { reason: "Locking out the administrator" }],
        [`/admin/users/${adminUser.userId}/reset-second-factor`, { reason: "Weakening the administrator" }],
      ];
      for (const [url, form] of posts) {
        await client.get("/");
        const response = await client.post(url, form);
        assert.equal(response.statusCode, 403, `POST ${url}`);
        assert.ok(response.body.includes(FORBIDDEN), `POST ${url} says so`);
      }

      const partnershipId = suite.partnership.partnershipId;
      assert.equal(await countRows("agencies", partnershipId, `Agency by ${marker}`), 0);
      assert.equal(await countRows("teams", partnershipId, `Team by ${marker}`), 0);
      assert.equal(
        await countRows("users", partnershipId, `invited.by.${marker.replace(/ /g, ".")}@example.org`),
        0,
      );
      assert.equal((await userRow(partnershipId, me.userId)).role, role);
      const adminRow = await userRow(partnershipId, adminUser.userId);
      assert.equal(adminRow.deactivated_at, null);
      assert.notEqual(adminRow.totp_confirmed_at, null);
      assert.equal(
        (await suite.admin.get("/admin/users")).statusCode,
        200,
        "the administrator is unaffected",
      );

      const home = await client.get("/");
      assert.ok(!home.body.includes('href="/admin/'), "the navigation offers no administration links");

      if (role !== "auditor") {
        for (const url of ["/audit", `/audit/user/${adminUser.userId}`]) {
          const response = await client.get(url);
          assert.equal(response.statusCode, 403, `GET ${url}`);
          assert.ok(response.body.includes(FORBIDDEN));
        }
      }
    });
  }

  it("sends someone who is not signed in to sign in, for every administration page", async () => {
    const stranger = new TestClient(suite.app);
    for (const url of ["/admin/agencies", "/admin/teams", "/admin/users", "/admin/users/new", "/audit"]) {
      assertRedirect(await stranger.get(url), "/sign-in");
    }
  });

  it("opens the record history to the auditor", async () => {
    const auditor = await signedIn(suite, "auditor");
    const target = signInFor(suite.partnership, "practitioner");
    const lookup = await auditor.get("/audit");
    assert.equal(lookup.statusCode, 200);
    assert.ok(lookup.body.includes("Record history"));
    assertRedirect(
      await auditor.get(`/audit?recordType=user&recordId=${target.userId}`),
      `/audit/user/${target.userId}`,
    );
    const history = await auditor.get(`/audit/user/${target.userId}`);
    assert.equal(history.statusCode, 200);
    assert.ok(history.body.includes("Who has viewed or changed this record"));
  });

  it("refuses the record history to the practitioner", async () => {
    const practitioner = await signedIn(suite, "practitioner");
    const target = signInFor(suite.partnership, "manager");
    for (const url of [
      "/audit",
      `/audit/user/${target.userId}`,
      `/audit?recordType=user&recordId=${target.userId}`,
    ]) {
      const response = await practitioner.get(url);
      assert.equal(response.statusCode, 403, `GET ${url}`);
      assert.ok(response.body.includes(FORBIDDEN));
    }
  });
});

describe("partnerships are kept apart", () => {
  const a = ownPartnershipWithAdmin();
  const b = ownPartnershipWithAdmin();
  const bOnlyAgency = `Partnership B Only Agency ${randomUUID().slice(0, 8)}`;

  before(async () => {
    await b.admin.get("/admin/agencies/new");
    assertRedirect(
      await b.admin.post("/admin/agencies", { name: bOnlyAgency, agencyType: "other" }),
      "/admin/agencies?added=1",
    );
  });

  it("gives partnership A's administrator 404 for a user in partnership B, and no way to change them", async () => {
    const bUser = signInFor(b.partnership, "practitioner");
    const bAdmin = signInFor(b.partnership, "administrator");
    const page = await a.admin.get(`/admin/users/${bUser.userId}`);
    assert.equal(page.statusCode, 404);
    assert.ok(page.body.includes("Page not found"));
    assert.ok(!page.body.includes(bUser.email));

    const attempts: [string, Record<string, string>][] = [
      [`/admin/users/${bUser.userId}/role`, { role: "administrator", reason: "Cross-partnership" }],
      [`/admin/users/${bUser.userId}/deactivate`, { reason: "Cross-partnership" }],
      [`/admin/users/${bAdmin.userId}/reset-second-factor`, { reason: "Cross-partnership" }],
    ];
    for (const [url, form] of attempts) {
      await a.admin.get("/admin/users");
      const response = await a.admin.post(url, form);
      assert.equal(response.statusCode, 404, `POST ${url}`);
    }
    const bUserRow = await userRow(b.partnership.partnershipId, bUser.userId);
    assert.equal(bUserRow.role, "practitioner");
    assert.equal(bUserRow.deactivated_at, null);
    assert.notEqual((await userRow(b.partnership.partnershipId, bAdmin.userId)).totp_confirmed_at, null);
    assert.equal((await b.admin.get("/admin/users")).statusCode, 200, "B's administrator is unaffected");
  });

  it("never shows partnership B's agencies on partnership A's agencies page", async () => {
    const page = text(await a.admin.get("/admin/agencies"));
    assert.ok(!page.includes(bOnlyAgency));
    const aNames = new Set((await agenciesOf(a.partnership.partnershipId)).map((x) => x.name));
    const bOnlyNames = (await agenciesOf(b.partnership.partnershipId))
      .map((x) => x.name)
      .filter((name) => !aNames.has(name));
    assert.ok(bOnlyNames.length > 0);
    for (const name of bOnlyNames) assert.ok(!page.includes(name), `${name} is B's`);
    assert.ok(text(await b.admin.get("/admin/agencies")).includes(bOnlyAgency), "B sees its own agency");
  });

  it("never shows partnership B's users on partnership A's users page", async () => {
    const page = await a.admin.get("/admin/users");
    assert.equal(page.statusCode, 200);
    for (const signIn of b.partnership.signIns) {
      assert.ok(!page.body.includes(signIn.email), `${signIn.email} is B's`);
      assert.ok(!page.body.includes(signIn.userId), `${signIn.userId} is B's`);
    }
  });

  it("refuses partnership B's agency for a team or an invite in partnership A", async () => {
    const bAgency = (await agenciesOf(b.partnership.partnershipId)).find((x) => x.name === bOnlyAgency);
    assert.ok(bAgency);
    await a.admin.get("/admin/teams/new");
    const team = await a.admin.post("/admin/teams", { agencyId: bAgency.agency_id, name: "Smuggled Team" });
    assertFieldError(team, "agencyId", "Select the agency this team belongs to");
    await a.admin.get("/admin/users/new");
    const email = `smuggled.${randomUUID().slice(0, 8)}@example.org`;
    const invite = await a.admin.post("/admin/users", {
      displayName: "Smuggled Person",
      email,
      agencyId: bAgency.agency_id,
      teamId: "",
      role: "practitioner",
    });
    assertFieldError(invite, "agencyId", "Select the user's agency");
    assert.equal(await countRows("teams", b.partnership.partnershipId, "Smuggled Team"), 0);
    assert.equal(await countRows("users", a.partnership.partnershipId, email), 0);
    assert.equal(await countRows("users", b.partnership.partnershipId, email), 0);
  });

  it("never shows partnership B's audit history to partnership A", async () => {
    const bUser = signInFor(b.partnership, "manager");
    assert.equal((await b.admin.get(`/admin/users/${bUser.userId}`)).statusCode, 200);
    const bAdmin = signInFor(b.partnership, "administrator");
    const own = text(await b.admin.get(`/audit/user/${bUser.userId}`));
    assert.ok(
      own.includes(`${bAdmin.displayName} (Administrator)`),
      "B's administrator sees the view just recorded",
    );
    assert.match(own, /<td class="govuk-table__cell">view<\/td>/);
    const other = await a.admin.get(`/audit/user/${bUser.userId}`);
    assert.equal(other.statusCode, 200);
    assert.ok(
      text(other).includes(
        "No one has viewed or changed this record, or it does not exist in your partnership.",
      ),
    );
    assert.ok(!text(other).includes(bAdmin.displayName), "A sees nothing of B's history");
  });
});

describe("the organisation repository's methods", () => {
  it("are each declared in the sub-area repository that does the work", () => {
    for (const repository of [OrganisationDirectoryRepository, UserAccountsRepository]) {
      assert.deepEqual(unclassifiedMethods(repository), { undeclared: [], stale: [] }, repository.name);
    }
  });
});
