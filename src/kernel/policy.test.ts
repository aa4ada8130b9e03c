// SPDX-License-Identifier: MIT
/** The policy table: every action names real roles, and a role it does not name is refused. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ROLE_CODES, type Role } from "../organisation/codes.ts";
import { type Action, can, POLICY } from "./policy.ts";

const actions = Object.keys(POLICY) as Action[];

describe("the policy table", () => {
  it("gives every action at least one role, each a real role named once", () => {
    for (const action of actions) {
      const roles: readonly string[] = POLICY[action];
      assert.ok(roles.length > 0, `${action} names no role`);
      for (const role of roles) assert.ok((ROLE_CODES as string[]).includes(role), `${action}: ${role}`);
      assert.equal(new Set(roles).size, roles.length, `${action} names a role twice`);
    }
  });

  it("allows exactly the roles an action lists, and refuses every other", () => {
    for (const action of actions) {
      for (const role of ROLE_CODES) {
        assert.equal(
          can(role, action),
          (POLICY[action] as readonly Role[]).includes(role),
          `${role} ${action}`,
        );
      }
    }
  });

  it("refuses the roles a few actions leave out", () => {
    const refused: [Role, Action][] = [
      ["administrator", "records.read"],
      ["analyst", "records.read"],
      ["auditor", "records.write"],
      ["practitioner", "front-door.work"],
      ["manager", "front-door.work"],
      ["auditor", "alerts.read"],
      ["practitioner", "indicators.read"],
      ["safeguarding-lead", "audit.read"],
      ["analyst", "imports.run"],
      ["auditor", "imports.run"],
      ["safeguarding-lead", "admin.organisation"],
      ["administrator", "retention.review"],
      ["manager", "board.report"],
    ];
    for (const [role, action] of refused) assert.equal(can(role, action), false, `${role} ${action}`);
  });

  it("lets the roles the pages were built for do their work", () => {
    const allowed: [Role, Action][] = [
      ["auditor", "records.read"],
      ["front-door", "front-door.work"],
      ["front-door", "requests.read"],
      ["practitioner", "imports.run"],
      ["administrator", "admin.organisation"],
      ["auditor", "audit.read"],
      ["analyst", "board.settings"],
      ["manager", "plans.authorise"],
    ];
    for (const [role, action] of allowed) assert.equal(can(role, action), true, `${role} ${action}`);
  });
});
