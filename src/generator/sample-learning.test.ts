// SPDX-License-Identifier: MIT
/**
 * The demo's learning records: training and feedback appear on the coverage and feedback pages' figures,
 * the same from the same seed, written in a few seconds.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { repositoryFor } from "../data/repository.ts";
import { accessContextFor, createTestPartnership } from "../test-support/harness.ts";
import { database, partnership, useTestApp } from "../test-support/test-app.ts";
import { addSampleLearning } from "./sample-learning.ts";

useTestApp({ app: false });

it("fills training and feedback so coverage, the change in confidence and feedback have figures", async () => {
  const started = Date.now();
  const written = await addSampleLearning(database, partnership, {
    seed: "learning",
    referenceDate: "2026-04-01",
  });
  assert.ok(Date.now() - started < 5000, "it takes seconds");
  assert.ok(written.attendances > 0);
  assert.ok(written.feedback > 0);
  const lead = await accessContextFor(database, partnership, "safeguarding-lead");
  const coverage = await repositoryFor(database, lead).training.coverage();
  assert.ok(coverage && coverage.trained > 0 && coverage.trained < coverage.people);
  assert.ok(coverage.meanChange !== null && coverage.meanChange > 0, "confidence mostly rises");
  const courses = await repositoryFor(database, lead).training.listCourses();
  assert.equal(courses.length, 3);
  assert.ok(written.audited > 0, "a finished case audit round");
  const results = await repositoryFor(database, lead).audits.results();
  assert.ok(results);
  const summary = await repositoryFor(database, lead).feedback.summary();
  assert.ok(summary && summary.rows.length > 0);
  const other = await createTestPartnership(database);
  const again = await addSampleLearning(database, other, { seed: "learning", referenceDate: "2026-04-01" });
  assert.deepEqual(again, written, "the same seed gives the same records");
});
