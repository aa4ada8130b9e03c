// SPDX-License-Identifier: MIT
/** The derived level of need: the latest decision, raised to what the child's open services mean. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_NEED_LEVELS } from "./codes.ts";
import { deriveLevelOfNeed, describeLevel, type LevelFacts } from "./level-of-need.ts";

const levels = DEFAULT_NEED_LEVELS.map((l) => ({ ...l }));
const none: LevelFacts = { events: [], openEarlyHelp: null, openCinPlanSince: null, openCpPlanSince: null };

describe("the derived level of need", () => {
  it("is nothing when nothing has decided or implied it", () => {
    assert.equal(deriveLevelOfNeed(none, levels), null);
    assert.equal(deriveLevelOfNeed(none, []), null);
  });

  it("is the latest decision, whichever kind", () => {
    const level = deriveLevelOfNeed(
      {
        ...none,
        events: [
          { kind: "front-door", on: "2026-03-02", outcome: "early-help" },
          { kind: "level-decision", on: "2026-01-10", level: "specialist" },
          { kind: "level-decision", on: "2026-04-01", level: "additional" },
        ],
      },
      levels,
    );
    assert.deepEqual(level, { code: "additional", basis: "Level of need decision", since: "2026-04-01" });
  });

  it("reads front-door outcomes: statutory for section 17 and 47, team around the family for early help", () => {
    const at = (outcome: "s17" | "s47" | "early-help" | "nfa" | "advice") =>
      deriveLevelOfNeed({ ...none, events: [{ kind: "front-door", on: "2026-01-01", outcome }] }, levels)
        ?.code;
    assert.equal(at("s17"), "specialist");
    assert.equal(at("s47"), "specialist");
    assert.equal(at("early-help"), "targeted");
    assert.equal(at("nfa"), "universal");
    assert.equal(at("advice"), "universal");
  });

  it("counts open early help as at least an early help level, with no decision recorded", () => {
    const involvementOnly = deriveLevelOfNeed(
      { ...none, openEarlyHelp: { since: "2025-06-01", withTeam: false } },
      levels,
    );
    assert.deepEqual(involvementOnly, { code: "additional", basis: "Open early help", since: "2025-06-01" });
    const team = deriveLevelOfNeed(
      {
        ...none,
        events: [{ kind: "level-decision", on: "2025-01-01", level: "universal" }],
        openEarlyHelp: { since: "2025-06-01", withTeam: true },
      },
      levels,
    );
    assert.equal(team?.code, "targeted");
    assert.match(team?.basis ?? "", /team around the family/);
  });

  it("never lowers a higher decision because of open early help", () => {
    const level = deriveLevelOfNeed(
      {
        ...none,
        events: [{ kind: "level-decision", on: "2025-01-01", level: "specialist" }],
        openEarlyHelp: { since: "2025-06-01", withTeam: true },
      },
      levels,
    );
    assert.equal(level?.code, "specialist");
    assert.equal(level?.basis, "Level of need decision");
  });

  it("puts a child on a child protection or child in need plan at the statutory level", () => {
    const cp = deriveLevelOfNeed({ ...none, openCpPlanSince: "2026-02-02" }, levels);
    assert.deepEqual(cp, { code: "specialist", basis: "Open child protection plan", since: "2026-02-02" });
    const cin = deriveLevelOfNeed(
      {
        ...none,
        events: [{ kind: "level-decision", on: "2026-03-01", level: "additional" }],
        openCinPlanSince: "2026-01-05",
      },
      levels,
    );
    assert.equal(cin?.code, "specialist");
    assert.equal(cin?.basis, "Open child in need plan");
  });

  it("steps down when a case closes: to early help when referred there, else universal", () => {
    const statutory = { kind: "front-door", on: "2025-01-01", outcome: "s47" } as const;
    const toEarlyHelp = deriveLevelOfNeed(
      { ...none, events: [statutory, { kind: "closure", on: "2025-09-01", reason: "RC9" }] },
      levels,
    );
    assert.equal(toEarlyHelp?.code, "targeted");
    const closed = deriveLevelOfNeed(
      { ...none, events: [statutory, { kind: "closure", on: "2025-09-01", reason: "RC7" }] },
      levels,
    );
    assert.equal(closed?.code, "universal");
    const steppedDown = deriveLevelOfNeed(
      {
        ...none,
        events: [statutory, { kind: "closure", on: "2025-09-01", reason: "RC7" }],
        openEarlyHelp: { since: "2025-09-01", withTeam: true },
      },
      levels,
    );
    assert.equal(steppedDown?.code, "targeted");
  });

  it("keeps the level through a step-up until the front door decides, and a same-day decision wins", () => {
    const up = deriveLevelOfNeed(
      {
        ...none,
        events: [
          { kind: "front-door", on: "2025-01-01", outcome: "early-help" },
          { kind: "early-help-ended", on: "2025-05-01", ending: "step-up" },
        ],
      },
      levels,
    );
    assert.equal(up?.code, "targeted");
    const sameDay = deriveLevelOfNeed(
      {
        ...none,
        events: [
          { kind: "level-decision", on: "2025-05-01", level: "additional" },
          { kind: "early-help-ended", on: "2025-05-01", ending: "outcomes-met" },
        ],
      },
      levels,
    );
    assert.equal(sameDay?.code, "additional");
  });

  it("works with a partnership's own list of levels, by position", () => {
    const three = [
      { code: "green", name: "Green", description: "", pathway: "" },
      { code: "amber", name: "Amber", description: "", pathway: "" },
      { code: "red", name: "Red", description: "", pathway: "" },
    ];
    assert.equal(deriveLevelOfNeed({ ...none, openCpPlanSince: "2026-01-01" }, three)?.code, "red");
    assert.equal(
      deriveLevelOfNeed({ ...none, openEarlyHelp: { since: "2026-01-01", withTeam: true } }, three)?.code,
      "amber",
    );
  });

  it("names a level from the list, and a level no longer listed by its code in words", () => {
    assert.equal(describeLevel("targeted", levels)?.name, "Targeted");
    assert.match(describeLevel("targeted", levels)?.description ?? "", /team around the family/);
    assert.equal(describeLevel("very-high", levels)?.name, "Very high");
    assert.equal(describeLevel(null, levels), null);
  });
});
