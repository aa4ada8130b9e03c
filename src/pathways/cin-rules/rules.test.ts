// SPDX-License-Identifier: MIT
/**
 * Every ported DfE CIN census rule (2024-25) with a passing and a failing child-level example, named by its
 * DfE code; the list of the 109 codes; and the seven mistakes a return can make that DfE refuses.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CIN_HEADER, validCinChild } from "../../test-support/cin-return.ts";
import type { CinChild, CinEpisode, CinReturn } from "../cin-xml.ts";
import { CIN_RULES, upnCheckLetter, validateCinReturn } from "./index.ts";

const DFE_2024_25_CODES =
  `100 1103 1104 1105 1510 1520 1530 1540 1550 1560Q 1570 1580 2883 2884 2885 2886Q 2887Q 2888Q 2889
2990 2991Q 4000 4001 4003 4004 4008 4009Q 4010 4011 4012Q 4013 4014 4015 4016 4017 4180 4220 8500 8510 8520 8525Q
8530Q 8535Q 8540 8545Q 8555Q 8565 8568 8569Q 8585Q 8590 8600 8606 8608 8610 8614 8615 8617 8620 8630 8640 8650
8670Q 8675Q 8696 8715 8720 8730 8736 8740 8750 8770Q 8772 8775Q 8790 8794 8805 8810 8815 8816 8820 8825Q 8831
8832 8839 8840 8841 8842Q 8863Q 8866 8867 8868 8869 8870Q 8873Q 8875 8890 8896 8897Q 8898 8905 8910 8920 8925
8930 8935 8940 8945Q 8950Q`.split(/\s+/);

const header = CIN_HEADER;
const upnDigits = "204123456781";
const UPN = `${upnCheckLetter(`X${upnDigits}`)}${upnDigits}`;

/** A child whose return passes every rule, with a UPN. */
const validChild = (): CinChild => ({ ...validCinChild(), upn: UPN });
const validReturn = (): CinReturn => ({ header: { ...header }, children: [validChild()] });

type Mutate = (d: CinReturn) => void;
const ch = (d: CinReturn) => d.children[0] as CinChild;
const ep = (d: CinReturn) => ch(d).episodes[0] as CinEpisode;
const set =
  <T extends object>(pick: (d: CinReturn) => T, values: Partial<T>): Mutate =>
  (d) => {
    Object.assign(pick(d), values);
  };
const kid = (values: Partial<CinChild>) => set(ch, values);
const episode = (values: Partial<CinEpisode>) => set(ep, values);
const assessment = (values: object) => set((d) => ep(d).assessments[0] as object, values);
const s47 = (values: object) => set((d) => ep(d).section47s[0] as object, values);
const cpp = (values: object) => set((d) => ep(d).cpPlans[0] as object, values);
const all =
  (...fns: Mutate[]): Mutate =>
  (d) => {
    for (const fn of fns) fn(d);
  };
const secondEpisode =
  (values: Partial<CinEpisode>): Mutate =>
  (d) => {
    ch(d).episodes.push({ ...structuredClone(ep(d)), ...values });
  };
const closed = episode({ closureDate: "2024-09-01", closureReason: "RC1" });

/** For each DfE code: the change that makes the valid return fail it (and, where needed, pass it). */
const CASES: Record<string, { fail: Mutate; pass?: Mutate }> = {
  "100": { fail: (d) => Object.assign(d.header, { referenceDate: "2025-03-30" }) },
  "1510": { fail: kid({ upn: `${UPN.startsWith("A") ? "B" : "A"}${upnDigits}` }) },
  "1520": { fail: (d) => d.children.push({ ...validChild(), laChildId: "HC0002" }) },
  "1530": { fail: kid({ upn: "A999123456781" }) },
  "1540": { fail: kid({ upn: "A2041234X6781" }) },
  "1550": { fail: kid({ upn: "A20412345678I" }) },
  "1560Q": { fail: kid({ formerUpn: "X12" }), pass: kid({ formerUpn: "X987654321231" }) },
  "1570": { fail: kid({ laChildId: "A".repeat(21) }) },
  "1580": { fail: kid({ laChildId: "HC-0001" }) },
  "2886Q": { fail: kid({ sex: "U" }) },
  "4180": { fail: kid({ sex: "X" }) },
  "8500": { fail: kid({ laChildId: "" }) },
  "8510": { fail: (d) => d.children.push({ ...validChild(), upn: null }) },
  "8520": { fail: kid({ birthDate: "2025-04-10" }) },
  "8525Q": { fail: kid({ expectedBirthDate: "2025-05-01" }) },
  "8530Q": {
    fail: kid({ birthDate: null, expectedBirthDate: "2026-06-01", sex: "U" }),
    pass: kid({ birthDate: null, expectedBirthDate: "2025-06-01", sex: "U" }),
  },
  "8535Q": { fail: kid({ deathDate: "2015-01-01" }) },
  "8545Q": { fail: kid({ deathDate: "2024-01-01" }), pass: kid({ deathDate: "2025-01-01" }) },
  "8750": { fail: kid({ birthDate: null, expectedBirthDate: "2025-05-01", sex: "F" }) },
  "8770Q": { fail: kid({ upn: null }), pass: kid({ upn: null, upnUnknown: "UN2" }) },
  "8772": { fail: kid({ upnUnknown: "UN7" }) },
  "8775Q": { fail: kid({ birthDate: "1995-01-01" }) },
  "4008": {
    fail: all(kid({ deathDate: "2024-12-01" }), episode({ cinPlans: [{ start: "2025-01-01", end: null }] })),
  },
  "4009Q": {
    fail: all(
      kid({ deathDate: "2024-12-01" }),
      episode({ cinPlans: [{ start: "2024-06-01", end: "2025-01-01" }] }),
    ),
  },
  "8590": { fail: kid({ episodes: [] }) },
  "4220": { fail: kid({ ethnicity: "XXXX" }) },
  "2887Q": {
    fail: () => {},
    pass: kid({ disabilities: ["MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS"] }),
  },
  "2888Q": { fail: () => {}, pass: kid({ disabilities: ["MOB", "HAND"] }) },
  "8540": { fail: kid({ disabilities: ["XYZ"] }) },
  "8790": { fail: kid({ disabilities: ["NONE", "MOB"] }) },
  "8794": { fail: kid({ disabilities: ["MOB", "MOB"] }) },
  "2990": { fail: episode({ closureDate: "2024-09-01", closureReason: "RC8" }) },
  "2991Q": { fail: episode({ assessments: [] }) },
  "8555Q": { fail: kid({ deathDate: "2024-04-20" }) },
  "8565": { fail: episode({ closureDate: "2024-05-10", closureReason: "RC1" }) },
  "8568": { fail: episode({ nfa: "yes" as unknown as boolean }) },
  "8569Q": {
    fail: episode({ referralDate: "2024-03-01", nfa: true }),
    pass: episode({ referralDate: "2024-03-29", nfa: true }),
  },
  "8585Q": { fail: episode({ closureDate: "2024-09-01", closureReason: "RC2" }) },
  "8600": { fail: episode({ referralDate: "2025-04-05" }) },
  "8606": { fail: kid({ birthDate: "2025-03-01" }) },
  "8610": { fail: episode({ primaryNeed: null }) },
  "8620": { fail: episode({ closureDate: "2025-04-02", closureReason: "RC7" }) },
  "8630": { fail: episode({ closureDate: "2024-04-20", closureReason: "RC7" }) },
  "8640": { fail: episode({ closureDate: "2024-09-01", closureReason: "RC99" }) },
  "8650": { fail: episode({ primaryNeed: "N10" }) },
  "8805": { fail: episode({ closureDate: "2024-09-01", closureReason: null }) },
  "8810": { fail: episode({ closureReason: "RC1" }) },
  "8815": { fail: secondEpisode({ referralDate: "2024-10-01" }) },
  "8816": {
    fail: secondEpisode({ referralDate: "2024-10-01", closureDate: "2024-11-01", closureReason: "RC1" }),
  },
  "8820": {
    fail: secondEpisode({ referralDate: "2024-10-01", closureDate: "2024-11-01", closureReason: "RC1" }),
  },
  "8825Q": { fail: episode({ closureDate: "2024-09-01", closureReason: "RC9", assessments: [] }) },
  "8831": { fail: episode({ nfa: true }) },
  "8866": { fail: episode({ source: "ZZ" }) },
  "8867": { fail: all(closed, assessment({ authorised: null, factors: [] })) },
  "8868": { fail: all(closed, s47({ icpc: null })) },
  "1103": { fail: assessment({ start: "2024-04-20" }) },
  "8608": { fail: assessment({ authorised: "2024-05-01" }) },
  "8614": { fail: assessment({ authorised: null }) },
  "8617": { fail: assessment({ factors: ["8A"] }) },
  "8670Q": { fail: assessment({ authorised: null, factors: [] }) },
  "8696": { fail: assessment({ authorised: "2025-04-10" }) },
  "8736": {
    fail: all(
      episode({ referralDate: "2024-01-01" }),
      assessment({ start: "2024-01-10", authorised: null, factors: [] }),
    ),
  },
  "8863Q": {
    fail: (d) =>
      ep(d).assessments.push({
        start: "2024-05-10",
        internalReview: null,
        authorised: "2024-06-01",
        factors: ["4B"],
      }),
  },
  "8869": { fail: assessment({ factors: ["21", "16A"] }) },
  "8873Q": {
    fail: all(assessment({ factors: ["21"] }), episode({ closureDate: "2024-07-01", closureReason: "RC7" })),
  },
  "8896": {
    fail: (d) => {
      ep(d).assessments = [
        { start: "2024-05-02", internalReview: null, authorised: null, factors: [] },
        { start: "2024-06-02", internalReview: null, authorised: null, factors: [] },
      ];
    },
  },
  "8897Q": { fail: assessment({ factors: [] }) },
  "8898": { fail: assessment({ factors: ["16A", "16A"] }) },
  "8945Q": { fail: assessment({ factors: ["18A"] }) },
  "8950Q": { fail: assessment({ factors: ["19A"] }) },
  "4000": { fail: episode({ nfa: true, cinPlans: [{ start: "2024-06-01", end: null }] }) },
  "4001": { fail: episode({ cinPlans: [{ start: "2024-06-01", end: null }] }) },
  "4003": { fail: episode({ cinPlans: [{ start: "2024-08-01", end: "2024-09-01" }] }) },
  "4004": {
    fail: episode({
      cpPlans: [],
      cinPlans: [
        { start: "2024-06-01", end: null },
        { start: "2024-07-01", end: null },
      ],
    }),
  },
  "4010": { fail: episode({ cinPlans: [{ start: "2025-04-05", end: null }] }) },
  "4011": { fail: episode({ cinPlans: [{ start: "2024-06-01", end: "2024-05-25" }] }) },
  "4012Q": { fail: episode({ cinPlans: [{ start: "2024-06-01", end: "2024-06-01" }] }) },
  "4013": { fail: episode({ cinPlans: [{ start: "2024-06-01", end: "2025-04-05" }] }) },
  "4014": {
    fail: episode({
      cpPlans: [],
      cinPlans: [
        { start: "2024-06-01", end: "2024-09-01" },
        { start: "2024-07-01", end: "2024-08-01" },
      ],
    }),
  },
  "4015": { fail: episode({ cinPlans: [{ start: "2024-04-20", end: "2024-04-25" }] }) },
  "4016": { fail: episode({ cinPlans: [{ start: "2024-06-01", end: "2024-07-01" }] }) },
  "4017": { fail: episode({ cinPlans: [{ start: "2024-05-10", end: "2024-12-01" }] }) },
  "1104": { fail: s47({ icpc: "2024-04-22" }) },
  "2884": { fail: episode({ episodeIcpc: "2024-05-20" }) },
  "2889": { fail: s47({ start: "2024-04-20" }) },
  "8615": { fail: s47({ start: "2024-05-25" }) },
  "8675Q": { fail: s47({ icpc: null }) },
  "8715": { fail: s47({ icpc: "2025-04-07" }) },
  "8740": {
    fail: s47({ start: "2024-03-01", icpc: null }),
    pass: s47({ start: "2024-03-01", icpc: null, notRequired: true }),
  },
  "8839": {
    fail: (d) => {
      ep(d).section47s = [
        { start: "2024-05-03", target: null, icpc: null, notRequired: false },
        { start: "2024-06-03", target: null, icpc: null, notRequired: false },
      ];
    },
  },
  "8870Q": { fail: s47({ target: "2024-05-25" }) },
  "8875": { fail: s47({ icpc: "2024-05-18" }) },
  "8890": {
    fail: (d) =>
      ep(d).section47s.push({ start: "2024-05-10", target: null, icpc: "2024-05-28", notRequired: false }),
  },
  "1105": { fail: cpp({ start: "2024-04-20" }) },
  "2883": { fail: s47({ icpc: null }) },
  "2885": {
    fail: cpp({ start: "2024-05-21" }),
    pass: all(episode({ referralDate: "2023-05-01" }), cpp({ start: "2023-05-21" })),
  },
  "8720": { fail: cpp({ start: "2025-04-05" }) },
  "8730": { fail: cpp({ previousPlans: -1 }) },
  "8832": { fail: episode({ nfa: true }) },
  "8840": { fail: cpp({ end: "2024-05-20" }) },
  "8841": { fail: cpp({ reviews: ["2024-05-20"] }) },
  "8842Q": { fail: cpp({ reviews: [""] }) },
  "8905": { fail: cpp({ initialCategory: "XXX" }) },
  "8910": { fail: cpp({ latestCategory: "XXX" }) },
  "8920": { fail: all(kid({ deathDate: "2024-12-01" }), cpp({ end: "2025-01-10" })) },
  "8925": { fail: cpp({ end: "2024-05-10" }) },
  "8930": { fail: cpp({ end: "2025-04-05" }) },
  "8935": { fail: secondEpisode({ referralDate: "2024-10-01" }) },
  "8940": {
    fail: (d) => {
      const plan = ep(d).cpPlans[0];
      assert.ok(plan);
      plan.end = "2024-12-01";
      ep(d).cpPlans.push({ ...structuredClone(plan), start: "2024-11-01", end: "2025-01-10" });
    },
  },
};

describe("DfE's 2024-25 CIN census rules", () => {
  it("has all 109 codes, 83 errors and 26 queries, and no other", () => {
    const codes = CIN_RULES.map((r) => r.code);
    assert.equal(new Set(codes).size, codes.length, "no code twice");
    assert.deepEqual([...codes].sort(), [...DFE_2024_25_CODES].sort());
    assert.equal(DFE_2024_25_CODES.length, 109);
    assert.equal(codes.filter((c) => c.endsWith("Q")).length, 26);
    for (const rule of CIN_RULES)
      assert.ok(rule.message && rule.scope, `${rule.code} has a message and a scope`);
  });

  it("the valid return passes every rule but the two LA-level disability queries", () => {
    assert.deepEqual([...new Set(validateCinReturn(validReturn()).map((f) => f.code))].sort(), [
      "2887Q",
      "2888Q",
    ]);
  });

  for (const rule of CIN_RULES) {
    const example = CASES[rule.code];
    it(`${rule.code} passes`, () => {
      assert.ok(example, `${rule.code} has examples`);
      const data = validReturn();
      example.pass?.(data);
      assert.deepEqual(validateCinReturn(data, [rule]), []);
    });
    it(`${rule.code} fails`, () => {
      assert.ok(example, `${rule.code} has examples`);
      const data = validReturn();
      example.fail(data);
      const findings = validateCinReturn(data, [rule]);
      assert.ok(findings.length > 0, `${rule.code} flags its failing example`);
      assert.ok(
        findings.every(
          (f) => f.code === rule.code && f.message === rule.message && f.query === rule.code.endsWith("Q"),
        ),
      );
    });
  }
});

describe("the seven mistakes DfE refuses are refused with DfE's code", () => {
  const mistakes: [string, string, Mutate][] = [
    ["duplicate UPN", "1520", (d) => d.children.push({ ...validChild(), laChildId: "HC0002" })],
    ["wrong UPN check letter", "1510", kid({ upn: `${UPN.startsWith("A") ? "B" : "A"}${upnDigits}` })],
    [
      "s47 after the episode closed",
      "8565",
      all(
        episode({ closureDate: "2024-05-02", closureReason: "RC1" }),
        s47({ icpc: null, notRequired: true }),
        episode({ cpPlans: [] }),
      ),
    ],
    ["birth date long after the referral", "8606", kid({ birthDate: "2025-03-01" })],
    ["CP plan before the referral", "1105", cpp({ start: "2024-04-22" })],
    [
      "two open s47s",
      "8839",
      (d) => {
        ep(d).section47s.push(
          { start: "2024-06-03", target: null, icpc: null, notRequired: false },
          { start: "2024-07-01", target: null, icpc: null, notRequired: false },
        );
      },
    ],
    [
      "CIN plan before the referral",
      "4015",
      episode({ cinPlans: [{ start: "2024-04-20", end: "2024-04-25" }] }),
    ],
  ];
  for (const [what, code, mutate] of mistakes)
    it(`${what}: ${code}`, () => {
      const data = validReturn();
      mutate(data);
      const errors = validateCinReturn(data).filter((f) => !f.query);
      assert.ok(
        errors.some((f) => f.code === code),
        `${code} among ${errors.map((f) => f.code).join(", ")}`,
      );
    });
});

describe("findings come in the order of DfE's own report", () => {
  it("by LAchildID as text, a child's own items before its episodes', LA-level findings last", () => {
    const data = validReturn();
    const wrongLetter = `${UPN.startsWith("A") ? "B" : "A"}${upnDigits}`;
    const noNeed = (c: CinChild): CinChild => ({
      ...c,
      episodes: c.episodes.map((e) => ({ ...e, primaryNeed: null })),
    });
    // In the file: HC9 (bad UPN and no primary need), then HC10 and A2 (no primary need).
    data.children = [
      { ...noNeed(validChild()), laChildId: "HC9", upn: wrongLetter },
      { ...noNeed(validChild()), laChildId: "HC10", upn: null, upnUnknown: "UN1" },
      { ...noNeed(validChild()), laChildId: "A2", upn: null, upnUnknown: "UN1" },
    ];
    data.header.referenceDate = "2025-03-30";
    const findings = validateCinReturn(data);
    assert.deepEqual(
      findings.filter((f) => ["100", "1510", "8610"].includes(f.code)).map((f) => `${f.laChildId} ${f.code}`),
      // "HC10" before "HC9": DfE's tool sorts the identifiers as text, not as numbers.
      ["A2 8610", "HC10 8610", "HC9 1510", "HC9 8610", "(whole return) 100"],
    );
    const children = findings.map((f) => f.laChildId);
    assert.deepEqual(
      children,
      ["A2", "HC10", "HC9", "(whole return)"].flatMap((id) => children.filter((c) => c === id)),
    );
  });
});
