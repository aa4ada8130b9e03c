// SPDX-License-Identifier: MIT
/**
 * What a full recount of the stored units writes, worked out without I/O from every child's model and
 * the rows stored with each child: the units of the children whose digest changed, the children's rows
 * that differ from those stored, and the whole partnership's counts. Runs on a worker thread during a
 * full recount (recount-worker.ts) and on the caller's thread otherwise.
 */
import type { IndicatorUnitChildTable } from "../db/schema.ts";
import type { ChildModel, IsoDate, Period } from "./model.ts";
import { unitRowsDigest } from "./unit-digests.ts";
import { type UnitRow, unitRowsOf } from "./unit-rows.ts";

/** Children whose units are worked out at a time (unitRowsOf) in a full recount. */
const CHUNK = 2_000;

/** Numerator and denominator counts by `${indicatorId}|${periodKey}`. */
export type Counts = Map<string, { num: number; den: number }>;

/** Adds rows' counts to a tally, or takes them off (by -1). */
export const countRows = (
  counts: Counts,
  rows: Iterable<Pick<UnitRow, "indicator_id" | "period_key" | "num" | "den">>,
  by: 1 | -1 = 1,
) => {
  for (const row of rows) {
    const key = `${row.indicator_id}|${row.period_key}`;
    let count = counts.get(key);
    if (!count) {
      count = { num: 0, den: 0 };
      counts.set(key, count);
    }
    if (row.num) count.num += by;
    if (row.den) count.den += by;
  }
};

/** Each child's units, by person id. */
export const unitsByChild = (rows: Iterable<UnitRow>): Map<string, UnitRow[]> => {
  const byChild = new Map<string, UnitRow[]>();
  for (const row of rows) {
    const own = byChild.get(row.person_id);
    if (own) own.push(row);
    else byChild.set(row.person_id, [row]);
  }
  return byChild;
};

/** A counted child's stored row (migrations 0034 and 0035). */
export type StoredChild = Omit<IndicatorUnitChildTable, "partnership_id" | "person_id">;

/** A counted child's row to write: the child's attributes the pages compare against, and its units' digest. */
export type ChildRow = Pick<
  ChildModel,
  "personId" | "dateOfBirth" | "expectedDateOfBirth" | "sex" | "ethnicity" | "disabled"
> & { digest: string | null };

/** A child's row to write. */
export const childRowOf = (child: ChildModel, digest: string | null): ChildRow => ({
  personId: child.personId,
  dateOfBirth: child.dateOfBirth,
  expectedDateOfBirth: child.expectedDateOfBirth,
  sex: child.sex,
  ethnicity: child.ethnicity,
  disabled: child.disabled,
  digest,
});

/** Whether a child's stored row is already as it would be written. */
const storedAsIs = (row: StoredChild | undefined, child: ChildRow, asOf: IsoDate) =>
  row !== undefined &&
  row.date_of_birth === child.dateOfBirth &&
  row.expected_date_of_birth === child.expectedDateOfBirth &&
  row.sex === child.sex &&
  row.ethnicity === child.ethnicity &&
  row.disabled === child.disabled &&
  row.units_as_of === asOf &&
  row.units_digest === child.digest;

/** What a full recount writes. */
export type RecountPlan = {
  /** Children whose stored units for the quarter end go: their units changed, or they are no longer counted (also how many were rewritten). */
  unitsDeleted: string[];
  /** The new units of the children whose units changed. */
  units: UnitRow[];
  /** Counted children whose stored row is missing or differs (100,000 rows sent to be compared took 1.5 s). */
  childRows: ChildRow[];
  /** Children with a stored row who are no longer counted. */
  childrenGone: string[];
  /** The whole partnership's counts. */
  counts: Counts;
  /** How many children were counted. */
  children: number;
};

/** Some children's units, each child's in one list, with how many units each indicator and period gave. */
export type CountedRun = {
  children: ChildModel[];
  byChild: Map<string, UnitRow[]>;
  given: Map<string, number>;
};

/**
 * Works out some children's units in runs of CHUNK children, their places (`ord`) counted from 0.
 * @param children - Children in the computation's order (the loader's).
 */
export const countUnits = (children: ChildModel[], periods: readonly Period[]): CountedRun => {
  const given = new Map<string, number>();
  const byChild = new Map<string, UnitRow[]>();
  for (let i = 0; i < children.length; i += CHUNK)
    for (const row of unitRowsOf(children.slice(i, i + CHUNK), periods, given)) {
      const own = byChild.get(row.person_id);
      if (own) own.push(row);
      else byChild.set(row.person_id, [row]);
    }
  return { children, byChild, given };
};

/** A part of a recount's plan: some children's. */
export type PartPlan = Omit<RecountPlan, "childrenGone" | "children"> & { counted: string[] };

/**
 * Plans some children's part of a recount: their units moved on by the units of the children before them
 * in the computation (`before`), digested, counted and compared with those stored.
 * @param before - How many units each indicator and period gave before these children.
 * @param stored - The stored rows, of these children at least.
 */
export const planPart = (
  run: CountedRun,
  before: ReadonlyMap<string, number>,
  stored: ReadonlyMap<string, StoredChild>,
  asOf: IsoDate,
): PartPlan => {
  const unitsDeleted: string[] = [];
  const written: UnitRow[][] = [];
  const childRows: ChildRow[] = [];
  const counts: Counts = new Map();
  const counted: string[] = [];
  for (const child of run.children) {
    counted.push(child.personId);
    const own = run.byChild.get(child.personId);
    if (own && before.size > 0)
      for (const row of own) row.ord += before.get(`${row.indicator_id}|${row.period_key}`) ?? 0;
    const digest = own ? unitRowsDigest(own) : null;
    const was = stored.get(child.personId);
    const storedDigest = was?.units_as_of === asOf ? was.units_digest : null;
    if (own) countRows(counts, own);
    // Deleted even when none were stored for the quarter end: a child's units are only ever all its own.
    if (storedDigest !== digest) {
      unitsDeleted.push(child.personId);
      if (own) written.push(own);
    }
    const row = childRowOf(child, digest);
    if (!storedAsIs(was, row, asOf)) childRows.push(row);
  }
  return { unitsDeleted, units: written.flat(), childRows, counts, counted };
};

/** The plan from its parts, in the computation's order, and every stored row. */
export const joinParts = (
  parts: readonly PartPlan[],
  stored: ReadonlyMap<string, StoredChild>,
  asOf: IsoDate,
) => {
  const counted = new Set(parts.flatMap((p) => p.counted));
  const counts: Counts = new Map();
  for (const part of parts)
    for (const [key, { num, den }] of part.counts) {
      const count = counts.get(key);
      if (count) {
        count.num += num;
        count.den += den;
      } else counts.set(key, { num, den });
    }
  const unitsDeleted = parts.flatMap((p) => p.unitsDeleted);
  const childrenGone: string[] = [];
  for (const [personId, row] of stored)
    if (!counted.has(personId)) {
      childrenGone.push(personId);
      if (row.units_as_of === asOf && row.units_digest !== null) unitsDeleted.push(personId);
    }
  return {
    unitsDeleted,
    units: parts.flatMap((p) => p.units),
    childRows: parts.flatMap((p) => p.childRows),
    childrenGone,
    counts,
    children: counted.size,
  } satisfies RecountPlan;
};

/**
 * Plans a full recount on one thread: every child's units worked out, digested, counted and compared with
 * the stored rows.
 * @param children - Every child, in the computation's order (the loader's).
 * @param stored - Every counted child's stored row.
 */
export const planRecount = (
  children: ChildModel[],
  periods: readonly Period[],
  stored: ReadonlyMap<string, StoredChild>,
  asOf: IsoDate,
): RecountPlan => joinParts([planPart(countUnits(children, periods), new Map(), stored, asOf)], stored, asOf);
