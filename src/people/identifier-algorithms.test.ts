// SPDX-License-Identifier: MIT
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  isValidNhsNumber,
  isValidUpn,
  makeUpn,
  nhsCheckDigit,
  UPN_CHECK_LETTERS,
  upnCheckLetter,
} from "./identifiers.ts";

describe("NHS number check digit", () => {
  it("accepts the published example 943 476 5919", () => {
    // 9*10 + 4*9 + 3*8 + 4*7 + 7*6 + 6*5 + 5*4 + 9*3 + 1*2 = 299; 299 mod 11 = 2; 11 - 2 = 9
    assert.equal(nhsCheckDigit("943476591"), 9);
    assert.equal(isValidNhsNumber("9434765919"), true);
  });

  it("maps a check of 11 to 0", () => {
    // 010000001: 1*9 + 1*2 = 11; 11 mod 11 = 0; 11 - 0 = 11, which becomes 0
    assert.equal(nhsCheckDigit("010000001"), 0);
    assert.equal(isValidNhsNumber("0100000010"), true);
  });

  it("refuses nine digits whose check would be 10", () => {
    // 000000006: 6*2 = 12; 12 mod 11 = 1; 11 - 1 = 10, so no NHS number starts with these digits
    assert.equal(nhsCheckDigit("000000006"), undefined);
    for (let d = 0; d <= 9; d += 1) assert.equal(isValidNhsNumber(`000000006${d}`), false);
  });

  it("refuses a wrong check digit, a transposition and bad shapes", () => {
    assert.equal(isValidNhsNumber("9434765918"), false);
    assert.equal(isValidNhsNumber("9434765991"), false);
    assert.equal(isValidNhsNumber("943476591"), false);
    assert.equal(isValidNhsNumber("943 476 5919"), false);
    assert.equal(isValidNhsNumber("94347659190"), false);
    assert.equal(nhsCheckDigit("94347659a"), undefined);
  });
});

describe("UPN check letter", () => {
  it("accepts a known valid UPN", () => {
    // Characters 2-13 of B801200005001 times weights 2-13:
    // 8*2 + 0*3 + 1*4 + 2*5 + 0*6 + 0*7 + 0*8 + 0*9 + 5*10 + 0*11 + 0*12 + 1*13 = 93; 93 mod 23 = 1 -> B
    assert.equal(upnCheckLetter("801200005001"), "B");
    assert.equal(isValidUpn("B801200005001"), true);
  });

  it("counts a letter in position 13 by the check-letter table", () => {
    // 801200005001 with a final A (0) instead of 1: 93 - 13 = 80; 80 mod 23 = 11 -> M
    assert.equal(upnCheckLetter("80120000500A"), "M");
    assert.equal(isValidUpn("M80120000500A"), true);
    // Z counts 22: 80 + 22*13 = 366; 366 mod 23 = 21 -> Y
    assert.equal(upnCheckLetter("80120000500Z"), "Y");
  });

  it("refuses a wrong check letter and bad shapes", () => {
    assert.equal(isValidUpn("A801200005001"), false);
    assert.equal(isValidUpn("B80120000500"), false);
    assert.equal(isValidUpn("B8012000050011"), false);
    assert.equal(isValidUpn("B8012000A5001"), false);
    assert.equal(upnCheckLetter("80120000500I"), undefined);
  });

  it("builds valid UPNs from an LA code, establishment and serial", () => {
    for (let serial = 0; serial < 500; serial += 7) {
      const upn = makeUpn("204", "2031", serial);
      assert.equal(upn.length, 13);
      assert.match(upn, /^[A-Z]2042031[0-9]{5}$/);
      assert.ok(UPN_CHECK_LETTERS.includes(upn[0] ?? "?"));
      assert.equal(isValidUpn(upn), true, upn);
    }
  });
});
