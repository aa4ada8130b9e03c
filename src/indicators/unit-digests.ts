// SPDX-License-Identifier: MIT
/**
 * Each child's stored units as one digest, worked out alike from the rows in memory and in SQL from the
 * stored rows, so a full recount rewrites only the children whose units changed: an import, a merge or
 * a change of team recounts every child, yet leaves most children's units as they were, and writing
 * the units (8 or so rows a child, with their indexes) is most of a recount's time.
 *
 * Each row is written as text field by field, text fields prefixed with their length in bytes and the
 * amount x as its eight bytes, so two rows give the same text only when every field is equal; the
 * agencies are uuids (or "No agency involved"), so joining them with commas loses nothing.
 */
import { createHash } from "node:crypto";
import { sql } from "kysely";
import type { Trx } from "../data/repository-scope.ts";
import type { IsoDate } from "./model.ts";
import type { UnitRow } from "./unit-rows.ts";

const text = (value: string) => `${Buffer.byteLength(value)}:${value}`;

const amount = Buffer.alloc(8);
const bytesOf = (x: number) => {
  amount.writeDoubleBE(x);
  return amount.toString("hex");
};

/** Compares as PostgreSQL's "C" collation does (the digest's order), for ASCII ids. */
const byKey = (a: UnitRow, b: UnitRow) =>
  a.indicator_id < b.indicator_id
    ? -1
    : a.indicator_id > b.indicator_id
      ? 1
      : a.period_key < b.period_key
        ? -1
        : a.period_key > b.period_key
          ? 1
          : a.unit_index - b.unit_index;

/** One child's rows as text, in the order and form of {@link storedDigests}' SQL. */
const rowsText = (rows: UnitRow[]): string =>
  rows
    .sort(byKey)
    .map((r) =>
      [
        text(r.indicator_id),
        text(r.period_key),
        r.unit_index,
        r.ord,
        r.num ? "1" : "0",
        r.den ? "1" : "0",
        r.x === null ? "-" : bytesOf(r.x),
        r.unit_group === null ? "-" : text(r.unit_group),
        text(r.age_band),
        text(r.sex),
        text(r.ethnicity),
        text(r.disability),
        text(r.area),
        `${r.agencies.length}:${text(r.agencies.join(","))}`,
        text(r.team),
        text(r.level),
      ].join("|"),
    )
    .join("\n");

/** A child's rows' digest, as {@link storedDigests} gives it for the same rows stored. */
export const unitRowsDigest = (rows: UnitRow[]): string =>
  createHash("md5").update(rowsText(rows), "utf8").digest("hex");

const field = (column: string) => sql`octet_length(${sql.ref(column)}) || ':' || ${sql.ref(column)}`;

/** Each child's stored units' digest for a quarter end, by person id. */
export const storedDigests = async (trx: Trx, asOf: IsoDate): Promise<Map<string, string>> => {
  const { rows } = await sql<{ person_id: string; digest: string }>`select person_id::text as person_id,
      md5(string_agg(${field("indicator_id")} || '|' || ${field("period_key")} || '|' || unit_index || '|' || ord
        || '|' || case when num then '1' else '0' end || '|' || case when den then '1' else '0' end
        || '|' || coalesce(encode(float8send(x), 'hex'), '-')
        || '|' || coalesce(${field("unit_group")}, '-')
        || '|' || ${field("age_band")} || '|' || ${field("sex")} || '|' || ${field("ethnicity")}
        || '|' || ${field("disability")} || '|' || ${field("area")}
        || '|' || cardinality(agencies) || ':' || octet_length(array_to_string(agencies, ','))
        || ':' || array_to_string(agencies, ',')
        || '|' || ${field("team")} || '|' || ${field("level")},
        E'\\n' order by indicator_id collate "C", period_key collate "C", unit_index)) as digest
    from indicator_units
    where partnership_id = hearth_current_partnership() and as_of = ${asOf}::date
    group by person_id`.execute(trx);
  return new Map(rows.map((r) => [r.person_id, r.digest]));
};
