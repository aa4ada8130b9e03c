// SPDX-License-Identifier: MIT
/**
 * What every browser suite needs: Hearth served on a free port over a fresh synthetic partnership,
 * Chromium, pages that report script errors and missing assets, axe on WCAG 2.2 AA, and the small verbs
 * (press a button, follow a link, read the heading) that keep journeys readable.
 */
import assert from "node:assert/strict";
import { AxeBuilder } from "@axe-core/playwright";
import type { FastifyInstance } from "fastify";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import type { HearthDatabase } from "../../src/db/database.ts";
import { DEMO_PASSWORD, type GeneratedPartnership } from "../../src/generator/generate-partnership.ts";
import { createTestPartnership, openTestDatabase, testConfig } from "../../src/test-support/harness.ts";
import { buildApp } from "../../src/web/app.ts";

export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export type BrowserSuite = {
  database: HearthDatabase;
  partnership: GeneratedPartnership;
  app: FastifyInstance;
  url: (path: string) => string;
  /** A fresh profile (no cookies) whose page reports console errors and missing assets. */
  openBrowser: (options?: { javaScriptEnabled?: boolean }) => Promise<Page>;
  /** Runs axe on the page as it is now and records the violations under the name. */
  checkAccessibility: (page: Page, name: string) => Promise<void>;
  /** axe's findings by page name: one line per failing element. */
  violationsByPage: Map<string, string[]>;
  /** Console errors and uncaught exceptions (a CSP refusal shows up here). */
  scriptProblems: string[];
  /** Assets a page asked for and did not get. */
  missingAssets: Map<string, string>;
  close: () => Promise<void>;
};

/**
 * Starts Hearth on a fresh database with one generated partnership, and Chromium.
 * @param children - How many children the generated partnership serves.
 * @param options - `port`: listen there, with the base URL (links, single sign-on's redirect) to match.
 */
export const startBrowserSuite = async (
  children = 60,
  options: { port?: number } = {},
): Promise<BrowserSuite> => {
  const database = await openTestDatabase();
  const partnership = await createTestPartnership(database, children);
  const config = testConfig();
  if (options.port) config.baseUrl = `http://localhost:${options.port}`;
  const app = await buildApp({ config, database });
  await app.listen({ port: options.port ?? 0, host: "127.0.0.1" });
  const address = app.server.address();
  assert.ok(address && typeof address === "object");
  const baseUrl = `http://localhost:${address.port}`;
  const browser: Browser = await chromium.launch({
    executablePath: process.env.HEARTH_CHROMIUM ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  const contexts: BrowserContext[] = [];
  const violationsByPage = new Map<string, string[]>();
  const scriptProblems: string[] = [];
  const missingAssets = new Map<string, string>();

  const openBrowser = async (options: { javaScriptEnabled?: boolean } = {}): Promise<Page> => {
    const context = await browser.newContext({
      javaScriptEnabled: options.javaScriptEnabled ?? true,
      acceptDownloads: true,
    });
    contexts.push(context);
    const page = await context.newPage();
    page.on("console", (message) => {
      // Chromium logs every 4xx document as "Failed to load resource": a form with errors answering 400
      // is the app working as designed; missing assets are collected from the responses instead.
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
        scriptProblems.push(`${page.url()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => scriptProblems.push(`${page.url()}: uncaught ${error.message}`));
    page.on("response", (response) => {
      if (response.status() >= 400 && response.request().resourceType() !== "document")
        missingAssets.set(new URL(response.url()).pathname, `HTTP ${response.status()}`);
    });
    return page;
  };

  const checkAccessibility = async (page: Page, name: string): Promise<void> => {
    const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
    assert.ok(results.passes.length > 0, `${name}: axe checked nothing`);
    violationsByPage.set(
      name,
      results.violations.flatMap((violation) =>
        violation.nodes.map(
          (node) =>
            `  ${violation.id} (${violation.impact}): ${violation.help}\n    at ${node.target.join(" ")}\n    ${node.failureSummary?.replace(/\n/g, " ") ?? ""}`,
        ),
      ),
    );
  };

  return {
    database,
    partnership,
    app,
    url: (path) => `${baseUrl}${path}`,
    openBrowser,
    checkAccessibility,
    violationsByPage,
    scriptProblems,
    missingAssets,
    close: async () => {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
      await app.close();
      await database.close();
    },
  };
};

/** Does something that loads a new document (a link, a form), and waits until it has loaded. */
export const andWait = async (page: Page, action: () => Promise<unknown>): Promise<void> => {
  const navigated = page.waitForEvent("framenavigated", { predicate: (frame) => frame === page.mainFrame() });
  await action();
  await navigated;
  await page.waitForLoadState("load");
};

export const press = (page: Page, button: string) =>
  andWait(page, () => page.getByRole("button", { name: button, exact: true }).click());

/** Follows the first link with this name. */
export const follow = (page: Page, link: string) =>
  andWait(page, () => page.getByRole("link", { name: link, exact: true }).first().click());

/** The text as rendered for the reader (hidden elements left out), spaces collapsed. */
export const text = async (locator: Locator): Promise<string> =>
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a user reads.
  (await locator.innerText()).replace(/\s+/g, " ").trim();

export const heading = (page: Page) => text(page.locator("h1"));

export const pathOf = (page: Page) => new URL(page.url()).pathname;

/** Signs in with the demo password (accounts without a second factor). */
export const signInWithPassword = async (suite: BrowserSuite, page: Page, email: string): Promise<void> => {
  await page.goto(suite.url("/sign-in"));
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
  await press(page, "Sign in");
  assert.equal(pathOf(page), "/", `${email} should reach the home page`);
};

/** Fails with every page's axe violations, named, if any page had one. */
export const assertNoViolations = (suite: BrowserSuite, expectedPages: readonly string[]): void => {
  const missed = expectedPages.filter((name) => !suite.violationsByPage.has(name));
  assert.deepEqual(missed, [], "every page is checked by axe");
  const failing = [...suite.violationsByPage].filter(([, lines]) => lines.length > 0);
  assert.equal(
    failing.length,
    0,
    failing.map(([name, lines]) => `${name}:\n${lines.join("\n")}`).join("\n\n"),
  );
};
