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
import { after, before, describe, it } from "node:test";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { parseHTML } from "linkedom";
import nunjucks from "nunjucks";
import { generateAssessments } from "../assessments/generate-assessments.ts";
import { todayInEngland } from "../chronology/dates.ts";
import { repositoryFor } from "../data/repository.ts";
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import { prepareImport, processImport } from "../imports/engine.ts";
import { addCalendarDays } from "../pathways/working-days.ts";
import {
  createTestPartnership,
  openTestDatabase,
  startTestApp,
  TestClient,
} from "../test-support/harness.ts";
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
    "shown only to the invitee, signed out; its fields are passwords (tested in admin.test.ts)",
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
    "shown only for a closed record due for review, which a seed of children aged 0 to 17 never has; hostile reasons are tested in retention.test.ts",
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
    "shown only for a closed record due for review, which the seed never has (retention.test.ts renders it)",
  "indicators/views/children.njk":
    "linked only from an indicator that counts children; not every seed has one",
  "organisation/views/partnership-created.njk":
    "only after a valid LA code and e-mail address, which hostile values never are (admin.test.ts renders it with markup in the name)",
};

let database: HearthDatabase;
let app: FastifyInstance;
let partnership: GeneratedPartnership;
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

/** The cells of a CSV file (RFC 4180 quoting). */
const csvCells = (text: string): string[] => {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === "," || c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      cells.push(cell);
      cell = "";
    } else cell += c;
  }
  if (cell) cells.push(cell);
  return cells;
};

type FoundForm = { action: string; method: string; fields: [string, string, "text" | "fixed"][] };

/** A date a month ago, for every day/month/year group. */
const aMonthAgo = new Date(Date.now() - 30 * 86_400_000);
const dateParts: Record<string, string> = {
  day: String(aMonthAgo.getUTCDate()),
  month: String(aMonthAgo.getUTCMonth() + 1),
  year: String(aMonthAgo.getUTCFullYear()),
};

/** Reads each form on a page: its fields, with the value a user who changed nothing would send. */
const formsOn = (pageUrl: string, html: string): FoundForm[] => {
  const { document } = parseHTML(html);
  const forms: FoundForm[] = [];
  for (const form of document.querySelectorAll("form")) {
    const action = new URL(form.getAttribute("action") || pageUrl, "http://hearth.test").pathname;
    const fields: FoundForm["fields"] = [];
    const radios = new Set<string>();
    for (const element of form.querySelectorAll("input, textarea, select")) {
      const name = element.getAttribute("name");
      if (!name || name === "_csrf") continue;
      const tag = element.tagName.toLowerCase();
      const type = (element.getAttribute("type") ?? "text").toLowerCase();
      const part = /-(day|month|year)$/.exec(name)?.[1];
      if (tag === "select") {
        const options = [...element.querySelectorAll("option")];
        const chosen =
          options.find((o) => o.hasAttribute("selected")) ?? options.find((o) => o.getAttribute("value"));
        fields.push([name, chosen?.getAttribute("value") ?? "", "fixed"]);
      } else if (type === "radio") {
        if (radios.has(name)) continue;
        radios.add(name);
        const group = [...form.querySelectorAll(`input[type="radio"][name="${name}"]`)];
        const chosen = group.find((r) => r.hasAttribute("checked")) ?? group[0];
        fields.push([name, chosen?.getAttribute("value") ?? "", "fixed"]);
      } else if (type === "checkbox") {
        fields.push([name, element.getAttribute("value") ?? "on", "fixed"]);
      } else if (type === "hidden" || type === "submit") {
        fields.push([name, element.getAttribute("value") ?? "", "fixed"]);
      } else if (part) {
        fields.push([name, element.getAttribute("value") || (dateParts[part] ?? ""), "fixed"]);
      } else if (element.getAttribute("inputmode") === "numeric" || type === "number") {
        fields.push([name, element.getAttribute("value") || "1", "fixed"]);
      } else {
        fields.push([
          name,
          tag === "textarea" ? element.textContent : (element.getAttribute("value") ?? ""),
          "text",
        ]);
      }
    }
    forms.push({ action, method: (form.getAttribute("method") ?? "get").toLowerCase(), fields });
  }
  return forms;
};

let emailCounter = 0;
/** The submission of a form with one hostile value in every free-text field. */
const hostileSubmission = (form: FoundForm, values: string | string[]): Record<string, string> => {
  const body: Record<string, string> = {};
  let textFields = 0;
  for (const [name, current, kind] of form.fields) {
    const value = typeof values === "string" ? values : (values[textFields++ % values.length] ?? "");
    if (kind === "fixed") body[name] = current;
    // An email field gets a valid address (so the form can succeed and show the other fields) unless
    // the value is U+0000, which must be refused wherever it is.
    else if (/email/i.test(name) && !value.includes("\u0000"))
      body[name] = `hostile${++emailCounter}@example.test`;
    else body[name] = value;
  }
  return body;
};

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

before(async () => {
  database = await openTestDatabase();
  partnership = await createTestPartnership(database, 40);
  app = await startTestApp(database);
  const episode = await database.unsafeOwnerDb
    .selectFrom("csc_events")
    .select(["person_id", "episode_id"])
    .where("partnership_id", "=", partnership.partnershipId)
    .orderBy("episode_id")
    .executeTakeFirst();
  if (episode) episodePages.push(`/people/${episode.person_id}/pathway/episodes/${episode.episode_id}`);
  episodePages.push(...(await seedPlan()));
  episodePages.push(...(await seedFamilyAssessments()));
  await seedSignInProvider();
});

/**
 * An identity provider for the partnership's e-mail domain (a fixture: adding one through its form
 * needs a reachable OpenID Connect issuer, src/sso/sso.test.ts), so the signed-out sign-in page asks for
 * a work e-mail address and the administrator's provider page shows its group mapping and switch-off
 * forms. The crawl never starts a sign-in at it: no page links to one before an address is found.
 */
const seedSignInProvider = async () => {
  const admin = partnership.signIns.find((s) => s.role === "administrator");
  assert.ok(admin);
  await database.unsafeOwnerDb
    .insertInto("sso_providers")
    .values({
      partnership_id: partnership.partnershipId,
      provider_id: crypto.randomUUID(),
      display_name: "Hostile-input council staff",
      issuer: "http://127.0.0.1:9",
      client_id: "hostile-input-client",
      client_secret_encrypted: "not-a-secret",
      allowed_email_domains: [admin.email.split("@")[1] ?? ""],
      accept_provider_mfa: false,
      created_by: admin.userId,
    })
    .execute();
};

/**
 * A draft family assessment of two new siblings by the demo practitioner: its shared, child's and
 * family's-words forms, and check and submit.
 */
const seedFamilyAssessments = async (): Promise<string[]> => {
  const user = partnership.signIns.find((s) => s.email.startsWith("practitioner@"));
  assert.ok(user);
  const row = await database.unsafeOwnerDb
    .selectFrom("users")
    .select(["agency_id", "team_id"])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("user_id", "=", user.userId)
    .executeTakeFirstOrThrow();
  const repo = repositoryFor(database, {
    partnershipId: partnership.partnershipId,
    userId: user.userId,
    role: "practitioner",
    agencyId: row.agency_id,
    teamId: row.team_id,
    sessionId: null,
    ip: "127.0.0.1",
  });
  const child = async (givenNames: string, dateOfBirth: string) => {
    const created = await repo.people.createPerson(
      {
        kind: "child",
        givenNames,
        familyName: "Seeded",
        dateOfBirth,
        expectedDateOfBirth: null,
        sex: "F",
        ethnicity: "WBRI",
        disabilities: [],
        nhsNumber: null,
        upn: null,
        localId: null,
        sendStatus: null,
        youngCarer: null,
        firstLanguage: "English",
      },
      {
        startedOn: "2025-01-06",
        isLeadAgency: true,
        sharingBasis: "consent",
        consent: "given",
        sharingReasoning: null,
      },
    );
    assert.ok(created.ok, JSON.stringify(created));
    return created.value.personId;
  };
  const older = await child("Ada", "2018-01-01");
  const younger = await child("Bo", "2021-01-01");
  const home = await repo.households.startHousehold({
    personId: older,
    address: { addressLine: "2 Seeded Row", town: null, postcode: null },
    householdRole: "child",
    validFrom: "2021-01-01",
  });
  assert.ok(home.ok, JSON.stringify(home));
  const joined = await repo.households.addMember({
    householdId: home.value.householdId,
    personId: younger,
    householdRole: "child",
    validFrom: "2021-01-01",
  });
  assert.ok(joined.ok, JSON.stringify(joined));
  const tools = await repo.assessments.listTools();
  const tool = tools.find((t) => t.tool.slug === "hearth-family-screen");
  assert.ok(tool);
  const start = () =>
    repo.assessments.startFamilyAssessment(older, {
      toolId: tool.tool.tool_id,
      mode: "with-family",
      assessedOn: todayInEngland(),
      siblingIds: [younger],
    });
  const draft = await start();
  assert.ok(draft.ok, JSON.stringify(draft));
  // The family's page links to its check page and to the children, whose pages link to starting another.
  return [`/family-assessments/${draft.value.familyAssessmentId}`];
};

/**
 * A child protection plan by the front door, sent to the demo manager to authorise, and an assessment's
 * narrative, so the plan's and the record's forms (change, review, send for authorisation) and the
 * manager's decision are in the crawl's reach.
 */
const seedPlan = async (): Promise<string[]> => {
  const contextOf = async (
    role: "practitioner" | "front-door" | "manager" | "safeguarding-lead" | "auditor",
  ) => {
    const user = partnership.signIns.find((s) => s.role === role && s.email.startsWith(`${role}@`));
    assert.ok(user, role);
    const row = await database.unsafeOwnerDb
      .selectFrom("users")
      .select(["agency_id", "team_id"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("user_id", "=", user.userId)
      .executeTakeFirstOrThrow();
    return {
      partnershipId: partnership.partnershipId,
      userId: user.userId,
      role,
      agencyId: row.agency_id,
      teamId: row.team_id,
      sessionId: null,
      ip: "127.0.0.1",
    };
  };
  const child = partnership.demoFamily.siblingPersonId;
  const frontDoor = repositoryFor(database, await contextOf("front-door"));
  const request = await frontDoor.pathways.submitRequest(child, {
    receivedOn: todayInEngland(),
    concerns: "Seeded for the plan forms.",
    whatTried: "Seeded.",
    consent: "given",
    consentReason: null,
    referrerLevel: null,
  });
  assert.ok(request.ok, JSON.stringify(request));
  const decided = await frontDoor.pathways.decideRequest(request.value.requestId, {
    rag: "amber",
    outcome: "s17",
    reason: "Seeded.",
    decidedOn: todayInEngland(),
    workerUserId: (await contextOf("practitioner")).userId,
  });
  assert.ok(decided.ok, JSON.stringify(decided));
  const { episode_id: episodeId, event_id: assessmentEventId } = await database.unsafeOwnerDb
    .selectFrom("csc_events")
    .select(["episode_id", "event_id"])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("person_id", "=", child)
    .where("event_type", "=", "assessment-start")
    .orderBy("recorded_at", "desc")
    .executeTakeFirstOrThrow();
  const plan = await frontDoor.plans.createPlan(child, {
    planType: "cp",
    episodeId,
    earlyHelpId: null,
    content: {
      summary: "Seeded plan.",
      changeReason: null,
      outcomes: [{ outcomeId: null, description: "Seeded outcome" }],
      actions: [
        {
          actionId: null,
          outcomeIndex: 0,
          description: "Seeded action",
          ownerUserId: null,
          ownerAgencyId: null,
          ownerName: "Mum",
          dueOn: todayInEngland(),
        },
      ],
    },
  });
  assert.ok(plan.ok, JSON.stringify(plan));
  const sent = await frontDoor.plans.submitForAuthorisation({
    subjectType: "plan",
    subjectId: plan.value.planId,
    managerUserId: (await contextOf("manager")).userId,
  });
  assert.ok(sent.ok, JSON.stringify(sent));
  const record = await frontDoor.plans.createRecord(child, {
    recordType: "assessment",
    episodeId,
    eventId: assessmentEventId,
    narrative: "Seeded assessment.",
    childExperience: "",
  });
  assert.ok(record.ok, JSON.stringify(record));
  // A relapsing history with the child needs profile: the worklist's "assessments to act on" in reach.
  const { date_of_birth: dateOfBirth } = await database.unsafeOwnerDb
    .selectFrom("people")
    .select("date_of_birth")
    .where("partnership_id", "=", partnership.partnershipId)
    .where("person_id", "=", child)
    .executeTakeFirstOrThrow();
  const manager = await contextOf("manager");
  await generateAssessments(database, {
    partnershipId: partnership.partnershipId,
    seed: "hostile",
    agencyId: manager.agencyId,
    practitionerUserId: (await contextOf("practitioner")).userId,
    managerUserId: manager.userId,
    referenceDate: todayInEngland(),
    children: [{ personId: child, dateOfBirth, trajectory: "relapsing" }],
  });
  // Three "not brought" entries fire a signal for the child, so its page and decision form are in reach.
  for (const what of ["Seeded: not brought (1).", "Seeded: not brought (2).", "Seeded: not brought (3)."]) {
    const added = await frontDoor.chronology.addEvent(child, {
      eventType: "not-brought-health",
      occurredOn: todayInEngland(),
      datePrecision: "day",
      whatHappened: what,
      impactOnChild: "Seeded.",
      actionTaken: null,
      significance: "medium",
      neglectTypes: ["medical"],
      informationBasis: "observed",
      visibility: "normal",
      restrictedToRoles: [],
    });
    assert.ok(added.ok, JSON.stringify(added));
  }
  // A case audit round with the demo auditor, one return moderated with an action: the audit forms
  // (return, moderation, actions, completing an action) are in reach.
  const lead = repositoryFor(database, await contextOf("safeguarding-lead"));
  const auditor = await contextOf("auditor");
  const today = todayInEngland();
  const round = await lead.audits.planRound({
    title: "Seeded audit",
    theme: "neglect",
    formSlug: "neglect-case-audit",
    sampleMethod: "random",
    sampleRule: "any-child",
    seed: "hostile",
    sampleSize: 3,
    startsOn: today,
    returnsDueOn: addCalendarDays(today, 14),
    endsOn: addCalendarDays(today, 28),
    participants: [{ agencyId: auditor.agencyId, auditorUserId: auditor.userId }],
  });
  assert.ok(round.ok, JSON.stringify(round));
  const sampled = (await lead.audits.getRound(round.value.roundId))?.children[0]?.person_id;
  assert.ok(sampled, "the round sampled a child");
  const areas = ["recognition", "child-voice", "assessment", "information-sharing", "impact"];
  const returned = await repositoryFor(database, auditor).audits.submitReturn(round.value.roundId, sampled, {
    answers: Object.fromEntries(areas.map((id) => [id, { grade: "good" as const, evidence: "Seeded." }])),
    overallGrade: "good",
    summary: "Seeded.",
  });
  assert.ok(returned.ok, JSON.stringify(returned));
  const moderated = await lead.audits.moderate(round.value.roundId, sampled, {
    agreedGrade: "good",
    learningPoints: "Seeded.",
  });
  assert.ok(moderated.ok, JSON.stringify(moderated));
  const audited = await lead.audits.addAction(round.value.roundId, sampled, {
    description: "Seeded action.",
    ownerUserId: (await contextOf("safeguarding-lead")).userId,
    dueOn: addCalendarDays(today, 7),
  });
  assert.ok(audited.ok, JSON.stringify(audited));
  // An appointments import with one weak match (a misspelt name, no NHS number): the import's page and
  // its review list are in reach of the health visiting team and the safeguarding lead.
  const baby = await database.unsafeOwnerDb
    .selectFrom("people")
    .select(["given_names", "family_name", "date_of_birth"])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("person_id", "=", partnership.demoFamily.babyPersonId)
    .executeTakeFirstOrThrow();
  const bundle = JSON.stringify({
    resourceType: "Bundle",
    type: "collection",
    entry: [
      {
        fullUrl: "urn:uuid:p1",
        resource: {
          resourceType: "Patient",
          id: "p1",
          name: [{ given: [baby.given_names], family: `${baby.family_name}e` }],
          birthDate: baby.date_of_birth,
        },
      },
      {
        resource: {
          resourceType: "Appointment",
          id: "a1",
          identifier: [{ system: "https://example.nhs.uk/appointments", value: "HOSTILE-1" }],
          status: "noshow",
          start: `${today}T09:30:00+00:00`,
          participant: [{ actor: { reference: "urn:uuid:p1" } }],
        },
      },
    ],
  });
  const prepared = await prepareImport(database, {
    partnershipId: partnership.partnershipId,
    agencyId: partnership.demoFamily.healthVisitingAgencyId,
    format: "appointments-fhir",
    fileName: "appointments.json",
    content: bundle,
    actor: null,
  });
  await processImport(database, {
    partnershipId: partnership.partnershipId,
    importId: prepared.importId,
    content: bundle,
    actor: null,
  });
  // A training session the demo practitioner attended: her confidence form is in reach.
  const course = await lead.training.createCourse({
    title: "Seeded course",
    level: "core",
    toolSlugs: [],
    outcomes: ["Seeded outcome"],
  });
  assert.ok(course.ok, JSON.stringify(course));
  const session = await lead.training.addSession(course.value.courseId, { heldOn: today, trainer: "Seeded" });
  assert.ok(session.ok, JSON.stringify(session));
  const trainee = (await contextOf("practitioner")).userId;
  assert.ok((await lead.training.recordAttendance(session.value.sessionId, [trainee])).ok);
  // A one-time feedback link: its page (signed out) and its questionnaire's form are in reach.
  const link = await lead.feedback.createLink(child, "child");
  assert.ok(link.ok, JSON.stringify(link));
  const signal = (await frontDoor.signals.familyPatterns(child))?.signals.find((s) => s.personId === child);
  assert.ok(signal, "a signal fired for the seeded child");
  return [
    `/learning/audits/${round.value.roundId}`,
    "/learning",
    "/learning/audits/new",
    "/learning/actions",
    `/learning/audits/${round.value.roundId}/children/${sampled}/moderate`,
    `/f/${link.value.token}`,
    `/imports/${prepared.importId}`,
    `/imports/${prepared.importId}/review`,
    `/learning/training/sessions/${session.value.sessionId}/attendees/${trainee}/evaluation`,
    `/people/${child}/feedback`,
    "/imports",
    `/signals/${signal.signalId}`,
    `/people/${child}/records/${record.value.recordId}`,
    `/people/${child}/pathway/episodes/${episodeId}/casework/${assessmentEventId}`,
    `/people/${child}/plans/${plan.value.planId}`,
    `/authorisations/${sent.value.authorisationId}`,
    `/people/${child}/pathway/episodes/${episodeId}`,
  ];
};

after(async () => {
  await app.close();
  await database.close();
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
