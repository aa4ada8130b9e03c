// SPDX-License-Identifier: MIT
/**
 * Each notification reaches the right people and nobody else, through real HTTP: a professional
 * difference raised by the school about a front-door decision reaches the front door, the social care
 * manager, both agencies' managers and the safeguarding leads; escalating and resolving it reach every
 * party (the school hears of the resolution); break glass reaches the safeguarding leads, naming who and
 * why, and stays until acknowledged; a submitted assessment reaches its agency's managers; a plan review
 * due reaches the allocated worker once. A non-party gets 404 on the difference, and the refusal is
 * audited. E-mails go to a local SMTP server, with a link and no child's name.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { SMTPServer } from "smtp-server";
import type { AccessContext } from "../data/access-context.ts";
import { repositoryFor } from "../data/repository.ts";
import type { HearthDatabase } from "../db/database.ts";
import { withPartnershipScope } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import { remindPlanReviewsIn } from "../home/worklist-repository.ts";
import { addCalendarDays, todayInEngland } from "../kernel/calendar.ts";
import { recordCscEvents } from "../test-support/csc-events.ts";
import {
  createTestPartnership,
  openTestDatabase,
  TestClient,
  testConfig,
  userFor,
  weekdayAgo,
} from "../test-support/harness.ts";
import { createTestChild } from "../test-support/people.ts";
import { buildApp } from "../web/app.ts";
import { dateInputValues } from "../web/dates.ts";
import type { NotificationKind } from "./codes.ts";

let database: HearthDatabase;
let app: FastifyInstance;
let partnership: GeneratedPartnership;
let smtp: SMTPServer;
const mail: { to: string; raw: string }[] = [];

const demo = (local: string) => {
  const found = partnership.signIns.find((s) => s.email.startsWith(`${local}@`));
  assert.ok(found, local);
  return found;
};
const signedIn = async (email: string) => {
  const c = new TestClient(app);
  await c.signIn(email);
  return c;
};
const idFrom = (text: string | string[] | undefined, pattern: RegExp) => {
  const match = pattern.exec(String(text ?? ""));
  assert.ok(match?.[1], `no id in ${text}`);
  return match[1];
};

/** Who was sent notifications of this kind (about this record, when a link part is given). */
const recipientsOf = async (kind: NotificationKind, linkPart?: string) => {
  let query = database.unsafeOwnerDb
    .selectFrom("notifications")
    .select(["recipient_user_id", "subject", "body", "link", "notification_id"])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("kind", "=", kind);
  if (linkPart) query = query.where("link", "like", `%${linkPart}%`);
  return query.execute();
};
const users = () =>
  database.unsafeOwnerDb
    .selectFrom("users")
    .select(["user_id", "role", "agency_id", "email", "display_name"])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("deactivated_at", "is", null)
    .execute();
let who = new Map<string, string>();
/** Users as "role email", so a failure says who was told wrongly. */
const sorted = (ids: Iterable<string>) => [...new Set(ids)].map((id) => who.get(id) ?? id).sort();

/** A new child known to the caller's agency (lead agency). */
const newChild = (ctx: AccessContext, givenNames: string) =>
  createTestChild(repositoryFor(database, ctx).people, {
    givenNames,
    familyName: "Testwell",
    dateOfBirth: "2018-06-06",
  });

before(async () => {
  database = await openTestDatabase();
  partnership = await createTestPartnership(database);
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (chunk: Buffer) => {
        raw += chunk.toString("utf8");
      });
      stream.on("end", () => {
        for (const to of session.envelope.rcptTo) mail.push({ to: to.address, raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  app = await buildApp({
    config: { ...testConfig(), smtp: { url: `smtp://127.0.0.1:${port}`, from: "hearth@example.org" } },
    database,
  });
  await app.ready();
});

after(async () => {
  await app.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await database.close();
});

describe("notifications", () => {
  let escalationId = "";

  it("tell every party to a professional difference, and nobody else, as it is raised, escalated and resolved", async () => {
    const child = partnership.demoFamily.siblingPersonId;
    const school = await signedIn(demo("school").email);
    await school.get(`/people/${child}/history`);
    await school.post(`/people/${child}/history`, {});
    await school.get(`/people/${child}/pathway/request`);
    const sent = await school.post(`/people/${child}/pathway/request`, {
      ...dateInputValues("receivedOn", weekdayAgo(20)),
      concerns: "Often hungry and unkempt.",
      whatTried: "Breakfast club.",
      consent: "given",
      referrerLevel: "targeted",
    });
    assert.equal(sent.statusCode, 303);
    const requestId = idFrom(sent.headers.location, /requests\/([0-9a-f-]{36})/);
    const frontDoor = await signedIn(demo("front-door").email);
    await frontDoor.get(`/pathways/requests/${requestId}`);
    const decided = await frontDoor.post(`/pathways/requests/${requestId}/decision`, {
      rag: "green",
      outcome: "advice",
      reason: "Universal services can meet the need.",
      workerUserId: "",
      ...dateInputValues("decidedOn", weekdayAgo(19)),
    });
    assert.equal(decided.statusCode, 303);

    const form = await school.get(`/people/${child}/pathway/escalations/new`);
    assert.match(form.body, new RegExp(`value="request:${requestId}"`), "the decision can be chosen");
    const raised = await school.post(`/people/${child}/pathway/escalations/new`, {
      ...dateInputValues("raisedOn", weekdayAgo(2)),
      disagreement: "The family needs early help, not advice.",
      about: `request:${requestId}`,
    });
    assert.equal(raised.statusCode, 303);
    escalationId = idFrom(raised.headers.location, /escalations\/([0-9a-f-]{36})/);

    const everyone = await users();
    who = new Map(everyone.map((u) => [u.user_id, `${u.role} ${u.email}`]));
    const schoolUser = everyone.find((u) => u.user_id === demo("school").userId);
    const decider = everyone.find((u) => u.user_id === demo("front-door").userId);
    assert.ok(schoolUser && decider);
    // The agency it is about (the decider's) includes its workers on this child's case, if any.
    const caseWorkers = new Set(
      [
        ...(await database.unsafeOwnerDb
          .selectFrom("csc_events")
          .select("worker_user_id as id")
          .where("partnership_id", "=", partnership.partnershipId)
          .where("person_id", "=", child)
          .execute()),
        ...(await database.unsafeOwnerDb
          .selectFrom("early_help")
          .select("lead_user_id as id")
          .where("partnership_id", "=", partnership.partnershipId)
          .where("person_id", "=", child)
          .where("ended_on", "is", null)
          .execute()),
      ].map((r) => r.id),
    );
    const parties = everyone
      .filter(
        (u) =>
          (u.agency_id === decider.agency_id && caseWorkers.has(u.user_id)) ||
          u.role === "safeguarding-lead" ||
          u.role === "front-door" ||
          u.user_id === schoolUser.user_id ||
          (u.role === "manager" &&
            (u.agency_id === schoolUser.agency_id || u.agency_id === decider.agency_id)),
      )
      .map((u) => u.user_id);
    const raisedTo = await recipientsOf("difference-raised", escalationId);
    assert.deepEqual(
      sorted(raisedTo.map((n) => n.recipient_user_id)),
      sorted(parties.filter((id) => id !== schoolUser.user_id)),
      "the front door, both agencies' managers and the safeguarding leads; not the school, who raised it",
    );
    // Not these, unless the randomly seeded data made one of them a worker on the child's case.
    for (const local of ["health-visitor", "practitioner", "administrator", "analyst", "auditor"])
      if (!parties.includes(demo(local).userId))
        assert.ok(!raisedTo.some((n) => n.recipient_user_id === demo(local).userId), `not the ${local}`);
    assert.ok(raisedTo.every((n) => !n.subject.includes(partnership.demoFamily.familyName)));
    assert.match(raisedTo[0]?.subject ?? "", new RegExp(`raised by ${schoolUser.display_name}`));

    // The social care manager (not involved with the child) opens it and moves it on.
    const manager = await signedIn(demo("manager").email);
    assert.match((await manager.get("/escalations")).body, new RegExp(`/escalations/${escalationId}`));
    assert.equal((await manager.get(`/escalations/${escalationId}`)).statusCode, 200);
    const escalated = await manager.post(`/escalations/${escalationId}/escalate`, {
      ...dateInputValues("escalatedOn", todayInEngland()),
      note: "Not agreed between practitioners.",
    });
    assert.equal(escalated.statusCode, 303, escalated.body.slice(0, 200));
    assert.deepEqual(
      sorted((await recipientsOf("difference-escalated", escalationId)).map((n) => n.recipient_user_id)),
      sorted(parties.filter((id) => id !== demo("manager").userId)),
      "every party but the manager who moved it on, the school included",
    );

    // The front door resolves it; the school hears.
    await frontDoor.get(`/escalations/${escalationId}`);
    const resolved = await frontDoor.post(`/escalations/${escalationId}/resolve`, {
      ...dateInputValues("resolvedOn", todayInEngland()),
      outcome: "Early help offered after all.",
    });
    assert.equal(resolved.statusCode, 303, resolved.body.slice(0, 200));
    const resolvedTo = await recipientsOf("difference-resolved", escalationId);
    assert.deepEqual(
      sorted(resolvedTo.map((n) => n.recipient_user_id)),
      sorted(parties.filter((id) => id !== decider.user_id)),
    );
    const schoolHome = await school.get("/");
    assert.match(schoolHome.body, /Professional difference resolved by/);
  });

  it("refuse a difference to anyone not a party, with 404, and audit the refusal", async () => {
    const child = partnership.demoFamily.siblingPersonId;
    const outsider = await userFor(database, partnership, "practitioner", { agencyType: "police" });
    const c = await signedIn(outsider.email);
    const refused = await c.get(`/escalations/${escalationId}`);
    assert.equal(refused.statusCode, 404);
    assert.doesNotMatch((await c.get("/escalations")).body, new RegExp(escalationId));
    assert.equal((await c.post(`/escalations/${escalationId}/resolve`, { outcome: "x" })).statusCode, 404);
    const denied = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("action")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("action", "=", "denied")
      .where("record_type", "=", "escalation")
      .where("record_id", "=", escalationId)
      .where("actor_user_id", "=", outsider.context.userId)
      .execute();
    assert.ok(denied.length >= 1, "the refusal is audited");
    // The repository itself gives a non-party nothing, whatever the route.
    assert.equal(
      await repositoryFor(database, outsider.context).escalations.getDifference(escalationId),
      undefined,
    );
    assert.equal(await repositoryFor(database, undefined).escalations.getDifference(escalationId), undefined);
    assert.ok(child);
  });

  it("tell the safeguarding leads who broke glass and why, and keep it until acknowledged", async () => {
    const child = partnership.demoFamily.siblingPersonId;
    const outsider = await userFor(database, partnership, "practitioner", { agencyType: "police" });
    const c = await signedIn(outsider.email);
    await c.get(`/people/${child}`);
    const broke = await c.post(`/people/${child}/break-glass`, {
      reason: "Police called to the home overnight.",
    });
    assert.equal(broke.statusCode, 303);
    const everyone = await users();
    const breaker = everyone.find((u) => u.user_id === outsider.context.userId);
    const told = await recipientsOf("break-glass", child);
    const leads = everyone.filter((u) => u.role === "safeguarding-lead").map((u) => u.user_id);
    for (const lead of leads)
      assert.ok(
        told.some((n) => n.recipient_user_id === lead),
        "every safeguarding lead",
      );
    assert.ok(
      !told.some((n) => n.recipient_user_id === outsider.context.userId),
      "not the one who broke glass",
    );
    for (const local of ["analyst", "administrator", "auditor", "front-door"])
      assert.ok(!told.some((n) => n.recipient_user_id === demo(local).userId), `not the ${local}`);
    const notice = told.find((n) => n.recipient_user_id === demo("safeguarding-lead").userId);
    assert.ok(notice && breaker);
    assert.match(notice.subject, new RegExp(breaker.display_name));
    assert.match(notice.body, /Police called to the home overnight/);

    const lead = await signedIn(demo("safeguarding-lead").email);
    assert.match((await lead.get("/")).body, /id="to-acknowledge"/);
    // Reading it is not enough: it stays until acknowledged.
    assert.equal((await lead.get(`/notifications/${notice.notification_id}`)).statusCode, 303);
    const home = await lead.get("/");
    assert.match(home.body, /id="to-acknowledge"/);
    // Only its recipient can acknowledge it.
    assert.equal((await c.post(`/notifications/${notice.notification_id}/acknowledge`, {})).statusCode, 404);
    const acknowledged = await lead.post(`/notifications/${notice.notification_id}/acknowledge`, {
      returnTo: "/",
    });
    assert.equal(acknowledged.statusCode, 303);
    assert.doesNotMatch((await lead.get("/")).body, /id="to-acknowledge"/);
    assert.match((await lead.get("/notifications")).body, /Acknowledged/);
  });

  it("tell the signing managers of an assessment submitted, and not the submitter or other agencies", async () => {
    const worker = demo("practitioner");
    const context = (
      await userFor(database, partnership, "practitioner", { agencyType: "childrens-social-care" })
    ).context;
    const ctx = { ...context, userId: worker.userId };
    const personId = await newChild(ctx, "Rosie");
    const tools = await repositoryFor(database, ctx).assessments.listTools();
    const rag = tools.find((t) => t.tool.slug === "home-conditions-rag");
    assert.ok(rag);
    const c = await signedIn(worker.email);
    await c.get(`/people/${personId}/assessments`);
    const start = await c.post(`/people/${personId}/assessments`, {
      toolId: rag.tool.tool_id,
      mode: "practitioner",
      ...dateInputValues("assessedOn", weekdayAgo(3)),
    });
    assert.equal(start.statusCode, 303);
    const base = String(start.headers.location);
    await c.get(`${base}/sections/home`);
    await c.post(`${base}/sections/home`, {
      "answer-kitchen": "1",
      "answer-bathroom": "3",
      "answer-sleeping": "not_known",
      "answer-heating": "2",
      "answer-medicines": "1",
      "answer-animals": "not_applicable",
      action: "continue",
    });
    await c.get(`${base}/check`);
    const submitted = await c.post(`${base}/submit`, { summary: "Bathroom needs repair" });
    assert.equal(submitted.statusCode, 303, submitted.body.match(/govuk-error-summary[\s\S]{0,600}/)?.[0]);
    const assessmentId = base.split("/").at(-1) ?? "";
    const everyone = await users();
    const managers = everyone
      .filter((u) => u.role === "manager" && u.agency_id === ctx.agencyId)
      .map((u) => u.user_id);
    const told = await recipientsOf("assessment-submitted", assessmentId);
    assert.deepEqual(sorted(told.map((n) => n.recipient_user_id)), sorted(managers));
    const manager = await signedIn(demo("manager").email);
    const home = await manager.get("/");
    assert.match(
      home.body,
      new RegExp(`href="/assessments/${assessmentId}"`),
      "on the manager's sign-off list",
    );
  });

  it("remind the allocated worker of a plan review due, once, and nobody else", async () => {
    const worker = demo("practitioner");
    const context = (
      await userFor(database, partnership, "practitioner", { agencyType: "childrens-social-care" })
    ).context;
    // A child of her own, so no generated plan (another worker's) joins in.
    const child = await newChild({ ...context, userId: worker.userId }, "Milo");
    const referral = crypto.randomUUID();
    const planStart = addCalendarDays(todayInEngland(), -85);
    await recordCscEvents(database, partnership.partnershipId, child, worker.userId, [
      { type: "referral", on: addCalendarDays(planStart, -30), id: referral, episode: referral, code: "1B" },
      { type: "cin-plan-start", on: planStart, episode: referral },
    ]);
    const c = await signedIn(worker.email);
    // Before the day's `hearth reminders`, her worklist already shows the review due, from the records.
    assert.match((await c.get("/")).body, /Child in need plan review/);
    assert.deepEqual(await recipientsOf("plan-review-due", child), [], "opening a page makes no reminder");
    // The daily pass over everyone makes it; running it again makes no second one.
    for (let run = 0; run < 2; run += 1)
      await withPartnershipScope(database, partnership.partnershipId, (trx) =>
        remindPlanReviewsIn(trx, partnership.partnershipId),
      );
    const told = await recipientsOf("plan-review-due", child);
    assert.deepEqual(
      told.map((n) => n.recipient_user_id),
      [worker.userId],
      "one reminder, to the worker",
    );
    assert.match(told[0]?.subject ?? "", /Child in need plan review due soon/);
    assert.match((await c.get("/")).body, /Child in need plan review due soon/);
  });

  it("e-mail notifications after the change commits, with a link and no child's detail", async () => {
    const lead = demo("safeguarding-lead");
    const deadline = Date.now() + 20_000;
    const breakGlassMail = () =>
      mail.some((m) => m.to === lead.email && /Subject: Hearth: Break glass used/.test(m.raw));
    while (!breakGlassMail() && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const toLead = mail.filter((m) => m.to === lead.email);
    assert.ok(toLead.length > 0, "the safeguarding lead was e-mailed");
    assert.ok(toLead.some((m) => /Subject: Hearth: Break glass used/.test(m.raw)));
    assert.ok(toLead.some((m) => /http:\/\/localhost:3000\/people\//.test(m.raw)));
    const names = await database.unsafeOwnerDb
      .selectFrom("people")
      .select(["given_names", "family_name"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("person_id", "=", partnership.demoFamily.siblingPersonId)
      .executeTakeFirstOrThrow();
    for (const m of mail) {
      assert.ok(!m.raw.includes(names.family_name), "no child's name in an e-mail");
      assert.ok(!m.raw.includes("Police called"), "no reason or detail in an e-mail");
    }
    // Marked sent when the pass commits, just after the server has the message.
    const unsent = () =>
      database.unsafeOwnerDb
        .selectFrom("notifications")
        .select("notification_id")
        .where("partnership_id", "=", partnership.partnershipId)
        .where("recipient_user_id", "=", lead.userId)
        .where("kind", "=", "break-glass")
        .where("emailed_at", "is", null)
        .execute();
    while ((await unsent()).length > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await unsent()).length, 0, "sent ones are marked, so they are not sent again");
  });
});
