// SPDX-License-Identifier: MIT
/** The CIN census rules, kept at this path for existing importers; the rules live in ./cin-rules/. */
export {
  CIN_RULES,
  type CinRule,
  type RuleContext,
  type RuleFinding,
  validateCinReturn,
} from "./cin-rules/index.ts";
