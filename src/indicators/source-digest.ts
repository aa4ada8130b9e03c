// SPDX-License-Identifier: MIT
/**
 * A digest of the source a computation is made from: its entry modules and every module they import
 * through relative paths, read once at start-up. Stored figures carry it, so a change to a shared helper
 * (how episodes are derived, how dates are counted), not only to an indicator's own function, makes them
 * be counted again rather than shown as if nothing had changed.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";

// Static imports and re-exports from a relative path, and dynamic imports of one: relative specifiers
// only, packages are pinned by the lock file.
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g;

// Block comments and whole-line comments, so an example in a comment is not taken for an import.
const COMMENTS = /\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm;

/** The relative modules a source text imports, as written. */
export const relativeImports = (source: string): string[] =>
  [...source.replace(COMMENTS, "").matchAll(RELATIVE_IMPORT)].map((match) => match[1] as string);

/**
 * Every file reached from the entries through relative imports, short of the ones `skip` names.
 * @param entries - Absolute paths of the entry modules.
 * @param skip - Files not followed (the plumbing a computation runs on, not what it computes).
 * @param read - Reads a file's text (the file system by default).
 * @returns The files' absolute paths and texts, in path order.
 */
export const sourceClosure = (
  entries: readonly string[],
  skip: (path: string) => boolean = () => false,
  read: (path: string) => string = (path) => readFileSync(path, "utf8"),
): { path: string; text: string }[] => {
  const seen = new Map<string, string>();
  const queue = [...entries];
  for (let path = queue.pop(); path !== undefined; path = queue.pop()) {
    if (seen.has(path) || skip(path)) continue;
    const text = read(path);
    seen.set(path, text);
    for (const specifier of relativeImports(text)) queue.push(resolve(dirname(path), specifier));
  }
  return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([path, text]) => ({ path, text }));
};

/**
 * @param entries - Absolute paths of the entry modules.
 * @param root - The folder paths are named relative to (so the digest does not depend on where Hearth is).
 * @param skip - Files not followed, as for {@link sourceClosure}.
 * @param read - Reads a file's text.
 * @returns A hex digest of every file in the entries' closure, path and text.
 */
export const sourceDigest = (
  entries: readonly string[],
  root: string,
  skip?: (path: string) => boolean,
  read?: (path: string) => string,
): string => {
  const hash = createHash("sha256");
  for (const file of sourceClosure(entries, skip, read))
    hash.update(`${relative(root, file.path)}\0${file.text}\0`);
  return hash.digest("hex");
};
