// SPDX-License-Identifier: MIT
/** The policy table: every action names real roles, and a role it does not name is refused. */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ROLE_CODES, type Role } from "../organisation/codes.ts";
import { type Action, can, POLICY } from "./policy.ts";

const actions = Object.keys(POLICY) as Action[];

/** Every `can("…")` in a page template, with the file it is in. */
const templateActions = (): { file: string; action: string }[] => {
  const src = fileURLToPath(new URL("..", import.meta.url));
  return readdirSync(src, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".njk"))
    .flatMap((file) =>
      [...readFileSync(join(src, file), "utf8").matchAll(/\bcan\(\s*["']([^"']+)["']\s*\)/g)].map((m) => ({
        file,
        action: m[1] ?? "",
      })),
    );
};

describe("the policy table", () => {
  it("has every action a page template asks about, and refuses one it does not have", () => {
    const asked = templateActions();
    assert.ok(asked.length > 0, "templates ask the policy");
    for (const { file, action } of asked)
      assert.ok(action in POLICY, `${file}: can("${action}") is not in the table`);
    assert.equal(can("safeguarding-lead", "no.such-action" as Action), false);
  });

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
