// SPDX-License-Identifier: MIT
/**
 * The front door decides with sight, and early help reaches its lead, over HTTP on a real database: the
 * request page links to the child's record and chronologies and names only the family members the reader
 * may open; an early help decision opens early help with a named lead and a team around the family, gives
 * the lead's agency an involvement so the lead can open the record, and tells the lead; requests and
 * decisions reach the front door, the referrer and the allocated worker, nobody else; the level of need is
 * the same everywhere, a child protection plan included; a closed case steps down to early help.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccessContext } from "../../data/access-context.ts";
import { repositoryFor } from "../../data/repository.ts";
import { todayInEngland } from "../../kernel/calendar.ts";
import { onKey } from "../../kernel/sql.ts";
import {
  contextOfUser,
  practitionerNotInvolvedWith,
  TestClient,
  userFor,
  weekdayAgo,
} from "../../test-support/harness.ts";
import { unclassifiedMethods } from "../../test-support/method-access.ts";
import { app, database, partnership, useTestApp } from "../../test-support/test-app.ts";
import { dateInputValues } from "../../web/dates.ts";
import { noEventDetails } from "../social-care/social-care-events.ts";
import { CasePictureRepository } from "./case-picture-repository.ts";
import { StepDownRepository } from "./step-down-repository.ts";

let earlyHelpLead: { context: AccessContext; email: string };
let police: { context: AccessContext; email: string };

const demo = (local: string) => {
  const found = partnership.signIns.find((s) => s.email.startsWith(`${local}@`));
  assert.ok(found, local);
  return found;
};
const client = async (email: string) => {
  const c = new TestClient(app);
  await c.signIn(email);
  return c;
};
/** The access context a signed-in request by this user would carry. */
const contextOf = (userId: string): Promise<AccessContext> =>
  contextOfUser(database, partnership.partnershipId, { userId });
const notificationsFor = (userId: string, kind: string) =>
  database.unsafeOwnerDb
    .selectFrom("notifications")
    .select(["recipient_user_id", "link", "body", "person_id"])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("recipient_user_id", "=", userId)
    .where("kind", "=", kind)
    .execute();
const notifiedOf = (kind: string, personId: string) =>
  database.unsafeOwnerDb
    .selectFrom("notifications")
    .select("recipient_user_id")
    .where("partnership_id", "=", partnership.partnershipId)
    .where("kind", "=", kind)
    .where("person_id", "=", personId)
    .execute()
    .then((rows) => rows.map((r) => r.recipient_user_id));
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, " ");
const requestFrom = async (referrer: TestClient, personId: string, days: number) => {
  await referrer.get(`/people/${personId}/pathway/request`);
  const sent = await referrer.post(`/people/${personId}/pathway/request`, {
    ...dateInputValues("receivedOn", weekdayAgo(days)),
    concerns: "Often hungry and unkempt.",
    whatTried: "Breakfast club.",
    consent: "given",
    referrerLevel: "targeted",
  });
  assert.equal(sent.statusCode, 303, sent.body.slice(0, 300));
  const match = /requests\/([0-9a-f-]{36})/.exec(String(sent.headers.location));
  assert.ok(match?.[1]);
  return match[1];
};

useTestApp({}, async () => {
  police = await userFor(database, partnership, "practitioner", { agencyType: "police" });
  // The lead: a practitioner whose agency is not involved with the older child (so cannot open the record).
  earlyHelpLead = await practitionerNotInvolvedWith(
    database,
    partnership.partnershipId,
    partnership.demoFamily.siblingPersonId,
    { notAgencyTypes: ["police", "childrens-social-care"] },
  );
});

describe("the case repository's methods", () => {
  it("are each declared in the sub-area repository that does the work", () => {
    for (const repository of [CasePictureRepository, StepDownRepository]) {
      assert.deepEqual(unclassifiedMethods(repository), { undeclared: [], stale: [] }, repository.name);
    }
  });
});

describe("the front door", () => {
  it("decides with sight, opens early help with a named lead who can then open the child, and tells the right people", async () => {
    const { siblingPersonId: child, babyPersonId: baby, babyName } = partnership.demoFamily;
    const school = await client(demo("school").email);
    await school.get(`/people/${child}/history`);
    await school.post(`/people/${child}/history`, {});
    const requestId = await requestFrom(school, child, 10);
    const frontDoorIds = await database.unsafeOwnerDb
      .selectFrom("users")
      .select("user_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("role", "=", "front-door")
      .execute();

    // A new request reaches the front door's workers, not the referrer or anyone else.
    assert.deepEqual(
      (await notifiedOf("request-received", child)).sort(),
      frontDoorIds.map((u) => u.user_id).sort(),
    );
    assert.ok(frontDoorIds.some((u) => u.user_id === demo("front-door").userId));

    // The front door sees the child's record, chronologies, the level the referrer suggested as a label,
    // and the baby in the household (the front door may open every child's record).
    const frontDoor = await client(demo("front-door").email);
    const page = await frontDoor.get(`/pathways/requests/${requestId}`);
    assert.equal(page.statusCode, 200);
    for (const link of [
      `/people/${child}"`,
      `/people/${child}/chronology"`,
      `/people/${child}/family-chronology"`,
    ])
      assert.ok(page.body.includes(`href="${link}`), link);
    assert.match(text(page.body), new RegExp(babyName));
    assert.match(text(page.body), /Referrer's view of the level Targeted/);
    assert.doesNotMatch(text(page.body), /view of the level targeted/);

    // Denial: the school reads its own request, but the baby, whose record it may not open, is not named.
    const schoolView = await school.get(`/pathways/requests/${requestId}`);
    assert.equal(schoolView.statusCode, 200);
    assert.doesNotMatch(text(schoolView.body), new RegExp(babyName));
    assert.ok(!schoolView.body.includes(`/people/${baby}`), "no link to the baby's record");
    assert.match(text(schoolView.body), /Only family and household members whose records you may open/);

    // Denial: another agency cannot open the request at all.
    const otherAgency = await client(police.email);
    assert.equal((await otherAgency.get(`/pathways/requests/${requestId}`)).statusCode, 404);
    // Nor can the early help practitioner before early help is theirs.
    const lead = await client(earlyHelpLead.email);
    assert.equal((await lead.get(`/pathways/requests/${requestId}`)).statusCode, 404);
    assert.doesNotMatch((await lead.get(`/people/${child}`)).body, /Pathway and support/);

    // Early help without a lead professional is refused, naming the field.
    const teamAgency = demo("health-visitor");
    const hvAgency = partnership.demoFamily.healthVisitingAgencyId;
    const noLead = await frontDoor.post(`/pathways/requests/${requestId}/decision`, {
      rag: "green",
      outcome: "early-help",
      reason: "A team around the family.",
      ...dateInputValues("decidedOn", weekdayAgo(9)),
    });
    assert.equal(noLead.statusCode, 400);
    assert.match(noLead.body, /<a href="#leadUserId">Select the lead professional for early help<\/a>/);

    const decided = await frontDoor.post(`/pathways/requests/${requestId}/decision`, {
      rag: "green",
      outcome: "early-help",
      reason: "A team around the family.",
      leadUserId: earlyHelpLead.context.userId,
      teamAgencyIds: hvAgency,
      ...dateInputValues("decidedOn", weekdayAgo(9)),
    });
    assert.equal(decided.statusCode, 303, text(decided.body).slice(0, 400));

    // The episode, its lead and team, and the lead agency's involvement.
    const eh = await database.unsafeOwnerDb
      .selectFrom("early_help")
      .selectAll()
      .where("partnership_id", "=", partnership.partnershipId)
      .where("support_request_id", "=", requestId)
      .executeTakeFirstOrThrow();
    assert.equal(eh.lead_user_id, earlyHelpLead.context.userId);
    assert.equal(eh.lead_agency_id, earlyHelpLead.context.agencyId);
    assert.equal(eh.person_id, child);
    const members = await database.unsafeOwnerDb
      .selectFrom("early_help_members")
      .select(["agency_id", "member_role"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("early_help_id", "=", eh.early_help_id)
      .execute();
    assert.deepEqual(
      members.map((m) => m.agency_id).sort(),
      [earlyHelpLead.context.agencyId, hvAgency].sort(),
    );
    const involvement = await database.unsafeOwnerDb
      .selectFrom("involvements")
      .selectAll()
      .where("partnership_id", "=", partnership.partnershipId)
      .where("person_id", "=", child)
      .where("agency_id", "=", earlyHelpLead.context.agencyId)
      .where("ended_on", "is", null)
      .executeTakeFirstOrThrow();
    assert.equal(involvement.is_lead_agency, true);
    assert.equal(involvement.lead_professional_user_id, earlyHelpLead.context.userId);

    // Who was told: the lead, and the referrer of the decision; nobody else of either.
    assert.deepEqual(await notifiedOf("early-help-lead", child), [earlyHelpLead.context.userId]);
    const leadNotice = await notificationsFor(earlyHelpLead.context.userId, "early-help-lead");
    assert.equal(leadNotice[0]?.link, `/people/${child}/pathway/early-help/${eh.early_help_id}`);
    assert.deepEqual(await notifiedOf("request-decided", child), [demo("school").userId]);
    const decidedNotice = await notificationsFor(demo("school").userId, "request-decided");
    assert.match(decidedNotice[0]?.body ?? "", /^Outcome: Early help\./, "a label, not a code");
    assert.deepEqual(await notifiedOf("case-allocated", child), []);
    assert.equal(teamAgency.role, "practitioner");
    assert.deepEqual(
      (await notifiedOf("early-help-lead", child)).filter((id) => id === teamAgency.userId),
      [],
    );

    // The lead now opens the child's record, the early help, the request, and sees the level of need:
    // early help's level, or the statutory one where the generated family left a plan open (random seed).
    const derived = await repositoryFor(database, earlyHelpLead.context).cases.levelOfNeed(child);
    const levelName = derived?.code === "specialist" ? "Specialist" : "Targeted";
    assert.ok(derived?.code === "targeted" || derived?.code === "specialist", JSON.stringify(derived));
    const record = await lead.get(`/people/${child}?added=1`);
    assert.equal(record.statusCode, 200);
    assert.match(text(record.body), new RegExp(`Level of need: ${levelName}`));
    const ehPage = await lead.get(`/people/${child}/pathway/early-help/${eh.early_help_id}`);
    assert.equal(ehPage.statusCode, 200);
    const leadRequest = await lead.get(`/pathways/requests/${requestId}`);
    assert.equal(leadRequest.statusCode, 200);
    assert.match(text(leadRequest.body), new RegExp(`Level of need now ${levelName}`));
    const pathway = await lead.get(`/people/${child}/pathway`);
    assert.equal(pathway.statusCode, 200);
    const now = text(pathway.body);
    assert.match(now, /The case now/);
    assert.match(now, new RegExp(`Level of need ${levelName}`));
    assert.match(now, /Front-door decision Early help/);
    assert.match(now, /Early help Open since .* lead professional .*; team: /);
    assert.ok(pathway.body.includes(`href="/people/${child}/family-chronology"`));
    assert.doesNotMatch(now, /No early help recorded/);
    // What is already known says the same.
    assert.match(
      text((await lead.get(`/people/${child}/history`)).body),
      new RegExp(`Level of need: ${levelName}`),
    );
  });

  it("gives a child with early help only as an agency's involvement an early help level, on every page", async () => {
    const today = todayInEngland();
    const row = await database.unsafeOwnerDb
      .selectFrom("involvements as i")
      .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "i.agency_id"))
      .innerJoin("people as c", (j) => onKey(j, "c.person_id", "i.person_id"))
      .select(["i.person_id", "a.name"])
      .where("i.partnership_id", "=", partnership.partnershipId)
      .where("a.agency_type", "=", "early-help")
      .where("c.kind", "=", "child")
      .where("i.started_on", "<=", today)
      .where("i.ended_on", "is", null)
      .where(({ not, exists, selectFrom, or }) =>
        not(
          or([
            exists(
              selectFrom("early_help as h").select("h.person_id").whereRef("h.person_id", "=", "i.person_id"),
            ),
            exists(
              selectFrom("csc_events as e").select("e.person_id").whereRef("e.person_id", "=", "i.person_id"),
            ),
            exists(
              selectFrom("support_requests as r")
                .select("r.person_id")
                .whereRef("r.person_id", "=", "i.person_id"),
            ),
            exists(
              selectFrom("level_decisions as d")
                .select("d.person_id")
                .whereRef("d.person_id", "=", "i.person_id"),
            ),
          ]),
        ),
      )
      .orderBy("i.person_id")
      .executeTakeFirstOrThrow();
    const lead = await client(demo("safeguarding-lead").email);
    const record = text((await lead.get(`/people/${row.person_id}?added=1`)).body);
    assert.match(record, /Level of need: Additional/);
    assert.match(record, /Open early help/);
    const pathway = text((await lead.get(`/people/${row.person_id}/pathway`)).body);
    assert.doesNotMatch(pathway, /No early help recorded/);
    assert.doesNotMatch(pathway, /No level of need/);
    assert.match(pathway, new RegExp(`${row.name} has been involved since`));
    assert.match(pathway, /Level of need Additional/);
    assert.match(
      text((await lead.get(`/people/${row.person_id}/history`)).body),
      /Level of need: Additional/,
    );
  });

  it("tells the allocated worker, puts a child on a protection plan at the statutory level, and steps a closed case down", async () => {
    const baby = partnership.demoFamily.babyPersonId;
    const healthVisitor = await client(demo("health-visitor").email);
    await healthVisitor.get(`/people/${baby}/history`);
    await healthVisitor.post(`/people/${baby}/history`, {});
    const requestId = await requestFrom(healthVisitor, baby, 40);
    const worker = demo("practitioner");
    const frontDoor = await client(demo("front-door").email);
    await frontDoor.get(`/pathways/requests/${requestId}`);
    // Social care's analyst works in the agency but writes no casework: a forged form cannot allocate to her.
    const analystId = crypto.randomUUID();
    const socialCare = await database.unsafeOwnerDb
      .selectFrom("users")
      .select("agency_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("user_id", "=", worker.userId)
      .executeTakeFirstOrThrow();
    await database.unsafeOwnerDb
      .insertInto("users")
      .values({
        partnership_id: partnership.partnershipId,
        user_id: analystId,
        email: `analyst-${analystId}@example.org`,
        display_name: "Social care analyst",
        agency_id: socialCare.agency_id,
        team_id: null,
        role: "analyst",
        password_hash: null,
        totp_secret: null,
        totp_last_step: null,
      })
      .execute();
    const toAnalyst = await frontDoor.post(`/pathways/requests/${requestId}/decision`, {
      rag: "red",
      outcome: "s47",
      reason: "Significant harm suspected.",
      workerUserId: analystId,
      ...dateInputValues("decidedOn", weekdayAgo(39)),
    });
    assert.equal(toAnalyst.statusCode, 400);
    assert.match(toAnalyst.body, /Select a children(’|'|&#39;)s social care worker/);
    assert.deepEqual(await notifiedOf("case-allocated", baby), [], "nobody is told of a refused decision");
    const decided = await frontDoor.post(`/pathways/requests/${requestId}/decision`, {
      rag: "red",
      outcome: "s47",
      reason: "Significant harm suspected.",
      workerUserId: worker.userId,
      ...dateInputValues("decidedOn", weekdayAgo(39)),
    });
    assert.equal(decided.statusCode, 303);
    assert.deepEqual(await notifiedOf("case-allocated", baby), [worker.userId]);
    assert.deepEqual(await notifiedOf("early-help-lead", baby), []);

    // Social care holds a conference and starts a child protection plan.
    const social = repositoryFor(database, await contextOf(worker.userId)).pathways;
    const episode = (await social.childPathway(baby))?.episodes.at(-1);
    assert.ok(episode?.section47s[0]);
    const base = {
      episodeId: episode.episodeId,
      ...noEventDetails(),
    };
    assert.ok(
      (
        await social.recordEvent(baby, {
          ...base,
          eventType: "icpc",
          occurredOn: weekdayAgo(30),
          subjectId: episode.section47s[0].id,
        })
      ).ok,
    );
    const plan = await social.recordEvent(baby, {
      ...base,
      eventType: "cp-plan-start",
      occurredOn: weekdayAgo(30),
      subjectId: null,
      code: "NEG",
      count: 0,
    });
    assert.ok(plan.ok);
    const socialClient = await client(worker.email);
    await socialClient.get(`/people/${baby}/history`);
    await socialClient.post(`/people/${baby}/history`, {});
    const onPlan = text((await socialClient.get(`/people/${baby}`)).body);
    assert.match(onPlan, /Level of need: Specialist/);
    assert.match(onPlan, /Open child protection plan/, "the plan holds the level");
    assert.match(
      text((await socialClient.get(`/people/${baby}/pathway`)).body),
      /Child protection review due/,
    );

    // The plan ends and the case closes; it steps down to early help with a named lead.
    assert.ok(
      (
        await social.recordEvent(baby, {
          ...base,
          eventType: "cp-plan-end",
          occurredOn: weekdayAgo(5),
          subjectId: plan.value.eventId,
        })
      ).ok,
    );
    const episodePath = `/people/${baby}/pathway/episodes/${episode.episodeId}`;
    assert.equal((await socialClient.get(`${episodePath}/step-down`)).statusCode, 404, "not while open");
    assert.ok(
      (
        await social.recordEvent(baby, {
          ...base,
          eventType: "closure",
          occurredOn: weekdayAgo(4),
          subjectId: null,
          code: "RC9",
        })
      ).ok,
    );
    assert.match((await socialClient.get(episodePath)).body, /Step down to early help/);
    const school = await client(demo("school").email);
    assert.equal((await school.get(`${episodePath}/step-down`)).statusCode, 404, "not the school's to do");
    await socialClient.get(`${episodePath}/step-down`);
    const missing = await socialClient.post(`${episodePath}/step-down`, {
      ...dateInputValues("steppedDownOn", weekdayAgo(3)),
      teamAgencyIds: partnership.demoFamily.healthVisitingAgencyId,
    });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /href="#leadUserId"/);
    assert.match(missing.body, /href="#reason"/);
    assert.match(
      missing.body,
      new RegExp(`value="${partnership.demoFamily.healthVisitingAgencyId}" checked`),
      "the one agency ticked stays ticked",
    );
    const stepped = await socialClient.post(`${episodePath}/step-down`, {
      ...dateInputValues("steppedDownOn", weekdayAgo(3)),
      leadUserId: earlyHelpLead.context.userId,
      teamAgencyIds: partnership.demoFamily.healthVisitingAgencyId,
      reason: "Plan outcomes met; support to continue through early help.",
    });
    assert.equal(stepped.statusCode, 303, text(stepped.body).slice(0, 400));
    const link = await database.unsafeOwnerDb
      .selectFrom("step_downs")
      .selectAll()
      .where("partnership_id", "=", partnership.partnershipId)
      .where("episode_id", "=", episode.episodeId)
      .executeTakeFirstOrThrow();
    assert.equal(
      String(stepped.headers.location),
      `/people/${baby}/pathway/early-help/${link.early_help_id}`,
    );
    assert.deepEqual(await notifiedOf("stepped-down", baby), [earlyHelpLead.context.userId]);
    const again = await socialClient.post(`${episodePath}/step-down`, {
      ...dateInputValues("steppedDownOn", weekdayAgo(3)),
      leadUserId: earlyHelpLead.context.userId,
      reason: "Again.",
    });
    assert.equal(again.statusCode, 400, "a case steps down once");
    assert.match(text(again.body), /stepped down to early help on/);
    const lead = await client(earlyHelpLead.email);
    const leadPathway = text((await lead.get(`/people/${baby}/pathway`)).body);
    assert.match(leadPathway, /Level of need Targeted/);
    assert.match(leadPathway, /Stepped down to early help/);
    const level = await repositoryFor(database, earlyHelpLead.context).cases.levelOfNeed(baby);
    assert.equal(level?.code, "targeted");
  });
});
