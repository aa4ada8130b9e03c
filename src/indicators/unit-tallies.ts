// SPDX-License-Identifier: MIT
/**
 * Counting the stored indicator units (stored-units.ts brings them up to the records first): each
 * indicator's and period's tallies, the children counted, and the population they were counted over,
 * for the whole partnership or the children one agency has worked with.
 */
import { type RawBuilder, sql } from "kysely";
import type { Trx } from "../data/repository-scope.ts";
import { currentPartnership } from "../kernel/sql.ts";
import type { IsoDate } from "./model.ts";
import type { UnitTally } from "./unit-rows.ts";

/** Whose units a page counts: the whole partnership's, or the children an agency has worked with. */
export type UnitScope = { kind: "partnership" } | { kind: "agency"; agencyId: string };

/** The condition "the unit's child is in the scope", on a person id column. */
export const inScope = (scope: UnitScope, personId: RawBuilder<unknown>): RawBuilder<boolean> =>
  scope.kind === "partnership"
    ? sql<boolean>`true`
    : sql<boolean>`exists (select 1 from involvements i where i.partnership_id = ${currentPartnership}
        and i.agency_id = ${scope.agencyId} and i.person_id = ${personId})`;

/**
 * Each indicator's and period's counted units: numerator and denominator, and for averages the
 * numerator's amounts in the computation's order.
 * @returns Tallies by `${indicatorId}|${periodKey}`.
 */
export const unitTallies = async (
  trx: Trx,
  asOf: IsoDate,
  scope: UnitScope,
  indicatorIds: readonly string[],
  periodKeys: readonly string[],
  averaged: readonly string[],
): Promise<Map<string, UnitTally>> => {
  // Counted apart from the amounts: the whole partnership's counts are kept with the units (migration
  // 0036); an agency's are grouped by hashing, where one ordered aggregate over both sorted every unit
  // row (4.8 of 6 s at 880,000 rows on PGlite). The averages' rows are a few and found by key.
  const counted =
    scope.kind === "partnership"
      ? await sql<{ indicator_id: string; period_key: string; num: number; den: number }>`select
            indicator_id, period_key, num, den from indicator_unit_counts
          where partnership_id = ${currentPartnership} and as_of = ${asOf}::date
            and indicator_id = any(${indicatorIds as string[]}::text[])
            and period_key = any(${periodKeys as string[]}::text[])`.execute(trx)
      : await sql<{ indicator_id: string; period_key: string; num: number; den: number }>`select
        u.indicator_id, u.period_key, count(*) filter (where u.num)::int as num,
        count(*) filter (where u.den)::int as den
      from indicator_units u
      where u.partnership_id = ${currentPartnership} and u.as_of = ${asOf}::date
        and u.indicator_id = any(${indicatorIds as string[]}::text[])
        and u.period_key = any(${periodKeys as string[]}::text[])
        and ${inScope(scope, sql.ref("u.person_id"))}
      group by u.indicator_id, u.period_key`.execute(trx);
  const averages = indicatorIds.filter((id) => averaged.includes(id));
  const amounts =
    averages.length === 0
      ? { rows: [] }
      : await sql<{ indicator_id: string; period_key: string; xs: number[] }>`select u.indicator_id,
            u.period_key, array_agg(coalesce(u.x, 0) order by u.ord, u.person_id, u.unit_index) as xs
          from indicator_units u
          where u.partnership_id = ${currentPartnership} and u.as_of = ${asOf}::date
            and u.indicator_id = any(${averages}::text[])
            and u.period_key = any(${periodKeys as string[]}::text[])
            and u.num and ${inScope(scope, sql.ref("u.person_id"))}
          group by u.indicator_id, u.period_key`.execute(trx);
  const xsOf = new Map(amounts.rows.map((r) => [`${r.indicator_id}|${r.period_key}`, r.xs.map(Number)]));
  return new Map(
    counted.rows.map((r) => {
      const key = `${r.indicator_id}|${r.period_key}`;
      return [key, { num: r.num, den: r.den, xs: xsOf.get(key) ?? [] }];
    }),
  );
};

/** Children aged 0 to 17 on each day among those counted (recordedPopulation, in SQL). */
export const storedRecordedPopulation = async (
  trx: Trx,
  days: readonly IsoDate[],
): Promise<Map<IsoDate, number>> => {
  const out = new Map<IsoDate, number>();
  const distinct = [...new Set(days)];
  if (distinct.length === 0) return out;
  const { rows } = await sql<{
    day: string;
    n: number;
  }>`select d.day::text as day, count(c.person_id)::int as n
      from unnest(${distinct}::date[]) as d(day)
      left join indicator_unit_children c on c.partnership_id = ${currentPartnership} and c.date_of_birth <= d.day
        and extract(year from d.day) - extract(year from c.date_of_birth)
          - case when to_char(d.day, 'MM-DD') < to_char(c.date_of_birth, 'MM-DD') then 1 else 0 end < 18
      group by d.day`.execute(trx);
  for (const r of rows) out.set(r.day, r.n);
  return out;
};

/** How many children the stored units were counted over, in a scope. */
export const storedChildCount = async (trx: Trx, scope: UnitScope): Promise<number> => {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from indicator_unit_children c
      where c.partnership_id = ${currentPartnership} and ${inScope(scope, sql.ref("c.person_id"))}`.execute(
    trx,
  );
  return rows[0]?.n ?? 0;
};
