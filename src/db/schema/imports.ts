// SPDX-License-Identifier: MIT
/** Agency imports (migration 0019). */
import type { ColumnType } from "kysely";
import type { CreatedAt, NullableTimestamp } from "./columns.ts";

export type ImportMappingTable = {
  partnership_id: string;
  agency_id: string;
  format: import("../../imports/codes.ts").ImportFormat;
  version: number;
  columns: ColumnType<Record<string, unknown>, string, never>;
  reason: string;
  created_by: string | null;
  created_at: CreatedAt;
};

export type AgencyImportTable = {
  partnership_id: string;
  import_id: string;
  agency_id: string;
  format: import("../../imports/codes.ts").ImportFormat;
  mapping_version: number;
  file_name: string;
  file_sha256: string;
  content: string | null;
  total_rows: number | null;
  next_row: ColumnType<number, number | undefined, number>;
  started_by: string | null;
  started_at: CreatedAt;
  progressed_at: ColumnType<Date, Date | string | undefined, Date | string>;
  finished_at: NullableTimestamp;
};

export type ImportRowTable = {
  partnership_id: string;
  import_id: string;
  row_number: number;
  row_key: string;
  fate: import("../../imports/codes.ts").RowFate;
  reason: string | null;
  person_id: string | null;
  event_id: string | null;
  fields: ColumnType<Record<string, unknown>, string | undefined, never>;
};

export type ImportRowCandidateTable = {
  partnership_id: string;
  import_id: string;
  row_number: number;
  person_id: string;
  score: number;
  matched_on: string;
};

export type ImportReviewTable = {
  partnership_id: string;
  import_id: string;
  row_number: number;
  decision: import("../../imports/codes.ts").ReviewDecision;
  person_id: string | null;
  event_id: string | null;
  reason: string | null;
  decided_by: string;
  decided_at: CreatedAt;
};
