// SPDX-License-Identifier: MIT
/**
 * Single sign-on end to end against a real OpenID Connect provider (oidc-provider on a loopback port,
 * started here), Hearth over HTTP: an administrator adds the provider; an invited user signs in and is
 * linked by subject; an uninvited subject, a wrong e-mail domain, a tampered state and a replayed reply are
 * refused and audited; the provider's multi-factor claim stands for Hearth's code only where allowed;
 * signing out ends the Hearth session and offers the provider's sign-out.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import {
  createTestPartnership,
  openTestDatabase,
  signInFor,
  startTestApp,
  TestClient,
  testConfig,
  userFor,
} from "../test-support/harness.ts";
import { startOidcProvider, type TestOidcProvider } from "../test-support/oidc-provider.ts";

const CALLBACK = `${testConfig().baseUrl}/sign-in/sso/callback`;

let database: HearthDatabase;
let partnership: GeneratedPartnership;
let app: FastifyInstance;
let provider: TestOidcProvider;
let practitionerEmail: string;
let practitionerId: string;
let adminEmail: string;
let providerId: string;

/**
 * Plays the browser at the provider: follows its redirects, signs in on its development page as the
 * subject and consents, until it sends the browser back to Hearth.
 * @returns The callback address (with code and state) the provider redirected to.
 */
const signInAtProvider = async (authorizeUrl: string, subject: string): Promise<URL> => {
  const cookies = new Map<string, string>();
  let url = new URL(authorizeUrl);
  let body: URLSearchParams | undefined;
  for (let step = 0; step < 20; step++) {
    if (url.href.startsWith(CALLBACK)) return url;
    const response = await fetch(url, {
      method: body ? "POST" : "GET",
      redirect: "manual",
      headers: {
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; "),
        ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      ...(body ? { body } : {}),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const [name, ...value] = (pair ?? "").split("=");
      if (name) cookies.set(name.trim(), value.join("="));
    }
    body = undefined;
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      url = new URL(location, url);
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(
      action && prompt,
      `the provider showed an unexpected page (${response.status}): ${html.slice(0, 300)}`,
    );
    url = new URL(action, url);
    body = new URLSearchParams(
      prompt === "login" ? { prompt, login: subject, password: "any password" } : { prompt },
    );
  }
  throw new Error("the provider never sent the browser back to Hearth");
};

/** Starts a sign-in from Hearth's sign-in page and signs in at the provider as the subject. */
const startAndSignIn = async (client: TestClient, subject: string, id = providerId) => {
  const start = await client.get(`/sign-in/sso/${id}`);
  assert.equal(start.statusCode, 303);
  const location = String(start.headers.location);
  assert.ok(location.startsWith(provider.issuer), "Hearth sends the browser to the provider");
  const authorize = new URL(location);
  assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
  assert.ok(authorize.searchParams.get("state") && authorize.searchParams.get("nonce"));
  return signInAtProvider(location, subject);
};

/** The path and query of Hearth's callback, as the browser would request it. */
const pathOf = (url: URL) => `${url.pathname}${url.search}`;

const refusalsSince = async (since: Date) =>
  database.unsafeOwnerDb
    .selectFrom("audit_log")
    .select(["action", "record_type", "details"])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("action", "=", "sign-in-failed")
    .where("record_type", "=", "sso-provider")
    .where("occurred_at", ">=", since)
    .execute();

before(async () => {
  database = await openTestDatabase();
  partnership = await createTestPartnership(database);
  app = await startTestApp(database);
  const practitioner = await userFor(database, partnership, "practitioner");
  practitionerEmail = practitioner.email;
  practitionerId = practitioner.context.userId;
  adminEmail = signInFor(partnership, "administrator").email;
  provider = await startOidcProvider({
    redirectUri: CALLBACK,
    postLogoutRedirectUri: `${testConfig().baseUrl}/sign-in?signedOut=1`,
    emails: {
      "practitioner-subject": practitionerEmail,
      "admin-subject": adminEmail,
      "admin-mfa-subject": adminEmail,
      "outsider-subject": `someone.else@${practitionerEmail.split("@")[1]}`,
      "other-domain-subject": "person@elsewhere.example",
      "grouped-subject": `new.starter@${practitionerEmail.split("@")[1]}`,
      "two-groups-subject": `two.groups@${practitionerEmail.split("@")[1]}`,
      "unmapped-group-subject": `unmapped@${practitionerEmail.split("@")[1]}`,
    },
    mfaSubjects: ["admin-mfa-subject"],
    groups: {
      "grouped-subject": ["everyone-at-the-council", "hearth-early-help-practitioners"],
      "two-groups-subject": ["hearth-early-help-practitioners", "hearth-managers"],
      "unmapped-group-subject": ["everyone-at-the-council"],
    },
  });
});

after(async () => {
  await provider?.close();
  await app?.close();
  await database?.close();
});

describe("single sign-on through the partnership's identity provider", () => {
  it("is set up by an administrator, whose page never shows the client secret again", async () => {
    const admin = new TestClient(app);
    await admin.signIn(adminEmail, { totpSecret: partnership.administratorTotpSecret });
    const form = await admin.get("/admin/sign-in-providers/new");
    assert.equal(form.statusCode, 200);
    const missing = await admin.post("/admin/sign-in-providers", { displayName: "Test council staff" });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /Enter the issuer address/);
    const added = await admin.post("/admin/sign-in-providers", {
      displayName: "Test council staff",
      issuer: provider.issuer,
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      allowedEmailDomains: practitionerEmail.split("@")[1] ?? "",
      acceptProviderMfa: "no",
    });
    assert.equal(added.statusCode, 303);
    const page = await admin.get("/admin/sign-in-providers");
    assert.match(page.body, /Test council staff/);
    assert.doesNotMatch(page.body, new RegExp(provider.clientSecret));
    const row = await database.unsafeOwnerDb
      .selectFrom("sso_providers")
      .select(["provider_id", "client_secret_encrypted"])
      .where("partnership_id", "=", partnership.partnershipId)
      .executeTakeFirstOrThrow();
    assert.ok(!row.client_secret_encrypted.includes(provider.clientSecret), "the secret is stored encrypted");
    providerId = row.provider_id;
    // Signed out, the sign-in page asks for a work e-mail address and lists no partnership's provider;
    // the address's domain finds the provider.
    const visitor = new TestClient(app);
    const signInPage = await visitor.get("/sign-in");
    assert.match(signInPage.body, /Work email address/);
    assert.doesNotMatch(signInPage.body, /Test council staff/);
    assert.doesNotMatch(signInPage.body, new RegExp(`/sign-in/sso/${providerId}`));
    const found = await visitor.post("/sign-in/sso", { ssoEmail: ` ${practitionerEmail.toUpperCase()} ` });
    assert.equal(found.statusCode, 200);
    assert.match(found.body, new RegExp(`href="/sign-in/sso/${providerId}"`));
    assert.match(found.body, /Sign in with Test council staff/);
    const elsewhere = await visitor.post("/sign-in/sso", { ssoEmail: "person@elsewhere.example" });
    assert.equal(elsewhere.statusCode, 400);
    assert.match(elsewhere.body, /Hearth has no organisation sign-in for this email address/);
    assert.doesNotMatch(elsewhere.body, /Test council staff/);
    const malformed = await visitor.post("/sign-in/sso", { ssoEmail: "not an address" });
    assert.equal(malformed.statusCode, 400);
    assert.match(malformed.body, /Enter an email address in the correct format/);
  });

  it("never offers another partnership's provider, even for an e-mail domain both allow", async () => {
    const other = await createTestPartnership(database, 5);
    const otherUser = await userFor(database, other, "practitioner");
    const domain = practitionerEmail.split("@")[1] ?? "";
    const otherDomain = otherUser.email.split("@")[1] ?? "";
    // A fixture: the other partnership's provider also allows this partnership's domain.
    const sharedId = crypto.randomUUID();
    await database.unsafeOwnerDb
      .insertInto("sso_providers")
      .values({
        partnership_id: other.partnershipId,
        provider_id: sharedId,
        display_name: "Other partnership's staff",
        issuer: "https://login.other.example",
        client_id: "other-client",
        client_secret_encrypted: "not-a-secret",
        allowed_email_domains: [domain],
        accept_provider_mfa: false,
        created_by: otherUser.context.userId,
      })
      .execute();
    try {
      const visitor = new TestClient(app);
      await visitor.get("/sign-in");
      // The practitioner's account is in this partnership: only its provider.
      const own = await visitor.post("/sign-in/sso", { ssoEmail: practitionerEmail });
      assert.equal(own.statusCode, 200);
      assert.match(own.body, new RegExp(`href="/sign-in/sso/${providerId}"`));
      assert.doesNotMatch(own.body, new RegExp(sharedId));
      assert.doesNotMatch(own.body, /Other partnership/);
      // No account with the address, and two partnerships allow its domain: neither is offered.
      const unknown = await visitor.post("/sign-in/sso", { ssoEmail: `nobody.here@${domain}` });
      assert.equal(unknown.statusCode, 400);
      assert.doesNotMatch(unknown.body, /Other partnership|Test council staff/);
      // The other partnership's own domain: its provider does not allow it, and this one's is not offered.
      const theirs = await visitor.post("/sign-in/sso", { ssoEmail: otherUser.email });
      assert.equal(theirs.statusCode, 400);
      assert.notEqual(otherDomain, domain);
    } finally {
      await database.unsafeOwnerDb
        .deleteFrom("sso_providers")
        .where("partnership_id", "=", other.partnershipId)
        .where("provider_id", "=", sharedId)
        .execute();
    }
  });

  it("is refused to anyone but an administrator", async () => {
    const practitioner = new TestClient(app);
    await practitioner.signIn(practitionerEmail);
    const page = await practitioner.get("/admin/sign-in-providers");
    assert.equal(page.statusCode, 403);
    const add = await practitioner.post("/admin/sign-in-providers", {
      displayName: "Mine",
      issuer: provider.issuer,
      clientId: "x",
      clientSecret: "y",
      allowedEmailDomains: "example.org",
      acceptProviderMfa: "yes",
    });
    assert.equal(add.statusCode, 403);
    assert.equal(
      await practitioner.app.inject({ url: "/admin/sign-in-providers" }).then((r) => r.statusCode),
      302,
    );
  });

  it("signs in an invited user, links their subject, and signing out ends the Hearth session", async () => {
    const client = new TestClient(app);
    const callback = await startAndSignIn(client, "practitioner-subject");
    const back = await client.get(pathOf(callback));
    assert.equal(back.statusCode, 303);
    const home = await client.get("/");
    assert.equal(home.statusCode, 200, "the invited user reaches the worklist home");
    const identity = await database.unsafeOwnerDb
      .selectFrom("sso_identities")
      .select(["user_id", "subject"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("provider_id", "=", providerId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(identity, { user_id: practitionerId, subject: "practitioner-subject" });

    // Replaying the same reply finds no sign-in in progress.
    const replay = await client.get(pathOf(callback));
    assert.equal(replay.statusCode, 400);
    assert.match(replay.body, /has already been used/);

    const out = await client.post("/sign-out", {});
    assert.equal(out.statusCode, 303);
    assert.match(String(out.headers.location), new RegExp(`provider=${providerId}`));
    const signedOut = await client.get(String(out.headers.location));
    assert.match(signedOut.body, /Sign out of Test council staff too/);
    assert.match(signedOut.body, new RegExp(`${provider.issuer}/session/end`));
    const again = await client.get("/");
    assert.equal(again.statusCode, 302, "the Hearth session has ended");
  });

  it("refuses an uninvited subject, a wrong e-mail domain and a tampered state, and audits each", async () => {
    const since = new Date();
    const outsider = new TestClient(app);
    const refused = await outsider.get(pathOf(await startAndSignIn(outsider, "outsider-subject")));
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /You do not have a Hearth account yet/);
    assert.equal((await outsider.get("/")).statusCode, 302);

    const stranger = new TestClient(app);
    const domain = await stranger.get(pathOf(await startAndSignIn(stranger, "other-domain-subject")));
    assert.equal(domain.statusCode, 400);
    assert.match(domain.body, /not one this sign-in service may be used for/);

    const tamperer = new TestClient(app);
    const callback = await startAndSignIn(tamperer, "practitioner-subject");
    callback.searchParams.set("state", "tampered-state");
    const tampered = await tamperer.get(pathOf(callback));
    assert.equal(tampered.statusCode, 400);
    assert.match(tampered.body, /did not match the sign-in this browser started/);
    assert.equal((await tamperer.get("/")).statusCode, 302);

    const reasons = (await refusalsSince(since)).map((r) => (r.details as { reason: string }).reason).sort();
    assert.deepEqual(reasons, ["email-domain", "not-invited", "state-mismatch"]);
  });

  it("asks an administrator for Hearth's code unless the provider's multi-factor claim is accepted", async () => {
    const plain = new TestClient(app);
    await plain.get(pathOf(await startAndSignIn(plain, "admin-subject")));
    const home = await plain.get("/");
    assert.equal(home.statusCode, 302);
    assert.equal(home.headers.location, "/sign-in/second-factor");

    // The provider's claim is not accepted yet: the multi-factor sign-in still needs Hearth's code...
    await database.unsafeOwnerDb
      .deleteFrom("sso_identities")
      .where("subject", "=", "admin-subject")
      .execute();
    const mfaFirst = new TestClient(app);
    await mfaFirst.get(pathOf(await startAndSignIn(mfaFirst, "admin-mfa-subject")));
    assert.equal((await mfaFirst.get("/")).headers.location, "/sign-in/second-factor");

    // ...and once the administrator accepts it, the provider's multi-factor sign-in is enough.
    await database.unsafeOwnerDb
      .updateTable("sso_providers")
      .set({ accept_provider_mfa: true })
      .where("provider_id", "=", providerId)
      .execute();
    const mfa = new TestClient(app);
    await mfa.get(pathOf(await startAndSignIn(mfa, "admin-mfa-subject")));
    assert.equal((await mfa.get("/")).statusCode, 200);
  });

  it("makes the account of a member of a group the administrator mapped to a team and role, and no other", async () => {
    const team = await database.unsafeOwnerDb
      .selectFrom("teams")
      .select(["team_id", "agency_id"])
      .where("partnership_id", "=", partnership.partnershipId)
      .orderBy("name")
      .executeTakeFirstOrThrow();
    const otherTeam = await database.unsafeOwnerDb
      .selectFrom("teams")
      .select("team_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("team_id", "<>", team.team_id)
      .executeTakeFirstOrThrow();
    const admin = new TestClient(app);
    await admin.signIn(adminEmail, { totpSecret: partnership.administratorTotpSecret });
    await admin.get("/admin/sign-in-providers");
    const url = `/admin/sign-in-providers/${providerId}/group-mappings`;
    // Never the administrator role; every field named.
    const toAdmin = await admin.post(url, {
      groupClaim: "hearth-admins",
      teamId: team.team_id,
      role: "administrator",
    });
    assert.equal(toAdmin.statusCode, 400);
    assert.match(toAdmin.body, /administrators are only ever invited/);
    const empty = await admin.post(url, { groupClaim: " ", teamId: "", role: "" });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Enter the group&#39;s id|Enter the group's id/);
    assert.equal(
      (
        await admin.post(url, {
          groupClaim: "hearth-early-help-practitioners",
          teamId: team.team_id,
          role: "practitioner",
        })
      ).statusCode,
      303,
    );
    assert.equal(
      (await admin.post(url, { groupClaim: "hearth-managers", teamId: otherTeam.team_id, role: "manager" }))
        .statusCode,
      303,
    );
    const page = await admin.get("/admin/sign-in-providers");
    assert.match(page.body, /hearth-early-help-practitioners/);

    // Anyone else is refused, and the refusal audited.
    const practitioner = new TestClient(app);
    await practitioner.signIn(practitionerEmail);
    await practitioner.get("/");
    const refusedMapping = await practitioner.post(url, {
      groupClaim: "everyone-at-the-council",
      teamId: team.team_id,
      role: "safeguarding-lead",
    });
    assert.equal(refusedMapping.statusCode, 403);
    const mappings = await database.unsafeOwnerDb
      .selectFrom("sso_group_mappings")
      .select("group_claim")
      .where("partnership_id", "=", partnership.partnershipId)
      .execute();
    assert.deepEqual(mappings.map((m) => m.group_claim).sort(), [
      "hearth-early-help-practitioners",
      "hearth-managers",
    ]);

    // A member of the mapped group signs in for the first time: the account is made in the team, with the role.
    const newcomer = new TestClient(app);
    assert.equal(
      (await newcomer.get(pathOf(await startAndSignIn(newcomer, "grouped-subject")))).statusCode,
      303,
    );
    assert.equal((await newcomer.get("/")).statusCode, 200, "the new member reaches the worklist home");
    const made = await database.unsafeOwnerDb
      .selectFrom("users")
      .select(["user_id", "role", "team_id", "agency_id", "display_name", "password_hash"])
      .where("email", "=", `new.starter@${practitionerEmail.split("@")[1]}`)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      { role: made.role, team: made.team_id, agency: made.agency_id, password: made.password_hash },
      { role: "practitioner", team: team.team_id, agency: team.agency_id, password: null },
    );
    assert.equal(made.display_name, "Test person grouped-subject");
    const created = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("details")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("action", "=", "create")
      .where("record_type", "=", "user")
      .where("record_id", "=", made.user_id)
      .execute();
    assert.equal(created.length, 1);
    assert.equal(
      (created[0]?.details as { group?: string } | undefined)?.group,
      "hearth-early-help-practitioners",
    );
    // Signing in again finds the same account by subject.
    const again = new TestClient(app);
    await again.get(pathOf(await startAndSignIn(again, "grouped-subject")));
    assert.equal((await again.get("/")).statusCode, 200);
    const accounts = await database.unsafeOwnerDb
      .selectFrom("users")
      .select("user_id")
      .where("email", "=", `new.starter@${practitionerEmail.split("@")[1]}`)
      .execute();
    assert.equal(accounts.length, 1);

    // A group nobody mapped is refused as uninvited; two mapped groups giving different places are refused.
    const since = new Date();
    const unmapped = new TestClient(app);
    const notInvited = await unmapped.get(pathOf(await startAndSignIn(unmapped, "unmapped-group-subject")));
    assert.equal(notInvited.statusCode, 403);
    assert.match(notInvited.body, /You do not have a Hearth account yet/);
    const both = new TestClient(app);
    const ambiguous = await both.get(pathOf(await startAndSignIn(both, "two-groups-subject")));
    assert.equal(ambiguous.statusCode, 400);
    assert.match(ambiguous.body, /more than one Hearth team or role/);
    const reasons = (await refusalsSince(since)).map((r) => (r.details as { reason: string }).reason).sort();
    assert.deepEqual(reasons, ["group-ambiguous", "not-invited"]);
    const strays = await database.unsafeOwnerDb
      .selectFrom("users")
      .select("user_id")
      .where("email", "in", [
        `unmapped@${practitionerEmail.split("@")[1]}`,
        `two.groups@${practitionerEmail.split("@")[1]}`,
      ])
      .execute();
    assert.equal(strays.length, 0);

    // Switched off, a mapping makes no more accounts.
    const active = await database.unsafeOwnerDb
      .selectFrom("sso_group_mappings")
      .select("mapping_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("group_claim", "=", "hearth-managers")
      .executeTakeFirstOrThrow();
    await admin.get("/admin/sign-in-providers");
    const off = await admin.post(`${url}/${active.mapping_id}/deactivate`, {});
    assert.equal(off.statusCode, 303);
    const afterOff = new TestClient(app);
    await afterOff.get(pathOf(await startAndSignIn(afterOff, "two-groups-subject")));
    assert.equal((await afterOff.get("/")).statusCode, 200, "one mapped group left: the account is made");
  });
});
