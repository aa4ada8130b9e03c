// SPDX-License-Identifier: MIT
/**
 * The shape of a ported DfE CIN census rule (2024-25 set, after data-to-insight/csc-validator-be-cin):
 * DfE's code and message, the module it belongs to, and its scope in words (which items, children and
 * dates it looks at). Child rules look at one child; return rules at the whole file (LA-level rules and
 * uniqueness). Codes ending Q are queries: they warn; the others are errors and refuse a return.
 */

import { addCalendarDays, addMonths, isWeekend } from "../../kernel/calendar.ts";
import type { CinChild, CinEpisode, CinReturn } from "../cin-xml.ts";

export type RuleContext = { year: number; referenceDate: string; collectionStart: string };
export type RuleFinding = {
  code: string;
  query: boolean;
  laChildId: string;
  message: string;
  /** Which item failed, in Hearth's words. */
  detail?: string;
};
export type CinModule =
  | "Header"
  | "ChildIdentifiers"
  | "ChildCharacteristics"
  | "Disabilities"
  | "CINdetails"
  | "Assessments"
  | "CINplanDates"
  | "Section47"
  | "ChildProtectionPlans"
  | "Reviews";

type Base = { code: string; module: CinModule; message: string; scope: string };
export type ChildRule = Base & {
  level: "child";
  /** @returns One detail per failing item of this child. */
  check: (child: CinChild, ctx: RuleContext) => string[];
};
export type ReturnRule = Base & {
  level: "return";
  /** @returns Failures over the whole return; laChildId "(whole return)" for LA-level ones. */
  check: (data: CinReturn, ctx: RuleContext) => { laChildId: string; detail: string }[];
};
export type CinRule = ChildRule | ReturnRule;

export const WHOLE_RETURN = "(whole return)";
export const isQuery = (code: string) => code.endsWith("Q");

export const child = (
  code: string,
  module: CinModule,
  message: string,
  scope: string,
  check: ChildRule["check"],
): ChildRule => ({ code, module, message, scope, level: "child", check });
export const whole = (
  code: string,
  module: CinModule,
  message: string,
  scope: string,
  check: ReturnRule["check"],
): ReturnRule => ({ code, module, message, scope, level: "return", check });

/** Empty text from the parser counts as absent, as in DfE's tools. */
export const has = (value: string | null | undefined): value is string =>
  value !== null && value !== undefined && value !== "";
export const inYear = (date: string | null, ctx: RuleContext) =>
  has(date) && date >= ctx.collectionStart && date <= ctx.referenceDate;
export const outsideYear = (date: string | null, ctx: RuleContext) => has(date) && !inYear(date, ctx);
export const episodes = (c: CinChild, fn: (e: CinEpisode, n: number) => string[]) =>
  c.episodes.flatMap((e, i) => fn(e, i + 1));
export const plusDays = addCalendarDays;
export const plusMonths = addMonths;
export const plusYears = (date: string, years: number) => addMonths(date, years * 12);
export { isWeekend };
/** NFA flags as DfE reads them: the model keeps a boolean, so "false or 0" is !nfa. */
export const furtherAction = (e: CinEpisode) => !e.nfa;
