// SPDX-License-Identifier: MIT
/**
 * Each shipped rule fires on a hand-built family, does not fire just below its threshold, and lists the
 * entries that fired it. Pure: no database.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { addMonths } from "../kernel/calendar.ts";
import type { AgencyType } from "../organisation/codes.ts";
import { type EvaluationInput, evaluateRule, type SignalEntry, termStart } from "./evaluate.ts";
import { parseRuleYaml } from "./rule-schema.ts";
import { signalRule, signalRules } from "./rules.ts";

const TODAY = "2026-11-20";
const BABY = "00000000-0000-4000-8000-000000000001";
const SISTER = "00000000-0000-4000-8000-000000000002";
const MOTHER = "00000000-0000-4000-8000-000000000003";
const COUSIN = "00000000-0000-4000-8000-000000000009";

let n = 0;
const entry = (
  personId: string,
  eventType: string,
  occurredOn: string,
  agencyType: AgencyType = "health",
  extra: Partial<SignalEntry> = {},
): SignalEntry => ({
  entryId: `e${++n}`,
  source: "agency",
  personId,
  eventType,
  code: null,
  occurredOn,
  agencyType,
  ...extra,
});

const family = (entries: SignalEntry[], child: Partial<EvaluationInput["child"]> = {}): EvaluationInput => ({
  today: TODAY,
  childIds: [BABY],
  child: { dateOfBirth: "2026-04-01", expectedDateOfBirth: null, ...child },
  family: [
    { personId: BABY, kind: "child" },
    { personId: SISTER, kind: "child" },
    { personId: MOTHER, kind: "adult" },
  ],
  entries,
});

const rule = (id: string) => {
  const found = signalRule(id);
  assert.ok(found, `rule ${id} ships`);
  return found;
};

describe("signal rules as data", () => {
  it("ships the five rules the strategies call for, each with its evidence and sources", () => {
    const ids = signalRules().map((r) => r.id);
    assert.deepEqual(ids.sort(), [
      "attendance-and-hunger",
      "infant-sibling-plan",
      "new-adult-engagement",
      "not-brought-health",
      "police-children-present",
    ]);
    for (const r of signalRules()) {
      assert.ok(r.why.evidence.length > 20);
      assert.ok(r.why.sources.length >= 1);
    }
  });

  it("refuses a rule naming an unknown entry type, at its path", () => {
    const parsed = parseRuleYaml(`id: x
version: 1
title: X
summary: X
window: { months: 6 }
all_of:
  - { id: a, label: A, chronology: [not-a-type], across: child, at_least: 1 }
why: { evidence: E, sources: [{ seed: "004", says: S }] }
suggests: S
`);
    assert.equal(parsed.ok, false);
    assert.ok(!parsed.ok && parsed.errors.some((e) => e.startsWith("all_of[0].chronology[0]")));
  });

  it("counts months and school terms from the day of evaluation", () => {
    assert.equal(addMonths("2026-08-31", -6), "2026-02-28");
    assert.equal(termStart("2026-11-20"), "2026-09-01");
    assert.equal(termStart("2026-02-03"), "2026-01-01");
  });
});

describe("not brought to health appointments, across siblings", () => {
  const r = rule("not-brought-health");
  it("fires on three across the baby and her sister in six months, listing them", () => {
    const entries = [
      entry(BABY, "not-brought-health", "2026-07-01"),
      entry(SISTER, "not-brought-dental", "2026-09-10"),
      entry(BABY, "not-brought-health", "2026-11-02"),
      entry(MOTHER, "not-brought-health", "2026-10-01"),
      entry(BABY, "home-visit-seen", "2026-10-05"),
    ];
    const finding = evaluateRule(r, family(entries));
    assert.ok(finding);
    assert.deepEqual(
      finding.entries.map((e) => e.entryId),
      [entries[0], entries[1], entries[2]].map((e) => e?.entryId),
    );
  });
  it("does not fire on two, or when the third is older than six months", () => {
    assert.equal(
      evaluateRule(
        r,
        family([
          entry(BABY, "not-brought-health", "2026-07-01"),
          entry(SISTER, "not-brought-health", "2026-09-01"),
        ]),
      ),
      undefined,
    );
    assert.equal(
      evaluateRule(
        r,
        family([
          entry(BABY, "not-brought-health", "2026-05-19"),
          entry(BABY, "not-brought-health", "2026-07-01"),
          entry(SISTER, "not-brought-health", "2026-09-01"),
        ]),
      ),
      undefined,
    );
  });
  it("does not count entries an earlier signal counted", () => {
    const entries = [
      entry(BABY, "not-brought-health", "2026-07-01"),
      entry(BABY, "not-brought-health", "2026-08-01"),
      entry(BABY, "not-brought-health", "2026-09-01"),
    ];
    assert.equal(evaluateRule(r, family(entries), new Set([entries[0]?.entryId ?? ""])), undefined);
  });
  it("does not count someone outside the family", () => {
    const entries = [
      entry(BABY, "not-brought-health", "2026-07-01"),
      entry(BABY, "not-brought-health", "2026-08-01"),
      entry(COUSIN, "not-brought-health", "2026-09-01"),
    ];
    assert.equal(evaluateRule(r, family(entries)), undefined);
  });
});

describe("attendance under 90% this term and a hunger or hygiene concern", () => {
  const r = rule("attendance-and-hunger");
  const pupil = (entries: SignalEntry[]) => family(entries, { dateOfBirth: "2018-03-01" });
  it("fires on persistent absence and hunger this term, listing both", () => {
    const entries = [
      entry(BABY, "persistent-absence", "2026-10-20", "education"),
      entry(BABY, "hunger-or-poor-hygiene", "2026-11-03", "education"),
    ];
    const finding = evaluateRule(r, pupil(entries));
    assert.ok(finding);
    assert.equal(finding.windowFrom, "2026-09-01");
    assert.deepEqual(
      finding.entries.map((e) => e.entryId),
      entries.map((e) => e.entryId),
    );
  });
  it("does not fire when the absence was last term, or on hunger alone, or on a sibling's absence", () => {
    assert.equal(
      evaluateRule(
        r,
        pupil([
          entry(BABY, "persistent-absence", "2026-07-15", "education"),
          entry(BABY, "hunger-or-poor-hygiene", "2026-11-03", "education"),
        ]),
      ),
      undefined,
    );
    assert.equal(
      evaluateRule(
        r,
        pupil([
          entry(SISTER, "persistent-absence", "2026-10-15", "education"),
          entry(BABY, "hunger-or-poor-hygiene", "2026-11-03", "education"),
        ]),
      ),
      undefined,
    );
  });
});

describe("police notifications with children present", () => {
  const r = rule("police-children-present");
  it("fires on two police incidents on different days in 12 months, across the children (not the mother's)", () => {
    const entries = [
      entry(SISTER, "police-call-out", "2026-02-01", "police"),
      entry(BABY, "domestic-abuse", "2026-10-01", "police"),
      entry(MOTHER, "domestic-abuse", "2026-10-05", "police"),
    ];
    const finding = evaluateRule(r, family(entries));
    assert.ok(finding);
    assert.deepEqual(
      finding.entries.map((e) => e.entryId),
      [entries[0]?.entryId, entries[1]?.entryId],
    );
  });
  it("does not fire on one incident recorded on two children, or on a report from another agency", () => {
    assert.equal(
      evaluateRule(
        r,
        family([
          entry(BABY, "police-call-out", "2026-10-01", "police"),
          entry(SISTER, "police-call-out", "2026-10-01", "police"),
        ]),
      ),
      undefined,
    );
    assert.equal(
      evaluateRule(
        r,
        family([
          entry(BABY, "police-call-out", "2026-10-01", "police"),
          entry(SISTER, "domestic-abuse", "2026-10-08", "health"),
        ]),
      ),
      undefined,
    );
  });
  it("does not fire when the first incident is more than 12 months ago", () => {
    assert.equal(
      evaluateRule(
        r,
        family([
          entry(BABY, "police-call-out", "2025-11-19", "police"),
          entry(SISTER, "police-call-out", "2026-10-01", "police"),
        ]),
      ),
      undefined,
    );
  });
});

describe("a new adult in the household and a drop in engagement", () => {
  const r = rule("new-adult-engagement");
  it("fires on a household change then two missed contacts", () => {
    const entries = [
      entry(MOTHER, "household-change", "2026-08-01", "health"),
      entry(BABY, "home-visit-not-seen", "2026-09-01"),
      entry(SISTER, "not-brought-health", "2026-10-01"),
    ];
    const finding = evaluateRule(r, family(entries));
    assert.ok(finding);
    assert.equal(finding.entries.length, 3);
  });
  it("does not fire on one missed contact, or on missed contacts before the change", () => {
    assert.equal(
      evaluateRule(
        r,
        family([
          entry(MOTHER, "household-change", "2026-08-01"),
          entry(BABY, "home-visit-not-seen", "2026-09-01"),
        ]),
      ),
      undefined,
    );
    assert.equal(
      evaluateRule(
        r,
        family([
          entry(BABY, "home-visit-not-seen", "2026-07-01"),
          entry(MOTHER, "household-change", "2026-08-01"),
          entry(BABY, "home-visit-not-seen", "2026-09-01"),
        ]),
      ),
      undefined,
    );
  });
});

describe("an unborn or under-1 with a sibling who was on a plan for neglect", () => {
  const r = rule("infant-sibling-plan");
  const plan = (code: string, on = "2021-05-01") =>
    entry(SISTER, "cp-plan-start", on, "childrens-social-care", { source: "social-care", code });
  it("fires for a baby (and an unborn child) whose sister had a plan for neglect, listing the plan", () => {
    const p = plan("NEG");
    const finding = evaluateRule(r, family([p]));
    assert.deepEqual(
      finding?.entries.map((e) => e.entryId),
      [p.entryId],
    );
    assert.ok(evaluateRule(r, family([p], { dateOfBirth: null, expectedDateOfBirth: "2027-02-01" })));
  });
  it("does not fire for a one-year-old, for a plan under another category, or for the baby's own plan", () => {
    assert.equal(evaluateRule(r, family([plan("NEG")], { dateOfBirth: "2025-11-20" })), undefined);
    assert.equal(evaluateRule(r, family([plan("EMO")])), undefined);
    const own = entry(BABY, "cp-plan-start", "2026-06-01", "childrens-social-care", {
      source: "social-care",
      code: "NEG",
    });
    assert.equal(evaluateRule(r, family([own])), undefined);
  });
});
