// SPDX-License-Identifier: MIT
/**
 * Input refused before any handler: malformed record ids in every route (404, never 500), U+0000 in a
 * query string (400 naming the field), a YAML alias bomb in a tool upload (a form error, nothing
 * written); and the templates' rule that no `html:` is built by concatenating strings and every
 * `| safe` says why.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { signInFor, TestClient } from "../test-support/harness.ts";
import { app, database, partnership, useTestApp } from "../test-support/test-app.ts";
import { fieldNameAsWords, fieldWithNul, isUuidParam, malformedIdParam } from "./input-guards.ts";
import { SRC_DIR } from "./views.ts";

useTestApp({ children: 20, socialCareJourneys: false });

/** Every route of a method, as printed by Fastify's route tree. */
const routesOf = (method: "GET" | "POST"): string[] => {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false, method }).split("\n")) {
    const at = line.indexOf("── ");
    if (at < 0) continue;
    stack.length = (at - 1) / 4;
    stack.push(line.slice(at + 3).replace(/ \(.*\)$/, ""));
    if (line.includes(`(${method}`)) routes.push(`/${stack.join("")}`.replace(/\/\/+/g, "/"));
  }
  return routes;
};

describe("the input guards", () => {
  it("know record ids from slugs, and find U+0000 in any field", () => {
    assert.equal(isUuidParam("personId"), true);
    assert.equal(isUuidParam("sectionId"), false);
    assert.equal(isUuidParam("id"), false);
    assert.equal(isUuidParam("eventType"), false);
    assert.equal(malformedIdParam({ personId: "0f8fad5b-d9cb-469f-a165-70867728950e" }), undefined);
    assert.equal(malformedIdParam({ personId: "1; drop table people" }), "personId");
    assert.equal(fieldWithNul({ a: "fine", whatHappened: "x\u0000y" }), "whatHappened");
    assert.equal(fieldWithNul({ codes: ["a", "b\u0000"] }), "codes");
    assert.equal(fieldWithNul({ a: "fine" }), undefined);
    assert.equal(fieldNameAsWords("occurredOn-day"), "occurred on day");
  });

  it("answer 404, never 500, to a malformed record id in every route", async () => {
    const lead = new TestClient(app);
    await lead.signIn(signInFor(partnership, "safeguarding-lead").email);
    const hasId = (route: string) =>
      route.split("/").some((segment) => segment.startsWith(":") && isUuidParam(segment.slice(1)));
    const withIds = [
      ...routesOf("GET").map((route) => ({ route, method: "GET" })),
      ...routesOf("POST").map((route) => ({ route, method: "POST" })),
    ].filter(({ route }) => hasId(route));
    assert.ok(withIds.length > 30, `found ${withIds.length} routes with record ids`);
    for (const { route, method } of withIds) {
      for (const bad of ["not-a-uuid", "%00", "1'%20or%20'1'='1"]) {
        const url = route.replace(/:([A-Za-z]+)/g, (_, name: string) =>
          isUuidParam(name) ? bad : name === "eventType" ? "visit" : "x",
        );
        const response = method === "POST" ? await lead.post(url, {}) : await lead.get(url);
        assert.equal(response.statusCode, 404, `${method} ${url}`);
      }
    }
  });

  it("answer 400 naming the field to U+0000 in a query string, and write nothing for it in a form", async () => {
    const lead = new TestClient(app);
    await lead.signIn(signInFor(partnership, "safeguarding-lead").email);
    const search = await lead.get("/people?name=Ann%00e");
    assert.equal(search.statusCode, 400);
    assert.match(search.body, /The field &quot;name&quot; contains a character Hearth cannot store/);
    const child = partnership.demoFamily.siblingPersonId;
    const before = await database.unsafeOwnerDb
      .selectFrom("involvement_requests")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    const refused = await lead.post(`/people/${child}/involvement-requests`, { requestReason: "a\u0000b" });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /request reason/);
    const afterwards = await database.unsafeOwnerDb
      .selectFrom("involvement_requests")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    assert.equal(Number(afterwards.n), Number(before.n));
  });

  it("refuse a YAML alias bomb in a tool upload with a form error, publishing nothing", async () => {
    const admin = new TestClient(app);
    const signedIn = await admin.signIn(signInFor(partnership, "administrator").email, {
      totpSecret: partnership.administratorTotpSecret,
    });
    assert.equal(signedIn.statusCode, 303);
    await admin.get("/admin/assessment-tools");
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const name = String.fromCharCode(97 + i);
      const previous = String.fromCharCode(96 + i);
      lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(",")}]`);
    }
    const countTools = async () =>
      Number(
        (
          await database.unsafeOwnerDb
            .selectFrom("assessment_tool_versions")
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await countTools();
    const response = await admin.post("/admin/assessment-tools", { toolFile: lines.join("\n") });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /href="#toolFile"/);
    assert.match(response.body, /too many times to be read safely/);
    assert.equal(await countTools(), before);
  });
});

describe("the view templates", () => {
  const templates = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return templates(path);
      return entry.name.endsWith(".njk") ? [path] : [];
    });

  it("never build an html: parameter by concatenating strings, and say why each | safe is safe", () => {
    for (const path of templates(SRC_DIR)) {
      const lines = readFileSync(path, "utf8").split("\n");
      lines.forEach((line, i) => {
        const where = `${relative(SRC_DIR, path)}:${i + 1}`;
        assert.doesNotMatch(
          line,
          /html:\s*("|')[^"']*\1\s*\+|html:[^,}]*\+\s*[a-z]/i,
          `${where} concatenates html`,
        );
        if (/\|\s*safe\b/.test(line)) {
          assert.match(
            lines[i - 1] ?? "",
            /\{#\s*safe:/,
            `${where} has a | safe without a {# safe: … #} comment`,
          );
        }
      });
    }
  });
});
