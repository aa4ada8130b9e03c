// SPDX-License-Identifier: MIT
/** A tool's YAML read with every problem reported at its line, aliases limited. */
import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { ToolParseResult } from "./tool-file.ts";
import { validateTool } from "./tool-validation.ts";

const PATH_PREFIX = /^([A-Za-z_][\w-]*(?:\[\d+\]|\.[\w-]+)*): /;

/**
 * The line of the file a path points to: the key of the deepest field found along it (a missing field
 * is placed at the nearest part of the file that is there).
 */
const lineOf = (document: Document, lines: LineCounter, segments: string[]): number | undefined => {
  let node: unknown = document.contents;
  let at: { range?: [number, number, number] | null | undefined } | undefined =
    node && typeof node === "object" ? (node as { range?: [number, number, number] }) : undefined;
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) break;
      at = isScalar(pair.key) ? pair.key : at;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item === undefined || !/^\d+$/.test(segment)) break;
      at = item as { range?: [number, number, number] };
      node = item;
    } else break;
  }
  const offset = at?.range?.[0];
  return offset === undefined ? undefined : lines.linePos(offset).line;
};

/**
 * Puts the file's line in front of each problem: `line 33: sections[0].domains[0].items[0].scale: …`.
 * A key that is not allowed is placed on its own line and named in the path.
 */
const withLines = (document: Document, lines: LineCounter, errors: string[]): string[] =>
  errors.map((error) => {
    const match = PATH_PREFIX.exec(error);
    let path = match?.[1] ?? "";
    let message = match ? error.slice(match[0].length) : error;
    const unknownKey = /^Unrecognized keys?: "([^"]+)"(,|$)/.exec(message);
    if (unknownKey?.[1] && !unknownKey[2]) {
      path = path === "" ? unknownKey[1] : `${path}.${unknownKey[1]}`;
      message = "this field is not part of a tool file (check its spelling and indentation)";
    }
    const line = lineOf(document, lines, path.match(/[^.[\]]+/g) ?? []);
    const named = path === "" ? message : `${path}: ${message}`;
    return line === undefined ? named : `line ${line}: ${named}`;
  });

/** How far aliases may expand a tool's YAML: a tool needs few, an alias bomb needs millions. */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses and validates a tool's YAML file.
 * @param text - The file's text.
 * @returns The normalised content and hash, or the problems, each with its line in the file and the
 * path of its field (YAML syntax errors give line and column).
 */
export const parseToolYaml = (text: string): ToolParseResult => {
  if (text.trim() === "") return { ok: false, errors: ["The file is empty"] };
  const lines = new LineCounter();
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter: lines });
  if (document.errors.length > 0) {
    return {
      ok: false,
      errors: document.errors.map((error) => {
        const where = error.linePos?.[0];
        return where
          ? `line ${where.line}, column ${where.col}: ${error.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "")}`
          : error.message;
      }),
    };
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // The yaml package throws when aliases expand beyond the limit ("billion laughs"): a form error, not a 500.
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      return {
        ok: false,
        errors: ["The file repeats its anchors (&) through aliases (*) too many times to be read safely"],
      };
    }
    throw error;
  }
  const validated = validateTool(data);
  return validated.ok ? validated : { ok: false, errors: withLines(document, lines, validated.errors) };
};
