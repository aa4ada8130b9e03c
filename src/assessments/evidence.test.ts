// SPDX-License-Identifier: MIT
/** The sign-off evidence per area: answers with their evidence, the family's words, change since the last reading. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { computeResults } from "./engine.ts";
import { areaEvidence } from "./evidence.ts";
import { repositoryTools } from "./tool-library.ts";

const screen = () => {
  const tool = repositoryTools().find((t) => t.content.id === "hearth-neglect-screen")?.content;
  assert.ok(tool);
  return tool;
};

describe("sign-off evidence", () => {
  it("compares each area with the reading before this assessment's, not with a later one", () => {
    const tool = screen();
    const results = computeResults(
      tool,
      "3-5",
      {
        "s-physical-signs": { value: 2, special: null },
        "s-nutrition-signs": { value: null, special: "not_known" },
      },
      {},
    );
    const readings = (values: [string, number, string | undefined][]) =>
      values.map(([date, value, assessmentId]) => ({
        date,
        value,
        label: value === 1 ? "No concern" : value === 2 ? "Some concern" : "Significant concern",
        ...(assessmentId ? { assessmentId } : {}),
      }));
    const areas = areaEvidence({
      assessmentId: "this",
      results,
      answers: {
        "s-physical-signs": {
          value: "2",
          special: null,
          evidence: "Coat too thin",
          evidence_sources: ["observed", "carer"],
        },
        "s-nutrition-signs": { value: null, special: "not_known", evidence: null, evidence_sources: [] },
      },
      familyView: { domains: { "s-physical": { agreement: "disagree", comment: "He won't wear the coat" } } },
      history: {
        domains: [
          {
            domainId: "s-physical",
            readings: readings([
              ["2025-06-01", 3, "first"],
              ["2025-09-01", 1, "second"],
              ["2026-01-01", 2, "this"],
              ["2026-03-01", 3, "later"],
            ]),
          },
        ],
      },
    });
    const physical = areas.find((a) => a.domainId === "s-physical");
    assert.deepEqual(physical?.items, [
      {
        title: "Is the child clean, warm and dressed for the weather?",
        answer: "Some concern",
        evidence: "Coat too thin",
        sources: "Observed, Told by a parent or carer",
      },
    ]);
    assert.equal(physical?.grade, "Some concern");
    assert.equal(physical?.familyWords, "We do not agree: He won't wear the coat");
    assert.deepEqual(physical?.change, {
      previousLabel: "No concern",
      previousOn: "2025-09-01",
      direction: "worse",
    });
    const nutrition = areas.find((a) => a.domainId === "s-nutrition");
    assert.equal(nutrition?.items[0]?.answer, "Not known");
    assert.equal(nutrition?.grade, "Not graded");
    assert.equal(nutrition?.change, undefined);
    assert.equal(areas.length, 6, "every area is listed, answered or not");
  });
});
