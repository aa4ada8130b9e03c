// SPDX-License-Identifier: MIT
/**
 * Administering a partnership over HTTP against a real database: adding an agency and a team, inviting a
 * user and their first sign-in through the invite link, and the validation messages of the invite, agency
 * and team forms, each naming its field.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { signInFor, TestClient } from "../test-support/harness.ts";
import {
  agenciesOf,
  assertFieldError,
  assertRedirect,
  capture,
  countRows,
  database,
  optionValue,
  ownPartnershipWithAdmin,
  userRow,
  useTestDatabase,
} from "./admin-test-support.ts";

useTestDatabase();

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
