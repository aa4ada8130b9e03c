// SPDX-License-Identifier: MIT
/**
 * Refusals are audited, and no route that names a record gives it away. Walks every route the app has
 * registered with a parameter in its path (so a route added later is walked too), GET and POST, as a
 * practitioner whose agency has no involvement with the child the records are about, and again with ids
 * from another partnership: each answer is a 403 or 404 without the child's name, date of birth, NHS
 * number or chronology text, and each writes a "denied" row to the caller's own partnership's chain.
 * Then the auditor's list of refusals, by user and period, and who may open it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { unsafeVerifyAuditChains } from "../audit/audit-log.ts";
import type { AccessContext } from "../data/access-context.ts";
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import {
  createTestPartnership,
  openTestDatabase,
  practitionerNotInvolvedWith,
  signInFor,
  startTestApp,
  TestClient,
} from "../test-support/harness.ts";
import { registeredRoutes } from "./denials.ts";
import { CHRONOLOGY_TEXT, type Ids, makeVictim, today, type Victim } from "./denials-victims.ts";

let database: HearthDatabase;
let a: GeneratedPartnership;
let b: GeneratedPartnership;
let app: FastifyInstance;

/**
 * Routes whose parameters do not name a record a caller could be refused, or whose answer to an
 * uninvolved worker is by design not a refusal. Each is still walked where it is safe to.
 */
const EXCEPTIONS: Record<string, string> = {
  "GET /invite/:token": "the token is an invite's secret for someone not yet signed in, not a record id",
  "POST /invite/:token": "the token is an invite's secret for someone not yet signed in, not a record id",
  "GET /people/:personId":
    "an uninvolved worker is shown that the child is known, and to whom (name and date of birth only), audited as a view of 'known-to'",
  "POST /people/:personId/involvement-requests":
    "asking to be involved is what an uninvolved worker is meant to do (audited as request-involvement)",
  "POST /people/:personId/break-glass":
    "break glass opens the record by design, audited with its reason; not walked, or it would open the record",
};
/** Not requested at all: walking them would change what the caller may see. */
const NOT_WALKED = new Set(["POST /people/:personId/break-glass"]);

/** The route's URL with each parameter replaced by the victim's record of that kind. */
const urlFor = (route: string, ids: Ids): string =>
  route.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const key =
      name === "requestId" && route.startsWith("/involvement-requests/") ? "involvementRequestId" : name;
    const value = ids[key];
    if (value === undefined) throw new Error(`no id for :${name} in ${route}: add one to the walker`);
    return encodeURIComponent(value);
  });

/** A body that passes the common forms' validation, so what answers is the access rule. */
const plausibleBody = (ids: Ids): Record<string, string> => ({
  reason: "Walker-test reason",
  requestReason: "Walker-test reason",
  decision: "grant",
  whatHappened: "Walker-test what happened",
  impactOnChild: "Walker-test impact",
  eventType: "not-brought-health",
  "occurredOn-day": "1",
  "occurredOn-month": "3",
  "occurredOn-year": "2026",
  datePrecision: "day",
  significance: "medium",
  informationBasis: "observed",
  visibility: "normal",
  summary: "Walker-test summary",
  comments: "Walker-test comments",
  relatedPersonId: ids.personId ?? "",
  relationshipType: "sibling",
  agencyId: "",
  startedOn: today(),
  sharingBasis: "consent",
  consent: "given",
  note: "Walker-test note",
  disagreement: "Walker-test disagreement",
  description: "Walker-test description",
  role: "auditor",
});

const denialRows = async (partnershipId: string, actorUserId: string) =>
  database.unsafeOwnerDb
    .selectFrom("audit_log")
    .select(["seq", "record_type", "record_id", "details", "actor_user_id"])
    .where("partnership_id", "=", partnershipId)
    .where("action", "=", "denied")
    .where("actor_user_id", "=", actorUserId)
    .orderBy("seq")
    .execute();

let victimA: Victim;
let victimB: Victim;
let attacker: { context: AccessContext; email: string };
let client: TestClient;

before(async () => {
  database = await openTestDatabase();
  a = await createTestPartnership(database);
  b = await createTestPartnership(database);
  app = await startTestApp(database);
  // Someone else's session, for the route that ends a session.
  for (const partnership of [a, b]) {
    const lead = await new TestClient(app).signIn(signInFor(partnership, "safeguarding-lead").email);
    assert.equal(lead.headers.location, "/");
  }
  victimA = await makeVictim(database, a);
  victimB = await makeVictim(database, b);
  attacker = await practitionerNotInvolvedWith(database, a.partnershipId, victimA.ids.personId as string);
  client = new TestClient(app);
  const signedIn = await client.signIn(attacker.email);
  assert.equal(signedIn.headers.location, "/");
  await client.get("/");
});

after(async () => {
  await app.close();
  await database.close();
});

const recordRoutes = () =>
  registeredRoutes(app)
    .filter((r) => r.url.includes(":") && (r.method === "GET" || r.method === "POST"))
    .map((r) => ({ ...r, key: `${r.method} ${r.url}` }));

const walk = async (victim: Victim, label: string) => {
  const problems: string[] = [];
  const routes = recordRoutes();
  assert.ok(routes.length > 40, `the walker found the app's record routes (${routes.length})`);
  for (const route of routes) {
    if (NOT_WALKED.has(route.key)) continue;
    const url = urlFor(route.url, victim.ids);
    const before = (await denialRows(a.partnershipId, attacker.context.userId)).length;
    await client.get("/"); // a fresh CSRF token from a page the caller may open
    const response: LightMyRequestResponse =
      route.method === "GET" ? await client.get(url) : await client.post(url, plausibleBody(victim.ids));
    const leaked = victim.secrets.filter((secret) => response.body.includes(secret));
    if (route.key === "GET /people/:personId" && label === "same partnership") {
      // The "known to" page shows the name and date of birth by design, nothing more.
      const beyond = leaked.filter((s) => s.startsWith("Walker-test") || s === CHRONOLOGY_TEXT);
      if (beyond.length > 0) problems.push(`${route.key}: shows ${beyond.join(", ")}`);
      continue;
    }
    if (leaked.length > 0) problems.push(`${route.key} (${label}): body shows ${leaked.join(", ")}`);
    if (EXCEPTIONS[route.key]) continue;
    if (response.statusCode !== 403 && response.statusCode !== 404)
      problems.push(
        `${route.key} (${label}): answered ${response.statusCode} ${response.headers.location ?? ""}`,
      );
    const rows = await denialRows(a.partnershipId, attacker.context.userId);
    const written = rows.slice(before);
    const row = written.find((r) => (r.details as { route?: string }).route === route.url);
    if (!row) problems.push(`${route.key} (${label}): no denial row`);
    else if ((row.details as { method?: string }).method !== route.method)
      problems.push(
        `${route.key} (${label}): denial row names ${(row.details as { method?: string }).method}`,
      );
  }
  return problems;
};

describe("every route that names a record, as a practitioner whose agency is not involved", () => {
  it("refuses without the child's details, and audits each refusal", async () => {
    const problems = await walk(victimA, "same partnership");
    assert.deepEqual(problems, []);
  });

  it("refuses another partnership's ids the same way, auditing in the caller's own chain only", async () => {
    const problems = await walk(victimB, "other partnership");
    assert.deepEqual(problems, []);
    assert.deepEqual(
      await denialRows(b.partnershipId, attacker.context.userId),
      [],
      "nothing in the other chain",
    );
    // This file's two chains: on PostgreSQL other files share the database, and one tampers on purpose.
    const report = await unsafeVerifyAuditChains(database.unsafeOwnerDb);
    const ours = new Set([a.partnershipId, b.partnershipId]);
    assert.deepEqual(
      report.problems.filter((problem) => ours.has(problem.partnershipId)),
      [],
      "both partnerships' chains still verify",
    );
  });
});

const text = (response: LightMyRequestResponse): string =>
  response.body
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");

describe("the list of refused requests", () => {
  it("is refused to a practitioner, and that refusal is itself audited", async () => {
    const before = (await denialRows(a.partnershipId, attacker.context.userId)).length;
    const response = await client.get("/audit/denials");
    assert.equal(response.statusCode, 403);
    const rows = await denialRows(a.partnershipId, attacker.context.userId);
    assert.equal(rows.length, before + 1);
    assert.deepEqual(rows.at(-1)?.details, { method: "GET", route: "/audit/denials", params: {} });
    assert.ok(!(await client.get("/")).body.includes('href="/audit/denials"'), "not in the navigation");
  });

  it("lists an auditor the refusals by user and period, linked from the navigation", async () => {
    const auditor = new TestClient(app);
    assert.equal((await auditor.signIn(signInFor(a, "auditor").email)).headers.location, "/");
    const home = await auditor.get("/");
    assert.ok(home.body.includes('href="/audit/denials"'), "the auditor's navigation links to it");

    // Every page of the attacker's refusals, following the pagination's "Next" link.
    const first = text(await auditor.get(`/audit/denials?user=${attacker.context.userId}`));
    assert.ok(first.includes('class="govuk-pagination'), "a long list is paged");
    let all = first;
    let next = /<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="next">/.exec(first)?.[1];
    for (let pages = 1; next && pages < 20; pages += 1) {
      const page = text(await auditor.get(next));
      all += page;
      next = /<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="next">/.exec(page)?.[1];
    }
    assert.equal(next, undefined, "the last page has no next link");
    assert.ok(all.includes("GET /people/:personId/chronology"), "the attempted route is listed");
    assert.ok(all.includes(victimA.ids.personId as string), "with the record asked for");
    assert.ok(all.includes(victimB.ids.personId as string), "including another partnership's id");
    // The refusals themselves, not the user filter: staff names come from the same vocabulary as children's.
    const listed = (all.match(/<table[\s\S]*?<\/table>/g) ?? []).join("");
    for (const secret of victimA.secrets)
      assert.ok(!listed.includes(secret), `and nothing about the child (${secret})`);

    const someoneElse = text(await auditor.get(`/audit/denials?user=${signInFor(a, "manager").userId}`));
    assert.ok(someoneElse.includes("No refused requests match"));

    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const past = text(
      await auditor.get(`/audit/denials?user=${attacker.context.userId}&from=2020-01-01&to=${yesterday}`),
    );
    assert.ok(past.includes("No refused requests match"), "a period before the refusals lists none");
    const now = text(
      await auditor.get(`/audit/denials?user=${attacker.context.userId}&from=${today()}&to=${today()}`),
    );
    assert.ok(now.includes("/audit/denials"));

    const backwards = await auditor.get(`/audit/denials?from=${today()}&to=2020-01-01`);
    assert.equal(backwards.statusCode, 400);
    assert.ok(text(backwards).includes("The end date must not be before the start date"));
    const malformed = await auditor.get("/audit/denials?from=yesterday");
    assert.equal(malformed.statusCode, 400);
    assert.ok(malformed.body.includes('href="#from"'));
  });
});
