// SPDX-License-Identifier: MIT
/**
 * The CIN census return: every ported DfE rule with a failing and a passing fixture, the XML written in
 * the schema's order and valid against Hearth's XSD, read back unchanged, and malformed files refused.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CHILD_RULES, FILE_RULES, validateCinReturn } from "./cin-rules.ts";
import { buildCinXml, type CinChild, type CinReturn, parseCinXml, validateCinXml } from "./cin-xml.ts";
import { icpcTarget } from "./working-days.ts";

const header = {
  year: 2025,
  referenceDate: "2025-03-31",
  lea: "204",
  softwareCode: "Hearth",
  release: "0.1.0",
  serialNo: "001",
  dateTime: "2025-04-02T10:00:00",
};

/** A child whose return passes every rule. */
const validChild = (): CinChild => ({
  laChildId: "HC0001",
  upn: null,
  formerUpn: null,
  upnUnknown: null,
  birthDate: "2016-02-10",
  expectedBirthDate: null,
  sex: "F",
  deathDate: null,
  ethnicity: "WBRI",
  disabilities: ["NONE"],
  episodes: [
    {
      referralDate: "2024-05-01",
      source: "2A",
      primaryNeed: "N1",
      closureDate: null,
      closureReason: null,
      episodeIcpc: null,
      assessments: [
        { start: "2024-05-02", internalReview: null, authorised: "2024-06-20", factors: ["16A", "4B"] },
      ],
      cinPlans: [],
      section47s: [
        { start: "2024-05-03", target: icpcTarget("2024-05-03"), icpc: "2024-05-20", notRequired: false },
      ],
      nfa: false,
      cpPlans: [
        {
          start: "2024-05-20",
          end: null,
          initialCategory: "NEG",
          latestCategory: "NEG",
          previousPlans: 0,
          reviews: ["2024-08-15"],
        },
      ],
    },
  ],
});

type Mutate = (c: CinChild) => void;
const episode = (c: CinChild) => {
  const e = c.episodes[0];
  assert.ok(e);
  return e;
};
const first = <T>(list: T[]): T => {
  const item = list[0];
  assert.ok(item);
  return item;
};

/** For each rule: a change to the valid child that makes it fail. */
const FAILING: Record<string, Mutate> = {
  "8610": (c) => {
    episode(c).primaryNeed = null;
  },
  "8620": (c) => Object.assign(episode(c), { closureDate: "2025-04-02", closureReason: "RC7" }),
  "8630": (c) => Object.assign(episode(c), { closureDate: "2024-04-20", closureReason: "RC7" }),
  "8640": (c) => Object.assign(episode(c), { closureDate: "2024-09-01", closureReason: null }),
  "4000": (c) => {
    episode(c).nfa = true;
  },
  "1103": (c) => {
    first(episode(c).assessments).start = "2024-04-20";
  },
  "8614": (c) => {
    first(episode(c).assessments).authorised = null;
  },
  "8670Q": (c) => Object.assign(first(episode(c).assessments), { authorised: null, factors: [] }),
  "8869": (c) => {
    first(episode(c).assessments).factors = ["21", "16A"];
  },
  "8873Q": (c) => {
    first(episode(c).assessments).factors = ["21"];
    Object.assign(episode(c), { closureDate: "2024-07-01", closureReason: "RC7" });
  },
  "8897Q": (c) => {
    first(episode(c).assessments).factors = [];
  },
  "8898": (c) => {
    first(episode(c).assessments).factors = ["16A", "16A"];
  },
  "8945Q": (c) => {
    first(episode(c).assessments).factors = ["18A"];
  },
  "8950Q": (c) => {
    first(episode(c).assessments).factors = ["19A"];
  },
  "4001": (c) => {
    episode(c).cpPlans = [];
    episode(c).cinPlans = [
      { start: "2024-06-01", end: null },
      { start: "2024-07-01", end: "2024-08-01" },
    ];
  },
  "4014": (c) => {
    episode(c).cinPlans = [{ start: "2024-06-01", end: null }];
  },
  "4015": (c) => {
    episode(c).cinPlans = [{ start: "2024-06-01", end: "2024-05-25" }];
  },
  "1104": (c) => {
    first(episode(c).section47s).start = "2024-04-20";
  },
  "2884": (c) => {
    episode(c).episodeIcpc = "2024-05-20";
  },
  "8675Q": (c) => {
    first(episode(c).section47s).icpc = null;
  },
  "8870Q": (c) => {
    first(episode(c).section47s).target = "2024-05-25";
  },
  "8875": (c) => {
    first(episode(c).section47s).icpc = "2024-05-18";
  },
  "8839": (c) => {
    first(episode(c).section47s).notRequired = true;
  },
  "2885": (c) => {
    first(episode(c).cpPlans).start = "2024-05-21";
  },
  "8832": (c) => {
    episode(c).nfa = true;
  },
  "8840": (c) => {
    first(episode(c).cpPlans).end = "2024-05-10";
  },
  "8925": (c) => {
    first(episode(c).cpPlans).end = "2024-05-20";
  },
  "8905": (c) => {
    first(episode(c).cpPlans).initialCategory = "XXX";
  },
  "8910": (c) => {
    first(episode(c).cpPlans).latestCategory = "XXX";
  },
  "8730": (c) => {
    first(episode(c).cpPlans).previousPlans = -1;
  },
  "8935": (c) => {
    c.episodes.push({ ...structuredClone(episode(c)), referralDate: "2024-10-01" });
  },
  "8940": (c) => {
    first(episode(c).cpPlans).end = "2024-12-01";
    episode(c).cpPlans.push({
      ...structuredClone(first(episode(c).cpPlans)),
      start: "2024-11-01",
      end: "2025-01-10",
    });
  },
  "8841": (c) => {
    first(episode(c).cpPlans).reviews = ["2024-05-20"];
  },
};

describe("the ported DfE rules", () => {
  it("have a failing fixture for every rule", () => {
    assert.deepEqual(
      CHILD_RULES.map((r) => r.code).filter((code) => !FAILING[code]),
      [],
    );
  });

  for (const rule of CHILD_RULES) {
    it(`${rule.code}: ${rule.description}`, () => {
      const ctx = { year: 2025, referenceDate: "2025-03-31", collectionStart: "2024-04-01" };
      assert.deepEqual(rule.check(validChild(), ctx), [], "passes on the valid child");
      const failing = validChild();
      FAILING[rule.code]?.(failing);
      assert.ok(rule.check(failing, ctx).length > 0, "fails on its fixture");
    });
  }

  it("100: the reference date is 31 March of the year", () => {
    const rule = FILE_RULES.find((r) => r.code === "100");
    assert.deepEqual(rule?.check({ header, children: [] }), []);
    assert.equal(rule?.check({ header: { ...header, referenceDate: "2025-03-30" }, children: [] }).length, 1);
  });

  it("2883: no more plans start than conferences are held (whole return)", () => {
    const rule = FILE_RULES.find((r) => r.code === "2883");
    assert.deepEqual(rule?.check({ header, children: [validChild()] }), []);
    const child = validChild();
    first(episode(child).section47s).icpc = null;
    assert.equal(rule?.check({ header, children: [child] }).length, 1);
  });

  it("reports findings per child with the rule code, and a valid return has none", () => {
    assert.deepEqual(validateCinReturn({ header, children: [validChild()] }), []);
    const bad = validChild();
    bad.laChildId = "HC0002";
    FAILING["8875"]?.(bad);
    const findings = validateCinReturn({ header, children: [validChild(), bad] });
    assert.ok(findings.some((f) => f.code === "8875" && f.laChildId === "HC0002" && !f.query));
  });
});

describe("the XML", () => {
  const data: CinReturn = { header, children: [validChild()] };

  it("is written in the schema's element order with 0/1 booleans and passes the XSD", async () => {
    const xml = buildCinXml(data);
    assert.ok(xml.indexOf("<Section47>") < xml.indexOf("<ReferralNFA>"));
    assert.ok(xml.indexOf("<ReferralNFA>0</ReferralNFA>") < xml.indexOf("<ChildProtectionPlans>"));
    assert.match(xml, /<ICPCnotRequired>0<\/ICPCnotRequired>/);
    assert.match(xml, /<Sex>F<\/Sex>/);
    assert.deepEqual(await validateCinXml(xml), []);
  });

  it("reads back to the same data", () => {
    assert.deepEqual(parseCinXml(buildCinXml(data)), data);
  });

  it("refuses a file with elements out of order, a bad code or no closing tag", async () => {
    const xml = buildCinXml(data);
    const swapped = xml
      .replace(/(\s*<ReferralNFA>0<\/ReferralNFA>)/, "")
      .replace("<Section47>", "<ReferralNFA>0</ReferralNFA><Section47>");
    assert.ok((await validateCinXml(swapped)).length > 0);
    assert.ok((await validateCinXml(xml.replace("<Sex>F</Sex>", "<Sex>2</Sex>"))).length > 0);
    assert.ok((await validateCinXml(xml.replace("</Message>", ""))).length > 0);
  });
});
