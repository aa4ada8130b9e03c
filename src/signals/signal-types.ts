// SPDX-License-Identifier: MIT
/** What the signals pages show: the worklist, one signal with its entries and decisions, patterns, precision. */
import type { SignalDecision } from "./codes.ts";
import type { SignalRule } from "./rule-schema.ts";

export type WorklistSignal = {
  signalId: string;
  personId: string;
  childName: string;
  ruleTitle: string;
  firedAt: Date;
  /** Why it is on this worklist: "You are the lead professional" or "No lead professional". */
  route: "lead" | "no-lead";
};

export type SignalEntryView = {
  entryId: string;
  source: "agency" | "social-care";
  personId: string;
  personName: string;
  isChild: boolean;
  occurredOn: string;
  dateLabel: string;
  typeLabel: string;
  agencyName: string;
  whatHappened: string;
};

export type SignalView = {
  signalId: string;
  personId: string;
  childName: string;
  rule: SignalRule | undefined;
  ruleId: string;
  ruleVersion: number;
  windowFrom: string;
  windowTo: string;
  firedAt: Date;
  entries: SignalEntryView[];
  decisions: {
    decision: SignalDecision;
    label: string;
    reason: string;
    decidedByName: string | null;
    agencyName: string;
    decidedAt: Date;
  }[];
  mayDecide: boolean;
};

/** A child's signals (and their outcomes), for "what is already known". */
export type SignalOutcome = {
  signalId: string;
  personId: string;
  childName: string;
  ruleTitle: string;
  firedAt: Date;
  decision: string | null;
};

export type PatternRow = {
  eventType: string;
  typeLabel: string;
  agencyName: string;
  people: number;
  total: number;
  first: string;
  last: string;
  /** Counts by quarter, oldest first, matching `quarters`. */
  byQuarter: number[];
};

export type FamilyPatterns = {
  quarters: string[];
  rows: PatternRow[];
  signals: SignalOutcome[];
  hiddenMembers: boolean;
};

export type PrecisionCell = { value: number; shown: string };
export type RulePrecision = {
  ruleId: string;
  title: string;
  fired: number;
  decided: number;
  byDecision: { code: SignalDecision; label: string; count: number }[];
  confirmed: number;
  ledToSupport: number;
  breakdowns: {
    name: string;
    groups: { group: string; fired: PrecisionCell; confirmed: PrecisionCell; ledToSupport: PrecisionCell }[];
  }[];
};
