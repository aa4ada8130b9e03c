// SPDX-License-Identifier: MIT
/**
 * Administering a partnership's user accounts over HTTP against a real database: role changes,
 * deactivation and second-factor resets with reasons in the audit history, and the users page (paging,
 * search, and the refusals).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { currentTotpCode } from "../auth/totp.ts";
import { createTestPartnership, signInFor, TestClient } from "../test-support/harness.ts";
import {
  assertFieldError,
  assertRedirect,
  capture,
  database,
  FORBIDDEN,
  NON_ADMIN_ROLES,
  ownPartnershipWithAdmin,
  signedIn,
  text,
  userRow,
  useTestDatabase,
  WRONG_CREDENTIALS,
} from "./admin-test-support.ts";

useTestDatabase();

describe("changing an account", () => {
  const suite = ownPartnershipWithAdmin();
  const reason = "Promoted to manage the Early Help team";

  it("refuses a role change without a reason: 400, and the role stays", async () => {
    const target = signInFor(suite.partnership, "practitioner");
    await suite.admin.get(`/admin/users/${target.userId}`);
    for (const emptyReason of ["", "   "]) {
      const response = await suite.admin.post(`/admin/users/${target.userId}/role`, {
        role: "manager",
        reason: emptyReason,
      });
      assertFieldError(response, "role-reason", "Enter the reason for this change");
    }
    assert.equal((await userRow(suite.partnership.partnershipId, target.userId)).role, "practitioner");
  });

  it("changes the role with a reason, and the user's access follows at once", async () => {
    const target = signInFor(suite.partnership, "practitioner");
    const targetClient = await signedIn(suite, "practitioner");
    assert.ok((await targetClient.get("/")).body.includes("You are signed in as practitioner"));

    await suite.admin.get(`/admin/users/${target.userId}`);
    const response = await suite.admin.post(`/admin/users/${target.userId}/role`, {
      role: "manager",
      reason,
    });
    assertRedirect(response, `/admin/users/${target.userId}?done=role`);
    const account = await suite.admin.get(`/admin/users/${target.userId}?done=role`);
    assert.ok(account.body.includes("The role has been changed."));
    assert.equal((await userRow(suite.partnership.partnershipId, target.userId)).role, "manager");

    assert.ok((await targetClient.get("/")).body.includes("You are signed in as manager"));
  });

  it("shows the change in the account's history, with its reason and who made it", async () => {
    const target = signInFor(suite.partnership, "practitioner");
    const admin = signInFor(suite.partnership, "administrator");
    const history = await suite.admin.get(`/audit/user/${target.userId}`);
    assert.equal(history.statusCode, 200);
    const rows = text(history).match(/<tr class="govuk-table__row">[\s\S]*?<\/tr>/g) ?? [];
    const change = rows.find((row) => row.includes("change-role"));
    assert.ok(change, "the history lists the role change");
    assert.ok(change.includes(reason), "with its reason");
    assert.ok(change.includes(`${admin.displayName} (Administrator)`), "and the administrator who made it");
    assert.ok(change.includes("role: practitioner → manager"), "and what changed");
  });

  it("deactivates an account only with a reason, ending its sessions and stopping its sign-in", async () => {
    const target = signInFor(suite.partnership, "front-door");
    const targetClient = await signedIn(suite, "front-door");

    await suite.admin.get(`/admin/users/${target.userId}`);
    const noReason = await suite.admin.post(`/admin/users/${target.userId}/deactivate`, { reason: "" });
    assertFieldError(noReason, "deactivate-reason", "Enter the reason for this change");
    assert.equal((await targetClient.get("/")).statusCode, 200, "still signed in after the refused attempt");

    const response = await suite.admin.post(`/admin/users/${target.userId}/deactivate`, {
      reason: "Left the MASH",
    });
    assertRedirect(response, `/admin/users/${target.userId}?done=deactivate`);
    const account = await suite.admin.get(`/admin/users/${target.userId}?done=deactivate`);
    assert.ok(account.body.includes("The account has been deactivated and its sessions ended."));
    assert.ok(account.body.includes("Deactivated"));

    assertRedirect(await targetClient.get("/"), "/sign-in");
    const again = await new TestClient(suite.app).signIn(target.email);
    assert.equal(again.statusCode, 401);
    assert.ok(again.body.includes(WRONG_CREDENTIALS));

    const history = text(await suite.admin.get(`/audit/user/${target.userId}`));
    assert.ok(history.includes("deactivate"));
    assert.ok(history.includes("Left the MASH"));
  });

  it("resets a second factor only with a reason; the person's sessions end and no code is asked for", async () => {
    const target = signInFor(suite.partnership, "manager");
    // The manager sets up an authenticator app of their own accord.
    const enrolling = await signedIn(suite, "manager");
    const setUp = await enrolling.get("/account/second-factor");
    const secret = capture(/data-testid="totp-secret">([A-Z2-7 ]+)</, setUp.body, "the key").replace(
      / /g,
      "",
    );
    assertRedirect(
      await enrolling.post("/account/second-factor", { code: currentTotpCode(secret) }),
      "/?secondFactor=set-up",
    );
    const held = new TestClient(suite.app);
    assertRedirect(await held.signIn(target.email), "/sign-in/second-factor");

    await suite.admin.get(`/admin/users/${target.userId}`);
    const noReason = await suite.admin.post(`/admin/users/${target.userId}/reset-second-factor`, {
      reason: "",
    });
    assertFieldError(noReason, "reset-second-factor-reason", "Enter the reason for this change");
    assert.notEqual((await userRow(suite.partnership.partnershipId, target.userId)).totp_confirmed_at, null);

    const response = await suite.admin.post(`/admin/users/${target.userId}/reset-second-factor`, {
      reason: "Lost their phone",
    });
    assertRedirect(response, `/admin/users/${target.userId}?done=reset-second-factor`);
    const account = await suite.admin.get(`/admin/users/${target.userId}?done=reset-second-factor`);
    assert.ok(account.body.includes("The second factor has been reset."));
    assert.ok(account.body.includes("Not set up"));

    assertRedirect(await enrolling.get("/"), "/sign-in");
    assertRedirect(await held.get("/"), "/sign-in");
    const fresh = new TestClient(suite.app);
    assertRedirect(await fresh.signIn(target.email), "/");
  });

  it("refuses to let the administrator change their own role or deactivate themselves", async () => {
    const admin = signInFor(suite.partnership, "administrator");
    await suite.admin.get(`/admin/users/${admin.userId}`);
    const role = await suite.admin.post(`/admin/users/${admin.userId}/role`, {
      role: "practitioner",
      reason: "Trying it",
    });
    assertFieldError(role, "role-role", "You cannot change your own role");
    const deactivate = await suite.admin.post(`/admin/users/${admin.userId}/deactivate`, {
      reason: "Trying it",
    });
    assertFieldError(deactivate, "deactivate-reason", "You cannot deactivate your own account");
    const row = await userRow(suite.partnership.partnershipId, admin.userId);
    assert.equal(row.role, "administrator");
    assert.equal(row.deactivated_at, null);
    assert.equal((await suite.admin.get("/admin/users")).statusCode, 200);
  });

  it("refuses a role that does not exist", async () => {
    const target = signInFor(suite.partnership, "analyst");
    await suite.admin.get(`/admin/users/${target.userId}`);
    const response = await suite.admin.post(`/admin/users/${target.userId}/role`, {
      role: "superuser",
      reason: "Trying it",
    });
    assertFieldError(response, "role-role", "Select the new role");
    assert.equal((await userRow(suite.partnership.partnershipId, target.userId)).role, "analyst");
  });
});

describe("the users page", () => {
  const suite = ownPartnershipWithAdmin();
  const partnershipUsers = () =>
    database.unsafeOwnerDb
      .selectFrom("users")
      .select(["user_id", "email", "display_name"])
      .where("partnership_id", "=", suite.partnership.partnershipId)
      .orderBy("display_name")
      .orderBy("user_id")
      .execute();
  const listedIds = (response: LightMyRequestResponse) =>
    [...response.body.matchAll(/<a class="govuk-link" href="\/admin\/users\/([0-9a-f-]{36})">/g)].map(
      (m) => m[1],
    );

  it("shows 50 accounts a page, by name, with GOV.UK pagination through all of them", async () => {
    const all = await partnershipUsers();
    assert.ok(all.length > 50, "the test partnership has more than one page of accounts");
    const first = await suite.admin.get("/admin/users");
    assert.equal(first.statusCode, 200);
    assert.ok(text(first).includes(`${all.length} user accounts, page 1 of ${Math.ceil(all.length / 50)}`));
    assert.ok(first.body.includes('class="govuk-pagination'), "a long list is paged");
    const seen: string[] = [];
    let next: string | undefined = "/admin/users";
    while (next) {
      const page = await suite.admin.get(next);
      assert.equal(page.statusCode, 200);
      const ids = listedIds(page);
      assert.ok(ids.length <= 50);
      seen.push(...(ids as string[]));
      next = /<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="next">/
        .exec(page.body)?.[1]
        ?.replace(/&amp;/g, "&");
    }
    assert.deepEqual(
      seen,
      all.map((u) => u.user_id),
      "every account once, in name order",
    );
  });

  it("finds accounts by part of a name or an email address, whatever the case", async () => {
    const someone = signInFor(suite.partnership, "practitioner");
    const byName = await suite.admin.get(
      `/admin/users?q=${encodeURIComponent(someone.displayName.slice(1, 6).toUpperCase())}`,
    );
    assert.equal(byName.statusCode, 200);
    assert.ok(listedIds(byName).includes(someone.userId));
    const local = someone.email.split("@")[0] ?? "";
    const byEmail = await suite.admin.get(`/admin/users?q=${encodeURIComponent(local.toUpperCase())}`);
    assert.deepEqual(listedIds(byEmail), [someone.userId]);
    assert.ok(text(byEmail).includes(`1 user account matches “${local.toUpperCase()}”`));
  });

  it("treats % and _ as text to find, not wildcards, and shows what was searched for escaped", async () => {
    for (const q of ["%", "_", "\\"]) {
      const response = await suite.admin.get(`/admin/users?q=${encodeURIComponent(q)}`);
      assert.equal(response.statusCode, 200);
      assert.deepEqual(listedIds(response), [], `nobody's name or email contains ${q}`);
    }
    const hostile = await suite.admin.get(`/admin/users?q=${encodeURIComponent("<script>x</script>")}`);
    assert.equal(hostile.statusCode, 200);
    assert.ok(!hostile.body.includes("<script>x</script>"));
    assert.ok(hostile.body.includes("&lt;script&gt;x&lt;/script&gt;"));
  });

  it("shows an empty page past the last one, and ignores a page number that is not one", async () => {
    const past = await suite.admin.get("/admin/users?page=999");
    assert.equal(past.statusCode, 200);
    assert.deepEqual(listedIds(past), []);
    assert.ok(text(past).includes("There are no user accounts on this page"));
    const notANumber = await suite.admin.get("/admin/users?page=first");
    assert.equal(notANumber.statusCode, 200);
    assert.equal(listedIds(notANumber).length, 50);
  });

  it("never finds another partnership's accounts", async () => {
    const other = await createTestPartnership(database);
    for (const signIn of other.signIns) {
      const response = await suite.admin.get(`/admin/users?q=${encodeURIComponent(signIn.email)}`);
      assert.equal(response.statusCode, 200);
      assert.deepEqual(listedIds(response), [], `${signIn.email} is the other partnership's`);
      assert.ok(!response.body.includes(signIn.userId));
    }
  });

  it("is refused to every other role", async () => {
    for (const role of NON_ADMIN_ROLES) {
      const client = await signedIn(suite, role);
      const response = await client.get("/admin/users?q=a&page=2");
      assert.equal(response.statusCode, 403, role);
      assert.ok(response.body.includes(FORBIDDEN));
    }
  });
});
