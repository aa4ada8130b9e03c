// SPDX-License-Identifier: MIT
/** Alerts grouped by child, most severe then oldest first, with counts and a filter that ignores junk. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alertFilterFrom, groupAlerts } from "./alert-groups.ts";
import type { AlertType } from "./alerts.ts";

const alert = (personId: string, type: AlertType, since: string) => ({
  personId,
  type,
  since,
  childName: personId,
});

describe("grouping alerts", () => {
  const alerts = [
    alert("amy", "no-child-voice", "2026-01-01"),
    alert("ben", "review-overdue", "2026-03-01"),
    alert("amy", "visit-overdue", "2026-05-01"),
    alert("cal", "visit-overdue", "2026-04-01"),
    alert("ben", "decision-overdue", "2026-06-01"),
  ];

  it("puts the child with the most severe, oldest alert first, and orders each child's alerts the same way", () => {
    const grouped = groupAlerts(alerts);
    assert.deepEqual(
      grouped.groups.map((g) => g.personId),
      ["cal", "amy", "ben"],
    );
    assert.deepEqual(
      grouped.groups[1]?.alerts.map((a) => a.type),
      ["visit-overdue", "no-child-voice"],
    );
    assert.deepEqual(grouped.counts, { high: 3, medium: 1, low: 1 });
  });

  it("filters by severity and kind, still counting everything", () => {
    const high = groupAlerts(alerts, { severity: "high" });
    assert.equal(high.shown, 3);
    assert.equal(high.total, 5);
    assert.deepEqual(
      groupAlerts(alerts, { kind: "review-overdue" }).groups.map((g) => g.personId),
      ["ben"],
    );
  });

  it("reads only known codes from the query", () => {
    assert.deepEqual(alertFilterFrom({ severity: "high", kind: "visit-overdue" }), {
      severity: "high",
      kind: "visit-overdue",
    });
    assert.deepEqual(alertFilterFrom({ severity: "constructor", kind: ["x"] }), {
      severity: undefined,
      kind: undefined,
    });
  });
});
