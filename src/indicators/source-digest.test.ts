// SPDX-License-Identifier: MIT
/**
 * Stored figures are counted again when anything they are computed from changes: an indicator's own
 * function, or a helper it shares with the rest of Hearth (how episodes are derived, working days).
 */
import assert from "node:assert/strict";
import { dirname, join, sep } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { relativeImports, sourceClosure, sourceDigest } from "./source-digest.ts";

const files = (texts: Record<string, string>) => (path: string) => {
  const text = texts[path];
  if (text === undefined) throw new Error(`no file ${path}`);
  return text;
};

describe("the source digest behind the indicators' version", () => {
  it("reads static, re-exported and dynamic relative imports, not packages or examples in comments", () => {
    const source = [
      'import { a } from "./a.ts";',
      'export { b } from "../b.ts";',
      'import type { C } from "./c.ts";',
      'const d = await import("./d.ts");',
      'import { sql } from "kysely";',
      '// import { e } from "./e.ts";',
      '/* import("./f.ts") */',
    ].join("\n");
    assert.deepEqual(relativeImports(source), ["./a.ts", "../b.ts", "./c.ts", "./d.ts"]);
  });

  it("changes when a module the entry imports changes, and not when a skipped one does", () => {
    const texts = {
      "/src/indicators/registry.ts":
        'import { x } from "../pathways/episodes.ts";\nimport "../db/database.ts";',
      "/src/pathways/episodes.ts": "export const x = 1;",
      "/src/db/database.ts": "export const db = 1;",
    };
    const skip = (path: string) => path.startsWith("/src/db/");
    const digest = (changed: Record<string, string>) =>
      sourceDigest(["/src/indicators/registry.ts"], "/src", skip, files({ ...texts, ...changed }));
    const before = digest({});
    assert.notEqual(digest({ "/src/pathways/episodes.ts": "export const x = 2;" }), before);
    assert.equal(digest({ "/src/db/database.ts": "export const db = 2;" }), before);
  });

  it("follows the real registry to the shared helpers it counts with", () => {
    const src = join(dirname(fileURLToPath(import.meta.url)), "..");
    const closure = sourceClosure(
      ["registry.ts", "loader.ts", "unit-rows.ts"].map((file) => join(src, "indicators", file)),
      (path) => path.startsWith(join(src, "db") + sep),
    ).map((file) =>
      file.path
        .slice(src.length + 1)
        .split(sep)
        .join("/"),
    );
    for (const shared of ["pathways/episodes.ts", "kernel/calendar.ts", "indicators/model.ts"])
      assert.ok(closure.includes(shared), shared);
  });
});
