// SPDX-License-Identifier: MIT
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkNhsNumber, checkUpn, nhsCheckDigit, upnCheckLetter } from "./identifiers.ts";

describe("NHS numbers", () => {
  it("accept a number whose modulus-11 check digit matches, with or without spaces", () => {
    // 943 476 5919 is the NHS's own published test number.
    assert.deepEqual(checkNhsNumber("943 476 5919"), { ok: true, value: "9434765919" });
    assert.equal(nhsCheckDigit("401023213"), 7);
  });

  it("refuse a wrong check digit, wrong length or letters, saying so", () => {
    const wrongDigit = checkNhsNumber("9434765918");
    assert.equal(wrongDigit.ok, false);
    assert.match(wrongDigit.ok ? "" : wrongDigit.message, /check digit/);
    assert.equal(checkNhsNumber("12345").ok, false);
    assert.equal(checkNhsNumber("94347659AB").ok, false);
  });
});

describe("UPNs", () => {
  it("accept a UPN whose check letter matches", () => {
    const rest = "201123400001";
    const upn = `${upnCheckLetter(rest)}${rest}`;
    assert.deepEqual(checkUpn(upn.toLowerCase()), { ok: true, value: upn });
  });

  it("refuse a wrong check letter or shape, saying so", () => {
    const rest = "201123400001";
    const right = upnCheckLetter(rest);
    const wrong = right === "A" ? "B" : "A";
    const result = checkUpn(`${wrong}${rest}`);
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.message, /check letter/);
    assert.equal(checkUpn("A12345").ok, false);
  });
});
