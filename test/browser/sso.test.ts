// SPDX-License-Identifier: MIT
/**
 * Single sign-on in Chromium through a real OpenID Connect provider started here (oidc-provider on a
 * loopback port, its development sign-in pages): the sign-in page lists no provider, and a work e-mail
 * address finds the partnership's (a link, as a form's answer may not redirect to another site under the
 * Content-Security-Policy); an invited user signs in and lands on the worklist home,
 * then signs out and is offered the provider's sign-out; an uninvited subject is refused with a clear
 * page; a reply whose `state` was tampered with is refused. Every Hearth page is checked with axe.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { repositoryFor } from "../../src/data/repository.ts";
import { encryptSecret } from "../../src/sso/secrets.ts";
import { testConfig, userFor } from "../../src/test-support/harness.ts";
import { startOidcProvider, type TestOidcProvider } from "../../src/test-support/oidc-provider.ts";
import {
  andWait,
  assertNoViolations,
  type BrowserSuite,
  heading,
  pathOf,
  press,
  startBrowserSuite,
  text,
} from "./support.ts";

const PROVIDER_NAME = "Test council staff";

let suite: BrowserSuite;
let provider: TestOidcProvider;
let practitionerEmail: string;

/**
 * On Hearth's sign-in page, which lists no provider: types the work e-mail address, whose domain finds
 * the partnership's provider, and continues to it.
 */
const continueWithOrganisation = async (page: Page, email: string) => {
  await page.getByLabel("Work email address").fill(email);
  await press(page, "Continue with your organisation's account");
  await press(page, `Sign in with ${PROVIDER_NAME}`);
};

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });

/** On the provider's development pages: sign in as the subject, then consent. */
const signInAtProvider = async (page: Page, subject: string) => {
  await page.locator('input[name="login"]').fill(subject);
  await page.locator('input[name="password"]').fill("any password");
  await andWait(page, () => page.getByRole("button", { name: "Sign-in" }).click());
  await andWait(page, () => page.getByRole("button", { name: "Continue" }).click());
};

before(async () => {
  suite = await startBrowserSuite(20, { port: await freePort() });
  const practitioner = await userFor(suite.database, suite.partnership, "practitioner");
  practitionerEmail = practitioner.email;
  provider = await startOidcProvider({
    redirectUri: suite.url("/sign-in/sso/callback"),
    postLogoutRedirectUri: suite.url("/sign-in?signedOut=1"),
    emails: { "invited-subject": practitioner.email },
  });
  const adminRow = await suite.database.unsafeOwnerDb
    .selectFrom("users")
    .select(["user_id", "agency_id", "team_id"])
    .where("partnership_id", "=", suite.partnership.partnershipId)
    .where("role", "=", "administrator")
    .executeTakeFirstOrThrow();
  const admin = {
    partnershipId: suite.partnership.partnershipId,
    userId: adminRow.user_id,
    role: "administrator" as const,
    agencyId: adminRow.agency_id,
    teamId: adminRow.team_id,
    sessionId: null,
    ip: "127.0.0.1",
  };
  const added = await repositoryFor(suite.database, admin).sso.addProvider({
    displayName: PROVIDER_NAME,
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecretEncrypted: encryptSecret(testConfig().sessionSecret, provider.clientSecret),
    allowedEmailDomains: [practitioner.email.split("@")[1] ?? "", "unknown.example"],
    acceptProviderMfa: false,
  });
  assert.ok(added.ok);
});

after(async () => {
  await provider?.close();
  await suite?.close();
});

describe("signing in with the partnership's identity provider", () => {
  it("takes an invited user to the worklist home, and signs them out", async () => {
    const page = await suite.openBrowser();
    await page.goto(suite.url("/sign-in"));
    await suite.checkAccessibility(page, "sign-in with a provider");
    assert.doesNotMatch(await text(page.locator("main")), new RegExp(PROVIDER_NAME), "no provider listed");
    await page.getByLabel("Work email address").fill(practitionerEmail);
    await press(page, "Continue with your organisation's account");
    await suite.checkAccessibility(page, "the partnership's provider offered");
    await press(page, `Sign in with ${PROVIDER_NAME}`);
    assert.ok(page.url().startsWith(provider.issuer), "the browser is at the provider");
    await signInAtProvider(page, "invited-subject");
    assert.equal(pathOf(page), "/");
    await suite.checkAccessibility(page, "home after single sign-on");

    await press(page, "Sign out");
    assert.equal(pathOf(page), "/sign-in");
    assert.match(await text(page.locator("main")), /You have been signed out/);
    const providerSignOut = page.getByRole("link", { name: `Sign out of ${PROVIDER_NAME} too` });
    assert.ok((await providerSignOut.getAttribute("href"))?.startsWith(provider.issuer));
    await suite.checkAccessibility(page, "signed out");
    await page.goto(suite.url("/"));
    assert.equal(pathOf(page), "/sign-in", "the Hearth session has ended");
  });

  it("refuses a subject nobody has invited, with a clear page", async () => {
    const page = await suite.openBrowser();
    await page.goto(suite.url("/sign-in"));
    await continueWithOrganisation(page, practitionerEmail);
    await signInAtProvider(page, "uninvited-subject");
    assert.equal(await heading(page), "You could not be signed in");
    assert.match(await text(page.locator("main")), /You do not have a Hearth account yet/);
    await suite.checkAccessibility(page, "refused");
    await page.goto(suite.url("/"));
    assert.equal(pathOf(page), "/sign-in");
  });

  it("refuses a reply whose state was tampered with", async () => {
    const page = await suite.openBrowser();
    // Playwright sees only the first request of a redirect chain, so the consent form's answer is
    // followed here until the provider names Hearth's callback, whose state is then changed.
    let tamperedWith = false;
    await page.route(
      (url) => url.href.startsWith(`${provider.issuer}/interaction/`),
      async (route) => {
        if (route.request().method() !== "POST") return route.continue();
        const first = await route.fetch({ maxRedirects: 0 });
        let location = first.headers().location;
        if (!location) return route.fulfill({ response: first });
        const next = await page.request.get(new URL(location, provider.issuer).href, { maxRedirects: 0 });
        location = next.headers().location ?? location;
        if (!location.startsWith(suite.url("/sign-in/sso/callback")))
          return route.fulfill({ status: 303, headers: { location } });
        const tampered = new URL(location);
        tampered.searchParams.set("state", "tampered");
        tamperedWith = true;
        return route.fulfill({ status: 303, headers: { location: tampered.href } });
      },
    );
    await page.goto(suite.url("/sign-in"));
    await continueWithOrganisation(page, practitionerEmail);
    await signInAtProvider(page, "invited-subject");
    assert.ok(tamperedWith, "the provider's reply was tampered with");
    assert.equal(await heading(page), "You could not be signed in");
    assert.match(await text(page.locator("main")), /did not match the sign-in this browser started/);
    await page.goto(suite.url("/"));
    assert.equal(pathOf(page), "/sign-in");
    const refusals = await suite.database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("details")
      .where("partnership_id", "=", suite.partnership.partnershipId)
      .where("action", "=", "sign-in-failed")
      .where("record_type", "=", "sso-provider")
      .execute();
    assert.deepEqual(refusals.map((r) => (r.details as { reason: string }).reason).sort(), [
      "not-invited",
      "state-mismatch",
    ]);
  });

  it("meets WCAG 2.2 AA on every page", () => {
    assertNoViolations(suite, [
      "sign-in with a provider",
      "home after single sign-on",
      "signed out",
      "refused",
    ]);
    assert.deepEqual(suite.scriptProblems, []);
  });
});
