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
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { sql } from "kysely";
import { unsafeVerifyAuditChains } from "../audit/audit-log.ts";
import { todayInEngland } from "../chronology/dates.ts";
import type { AccessContext } from "../data/access-context.ts";
import { repositoryFor } from "../data/repository.ts";
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import { INDICATORS } from "../indicators/registry.ts";
import {
  createTestPartnership,
  openTestDatabase,
  signInFor,
  startTestApp,
  TestClient,
} from "../test-support/harness.ts";
import { registeredRoutes } from "./denials.ts";

let database: HearthDatabase;
let a: GeneratedPartnership;
let b: GeneratedPartnership;
let app: FastifyInstance;

const today = () => todayInEngland();
const CHRONOLOGY_TEXT = "Walker-test entry: bruising noticed on the left forearm at nursery.";

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

type Ids = Record<string, string>;
type Victim = { ids: Ids; secrets: string[] };

/** A practitioner (no second factor) whose agency has no involvement with the person. */
const uninvolvedPractitioner = async (partnership: GeneratedPartnership, personId: string) =>
  database.unsafeOwnerDb
    .selectFrom("users as u")
    .select(["u.user_id", "u.agency_id", "u.team_id", "u.email"])
    .where("u.partnership_id", "=", partnership.partnershipId)
    .where("u.role", "=", "practitioner")
    .where("u.totp_secret", "is", null)
    .where("u.deactivated_at", "is", null)
    .where(
      sql<boolean>`not exists (select 1 from involvements i where i.partnership_id = u.partnership_id and i.agency_id = u.agency_id and i.person_id = ${personId})`,
    )
    .orderBy("u.email")
    .executeTakeFirstOrThrow();

const contextOf = (
  partnership: GeneratedPartnership,
  user: { user_id: string; agency_id: string; team_id: string | null },
  role: AccessContext["role"],
): AccessContext => ({
  partnershipId: partnership.partnershipId,
  userId: user.user_id,
  role,
  agencyId: user.agency_id,
  teamId: user.team_id,
  sessionId: null,
  ip: "127.0.0.1",
});

const userByRole = (partnership: GeneratedPartnership, role: AccessContext["role"]) =>
  database.unsafeOwnerDb
    .selectFrom("users")
    .select(["user_id", "agency_id", "team_id", "email"])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("user_id", "=", signInFor(partnership, role).userId)
    .executeTakeFirstOrThrow();

/**
 * A child with a social care episode, and one record of every kind about them, made by the people who
 * may make them. The secrets are what must never reach someone refused.
 */
const makeVictim = async (partnership: GeneratedPartnership): Promise<Victim> => {
  const p = partnership.partnershipId;
  const episode = await database.unsafeOwnerDb
    .selectFrom("csc_events as e")
    .innerJoin("people as c", (j) =>
      j.onRef("c.partnership_id", "=", "e.partnership_id").onRef("c.person_id", "=", "e.person_id"),
    )
    .select([
      "e.person_id",
      "e.episode_id",
      "c.given_names",
      "c.family_name",
      "c.date_of_birth",
      "c.nhs_number",
    ])
    .where("e.partnership_id", "=", p)
    .where("c.merged_into_person_id", "is", null)
    .orderBy("e.person_id")
    .executeTakeFirstOrThrow();
  const personId = episode.person_id;
  const lead = contextOf(
    partnership,
    await userByRole(partnership, "safeguarding-lead"),
    "safeguarding-lead",
  );
  const leadRepo = repositoryFor(database, lead);
  const event = await leadRepo.chronology.addEvent(personId, {
    eventType: "not-brought-health",
    occurredOn: today(),
    datePrecision: "day",
    whatHappened: CHRONOLOGY_TEXT,
    impactOnChild: "Walker-test impact on the child.",
    actionTaken: null,
    significance: "high",
    neglectTypes: ["medical"],
    informationBasis: "observed",
    visibility: "normal",
    restrictedToRoles: [],
  });
  assert.ok(event.ok, JSON.stringify(event));
  // Two more "not brought": with the first, a signal fires for the child (src/signals).
  for (const more of ["Walker-test second missed appointment.", "Walker-test third missed appointment."]) {
    const added = await leadRepo.chronology.addEvent(personId, {
      eventType: "not-brought-health",
      occurredOn: today(),
      datePrecision: "day",
      whatHappened: more,
      impactOnChild: "Walker-test impact on the child.",
      actionTaken: null,
      significance: "medium",
      neglectTypes: ["medical"],
      informationBasis: "observed",
      visibility: "normal",
      restrictedToRoles: [],
    });
    assert.ok(added.ok, JSON.stringify(added));
  }
  const signal = (await leadRepo.signals.familyPatterns(personId))?.signals.find(
    (s) => s.personId === personId,
  );
  assert.ok(signal, "a signal fired for the walker's child");
  const request = await leadRepo.pathways.submitRequest(personId, {
    receivedOn: today(),
    concerns: "Walker-test concerns.",
    whatTried: "Walker-test support tried.",
    consent: "given",
    consentReason: null,
    referrerLevel: "targeted",
  });
  assert.ok(request.ok, JSON.stringify(request));
  const earlyHelp = await leadRepo.pathways.startEarlyHelp(personId, {
    startedOn: today(),
    consentOn: today(),
    assessmentSummary: "Walker-test early help summary.",
    reviewIntervalWeeks: 6,
    supportRequestId: null,
    steppedDownFromEpisodeId: null,
  });
  assert.ok(earlyHelp.ok, JSON.stringify(earlyHelp));
  const action = await leadRepo.pathways.addPlanAction(earlyHelp.value.earlyHelpId, {
    outcomeId: null,
    description: "Walker-test action",
    owner: "Mum",
    dueOn: today(),
  });
  assert.ok(action.ok, JSON.stringify(action));
  const escalation = await leadRepo.pathways.raiseEscalation(personId, {
    raisedOn: today(),
    disagreement: "Walker-test disagreement.",
  });
  assert.ok(escalation.ok, JSON.stringify(escalation));
  const tools = await leadRepo.assessments.listTools();
  const tool = tools.find((t) => t.tool.slug === "home-conditions-rag") ?? tools[0];
  assert.ok(tool);
  const assessment = await leadRepo.assessments.startAssessment(personId, {
    toolId: tool.tool.tool_id,
    mode: "practitioner",
    assessedOn: today(),
  });
  assert.ok(assessment.ok, JSON.stringify(assessment));
  const visit = await leadRepo.assessments.addVisit(assessment.value.assessmentId, {
    visitedOn: today(),
    announced: true,
    childSeen: true,
    note: null,
  });
  assert.ok(visit.ok, JSON.stringify(visit));
  const stored = await database.unsafeOwnerDb
    .selectFrom("assessments")
    .select("tool_version_id")
    .where("partnership_id", "=", p)
    .where("assessment_id", "=", assessment.value.assessmentId)
    .executeTakeFirstOrThrow();
  const involvement = await database.unsafeOwnerDb
    .selectFrom("involvements")
    .select("involvement_id")
    .where("partnership_id", "=", p)
    .where("person_id", "=", personId)
    .executeTakeFirstOrThrow();
  // Someone else's request to be involved, which only the lead agency may decide.
  const asker = await uninvolvedPractitioner(partnership, personId);
  const asked = await repositoryFor(
    database,
    contextOf(partnership, asker, "practitioner"),
  ).people.requestInvolvement(personId, "Walker-test: we have met the family.");
  assert.ok(asked.ok, JSON.stringify(asked));
  // A team-around-the-family plan, an assessment's narrative and an authorisation (src/pathways/plans).
  const plan = await leadRepo.plans.createPlan(personId, {
    planType: "taf",
    episodeId: null,
    earlyHelpId: earlyHelp.value.earlyHelpId,
    content: {
      summary: "Walker-test plan summary.",
      changeReason: null,
      outcomes: [{ outcomeId: null, description: "Walker-test outcome" }],
      actions: [],
    },
  });
  assert.ok(plan.ok, JSON.stringify(plan));
  const authorisation = await leadRepo.plans.submitForAuthorisation({
    subjectType: "plan",
    subjectId: plan.value.planId,
    managerUserId: (
      await database.unsafeOwnerDb
        .selectFrom("users")
        .select("user_id")
        .where("partnership_id", "=", p)
        .where("agency_id", "=", lead.agencyId)
        .where("role", "=", "manager")
        .orderBy("email")
        .executeTakeFirstOrThrow()
    ).user_id,
  });
  assert.ok(authorisation.ok, JSON.stringify(authorisation));
  const assessmentStart = await database.unsafeOwnerDb
    .selectFrom("csc_events")
    .select(["event_id", "episode_id"])
    .where("partnership_id", "=", p)
    .where("person_id", "=", personId)
    .where("event_type", "=", "assessment-start")
    .executeTakeFirst();
  const caseRecord = assessmentStart
    ? await leadRepo.plans.createRecord(personId, {
        recordType: "assessment",
        episodeId: assessmentStart.episode_id,
        eventId: assessmentStart.event_id,
        narrative: "Walker-test assessment narrative.",
        childExperience: "",
      })
    : undefined;
  assert.ok(caseRecord === undefined || caseRecord.ok, JSON.stringify(caseRecord));
  // Someone else's notification (the difference above told its parties).
  const notification = await database.unsafeOwnerDb
    .selectFrom("notifications")
    .select("notification_id")
    .where("partnership_id", "=", p)
    .executeTakeFirstOrThrow();
  const admin = await userByRole(partnership, "administrator");
  const session = await database.unsafeOwnerDb
    .selectFrom("sessions")
    .select("session_id")
    .where("partnership_id", "=", p)
    .where("user_id", "=", lead.userId)
    .executeTakeFirstOrThrow();
  // A household of the child alone: the generator's households may hold someone the attacker may open,
  // whose household page is then rightly open to them.
  const ownHousehold = await leadRepo.households.startHousehold({
    personId,
    address: { addressLine: "1 Walker Test Row", town: null, postcode: null },
    householdRole: "child",
    validFrom: "2024-01-01",
  });
  assert.ok(ownHousehold.ok, JSON.stringify(ownHousehold));
  // A family assessment of the child and a brother in their household (src/assessments/family-routes.ts).
  const brother = await leadRepo.people.createPerson(
    {
      kind: "child",
      givenNames: "Walker-test Brother",
      familyName: "Walker",
      dateOfBirth: "2020-01-01",
      expectedDateOfBirth: null,
      sex: "M",
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
      startedOn: today(),
      isLeadAgency: true,
      sharingBasis: "consent",
      consent: "given",
      sharingReasoning: null,
    },
  );
  assert.ok(brother.ok, JSON.stringify(brother));
  const joined = await leadRepo.households.addMember({
    householdId: ownHousehold.value.householdId,
    personId: brother.value.personId,
    householdRole: "child",
    validFrom: "2024-01-01",
  });
  assert.ok(joined.ok, JSON.stringify(joined));
  const family = await leadRepo.assessments.startFamilyAssessment(personId, {
    toolId: tool.tool.tool_id,
    mode: "practitioner",
    assessedOn: today(),
    siblingIds: [brother.value.personId],
  });
  assert.ok(family.ok, JSON.stringify(family));
  const membership = await database.unsafeOwnerDb
    .selectFrom("household_members")
    .select(["household_id", "membership_id"])
    .where("partnership_id", "=", p)
    .where("household_id", "=", ownHousehold.value.householdId)
    .where("person_id", "=", personId)
    .executeTakeFirst();
  // The child's relationship, where the generator gave them one (else an id that matches nothing).
  const relationship = await database.unsafeOwnerDb
    .selectFrom("relationships")
    .select("relationship_id")
    .where("partnership_id", "=", p)
    .where((eb) => eb.or([eb("person_id", "=", personId), eb("related_person_id", "=", personId)]))
    .executeTakeFirst();
  const ids: Ids = {
    personId,
    householdId: membership?.household_id ?? randomUUID(),
    membershipId: membership?.membership_id ?? randomUUID(),
    relationshipId: relationship?.relationship_id ?? randomUUID(),
    signalId: signal.signalId,
    eventId: event.value.eventId,
    involvementId: involvement.involvement_id,
    mergeId: randomUUID(),
    assessmentId: assessment.value.assessmentId,
    familyAssessmentId: family.value.familyAssessmentId,
    visitId: visit.value.visitId,
    targetId: randomUUID(),
    sectionId: "home",
    toolId: tool.tool.tool_id,
    toolVersionId: stored.tool_version_id,
    requestId: request.value.requestId,
    involvementRequestId: asked.value.requestId,
    earlyHelpId: earlyHelp.value.earlyHelpId,
    actionId: action.value.actionId,
    episodeId: episode.episode_id,
    eventType: "visit",
    escalationId: escalation.value.escalationId,
    planId: plan.value.planId,
    caseRecordId: caseRecord?.ok ? caseRecord.value.recordId : randomUUID(),
    authorisationId: authorisation.value.authorisationId,
    notificationId: notification.notification_id,
    userId: admin.user_id,
    sessionId: session.session_id,
    jobId: randomUUID(),
    recordType: "person",
    recordId: personId,
    id: INDICATORS[0]?.id ?? "x",
    token: "not-a-real-invite-token",
    // Records that name no child: the caller is refused (or finds nothing) whatever the id.
    template: "southampton-uha-levels-of-need",
    importId: randomUUID(),
    rowNumber: "1",
    roundId: randomUUID(),
    responseId: randomUUID(),
    providerId: randomUUID(),
    mappingId: randomUUID(),
    courseId: randomUUID(),
    trainingSessionId: randomUUID(),
  };
  const [y, m, d] = (episode.date_of_birth ?? "").split("-");
  const longDate = episode.date_of_birth
    ? new Date(Date.UTC(Number(y), Number(m) - 1, Number(d))).toLocaleDateString("en-GB", {
        day: "numeric",
        month: "long",
        year: "numeric",
        timeZone: "UTC",
      })
    : undefined;
  const secrets = [
    `${episode.given_names} ${episode.family_name}`,
    CHRONOLOGY_TEXT,
    "Walker-test",
    ...(episode.date_of_birth ? [episode.date_of_birth, longDate as string] : []),
    ...(episode.nhs_number ? [episode.nhs_number] : []),
  ];
  return { ids, secrets };
};

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
let attacker: { user_id: string; agency_id: string; team_id: string | null; email: string };
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
  victimA = await makeVictim(a);
  victimB = await makeVictim(b);
  attacker = await uninvolvedPractitioner(a, victimA.ids.personId as string);
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
    const before = (await denialRows(a.partnershipId, attacker.user_id)).length;
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
    const rows = await denialRows(a.partnershipId, attacker.user_id);
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
    assert.deepEqual(await denialRows(b.partnershipId, attacker.user_id), [], "nothing in the other chain");
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
    const before = (await denialRows(a.partnershipId, attacker.user_id)).length;
    const response = await client.get("/audit/denials");
    assert.equal(response.statusCode, 403);
    const rows = await denialRows(a.partnershipId, attacker.user_id);
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
    const first = text(await auditor.get(`/audit/denials?user=${attacker.user_id}`));
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
      await auditor.get(`/audit/denials?user=${attacker.user_id}&from=2020-01-01&to=${yesterday}`),
    );
    assert.ok(past.includes("No refused requests match"), "a period before the refusals lists none");
    const now = text(
      await auditor.get(`/audit/denials?user=${attacker.user_id}&from=${today()}&to=${today()}`),
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
