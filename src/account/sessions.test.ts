// SPDX-License-Identifier: MIT
/**
 * A user's own sessions, end to end over HTTP against a real database: revoking one ends it at once,
 * "sign out everywhere" ends them all, nobody can revoke someone else's, and an idle session times out.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { Role } from "../organisation/codes.ts";
import { signInFor, startTestApp, TestClient } from "../test-support/harness.ts";
import { database, partnership, useTestApp } from "../test-support/test-app.ts";

let app: FastifyInstance;

useTestApp({ app: false });

/** Gives a describe block its own app, so sign-ins in one block never count towards another's rate limit. */
const useOwnApp = () => {
  before(async () => {
    app = await startTestApp(database);
  });
  after(async () => {
    await app.close();
  });
};

const assertRedirect = (response: LightMyRequestResponse, location: string) => {
  assert.ok(
    response.statusCode >= 300 && response.statusCode < 400,
    `expected a redirect to ${location}, got ${response.statusCode}`,
  );
  assert.equal(response.headers.location, location);
};

const assertSignedIn = async (client: TestClient, because: string) => {
  const home = await client.get("/");
  assert.equal(home.statusCode, 200, because);
};

const assertSignedOut = async (client: TestClient, because: string) => {
  const home = await client.get("/");
  assert.equal(home.headers.location, "/sign-in", because);
};

/** A browser signed in as the partnership's demo user with this role (none of these has a second factor). */
const signedIn = async (role: Role): Promise<TestClient> => {
  const client = new TestClient(app);
  assertRedirect(await client.signIn(signInFor(partnership, role).email), "/");
  return client;
};

/** The sessions listed on /account/sessions, and which one is this browser's. */
const listedSessions = async (client: TestClient) => {
  const page = await client.get("/account/sessions");
  assert.equal(page.statusCode, 200);
  const rows = [...page.body.matchAll(/<tr [^>]*data-session-id="([^"]+)"[^>]*>([\s\S]*?)<\/tr>/g)];
  return {
    page,
    ids: rows.map((row) => String(row[1])),
    current: rows.filter((row) => String(row[2]).includes("This device")).map((row) => String(row[1])),
  };
};

/** The id of the session a browser is using, as its own sessions page marks it. */
const ownSessionId = async (client: TestClient): Promise<string> => {
  const { current } = await listedSessions(client);
  assert.equal(current.length, 1, "exactly one session is marked as this device");
  return String(current[0]);
};

describe("revoking one of your sessions", () => {
  useOwnApp();

  it("stops the other browser's session at once, and leaves this one working", async () => {
    const a = await signedIn("practitioner");
    const b = await signedIn("practitioner");
    const bSession = await ownSessionId(b);

    const listed = await listedSessions(a);
    assert.equal(listed.ids.length, 2, "both of the user's sessions are listed");
    assert.ok(listed.ids.includes(bSession));
    const aSession = String(listed.current[0]);
    assert.notEqual(aSession, bSession);

    const response = await a.post(`/account/sessions/${bSession}/revoke`, {});
    assertRedirect(response, "/account/sessions?revoked=1");
    const listing = await a.get("/account/sessions?revoked=1");
    assert.ok(listing.body.includes("The session has been signed out."));
    assert.ok(!listing.body.includes(bSession), "the revoked session is no longer listed");

    assertRedirect(await b.get("/"), "/sign-in");
    await assertSignedIn(a, "revoking another session leaves this one signed in");
  });

  it("signs this browser out when it revokes its own session", async () => {
    const a = await signedIn("auditor");
    const aSession = await ownSessionId(a);
    const response = await a.post(`/account/sessions/${aSession}/revoke`, {});
    assertRedirect(response, "/sign-in?signedOut=1");
    await assertSignedOut(a, "the revoked session no longer works");
  });

  it("cannot revoke a session twice, or one that does not exist", async () => {
    const a = await signedIn("analyst");
    const b = await signedIn("analyst");
    const bSession = await ownSessionId(b);
    await a.get("/account/sessions");
    assertRedirect(await a.post(`/account/sessions/${bSession}/revoke`, {}), "/account/sessions?revoked=1");
    await a.get("/account/sessions");
    assert.equal((await a.post(`/account/sessions/${bSession}/revoke`, {})).statusCode, 404);
    assert.equal((await a.post("/account/sessions/not-a-session-id/revoke", {})).statusCode, 404);
    assert.equal(
      (await a.post(`/account/sessions/${crypto.randomUUID()}/revoke`, {})).statusCode,
      404,
      "an unknown session id is not found",
    );
    await assertSignedIn(a, "failed revocations leave the caller signed in");
  });
});

describe("signing out everywhere", () => {
  useOwnApp();

  it("ends every one of the user's sessions, this one included", async () => {
    const a = await signedIn("manager");
    const b = await signedIn("manager");
    const aCookie = a.cookieHeader;
    await a.get("/account/sessions");
    const response = await a.post("/account/sessions/revoke-all", {});
    assertRedirect(response, "/sign-in?signedOut=1");
    await assertSignedOut(a, "this browser is signed out");
    await assertSignedOut(b, "the other browser is signed out too");
    const kept = await app.inject({ method: "GET", url: "/", headers: { cookie: aCookie } });
    assertRedirect(kept, "/sign-in");
  });

  it("leaves other users' sessions alone", async () => {
    const mine = await signedIn("safeguarding-lead");
    const someoneElse = await signedIn("front-door");
    await mine.get("/account/sessions");
    assertRedirect(await mine.post("/account/sessions/revoke-all", {}), "/sign-in?signedOut=1");
    await assertSignedIn(someoneElse, "another user's session is untouched");
  });
});

describe("another user's session", () => {
  useOwnApp();

  it("cannot be revoked: 404, and it keeps working", async () => {
    const victim = await signedIn("front-door");
    const victimSession = await ownSessionId(victim);
    const attacker = await signedIn("practitioner");
    await attacker.get("/account/sessions");
    assert.ok(!(await attacker.get("/account/sessions")).body.includes(victimSession), "it is not listed");

    const response = await attacker.post(`/account/sessions/${victimSession}/revoke`, {});
    assert.equal(response.statusCode, 404);
    await assertSignedIn(victim, "the other user's session still works");
    await assertSignedIn(attacker, "the attacker's own session is unaffected");
    const row = await database.unsafeOwnerDb
      .selectFrom("sessions")
      .select("revoked_at")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("session_id", "=", victimSession)
      .executeTakeFirstOrThrow();
    assert.equal(row.revoked_at, null);
  });

  it("cannot be revoked by someone who is not signed in", async () => {
    const victim = await signedIn("front-door");
    const victimSession = await ownSessionId(victim);
    const stranger = new TestClient(app);
    await stranger.get("/sign-in");
    const response = await stranger.post(`/account/sessions/${victimSession}/revoke`, {});
    assertRedirect(response, "/sign-in");
    await assertSignedIn(victim, "the session still works");
  });
});

describe("an idle session", () => {
  useOwnApp();

  const idleFor = async (sessionId: string, minutes: number) => {
    await database.unsafeOwnerDb
      .updateTable("sessions")
      .set({ last_seen_at: new Date(Date.now() - minutes * 60_000) })
      .where("partnership_id", "=", partnership.partnershipId)
      .where("session_id", "=", sessionId)
      .execute();
  };

  it("still works after 29 minutes idle", async () => {
    const client = await signedIn("analyst");
    await idleFor(await ownSessionId(client), 29);
    await assertSignedIn(client, "29 minutes is within the 30-minute idle limit");
  });

  it("ends after 31 minutes idle: the next request goes to sign in, and it stays ended", async () => {
    const client = await signedIn("auditor");
    const sessionId = await ownSessionId(client);
    await idleFor(sessionId, 31);
    assertRedirect(await client.get("/"), "/sign-in");
    assertRedirect(await client.get("/account/sessions"), "/sign-in");
    // Activity after the timeout does not bring it back.
    await idleFor(sessionId, 0);
    assertRedirect(await client.get("/"), "/sign-in");
  });
});

describe("the sessions page", () => {
  useOwnApp();

  it("is only for signed-in users", async () => {
    const stranger = new TestClient(app);
    assertRedirect(await stranger.get("/account/sessions"), "/sign-in");
    assertRedirect(await stranger.get("/account"), "/sign-in");
  });
});
