// SPDX-License-Identifier: MIT
/**
 * Signing in, end to end over HTTP against a real database: security headers, the session cookie, wrong
 * credentials, throttling, CSRF, the administrator's second factor (including replayed codes) and sign-out.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { HearthDatabase } from "../db/database.ts";
import { DEMO_PASSWORD, type GeneratedPartnership } from "../generator/generate-partnership.ts";
import {
  createTestPartnership,
  openTestDatabase,
  signInFor,
  startTestApp,
  TestClient,
} from "../test-support/harness.ts";
import { backOffMs, throttleKey } from "./throttle.ts";
import { currentTotpCode } from "./totp.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const WRONG_CREDENTIALS = "Enter a correct email address and password";
const WAIT = "You have made too many attempts. Wait 1 second, then try again.";
const WRONG_CODE = "The code is not correct or has already been used";

let database: HearthDatabase;

before(async () => {
  database = await openTestDatabase();
});

after(async () => {
  await database.close();
});

/**
 * Gives a describe block its own partnership and its own app (so its own rate-limit counters), made
 * before its tests and closed after them.
 */
const ownPartnershipAndApp = () => {
  const suite = {} as { partnership: GeneratedPartnership; app: FastifyInstance };
  before(async () => {
    suite.partnership = await createTestPartnership(database);
    suite.app = await startTestApp(database);
  });
  after(async () => {
    await suite.app.close();
  });
  return suite;
};

/** Sends a GET with exactly this cookie header, as a browser holding an old cookie would. */
const getWithCookie = (app: FastifyInstance, cookie: string, url: string) =>
  app.inject({ method: "GET", url, headers: { cookie } });

const assertRedirect = (response: LightMyRequestResponse, location: string) => {
  assert.ok(
    response.statusCode >= 300 && response.statusCode < 400,
    `expected a redirect to ${location}, got ${response.statusCode}`,
  );
  assert.equal(response.headers.location, location);
};

const sessionCookieIn = (response: LightMyRequestResponse) =>
  response.cookies.find((cookie) => cookie.name === "hearth_session");

const agencyCount = async (partnershipId: string, name: string) =>
  (
    await database.unsafeOwnerDb
      .selectFrom("agencies")
      .select("agency_id")
      .where("partnership_id", "=", partnershipId)
      .where("name", "=", name)
      .execute()
  ).length;

/** A six-digit code that the secret does not accept now (none of the previous, current or next codes). */
const wrongCodeFor = (secret: string): string => {
  const valid = new Set([-1, 0, 1].map((steps) => currentTotpCode(secret, steps)));
  for (const candidate of ["000000", "111111", "222222", "333333"])
    if (!valid.has(candidate)) return candidate;
  throw new Error("unreachable: four codes cannot all be valid");
};

describe("the sign-in page", () => {
  const suite = ownPartnershipAndApp();

  it("has a strict Content-Security-Policy, refuses to be framed and is never cached", async () => {
    const response = await new TestClient(suite.app).get("/sign-in");
    assert.equal(response.statusCode, 200);
    const csp = String(response.headers["content-security-policy"] ?? "");
    const directives = new Map(
      csp
        .split(";")
        .map((d) => d.trim().split(/\s+/))
        .filter((parts) => parts[0])
        .map(([name, ...values]) => [name, values]),
    );
    const scriptSrc = directives.get("script-src");
    assert.ok(scriptSrc, `no script-src in ${csp}`);
    assert.ok(scriptSrc.includes("'self'"));
    assert.ok(!scriptSrc.includes("'unsafe-inline'"), `script-src allows inline scripts: ${csp}`);
    assert.ok(!scriptSrc.includes("'unsafe-eval'"), `script-src allows eval: ${csp}`);
    assert.deepEqual(directives.get("default-src"), ["'self'"]);
    assert.deepEqual(directives.get("object-src"), ["'none'"]);
    assert.deepEqual(directives.get("frame-ancestors"), ["'none'"]);
    assert.equal(response.headers["x-frame-options"], "DENY");
    assert.equal(response.headers["cache-control"], "no-store");

    // The one inline script carries this response's nonce, so the page still works under the policy.
    const nonce = scriptSrc.find((v) => v.startsWith("'nonce-"))?.slice("'nonce-".length, -1);
    assert.ok(nonce, "script-src has no nonce");
    const inlineScripts = (response.body.match(/<script\b[^>]*>/g) ?? []).filter(
      (tag) => !/\bsrc=/.test(tag),
    );
    assert.ok(inlineScripts.length > 0);
    for (const tag of inlineScripts) assert.ok(tag.includes(`nonce="${nonce}"`), `${tag} lacks the nonce`);
  });

  it("sets the session cookie HttpOnly and SameSite=Lax", async () => {
    const client = new TestClient(suite.app);
    const response = await client.signIn(signInFor(suite.partnership, "practitioner").email);
    assertRedirect(response, "/");
    const cookie = sessionCookieIn(response);
    assert.ok(cookie, "no session cookie was set");
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, "Lax");
    assert.equal(cookie.path, "/");
    const header = [response.headers["set-cookie"] ?? []].flat().find((c) => c.startsWith("hearth_session="));
    assert.match(header ?? "", /; HttpOnly/);
    assert.match(header ?? "", /; SameSite=Lax/);
  });

  it("refuses a wrong password with 401 and says so, without signing in", async () => {
    const client = new TestClient(suite.app);
    const { email } = signInFor(suite.partnership, "manager");
    const response = await client.signIn(email, { password: "not the right password" });
    assert.equal(response.statusCode, 401);
    assert.ok(response.body.includes(WRONG_CREDENTIALS));
    assert.ok(response.body.includes('href="#email"'), "the error summary links to the email field");
    assert.equal(sessionCookieIn(response), undefined);
    assertRedirect(await client.get("/"), "/sign-in");
  });

  it("refuses an unknown email address with the same 401 and message", async () => {
    const client = new TestClient(suite.app);
    const response = await client.signIn("nobody-by-this-name@hearth.example", { password: DEMO_PASSWORD });
    assert.equal(response.statusCode, 401);
    assert.ok(response.body.includes(WRONG_CREDENTIALS));
    assert.equal(sessionCookieIn(response), undefined);
    assertRedirect(await client.get("/"), "/sign-in");
  });

  it("sends someone already signed in on to their home page", async () => {
    const client = new TestClient(suite.app);
    await client.signIn(signInFor(suite.partnership, "auditor").email);
    assertRedirect(await client.get("/sign-in"), "/");
  });
});

/**
 * Failed sign-ins: each test has its own app, so the per-process rate limiter (20 posts a minute from one
 * address) does not answer before the throttle being tested.
 */
describe("failed sign-ins", () => {
  let partnership: GeneratedPartnership;
  let app: FastifyInstance;
  before(async () => {
    partnership = await createTestPartnership(database);
  });
  beforeEach(async () => {
    app = await startTestApp(database);
  });
  afterEach(async () => {
    await app.close();
  });

  it("after five wrong passwords makes the next attempt wait, even with the right password, then lets it in", async () => {
    const client = new TestClient(app);
    const { email } = signInFor(partnership, "analyst");
    await client.get("/sign-in");
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const response = await client.post("/sign-in", { email, password: `wrong guess ${attempt}` });
      assert.equal(response.statusCode, 401, `attempt ${attempt}`);
      assert.ok(response.body.includes(WRONG_CREDENTIALS), `attempt ${attempt}`);
    }
    const waiting = await client.post("/sign-in", { email, password: DEMO_PASSWORD });
    assert.equal(waiting.statusCode, 429);
    assert.ok(waiting.body.includes(WAIT), "the page says to wait");
    assert.ok(!waiting.body.includes("locked"), "nothing is locked");
    assert.equal(waiting.headers["retry-after"], "1");
    assert.equal(sessionCookieIn(waiting), undefined);
    assertRedirect(await client.get("/"), "/sign-in");

    // The wait is on the email address, not the browser.
    const elsewhere = await new TestClient(app).signIn(email);
    assert.equal(elsewhere.statusCode, 429);

    // A correct password after the short wait signs in.
    await sleep(1_100);
    assertRedirect(await client.post("/sign-in", { email, password: DEMO_PASSWORD }), "/");
    assert.equal((await client.get("/")).statusCode, 200);
  });

  it("answers an unknown email address exactly as a known one: the same refusals and the same wait", async () => {
    const known = signInFor(partnership, "safeguarding-lead").email;
    const unknown = `nobody-${crypto.randomUUID()}@hearth.example`;
    const answers = async (email: string) => {
      const client = new TestClient(app);
      await client.get("/sign-in");
      const seen: string[] = [];
      for (let attempt = 1; attempt <= 6; attempt += 1) {
        const response = await client.post("/sign-in", { email, password: `wrong guess ${attempt}` });
        const message = /<p id="email-error" class="govuk-error-message">([\s\S]*?)<\/p>/.exec(
          response.body,
        )?.[1];
        seen.push(`${response.statusCode} ${response.headers["retry-after"] ?? "-"} ${message?.trim()}`);
      }
      return seen;
    };
    const forKnown = await answers(known);
    assert.deepEqual(await answers(unknown), forKnown);
    assert.match(forKnown[5] ?? "", /^429 1 /);
  });

  it("keeps the longest wait to a few minutes, and the right password works once it is over", async () => {
    const { email } = signInFor(partnership, "front-door");
    const key = throttleKey("email", email);
    // A stranger's hundred wrong guesses, the last a while ago.
    await database.unsafeOwnerDb
      .insertInto("sign_in_throttles")
      .values({ key_hash: key, failures: 100, last_failure_at: new Date(), not_before: new Date() })
      .execute();
    assert.equal(backOffMs(100, 5), 5 * 60_000);
    const response = await new TestClient(app).signIn(email);
    assertRedirect(response, "/");
    assert.equal(
      await database.unsafeOwnerDb
        .selectFrom("sign_in_throttles")
        .select("failures")
        .where("key_hash", "=", key)
        .executeTakeFirst(),
      undefined,
      "a successful sign-in forgets the failures",
    );
  });
});

describe("forms without the page's own CSRF token", () => {
  const suite = ownPartnershipAndApp();
  let admin: TestClient;

  before(async () => {
    admin = new TestClient(suite.app);
    const response = await admin.signIn(signInFor(suite.partnership, "administrator").email, {
      totpSecret: suite.partnership.administratorTotpSecret,
    });
    assertRedirect(response, "/");
  });

  it("refuses a sign-in posted without the _csrf field with 403, and nothing signs in", async () => {
    const client = new TestClient(suite.app);
    await client.get("/sign-in");
    const response = await client.post(
      "/sign-in",
      { email: signInFor(suite.partnership, "practitioner").email, password: DEMO_PASSWORD },
      { csrf: false },
    );
    assert.equal(response.statusCode, 403);
    assert.ok(response.body.includes("Your form could not be accepted"));
    assert.equal(sessionCookieIn(response), undefined);
    assertRedirect(await client.get("/"), "/sign-in");
  });

  it("refuses a sign-in from a browser that never loaded the form", async () => {
    const client = new TestClient(suite.app);
    const response = await client.post(
      "/sign-in",
      { email: signInFor(suite.partnership, "practitioner").email, password: DEMO_PASSWORD },
      { csrf: false },
    );
    assert.equal(response.statusCode, 403);
    assert.equal(sessionCookieIn(response), undefined);
  });

  it("refuses a signed-in administrator's form posted without the _csrf field, and adds no agency", async () => {
    await admin.get("/admin/agencies/new");
    const name = "Agency posted without a token";
    const response = await admin.post("/admin/agencies", { name, agencyType: "other" }, { csrf: false });
    assert.equal(response.statusCode, 403);
    assert.ok(response.body.includes("Your form could not be accepted"));
    assert.equal(await agencyCount(suite.partnership.partnershipId, name), 0);
    const list = await admin.get("/admin/agencies");
    assert.equal(list.statusCode, 200, "the administrator is still signed in");
    assert.ok(!list.body.includes(name));
  });

  it("refuses a CSRF token taken from another browser's page", async () => {
    const other = new TestClient(suite.app);
    await other.get("/sign-in");
    assert.ok(other.csrfToken);
    await admin.get("/admin/agencies/new");
    assert.notEqual(admin.csrfToken, other.csrfToken);
    admin.csrfToken = other.csrfToken;
    const name = "Agency posted with a stolen token";
    const response = await admin.post("/admin/agencies", { name, agencyType: "other" });
    assert.equal(response.statusCode, 403);
    assert.equal(await agencyCount(suite.partnership.partnershipId, name), 0);
  });

  it("accepts the same form with the page's own token (so the refusals above are about the token)", async () => {
    await admin.get("/admin/agencies/new");
    const name = "Agency posted properly";
    const response = await admin.post("/admin/agencies", { name, agencyType: "other" });
    assertRedirect(response, "/admin/agencies?added=1");
    assert.equal(await agencyCount(suite.partnership.partnershipId, name), 1);
  });
});

describe("the administrator's second factor", () => {
  const suite = ownPartnershipAndApp();

  it("after the password, holds the administrator at the code page: no home page, no administration", async () => {
    const client = new TestClient(suite.app);
    await client.get("/sign-in");
    const response = await client.post("/sign-in", {
      email: signInFor(suite.partnership, "administrator").email,
      password: DEMO_PASSWORD,
    });
    assertRedirect(response, "/sign-in/second-factor");
    for (const url of ["/", "/admin/users", "/admin/agencies", "/audit", "/account"]) {
      assertRedirect(await client.get(url), "/sign-in/second-factor");
    }
    const codePage = await client.get("/sign-in/second-factor");
    assert.equal(codePage.statusCode, 200);
    assert.ok(codePage.body.includes("Enter your security code"));

    const name = "Agency added before the second factor";
    const post = await client.post("/admin/agencies", { name, agencyType: "other" });
    assertRedirect(post, "/sign-in/second-factor");
    assert.equal(await agencyCount(suite.partnership.partnershipId, name), 0);
  });

  it("refuses a wrong code with 401 and a message, then lets the right code through to the home page", async () => {
    const secret = suite.partnership.administratorTotpSecret;
    const client = new TestClient(suite.app);
    await client.get("/sign-in");
    await client.post("/sign-in", {
      email: signInFor(suite.partnership, "administrator").email,
      password: DEMO_PASSWORD,
    });
    await client.get("/sign-in/second-factor");

    const wrong = await client.post("/sign-in/second-factor", { code: wrongCodeFor(secret) });
    assert.equal(wrong.statusCode, 401);
    assert.ok(wrong.body.includes(WRONG_CODE));
    assert.ok(wrong.body.includes('href="#code"'));
    assertRedirect(await client.get("/"), "/sign-in/second-factor");

    const notDigits = await client.post("/sign-in/second-factor", { code: "12ab56" });
    assert.equal(notDigits.statusCode, 400);
    assert.ok(notDigits.body.includes("The code must be 6 digits"));

    const right = await client.post("/sign-in/second-factor", { code: currentTotpCode(secret) });
    assertRedirect(right, "/");
    const home = await client.get("/");
    assert.equal(home.statusCode, 200);
    assert.ok(home.body.includes("Manage users"));
    assert.equal((await client.get("/admin/users")).statusCode, 200);
  });
});

describe("the session across the second factor", () => {
  const suite = ownPartnershipAndApp();

  it("gets a new token when the code is accepted: the token from before the code opens nothing", async () => {
    const client = new TestClient(suite.app);
    await client.get("/sign-in");
    await client.post("/sign-in", {
      email: signInFor(suite.partnership, "administrator").email,
      password: DEMO_PASSWORD,
    });
    const beforeCode = client.cookieHeader;
    assert.match(beforeCode, /hearth_session=/);
    await client.get("/sign-in/second-factor");
    const accepted = await client.post("/sign-in/second-factor", {
      code: currentTotpCode(suite.partnership.administratorTotpSecret),
    });
    assertRedirect(accepted, "/");
    const newCookie = sessionCookieIn(accepted);
    assert.ok(newCookie, "a new session cookie is set");
    assert.ok(!beforeCode.includes(newCookie.value), "the token has changed");

    assert.equal((await client.get("/admin/users")).statusCode, 200, "the new token is fully signed in");
    // Someone who saw the cookie before the code was entered has neither the administration nor even the
    // code page: that session has ended.
    assertRedirect(await getWithCookie(suite.app, beforeCode, "/admin/users"), "/sign-in");
    assertRedirect(await getWithCookie(suite.app, beforeCode, "/sign-in/second-factor"), "/");
    assert.equal((await getWithCookie(suite.app, beforeCode, "/")).statusCode, 302);
  });

  it("makes the code wait after five wrong ones, then accepts the right one", async () => {
    const secret = suite.partnership.administratorTotpSecret;
    const client = new TestClient(suite.app);
    await client.get("/sign-in");
    await client.post("/sign-in", {
      email: signInFor(suite.partnership, "administrator").email,
      password: DEMO_PASSWORD,
    });
    await client.get("/sign-in/second-factor");
    for (let attempt = 1; attempt <= 5; attempt += 1)
      assert.equal(
        (await client.post("/sign-in/second-factor", { code: wrongCodeFor(secret) })).statusCode,
        401,
      );
    const waiting = await client.post("/sign-in/second-factor", { code: currentTotpCode(secret, 1) });
    assert.equal(waiting.statusCode, 429);
    assert.ok(waiting.body.includes("You have made too many attempts. Wait 1 second"));
    assertRedirect(await client.get("/"), "/sign-in/second-factor");
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    assertRedirect(await client.post("/sign-in/second-factor", { code: currentTotpCode(secret, 1) }), "/");
  });
});

describe("a second-factor code", () => {
  const suite = ownPartnershipAndApp();

  it("cannot be replayed for another sign-in in the same period", async () => {
    const secret = suite.partnership.administratorTotpSecret;
    const { email } = signInFor(suite.partnership, "administrator");
    const code = currentTotpCode(secret);

    const first = new TestClient(suite.app);
    await first.get("/sign-in");
    assertRedirect(
      await first.post("/sign-in", { email, password: DEMO_PASSWORD }),
      "/sign-in/second-factor",
    );
    await first.get("/sign-in/second-factor");
    assertRedirect(await first.post("/sign-in/second-factor", { code }), "/");

    const second = new TestClient(suite.app);
    await second.get("/sign-in");
    assertRedirect(
      await second.post("/sign-in", { email, password: DEMO_PASSWORD }),
      "/sign-in/second-factor",
    );
    await second.get("/sign-in/second-factor");
    // The very code the first sign-in used (read once, so a period boundary cannot make this a new code).
    const replay = await second.post("/sign-in/second-factor", { code });
    assert.equal(replay.statusCode, 401, "the same code is refused the second time");
    assert.ok(replay.body.includes(WRONG_CODE));
    assertRedirect(await second.get("/"), "/sign-in/second-factor");
    assertRedirect(await second.get("/admin/users"), "/sign-in/second-factor");

    assert.equal((await first.get("/")).statusCode, 200, "the first sign-in is unaffected");
  });
});

describe("a user without a second factor", () => {
  const suite = ownPartnershipAndApp();

  it("reaches the home page straight after the password", async () => {
    const client = new TestClient(suite.app);
    const response = await client.signIn(signInFor(suite.partnership, "practitioner").email);
    assertRedirect(response, "/");
    const home = await client.get("/");
    assert.equal(home.statusCode, 200);
    assert.ok(home.body.includes("You are signed in as practitioner"));
  });

  it("signs out, and the old session cookie no longer reaches the home page", async () => {
    const client = new TestClient(suite.app);
    await client.signIn(signInFor(suite.partnership, "manager").email);
    assert.equal((await client.get("/")).statusCode, 200);
    const oldCookie = client.cookieHeader;
    assert.match(oldCookie, /hearth_session=/);

    const response = await client.post("/sign-out", {});
    assertRedirect(response, "/sign-in?signedOut=1");
    assert.ok(!client.cookies.has("hearth_session"), "the browser is told to forget the cookie");
    const page = await client.get("/sign-in?signedOut=1");
    assert.ok(page.body.includes("You have been signed out."));
    assertRedirect(await client.get("/"), "/sign-in");

    // A copy of the cookie kept from before sign-out opens nothing.
    assertRedirect(await getWithCookie(suite.app, oldCookie, "/"), "/sign-in");
    assertRedirect(await getWithCookie(suite.app, oldCookie, "/account"), "/sign-in");
  });
});
