// SPDX-License-Identifier: MIT
/** Codes for plans, reviews, casework records and authorisations, with their labels. Stored as codes. */
import { codesOf } from "../../organisation/codes.ts";
import { OUTCOME_PROGRESS } from "../codes.ts";

export const PLAN_TYPES = {
  cp: "Child protection plan",
  cin: "Child in need plan",
  taf: "Team around the family plan",
} as const;
export type PlanType = keyof typeof PLAN_TYPES;
export const PLAN_TYPE_CODES = codesOf(PLAN_TYPES);

/** Progress at a review, per outcome and per action (the same words early help reviews use). */
export const PLAN_PROGRESS = OUTCOME_PROGRESS;
export type PlanProgress = keyof typeof PLAN_PROGRESS;
export const PLAN_PROGRESS_CODES = codesOf(PLAN_PROGRESS);

export const PLAN_ITEM_TYPES = { outcome: "Outcome", action: "Action" } as const;
export type PlanItemType = keyof typeof PLAN_ITEM_TYPES;
export const PLAN_ITEM_TYPE_CODES = codesOf(PLAN_ITEM_TYPES);

/** Casework records that keep their narrative, and the census event each is about. */
export const CASEWORK_RECORD_TYPES = {
  assessment: "Single assessment",
  "strategy-discussion": "Strategy discussion",
  conference: "Child protection conference",
} as const;
export type CaseworkRecordType = keyof typeof CASEWORK_RECORD_TYPES;
export const CASEWORK_RECORD_TYPE_CODES = codesOf(CASEWORK_RECORD_TYPES);

export const AUTHORISATION_SUBJECTS = { assessment: "Single assessment", plan: "Plan" } as const;
export type AuthorisationSubject = keyof typeof AUTHORISATION_SUBJECTS;
export const AUTHORISATION_SUBJECT_CODES = codesOf(AUTHORISATION_SUBJECTS);

export const AUTHORISATION_DECISIONS = {
  authorised: "Authorised",
  returned: "Returned to the author",
} as const;
export type AuthorisationDecision = keyof typeof AUTHORISATION_DECISIONS;
export const AUTHORISATION_DECISION_CODES = codesOf(AUTHORISATION_DECISIONS);
