// SPDX-License-Identifier: MIT
/** Column shapes shared by the table types: what a select returns, what an insert and an update take. */
import type { ColumnType } from "kysely";
import type { IsoDate } from "../../kernel/calendar.ts";

export type { IsoDate };

export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;

export type NullableDate = ColumnType<IsoDate | null, IsoDate | null | undefined, IsoDate | null>;

/** numeric columns come back as strings (exact decimals); they are written as numbers. */
export type NumericColumn = ColumnType<string, number, number>;
export type NullableNumericColumn = ColumnType<string | null, number | null | undefined, number | null>;
export type JsonColumn<T> = ColumnType<T, string, string>;
export type NullableJsonColumn<T> = ColumnType<T | null, string | null | undefined, string | null>;
