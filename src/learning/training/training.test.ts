// SPDX-License-Identifier: MIT
/**
 * Training: a tool marked "requires training" is completed only by someone whose training for it is
 * recorded (the refusal is audited); others still read assessments made with it. A safeguarding lead
 * records a course that qualifies for the tool, a session and who attended; confidence before and after
 * shows its change; coverage counts the trained by agency and role against the target. Only leads and
 * administrators record training.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { publishToolVersion, TOOLS_DIR } from "../../assessments/tool-library.ts";
import { parseToolYaml } from "../../assessments/tool-schema.ts";
import type { AccessContext } from "../../data/access-context.ts";
import { repositoryFor } from "../../data/repository.ts";
import { todayInEngland } from "../../kernel/calendar.ts";
import { createFamily, type TestFamily } from "../../test-support/families.ts";
import { accessContextFor, userFor } from "../../test-support/harness.ts";
import { unclassifiedMethods } from "../../test-support/method-access.ts";
import { database, partnership, useTestApp } from "../../test-support/test-app.ts";
import { TrainingCoursesRepository } from "./training-courses-repository.ts";
import { TrainingOutcomesRepository } from "./training-outcomes-repository.ts";
import { NEEDS_TRAINING } from "./training-rules.ts";

let family: TestFamily;
let trained: AccessContext;
let untrained: AccessContext;
let lead: AccessContext;
let toolId: string;
const SLUG = "licensed-neglect-tool";

useTestApp({ app: false }, async () => {
  untrained = (await userFor(database, partnership, "practitioner", { agencyType: "health" })).context;
  trained = (
    await userFor(database, partnership, "practitioner", {
      agencyType: "health",
      notUserId: untrained.userId,
    })
  ).context;
  // Both work in health; give the second the first's agency so both may open the same child.
  trained = { ...trained, agencyId: untrained.agencyId };
  await database.unsafeOwnerDb
    .updateTable("users")
    .set({ agency_id: untrained.agencyId, team_id: untrained.teamId })
    .where("user_id", "=", trained.userId)
    .execute();
  lead = await accessContextFor(database, partnership, "safeguarding-lead");
  family = await createFamily(database, {
    partnershipId: partnership.partnershipId,
    involvements: [
      { agencyId: untrained.agencyId, child: "baby" },
      { agencyId: untrained.agencyId, child: "sibling" },
    ],
  });
  // A licensed tool that requires training: Hearth's screen under another name, as a partnership would load it.
  const source = readFileSync(join(TOOLS_DIR, "hearth-screen.yaml"), "utf8")
    .replace(/^id: .*$/m, `id: ${SLUG}`)
    .replace(/^name: .*$/m, "name: Licensed neglect tool")
    .replace(
      /^licence: .*$/m,
      'licence: {kind: licensed_third_party, attribution: "Test licensor", requires_training: true}',
    );
  const parsed = parseToolYaml(source);
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.errors.join("; "));
  const published = await database.unsafeOwnerDb.transaction().execute((trx) =>
    publishToolVersion(trx, {
      partnershipId: partnership.partnershipId,
      content: parsed.content,
      hash: parsed.hash,
      sourceText: source,
      source: "upload",
      userId: null,
    }),
  );
  assert.ok(published.status === "published");
  toolId = published.toolId;
});

const start = (ctx: AccessContext) =>
  repositoryFor(database, ctx).assessments.startAssessment(family.babyId, {
    toolId,
    mode: "with-family",
    assessedOn: todayInEngland(),
  });

describe("a tool that requires training", () => {
  it("cannot be completed by a practitioner without recorded training, and the refusal is audited", async () => {
    const refused = await start(untrained);
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.message, NEEDS_TRAINING);
    const denial = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("details")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("actor_user_id", "=", untrained.userId)
      .where("action", "=", "denied")
      .where("record_id", "=", toolId)
      .executeTakeFirst();
    assert.ok(denial, "the refusal is in the audit log");
  });

  it("cannot be started as a family assessment by a practitioner without recorded training", async () => {
    const refused = await repositoryFor(database, untrained).assessments.startFamilyAssessment(
      family.babyId,
      {
        toolId,
        mode: "with-family",
        assessedOn: todayInEngland(),
        siblingIds: [family.siblingId],
      },
    );
    assert.equal(!refused.ok && refused.message, NEEDS_TRAINING);
  });

  it("is completed once a course for the tool is attended; the untrained still read it and cannot change it", async () => {
    const asLead = repositoryFor(database, lead).training;
    const notByPractitioner = await repositoryFor(database, untrained).training.createCourse({
      title: "x",
      level: "core",
      toolSlugs: [SLUG],
      outcomes: ["x"],
    });
    assert.equal(notByPractitioner.ok, false, "only leads and administrators record training");
    const course = await asLead.createCourse({
      title: "Using the licensed neglect tool",
      level: "core",
      toolSlugs: [SLUG],
      outcomes: ["Recognise neglect early", "Complete the tool with the family"],
    });
    assert.ok(course.ok);
    const session = await asLead.addSession(course.value.courseId, {
      heldOn: todayInEngland(),
      trainer: "Tess Trainer",
    });
    assert.ok(session.ok);
    assert.ok((await asLead.recordAttendance(session.value.sessionId, [trained.userId])).ok);

    const started = await start(trained);
    assert.ok(started.ok, JSON.stringify(started));
    const read = await repositoryFor(database, untrained).assessments.getAssessment(
      started.value.assessmentId,
    );
    assert.ok(read, "someone without the training still reads the assessment");
    const change = await repositoryFor(database, untrained).assessments.saveAnswers(
      started.value.assessmentId,
      { answers: [], judgements: {} },
    );
    assert.equal(change.ok, false);
    assert.equal(!change.ok && change.message, NEEDS_TRAINING);
  });

  it("shows the change in confidence and coverage by agency and role against the target", async () => {
    const asLead = repositoryFor(database, lead).training;
    const [course] = await asLead.listCourses();
    const sessionId = course?.sessions[0]?.session_id as string;
    const own = repositoryFor(database, trained).training;
    assert.ok((await own.recordEvaluation(sessionId, trained.userId, "before", [2, 1])).ok);
    assert.ok((await own.recordEvaluation(sessionId, trained.userId, "after", [4, 4])).ok);
    const someoneElse = await repositoryFor(database, untrained).training.recordEvaluation(
      sessionId,
      trained.userId,
      "after",
      [5, 5],
    );
    assert.equal(someoneElse.ok, false, "nobody records another person's evaluation");
    const outOfRange = await own.recordEvaluation(sessionId, trained.userId, "before", [6, 1]);
    assert.equal(outOfRange.ok, false);
    const view = await asLead.getSession(sessionId);
    assert.deepEqual(
      view?.outcomes.map((o) => o.change),
      [2, 3],
    );
    const coverage = await asLead.coverage();
    assert.ok(coverage);
    assert.equal(coverage.trained, 1);
    assert.equal(coverage.targetPercent, 80);
    assert.equal(coverage.meanChange, 2.5);
    // The trend for the board: the session was held today, so only this quarter counts the trained person.
    assert.deepEqual(
      coverage.byQuarter.map((q) => q.trained),
      [0, 0, 0, 1],
    );
    assert.ok((await asLead.setTarget(90)).ok);
    assert.equal((await asLead.coverage())?.targetPercent, 90);
    assert.equal(
      await repositoryFor(database, untrained).training.coverage(),
      undefined,
      "practitioners see no coverage",
    );
  });
});

describe("the training repository's methods", () => {
  it("are each declared in the sub-area repository that does the work", () => {
    for (const repository of [TrainingCoursesRepository, TrainingOutcomesRepository]) {
      assert.deepEqual(unclassifiedMethods(repository), { undeclared: [], stale: [] }, repository.name);
    }
  });
});
