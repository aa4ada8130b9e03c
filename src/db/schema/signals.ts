// SPDX-License-Identifier: MIT
/** Early recognition signals (migration 0018). */
import type { CreatedAt, IsoDate } from "./columns.ts";

export type SignalTable = {
  partnership_id: string;
  signal_id: string;
  person_id: string;
  rule_id: string;
  rule_version: number;
  rule_hash: string;
  window_from: IsoDate;
  window_to: IsoDate;
  fired_at: CreatedAt;
  fired_by: string | null;
  trigger: "entry-recorded" | "evaluate-command" | "worklist";
};

export type SignalEntryTable = {
  partnership_id: string;
  signal_id: string;
  rule_id: string;
  child_person_id: string;
  entry_source: "agency" | "social-care";
  entry_id: string;
  entry_person_id: string;
};

export type SignalDecisionTable = {
  partnership_id: string;
  decision_id: string;
  signal_id: string;
  decision: "no-action" | "talk-with-family" | "screening" | "request-for-support";
  reason: string;
  decided_by: string;
  decided_agency_id: string;
  decided_at: CreatedAt;
  chronology_event_id: string;
};
