// SPDX-License-Identifier: MIT
/**
 * Nunjucks sets every template variable through `Frame.prototype.set`, which splits the name on dots each
 * time so that `loop.index` lands in a nested object. A `{% for %}` sets seven such names an iteration,
 * and GOV.UK Frontend's macros set several more per table cell or list item, so on a long table the split
 * arrays were a fifth of rendering's time. Names come from compiled templates (identifiers and `loop.*`),
 * never from data, so each name's parts are split once and kept. Otherwise `set` does exactly what
 * Nunjucks 3.2's does.
 */
import nunjucks from "nunjucks";

type Variables = Record<string, unknown>;
type Frame = {
  variables: Variables;
  resolve: (name: string, forWrite: boolean) => Frame | undefined;
  set: (name: string, value: unknown, resolveUp?: boolean) => void;
};

/** Names are bounded by the templates; past this many, a new name is split as Nunjucks would. */
const KEPT_NAMES = 10_000;
const partsOfName = new Map<string, readonly string[]>();

const partsOf = (name: string): readonly string[] => {
  const known = partsOfName.get(name);
  if (known) return known;
  const parts = name.split(".");
  if (partsOfName.size < KEPT_NAMES) partsOfName.set(name, parts);
  return parts;
};

function set(this: Frame, name: string, value: unknown, resolveUp?: boolean): void {
  const parts = partsOf(name);
  if (resolveUp) {
    const frame = this.resolve(parts[0] as string, true);
    if (frame) {
      frame.set(name, value);
      return;
    }
  }
  let target = this.variables;
  for (let i = 0; i < parts.length - 1; i += 1) {
    const id = parts[i] as string;
    target[id] ||= {};
    target = target[id] as Variables;
  }
  target[parts[parts.length - 1] as string] = value;
}

/** Puts the kept-parts `set` on Nunjucks' Frame (once a process; every environment shares the runtime). */
export const keepFrameNameParts = (): void => {
  const runtime = nunjucks.runtime as unknown as { Frame: { prototype: Frame } };
  runtime.Frame.prototype.set = set;
};
