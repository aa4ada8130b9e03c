// SPDX-License-Identifier: MIT
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hashPassword, passwordProblem, verifyPassword } from "./passwords.ts";

describe("choosing a password", () => {
  it("accepts a long passphrase with no special characters", () => {
    assert.equal(passwordProblem("violet harbour piano"), null);
  });

  it("refuses passwords shorter than 12 characters", () => {
    assert.equal(passwordProblem("short pass"), "Password must be 12 characters or more");
  });

  it("refuses common passwords whatever their length", () => {
    assert.match(passwordProblem("qwertyuiop123") ?? passwordProblem("1q2w3e4r5t6y") ?? "", /too common/);
    assert.match(passwordProblem("aaaaaaaaaaaaaaa") ?? "", /too common/);
  });

  it("refuses passwords built from the person's own name or email", () => {
    assert.match(
      passwordProblem("tamsin-is-great-2026", ["tamsin.jones@x.example", "Tamsin Jones"]) ?? "",
      /name or email/,
    );
  });

  it("stores Argon2id hashes that verify only the right password", async () => {
    const stored = await hashPassword("violet harbour piano");
    assert.match(stored, /^\$argon2id\$/);
    assert.equal(await verifyPassword(stored, "violet harbour piano"), true);
    assert.equal(await verifyPassword(stored, "violet harbour pian0"), false);
  });
});
