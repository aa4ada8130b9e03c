// SPDX-License-Identifier: MIT
/** Retention (migration 0026): the rules and the records archived under them. */
import type { CreatedAt, IsoDate } from "./columns.ts";

/** The partnership's retention rules (0026), as versions; the latest is in force. */
export type RetentionRuleVersionTable = {
  partnership_id: string;
  version: number;
  keep_until_age: number;
  years_after_closure: number;
  audit_log_extra_years: number;
  reason: string;
  changed_by: string;
  changed_at: CreatedAt;
};

/** A child's record archived after a retention review (0026): never deleted, out of search and indicators. */
export type RecordArchiveTable = {
  partnership_id: string;
  person_id: string;
  archived_at: CreatedAt;
  archived_by: string;
  reason: string;
  due_on: IsoDate;
  rule_version: number;
};
