// SPDX-License-Identifier: MIT
/**
 * Evaluating signal rules: a pure function of a child, their family and the family's entries (agencies'
 * chronology entries and children's social care events, whatever their source: typed, imported or
 * generated). No I/O. A rule fires when every one of its conditions counts enough entries in its window;
 * the finding lists every entry that counted, so a person can see exactly why.
 */
import { addMonths } from "../kernel/calendar.ts";
import type { AgencyType } from "../organisation/codes.ts";
import type { RuleCondition, RuleWindow, SignalRule } from "./rule-schema.ts";

/** One entry as the rules see it. */
export type SignalEntry = {
  entryId: string;
  source: "agency" | "social-care";
  personId: string;
  /** A chronology event type, or for a social care event its pathway event type. */
  eventType: string;
  /** A social care event's code (e.g. the category of abuse), else null. */
  code: string | null;
  occurredOn: string;
  /** The recording agency's type; social care events count as children's social care. */
  agencyType: AgencyType | null;
};

export type FamilyPerson = { personId: string; kind: "child" | "adult" };

export type EvaluationInput = {
  /** The day of evaluation, YYYY-MM-DD. */
  today: string;
  /** The child's record and any records merged into it. */
  childIds: readonly string[];
  child: { dateOfBirth: string | null; expectedDateOfBirth: string | null; dateOfDeath?: string | null };
  /** Everyone in the child's family and households (the child included). */
  family: readonly FamilyPerson[];
  entries: readonly SignalEntry[];
};

export type SignalFinding = {
  ruleId: string;
  ruleVersion: number;
  ruleHash: string;
  windowFrom: string;
  windowTo: string;
  /** Every entry that counted, oldest first. */
  entries: SignalEntry[];
  conditions: { id: string; label: string; counted: number; atLeast: number; entryIds: string[] }[];
};

/**
 * The first day of the school term containing a date. Terms are taken as autumn (September to December),
 * spring (January to March) and summer (April to August): term dates differ by school and by the date
 * of Easter, and a term's attendance figure is recorded within it.
 */
export const termStart = (iso: string): string => {
  const year = iso.slice(0, 4);
  const month = Number(iso.slice(5, 7));
  if (month >= 9) return `${year}-09-01`;
  if (month >= 4) return `${year}-04-01`;
  return `${year}-01-01`;
};

/** The first day a rule's window covers, for an evaluation on `today`. */
export const windowStart = (window: RuleWindow, today: string): string =>
  "months" in window ? addMonths(today, -window.months) : termStart(today);

/** Whether an entry is of a kind a condition counts (what, and who recorded it). */
export const entryMatches = (condition: RuleCondition, entry: SignalEntry): boolean => {
  if (condition.recorded_by && !(entry.agencyType && condition.recorded_by.includes(entry.agencyType)))
    return false;
  if (entry.source === "agency") return (condition.chronology as readonly string[]).includes(entry.eventType);
  return condition.social_care.some(
    (s) =>
      s.event === entry.eventType &&
      (!s.codes || (entry.code !== null && s.codes.includes(entry.code as never))),
  );
};

/** Whether the rule is for a child like this one on this day (age, unborn). */
export const ruleApplies = (rule: SignalRule, input: EvaluationInput): boolean => {
  const { child, today } = input;
  if (child.dateOfDeath) return false;
  const applies = rule.applies_to;
  if (!applies) return true;
  const unborn = !child.dateOfBirth && !!child.expectedDateOfBirth;
  if (unborn) return applies.unborn;
  if (applies.under_months === undefined) return true;
  return !!child.dateOfBirth && addMonths(child.dateOfBirth, applies.under_months) > today;
};

const countOf = (entries: SignalEntry[], distinct: "entries" | "dates") =>
  distinct === "dates" ? new Set(entries.map((e) => e.occurredOn)).size : entries.length;

/**
 * Evaluates one rule for one child.
 * @param rule - The rule.
 * @param input - The child, family and entries, and the day.
 * @param alreadyCounted - Entries an earlier signal of this rule for this child counted: they never count
 *   again, so a decided signal is not raised again from the same entries.
 * @returns The finding, or undefined when the rule does not fire.
 */
export const evaluateRule = (
  rule: SignalRule,
  input: EvaluationInput,
  alreadyCounted: ReadonlySet<string> = new Set(),
): SignalFinding | undefined => {
  if (!ruleApplies(rule, input)) return undefined;
  const from = windowStart(rule.window, input.today);
  const childIds = new Set(input.childIds);
  const kinds = new Map(input.family.map((p) => [p.personId, p.kind]));
  for (const id of childIds) kinds.set(id, "child");
  const inScope = (condition: RuleCondition, entry: SignalEntry): boolean => {
    const kind = kinds.get(entry.personId);
    if (kind === undefined) return false;
    switch (condition.across) {
      case "child":
        return childIds.has(entry.personId);
      case "children":
        return kind === "child";
      case "siblings":
        return kind === "child" && !childIds.has(entry.personId);
      case "family":
        return true;
    }
  };
  const candidates = input.entries.filter(
    (e) => e.occurredOn >= from && e.occurredOn <= input.today && !alreadyCounted.has(e.entryId),
  );
  const matched = new Map<string, SignalEntry[]>();
  // Conditions without `after` first, then those counted after another's first entry.
  const ordered = [...rule.all_of].sort((a, b) => Number(!!a.after) - Number(!!b.after));
  for (const condition of ordered) {
    let entries = candidates.filter((e) => entryMatches(condition, e) && inScope(condition, e));
    if (condition.after) {
      const first = (matched.get(condition.after) ?? []).map((e) => e.occurredOn).sort()[0];
      entries = first === undefined ? [] : entries.filter((e) => e.occurredOn >= first);
    }
    if (countOf(entries, condition.distinct) < condition.at_least) return undefined;
    matched.set(condition.id, entries);
  }
  const byId = new Map<string, SignalEntry>();
  for (const entries of matched.values()) for (const e of entries) byId.set(e.entryId, e);
  const entries = [...byId.values()].sort(
    (a, b) => a.occurredOn.localeCompare(b.occurredOn) || a.entryId.localeCompare(b.entryId),
  );
  return {
    ruleId: rule.id,
    ruleVersion: rule.version,
    ruleHash: rule.hash,
    windowFrom: from,
    windowTo: input.today,
    entries,
    conditions: rule.all_of.map((c) => {
      const list = matched.get(c.id) ?? [];
      return {
        id: c.id,
        label: c.label,
        counted: countOf(list, c.distinct),
        atLeast: c.at_least,
        entryIds: list.map((e) => e.entryId),
      };
    }),
  };
};

/**
 * Evaluates every rule for one child.
 * @param alreadyCounted - By rule id, the entries earlier signals of that rule for this child counted.
 */
export const evaluateRules = (
  rules: readonly SignalRule[],
  input: EvaluationInput,
  alreadyCounted: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
): SignalFinding[] => rules.flatMap((rule) => evaluateRule(rule, input, alreadyCounted.get(rule.id)) ?? []);
