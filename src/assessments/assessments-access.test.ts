// SPDX-License-Identifier: MIT
/**
 * Assessments against a real database: every repository method declared in its sub-area and returning
 * nothing without a caller, and access following the child-record rules (an uninvolved practitioner and an
 * analyst get nothing; every view is audited).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { repositoryFor } from "../data/repository.ts";
import type { AgencyType } from "../organisation/codes.ts";
import { TestClient } from "../test-support/harness.ts";
import { unclassifiedMethods } from "../test-support/method-access.ts";
import { AssessmentDraftsRepository } from "./assessment-drafts-repository.ts";
import { AssessmentSignOffRepository } from "./assessment-sign-off.ts";
import { AssessmentsRepository } from "./assessments-repository.ts";
import {
  app,
  auditCount,
  database,
  demoUser,
  newChild,
  partnership,
  toolId,
  useAssessmentsTestApp,
  userOf,
} from "./assessments-test-support.ts";
import { ChildAssessmentsRepository } from "./child-assessments-repository.ts";
import { FamilyAssessmentsRepository } from "./family-assessments-repository.ts";
import { repositoryTools } from "./tool-library.ts";
import { ToolVersionsRepository } from "./tool-versions-repository.ts";

useAssessmentsTestApp();

describe("the assessments repository's methods", () => {
  it("are each declared in the sub-area repository that does the work", () => {
    for (const repository of [
      ToolVersionsRepository,
      ChildAssessmentsRepository,
      AssessmentDraftsRepository,
      AssessmentSignOffRepository,
      FamilyAssessmentsRepository,
    ]) {
      assert.deepEqual(unclassifiedMethods(repository), { undeclared: [], stale: [] }, repository.name);
    }
  });

  it("return nothing and change nothing without a caller", async () => {
    const practitioner = await demoUser("practitioner");
    const personId = await newChild(practitioner.context, "Nobody", "2021-01-01");
    const rag = await toolId(practitioner.context, "home-conditions-rag");
    const started = await repositoryFor(database, practitioner.context).assessments.startAssessment(
      personId,
      {
        toolId: rag,
        mode: "practitioner",
        assessedOn: "2026-01-05",
      },
    );
    assert.ok(started.ok);
    const id = started.value.assessmentId;
    const nobody = repositoryFor(database, undefined).assessments;
    const results: Record<string, unknown> = {
      listTools: await nobody.listTools(),
      uploadTool: (await nobody.uploadTool(repositoryTools()[0]?.text ?? "")).ok,
      exportToolVersion: (await nobody.exportToolVersion(id)).ok,
      listForChild: await nobody.listForChild(personId),
      startAssessment: (
        await nobody.startAssessment(personId, {
          toolId: rag,
          mode: "practitioner",
          assessedOn: "2026-01-05",
        })
      ).ok,
      getAssessment: await nobody.getAssessment(id),
      saveDetails: (
        await nobody.saveDetails(id, {
          mode: "practitioner",
          assessedOn: "2026-01-05",
          observationFrom: null,
          observationTo: null,
        })
      ).ok,
      saveAnswers: (await nobody.saveAnswers(id, { answers: [], judgements: {} })).ok,
      addVisit: (
        await nobody.addVisit(id, { visitedOn: "2026-01-05", announced: true, childSeen: true, note: null })
      ).ok,
      removeVisit: (await nobody.removeVisit(id, id)).ok,
      saveFamilyView: (
        await nobody.saveFamilyView(id, { domains: {}, comments: null, ownScaling: null, seenScoresOn: null })
      ).ok,
      saveChildVoice: (
        await nobody.saveChildVoice(id, { method: "words", words: null, scaling: null, recordedOn: null })
      ).ok,
      addTarget: (
        await nobody.addTarget(id, {
          nodeId: "kitchen",
          targetValue: 1,
          whatWillChange: "x",
          who: null,
          reviewOn: "2026-06-01",
        })
      ).ok,
      removeTarget: (await nobody.removeTarget(id, id)).ok,
      submit: (await nobody.submit(id, null)).ok,
      signOff: (await nobody.signOff(id, { decision: "sign-off", comments: "x" })).ok,
      changeOverTime: await nobody.changeOverTime(personId, rag),
      familyOptions: await nobody.familyOptions(personId),
      startFamilyAssessment: (
        await nobody.startFamilyAssessment(personId, {
          toolId: rag,
          mode: "practitioner",
          assessedOn: "2026-01-05",
          siblingIds: [id],
        })
      ).ok,
      getFamilyAssessment: await nobody.getFamilyAssessment(id),
      saveFamilyShared: (await nobody.saveFamilyShared(id, { answers: [], judgements: {} })).ok,
      saveFamilyChild: (await nobody.saveFamilyChild(id, id, { answers: [], judgements: {}, voice: null }))
        .ok,
      saveFamilyWords: (
        await nobody.saveFamilyWords(id, {
          domains: {},
          comments: null,
          ownScaling: null,
          seenScoresOn: null,
        })
      ).ok,
      submitFamily: (await nobody.submitFamily(id, null)).ok,
      decideFamily: (await nobody.decideFamily(id, { decision: "sign-off", comments: "x" })).ok,
    };
    assert.deepEqual(Object.keys(results).sort(), Object.keys(AssessmentsRepository.methodAccess).sort());
    for (const [name, value] of Object.entries(results)) {
      const empty = value === undefined || value === false || (Array.isArray(value) && value.length === 0);
      assert.ok(empty, `${name} gave ${JSON.stringify(value)} with no caller`);
    }
  });
});

describe("access to a child's assessments", () => {
  it("is denied to a practitioner whose agency is not involved, and to analysts; every view is audited", async () => {
    const practitioner = await demoUser("practitioner");
    const personId = await newChild(practitioner.context, "Private", "2021-03-03");
    const repo = repositoryFor(database, practitioner.context).assessments;
    const started = await repo.startAssessment(personId, {
      toolId: await toolId(practitioner.context, "hearth-child-needs-profile"),
      mode: "with-family",
      assessedOn: "2026-01-05",
    });
    assert.ok(started.ok);
    const id = started.value.assessmentId;
    const practitionerAgencyType = await database.unsafeOwnerDb
      .selectFrom("agencies")
      .select("agency_type")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("agency_id", "=", practitioner.context.agencyId)
      .executeTakeFirstOrThrow();
    const otherType: AgencyType = practitionerAgencyType.agency_type === "education" ? "health" : "education";
    const outsider = await userOf("practitioner", otherType);
    const outsiderRepo = repositoryFor(database, outsider.context).assessments;
    assert.equal(await outsiderRepo.getAssessment(id), undefined);
    assert.equal(await outsiderRepo.listForChild(personId), undefined);
    assert.equal(
      await outsiderRepo.changeOverTime(
        personId,
        await toolId(outsider.context, "hearth-child-needs-profile"),
      ),
      undefined,
    );
    assert.equal((await outsiderRepo.saveAnswers(id, { answers: [], judgements: {} })).ok, false);
    assert.equal(
      (
        await outsiderRepo.startAssessment(personId, {
          toolId: await toolId(outsider.context, "hearth-neglect-screen"),
          mode: "practitioner",
          assessedOn: "2026-01-05",
        })
      ).ok,
      false,
    );
    const analyst = await userOf("analyst");
    assert.equal(await repositoryFor(database, analyst.context).assessments.getAssessment(id), undefined);
    assert.deepEqual(await repositoryFor(database, analyst.context).assessments.listTools(), []);

    const client = new TestClient(app);
    await client.signIn(outsider.email);
    assert.equal((await client.get(`/assessments/${id}`)).statusCode, 404);
    assert.equal((await client.get(`/people/${personId}/assessments`)).statusCode, 404);

    const before = await auditCount("view", id);
    assert.ok(await repo.getAssessment(id));
    assert.equal(await auditCount("view", id), before + 1, "the view is audited");
    const lead = await userOf("safeguarding-lead");
    assert.ok(
      await repositoryFor(database, lead.context).assessments.getAssessment(id),
      "a partnership-wide role sees it",
    );
    assert.equal(await auditCount("view", id), before + 2);
  });
});
