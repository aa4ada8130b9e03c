// SPDX-License-Identifier: MIT
/** The navigation shows each role the links the policy lets it use (src/kernel/policy.ts). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ROLE_CODES, type Role } from "../organisation/codes.ts";
import { navigationFor } from "./navigation.ts";

const texts = (role: Role) => navigationFor(role, "/").map((item) => item.text);

describe("navigation", () => {
  it("shows every role Home, Learning, Notifications and Your account", () => {
    for (const role of ROLE_CODES) {
      for (const text of ["Home", "Learning", "Notifications", "Your account"]) {
        assert.ok(texts(role).includes(text), `${role}: ${text}`);
      }
    }
  });

  // Where the navigation and the route used to disagree, the route's roles stand.
  it("shows a link to the roles its page lets in", () => {
    assert.ok(texts("front-door").includes("Requests for support"));
    assert.ok(texts("practitioner").includes("Imports"));
    assert.ok(texts("front-door").includes("Imports"));
    assert.ok(texts("safeguarding-lead").includes("Archived records"));
    assert.ok(texts("administrator").includes("Learning"));
  });

  it("hides a link from the roles its page refuses", () => {
    assert.ok(!texts("administrator").includes("Find a person"));
    assert.ok(!texts("analyst").includes("Imports"));
    assert.ok(!texts("auditor").includes("Alerts"));
    assert.ok(!texts("practitioner").includes("Front door"));
    assert.ok(!texts("safeguarding-lead").includes("Users"));
  });
});
