// SPDX-License-Identifier: MIT
/** What a person decides about a signal. A rule only suggests; these are the person's choices. */
import { codesOf } from "../organisation/codes.ts";

export const SIGNAL_DECISIONS = {
  "no-action": "No action needed",
  "talk-with-family": "Talk to the family",
  screening: "Screening with the family, using the neglect screening tool",
  "request-for-support": "Request for support",
} as const;
export type SignalDecision = keyof typeof SIGNAL_DECISIONS;
export const SIGNAL_DECISION_CODES = codesOf(SIGNAL_DECISIONS);

/** Decisions that confirm the signal needed action (every one but "no action"). */
export const CONFIRMING_DECISIONS: readonly SignalDecision[] = [
  "talk-with-family",
  "screening",
  "request-for-support",
];
