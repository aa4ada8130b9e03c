// SPDX-License-Identifier: MIT
/** Alerts grouped by child, most severe then oldest first, with counts and a filter that ignores junk. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alertFilterFrom, alertPage, groupAlerts } from "./alert-groups.ts";
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

  it("page the children 25 at a time, keeping their order, the last page for a page past the end", () => {
    const grouped = { groups: Array.from({ length: 60 }, (_, i) => `child ${i + 1}`) };
    const first = alertPage(grouped, undefined);
    assert.deepEqual([first.page, first.pageCount, first.firstChild, first.groups.length], [1, 3, 1, 25]);
    assert.equal(first.groups[0], "child 1");
    const third = alertPage(grouped, "3");
    assert.deepEqual([third.page, third.firstChild, third.groups], [3, 51, grouped.groups.slice(50)]);
    assert.equal(alertPage(grouped, "99").page, 3);
    for (const odd of ["0", "-1", "2.5", "abc", "1e3", ["2"]])
      assert.equal(alertPage(grouped, odd).page, 1, String(odd));
    assert.deepEqual(alertPage({ groups: [] }, "4"), { page: 1, pageCount: 1, firstChild: 1, groups: [] });
  });
});
