// SPDX-License-Identifier: MIT
/** The statutory timescales, counted in working days and months. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { workingDaysBetween } from "../kernel/calendar.ts";
import { assessmentDue, decisionDue, icpcTarget, nextReviewDue } from "./timescales.ts";

describe("the timescales", () => {
  it("gives a referral decision the next working day", () => {
    assert.equal(decisionDue("2025-04-17"), "2025-04-22");
    assert.equal(decisionDue("2025-05-02"), "2025-05-06");
  });

  it("gives an ICPC target 15 working days after the strategy discussion", () => {
    assert.equal(icpcTarget("2025-04-14"), "2025-05-08");
    assert.equal(icpcTarget("2024-12-16"), "2025-01-09");
  });

  it("gives an assessment 45 working days", () => {
    assert.equal(assessmentDue("2025-01-06"), "2025-03-10");
    assert.equal(workingDaysBetween("2025-01-06", assessmentDue("2025-01-06")), 45);
  });

  it("wants the first review in 3 months and then every 6", () => {
    assert.equal(nextReviewDue("2025-01-31", []), "2025-04-30");
    assert.equal(nextReviewDue("2025-01-31", ["2025-04-28"]), "2025-10-28");
    assert.equal(nextReviewDue("2025-01-31", ["2025-10-01", "2025-04-28"]), "2026-04-01");
  });
});
