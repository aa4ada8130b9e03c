// SPDX-License-Identifier: MIT
/**
 * The signal rules Hearth ships: every YAML file in src/signals/rules, read and validated once. A broken
 * file there is a defect in Hearth itself, so loading stops with the file's name and each problem's path.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SRC_DIR } from "../web/views.ts";
import { parseRuleYaml, type SignalRule } from "./rule-schema.ts";

export const RULES_DIR = join(SRC_DIR, "signals", "rules");

let cached: SignalRule[] | undefined;

/** @returns The shipped rules, ordered by file name. */
export const signalRules = (): SignalRule[] => {
  if (cached) return cached;
  const rules: SignalRule[] = [];
  for (const file of readdirSync(RULES_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const parsed = parseRuleYaml(readFileSync(join(RULES_DIR, file), "utf8"));
    if (!parsed.ok)
      throw new Error(`src/signals/rules/${file} is not a valid rule:\n  ${parsed.errors.join("\n  ")}`);
    if (rules.some((r) => r.id === parsed.rule.id))
      throw new Error(`src/signals/rules/${file}: rule id "${parsed.rule.id}" is used twice`);
    rules.push(parsed.rule);
  }
  cached = rules;
  return rules;
};

/** One rule by id, if Hearth ships it. */
export const signalRule = (id: string): SignalRule | undefined => signalRules().find((r) => r.id === id);
