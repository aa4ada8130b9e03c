// SPDX-License-Identifier: MIT
/**
 * CSRF tokens belong to one session: a token (with its cookies) from another browser, from before sign-in
 * or from before sign-out is refused. Secure cookies carry the `__Host-` prefix. Invite links are built
 * from the configured address, whatever Host header the request carried.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { DEMO_PASSWORD } from "../generator/generate-partnership.ts";
import { signInFor, TestClient, testConfig } from "../test-support/harness.ts";
import { app, database, partnership, useTestApp } from "../test-support/test-app.ts";
import { buildApp } from "../web/app.ts";
import { currentTotpCode } from "./totp.ts";

const REFUSED = "Your form could not be accepted";

useTestApp();

/**
 * A code is accepted once, and these tests sign the administrator in several times within 30 seconds:
 * forget the last accepted code so the current one is accepted again.
 */
const forgetLastCode = () =>
  database.unsafeOwnerDb
    .updateTable("users")
    .set({ totp_last_step: null })
    .where("partnership_id", "=", partnership.partnershipId)
    .where("role", "=", "administrator")
    .execute();

const signedInAdministrator = async (): Promise<TestClient> => {
  await forgetLastCode();
  const client = new TestClient(app);
  const response = await client.signIn(signInFor(partnership, "administrator").email, {
    totpSecret: partnership.administratorTotpSecret,
  });
  assert.equal(response.headers.location, "/");
  return client;
};

const agencyCount = async (name: string) =>
  (
    await database.unsafeOwnerDb
      .selectFrom("agencies")
      .select("agency_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("name", "=", name)
      .execute()
  ).length;

/** Posts the add-agency form with exactly these cookies and token, as a forged request would. */
const postAgency = (cookies: Map<string, string>, csrf: string, name: string) =>
  app.inject({
    method: "POST",
    url: "/admin/agencies",
    payload: new URLSearchParams({ _csrf: csrf, name, agencyType: "other" }).toString(),
    headers: {
      cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; "),
      "content-type": "application/x-www-form-urlencoded",
    },
  });

const assertRefused = async (response: LightMyRequestResponse, name: string) => {
  assert.equal(response.statusCode, 403);
  assert.ok(response.body.includes(REFUSED));
  assert.equal(await agencyCount(name), 0);
};

describe("a CSRF token", () => {
  it("from another signed-in user's session is refused with the victim's session, even with its cookies", async () => {
    const victim = await signedInAdministrator();
    const attacker = new TestClient(app);
    await attacker.signIn(signInFor(partnership, "practitioner").email);
    await attacker.get("/");
    assert.ok(attacker.csrfToken);
    // The attacker's own cookies and token, with the victim's session cookie slipped in.
    const planted = new Map(attacker.cookies);
    planted.set("hearth_session", victim.cookies.get("hearth_session") ?? "");
    const name = "Agency forged with another session's token";
    await assertRefused(await postAgency(planted, attacker.csrfToken, name), name);
    assert.equal((await victim.get("/admin/agencies")).statusCode, 200, "the victim is still signed in");
  });

  it("from a browser that is not signed in, with its cookie, is refused with a signed-in session", async () => {
    const victim = await signedInAdministrator();
    const attacker = new TestClient(app);
    await attacker.get("/sign-in");
    const planted = new Map([...attacker.cookies, ...victim.cookies]);
    assert.ok(planted.has("hearth_csrf"), "the attacker's pre-sign-in CSRF cookie is sent");
    const name = "Agency forged with a pre-sign-in token";
    await assertRefused(await postAgency(planted, attacker.csrfToken, name), name);
  });

  it("from before sign-in is refused after sign-in, and one from before the second factor after it", async () => {
    const client = new TestClient(app);
    await client.get("/sign-in");
    const beforeSignIn = client.csrfToken;
    await client.post("/sign-in", {
      email: signInFor(partnership, "administrator").email,
      password: DEMO_PASSWORD,
    });
    assert.ok(!client.cookies.has("hearth_csrf"), "sign-in throws away the pre-sign-in CSRF cookie");
    await client.get("/sign-in/second-factor");
    const beforeSecondFactor = client.csrfToken;
    await forgetLastCode();
    const signedIn = await client.post("/sign-in/second-factor", {
      code: currentTotpCode(partnership.administratorTotpSecret),
    });
    assert.equal(signedIn.headers.location, "/");
    assert.notEqual(beforeSignIn, beforeSecondFactor);

    const name = "Agency posted with an old token";
    await assertRefused(await postAgency(client.cookies, beforeSignIn, name), name);
    await assertRefused(await postAgency(client.cookies, beforeSecondFactor, name), name);
    await client.get("/admin/agencies/new");
    const accepted = await postAgency(client.cookies, client.csrfToken, name);
    assert.equal(accepted.statusCode, 303, "the current page's token is accepted");
    assert.equal(await agencyCount(name), 1);
  });

  it("from before sign-out fails afterwards, signed out or signed in again", async () => {
    const client = await signedInAdministrator();
    await client.get("/admin/agencies/new");
    const old = client.csrfToken;
    const signedOut = await client.post("/sign-out", {});
    assert.equal(signedOut.headers.location, "/sign-in?signedOut=1");
    assert.ok(!client.cookies.has("hearth_csrf") && !client.cookies.has("hearth_session"));

    await client.get("/sign-in");
    const signIn = await client.post("/sign-in", {
      _csrf: old,
      email: signInFor(partnership, "practitioner").email,
      password: DEMO_PASSWORD,
    });
    assert.equal(signIn.statusCode, 403, "the old token does not sign in");
    assert.ok(signIn.body.includes(REFUSED));

    await forgetLastCode();
    await client.signIn(signInFor(partnership, "administrator").email, {
      totpSecret: partnership.administratorTotpSecret,
    });
    assert.equal((await client.get("/admin/agencies")).statusCode, 200);
    const name = "Agency posted with a token from before sign-out";
    await assertRefused(await postAgency(client.cookies, old, name), name);
  });
});

describe("with secure cookies", () => {
  it("names the session and CSRF cookies with the __Host- prefix, Secure, for the whole site", async () => {
    const secureApp = await buildApp({ config: { ...testConfig(), cookieSecure: true }, database });
    try {
      const client = new TestClient(secureApp);
      const page = await client.get("/sign-in");
      const csrf = page.cookies.find((c) => c.name === "__Host-hearth_csrf");
      assert.ok(csrf, `no __Host-hearth_csrf cookie in ${JSON.stringify(page.cookies.map((c) => c.name))}`);
      const response = await client.signIn(signInFor(partnership, "manager").email);
      assert.equal(response.headers.location, "/");
      const session = response.cookies.find((c) => c.name === "__Host-hearth_session");
      assert.ok(session, "no __Host-hearth_session cookie");
      for (const cookie of [csrf, session]) {
        assert.equal(cookie.secure, true);
        assert.equal(cookie.path, "/");
        assert.equal(cookie.domain, undefined);
      }
      assert.ok(!response.cookies.some((c) => c.name === "hearth_session"));
      assert.equal((await client.get("/")).statusCode, 200, "the prefixed cookie signs in");
    } finally {
      await secureApp.close();
    }
  });
});

describe("an invite link", () => {
  it("is built from the configured address, not the request's Host header", async () => {
    const admin = await signedInAdministrator();
    await admin.get("/admin/users/new");
    const agency = await database.unsafeOwnerDb
      .selectFrom("agencies")
      .select("agency_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .executeTakeFirstOrThrow();
    const response = await app.inject({
      method: "POST",
      url: "/admin/users",
      payload: new URLSearchParams({
        _csrf: admin.csrfToken,
        displayName: "Invited Through A Hostile Host",
        email: `hostile-host-${crypto.randomUUID()}@hearth.example`,
        agencyId: agency.agency_id,
        teamId: "",
        role: "practitioner",
      }).toString(),
      headers: {
        cookie: admin.cookieHeader,
        host: "evil.example",
        "x-forwarded-host": "evil.example",
        "content-type": "application/x-www-form-urlencoded",
      },
    });
    assert.equal(response.statusCode, 200);
    const link = /id="invite-link" href="([^"]+)"/.exec(response.body)?.[1] ?? "";
    assert.match(link, /^http:\/\/localhost:3000\/invite\/[A-Za-z0-9_-]{43}$/);
    assert.ok(!response.body.includes("evil.example"));
  });
});
