// SPDX-License-Identifier: MIT
/**
 * The records the hostile-input crawl (hostile-input.test.ts) seeds before it starts, so that forms no
 * demo record shows are in its reach: a sign-in provider, a draft family assessment, and a plan sent for
 * authorisation with an assessment, signals, an audit round, an import, training and a feedback link.
 * Each returns the pages it puts in reach, crawled with the episodes' pages.
 */
import assert from "node:assert/strict";
import { generateAssessments } from "../assessments/generate-assessments.ts";
import { repositoryFor } from "../data/repository.ts";
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import { prepareImport, processImport } from "../imports/engine.ts";
import { addCalendarDays, todayInEngland } from "../kernel/calendar.ts";
import { contextOfUser } from "../test-support/harness.ts";
import { createTestChild } from "../test-support/people.ts";

/**
 * An identity provider for the partnership's e-mail domain (a fixture: adding one through its form
 * needs a reachable OpenID Connect issuer, src/sso/sso.test.ts), so the signed-out sign-in page asks for
 * a work e-mail address and the administrator's provider page shows its group mapping and switch-off
 * forms. The crawl never starts a sign-in at it: no page links to one before an address is found.
 */
export const seedSignInProvider = async (database: HearthDatabase, partnership: GeneratedPartnership) => {
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
export const seedFamilyAssessments = async (
  database: HearthDatabase,
  partnership: GeneratedPartnership,
): Promise<string[]> => {
  const user = partnership.signIns.find((s) => s.email.startsWith("practitioner@"));
  assert.ok(user);
  const repo = repositoryFor(
    database,
    await contextOfUser(database, partnership.partnershipId, { userId: user.userId }),
  );
  const child = (givenNames: string, dateOfBirth: string) =>
    createTestChild(repo.people, { givenNames, familyName: "Seeded", dateOfBirth });
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
export const seedPlan = async (
  database: HearthDatabase,
  partnership: GeneratedPartnership,
): Promise<string[]> => {
  const contextOf = async (
    role: "practitioner" | "front-door" | "manager" | "safeguarding-lead" | "auditor",
  ) => {
    const user = partnership.signIns.find((s) => s.role === role && s.email.startsWith(`${role}@`));
    assert.ok(user, role);
    return contextOfUser(database, partnership.partnershipId, { userId: user.userId });
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
