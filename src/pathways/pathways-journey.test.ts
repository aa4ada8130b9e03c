// SPDX-License-Identifier: MIT
/**
 * Pathways through the repository on a real database: a school's request for support, the front door's
 * decision, early help with a review and step-up, a section 47 enquiry, conference and child protection
 * plan; the alerts that follow; who may see and do what (with the denials), the audit of every change; and
 * supervision and professional differences moving through their stages.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sql } from "kysely";
import { repositoryFor } from "../data/repository.ts";
import { addCalendarDays } from "../kernel/calendar.ts";
import { weekdayAgo } from "../test-support/harness.ts";
import {
  auditCount,
  contextFor,
  database,
  partnership,
  repo,
  request,
  today,
  uninvolvedPractitioner,
  usePathwaysDatabase,
} from "./pathways-test-support.ts";
import { noEventDetails } from "./social-care/social-care-events.ts";

usePathwaysDatabase();

describe("a family's journey", () => {
  it("runs from a school's request to a child protection plan, with alerts for the team", async () => {
    const child = partnership.demoFamily.siblingPersonId;
    // The generated family (a random seed) sometimes leaves early help open, which the front door's
    // decision would then join instead of opening the school's own: close it where it began.
    await database.unsafeOwnerDb
      .updateTable("early_help")
      .set({
        ended_on: sql`started_on`,
        ending: "outcomes-met",
        ending_note: "Closed before the test's journey.",
      })
      .where("partnership_id", "=", partnership.partnershipId)
      .where("person_id", "=", child)
      .where("ended_on", "is", null)
      .execute();
    const school = await repo("school");
    const frontDoor = await repo("front-door");
    const social = await repo("practitioner");
    const manager = await repo("manager");
    const socialWorker = await contextFor("practitioner");

    // The school asks for support, backdated to a phone call 200 days ago.
    const asked = await school.submitRequest(child, request(weekdayAgo(200)));
    assert.ok(asked.ok);
    const requestId = asked.value.requestId;
    const queue = await frontDoor.frontDoorQueue();
    const waiting = queue.waiting.find((r) => r.request_id === requestId);
    assert.ok(waiting?.overdue, "the decision was due the next working day");
    assert.ok((await manager.myAlerts()).every((a) => a.type !== "decision-overdue"));
    assert.ok(
      (await frontDoor.myAlerts()).some((a) => a.type === "decision-overdue" && a.personId === child),
    );

    // Denials: the school cannot decide; a social worker cannot see the queue.
    assert.equal(
      (
        await school.decideRequest(requestId, {
          rag: "amber",
          outcome: "early-help",
          reason: "x",
          decidedOn: weekdayAgo(199),
          workerUserId: null,
        })
      ).ok,
      false,
    );
    assert.deepEqual((await social.frontDoorQueue()).waiting, []);
    assert.equal(
      await repositoryFor(database, await uninvolvedPractitioner(child)).pathways.getRequest(requestId),
      undefined,
      "another agency cannot read it",
    );

    const noLead = await frontDoor.decideRequest(requestId, {
      rag: "amber",
      outcome: "early-help",
      reason: "Needs met by a team around the family.",
      decidedOn: weekdayAgo(199),
      workerUserId: null,
    });
    assert.equal(!noLead.ok && noLead.field, "leadUserId", "early help needs a lead professional");
    // The front door names the school's practitioner as the lead: early help opens, led by the school.
    const decided = await frontDoor.decideRequest(requestId, {
      rag: "amber",
      outcome: "early-help",
      reason: "Needs met by a team around the family.",
      decidedOn: weekdayAgo(199),
      workerUserId: null,
      leadUserId: (await contextFor("school")).userId,
      teamAgencyIds: [],
    });
    assert.ok(decided.ok && decided.value.earlyHelpId);
    const mine = await school.listMyRequests();
    assert.equal(
      mine.find((r) => r.request_id === requestId)?.outcome,
      "early-help",
      "the referrer sees the outcome",
    );

    // Early help, led by the school; a second cannot be started while it is open.
    const started = await school.startEarlyHelp(child, {
      startedOn: weekdayAgo(195),
      consentOn: weekdayAgo(196),
      assessmentSummary: "Mum struggling after a bereavement; home conditions poor.",
      reviewIntervalWeeks: 6,
      supportRequestId: requestId,
      steppedDownFromEpisodeId: null,
    });
    assert.equal(started.ok, false, "the decision opened early help already");
    const eh = decided.value.earlyHelpId ?? "";
    assert.ok(
      (
        await school.addTeamMember(eh, {
          name: "Family support worker",
          memberRole: "Family support",
          agencyId: null,
          joinedOn: weekdayAgo(190),
        })
      ).ok,
    );
    const outcome = await school.addPlanOutcome(eh, "Child comes to school fed and in clean clothes");
    assert.ok(outcome.ok);
    assert.ok(
      (
        await school.addPlanAction(eh, {
          outcomeId: outcome.value.outcomeId,
          description: "Apply for uniform grant",
          owner: "Mum",
          dueOn: weekdayAgo(170),
        })
      ).ok,
    );
    assert.ok(
      (
        await school.recordEarlyHelpReview(eh, {
          heldOn: weekdayAgo(150),
          progress: { [outcome.value.outcomeId]: "no-progress" },
          notes: "Little change.",
        })
      ).ok,
    );
    assert.equal(
      (await school.recordEarlyHelpReview(eh, { heldOn: weekdayAgo(140), progress: {}, notes: "" })).ok,
      false,
      "progress against every outcome",
    );

    // Step-up to the front door; the early help history is kept.
    const stepped = await school.endEarlyHelp(eh, {
      endedOn: weekdayAgo(120),
      ending: "step-up",
      note: "No progress; concerns of significant harm through neglect.",
      stepUp: { ...request(weekdayAgo(120)), concerns: "Neglect is getting worse despite early help." },
    });
    assert.ok(stepped.ok && stepped.value.requestId);
    assert.equal(
      (await school.addPlanOutcome(eh, "Too late")).ok,
      false,
      "ended early help is kept as it was",
    );
    const s47 = await frontDoor.decideRequest(stepped.value.requestId ?? "", {
      rag: "red",
      outcome: "s47",
      reason: "Reasonable cause to suspect significant harm.",
      decidedOn: weekdayAgo(119),
      workerUserId: socialWorker.userId,
    });
    assert.ok(s47.ok && s47.value.episodeId);
    const episodeId = s47.value.episodeId ?? "";
    // The allocated social worker and her manager read the referral they act on; the school that led the
    // early help reads the first request, which opened it; an agency holding neither case reads neither.
    const steppedUpId = stepped.value.requestId ?? "";
    assert.equal((await social.getRequest(steppedUpId))?.request_id, steppedUpId, "the allocated worker");
    assert.equal((await manager.getRequest(steppedUpId))?.request_id, steppedUpId, "her manager");
    const uninvolved = repositoryFor(database, await uninvolvedPractitioner(child)).pathways;
    assert.equal(await uninvolved.getRequest(steppedUpId), undefined, "an agency with no case");
    assert.equal(await social.getRequest(requestId), undefined, "a request that opened no social care case");

    // Children's social care records the conference and plan; the school cannot.
    let pathway = await social.childPathway(child);
    assert.ok(pathway);
    const episode = pathway.episodes.find((e) => e.episodeId === episodeId);
    assert.equal(episode?.source, "5D", "a step-up comes from early help");
    const enquiry = episode?.section47s[0];
    assert.ok(enquiry);
    const base = {
      episodeId,
      ...noEventDetails(),
    };
    const icpcDay = weekdayAgo(105);
    assert.equal(
      (
        await school.recordEvent(child, {
          ...base,
          eventType: "icpc",
          occurredOn: icpcDay,
          subjectId: enquiry.id,
        })
      ).ok,
      false,
    );
    assert.ok(
      (
        await social.recordEvent(child, {
          ...base,
          eventType: "primary-need",
          occurredOn: weekdayAgo(119),
          subjectId: null,
          code: "N1",
        })
      ).ok,
    );
    assert.ok(
      (
        await social.recordEvent(child, {
          ...base,
          eventType: "icpc",
          occurredOn: icpcDay,
          subjectId: enquiry.id,
        })
      ).ok,
    );
    const wrongDay = await social.recordEvent(child, {
      ...base,
      eventType: "cp-plan-start",
      // The day after the conference: weekdayAgo(104) is the conference day itself when 105 days ago is
      // a Saturday or a Sunday.
      occurredOn: addCalendarDays(icpcDay, 1),
      subjectId: null,
      code: "NEG",
      count: 0,
    });
    assert.equal(wrongDay.ok, false, "a plan starts on the conference day (rule 2885)");
    const plan = await social.recordEvent(child, {
      ...base,
      eventType: "cp-plan-start",
      occurredOn: icpcDay,
      subjectId: null,
      code: "NEG",
      count: 0,
    });
    assert.ok(plan.ok);
    assert.ok(
      (
        await social.recordEvent(child, {
          ...base,
          eventType: "visit",
          occurredOn: weekdayAgo(100),
          subjectId: plan.value.eventId,
          childSeen: true,
          seenAlone: true,
        })
      ).ok,
    );
    assert.ok(
      (
        await social.recordEvent(child, {
          ...base,
          eventType: "cp-review",
          occurredOn: weekdayAgo(20),
          subjectId: plan.value.eventId,
        })
      ).ok,
    );

    pathway = await social.childPathway(child);
    assert.equal(pathway?.episodes.at(-1)?.cpPlans[0]?.reviews.length, 1);

    // The manager sees the overdue visit for their team's worker; the practitioner sees their own.
    const managerAlerts = await manager.myAlerts();
    const visit = managerAlerts.find((a) => a.type === "visit-overdue" && a.personId === child);
    assert.ok(visit, JSON.stringify(managerAlerts.map((a) => a.type)));
    assert.ok(visit.evidence.some((line) => line.includes("child seen alone")));
    assert.equal(visit.href, `/people/${child}/pathway/episodes/${episodeId}`);
    assert.ok((await social.myAlerts()).some((a) => a.type === "visit-overdue" && a.personId === child));
    assert.ok(
      (await school.myAlerts()).every((a) => a.type !== "visit-overdue"),
      "not the school's case now",
    );

    // An uninvolved agency sees nothing of the pathway.
    const outsider = await uninvolvedPractitioner(child);
    assert.equal(await repositoryFor(database, outsider).pathways.childPathway(child), undefined);
    assert.equal(
      (await repositoryFor(database, outsider).pathways.submitRequest(child, request(today()))).ok,
      false,
    );

    assert.ok((await auditCount("csc-event")) >= 6);
    assert.ok((await auditCount("support-request")) >= 4);
    assert.ok((await auditCount("early-help-review")) >= 1);
  });
});

describe("supervision and professional differences", () => {
  it("keeps supervision with the child and moves a disagreement through the stages until resolved", async () => {
    const child = partnership.demoFamily.siblingPersonId;
    const school = await repo("school");
    const lead = await repo("safeguarding-lead");
    const social = await contextFor("practitioner");
    assert.equal(
      (
        await school.recordSupervision(child, {
          heldOn: today(),
          superviseeUserId: social.userId,
          reflection: "x",
          decisions: "x",
          actions: "",
        })
      ).ok,
      false,
      "a practitioner does not record supervision",
    );
    const supervision = await lead.recordSupervision(child, {
      heldOn: today(),
      superviseeUserId: social.userId,
      reflection: "Drift since the review; the family's engagement is superficial.",
      decisions: "Convene a core group this week.",
      actions: "Social worker to visit unannounced.",
    });
    assert.ok(supervision.ok);

    const raised = await school.raiseEscalation(child, {
      raisedOn: weekdayAgo(30),
      disagreement: "The school believes the plan should not step down: attendance and hunger are worse.",
    });
    assert.ok(raised.ok);
    const escalationId = raised.value.escalationId;
    const outsider = repositoryFor(database, await uninvolvedPractitioner(child)).pathways;
    assert.equal((await outsider.escalate(escalationId, { on: today(), note: "x" })).ok, false);
    assert.ok((await school.myAlerts()).some((a) => a.type === "escalation-overdue" && a.personId === child));
    const moved = await school.escalate(escalationId, {
      on: weekdayAgo(20),
      note: "Not resolved between workers.",
    });
    assert.ok(moved.ok && moved.value.stage === "manager");
    assert.ok((await school.escalate(escalationId, { on: weekdayAgo(10), note: "Managers disagree." })).ok);
    assert.ok(
      (
        await school.resolveEscalation(escalationId, {
          on: today(),
          outcome: "Plan stays in place; reviewed in 4 weeks.",
        })
      ).ok,
    );
    assert.equal(
      (await school.escalate(escalationId, { on: today(), note: "again" })).ok,
      false,
      "resolved stays resolved",
    );
    const pathway = await lead.childPathway(child);
    const kept = pathway?.escalations.find((x) => x.escalation_id === escalationId);
    assert.deepEqual(
      kept?.steps.map((st) => st.stage),
      ["practitioner", "manager", "safeguarding-lead"],
    );
    assert.equal(kept?.outcome, "Plan stays in place; reviewed in 4 weeks.");
    assert.equal(pathway?.supervision.length, 1);
    assert.ok((await auditCount("escalation")) >= 4);
    assert.ok((await auditCount("supervision")) >= 1);
  });
});
