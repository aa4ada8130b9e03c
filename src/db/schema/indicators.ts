// SPDX-License-Identifier: MIT
/** DfE benchmarks, indicator figures, board reports and the board's settings. */
import type { ColumnType } from "kysely";
import type { CreatedAt, IsoDate, NullableTimestamp, Timestamp } from "./columns.ts";

/** A published DfE or ONS figure; a suppressed cell has a null value and its code. Not partnership data. */
export type BenchmarkValueTable = {
  measure: string;
  time_period: number;
  geographic_level: "National" | "Regional" | "Local authority";
  area_code: string;
  value: ColumnType<string | null, number | string | null, number | string | null>;
  suppression: "c" | "x" | "z" | "low" | "u" | "" | null;
};

export type BenchmarkAreaTable = {
  area_code: string;
  geographic_level: "National" | "Regional" | "Local authority";
  name: string;
  new_la_code: string | null;
  region_code: string | null;
  region_name: string | null;
  last_year: number;
};

export type StatisticalNeighbourTable = {
  model: "2021" | "2025";
  old_la_code: string;
  rank: number;
  neighbour_code: string;
  closeness: string | null;
};

export type BenchmarkImportTable = {
  import_id: string;
  imported_at: CreatedAt;
  source: string;
  files: string[];
  value_rows: number;
  suppressed_rows: number;
};

export type IndicatorCommentaryTable = {
  partnership_id: string;
  period: string;
  indicator_id: string;
  body: string;
  updated_by: string;
  updated_at: Timestamp;
};

export type IndicatorSnapshotTable = {
  partnership_id: string;
  scope_key: string;
  as_of: IsoDate;
  source_version: string;
  computed_at: Timestamp;
  computed_in_ms: number;
  children: number;
  /** { indicatorId: { periodKey: Figure } } */
  figures: ColumnType<unknown, string, string>;
  refresh_claimed_until: NullableTimestamp;
};

export type BoardReportJobTable = {
  partnership_id: string;
  job_id: string;
  requested_by: string;
  quarter: string;
  steps_done: ColumnType<string[], string[] | undefined, string[]>;
  error: string | null;
  pdf: ColumnType<Uint8Array | null, Uint8Array | null | undefined, Uint8Array | null>;
  xlsx: ColumnType<Uint8Array | null, Uint8Array | null | undefined, Uint8Array | null>;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
};

export type BoardSettingsVersionTable = {
  partnership_id: string;
  version: number;
  /** The DfE local authority code the partnership is benchmarked as (3 digits). */
  authority_code: string;
  /** "ons": rates per 10,000 of the ONS estimate; "recorded": of the children recorded in Hearth. */
  population_basis: "ons" | "recorded";
  /** A BoardSettings object's other fields (src/indicators/board-settings.ts), validated on read. */
  settings: ColumnType<unknown, string, never>;
  reason: string;
  changed_by: string;
  changed_at: CreatedAt;
};

/** What a partnership's stored indicator units were counted from (migration 0034). */
export type IndicatorUnitSetTable = {
  partnership_id: string;
  as_of: IsoDate;
  registry_version: string;
  period_keys: string[];
  change_seq: ColumnType<string, string | number, string | number>;
  children: number;
  computed_at: Timestamp;
};

/** One child's counted fact for one indicator and period, with the attributes pages group by. */
export type IndicatorUnitTable = {
  partnership_id: string;
  as_of: IsoDate;
  indicator_id: string;
  period_key: string;
  person_id: string;
  unit_index: number;
  ord: number;
  num: boolean;
  den: boolean;
  x: number | null;
  unit_group: string | null;
  age_band: string;
  sex: string;
  ethnicity: string;
  disability: string;
  area: string;
  agencies: string[];
  team: string;
  level: string;
};

/** The child attributes disproportionality compares against. */
/** Each indicator's and period's counted units over the whole partnership (migration 0036). */
export type IndicatorUnitCountTable = {
  partnership_id: string;
  as_of: IsoDate;
  indicator_id: string;
  period_key: string;
  num: number;
  den: number;
};

export type IndicatorUnitChildTable = {
  partnership_id: string;
  person_id: string;
  date_of_birth: IsoDate | null;
  expected_date_of_birth: IsoDate | null;
  sex: string;
  ethnicity: string | null;
  disabled: boolean;
  /** The quarter end of the child's stored units' digest (migration 0035). */
  units_as_of: IsoDate | null;
  /** The child's stored units' digest (unit-digests.ts), null when the child has none. */
  units_digest: string | null;
};
