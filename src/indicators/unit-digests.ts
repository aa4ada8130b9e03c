// SPDX-License-Identifier: MIT
/**
 * Each child's stored units as one digest, worked out from the rows in memory and stored with the child
 * when its units are written (migration 0035), so a full recount rewrites only the children whose units
 * changed: an import, a merge or a change of team recounts every child, yet leaves most children's units
 * as they were, and writing the units (8 or so rows a child, with their indexes) is most of a recount's
 * time.
 *
 * Each row is written as text field by field, text fields prefixed with their length in bytes and the
 * amount x as its eight bytes, so two rows give the same text only when every field is equal; the
 * agencies are uuids (or "No agency involved"), so joining them with commas loses nothing.
 */
import { createHash } from "node:crypto";
import type { UnitRow } from "./unit-rows.ts";

const text = (value: string) => `${Buffer.byteLength(value)}:${value}`;

const amount = Buffer.alloc(8);
const bytesOf = (x: number) => {
  amount.writeDoubleBE(x);
  return amount.toString("hex");
};

/** One order for a child's rows, whatever order they were worked out in. */
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

/** One child's rows as text, in one order: two children's texts are equal only when their rows are. */
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

/** A child's rows' digest. */
export const unitRowsDigest = (rows: UnitRow[]): string =>
  createHash("md5").update(rowsText(rows), "utf8").digest("hex");
