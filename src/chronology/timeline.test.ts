// SPDX-License-Identifier: MIT
/**
 * The timeline picture: drawn once for the same counts (every page of a chronology shows the same one),
 * and drawn again when a count, a name or the grouping changes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildTimeline } from "./timeline.ts";

const chronology = (healthCount: number, motherName = "Jo Timely") => ({
  counts: [
    { month: "2025-01", person_id: "p1", agency_name: "Health visiting", count: healthCount },
    { month: "2025-03", person_id: "p2", agency_name: "School", count: 2 },
  ],
  members: [
    { person_id: "p1", name: "Amy Timely", label: "child" },
    { person_id: "p2", name: motherName, label: "mother" },
  ] as never,
});

describe("the timeline picture", () => {
  it("is drawn once for the same counts, and again when they change", () => {
    const first = buildTimeline(chronology(3), "agency", "Amy Timely");
    assert.match(first.svg ?? "", /<svg/);
    assert.equal(
      buildTimeline(chronology(3), "agency", "Amy Timely"),
      first,
      "the same counts: the same picture",
    );
    const changed = buildTimeline(chronology(4), "agency", "Amy Timely");
    assert.notEqual(changed.svg, first.svg);
    assert.deepEqual(
      changed.rows.map((r) => r.total),
      [4, 0, 2],
    );
    const byPerson = buildTimeline(chronology(3), "person", "Amy Timely");
    assert.deepEqual(byPerson.head, ["Amy Timely (child)", "Jo Timely (mother)"]);
    const renamed = buildTimeline(chronology(3, "Jo Renamed"), "person", "Amy Timely");
    assert.deepEqual(renamed.head, ["Amy Timely (child)", "Jo Renamed (mother)"]);
  });
});
