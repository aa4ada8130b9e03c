// SPDX-License-Identifier: MIT
/**
 * Hearth in a real browser: Chromium drives the app as people use it (signing in with a second factor,
 * inviting a colleague, accepting the invite, setting up an authenticator, administering agencies and
 * teams), and axe checks every page it reaches against WCAG 2.2 AA. A page with a violation fails its own
 * named check, listing each rule and element, so the report says what to fix and where.
 */
import assert from "node:assert/strict";
import { type AddressInfo, createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import { AxeBuilder } from "@axe-core/playwright";
import type { FastifyInstance } from "fastify";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { currentTotpCode } from "../../src/auth/totp.ts";
import type { HearthDatabase } from "../../src/db/database.ts";
import { DEMO_PASSWORD, type GeneratedPartnership } from "../../src/generator/generate-partnership.ts";
import type { Role } from "../../src/organisation/codes.ts";
import {
  createTestPartnership,
  openTestDatabase,
  signInFor,
  testConfig,
} from "../../src/test-support/harness.ts";
import { buildApp } from "../../src/web/app.ts";

const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Every page of the app, by the name axe checks it under: the accessibility check fails if one is missed. */
const EVERY_PAGE = [
  "sign-in",
  "sign-in with errors",
  "sign-in with wrong password",
  "sign-in after creating a password",
  "second factor",
  "second factor with an error",
  "set up second factor (required at sign-in)",
  "home (administrator)",
  "home (practitioner)",
  "home (manager)",
  "home (safeguarding-lead)",
  "home (front-door)",
  "home (analyst)",
  "home (auditor)",
  "home after setting up an authenticator",
  "home on a narrow screen, menu open",
  "users",
  "invite a user",
  "invite a user with errors",
  "invite created",
  "create a partnership",
  "create a partnership with errors",
  "partnership created",
  "user detail",
  "user detail with an error",
  "agencies",
  "add an agency",
  "add an agency with errors",
  "teams",
  "add a team",
  "add a team with errors",
  "record history lookup",
  "record history lookup with errors",
  "record history of a user",
  "refused requests",
  "refused requests with errors",
  "your account",
  "your sessions",
  "set up an authenticator (account)",
  "set up an authenticator (account) with an error",
  "create your password (invite)",
  "create your password (invite) with errors",
  "invite link does not work",
  "page not found",
  "no access (403)",
  "form could not be accepted (CSRF)",
] as const;
type PageName = (typeof EVERY_PAGE)[number];

// Sign-in is rate-limited to 20 attempts a minute from one address, and the whole suite runs within a
// minute from 127.0.0.1: it signs in 14 times. Keep new journeys inside an existing browser where you can.

const OTHER_ROLES: Role[] = [
  "practitioner",
  "manager",
  "safeguarding-lead",
  "front-door",
  "analyst",
  "auditor",
];

let database: HearthDatabase;
let partnership: GeneratedPartnership;
let app: FastifyInstance;
let browser: Browser;
let baseUrl: string;
const contexts: BrowserContext[] = [];

/** axe's findings, one line per failing element, by page. */
const violationsByPage = new Map<PageName, string[]>();
/** Console errors and uncaught exceptions: a Content Security Policy refusal shows up here. */
const scriptProblems: string[] = [];
/** Stylesheets, scripts, fonts and images a page asked for but did not get: path, and what went wrong. */
const missingAssets = new Map<string, string>();

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

const url = (path: string) => `${baseUrl}${path}`;

/** A port nothing is listening on now. */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

/** A fresh browser profile (no cookies), whose page reports console errors and missing assets. */
const openBrowser = async (options: { javaScriptEnabled?: boolean } = {}): Promise<Page> => {
  const context = await browser.newContext({ javaScriptEnabled: options.javaScriptEnabled ?? true });
  contexts.push(context);
  const page = await context.newPage();
  page.on("console", (message) => {
    // Chromium also logs every 4xx response as "Failed to load resource": a 404 page or a form with
    // errors is the app answering as designed, and missing assets are collected from the responses.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
      scriptProblems.push(`${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => scriptProblems.push(`${page.url()}: uncaught ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400 && response.request().resourceType() !== "document")
      missingAssets.set(new URL(response.url()).pathname, `HTTP ${response.status()}`);
  });
  page.on("requestfailed", (request) => {
    const path = new URL(request.url()).pathname;
    if (!missingAssets.has(path)) missingAssets.set(path, request.failure()?.errorText ?? "failed");
  });
  return page;
};

/** Runs axe on the page as it is now and files the violations under the page's name. */
const checkAccessibility = async (page: Page, name: PageName): Promise<void> => {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  assert.ok(results.passes.length > 0, `${name}: axe checked nothing`);
  const lines = results.violations.flatMap((violation) =>
    violation.nodes.map(
      (node) =>
        `  ${violation.id} (${violation.impact}): ${violation.help}\n    at ${node.target.join(" ")}\n    ${node.failureSummary?.replace(/\n/g, " ") ?? ""}`,
    ),
  );
  violationsByPage.set(name, lines);
};

/** Goes to a path, checks the HTTP status, then runs axe under the page's name. */
const visit = async (page: Page, path: string, name: PageName, status = 200): Promise<void> => {
  const response = await page.goto(url(path));
  assert.equal(response?.status(), status, `${path} should answer ${status}`);
  await checkAccessibility(page, name);
};

/** Does something that loads a new document (a link, a form), and waits until that document has loaded. */
const andWait = async (page: Page, action: () => Promise<unknown>): Promise<void> => {
  const navigated = page.waitForEvent("framenavigated", { predicate: (frame) => frame === page.mainFrame() });
  await action();
  await navigated;
  await page.waitForLoadState("load");
};

const press = (page: Page, button: string) =>
  andWait(page, () => page.getByRole("button", { name: button, exact: true }).click());

/** Follows the first link with this name (the service navigation comes before the footer). */
const follow = (page: Page, link: string) =>
  andWait(page, () => page.getByRole("link", { name: link, exact: true }).first().click());

/** The text as rendered for the person reading the page (hidden elements left out), spaces collapsed. */
const text = async (locator: Locator): Promise<string> =>
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a user reads.
  (await locator.innerText()).replace(/\s+/g, " ").trim();
const heading = (page: Page) => text(page.locator("h1"));
const errorSummary = (page: Page) => text(page.locator(".govuk-error-summary"));
const successBanner = (page: Page) => text(page.locator(".govuk-notification-banner--success"));

const path = (page: Page) => new URL(page.url()).pathname;

/** Fills in the sign-in form and sends it. */
const enterPassword = async (page: Page, email: string, password = DEMO_PASSWORD): Promise<void> => {
  if (path(page) !== "/sign-in") await page.goto(url("/sign-in"));
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await press(page, "Sign in");
};

/** A 6-digit code the authenticator would not show now (codes from the previous to the next period work). */
const wrongCodeFor = (secret: string): string => {
  const accepted = [-1, 0, 1].map((step) => currentTotpCode(secret, step));
  return ["000000", "111111", "222222", "333333"].find((code) => !accepted.includes(code)) ?? "444444";
};

const secretShownOn = async (page: Page): Promise<string> =>
  (await text(page.getByTestId("totp-secret"))).replace(/\s+/g, "");

/** Signs in a demo account that has no second factor, and checks its home page greets it by name. */
const signInAs = async (page: Page, role: Role): Promise<void> => {
  const account = signInFor(partnership, role);
  await enterPassword(page, account.email);
  assert.equal(path(page), "/");
  assert.equal(await heading(page), `Welcome, ${account.displayName}`);
};

/** Fills in the invite form as an administrator and returns the one-time link shown afterwards. */
const invite = async (page: Page, person: { name: string; email: string; role: string }): Promise<string> => {
  await page.goto(url("/admin/users/new"));
  await page.getByLabel("Full name").fill(person.name);
  await page.getByLabel("Work email address").fill(person.email);
  await page.getByLabel("Agency", { exact: true }).selectOption({ index: 1 });
  await page.getByLabel("Team", { exact: true }).selectOption({ label: "No team" });
  await page.getByRole("radio", { name: person.role, exact: true }).check();
  await press(page, "Create invite link");
  assert.match(await text(page.locator(".govuk-panel")), /Invite created/);
  const link = (await page.locator("#invite-link").getAttribute("href")) ?? "";
  assert.ok(link.startsWith(`${baseUrl}/invite/`), `the invite link should be on this site, got ${link}`);
  return link;
};

/** Opens an invite link in a fresh browser and creates the password. */
const acceptInvite = async (link: string, password: string): Promise<Page> => {
  const page = await openBrowser();
  await page.goto(link);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Confirm password", { exact: true }).fill(password);
  await press(page, "Create password");
  return page;
};

// ---------------------------------------------------------------------------------------------------------
// Set-up
// ---------------------------------------------------------------------------------------------------------

before(async () => {
  database = await openTestDatabase();
  partnership = await createTestPartnership(database);
  // Invite links are built from the configured address, so the port is chosen before the app is built.
  const port = await freePort();
  baseUrl = `http://localhost:${port}`;
  app = await buildApp({ config: { ...testConfig(), port, baseUrl }, database });
  await app.listen({ port, host: "127.0.0.1" });
  browser = await chromium.launch({
    executablePath: process.env.HEARTH_CHROMIUM ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await app?.close();
  await database?.close();
});

// ---------------------------------------------------------------------------------------------------------
// The journeys
// ---------------------------------------------------------------------------------------------------------

describe("Hearth in Chromium", () => {
  const robin = { name: "Robin Fairweather", email: "robin.fairweather@example.org", role: "Practitioner" };
  const morgan = { name: "Morgan Ashdown", email: "morgan.ashdown@example.org", role: "Administrator" };
  let admin: Page;
  let robinPage: Page;
  let robinLink: string;
  let robinUserPath: string;

  it("the sign-in page asks for an email address and password, and says what is missing", async () => {
    const page = await openBrowser();
    await visit(page, "/sign-in", "sign-in");
    assert.equal(await heading(page), "Sign in to Hearth");
    // The layout's inline script (allowed by its CSP nonce) and GOV.UK Frontend's module (allowed from
    // 'self') both ran: the page is marked as supported and the password field has its Show button.
    assert.equal(await page.locator("body.js-enabled.govuk-frontend-supported").count(), 1);
    assert.ok(await page.getByRole("button", { name: "Show password" }).isVisible());

    await press(page, "Sign in");
    const summary = await errorSummary(page);
    assert.match(summary, /There is a problem/);
    assert.match(summary, /Enter your email address/);
    assert.match(summary, /Enter your password/);
    assert.match(await page.title(), /^Error: /);
    await checkAccessibility(page, "sign-in with errors");
  });

  it("a wrong password is refused with 'Enter a correct email address and password'", async () => {
    const page = await openBrowser();
    await enterPassword(page, signInFor(partnership, "practitioner").email, "not the right password");
    assert.equal(path(page), "/sign-in");
    assert.match(await errorSummary(page), /Enter a correct email address and password/);
    assert.equal(await heading(page), "Sign in to Hearth");
    await checkAccessibility(page, "sign-in with wrong password");
  });

  it("an administrator signs in with a password, then a code from their authenticator app", async () => {
    const account = signInFor(partnership, "administrator");
    admin = await openBrowser();
    await enterPassword(admin, account.email);
    assert.equal(path(admin), "/sign-in/second-factor");
    assert.equal(await heading(admin), "Enter your security code");
    await checkAccessibility(admin, "second factor");

    await admin
      .getByLabel("Enter your security code")
      .fill(wrongCodeFor(partnership.administratorTotpSecret));
    await press(admin, "Continue");
    assert.match(await errorSummary(admin), /The code is not correct or has already been used/);
    await checkAccessibility(admin, "second factor with an error");

    await admin
      .getByLabel("Enter your security code")
      .fill(currentTotpCode(partnership.administratorTotpSecret));
    await press(admin, "Continue");
    assert.equal(path(admin), "/");
    assert.equal(await heading(admin), `Welcome, ${account.displayName}`);
    assert.match(await text(admin.locator("main")), /You are signed in as administrator/);
    await checkAccessibility(admin, "home (administrator)");
  });

  it("the administrator invites a practitioner and is shown a one-time link", async () => {
    await follow(admin, "Manage users");
    assert.equal(path(admin), "/admin/users");
    assert.equal(await heading(admin), "Users");
    await checkAccessibility(admin, "users");

    await press(admin, "Invite a user"); // a link styled as a button
    assert.equal(await heading(admin), "Invite a user");
    await checkAccessibility(admin, "invite a user");

    await press(admin, "Create invite link");
    const summary = await errorSummary(admin);
    assert.match(summary, /Enter the person's full name/);
    assert.match(summary, /Enter the person's work email address/);
    assert.match(summary, /Select the person's agency/);
    assert.match(summary, /Select the person's role/);
    await checkAccessibility(admin, "invite a user with errors");

    robinLink = await invite(admin, robin);
    assert.match(await text(admin.locator("main")), new RegExp(`Send this link to ${robin.email}`));
    await checkAccessibility(admin, "invite created");

    await follow(admin, "View the account");
    robinUserPath = path(admin);
    assert.equal(await heading(admin), robin.name);
    assert.match(await text(admin.locator(".govuk-summary-list")), /Invited: has not yet set a password/);
  });

  it("the administrator creates another, empty partnership and is shown its first administrator's link once", async () => {
    await admin.goto(url("/"));
    await follow(admin, "Create another partnership");
    assert.equal(path(admin), "/admin/partnerships/new");
    assert.equal(await heading(admin), "Create a partnership");
    await checkAccessibility(admin, "create a partnership");

    await admin.getByLabel("Local authority code").fill("12");
    await press(admin, "Create partnership");
    const summary = await errorSummary(admin);
    assert.match(summary, /Enter the partnership's name/);
    assert.match(summary, /Enter the local authority's three-digit DfE code/);
    assert.match(summary, /Enter the first administrator's work email address/);
    await checkAccessibility(admin, "create a partnership with errors");

    await admin.getByLabel("Partnership name").fill("Browser Test Safeguarding Children Partnership");
    await admin.getByLabel("Local authority code").fill("852");
    await admin.getByLabel("First administrator's full name").fill("Sam Okafor");
    await admin.getByLabel("First administrator's work email address").fill("sam.okafor@example.org");
    await press(admin, "Create partnership");
    assert.equal(await heading(admin), "Partnership created");
    assert.match(await text(admin.locator("main")), /Southampton/);
    assert.match(await text(admin.locator("main")), /Send this link to sam\.okafor@example\.org/);
    await checkAccessibility(admin, "partnership created");
  });

  it("the invited practitioner creates a password, signs in, and the link stops working", async () => {
    robinPage = await openBrowser();
    await robinPage.goto(robinLink);
    assert.equal(await heading(robinPage), "Create your password");
    assert.match(await text(robinPage.locator("main")), new RegExp(`as ${robin.name} \\(${robin.email}\\)`));
    await checkAccessibility(robinPage, "create your password (invite)");

    await robinPage.getByLabel("Password", { exact: true }).fill("short");
    await robinPage.getByLabel("Confirm password", { exact: true }).fill("different");
    await press(robinPage, "Create password");
    assert.match(await errorSummary(robinPage), /The passwords do not match/);
    await checkAccessibility(robinPage, "create your password (invite) with errors");

    await robinPage.getByLabel("Password", { exact: true }).fill("violet harbour piano");
    await robinPage.getByLabel("Confirm password", { exact: true }).fill("violet harbour piano");
    await press(robinPage, "Create password");
    assert.equal(path(robinPage), "/sign-in");
    assert.match(await successBanner(robinPage), /Your password has been created\. Sign in to continue\./);
    await checkAccessibility(robinPage, "sign-in after creating a password");

    await enterPassword(robinPage, robin.email, "violet harbour piano");
    assert.equal(path(robinPage), "/");
    assert.equal(await heading(robinPage), `Welcome, ${robin.name}`);

    const again = await openBrowser();
    await visit(again, new URL(robinLink).pathname, "invite link does not work", 404);
    assert.equal(await heading(again), "This invite link does not work");
  });

  it("the practitioner sets up an authenticator app from their account", async () => {
    await follow(robinPage, "Your account");
    assert.equal(path(robinPage), "/account");
    assert.equal(await heading(robinPage), "Your account");
    assert.match(await text(robinPage.locator(".govuk-summary-list")), /Not set up/);
    await checkAccessibility(robinPage, "your account");

    await follow(robinPage, "Set up an authenticator app");
    assert.equal(path(robinPage), "/account/second-factor");
    assert.equal(await heading(robinPage), "Set up your authenticator app");
    await checkAccessibility(robinPage, "set up an authenticator (account)");

    let secret = await secretShownOn(robinPage);
    await robinPage.getByLabel("Code from your app").fill(wrongCodeFor(secret));
    await press(robinPage, "Confirm and continue");
    assert.match(await errorSummary(robinPage), /The code is not correct/);
    await checkAccessibility(robinPage, "set up an authenticator (account) with an error");

    // The page shows the same pending key again until a code confirms it.
    secret = await secretShownOn(robinPage);
    await robinPage.getByLabel("Code from your app").fill(currentTotpCode(secret));
    await press(robinPage, "Confirm and continue");
    assert.equal(path(robinPage), "/");
    assert.match(await successBanner(robinPage), /Your authenticator app is set up/);
    await checkAccessibility(robinPage, "home after setting up an authenticator");

    await robinPage.goto(url("/account"));
    assert.match(await text(robinPage.locator(".govuk-summary-list")), /Authenticator app set up/);
  });

  it("an invited administrator must set up an authenticator app when they first sign in", async () => {
    const link = await invite(admin, morgan);
    const page = await acceptInvite(link, "copper meadow signal");
    await enterPassword(page, morgan.email, "copper meadow signal");
    assert.equal(path(page), "/sign-in/set-up-second-factor");
    assert.equal(await heading(page), "Set up your authenticator app");
    assert.match(await text(page.locator("main")), /you must use a second factor each time you sign in/);
    await checkAccessibility(page, "set up second factor (required at sign-in)");

    // Until the second factor is set up, the rest of Hearth sends them back here.
    await page.goto(url("/admin/users"));
    assert.equal(path(page), "/sign-in/set-up-second-factor");

    await page.getByLabel("Code from your app").fill(currentTotpCode(await secretShownOn(page)));
    await press(page, "Confirm and continue");
    assert.equal(path(page), "/");
    assert.equal(await heading(page), `Welcome, ${morgan.name}`);
    assert.match(await successBanner(page), /Your authenticator app is set up/);
  });

  it("the administrator sees a user's details, and a change without a reason is refused", async () => {
    await admin.goto(url(robinUserPath));
    assert.equal(await heading(admin), robin.name);
    assert.match(await text(admin.locator(".govuk-summary-list")), /Active/);
    for (const form of ["Change role", "Reset second factor", "Deactivate account"]) {
      assert.equal(await admin.getByRole("heading", { name: form, level: 2 }).count(), 1, form);
    }
    await checkAccessibility(admin, "user detail");

    await press(admin, "Change role");
    assert.match(await errorSummary(admin), /Enter the reason for this change/);
    assert.equal(await heading(admin), robin.name);
    await checkAccessibility(admin, "user detail with an error");

    await follow(admin, "Who has viewed or changed this account");
    assert.equal(path(admin), `/audit/user/${robinUserPath.split("/").pop()}`);
    assert.equal(await heading(admin), "Who has viewed or changed this record");
    assert.match(await text(admin.locator("table")), /entries, newest first/);
    await checkAccessibility(admin, "record history of a user");
  });

  it("the administrator looks up a record's history", async () => {
    await follow(admin, "Audit");
    assert.equal(path(admin), "/audit");
    assert.equal(await heading(admin), "Record history");
    await checkAccessibility(admin, "record history lookup");

    await press(admin, "Show history");
    assert.match(await errorSummary(admin), /Enter the record's reference/);
    await checkAccessibility(admin, "record history lookup with errors");
  });

  it("the administrator lists refused requests by user and period", async () => {
    await follow(admin, "Refused requests");
    assert.equal(path(admin), "/audit/denials");
    assert.equal(await heading(admin), "Refused requests");
    await checkAccessibility(admin, "refused requests");

    await admin.getByLabel("From").fill("2026-03-31");
    await admin.getByLabel("To").fill("2026-03-01");
    await press(admin, "Show refused requests");
    assert.match(await errorSummary(admin), /The end date must not be before the start date/);
    await checkAccessibility(admin, "refused requests with errors");
  });

  it("the administrator adds an agency", async () => {
    await follow(admin, "Agencies");
    assert.equal(path(admin), "/admin/agencies");
    assert.equal(await heading(admin), "Agencies");
    await checkAccessibility(admin, "agencies");

    await press(admin, "Add an agency"); // a link styled as a button
    assert.equal(await heading(admin), "Add an agency");
    await checkAccessibility(admin, "add an agency");

    await press(admin, "Add agency");
    const summary = await errorSummary(admin);
    assert.match(summary, /Enter the agency's name/);
    assert.match(summary, /Select the type of agency/);
    await checkAccessibility(admin, "add an agency with errors");

    await admin.getByLabel("Name").fill("Riverside Food Bank");
    await admin.getByRole("radio", { name: "Voluntary or community" }).check();
    await press(admin, "Add agency");
    assert.equal(path(admin), "/admin/agencies");
    assert.match(await text(admin.locator("table")), /Riverside Food Bank Voluntary or community Active/);
  });

  it("the administrator adds a team", async () => {
    await follow(admin, "Teams");
    assert.equal(path(admin), "/admin/teams");
    assert.equal(await heading(admin), "Teams");
    await checkAccessibility(admin, "teams");

    await press(admin, "Add a team"); // a link styled as a button
    assert.equal(await heading(admin), "Add a team");
    await checkAccessibility(admin, "add a team");

    await press(admin, "Add team");
    const summary = await errorSummary(admin);
    assert.match(summary, /Select the agency this team belongs to/);
    assert.match(summary, /Enter the team's name/);
    await checkAccessibility(admin, "add a team with errors");

    await admin.getByLabel("Agency", { exact: true }).selectOption({ label: "Riverside Food Bank" });
    await admin.getByLabel("Team name").fill("Family support");
    await press(admin, "Add team");
    assert.equal(path(admin), "/admin/teams");
    assert.match(await text(admin.locator("table")), /Family support Riverside Food Bank Active/);
  });

  it("the administrator sees their account and where they are signed in", async () => {
    await follow(admin, "Your account");
    assert.match(await text(admin.locator(".govuk-summary-list")), /Authenticator app set up/);

    await follow(admin, "See where you are signed in");
    assert.equal(path(admin), "/account/sessions");
    assert.equal(await heading(admin), "Where you are signed in");
    assert.match(await text(admin.locator("table")), /This device/);
    await checkAccessibility(admin, "your sessions");
  });

  it("on a narrow screen the navigation folds into a Menu button", async () => {
    await admin.setViewportSize({ width: 320, height: 640 });
    await admin.goto(url("/"));
    const menu = admin.getByRole("button", { name: "Menu" });
    const users = admin.getByRole("navigation").getByRole("link", { name: "Users", exact: true });
    assert.ok(await menu.isVisible(), "the Menu button shows");
    assert.equal(await users.isVisible(), false, "the navigation is folded away");
    await menu.click();
    assert.ok(await users.isVisible(), "the Menu button opens the navigation");
    await checkAccessibility(admin, "home on a narrow screen, menu open");
    await admin.setViewportSize({ width: 1280, height: 720 });
  });

  it("every other role signs in with a password and reaches its own home page", async () => {
    for (const role of OTHER_ROLES) {
      const page = await openBrowser();
      await signInAs(page, role);
      await checkAccessibility(page, `home (${role})` as PageName);
      await page.context().close();
    }
  });

  it("a practitioner is told they have no access to administration, and a missing page is 'not found'", async () => {
    const page = await openBrowser();
    await signInAs(page, "practitioner");
    assert.equal(
      await page.getByRole("link", { name: "Users", exact: true }).count(),
      0,
      "no Users link for practitioners",
    );

    await visit(page, "/admin/users", "no access (403)", 403);
    assert.equal(await heading(page), "You do not have access to this page");

    await visit(page, "/no-such-page", "page not found", 404);
    assert.equal(await heading(page), "Page not found");
    await follow(page, "Go to your home page");
    assert.equal(path(page), "/");
  });

  it("a form sent without its security token is refused with an explanation", async () => {
    const page = await openBrowser();
    await page.goto(url("/sign-in"));
    await page.context().clearCookies();
    await enterPassword(page, signInFor(partnership, "practitioner").email);
    assert.equal(await heading(page), "Your form could not be accepted");
    await checkAccessibility(page, "form could not be accepted (CSRF)");
  });

  it("signing in and out works with JavaScript turned off", async () => {
    const page = await openBrowser({ javaScriptEnabled: false });
    await page.goto(url("/sign-in"));
    assert.equal(await page.locator("body.js-enabled").count(), 0, "JavaScript is off");
    assert.equal(await page.getByRole("button", { name: "Show password" }).isVisible(), false);
    await signInAs(page, "practitioner");
    assert.match(await text(page.locator("main")), /You are signed in as practitioner/);

    await press(page, "Sign out");
    assert.equal(path(page), "/sign-in");
    assert.match(await successBanner(page), /You have been signed out/);
    await page.goto(url("/"));
    assert.equal(path(page), "/sign-in", "after signing out, home sends you to sign in");
  });

  it("the Content Security Policy refuses a script the app did not send", async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(url("/sign-in"));
    const refusal = page.waitForEvent("console", {
      predicate: (message) => message.text().includes("Content Security Policy"),
      timeout: 5000,
    });
    await page.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "document.title = 'injected'";
      document.body.append(script);
    });
    assert.match((await refusal).text(), /inline script .*script-src/);
    assert.notEqual(await page.title(), "injected");
  });

  describe("accessibility (axe, WCAG 2.2 AA)", () => {
    it("every page has no violations", async (t) => {
      for (const name of EVERY_PAGE) {
        await t.test(name, () => {
          const violations = violationsByPage.get(name);
          assert.ok(violations, `${name}: the journeys never reached this page, so axe did not check it`);
          assert.equal(
            violations.length,
            0,
            `${name}: ${violations.length} violation(s)\n${violations.join("\n")}`,
          );
        });
      }
    });
  });

  it("no page logs a script error or a Content Security Policy refusal", () => {
    assert.deepEqual(scriptProblems, []);
  });

  it("every stylesheet, script, font and image the pages ask for loads", () => {
    const missing = [...missingAssets].map(([path, problem]) => `${path}: ${problem}`).sort();
    assert.deepEqual(missing, []);
  });
});
