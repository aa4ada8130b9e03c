// SPDX-License-Identifier: MIT
/**
 * Administering a partnership, end to end over HTTP against a real database: agencies, teams, inviting a
 * user and their first sign-in, role changes, deactivation and second-factor resets with reasons in the
 * audit history, validation messages that name their field, and the refusals: every administration page
 * for every other role, and anything in another partnership.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { currentTotpCode } from "../auth/totp.ts";
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import {
  createTestPartnership,
  openTestDatabase,
  signInFor,
  startTestApp,
  TestClient,
} from "../test-support/harness.ts";
import { unclassifiedMethods } from "../test-support/method-access.ts";
import type { Role } from "./codes.ts";
import { OrganisationDirectoryRepository } from "./organisation-directory-repository.ts";
import { UserAccountsRepository } from "./user-accounts-repository.ts";

const WRONG_CREDENTIALS = "Enter a correct email address and password";
const FORBIDDEN = "You do not have access to this page";
const NON_ADMIN_ROLES: Role[] = [
  "practitioner",
  "manager",
  "safeguarding-lead",
  "front-door",
  "analyst",
  "auditor",
];

let database: HearthDatabase;

before(async () => {
  database = await openTestDatabase();
});

after(async () => {
  await database.close();
});

type Suite = { partnership: GeneratedPartnership; app: FastifyInstance; admin: TestClient };

/**
 * Gives a describe block its own partnership and app (so its own rate-limit counters), with the
 * partnership's administrator signed in, second factor and all.
 */
const ownPartnershipWithAdmin = (): Suite => {
  const suite = {} as Suite;
  before(async () => {
    suite.partnership = await createTestPartnership(database);
    suite.app = await startTestApp(database);
    suite.admin = new TestClient(suite.app);
    const response = await suite.admin.signIn(signInFor(suite.partnership, "administrator").email, {
      totpSecret: suite.partnership.administratorTotpSecret,
    });
    assertRedirect(response, "/");
  });
  after(async () => {
    await suite.app.close();
  });
  return suite;
};

const assertRedirect = (response: LightMyRequestResponse, location: string) => {
  assert.ok(
    response.statusCode >= 300 && response.statusCode < 400,
    `expected a redirect to ${location}, got ${response.statusCode}`,
  );
  assert.equal(response.headers.location, location);
};

/** The page's text as a reader sees it: HTML entities decoded. */
const text = (response: LightMyRequestResponse): string =>
  response.body
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

const capture = (pattern: RegExp, body: string, what: string): string => {
  const match = pattern.exec(body);
  if (!match?.[1]) return assert.fail(`${what} is not in the page`);
  return match[1];
};

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The value of the <option> showing this label. */
const optionValue = (response: LightMyRequestResponse, label: string): string =>
  capture(
    new RegExp(`<option value="([^"]+)"[^>]*>${escapeRegExp(label)}</option>`),
    response.body,
    `the option "${label}"`,
  );

/** Asserts a 400 whose error summary links to the field and gives the message. */
const assertFieldError = (response: LightMyRequestResponse, field: string, message: string) => {
  assert.equal(response.statusCode, 400, `expected 400 for ${field}, got ${response.statusCode}`);
  assert.match(response.body, /<title[^>]*>Error: /, "the page title starts with Error:");
  assert.ok(response.body.includes("There is a problem"), "the error summary is shown");
  assert.ok(response.body.includes(`href="#${field}"`), `the error summary links to #${field}`);
  assert.ok(text(response).includes(message), `the page says "${message}"`);
};

/** A browser signed in as the partnership's demo user with this role (no second factor). */
const signedIn = async (suite: Suite, role: Role): Promise<TestClient> => {
  const client = new TestClient(suite.app);
  assertRedirect(await client.signIn(signInFor(suite.partnership, role).email), "/");
  return client;
};

const userRow = (partnershipId: string, userId: string) =>
  database.unsafeOwnerDb
    .selectFrom("users")
    .select(["role", "deactivated_at", "totp_confirmed_at", "password_hash"])
    .where("partnership_id", "=", partnershipId)
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();

/** How many of the partnership's agencies or teams have this name, or users this email address. */
const countRows = async (
  table: "agencies" | "teams" | "users",
  partnershipId: string,
  value: string,
): Promise<number> => {
  const db = database.unsafeOwnerDb;
  const rows =
    table === "users"
      ? await db
          .selectFrom("users")
          .select("user_id")
          .where("partnership_id", "=", partnershipId)
          .where("email", "=", value)
          .execute()
      : await db
          .selectFrom(table)
          .select("partnership_id")
          .where("partnership_id", "=", partnershipId)
          .where("name", "=", value)
          .execute();
  return rows.length;
};

const agenciesOf = (partnershipId: string) =>
  database.unsafeOwnerDb
    .selectFrom("agencies")
    .select(["agency_id", "name"])
    .where("partnership_id", "=", partnershipId)
    .execute();

describe("an invited user's journey", () => {
  const suite = ownPartnershipWithAdmin();
  const suffix = randomUUID().slice(0, 8);
  const agencyName = `Riverside Family Hub ${suffix}`;
  const teamName = `Under Fives Team ${suffix}`;
  const invitee = { displayName: "Rowan Ashdown", email: `rowan.ashdown.${suffix}@example.org` };
  const goodPassword = "violet harbour piano";
  let inviteToken = "";
  let inviteeId = "";

  it("the administrator adds an agency, which then appears in the list", async () => {
    await suite.admin.get("/admin/agencies/new");
    const response = await suite.admin.post("/admin/agencies", {
      name: agencyName,
      agencyType: "early-help",
    });
    assertRedirect(response, "/admin/agencies?added=1");
    const list = await suite.admin.get("/admin/agencies?added=1");
    assert.equal(list.statusCode, 200);
    assert.ok(list.body.includes("The agency has been added."));
    assert.ok(list.body.includes(agencyName));
    assert.ok(list.body.includes("Early help"));
  });

  it("the administrator adds a team to that agency", async () => {
    const form = await suite.admin.get("/admin/teams/new");
    const agencyId = optionValue(form, agencyName);
    const response = await suite.admin.post("/admin/teams", { agencyId, name: teamName });
    assertRedirect(response, "/admin/teams?added=1");
    const list = await suite.admin.get("/admin/teams?added=1");
    assert.ok(list.body.includes("The team has been added."));
    assert.ok(list.body.includes(teamName));
  });

  it("the administrator invites a user into them, and the page shows the invite link", async () => {
    const form = await suite.admin.get("/admin/users/new");
    const response = await suite.admin.post("/admin/users", {
      ...invitee,
      agencyId: optionValue(form, agencyName),
      teamId: optionValue(form, `${agencyName}: ${teamName}`),
      role: "practitioner",
    });
    assert.equal(response.statusCode, 200);
    assert.ok(response.body.includes("Invite created"));
    inviteToken = capture(/\/invite\/([A-Za-z0-9_-]+)"/, response.body, "the invite link");
    inviteeId = capture(/href="\/admin\/users\/([0-9a-f-]{36})"/, response.body, "the account link");

    const account = await suite.admin.get(`/admin/users/${inviteeId}`);
    assert.equal(account.statusCode, 200);
    assert.ok(account.body.includes(invitee.email));
    assert.ok(account.body.includes("Invited: has not yet set a password"));
    assert.ok(account.body.includes(teamName));
    // Until they choose a password, nobody can sign in as them.
    const early = await new TestClient(suite.app).signIn(invitee.email, { password: goodPassword });
    assert.equal(early.statusCode, 401);
  });

  it("the invite link refuses a weak password, naming the problem", async () => {
    const client = new TestClient(suite.app);
    const page = await client.get(`/invite/${inviteToken}`);
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes("Create your password"));
    assert.ok(page.body.includes(invitee.email));

    const common = await client.post(`/invite/${inviteToken}`, {
      password: "password1234",
      confirmPassword: "password1234",
    });
    assertFieldError(common, "password", "Password is too common");
    const short = await client.post(`/invite/${inviteToken}`, {
      password: "short",
      confirmPassword: "short",
    });
    assertFieldError(short, "password", "Password must be 12 characters or more");
    const personal = await client.post(`/invite/${inviteToken}`, {
      password: "rowan walks the dog",
      confirmPassword: "rowan walks the dog",
    });
    assertFieldError(personal, "password", "Password must not contain your name or email address");
    assert.equal((await userRow(suite.partnership.partnershipId, inviteeId)).password_hash, null);
  });

  it("the invite link refuses a confirmation that does not match", async () => {
    const client = new TestClient(suite.app);
    await client.get(`/invite/${inviteToken}`);
    const response = await client.post(`/invite/${inviteToken}`, {
      password: goodPassword,
      confirmPassword: "violet harbour pianos",
    });
    assertFieldError(response, "confirmPassword", "The passwords do not match");
    assert.equal((await userRow(suite.partnership.partnershipId, inviteeId)).password_hash, null);
  });

  it("the invite link accepts a good password, and then no longer works", async () => {
    const client = new TestClient(suite.app);
    await client.get(`/invite/${inviteToken}`);
    const response = await client.post(`/invite/${inviteToken}`, {
      password: goodPassword,
      confirmPassword: goodPassword,
    });
    assertRedirect(response, "/sign-in?accountCreated=1");
    const signInPage = await client.get("/sign-in?accountCreated=1");
    assert.ok(signInPage.body.includes("Your password has been created. Sign in to continue."));

    const again = await client.get(`/invite/${inviteToken}`);
    assert.equal(again.statusCode, 404);
    assert.ok(again.body.includes("This invite link does not work"));
    const reuse = await client.post(`/invite/${inviteToken}`, {
      password: "another fine passphrase",
      confirmPassword: "another fine passphrase",
    });
    assert.equal(reuse.statusCode, 404, "a used link cannot set the password again");
    const withReusedPassword = await new TestClient(suite.app).signIn(invitee.email, {
      password: "another fine passphrase",
    });
    assert.equal(withReusedPassword.statusCode, 401);
  });

  it("the new user can sign in with their password", async () => {
    const client = new TestClient(suite.app);
    assertRedirect(await client.signIn(invitee.email, { password: goodPassword }), "/");
    const home = await client.get("/");
    assert.equal(home.statusCode, 200);
    assert.ok(home.body.includes(`Welcome, ${invitee.displayName}`));
    assert.ok(home.body.includes("You are signed in as practitioner"));
    const account = await suite.admin.get(`/admin/users/${inviteeId}`);
    assert.ok(account.body.includes("Active"));
    assert.ok(!account.body.includes("Invited: has not yet set a password"));
  });

  it("an invite link stops working when it expires", async () => {
    const form = await suite.admin.get("/admin/users/new");
    const email = `late.starter.${suffix}@example.org`;
    const invited = await suite.admin.post("/admin/users", {
      displayName: "Late Starter",
      email,
      agencyId: optionValue(form, agencyName),
      teamId: "",
      role: "practitioner",
    });
    const token = capture(/\/invite\/([A-Za-z0-9_-]+)"/, invited.body, "the invite link");
    const userId = capture(/href="\/admin\/users\/([0-9a-f-]{36})"/, invited.body, "the account link");
    await database.unsafeOwnerDb
      .updateTable("invites")
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .where("partnership_id", "=", suite.partnership.partnershipId)
      .where("user_id", "=", userId)
      .execute();

    const client = new TestClient(suite.app);
    const page = await client.get(`/invite/${token}`);
    assert.equal(page.statusCode, 404);
    assert.ok(page.body.includes("This invite link does not work"));
    await client.get("/sign-in");
    const post = await client.post(`/invite/${token}`, {
      password: goodPassword,
      confirmPassword: goodPassword,
    });
    assert.equal(post.statusCode, 404);
    assert.equal((await userRow(suite.partnership.partnershipId, userId)).password_hash, null);
  });
});

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

describe("validation errors", () => {
  const suite = ownPartnershipWithAdmin();

  it("an empty invite names each missing field, each linked from the error summary", async () => {
    await suite.admin.get("/admin/users/new");
    const response = await suite.admin.post("/admin/users", {
      displayName: "",
      email: "",
      agencyId: "",
      teamId: "",
    });
    assertFieldError(response, "displayName", "Enter the person's full name");
    assertFieldError(response, "email", "Enter the person's work email address");
    assertFieldError(response, "agencyId", "Select the person's agency");
    assertFieldError(response, "role", "Select the person's role");
  });

  it("an invite with a malformed email address names the email field and keeps what was typed", async () => {
    const form = await suite.admin.get("/admin/users/new");
    const agency = (await agenciesOf(suite.partnership.partnershipId))[0];
    assert.ok(agency);
    const response = await suite.admin.post("/admin/users", {
      displayName: "Sam Taylor",
      email: "sam.taylor-at-example.org",
      agencyId: agency.agency_id,
      teamId: "",
      role: "practitioner",
    });
    assertFieldError(response, "email", "Enter an email address in the correct format");
    assert.ok(response.body.includes('value="Sam Taylor"'));
    assert.ok(form.body.includes("Invite a user"));
    assert.equal(await countRows("users", suite.partnership.partnershipId, "sam.taylor-at-example.org"), 0);
  });

  it("an invite for an email address already in use names the email field", async () => {
    await suite.admin.get("/admin/users/new");
    const existing = signInFor(suite.partnership, "practitioner");
    const agency = (await agenciesOf(suite.partnership.partnershipId))[0];
    assert.ok(agency);
    const response = await suite.admin.post("/admin/users", {
      displayName: "Someone Else",
      email: existing.email.toUpperCase(),
      agencyId: agency.agency_id,
      teamId: "",
      role: "practitioner",
    });
    assertFieldError(response, "email", "A user with this email address already exists");
  });

  it("an invite with a team from another agency names the team field", async () => {
    await suite.admin.get("/admin/users/new");
    const teams = await database.unsafeOwnerDb
      .selectFrom("teams")
      .select(["team_id", "agency_id"])
      .where("partnership_id", "=", suite.partnership.partnershipId)
      .execute();
    const team = teams[0];
    assert.ok(team);
    const otherAgency = (await agenciesOf(suite.partnership.partnershipId)).find(
      (a) => a.agency_id !== team.agency_id,
    );
    assert.ok(otherAgency);
    const email = `wrong.team.${randomUUID().slice(0, 8)}@example.org`;
    const response = await suite.admin.post("/admin/users", {
      displayName: "Wrong Team",
      email,
      agencyId: otherAgency.agency_id,
      teamId: team.team_id,
      role: "practitioner",
    });
    assertFieldError(response, "teamId", "Select a team in the user's agency, or no team");
    assert.equal(await countRows("users", suite.partnership.partnershipId, email), 0);
  });

  it("an agency without a name or a type names both fields", async () => {
    await suite.admin.get("/admin/agencies/new");
    const response = await suite.admin.post("/admin/agencies", { name: "  " });
    assertFieldError(response, "name", "Enter the agency's name");
    assertFieldError(response, "agencyType", "Select the type of agency");
  });

  it("an agency whose name is already taken names the name field", async () => {
    await suite.admin.get("/admin/agencies/new");
    const existing = (await agenciesOf(suite.partnership.partnershipId))[0];
    assert.ok(existing);
    const response = await suite.admin.post("/admin/agencies", {
      name: existing.name.toUpperCase(),
      agencyType: "other",
    });
    assertFieldError(response, "name", "An agency with this name already exists");
  });

  it("a team without an agency or a name names both fields", async () => {
    await suite.admin.get("/admin/teams/new");
    const response = await suite.admin.post("/admin/teams", { agencyId: "", name: "" });
    assertFieldError(response, "agencyId", "Select the agency this team belongs to");
    assertFieldError(response, "name", "Enter the team's name");
  });
});

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

describe("the organisation repository's methods", () => {
  it("are each declared in the sub-area repository that does the work", () => {
    for (const repository of [OrganisationDirectoryRepository, UserAccountsRepository]) {
      assert.deepEqual(unclassifiedMethods(repository), { undeclared: [], stale: [] }, repository.name);
    }
  });
});
