// SPDX-License-Identifier: MIT
/**
 * The pathways repository on a real database: every method declared in the sub-area that does the work,
 * the facade forwarding them all, nothing returned or changed without a caller, and the levels of need (the
 * common four by default, configured by a safeguarding lead only).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { repositoryFor } from "../data/repository.ts";
import { unclassifiedMethods } from "../test-support/method-access.ts";
import { AlertsRepository } from "./alerts/alerts-repository.ts";
import { ChildPathwayRepository } from "./child-pathway/child-pathway-repository.ts";
import { NeedLevelsRepository } from "./child-pathway/need-levels-repository.ts";
import { DifferencesRepository } from "./differences/differences-repository.ts";
import { EarlyHelpRepository } from "./early-help/early-help-repository.ts";
import { PathwaysRepository } from "./pathways-repository.ts";
import {
  contextFor,
  database,
  partnership,
  repo,
  request,
  today,
  usePathwaysDatabase,
} from "./pathways-test-support.ts";
import { RequestDecisionsRepository } from "./requests/request-decisions-repository.ts";
import { SupportRequestsRepository } from "./requests/requests-repository.ts";
import { SocialCareRepository } from "./social-care/social-care-repository.ts";

usePathwaysDatabase();

describe("the pathways repository's methods", () => {
  it("are each declared in the sub-area repository that does the work, and the facade forwards them all", () => {
    const subAreas = [
      NeedLevelsRepository,
      SupportRequestsRepository,
      RequestDecisionsRepository,
      EarlyHelpRepository,
      SocialCareRepository,
      ChildPathwayRepository,
      AlertsRepository,
      DifferencesRepository,
    ];
    for (const repository of subAreas) {
      assert.deepEqual(unclassifiedMethods(repository), { undeclared: [], stale: [] }, repository.name);
    }
    const declared = subAreas.flatMap((repository) => Object.keys(repository.methodAccess));
    assert.equal(new Set(declared).size, declared.length, "no method is declared by two sub-areas");
    assert.deepEqual(declared.sort(), Object.keys(PathwaysRepository.methodAccess).sort());
  });

  it("return nothing and change nothing without a caller", async () => {
    const child = partnership.demoFamily.siblingPersonId;
    const id = "00000000-0000-4000-8000-000000000000";
    const nobody = repositoryFor(database, undefined).pathways;
    const results: Record<string, unknown> = {
      needLevels: await nobody.needLevels(),
      setNeedLevels: (await nobody.setNeedLevels([])).ok,
      recordLevelDecision: (
        await nobody.recordLevelDecision(child, {
          suggestedLevel: null,
          suggestionSource: null,
          chosenLevel: "targeted",
          rationale: "x",
          decidedOn: today(),
          approverUserId: null,
        })
      ).ok,
      submitRequest: (await nobody.submitRequest(child, request(today()))).ok,
      listMyRequests: await nobody.listMyRequests(),
      frontDoorQueue: (await nobody.frontDoorQueue()).waiting,
      getRequest: await nobody.getRequest(id),
      decideRequest: (
        await nobody.decideRequest(id, {
          rag: "red",
          outcome: "nfa",
          reason: "x",
          decidedOn: today(),
          workerUserId: null,
        })
      ).ok,
      listSocialWorkers: await nobody.listSocialWorkers(),
      levelApprovers: await nobody.levelApprovers(),
      startEarlyHelp: (
        await nobody.startEarlyHelp(child, {
          startedOn: today(),
          consentOn: today(),
          assessmentSummary: "x",
          reviewIntervalWeeks: 6,
          supportRequestId: null,
          steppedDownFromEpisodeId: null,
        })
      ).ok,
      mayChangeEarlyHelp: await nobody.mayChangeEarlyHelp(id),
      addTeamMember: (
        await nobody.addTeamMember(id, { name: "x", memberRole: "x", agencyId: null, joinedOn: today() })
      ).ok,
      addPlanOutcome: (await nobody.addPlanOutcome(id, "x")).ok,
      addPlanAction: (
        await nobody.addPlanAction(id, { outcomeId: null, description: "x", owner: "x", dueOn: today() })
      ).ok,
      completePlanAction: (await nobody.completePlanAction(id, id, today())).ok,
      recordEarlyHelpReview: (
        await nobody.recordEarlyHelpReview(id, { heldOn: today(), progress: {}, notes: "" })
      ).ok,
      endEarlyHelp: (
        await nobody.endEarlyHelp(id, { endedOn: today(), ending: "moved", note: "", stepUp: null })
      ).ok,
      openReferral: (
        await nobody.openReferral(child, { referralDate: today(), source: "2A", workerUserId: null })
      ).ok,
      recordEvent: (
        await nobody.recordEvent(child, {
          eventType: "visit",
          occurredOn: today(),
          episodeId: id,
          subjectId: id,
          code: null,
          codes: [],
          count: null,
          childSeen: true,
          seenAlone: true,
          workerUserId: null,
          note: null,
        })
      ).ok,
      childPathway: await nobody.childPathway(child),
      myAlerts: await nobody.myAlerts(),
      recordSupervision: (
        await nobody.recordSupervision(child, {
          heldOn: today(),
          superviseeUserId: id,
          reflection: "x",
          decisions: "x",
          actions: "",
        })
      ).ok,
      raiseEscalation: (await nobody.raiseEscalation(child, { raisedOn: today(), disagreement: "x" })).ok,
      escalate: (await nobody.escalate(id, { on: today(), note: "x" })).ok,
      resolveEscalation: (await nobody.resolveEscalation(id, { on: today(), outcome: "x" })).ok,
    };
    assert.deepEqual(Object.keys(results).sort(), Object.keys(PathwaysRepository.methodAccess).sort());
    for (const [name, value] of Object.entries(results)) {
      const empty = value === undefined || value === false || (Array.isArray(value) && value.length === 0);
      assert.ok(empty, `${name} gave ${JSON.stringify(value)} with no caller`);
    }
  });
});

describe("levels of need", () => {
  it("default to the common four and can be configured by a safeguarding lead only", async () => {
    const school = await repo("school");
    assert.deepEqual(
      (await school.needLevels()).map((l) => l.code),
      ["universal", "additional", "targeted", "specialist"],
    );
    const five = [
      { code: "l1", name: "Universal", description: "", pathway: "" },
      { code: "l2", name: "Universal plus", description: "", pathway: "" },
      { code: "l3", name: "Early help", description: "", pathway: "" },
      { code: "l4", name: "Targeted", description: "", pathway: "" },
      { code: "l5", name: "Specialist", description: "", pathway: "" },
    ];
    assert.equal((await school.setNeedLevels(five)).ok, false);
    const lead = await repo("safeguarding-lead");
    assert.ok((await lead.setNeedLevels(five)).ok);
    assert.equal((await school.needLevels()).length, 5);
    const decision = await school.recordLevelDecision(partnership.demoFamily.siblingPersonId, {
      suggestedLevel: "l3",
      suggestionSource: "Graded Care Profile 2",
      chosenLevel: "l4",
      rationale: "Several agencies are needed around the family.",
      decidedOn: today(),
      approverUserId: (await contextFor("manager")).userId,
    });
    assert.ok(decision.ok);
    assert.ok((await lead.setNeedLevels(five.slice(0, 1))).ok === false, "at least two levels");
    // Put the default back for the journey below.
    assert.ok(
      (
        await lead.setNeedLevels([
          { code: "universal", name: "Universal", description: "", pathway: "" },
          { code: "additional", name: "Additional", description: "", pathway: "" },
          { code: "targeted", name: "Targeted", description: "", pathway: "" },
          { code: "specialist", name: "Specialist", description: "", pathway: "" },
        ])
      ).ok,
    );
  });
});
