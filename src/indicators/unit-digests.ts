// SPDX-License-Identifier: MIT
/**
 * Each child's stored units as one digest, worked out from the rows in memory and stored with the child
 * when its units are written (migration 0035), so a full recount rewrites only the children whose units
 * changed: an import, a merge or a change of team recounts every child, yet leaves most children's units
 * as they were, and writing the units (8 or so rows a child, with their indexes) is most of a recount's
 * time.
 *
 * A child's rows are written as one JSON array of each row's fields in one order: JSON quotes and escapes
 * every text and writes every finite number so that it reads back the same, so two children's texts are
 * equal only when every field of every row is. JSON.stringify is native: a quarter quicker than joining
 * the fields by hand (0.42 against 0.55 s for 30,000 children's 263,000 rows).
 */
import { createHash } from "node:crypto";
import type { UnitRow } from "./unit-rows.ts";

/** An amount JSON would not keep exactly (-0, NaN, ±Infinity, which it writes as 0 or null) as text. */
const amountOf = (x: number | null): number | string | null =>
  x === null || (Number.isFinite(x) && !Object.is(x, -0)) ? x : Object.is(x, -0) ? "-0" : String(x);

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

/** A child's rows' digest. */
export const unitRowsDigest = (rows: UnitRow[]): string =>
  createHash("md5")
    .update(
      JSON.stringify(
        rows
          .sort(byKey)
          .map((r) => [
            r.indicator_id,
            r.period_key,
            r.unit_index,
            r.ord,
            r.num ? 1 : 0,
            r.den ? 1 : 0,
            amountOf(r.x),
            r.unit_group,
            r.age_band,
            r.sex,
            r.ethnicity,
            r.disability,
            r.area,
            r.agencies,
            r.team,
            r.level,
          ]),
      ),
      "utf8",
    )
    .digest("hex");
