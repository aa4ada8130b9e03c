// SPDX-License-Identifier: MIT
/**
 * DfE's 2024-25 CIN census rule set (109 codes: 83 errors, 26 queries) as pure functions, ported from
 * data-to-insight/csc-validator-be-cin (rules/cin2022_23 as changed by cin2023_24 and cin2024_25).
 */
import type { CinChild, CinReturn } from "../cin-xml.ts";
import { ASSESSMENT_RULES } from "./assessments.ts";
import { CHILD_MODULE_RULES } from "./child.ts";
import { EPISODE_RULES } from "./episodes.ts";
import { PLAN_RULES } from "./plans.ts";
import { type CinRule, isQuery, type RuleContext, type RuleFinding, WHOLE_RETURN } from "./types.ts";

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

/** The episode a finding's detail names ("episode 2: ..."), or 0 for the child's own items. */
const episodeOf = (detail: string | undefined) => Number(/^episode (\d+)\b/.exec(detail ?? "")?.[1] ?? 0);
/** A rule code's number (8500 of 8500Q), for DfE's numeric order. */
const codeNumber = (code: string) => Number.parseInt(code, 10);
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Findings in the order of DfE's own report (data-to-insight/csc-validator-be-cin, create_user_report):
 * sorted by LAchildID as text (Python's code-point order, which `<` on strings matches for these
 * identifiers), then by the issue's ERROR_ID, a tuple of the child and then the episode (CINdetailsID) for
 * episode items, so a child's own items come before its episodes' in episode order; LA-level findings,
 * which have no child, come last. Within one item, by rule code (numerically, a query after its error).
 */
export const inDfeOrder = (findings: readonly RuleFinding[]): RuleFinding[] =>
  [...findings].sort(
    (a, b) =>
      Number(a.laChildId === WHOLE_RETURN) - Number(b.laChildId === WHOLE_RETURN) ||
      byCodePoint(a.laChildId, b.laChildId) ||
      episodeOf(a.detail) - episodeOf(b.detail) ||
      codeNumber(a.code) - codeNumber(b.code) ||
      byCodePoint(a.code, b.code),
  );

const findingOf = (rule: CinRule, laChildId: string, detail: string): RuleFinding => ({
  code: rule.code,
  query: isQuery(rule.code),
  laChildId,
  message: rule.message,
  detail,
});

/** The child-level rules' findings for some of a return's children (in no particular order). */
export const childFindings = (
  children: readonly CinChild[],
  ctx: RuleContext,
  rules: CinRule[] = CIN_RULES,
): RuleFinding[] => {
  const findings: RuleFinding[] = [];
  for (const child of children)
    for (const rule of rules)
      if (rule.level === "child")
        for (const detail of rule.check(child, ctx)) findings.push(findingOf(rule, child.laChildId, detail));
  return findings;
};

/** The rules over the whole return (LA-level and uniqueness), in no particular order. */
export const returnFindings = (data: CinReturn, ctx: RuleContext, rules: CinRule[] = CIN_RULES) =>
  rules.flatMap((rule) =>
    rule.level === "return" ? rule.check(data, ctx).map((f) => findingOf(rule, f.laChildId, f.detail)) : [],
  );

/**
 * Runs every rule on a return.
 * @returns The findings, errors and queries both, in DfE's report order ({@link inDfeOrder}).
 */
export const validateCinReturn = (data: CinReturn, rules: CinRule[] = CIN_RULES): RuleFinding[] => {
  const ctx = contextOf(data);
  return inDfeOrder([...childFindings(data.children, ctx, rules), ...returnFindings(data, ctx, rules)]);
};
