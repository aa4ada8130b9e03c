// SPDX-License-Identifier: MIT
/**
 * Case audits through the repository and over HTTP: a safeguarding lead plans a round (the same seed draws
 * the same children); the round opens each sampled child's record to its auditors only, only for its
 * dates, and every opening and refusal is audited; an auditor returns the form (a return missing evidence
 * is refused naming the question); the lead moderates and records an action, which its owner completes;
 * the results count it all. Every rule is tested for what it refuses.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { AccessContext } from "../../data/access-context.ts";
import { repositoryFor } from "../../data/repository.ts";
import { addCalendarDays, todayInEngland } from "../../kernel/calendar.ts";
import { signInFor, TestClient } from "../../test-support/harness.ts";
import { unclassifiedMethods } from "../../test-support/method-access.ts";
import { app, database, partnership, useTestApp } from "../../test-support/test-app.ts";
import { dateInputValues } from "../../web/dates.ts";
import { type AddedUser, addUser } from "../test-support.ts";
import { AuditActionsRepository } from "./audit-actions-repository.ts";
import { AuditResultsRepository } from "./audit-results-repository.ts";
import { AuditReturnsRepository } from "./audit-returns-repository.ts";
import { AuditRoundsRepository, type PlanRoundInput } from "./audit-rounds-repository.ts";

let healthAuditor: AddedUser;
let policeAuditor: AddedUser;
let outsider: AddedUser;
let cscAuditor: { userId: string; agencyId: string; email: string };
let lead: AccessContext;

const contextOf = (
  user: { userId: string; agencyId: string },
  role: AccessContext["role"],
): AccessContext => ({
  partnershipId: partnership.partnershipId,
  userId: user.userId,
  role,
  agencyId: user.agencyId,
  teamId: null,
  sessionId: null,
  ip: "127.0.0.1",
});

const clientFor = async (email: string) => {
  const client = new TestClient(app);
  await client.signIn(email);
  return client;
};

const today = todayInEngland();
const plan = (overrides: Partial<PlanRoundInput> = {}): PlanRoundInput => ({
  title: "Neglect audit",
  theme: "neglect",
  formSlug: "neglect-case-audit",
  sampleMethod: "random",
  sampleRule: "any-child",
  seed: "spring-2026",
  sampleSize: 6,
  startsOn: today,
  returnsDueOn: addCalendarDays(today, 14),
  endsOn: addCalendarDays(today, 28),
  participants: [
    { agencyId: cscAuditor.agencyId, auditorUserId: cscAuditor.userId },
    { agencyId: healthAuditor.agencyId, auditorUserId: healthAuditor.userId },
    { agencyId: policeAuditor.agencyId, auditorUserId: policeAuditor.userId },
  ],
  ...overrides,
});

const answers = (evidence = "The chronology shows it.") =>
  Object.fromEntries(
    ["recognition", "child-voice", "assessment", "information-sharing", "impact"].map((id) => [
      id,
      { grade: "good" as const, evidence },
    ]),
  );

useTestApp({}, async () => {
  const csc = signInFor(partnership, "auditor");
  const cscRow = await database.unsafeOwnerDb
    .selectFrom("users")
    .select("agency_id")
    .where("user_id", "=", csc.userId)
    .executeTakeFirstOrThrow();
  cscAuditor = { userId: csc.userId, agencyId: cscRow.agency_id, email: csc.email };
  healthAuditor = await addUser(database, partnership, {
    agencyType: "health",
    role: "auditor",
    name: "Hana Auditor",
  });
  policeAuditor = await addUser(database, partnership, {
    agencyType: "police",
    role: "auditor",
    name: "Pat Auditor",
  });
  outsider = await addUser(database, partnership, {
    agencyType: "education",
    role: "auditor",
    name: "Olu Outsider",
  });
  const leadSignIn = signInFor(partnership, "safeguarding-lead");
  const leadRow = await database.unsafeOwnerDb
    .selectFrom("users")
    .select("agency_id")
    .where("user_id", "=", leadSignIn.userId)
    .executeTakeFirstOrThrow();
  lead = contextOf({ userId: leadSignIn.userId, agencyId: leadRow.agency_id }, "safeguarding-lead");
});

describe("the audits repository's methods", () => {
  it("are each declared in the sub-area repository that does the work", () => {
    for (const repository of [
      AuditRoundsRepository,
      AuditReturnsRepository,
      AuditActionsRepository,
      AuditResultsRepository,
    ]) {
      assert.deepEqual(unclassifiedMethods(repository), { undeclared: [], stale: [] }, repository.name);
    }
  });
});

describe("planning a round", () => {
  it("draws the same children from the same seed, and shows the seed", async () => {
    const first = await repositoryFor(database, lead).audits.planRound(plan({ title: "First" }));
    const second = await repositoryFor(database, lead).audits.planRound(plan({ title: "Second" }));
    assert.ok(first.ok && second.ok);
    assert.equal(first.value.seed, "spring-2026");
    const a = await repositoryFor(database, lead).audits.getRound(first.value.roundId);
    const b = await repositoryFor(database, lead).audits.getRound(second.value.roundId);
    assert.equal(a?.children.length, 6);
    assert.deepEqual(
      a?.children.map((c) => c.person_id),
      b?.children.map((c) => c.person_id),
    );
    const other = await repositoryFor(database, lead).audits.planRound(plan({ seed: "" }));
    assert.ok(other.ok);
    assert.match(other.value.seed ?? "", /^[0-9a-f]{8}$/, "a seed is made and shown when none is given");
  });

  it("draws a sample from the children with neglect recorded in the last year", async () => {
    const planned = await repositoryFor(database, lead).audits.planRound(
      plan({ title: "Neglect entries", sampleRule: "neglect-entries", sampleSize: 2 }),
    );
    assert.ok(planned.ok, JSON.stringify(planned));
  });

  it("refuses anyone but a safeguarding lead, and an auditor of another agency", async () => {
    const byAuditor = await repositoryFor(database, contextOf(cscAuditor, "auditor")).audits.planRound(
      plan(),
    );
    assert.equal(byAuditor.ok, false);
    const wrongAgency = await repositoryFor(database, lead).audits.planRound(
      plan({ participants: [{ agencyId: cscAuditor.agencyId, auditorUserId: healthAuditor.userId }] }),
    );
    assert.equal(!wrongAgency.ok && wrongAgency.field, `auditor-${cscAuditor.agencyId}`);
    const backwards = await repositoryFor(database, lead).audits.planRound(
      plan({ endsOn: addCalendarDays(today, 1) }),
    );
    assert.equal(!backwards.ok && backwards.field, "endsOn");
  });
});

describe("the plan-a-round form", () => {
  it("plans a round from the form, names each field it refuses, and refuses anyone but a lead", async () => {
    const leadClient = await clientFor(signInFor(partnership, "safeguarding-lead").email);
    const form = await leadClient.get("/learning/audits/new");
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Plan a case audit round/);

    const blank = await leadClient.post("/learning/audits/new", { theme: "", sampleSize: "lots" });
    assert.equal(blank.statusCode, 400);
    for (const href of ["#theme", "#sampleMethod", "#sampleRule", "#sampleSize", "#startsOn"])
      assert.ok(blank.body.includes(`href="${href}`), `the error summary links to ${href}`);

    const roundForm = (title: string, endsInDays: number) => ({
      title,
      theme: "neglect",
      formSlug: "neglect-case-audit",
      sampleMethod: "random",
      sampleRule: "any-child",
      sampleSize: "2",
      ...dateInputValues("startsOn", today),
      ...dateInputValues("returnsDueOn", addCalendarDays(today, 14)),
      ...dateInputValues("endsOn", addCalendarDays(today, endsInDays)),
      [`auditor-${cscAuditor.agencyId}`]: cscAuditor.userId,
    });
    const planned = await leadClient.post("/learning/audits/new", roundForm("Planned on the form", 28));
    assert.equal(planned.statusCode, 303, planned.body.slice(0, 2000));
    assert.match(planned.headers.location ?? "", /^\/learning\/audits\/[0-9a-f-]{36}\?planned=1$/);

    const refusedByRepository = await leadClient.post("/learning/audits/new", roundForm("Backwards", 1));
    assert.equal(refusedByRepository.statusCode, 400);
    assert.ok(refusedByRepository.body.includes('href="#endsOn'), "the refusal is shown on the end date");
    assert.ok(refusedByRepository.body.includes('value="Backwards"'), "what was typed is kept");

    const auditor = await clientFor(cscAuditor.email);
    assert.equal((await auditor.get("/learning/audits/new")).statusCode, 403);
    assert.equal((await auditor.post("/learning/audits/new", { title: "Not mine" })).statusCode, 403);
  });
});

describe("access granted by a round", () => {
  let roundId: string;
  let sampled: string[];
  let notSampled: string;

  before(async () => {
    const planned = await repositoryFor(database, lead).audits.planRound(
      plan({ title: "Access", seed: "access", sampleSize: 3 }),
    );
    assert.ok(planned.ok);
    roundId = planned.value.roundId;
    const round = await repositoryFor(database, lead).audits.getRound(roundId);
    sampled = round?.children.map((c) => c.person_id) ?? [];
    const other = await database.unsafeOwnerDb
      .selectFrom("people")
      .select("person_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("kind", "=", "child")
      .where("person_id", "not in", sampled)
      .where(
        "person_id",
        "not in",
        database.unsafeOwnerDb
          .selectFrom("audit_round_children")
          .select("person_id")
          .where("partnership_id", "=", partnership.partnershipId),
      )
      .executeTakeFirstOrThrow();
    notSampled = other.person_id;
  });

  it("opens a sampled child's record to the round's auditors, audited as a read", async () => {
    const client = await clientFor(healthAuditor.email);
    const page = await client.get(`/people/${sampled[0]}`);
    assert.ok([200, 303].includes(page.statusCode), "the record, or first what is already known");
    assert.equal((await client.get(`/people/${sampled[0]}/chronology`)).statusCode, 200);
    const read = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("action")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("actor_user_id", "=", healthAuditor.userId)
      .where("record_id", "=", sampled[0] as string)
      .where("action", "=", "view")
      .executeTakeFirst();
    assert.ok(read, "the auditor's read is in the audit log");
  });

  it("refuses an auditor outside the round the sampled children, and audits the refusal", async () => {
    const client = await clientFor(outsider.email);
    for (const personId of sampled) {
      assert.equal((await client.get(`/people/${personId}`)).statusCode, 404);
      assert.equal((await client.get(`/people/${personId}/chronology`)).statusCode, 403);
    }
    assert.equal((await client.get(`/learning/audits/${roundId}`)).statusCode, 404);
    assert.equal(
      (await client.get(`/learning/audits/${roundId}/children/${sampled[0]}/return`)).statusCode,
      403,
    );
    const asOutsider = repositoryFor(database, contextOf(outsider, "auditor"));
    assert.equal(await asOutsider.audits.returnForm(roundId, sampled[0] as string), undefined);
    assert.equal(await asOutsider.people.getChildRecord(sampled[0] as string), undefined);
    const denials = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("record_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("actor_user_id", "=", outsider.userId)
      .where("action", "=", "denied")
      .execute();
    assert.ok(denials.some((d) => d.record_id === sampled[0]));
  });

  it("refuses a round's auditor every child the round did not sample", async () => {
    const client = await clientFor(healthAuditor.email);
    assert.equal((await client.get(`/people/${notSampled}`)).statusCode, 404);
    assert.equal((await client.get(`/people/${notSampled}/chronology`)).statusCode, 403);
    assert.equal(
      (await client.get(`/learning/audits/${roundId}/children/${notSampled}/return`)).statusCode,
      403,
    );
    const result = await repositoryFor(database, contextOf(healthAuditor, "auditor")).audits.submitReturn(
      roundId,
      notSampled,
      { answers: answers(), overallGrade: "good", summary: "Fine" },
    );
    assert.equal(result.ok, false);
  });

  it("refuses a participant before the round starts and after it ends", async () => {
    for (const dates of [
      {
        startsOn: addCalendarDays(today, 2),
        returnsDueOn: addCalendarDays(today, 3),
        endsOn: addCalendarDays(today, 4),
      },
      {
        startsOn: addCalendarDays(today, -30),
        returnsDueOn: addCalendarDays(today, -20),
        endsOn: addCalendarDays(today, -1),
      },
    ]) {
      // An auditor in no other round, so only this round could open its children.
      const solo = await addUser(database, partnership, {
        agencyType: "housing",
        role: "auditor",
        name: "Sol Auditor",
      });
      const planned = await repositoryFor(database, lead).audits.planRound(
        plan({
          ...dates,
          seed: "dates",
          sampleSize: 2,
          participants: [{ agencyId: solo.agencyId, auditorUserId: solo.userId }],
        }),
      );
      assert.ok(planned.ok);
      const round = await repositoryFor(database, lead).audits.getRound(planned.value.roundId);
      const child = round?.children[0]?.person_id as string;
      const stillOpenElsewhere = await repositoryFor(
        database,
        contextOf(solo, "auditor"),
      ).people.getChildRecord(child);
      assert.equal(stillOpenElsewhere, undefined, `closed outside ${dates.startsOn} to ${dates.endsOn}`);
    }
  });
});

describe("returns, moderation and actions", () => {
  let roundId: string;
  let child: string;

  before(async () => {
    const planned = await repositoryFor(database, lead).audits.planRound(
      plan({ title: "Moderation", seed: "m" }),
    );
    assert.ok(planned.ok);
    roundId = planned.value.roundId;
    const round = await repositoryFor(database, lead).audits.getRound(roundId);
    child = round?.children[0]?.person_id as string;
  });

  it("takes an auditor's return over HTTP, refusing one without evidence and naming the question", async () => {
    const client = await clientFor(healthAuditor.email);
    const form = await client.get(`/learning/audits/${roundId}/children/${child}/return`);
    assert.equal(form.statusCode, 200);
    const fields: Record<string, string> = {
      overallGrade: "requires-improvement",
      summary: "Late recognition.",
    };
    for (const id of ["recognition", "child-voice", "assessment", "information-sharing", "impact"]) {
      fields[`grade-${id}`] = "requires-improvement";
      fields[`evidence-${id}`] = "Seen in the chronology.";
    }
    const missing = await client.post(`/learning/audits/${roundId}/children/${child}/return`, {
      ...fields,
      "evidence-child-voice": " ",
    });
    assert.equal(missing.statusCode, 400);
    assert.match(
      missing.body,
      /Enter the evidence for &quot;Is the child&#39;s lived experience and voice clear\?&quot;/,
    );
    const saved = await client.post(`/learning/audits/${roundId}/children/${child}/return`, fields);
    assert.equal(saved.statusCode, 303);
    const again = await repositoryFor(database, contextOf(healthAuditor, "auditor")).audits.submitReturn(
      roundId,
      child,
      { answers: answers(), overallGrade: "good", summary: "On reflection, good." },
    );
    assert.ok(again.ok);
    assert.equal(again.value.version, 2, "a changed return is a new version; the first is kept");
    const police = await repositoryFor(database, contextOf(policeAuditor, "auditor")).audits.submitReturn(
      roundId,
      child,
      { answers: answers(), overallGrade: "inadequate", summary: "No referral made." },
    );
    assert.ok(police.ok);
  });

  it("lets the lead moderate and record an action its owner completes; nobody else can", async () => {
    const asLead = repositoryFor(database, lead).audits;
    const byAuditor = await repositoryFor(database, contextOf(healthAuditor, "auditor")).audits.moderate(
      roundId,
      child,
      { agreedGrade: "good", learningPoints: "x" },
    );
    assert.equal(byAuditor.ok, false);
    assert.ok(
      (
        await asLead.moderate(roundId, child, {
          agreedGrade: "requires-improvement",
          learningPoints: "Share sooner.",
        })
      ).ok,
    );
    const owner = signInFor(partnership, "practitioner");
    const action = await asLead.addAction(roundId, child, {
      description: "Brief schools on neglect referrals",
      ownerUserId: owner.userId,
      dueOn: addCalendarDays(today, 30),
    });
    assert.ok(action.ok);
    const stranger = await repositoryFor(database, contextOf(outsider, "auditor")).audits.completeAction(
      action.value.actionId,
      { completedOn: today, note: "Not mine" },
    );
    assert.equal(stranger.ok, false);
    const client = await clientFor(owner.email);
    const page = await client.get("/learning/actions");
    assert.match(page.body, /Brief schools on neglect referrals/);
    const done = await client.post(`/learning/actions/${action.value.actionId}/complete`, {
      ...dateInputValues(`completedOn-${action.value.actionId}`, today),
      [`note-${action.value.actionId}`]: "Briefing held.",
    });
    assert.equal(done.statusCode, 303);
    const twice = await repositoryFor(database, lead).audits.completeAction(action.value.actionId, {
      completedOn: today,
      note: "again",
    });
    assert.equal(twice.ok, false);

    const results = await repositoryFor(database, lead).audits.results(roundId);
    const round = results?.rounds[0];
    assert.equal(round?.counts["requires-improvement"], 1);
    assert.equal(round?.actions_on_time, 1);
    const health = results?.questions.find((q) => q.questionId === "recognition");
    assert.equal(health?.counts.good, 2, "the latest return of each agency counts");
    const page2 = await (await clientFor(signInFor(partnership, "safeguarding-lead").email)).get(
      "/learning/audits/results",
    );
    assert.equal(page2.statusCode, 200);
    assert.match(page2.body, /Moderation/);
    const analyst = await (await clientFor(signInFor(partnership, "analyst").email)).get(
      "/learning/audits/results",
    );
    assert.equal(analyst.statusCode, 200);
    const practitioner = await client.get("/learning/audits/results");
    assert.equal(practitioner.statusCode, 403);
  });
});
