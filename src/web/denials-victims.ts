// SPDX-License-Identifier: MIT
/**
 * The records the refusal walk (denials.test.ts) asks for: in a partnership, a child with a social care
 * episode and one record of every kind about them, made by the people who may make them, with the
 * secrets that must never reach someone refused; and a practitioner whose agency is not involved.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { AccessContext } from "../data/access-context.ts";
import { repositoryFor } from "../data/repository.ts";
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import { INDICATORS } from "../indicators/registry.ts";
import { todayInEngland } from "../kernel/calendar.ts";
import { onKey } from "../kernel/sql.ts";
import { contextFromUserRow, practitionerNotInvolvedWith, signInFor } from "../test-support/harness.ts";
import { createTestChild } from "../test-support/people.ts";

export const today = () => todayInEngland();
export const CHRONOLOGY_TEXT = "Walker-test entry: bruising noticed on the left forearm at nursery.";

export type Ids = Record<string, string>;
export type Victim = { ids: Ids; secrets: string[] };

const contextOf = (
  partnership: GeneratedPartnership,
  user: { user_id: string; agency_id: string; team_id: string | null },
  role: AccessContext["role"],
): AccessContext => contextFromUserRow(partnership.partnershipId, { ...user, role });

const userByRole = (
  database: HearthDatabase,
  partnership: GeneratedPartnership,
  role: AccessContext["role"],
) =>
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
export const makeVictim = async (
  database: HearthDatabase,
  partnership: GeneratedPartnership,
): Promise<Victim> => {
  const p = partnership.partnershipId;
  const episode = await database.unsafeOwnerDb
    .selectFrom("csc_events as e")
    .innerJoin("people as c", (j) => onKey(j, "c.person_id", "e.person_id"))
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
    await userByRole(database, partnership, "safeguarding-lead"),
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
  const asker = await practitionerNotInvolvedWith(database, partnership.partnershipId, personId);
  const asked = await repositoryFor(database, asker.context).people.requestInvolvement(
    personId,
    "Walker-test: we have met the family.",
  );
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
  const admin = await userByRole(database, partnership, "administrator");
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
  const brotherId = await createTestChild(
    leadRepo.people,
    { givenNames: "Walker-test Brother", familyName: "Walker", dateOfBirth: "2020-01-01", sex: "M" },
    { startedOn: today() },
  );
  const joined = await leadRepo.households.addMember({
    householdId: ownHousehold.value.householdId,
    personId: brotherId,
    householdRole: "child",
    validFrom: "2024-01-01",
  });
  assert.ok(joined.ok, JSON.stringify(joined));
  const family = await leadRepo.assessments.startFamilyAssessment(personId, {
    toolId: tool.tool.tool_id,
    mode: "practitioner",
    assessedOn: today(),
    siblingIds: [brotherId],
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
