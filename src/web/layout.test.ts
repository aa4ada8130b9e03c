// SPDX-License-Identifier: MIT
/**
 * Every page's frame, for every role: signs in as each demo user, walks the pages a user reaches from the
 * home page and the demo family's record (record, chronology, family chronology, pathway, request,
 * alerts, search, assessments, and whatever they link to), and checks that each has exactly one `<main>`
 * with its one `<h1>` inside, and nothing between the header and `<main>` but a back link, breadcrumbs or
 * a phase banner (a page once rendered two of its sections above its heading, outside `<main>`).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseHTML } from "linkedom";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import { ROLE_CODES } from "../organisation/codes.ts";
import { TestClient } from "../test-support/harness.ts";
import { app, partnership, useTestApp } from "../test-support/test-app.ts";
import { navigationFor } from "./navigation.ts";

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const patternOf = (url: string) => url.split("?")[0]?.replace(UUID, ":id") ?? url;

/** What may stand between the header and `<main>`. */
const ALLOWED_BEFORE_MAIN = ["govuk-back-link", "govuk-breadcrumbs", "govuk-phase-banner"];

/**
 * @returns The frame's problems on one page: none when it has one `<main>`, one `<h1>` inside it, and
 * nothing but navigation aids between the header and `<main>`.
 */
export const layoutProblems = (html: string): string[] => {
  const { document } = parseHTML(html);
  const problems: string[] = [];
  const mains = [...document.querySelectorAll("main")];
  if (mains.length !== 1) return [`${mains.length} <main> elements`];
  const main = mains[0] as Element;
  const headings = [...document.querySelectorAll("h1")];
  if (headings.length !== 1) problems.push(`${headings.length} <h1> elements`);
  if (!main.querySelector("h1")) problems.push("no <h1> inside <main>");
  const header = document.querySelector("header");
  if (!header) problems.push("no <header>");
  // Everything after the header and before <main>, at each level from <main> up to <body>.
  for (let node: Element | null = main; node && node !== document.body; node = node.parentElement) {
    for (
      let sibling = node.previousSibling;
      sibling && sibling !== header;
      sibling = sibling.previousSibling
    ) {
      const what = (sibling.textContent ?? "").trim().slice(0, 60);
      if (sibling.nodeType === 3 && what) problems.push(`text before <main>: "${what}"`);
      if (sibling.nodeType !== 1) continue;
      const element = sibling as Element;
      if (element.tagName === "SCRIPT") continue;
      if (!ALLOWED_BEFORE_MAIN.some((name) => element.classList.contains(name)))
        problems.push(
          `<${element.tagName.toLowerCase()} class="${element.getAttribute("class") ?? ""}"> before <main>: "${what}"`,
        );
    }
  }
  return problems;
};

/** Links on a page worth following: Hearth's own pages, not downloads, assets or sign-out. */
const linksOn = (html: string): string[] => {
  const { document } = parseHTML(html);
  return [...document.querySelectorAll("a[href]")]
    .filter((a) => !a.hasAttribute("download"))
    .map((a) => a.getAttribute("href") ?? "")
    .filter(
      (href) =>
        href.startsWith("/") &&
        !href.startsWith("//") &&
        !/^\/(assets|govuk|public)\//.test(href) &&
        !/\.(pdf|csv|xml|json)(\?|$)/.test(href),
    )
    .map((href) => href.split("#")[0] ?? href);
};

useTestApp();

/** One signed-in client per user for the whole file: signing in again and again meets the rate limit. */
const clients = new Map<string, TestClient>();
const signedIn = async (signIn: GeneratedPartnership["signIns"][number]): Promise<TestClient> => {
  const known = clients.get(signIn.email);
  if (known) return known;
  const client = new TestClient(app);
  const response = await client.signIn(signIn.email, {
    totpSecret: signIn.role === "administrator" ? partnership.administratorTotpSecret : undefined,
  });
  assert.equal(response.statusCode, 303, `${signIn.email} signs in`);
  clients.set(signIn.email, client);
  return client;
};

describe("every page's frame", () => {
  it("finds a page with two <main>s, content above its heading or no <h1>", () => {
    const frame = (beforeMain: string, main: string) =>
      `<!doctype html><html><body><a class="govuk-skip-link" href="#main">Skip</a><header>Hearth</header><div class="govuk-width-container">${beforeMain}<main>${main}</main></div></body></html>`;
    assert.deepEqual(
      layoutProblems(frame('<a class="govuk-back-link" href="/">Back</a>', "<h1>Page</h1>")),
      [],
    );
    assert.deepEqual(layoutProblems(`${frame("", "<h1>A</h1>")}<main></main>`).length, 1);
    assert.match(layoutProblems(frame("<h2>Supervision</h2>", "<h1>Pathway</h1>")).join(), /Supervision/);
    assert.match(layoutProblems(frame("", "<h2>No heading</h2>")).join(), /no <h1>/);
  });

  it("opens every navigation link for the role it is shown to (navigation and guards agree)", async () => {
    const refused: string[] = [];
    for (const signIn of partnership.signIns) {
      const client = await signedIn(signIn);
      const { document } = parseHTML((await client.get("/")).body);
      const hrefs = [...document.querySelectorAll(".govuk-service-navigation a[href]")].map(
        (a) => a.getAttribute("href") ?? "",
      );
      assert.ok(hrefs.length > 0, `${signIn.role} has a navigation`);
      for (const href of hrefs) {
        const page = await client.get(href);
        if (page.statusCode !== 200) refused.push(`${signIn.role} ${href}: ${page.statusCode}`);
      }
    }
    assert.deepEqual(refused, []);
  });

  it("refuses each navigation page to every role it is not shown to (guards and navigation agree)", async () => {
    const everyHref = new Set(
      ROLE_CODES.flatMap((role) => navigationFor(role, "/").map((item) => item.href)),
    );
    const letIn: string[] = [];
    for (const signIn of partnership.signIns) {
      const client = await signedIn(signIn);
      const shown = new Set(navigationFor(signIn.role, "/").map((item) => item.href));
      for (const href of everyHref) {
        if (shown.has(href)) continue;
        const page = await client.get(href);
        if (page.statusCode !== 403) letIn.push(`${signIn.role} ${href}: ${page.statusCode}`);
      }
    }
    assert.deepEqual(letIn, []);
  });

  it("is one <main> with the page's <h1>, and nothing else above it, on every page for every role", async () => {
    const family = partnership.demoFamily;
    const failures: string[] = [];
    let pages = 0;
    for (const signIn of partnership.signIns) {
      const client = await signedIn(signIn);
      const queue = [
        "/",
        `/people?name=${encodeURIComponent(family.familyName)}`,
        ...[family.siblingPersonId, family.babyPersonId].flatMap((id) => [
          `/people/${id}`,
          `/people/${id}/chronology`,
          `/people/${id}/family-chronology`,
          `/people/${id}/pathway`,
          `/people/${id}/assessments`,
        ]),
      ];
      const seen = new Set<string>();
      while (queue.length > 0 && seen.size < 45) {
        const url = queue.shift() as string;
        const pattern = `${patternOf(url)}${url.includes("?") ? "?" : ""}`;
        if (seen.has(pattern)) continue;
        seen.add(pattern);
        const page = await client.get(url);
        if (page.statusCode >= 300 && page.statusCode < 400) {
          const location = String(page.headers.location ?? "");
          if (location.startsWith("/")) queue.unshift(location);
          continue;
        }
        if (!String(page.headers["content-type"] ?? "").startsWith("text/html")) continue;
        pages += 1;
        for (const problem of layoutProblems(page.body))
          failures.push(`${signIn.role} ${url} (${page.statusCode}): ${problem}`);
        if (page.statusCode === 200) queue.push(...linksOn(page.body));
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(pages > 60, `walked ${pages} pages`);
  });
});
