// SPDX-License-Identifier: MIT
/**
 * Hostile input through every form, and every page read back: signed in as each of the demo partnership's
 * users, the test crawls the pages it can reach, posts every form it finds with each hostile value in
 * every free-text field (markup, quotes, SQL, spreadsheet formulas, U+0000, 10,000 characters), then
 * crawls again. It asserts that nothing answers 500, that no page ever carries the hostile markup
 * unescaped (so no user text reaches an `html:` parameter or `| safe` raw), that U+0000 is refused with
 * the field's name and nothing written, that CSV cells starting with a formula prefix are neutralised,
 * and that the walk covered every POST route and rendered every view template.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import nunjucks from "nunjucks";
import { TestClient } from "../test-support/harness.ts";
import { app, database, partnership, useTestApp } from "../test-support/test-app.ts";
import { csvCells, type FoundForm, formsOn, hostileSubmission } from "./hostile-input-forms.ts";
import { seedFamilyAssessments, seedPlan, seedSignInProvider } from "./hostile-input-seeds.ts";
import { SRC_DIR } from "./views.ts";

/** The markup every free-text field receives: if it ever appears raw in a page, markup was injected. */
const MARKER = `<i data-x="hostile">"'&`;
const RAW = ['<i data-x="hostile">', "<script>alert(1)</script>"];
const ESCAPED = "&lt;i data-x=&quot;hostile&quot;&gt;";

/** What each free-text field is filled with, one submission each, in this order. */
const HOSTILE: { name: string; value: string | string[] }[] = [
  { name: "U+0000", value: "before\u0000after" },
  { name: "markup, quotes and SQL", value: `${MARKER} <script>alert(1)</script> '; drop table people; --` },
  // One submission with a different formula prefix in each field, the first field's a hyperlink.
  { name: "formulas", value: ['=HYPERLINK("http://x","y")', "+1", "-1+1", "@SUM(1)"] },
  { name: "10,000 characters", value: `${"x".repeat(9_990)} ${MARKER}`.slice(0, 10_000) },
];
const FORMULA = /^[=+\-@\t\r]/;

/** Forms posted after every crawl, because they end the session or change who can sign in. */
const LAST = /\/sign-out$|\/revoke(-all)?$|\/deactivate$|\/reset-second-factor$|\/role$/;

/** POST routes no crawl can reach, each with the reason. */
const UNREACHED: Record<string, string> = {
  "/imports/:importId/continue": "shown only when an interrupted import has made no progress for 2 minutes",
  "/sign-in/set-up-second-factor": "only shown to an administrator who has no second factor yet",
  "/account/second-factor": "only shown to an account setting up its second factor",
  "/sign-in/second-factor": "posted by every administrator's sign-in in this test, outside the crawl",
  "/people/:personId/merges/:mergeId/undo": "needs a merge, which needs a real duplicate's record number",
  "/people/:personId/merges":
    "its only field is the duplicate's record number: every hostile value is a form error, checked in people.test.ts",
  "/invite/:token":
    "shown only to the invitee, signed out; its fields are passwords (tested in admin-invites.test.ts)",
  "/assessments/:assessmentId/targets/:targetId/remove":
    "a button with no text field, shown after a target is added",
  "/people/:personId/involvements/:involvementId/end": "a button with a date, shown to the involved agency",
  "/people/:personId/pathway/early-help/:earlyHelpId/actions/:actionId/done": "a button with no text field",
  "/family-assessments/:familyAssessmentId/sign-off":
    "shown to a manager only once every child's assessment is submitted; a submitted family here would take the single assessment's place in the manager's worklist, which the crawl opens once (its refusals and hostile-free decisions are tested in family-assessments.test.ts and the browser test)",
  "/households/:householdId/members":
    "shown only after a name search; its fields are a record number, a code and a date, no free text (households.test.ts)",
  "/people/:personId/pathway/episodes/:episodeId/step-down":
    "shown only on a closed social care episode whose child has no open early help, which the crawl's seed may not hold; its refusals are tested in front-door.test.ts",
  "/retention/:personId/archive":
    "shown only for a closed record due for review, which a seed of children aged 0 to 17 never has; hostile reasons are tested in retention-archiving.test.ts",
  "/people/:personId/pathway/episodes/:episodeId/record/:eventType":
    "only the allocated social worker's; its fields are codes, dates and a count, no free text (pages.test.ts)",
};

/** View templates a crawl cannot render, each with the reason. */
const UNRENDERED: Record<string, string> = {
  "auth/views/set-up-second-factor.njk": "only for an administrator without a second factor",
  "web/views/csrf-error.njk": "every form here carries its token",
  "sso/views/refused.njk": "a single sign-on refusal; its message is a fixed sentence (src/sso/sso.test.ts)",
  "pathways/views/event-form.njk": "only the allocated social worker's (see the route above)",
  "auth/views/invite.njk": "the invitee's page: the crawl's invites fail on hostile names, so no live link",
  "pathways/views/step-down.njk":
    "shown only from a closed social care episode whose child has no open early help (front-door.test.ts renders it)",
  "retention/views/archive.njk":
    "shown only for a closed record due for review, which the seed never has (retention-archiving.test.ts renders it)",
  "indicators/views/children.njk":
    "linked only from an indicator that counts children; not every seed has one",
  "organisation/views/partnership-created.njk":
    "only after a valid LA code and e-mail address, which hostile values never are (admin-partnerships.test.ts renders it with markup in the name)",
};

const rendered = new Set<string>();
const postedRoutes = new Set<string>();
const problems: string[] = [];

// Every template the app loads passes through the loader once per environment: record its name.
const loaderPrototype = nunjucks.FileSystemLoader.prototype as unknown as {
  getSource: (name: string) => unknown;
};
const originalGetSource = loaderPrototype.getSource;
loaderPrototype.getSource = function (this: unknown, name: string) {
  rendered.add(name);
  return originalGetSource.call(this, name);
};

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const patternOf = (url: string) => url.split("?")[0]?.replace(UUID, ":id") ?? url;

/** Checks one response: no 500, no raw hostile markup, CSV cells neutralised. */
const check = (what: string, response: LightMyRequestResponse) => {
  if (response.statusCode >= 500) problems.push(`${what}: ${response.statusCode}`);
  const type = String(response.headers["content-type"] ?? "");
  if (type.startsWith("text/html")) {
    for (const raw of RAW) if (response.body.includes(raw)) problems.push(`${what}: raw ${raw}`);
    if (response.body.includes(ESCAPED))
      shownEscaped.add(what.split(" ").slice(0, 3).join(" ").replace(UUID, ":id"));
  }
  if (type.startsWith("text/csv")) {
    for (const cell of csvCells(response.body.replace(/^\uFEFF/, ""))) {
      if (FORMULA.test(cell)) problems.push(`${what}: CSV cell not neutralised: ${cell.slice(0, 40)}`);
      if (cell.startsWith("'=HYPERLINK")) csvFormulasSeen.count++;
    }
  }
};
const csvFormulasSeen = { count: 0 };
/** The pages (by pattern) that showed the hostile markup, escaped. */
const shownEscaped = new Set<string>();

/** A social care episode's page, whose forms record CIN census events. */
const episodePages: string[] = [];

/** Pages the forms' answers led to (a new record, an invite link), crawled next round. */
const extraPages: string[] = [];

type Visitor = { label: string; client: TestClient };
const formsFound = new Map<string, { visitor: Visitor; page: string; form: FoundForm }>();
const seenPages = new Map<string, number>();

/** Follows links from the home page, at most one page per address pattern, checking every response. */
const crawl = async (visitor: Visitor, round: number) => {
  const family = partnership.demoFamily;
  // The home page, the search, and the demo family's records (each with their pathway and chronology).
  const queue = [
    "/",
    "/invite/no-such-invite",
    `/people?name=${encodeURIComponent(family.familyName)}`,
    ...[family.siblingPersonId, family.babyPersonId, family.motherPersonId].flatMap((id) => [
      `/people/${id}`,
      `/people/${id}/pathway`,
      `/people/${id}/chronology`,
      `/people/${id}/assessments`,
    ]),
    ...extraPages,
    ...episodePages,
  ];
  const visited = new Set<string>();
  while (queue.length > 0 && visited.size < 160) {
    const url = queue.shift() as string;
    if (visited.has(url)) continue;
    visited.add(url);
    const key = `${round}:${visitor.label}:${patternOf(url)}${url.includes("?") ? "?" : ""}`;
    const seen = seenPages.get(key) ?? 0;
    // A person's page is a record or, where the caller is not involved, "known to" with its own forms.
    // An indicator's page links to its children only when it counts some: look at a few.
    if (seen >= (["/people/:id", "/indicators/:id"].includes(patternOf(url)) ? 3 : 1)) continue;
    seenPages.set(key, seen + 1);
    const response = await visitor.client.get(url);
    check(`${visitor.label} GET ${url}`, response);
    const location = response.headers.location;
    if (location && response.statusCode < 400) queue.unshift(String(location));
    if (!String(response.headers["content-type"] ?? "").startsWith("text/html")) continue;
    for (const form of formsOn(url, response.body)) {
      const formKey = `${form.method} ${patternOf(form.action)}`;
      if (!formsFound.has(formKey)) formsFound.set(formKey, { visitor, page: url, form });
      // A form that asks a question by GET (which type of entry, which filters) leads to another page.
      if (form.method === "get" && !url.includes("?"))
        queue.push(`${form.action}?${new URLSearchParams(hostileSubmission(form, ""))}`);
    }
    for (const match of response.body.matchAll(/href="(\/[^"#]*)"/g)) {
      const href = (match[1] ?? "").replace(/&amp;/g, "&");
      if (/^\/(govuk|assets|public)\//.test(href)) continue;
      if (!visited.has(href)) queue.push(href);
    }
  }
};

const auditRows = async () =>
  Number(
    (
      await database.unsafeOwnerDb
        .selectFrom("audit_log")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("partnership_id", "=", partnership.partnershipId)
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Posts (or, for a search, gets) one form once per hostile value, checking each answer. */
const submitHostile = async (formKey: string) => {
  const found = formsFound.get(formKey);
  if (!found) return;
  const { visitor, page, form } = found;
  for (const hostile of HOSTILE) {
    await visitor.client.get(page);
    const body = hostileSubmission(form, hostile.value);
    const what = `${visitor.label} ${form.method.toUpperCase()} ${form.action} with ${hostile.name}`;
    const hasText = form.fields.some(([, , kind]) => kind === "text");
    if (form.method !== "post") {
      const response = await visitor.client.get(`${form.action}?${new URLSearchParams(body)}`);
      check(what, response);
      continue;
    }
    const before = hostile.name === "U+0000" && hasText ? await auditRows() : undefined;
    const response = await visitor.client.post(form.action, body);
    check(what, response);
    const route = patternOf(form.action);
    postedRoutes.add(route);
    if (before !== undefined) {
      if (response.statusCode !== 400) problems.push(`${what}: ${response.statusCode}, not 400`);
      else if (!/contains a character Hearth cannot store/.test(response.body))
        problems.push(`${what}: the 400 page does not name the field`);
      if ((await auditRows()) !== before) problems.push(`${what}: something was written`);
    }
    if (hostile.value.length === 10_000 && response.statusCode === 400 && !/href="#/.test(response.body)) {
      if (!/contains a character Hearth cannot store/.test(response.body))
        problems.push(`${what}: refused without naming a field`);
    }
    const location = response.headers.location;
    if (location && response.statusCode < 400) {
      extraPages.push(String(location).split("?")[0] ?? "");
      check(`${what}, then`, await visitor.client.get(String(location)));
    }
    for (const link of response.body.matchAll(/href="(\/(?:invite|admin\/users)\/[^"#]+)"/g))
      extraPages.push(link[1] ?? "");
  }
};

/** Every POST route registered, as printed by Fastify's route tree. */
const postRoutes = (): string[] => {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false, method: "POST" }).split("\n")) {
    const at = line.indexOf("── ");
    if (at < 0) continue;
    const depth = (at - 1) / 4;
    const segment = line.slice(at + 3).replace(/ \(.*\)$/, "");
    stack.length = depth;
    stack.push(segment);
    if (line.endsWith("(POST)")) routes.push(stack.join("").replace(/\/\/+/g, "/"));
  }
  return routes.map((r) => (r.startsWith("/") ? r : `/${r}`));
};

const viewTemplates = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return viewTemplates(path);
    return entry.name.endsWith(".njk") && /[\\/]views[\\/]/.test(path) ? [relative(SRC_DIR, path)] : [];
  });

useTestApp({ children: 40 }, async () => {
  const episode = await database.unsafeOwnerDb
    .selectFrom("csc_events")
    .select(["person_id", "episode_id"])
    .where("partnership_id", "=", partnership.partnershipId)
    .orderBy("episode_id")
    .executeTakeFirst();
  if (episode) episodePages.push(`/people/${episode.person_id}/pathway/episodes/${episode.episode_id}`);
  episodePages.push(...(await seedPlan(database, partnership)));
  episodePages.push(...(await seedFamilyAssessments(database, partnership)));
  await seedSignInProvider(database, partnership);
});

describe("hostile input through every form", () => {
  it("never answers 500, never shows hostile markup unescaped, refuses U+0000, neutralises CSV formulas", async () => {
    const visitors: Visitor[] = [{ label: "signed out", client: new TestClient(app) }];
    for (const signIn of partnership.signIns) {
      const client = new TestClient(app);
      const response = await client.signIn(signIn.email, {
        totpSecret: signIn.role === "administrator" ? partnership.administratorTotpSecret : undefined,
      });
      assert.equal(response.statusCode, 303, `${signIn.email} signs in`);
      visitors.push({ label: signIn.email.split("@")[0] ?? signIn.role, client });
    }
    // Three rounds: the records the first round's forms create bring forms of their own (early help's
    // actions, a request's decision, an entry's amendment).
    for (const round of [1, 2, 3]) {
      for (const visitor of visitors) await crawl(visitor, round);
      for (const key of [...formsFound.keys()]) {
        if (LAST.test(key) || postedRoutes.has(patternOf(key.split(" ")[1] ?? ""))) continue;
        await submitHostile(key);
      }
    }
    for (const key of [...formsFound.keys()].filter((k) => LAST.test(k))) await submitHostile(key);

    assert.deepEqual(problems, [], problems.join("\n"));

    const unposted = postRoutes().filter((route) => {
      const pattern = route.replace(/:[A-Za-z]+Id\b/g, ":id").replace(/:token\b/, ":token");
      return !UNREACHED[route] && ![...postedRoutes].some((posted) => matches(pattern, posted));
    });
    assert.deepEqual(unposted, [], "every POST route was submitted with hostile values");

    const unrendered = viewTemplates(SRC_DIR).filter((t) => !rendered.has(t) && !UNRENDERED[t]);
    assert.deepEqual(unrendered, [], "every view template was rendered with hostile records in reach");

    // An entry whose every text starts with a formula prefix, then the family chronology's CSV.
    const health = visitors.find((v) => v.label === "health-visitor");
    assert.ok(health, "the health visitor signed in");
    const baby = partnership.demoFamily.babyPersonId;
    await health.client.get(`/people/${baby}/chronology/new?eventType=not-brought-dental`);
    const added = await health.client.post(`/people/${baby}/chronology/new`, {
      eventType: "not-brought-dental",
      "occurredOn-day": "",
      "occurredOn-month": "2",
      "occurredOn-year": "2025",
      datePrecision: "month",
      whatHappened: '=HYPERLINK("http://x","y")',
      impactOnChild: "+1",
      actionTaken: "@SUM(1)",
      significance: "medium",
      neglectTypes: "medical",
      informationBasis: "observed",
      visibility: "normal",
    });
    assert.equal(added.statusCode, 303);
    const csv = await health.client.get(`/people/${baby}/family-chronology.csv`);
    assert.equal(csv.statusCode, 200);
    check("GET the family chronology CSV", csv);
    assert.deepEqual(problems, [], problems.join("\n"));
    assert.ok(csvFormulasSeen.count > 0, "a CSV export carried a neutralised formula");
    const shown = [...shownEscaped].join("\n");
    assert.match(
      shown,
      /GET \/people\/:id\/pathway\/early-help\/:id$/m,
      "an early help action's text was shown, escaped",
    );
    assert.match(shown, /GET \/people\/:id\/chronology/m, "a chronology entry was shown, escaped");
  });
});

/** Whether a concrete path fits a route pattern (":name" matches one segment). */
const matches = (pattern: string, path: string): boolean => {
  const p = pattern.split("/");
  const q = path.split("/");
  return p.length === q.length && p.every((segment, i) => segment.startsWith(":") || segment === q[i]);
};
