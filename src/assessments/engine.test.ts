// SPDX-License-Identifier: MIT
/**
 * The engine's pure rules: every aggregation method, applicability by age band, level-rule explanations,
 * and the no-improvement and relapse flags on constructed histories. Tool files: malformed ones are
 * refused with the path and the problem; the repository's own tools are valid.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ageBandOn,
  aggregate,
  applicableTool,
  canonicalNodeIds,
  computeResults,
  domainTrend,
  severity,
  suggestLevel,
} from "./engine.ts";
import { repositoryTools } from "./tool-library.ts";
import { parseToolYaml, type Scale, type ToolContent } from "./tool-schema.ts";

const grade5: Scale = {
  id: "g",
  type: "ordinal",
  label: undefined,
  direction: "higher_worse",
  min: 1,
  max: 5,
  step: 1,
  specials: ["not_known"],
  points: [1, 2, 3, 4, 5].map((value) => ({
    value,
    label: String(value),
    plain: String(value),
    colour: undefined,
    meaning: value <= 2 ? "needs_met" : value === 3 ? "partly" : value === 4 ? "unmet" : "serious",
  })),
};
const safety10: Scale = { ...grade5, id: "s", direction: "higher_better", min: 0, max: 10, points: [] };

const profile = (): ToolContent => {
  const tool = repositoryTools().find((t) => t.content.id === "hearth-child-needs-profile");
  assert.ok(tool);
  return tool.content;
};

describe("aggregation", () => {
  it("worst takes the value furthest from needs met, on either direction of scale", () => {
    assert.equal(aggregate("worst", [1, 4, 2], grade5).value, 4);
    assert.equal(
      aggregate("worst", [7, 3, 9], {
        ...safety10,
        points: [3, 7, 9].map((value) => ({ ...grade5.points[0], value })),
      } as Scale).value,
      3,
    );
  });
  it("median takes the middle, and the worse middle of an even count", () => {
    assert.equal(aggregate("median", [1, 5, 3], grade5).value, 3);
    assert.equal(aggregate("median", [1, 2, 4, 5], grade5).value, 4);
  });
  it("mean rounds to the nearest point, a tie going to the worse point", () => {
    assert.equal(aggregate("mean", [1, 2, 2], grade5).value, 2);
    assert.equal(aggregate("mean", [2, 3], grade5).value, 3);
  });
  it("count at or worse counts the values at or beyond the threshold", () => {
    const counted = aggregate("count_at_or_worse", [1, 3, 4, 5], grade5, { atOrWorse: 4 });
    assert.deepEqual([counted.value, counted.kind], [2, "count"]);
  });
  it("gives no value, with a reason, below the answers needed", () => {
    assert.equal(aggregate("worst", [], grade5).note, "No item is answered yet");
    assert.match(aggregate("worst", [3], grade5, { minAnswered: 2 }).note ?? "", /Only 1 of the 2/);
  });
  it("measures severity the same way for both directions", () => {
    assert.equal(severity(grade5, 5), 1);
    assert.equal(severity(safety10, 10), 0);
    assert.equal(severity(safety10, 0), 1);
  });
});

describe("applicability by age band", () => {
  it("places a child in the band for the assessment's date", () => {
    assert.equal(ageBandOn(null, "2026-01-01"), "antenatal");
    assert.equal(ageBandOn("2026-05-01", "2026-01-01"), "antenatal");
    assert.equal(ageBandOn("2024-01-02", "2026-01-01"), "0-2");
    assert.equal(ageBandOn("2022-01-01", "2026-01-01"), "3-5");
    assert.equal(ageBandOn("2021-06-01", "2026-01-01"), "3-5");
    assert.equal(ageBandOn("2019-01-01", "2026-01-01"), "6-11");
    assert.equal(ageBandOn("2010-01-01", "2026-01-01"), "12-17");
  });
  it("asks about teeth and attendance from age 3, not of a baby", () => {
    const tool = profile();
    const itemsFor = (band: Parameters<typeof applicableTool>[1]) =>
      applicableTool(tool, band, {}).flatMap((s) => s.domains.flatMap((d) => d.items.map((i) => i.id)));
    assert.ok(!itemsFor("0-2").includes("teeth"));
    assert.ok(!itemsFor("0-2").includes("attendance"));
    assert.ok(itemsFor("3-5").includes("teeth"));
    assert.ok(itemsFor("12-17").includes("attendance"));
  });
  it("shows an item only when the item it depends on is flagged", () => {
    const tool = profile();
    const withDependant: ToolContent = structuredClone(tool);
    const domain = withDependant.sections[0]?.domains[0];
    assert.ok(domain);
    domain.items.push({
      id: "follow-up",
      title: "Follow-up",
      scale: "grade5",
      show_when: { item: "hygiene", at_or_worse: "unmet" },
    });
    const has = (answers: Parameters<typeof applicableTool>[2]) =>
      applicableTool(withDependant, "3-5", answers).some((s) =>
        s.domains.some((d) => d.items.some((i) => i.id === "follow-up")),
      );
    assert.equal(has({}), false);
    assert.equal(has({ hygiene: { value: 2, special: null } }), false);
    assert.equal(has({ hygiene: { value: 4, special: null } }), true);
  });
});

describe("level rules", () => {
  it("suggest the highest level among the rules that fired, and say why in words", () => {
    const tool = profile();
    const answers = Object.fromEntries(
      tool.sections.flatMap((s) =>
        s.domains.flatMap((d) => d.items.map((i) => [i.id, { value: 2, special: null }])),
      ),
    );
    const judgements = Object.fromEntries(
      tool.sections.flatMap((s) => s.domains.map((d) => [d.id, { value: 2, reason: null }])),
    );
    const calm = suggestLevel(tool, computeResults(tool, "3-5", answers, judgements));
    assert.equal(calm.level?.code, "universal");
    assert.equal(calm.byDefault, true);

    judgements["supervision-safety"] = { value: 4, reason: null };
    judgements.nutrition = { value: 3, reason: null };
    const worried = suggestLevel(tool, computeResults(tool, "3-5", answers, judgements));
    assert.equal(worried.level?.code, "targeted");
    assert.deepEqual(
      worried.fired.map((f) => f.ruleId),
      ["supervision-unmet", "one-unmet", "some-partly"],
    );
    const supervision = worried.fired.find((f) => f.ruleId === "supervision-unmet");
    assert.deepEqual(supervision?.matched, [
      "Supervision and safety: Needs mostly unmet (4: Needs often not met)",
    ]);
    assert.match(supervision?.because ?? "", /not kept safe/);

    const stuck = suggestLevel(
      tool,
      computeResults(tool, "3-5", answers, judgements),
      new Set(["no_improvement"]),
    );
    assert.equal(stuck.level?.code, "specialist");
    assert.ok(
      stuck.fired.some(
        (f) => f.ruleId === "stuck-and-unmet" && f.matched.includes("No improvement over the reviews"),
      ),
    );
  });
  it("count items across a checklist for a different shape of tool", () => {
    const rag = repositoryTools().find((t) => t.content.id === "home-conditions-rag")?.content;
    assert.ok(rag);
    const results = computeResults(
      rag,
      "6-11",
      {
        kitchen: { value: 1, special: null },
        bathroom: { value: 3, special: null },
        sleeping: { value: null, special: "not_known" },
        heating: { value: 2, special: null },
        medicines: { value: 2, special: null },
        animals: { value: null, special: "not_applicable" },
      },
      {},
    );
    assert.deepEqual(results.unanswered, [], "stairs and windows are not asked for a child of 6 to 11");
    assert.equal(results.domains.find((d) => d.domainId === "rooms")?.value, 3);
    assert.deepEqual(
      [
        results.domains.find((d) => d.domainId === "hazards")?.value,
        results.domains.find((d) => d.domainId === "hazards")?.kind,
      ],
      [1, "count"],
    );
    const level = suggestLevel(rag, results);
    assert.equal(level.level?.code, "urgent");
    assert.deepEqual(level.fired[0]?.matched, [
      "Bathroom: working toilet, hot water and somewhere to wash: Red",
    ]);
  });
});

describe("change over time", () => {
  const readings = (...values: number[]) =>
    values.map((value, i) => ({ date: `2025-${String(i * 3 + 1).padStart(2, "0")}-01`, value }));
  it("measures distance travelled since the baseline", () => {
    const trend = domainTrend(readings(4, 3, 2), grade5);
    assert.equal(trend.change, -2);
    assert.equal(trend.direction, "better");
    assert.equal(trend.improvement, 0.5);
    assert.equal(trend.weeksElapsed, 26);
    assert.equal(trend.noImprovement, false);
    assert.equal(trend.relapse, undefined);
  });
  it("flags no improvement after N reviews", () => {
    assert.equal(domainTrend(readings(4, 4, 4), grade5, 2).noImprovement, true);
    assert.equal(domainTrend(readings(4, 4), grade5, 2).noImprovement, false, "not enough reviews yet");
    assert.equal(domainTrend(readings(4, 3, 4), grade5, 2).noImprovement, true);
    assert.equal(domainTrend(readings(4, 4, 3), grade5, 2).noImprovement, false);
    assert.equal(
      domainTrend(readings(1, 1, 1), grade5, 2).noImprovement,
      false,
      "needs met: nothing to improve",
    );
  });
  it("flags improvement followed by relapse, on either direction of scale", () => {
    const relapse = domainTrend(readings(4, 2, 4), grade5);
    assert.deepEqual(relapse.relapse, { improvedOn: "2025-04-01", relapsedOn: "2025-07-01" });
    assert.equal(domainTrend(readings(4, 3, 2), grade5).relapse, undefined);
    assert.equal(domainTrend(readings(2, 4, 5), grade5).relapse, undefined, "getting worse is not a relapse");
    assert.ok(domainTrend(readings(3, 8, 4), safety10).relapse);
  });
  it("lines up renamed nodes across versions through the equivalence maps", () => {
    const canonical = canonicalNodeIds([
      { equivalence: {} },
      { equivalence: { food: "nutrition" } },
      { equivalence: { nutrition: "eating" } },
    ]);
    assert.equal(canonical(0, "food"), "eating");
    assert.equal(canonical(1, "nutrition"), "eating");
    assert.equal(canonical(2, "eating"), "eating");
    assert.equal(canonical(0, "warmth"), "warmth");
  });
});

describe("tool files", () => {
  it("the repository's tools are valid", () => {
    assert.deepEqual(
      repositoryTools()
        .map((t) => t.content.id)
        .sort(),
      ["hearth-child-needs-profile", "hearth-family-screen", "hearth-neglect-screen", "home-conditions-rag"],
    );
  });
  it("refuses an unknown scale, naming the line and the path in the file", () => {
    const text = repositoryTools()
      .find((t) => t.content.id === "hearth-child-needs-profile")
      ?.text.replace(
        "id: teeth\n            title: Teeth and dental care\n            plain: Cleaning teeth and seeing a dentist\n            scale: grade5",
        "id: teeth\n            title: Teeth and dental care\n            plain: Cleaning teeth and seeing a dentist\n            scale: s7",
      );
    const parsed = parseToolYaml(text ?? "");
    assert.equal(parsed.ok, false);
    assert.ok(
      !parsed.ok &&
        parsed.errors.includes(
          `line ${(text ?? "").split("\n").indexOf("            scale: s7") + 1}: sections[0].domains[2].items[2].scale: unknown scale "s7"`,
        ),
      JSON.stringify(parsed),
    );
  });
  it("refuses bad YAML with its line, bad types with their path, and broken references", () => {
    const syntax = parseToolYaml("id: x\nname: [unclosed\n");
    assert.ok(!syntax.ok && /^line \d+, column \d+/.test(syntax.errors[0] ?? ""));
    const minimal = (extra: string) =>
      `id: t\nname: T\nversion: 1.0.0\nowner: O\npurpose: P\ntier: screen\nlicence: {kind: own}\nscales:\n  - {id: s, type: rag, direction: higher_worse, points: [{value: 1, label: G, meaning: needs_met}, {value: 2, label: R, meaning: serious}]}\nsections:\n  - id: a\n    title: A\n    domains:\n      - id: d\n        title: D\n        items:\n          - {id: i, title: I, scale: s}\nlevels: [{code: l1, name: L1}]\n${extra}`;
    assert.ok(parseToolYaml(minimal("")).ok);
    const typo = parseToolYaml(minimal("").replace("tier: screen", "tier: deep"));
    assert.ok(!typo.ok && typo.errors.some((e) => e.startsWith("line 6: tier:")));
    const rule = parseToolYaml(
      minimal("level_rules: [{id: r, when: {domains_at_or_worse: serious}, suggest: l9, because: B}]"),
    );
    assert.ok(!rule.ok && rule.errors.includes('line 19: level_rules[0].suggest: unknown level "l9"'));
    const descriptor = parseToolYaml(
      minimal("").replace(
        "{id: i, title: I, scale: s}",
        '{id: i, title: I, scale: s, descriptors: {all: {"7": x}}}',
      ),
    );
    assert.ok(
      !descriptor.ok &&
        descriptor.errors[0]?.startsWith("line 17: sections[0].domains[0].items[0].descriptors.all.7:"),
    );
    const licensed = parseToolYaml(minimal("").replace("{kind: own}", "{kind: licensed_third_party}"));
    assert.ok(!licensed.ok && licensed.errors.some((e) => e.startsWith("line 7: licence.attribution:")));
    const duplicate = parseToolYaml(
      minimal("").replace("{id: i, title: I, scale: s}", "{id: d, title: I, scale: s}"),
    );
    assert.ok(
      !duplicate.ok &&
        duplicate.errors.some((e) => e.includes('"d" is already used at sections[0].domains[0]')),
    );
  });
});

describe("advice only from answered areas", () => {
  const screen = (): ToolContent => {
    const tool = repositoryTools().find((t) => t.content.id === "hearth-neglect-screen");
    assert.ok(tool);
    return tool.content;
  };
  const areas = [
    "s-physical-signs",
    "s-nutrition-signs",
    "s-health-signs",
    "s-education-signs",
    "s-emotional-signs",
    "s-supervision-signs",
  ];
  const answered = (values: (number | "not_known")[]) =>
    Object.fromEntries(
      values.map((value, i) => [
        areas[i] ?? "",
        value === "not_known" ? { value: null, special: "not_known" as const } : { value, special: null },
      ]),
    );

  it("gives no advice on an unstarted screen, and says how many areas must be answered", () => {
    const tool = screen();
    const suggestion = suggestLevel(tool, computeResults(tool, "3-5", {}, {}));
    assert.equal(suggestion.level, undefined);
    assert.deepEqual(suggestion.fired, []);
    assert.equal(suggestion.byDefault, false);
    assert.deepEqual(suggestion.readiness, { answered: 0, needed: 6, total: 6, ready: false });
    assert.equal(
      suggestion.waiting,
      "No level of need is suggested until all 6 areas are answered: 0 are answered so far.",
    );
  });

  it("gives no advice while fewer areas than the tool's minimum are answered, even a worrying one", () => {
    const tool = screen();
    const partial = suggestLevel(tool, computeResults(tool, "3-5", answered([3, 1, 1]), {}));
    assert.equal(partial.level, undefined);
    assert.deepEqual(partial.fired, []);
    assert.match(partial.waiting ?? "", /all 6 areas are answered: 3 are answered so far/);

    // A tool may ask for fewer: here four areas, so three are still too few and four are enough.
    const four = { ...tool, advise_after: 4 };
    assert.equal(suggestLevel(four, computeResults(four, "3-5", answered([1, 1, 1]), {})).level, undefined);
    assert.match(
      suggestLevel(four, computeResults(four, "3-5", answered([1, 1, 1]), {})).waiting ?? "",
      /until 4 of the 6 areas are answered: 3 are answered so far/,
    );
    const enough = suggestLevel(four, computeResults(four, "3-5", answered([1, 1, 1, 2]), {}));
    assert.equal(enough.level?.code, "watch");
    assert.deepEqual(enough.fired[0]?.matched, [
      "Education and stimulation: Needs partly met (Some concern)",
    ]);
  });

  it("counts an area marked not known as answered, but never as a concern", () => {
    const tool = screen();
    const suggestion = suggestLevel(
      tool,
      computeResults(tool, "3-5", answered(["not_known", 1, 1, 1, 1, 1]), {}),
    );
    assert.equal(suggestion.readiness?.ready, true);
    assert.equal(suggestion.level?.code, "no-action");
    assert.equal(suggestion.byDefault, true);
  });

  it("states which answers fired which rule, with counts that equal the areas that fired", () => {
    const tool = screen();
    const five = suggestLevel(tool, computeResults(tool, "3-5", answered([2, 2, 2, 2, 2, 1]), {}));
    assert.equal(five.level?.code, "full-assessment");
    assert.deepEqual(
      five.fired.map((f) => [f.ruleId, f.decisive]),
      [
        ["several-some", true],
        ["one-some", false],
      ],
    );
    for (const rule of five.fired) {
      assert.equal(rule.matched.length, 5, rule.ruleId);
      assert.doesNotMatch(rule.because, /^One area/);
    }
    assert.deepEqual(five.fired[0]?.counts, [
      "5 areas at Needs partly met or worse (the rule needs at least 2)",
    ]);
    assert.deepEqual(five.fired[1]?.counts, [
      "5 areas at Needs partly met or worse (the rule needs at least 1)",
    ]);
    assert.ok(!five.fired[0]?.matched.some((m) => m.startsWith("Supervision")), "a calm area never fires");

    const one = suggestLevel(tool, computeResults(tool, "3-5", answered([1, 1, 1, 1, 1, 3]), {}));
    assert.deepEqual(
      one.fired.map((f) => [f.ruleId, f.counts, f.matched]),
      [
        [
          "any-significant",
          ["1 area at Needs mostly unmet or worse (the rule needs at least 1)"],
          ["Supervision and safety: Needs mostly unmet (Significant concern)"],
        ],
        [
          "one-some",
          ["1 area at Needs partly met or worse (the rule needs at least 1)"],
          ["Supervision and safety: Needs mostly unmet (Significant concern)"],
        ],
      ],
    );
  });
});
