// SPDX-License-Identifier: MIT
/**
 * The indicator pages from stored units against the per-request computation over every child, on a
 * generated partnership: every indicator's trend, breakdowns, own groups and children counted, the
 * children behind a number, disproportionality and the board report's figures are the same. After one
 * child's change, only that child's units are counted again, and they equal a whole recount's.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccessContext } from "../data/access-context.ts";
import { repositoryFor } from "../data/repository.ts";
import { withPartnershipScope } from "../db/database.ts";
import { todayInEngland } from "../kernel/calendar.ts";
import { ETHNICITY_CODES, SEX_CODES } from "../people/codes.ts";
import { accessContextFor } from "../test-support/harness.ts";
import { database, partnership, useTestApp } from "../test-support/test-app.ts";
import { recordedPopulation } from "./board-settings.ts";
import { planFullRecount } from "./full-recount.ts";
import { loadChildren } from "./loader.ts";
import {
  type ChildModel,
  lastCompleteQuarterEnd,
  lastCompleteYearEnd,
  type Period,
  recentQuarters,
  recentYears,
} from "./model.ts";
import {
  breakdownOf,
  compute,
  disproportionality,
  INDICATORS,
  indicatorById,
  ownGroupsOf,
} from "./registry.ts";
import { dashboardAsOf } from "./snapshots.ts";
import { refreshUnits } from "./stored-units.ts";
import { planRecount } from "./unit-recount.ts";
import { storedPeriods, type UnitRow, unitRowsOf } from "./unit-rows.ts";

const ON = "2026-06-15";

let analyst: AccessContext;

const everyChild = () =>
  withPartnershipScope(database, partnership.partnershipId, (trx) => loadChildren(trx));

const populationOf = (children: readonly ChildModel[]) => (year: number) =>
  recordedPopulation(children, `${year}-03-31`) || null;

/** Every stored unit row but its place in the computation's order, sorted. */
const storedRows = () =>
  withPartnershipScope(database, partnership.partnershipId, async (trx) =>
    (
      await trx
        .selectFrom("indicator_units")
        .select([
          "indicator_id",
          "period_key",
          "person_id",
          "unit_index",
          "num",
          "den",
          "x",
          "unit_group",
          "age_band",
          "sex",
          "ethnicity",
          "disability",
          "area",
          "agencies",
          "team",
          "level",
        ])
        .execute()
    )
      .map((r) => JSON.stringify(r))
      .sort(),
  );

/** The partnership's kept counts of units, without the indicators and periods that count none. */
const storedCounts = () =>
  withPartnershipScope(database, partnership.partnershipId, async (trx) =>
    (
      await trx
        .selectFrom("indicator_unit_counts")
        .select(["as_of", "indicator_id", "period_key", "num", "den"])
        .where((eb) => eb.or([eb("num", ">", 0), eb("den", ">", 0)]))
        .orderBy("as_of")
        .orderBy("indicator_id")
        .orderBy("period_key")
        .execute()
    ).map((r) => ({ ...r })),
  );

/** The same counts, counted from the stored units. */
const countedInSql = () =>
  withPartnershipScope(database, partnership.partnershipId, async (trx) =>
    (
      await trx
        .selectFrom("indicator_units")
        .select((eb) => [
          "as_of",
          "indicator_id",
          "period_key",
          eb.fn.count<number>("person_id").filterWhere("num", "=", true).as("num"),
          eb.fn.count<number>("person_id").filterWhere("den", "=", true).as("den"),
        ])
        .groupBy(["as_of", "indicator_id", "period_key"])
        .orderBy("as_of")
        .orderBy("indicator_id")
        .orderBy("period_key")
        .execute()
    ).map((r) => ({ ...r, num: Number(r.num), den: Number(r.den) })),
  );

useTestApp({ children: 250, app: false }, async () => {
  analyst = await accessContextFor(database, partnership, "analyst");
  const saved = await repositoryFor(database, analyst).indicators.saveBoardSettings(
    { authorityCode: "852", populationBasis: "recorded", strategyNames: {}, targets: {} },
    "Count rates against the children recorded",
  );
  assert.ok(saved.ok, JSON.stringify(saved));
});

describe("indicator pages from stored units", () => {
  it("equal the computation over every child: trend, breakdowns, own groups and children counted", async () => {
    const children = await everyChild();
    const population = populationOf(children);
    const byId = new Map(children.map((c) => [c.personId, c]));
    const repo = repositoryFor(database, analyst).indicators;
    const period = recentYears(lastCompleteYearEnd(ON), 1)[0] as Period;
    const figure = (indicator: (typeof INDICATORS)[number], p: Period) => {
      const { units: _u, ...f } = compute(indicator, children, p, population(p.year));
      return f;
    };
    for (const indicator of INDICATORS) {
      const current = compute(indicator, children, period, population(period.year));
      for (const breakdown of [undefined, ...indicator.breakdowns]) {
        const page = await repo.indicator(indicator.id, { on: ON, breakdown });
        assert.ok(page, indicator.id);
        const at = `${indicator.id} by ${breakdown ?? "nothing"}`;
        assert.deepEqual(page.figure, figure(indicator, period), at);
        assert.deepEqual(
          page.years.map((y) => y.figure),
          recentYears(lastCompleteYearEnd(ON), 5).map((p) => figure(indicator, p)),
          at,
        );
        assert.deepEqual(
          page.quarters.map((q) => q.figure),
          recentQuarters(lastCompleteQuarterEnd(ON), 8).map((p) => figure(indicator, p)),
          at,
        );
        assert.deepEqual(
          page.breakdown?.map(({ label: _l, ...row }) => row),
          breakdown ? breakdownOf(indicator, current.units, byId, breakdown, period.end) : undefined,
          at,
        );
        assert.deepEqual(page.groups, ownGroupsOf(indicator, current.units), at);
        assert.equal(page.children, current.units.filter((u) => u.num).length, at);
      }
    }
  });

  it("list the same children behind a number, for the whole partnership and for an agency", async () => {
    const children = await everyChild();
    const period = recentQuarters(lastCompleteQuarterEnd(todayInEngland()), 1)[0] as Period;
    const byId = new Map(children.map((c) => [c.personId, c]));
    const manager = await accessContextFor(database, partnership, "manager", "childrens-social-care");
    const agencyChildren = await withPartnershipScope(database, partnership.partnershipId, async (trx) =>
      (
        await trx
          .selectFrom("involvements")
          .select("person_id")
          .where("agency_id", "=", manager.agencyId)
          .execute()
      ).map((r) => r.person_id),
    );
    const ofAgency = children.filter((c) => agencyChildren.includes(c.personId));
    for (const id of ["cp-neglect-children", "referrals", "cin-at-31-march", "cp-at-31-march"]) {
      const indicator = indicatorById(id);
      assert.ok(indicator);
      for (const [context, list] of [
        [analyst, children],
        [manager, ofAgency],
      ] as const) {
        const { units } = compute(indicator, list, period, null);
        const all = await repositoryFor(database, context).indicators.drillDown(id, period.key);
        assert.equal(all?.total, new Set(units.filter((u) => u.num).map((u) => u.personId)).size, id);
        assert.equal((all?.visible.length ?? 0) + (all?.hidden ?? 0), all?.total);
        for (const group of breakdownOf(indicator, units, byId, "sex", period.end)) {
          const some = await repositoryFor(database, context).indicators.drillDown(id, period.key, {
            breakdown: "sex",
            key: group.key,
          });
          assert.equal(some?.total, group.personIds.length, `${id} ${group.key}`);
          for (const child of some?.visible ?? []) assert.ok(group.personIds.includes(child.person_id));
        }
      }
    }
  });

  it("give the same disproportionality and board report figures", async () => {
    const children = await everyChild();
    const population = populationOf(children);
    const repo = repositoryFor(database, analyst).indicators;
    const period = recentYears(lastCompleteYearEnd(ON), 1)[0] as Period;
    const shown = await repo.disproportionality(period.key, ON);
    const indicator = indicatorById("cp-neglect-children");
    assert.ok(shown && indicator);
    const counted = new Set(compute(indicator, children, period, null).units.map((u) => u.personId));
    const onPlans = children.filter((c) => counted.has(c.personId));
    const aged = children.filter(
      (c) =>
        c.dateOfBirth !== null &&
        c.dateOfBirth <= period.end &&
        c.dateOfBirth > `${Number(period.end.slice(0, 4)) - 18}${period.end.slice(4)}`,
    );
    assert.equal(shown.counted, onPlans.length);
    assert.equal(shown.population, aged.length);
    assert.equal(shown.overall.population, population(period.year));
    const names = (codes: Record<string, string>) => (c: string) => codes[c] ?? c;
    assert.deepEqual(
      shown.ethnicity,
      disproportionality(onPlans, aged, (c) =>
        c.ethnicity ? names(ETHNICITY_CODES)(c.ethnicity) : "Not recorded",
      ),
    );
    assert.deepEqual(
      shown.sex,
      disproportionality(onPlans, aged, (c) => names(SEX_CODES)(c.sex)),
    );
    assert.deepEqual(
      shown.disability,
      disproportionality(onPlans, aged, (c) => (c.disabled ? "Disabled" : "Not recorded as disabled")),
    );

    const quarter = recentQuarters(lastCompleteQuarterEnd(todayInEngland()), 1)[0] as Period;
    const report = await repo.boardReport(quarter.key);
    assert.ok(report);
    for (const row of report.rows) {
      for (const point of [...row.quarters, ...row.years]) {
        const { units: _u, ...expected } = compute(
          row.indicator,
          children,
          point.period,
          population(point.period.year),
        );
        assert.deepEqual(point.figure, expected, `${row.indicator.id} ${point.period.key}`);
      }
    }
  });

  it("after one child's change, count only that child again, equal to a whole recount", async () => {
    const asOf = dashboardAsOf(todayInEngland());
    const refresh = (full?: boolean) =>
      withPartnershipScope(database, partnership.partnershipId, (trx) =>
        refreshUnits(trx, partnership.partnershipId, asOf, { full }),
      );
    await refresh();
    assert.equal((await refresh()).how, "current", "nothing changed");
    const socialWorker = await accessContextFor(
      database,
      partnership,
      "practitioner",
      "childrens-social-care",
    );
    const child = (
      await database.unsafeOwnerDb
        .selectFrom("involvements")
        .select("person_id")
        .where("partnership_id", "=", partnership.partnershipId)
        .where("agency_id", "=", socialWorker.agencyId)
        .orderBy("person_id")
        .executeTakeFirstOrThrow()
    ).person_id;
    const opened = await repositoryFor(database, socialWorker).pathways.openReferral(child, {
      referralDate: quarterDay(asOf),
      source: "2A",
      workerUserId: null,
    });
    assert.ok(opened.ok, JSON.stringify(opened));
    const changed = await refresh();
    assert.equal(changed.how, "changed");
    const incremental = await storedRows();
    const incrementalCounts = await storedCounts();
    assert.deepEqual(incrementalCounts, await countedInSql(), "the kept counts were adjusted by the child's");
    assert.equal((await refresh(true)).how, "full");
    assert.deepEqual(incremental, await storedRows());
    assert.deepEqual(incrementalCounts, await storedCounts(), "a whole recount keeps the same counts");
  });

  it("works out the units in runs of children exactly as all at once, order included", async () => {
    const children = await everyChild();
    const periods = storedPeriods(dashboardAsOf(todayInEngland()));
    const whole = [...unitRowsOf(children, periods)];
    const ordBefore = new Map<string, number>();
    const inRuns = [];
    for (let i = 0; i < children.length; i += 7)
      inRuns.push(...unitRowsOf(children.slice(i, i + 7), periods, ordBefore));
    const key = (r: UnitRow) => `${r.indicator_id}|${r.period_key}|${r.person_id}|${r.unit_index}`;
    const sorted = (rows: UnitRow[]) => rows.sort((a, b) => (key(a) < key(b) ? -1 : 1));
    assert.ok(whole.length > 1000, "the partnership has units to compare");
    assert.deepEqual(sorted(inRuns), sorted(whole));
  });

  it("plans a full recount on two threads exactly as on one, from no units and from those stored", async () => {
    const asOf = dashboardAsOf(todayInEngland());
    const periods = storedPeriods(asOf);
    const p = partnership.partnershipId;
    const stored = await withPartnershipScope(database, p, async (trx) =>
      (await trx.selectFrom("indicator_unit_children").selectAll().execute()).map(
        ({ partnership_id, person_id, ...row }) => [person_id, row] as const,
      ),
    );
    const key = (r: UnitRow) => `${r.indicator_id}|${r.period_key}|${r.person_id}|${r.unit_index}`;
    for (const from of [new Map(), new Map(stored)]) {
      const [two, one] = await withPartnershipScope(database, p, async (trx) => [
        await planFullRecount(trx, periods, from, asOf, { twoThreadsFrom: 0 }),
        planRecount(await loadChildren(trx), periods, from, asOf),
      ]);
      assert.equal(two.threads, 2, "the worker thread took its part");
      const { threads, ...plan } = two;
      assert.ok(
        from.size > 0 || plan.units.length > 1000,
        "from no units, every unit is planned to be written",
      );
      plan.units.sort((a, b) => (key(a) < key(b) ? -1 : 1));
      one.units.sort((a, b) => (key(a) < key(b) ? -1 : 1));
      assert.deepEqual(plan, one);
    }
  });

  it("plans a full recount on this thread alone when the worker fails", async () => {
    const asOf = dashboardAsOf(todayInEngland());
    const periods = storedPeriods(asOf);
    const [fallen, one] = await withPartnershipScope(database, partnership.partnershipId, async (trx) => [
      await planFullRecount(trx, periods, new Map(), asOf, {
        twoThreadsFrom: 0,
        workerEntry: new URL("./no-such-worker.ts", import.meta.url),
      }),
      planRecount(await loadChildren(trx), periods, new Map(), asOf),
    ]);
    const { threads, ...plan } = fallen;
    assert.equal(threads, 1);
    assert.deepEqual(plan, one);
  });

  it("a full recount over stored units ends exactly as a recount from none, order included", async () => {
    const asOf = dashboardAsOf(todayInEngland());
    const p = partnership.partnershipId;
    const refresh = () =>
      withPartnershipScope(database, p, (trx) => refreshUnits(trx, p, asOf, { full: true }));
    const everyRow = () =>
      withPartnershipScope(database, p, async (trx) =>
        (await trx.selectFrom("indicator_units").selectAll().execute()).map((r) => JSON.stringify(r)).sort(),
      );
    const counted = () =>
      withPartnershipScope(database, p, async (trx) =>
        (await trx.selectFrom("indicator_unit_children").selectAll().execute())
          .map((r) => JSON.stringify(r))
          .sort(),
      );
    // The units stored by the tests before (one child's counted again on its own) are brought up to date.
    assert.equal((await refresh()).how, "full");
    const [over, overChildren] = [await everyRow(), await counted()];
    assert.deepEqual(await storedCounts(), await countedInSql());
    const tables = [
      "indicator_units",
      "indicator_unit_children",
      "indicator_unit_counts",
      "indicator_unit_sets",
    ] as const;
    for (const table of tables)
      await database.unsafeOwnerDb.deleteFrom(table).where("partnership_id", "=", p).execute();
    assert.equal((await refresh()).how, "full");
    assert.deepEqual(over, await everyRow());
    assert.deepEqual(overChildren, await counted());
    assert.deepEqual(await storedCounts(), await countedInSql());
  });
});

/** A day inside the quarter ending on a day. */
const quarterDay = (quarterEnd: string) => `${quarterEnd.slice(0, 7)}-01`;
