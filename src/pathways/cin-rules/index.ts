// SPDX-License-Identifier: MIT
/**
 * DfE's 2024-25 CIN census rule set (109 codes: 83 errors, 26 queries) as pure functions, ported from
 * data-to-insight/csc-validator-be-cin (rules/cin2022_23 as changed by cin2023_24 and cin2024_25).
 */
import type { CinReturn } from "../cin-xml.ts";
import { ASSESSMENT_RULES } from "./assessments.ts";
import { CHILD_MODULE_RULES } from "./child.ts";
import { EPISODE_RULES } from "./episodes.ts";
import { PLAN_RULES } from "./plans.ts";
import { type CinRule, isQuery, type RuleContext, type RuleFinding } from "./types.ts";

export { upnCheckLetter } from "./child.ts";
export * from "./types.ts";

export const CIN_RULES: CinRule[] = [
  ...CHILD_MODULE_RULES,
  ...EPISODE_RULES,
  ...ASSESSMENT_RULES,
  ...PLAN_RULES,
];

export const contextOf = (data: CinReturn): RuleContext => ({
  year: data.header.year,
  referenceDate: data.header.referenceDate,
  collectionStart: `${data.header.year - 1}-04-01`,
});

/**
 * Runs every rule on a return.
 * @returns The findings, per child and rule code; errors and queries both, child by child then LA-level.
 */
export const validateCinReturn = (data: CinReturn, rules: CinRule[] = CIN_RULES): RuleFinding[] => {
  const ctx = contextOf(data);
  const findings: RuleFinding[] = [];
  const finding = (rule: CinRule, laChildId: string, detail: string): RuleFinding => ({
    code: rule.code,
    query: isQuery(rule.code),
    laChildId,
    message: rule.message,
    detail,
  });
  for (const child of data.children)
    for (const rule of rules)
      if (rule.level === "child")
        for (const detail of rule.check(child, ctx)) findings.push(finding(rule, child.laChildId, detail));
  for (const rule of rules)
    if (rule.level === "return")
      for (const f of rule.check(data, ctx)) findings.push(finding(rule, f.laChildId, f.detail));
  return findings;
};
