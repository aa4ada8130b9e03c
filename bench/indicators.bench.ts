// SPDX-License-Identifier: MIT
/**
 * Measurement at scale: the full indicators dashboard (every indicator's latest year, its last five
 * years and eight quarters, and the benchmarks) for a partnership of 100,000 children with 10 years of
 * social care history, on PGlite and PostgreSQL, three ways:
 * - full recount: the stored figures and units are removed before each run, so every child's units are
 *   computed again from the records and the figures counted from them, as the first view of a quarter does;
 * - recount after one child's change: a referral is opened for one child, then the dashboard waits for
 *   its figures, recounting only that child's units (the background recount after a change);
 * - the indicator pages (a few, with and without a breakdown), the children behind a number,
 *   disproportionality and the board report, each counted from the stored units;
 * - current (repository): the stored figures are current, as the repository method GET /indicators calls;
 * - current (whole page, HTTP): the same through Fastify inject, signed in as the analyst.
 *
 * The baseline, measured in the same run on the same data, is hand-written SQL run as the database owner
 * over csc_events (no access predicates, no audit, no model, no rendering) computing the DfE comparables
 * for all thirteen of the dashboard's periods: CP plans open at the period end and by duration band, CP
 * plans started and the share that were second or subsequent, referrals and re-referrals within 12
 * months, children in need at the period end. The SQL figures must equal Hearth's for every period: the
 * latest year's are printed side by side, and the run fails if any period's differ.
 *
 * Settings: BENCH_INDICATOR_CHILDREN (100000) sizes the partnership, BENCH_INDICATOR_YEARS (10) its years
 * of social care history, BENCH_INDICATOR_ITERATIONS (10) timed runs of the current dashboard after 2
 * warm-up runs, BENCH_INDICATOR_RECOMPUTE_ITERATIONS (3) timed recomputations after 1 warm-up,
 * BENCH_ENGINES (pglite,postgres) the engines run.
 */
import { sql } from "kysely";
import type { AccessContext } from "../src/data/access-context.ts";
import { repositoryFor } from "../src/data/repository.ts";
import { type HearthDatabase, openDatabase } from "../src/db/database.ts";
import { DEFAULT_REFERENCE_DATE, generatePartnership } from "../src/generator/generate-partnership.ts";
import type { Period } from "../src/indicators/model.ts";
import type { Breakdown, Figure } from "../src/indicators/registry.ts";
import { accessContextFor, signInFor, TestClient, testConfig } from "../src/test-support/harness.ts";
import { buildApp } from "../src/web/app.ts";
import { onFreshPostgres, progress, saveResults, type Timing, timeRuns, timestamp } from "./support.ts";

const children = Number(process.env.BENCH_INDICATOR_CHILDREN ?? 100_000);
const historyYears = Number(process.env.BENCH_INDICATOR_YEARS ?? 10);
const iterations = Number(process.env.BENCH_INDICATOR_ITERATIONS ?? 10);
const recomputeIterations = Number(process.env.BENCH_INDICATOR_RECOMPUTE_ITERATIONS ?? 3);
const WARM_UP = 2;
const engines = (process.env.BENCH_ENGINES ?? "pglite,postgres").split(",").map((e) => e.trim());

type Result = {
  database: string;
  measurement: string;
  hearth: Timing;
  baseline: Timing;
  ratio: number;
  size: string;
};
/** The DfE comparables for one year, as numerator (and denominator where the figure is a share). */
type Comparables = Record<string, { numerator: number; denominator: number | null }>;

const time = (work: (i: number) => Promise<unknown>): Promise<Timing> =>
  timeRuns(work, { warmUp: WARM_UP, iterations });
const timeRecompute = (work: (i: number) => Promise<unknown>): Promise<Timing> =>
  timeRuns(work, { warmUp: 1, iterations: recomputeIterations });

/** Indicator pages timed: with and without a breakdown. */
const PAGES: [string, Breakdown | undefined][] = [
  ["referrals", undefined],
  ["cp-neglect-children", "ethnicity"],
  ["cp-duration-2y-plus", "agency"],
  ["rereferral-12m", "area"],
];

/** The comparables the baseline recomputes, by the registry's indicator id. */
const COMPARABLE_IDS = [
  "cp-at-31-march",
  "cp-duration-3m",
  "cp-duration-3-6m",
  "cp-duration-6-12m",
  "cp-duration-1-2y",
  "cp-duration-2y-plus",
  "cp-second-plan",
  "referrals",
  "rereferral-12m",
  "cin-at-31-march",
] as const;

type RawRow = {
  cp_open: string | number;
  band_3m: string | number;
  band_3_6m: string | number;
  band_6_12m: string | number;
  band_1_2y: string | number;
  band_2y_plus: string | number;
  cp_started: string | number;
  cp_second: string | number;
  referrals: string | number;
  rereferrals: string | number;
  cin_open: string | number;
};

/**
 * The comparables for one reporting year in hand-written SQL over csc_events, as the owner. The same
 * definitions as the registry (src/indicators/registry.ts), written directly:
 * - a plan is open on 31 March if it started on or before and has no end on or before (an end after
 *   31 March leaves it open that day); D5's duration bands compare the start with 31 March, months
 *   clamped to the month's last day as both Hearth's addMonths and PostgreSQL's interval arithmetic do;
 * - a re-referral is a referral in the year on or before 12 months after the child's latest earlier
 *   referral (strictly earlier day, any episode: a window over the child's referrals);
 * - a child in need on 31 March has an episode referred on or before it, with no closure on or before it
 *   and not closed with no further action (a referral-nfa event, unless it says the child was not seen).
 * Only children's records that are not merged count, as the loader takes them. Each plan and episode is
 * folded in one grouped pass over its events, so the plan does not hang on the planner's row estimates.
 */
const rawComparables = (database: HearthDatabase, partnershipId: string, period: Period) => {
  const { start, end } = period;
  return sql<RawRow>`
    with ev as not materialized (
      select e.* from csc_events e
      join people k on k.partnership_id = e.partnership_id and k.person_id = e.person_id
      where e.partnership_id = ${partnershipId} and k.kind = 'child' and k.merged_into_person_id is null
    ),
    plans as (
      select case when event_type = 'cp-plan-start' then event_id else subject_id end as plan_id,
        min(occurred_on) filter (where event_type = 'cp-plan-start') as started,
        bool_or(event_type = 'cp-plan-end' and occurred_on <= ${end}::date) as ended
      from ev where event_type in ('cp-plan-start', 'cp-plan-end')
      group by 1
    ),
    open_plans as (
      select started from plans where started <= ${end}::date and not ended
    ),
    episodes as (
      select episode_id, min(person_id::text) as person_id,
        min(occurred_on) filter (where event_type = 'referral') as referred,
        bool_or(event_type = 'closure' and occurred_on <= ${end}::date) as closed,
        bool_or(event_type = 'referral-nfa' and child_seen is distinct from false) as nfa
      from ev group by episode_id
    ),
    refs as (
      select * from (
        select occurred_on, max(occurred_on) over (
            partition by person_id order by occurred_on
            range between unbounded preceding and interval '1 day' preceding) as previous
        from ev where event_type = 'referral' and occurred_on <= ${end}::date
      ) all_referrals
      where occurred_on >= ${start}::date
    )
    select
      (select count(*) from open_plans) as cp_open,
      (select count(*) from open_plans where ${end}::date <= started + interval '3 months') as band_3m,
      (select count(*) from open_plans where ${end}::date > started + interval '3 months'
         and ${end}::date <= started + interval '6 months') as band_3_6m,
      (select count(*) from open_plans where ${end}::date > started + interval '6 months'
         and ${end}::date < started + interval '12 months') as band_6_12m,
      (select count(*) from open_plans where ${end}::date >= started + interval '12 months'
         and ${end}::date < started + interval '24 months') as band_1_2y,
      (select count(*) from open_plans where ${end}::date >= started + interval '24 months') as band_2y_plus,
      (select count(*) from ev where event_type = 'cp-plan-start'
         and occurred_on between ${start}::date and ${end}::date) as cp_started,
      (select count(*) from ev where event_type = 'cp-plan-start' and count > 0
         and occurred_on between ${start}::date and ${end}::date) as cp_second,
      (select count(*) from refs) as referrals,
      (select count(*) from refs where previous is not null
         and occurred_on <= previous + interval '12 months') as rereferrals,
      (select count(distinct person_id) from episodes
        where referred <= ${end}::date and not closed and not nfa) as cin_open`.execute(
    database.unsafeOwnerDb,
  );
};

const asComparables = (row: RawRow): Comparables => {
  const n = (v: string | number) => Number(v);
  const open = n(row.cp_open);
  return {
    "cp-at-31-march": { numerator: open, denominator: null },
    "cp-duration-3m": { numerator: n(row.band_3m), denominator: open },
    "cp-duration-3-6m": { numerator: n(row.band_3_6m), denominator: open },
    "cp-duration-6-12m": { numerator: n(row.band_6_12m), denominator: open },
    "cp-duration-1-2y": { numerator: n(row.band_1_2y), denominator: open },
    "cp-duration-2y-plus": { numerator: n(row.band_2y_plus), denominator: open },
    "cp-second-plan": { numerator: n(row.cp_second), denominator: n(row.cp_started) },
    referrals: { numerator: n(row.referrals), denominator: null },
    "rereferral-12m": { numerator: n(row.rereferrals), denominator: n(row.referrals) },
    "cin-at-31-march": { numerator: n(row.cin_open), denominator: null },
  };
};

const fromFigure = (figure: Figure) => ({ numerator: figure.numerator, denominator: figure.denominator });

/** The SQL's comparables for every period of the dashboard. */
const rawDashboard = async (database: HearthDatabase, partnershipId: string, periods: readonly Period[]) => {
  const out = new Map<string, Comparables>();
  for (const period of periods) {
    const [row] = (await rawComparables(database, partnershipId, period)).rows;
    if (!row) throw new Error(`the SQL returned no row for ${period.label}`);
    out.set(period.key, asComparables(row));
  }
  return out;
};

/** Prints Hearth's and the SQL's figures side by side (when asked); throws if any differs. */
const compareFigures = (
  label: string,
  period: Period,
  hearth: Comparables,
  raw: Comparables,
  print: boolean,
) => {
  const show = (f: { numerator: number; denominator: number | null } | undefined) =>
    f ? (f.denominator === null ? String(f.numerator) : `${f.numerator} / ${f.denominator}`) : "missing";
  if (print) console.log(`\n${label}: DfE comparables for ${period.label}, Hearth beside hand-written SQL`);
  const differences: string[] = [];
  for (const id of COMPARABLE_IDS) {
    const h = show(hearth[id]);
    const r = show(raw[id]);
    if (print)
      console.log(`  ${id.padEnd(22)}${h.padStart(18)}${r.padStart(18)}${h === r ? "" : "  DIFFERENT"}`);
    if (h !== r) differences.push(`${period.label} ${id}: Hearth ${h}, SQL ${r}`);
  }
  if (differences.length > 0)
    throw new Error(`${label}: Hearth's comparables differ from the SQL's: ${differences.join("; ")}`);
};

const count = async (
  database: HearthDatabase,
  table: "people" | "csc_events" | "chronology_events",
  p: string,
) =>
  Number(
    (
      await database.unsafeOwnerDb
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as("count"))
        .where("partnership_id", "=", p)
        .executeTakeFirstOrThrow()
    ).count,
  );

const benchmarkEngine = async (label: string, database: HearthDatabase): Promise<Result[]> => {
  progress(`${label}: generating a partnership of ${children.toLocaleString()} children`);
  let lastShown = 0;
  const partnership = await generatePartnership(database, {
    seed: "bench-indicators",
    children,
    historyYears,
    name: "Bench",
    onProgress: (done, total) => {
      const percent = Math.floor((done / total) * 100);
      if (percent >= lastShown + 10) {
        lastShown = percent;
        progress(`${label}: generated ${percent}%`);
      }
    },
  });
  const p = partnership.partnershipId;
  const analyst = signInFor(partnership, "analyst");
  const user = await database.unsafeOwnerDb
    .selectFrom("users")
    .select(["agency_id", "team_id"])
    .where("partnership_id", "=", p)
    .where("user_id", "=", analyst.userId)
    .executeTakeFirstOrThrow();
  const context: AccessContext = {
    partnershipId: p,
    userId: analyst.userId,
    role: "analyst",
    agencyId: user.agency_id,
    teamId: user.team_id,
    sessionId: null,
    ip: "127.0.0.1",
  };
  const repo = repositoryFor(database, context);
  const app = await buildApp({ config: testConfig(), database });
  await app.ready();
  const client = new TestClient(app);
  await client.signIn(analyst.email);

  const [people, cscEvents, chronology] = await Promise.all([
    count(database, "people", p),
    count(database, "csc_events", p),
    count(database, "chronology_events", p),
  ]);
  const size = `${people.toLocaleString()} people; ${cscEvents.toLocaleString()} social care events over ${historyYears} years to ${DEFAULT_REFERENCE_DATE}; ${chronology.toLocaleString()} chronology entries`;
  progress(`${label}: ${size}`);

  // The figures first, once: Hearth's for every period of the dashboard beside the SQL's.
  const dashboard = await repo.indicators.dashboard();
  if (!dashboard) throw new Error("the analyst sees no dashboard");
  const referralsRow = dashboard.rows.find((r) => r.indicator.id === "referrals");
  if (!referralsRow) throw new Error("the dashboard has no referrals row");
  const periods = [...referralsRow.years, ...referralsRow.quarters].map((point) => point.period);
  const latest = referralsRow.latest.period;
  const raw = await rawDashboard(database, p, periods);
  for (const period of periods) {
    const hearthFigures: Comparables = {};
    for (const row of dashboard.rows)
      if ((COMPARABLE_IDS as readonly string[]).includes(row.indicator.id)) {
        const point = [...row.years, ...row.quarters].find((x) => x.period.key === period.key);
        if (point) hearthFigures[row.indicator.id] = fromFigure(point.figure);
      }
    const rawFigures = raw.get(period.key);
    if (!rawFigures) throw new Error(`no SQL figures for ${period.label}`);
    compareFigures(label, period, hearthFigures, rawFigures, period.key === latest.key);
  }
  console.log(`${label}: all ${periods.length} periods' comparables equal the SQL's`);

  const results: Result[] = [];
  const record = (measurement: string, hearth: Timing, baseline: Timing) => {
    results.push({ database: label, measurement, hearth, baseline, ratio: hearth.p50 / baseline.p50, size });
  };
  progress(`${label}: hand-written SQL, ${periods.length} periods`);
  const rawTiming = await time(() => rawDashboard(database, p, periods));
  progress(`${label}: dashboard recomputed from the records`);
  // A full recount: the stored figures and the stored units are both forgotten.
  const forgetFigures = async () => {
    await database.unsafeOwnerDb.deleteFrom("indicator_snapshots").where("partnership_id", "=", p).execute();
    await database.unsafeOwnerDb.deleteFrom("indicator_unit_sets").where("partnership_id", "=", p).execute();
  };
  record(
    "full recount (repository)",
    await timeRecompute(async () => {
      await forgetFigures();
      await repo.indicators.dashboard();
    }),
    rawTiming,
  );
  progress(`${label}: dashboard, figures current (repository)`);
  record("dashboard current (repository)", await time(() => repo.indicators.dashboard()), rawTiming);
  progress(`${label}: recount after one child's change`);
  const socialWorker = await accessContextFor(database, partnership, "practitioner", "childrens-social-care");
  const changed = await database.unsafeOwnerDb
    .selectFrom("people")
    .select("person_id")
    .where("partnership_id", "=", p)
    .where("kind", "=", "child")
    .where("merged_into_person_id", "is", null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("involvements as i")
          .select("i.person_id")
          .whereRef("i.person_id", "=", "people.person_id")
          .where("i.agency_id", "=", socialWorker.agencyId),
      ),
    )
    .orderBy("person_id")
    .limit(WARM_UP + iterations)
    .execute();
  record(
    "recount after one child's change",
    await time(async (i) => {
      const child = changed[i % changed.length]?.person_id ?? "";
      const opened = await repositoryFor(database, socialWorker).pathways.openReferral(child, {
        referralDate: DEFAULT_REFERENCE_DATE,
        source: "2A",
        workerUserId: null,
      });
      if (!opened.ok) throw new Error(`the referral was refused: ${JSON.stringify(opened)}`);
      const after = await repo.indicators.dashboard(undefined, { wait: true });
      if (after?.freshness.refreshing !== false) throw new Error("the figures were not recounted");
    }),
    rawTiming,
  );
  const pageOf = (id: string, breakdown?: Breakdown) => async () => {
    const page = await repo.indicators.indicator(id, { breakdown });
    if (!page) throw new Error(`no page for ${id}`);
  };
  for (const [id, breakdown] of PAGES) {
    progress(`${label}: indicator page ${id}${breakdown ? ` by ${breakdown}` : ""}`);
    record(`page ${id}${breakdown ? ` by ${breakdown}` : ""}`, await time(pageOf(id, breakdown)), rawTiming);
  }
  progress(`${label}: children behind a number, disproportionality, board report`);
  record(
    "page drill-down cp-neglect",
    await time(() => repo.indicators.drillDown("cp-neglect-children", latest.key)),
    rawTiming,
  );
  record("page disproportionality", await time(() => repo.indicators.disproportionality()), rawTiming);
  const quarter = referralsRow.quarters.at(-1)?.period.key ?? "";
  record(
    "board report (repository)",
    await timeRecompute(async () => {
      if (!(await repo.indicators.boardReport(quarter))) throw new Error("no board report");
    }),
    rawTiming,
  );
  progress(`${label}: dashboard (whole page, HTTP)`);
  record(
    "dashboard current (page, HTTP)",
    await time(async () => {
      const response = await client.get("/indicators");
      if (response.statusCode !== 200) throw new Error(`the dashboard answered ${response.statusCode}`);
    }),
    rawTiming,
  );
  await app.close();
  return results;
};

const stamp = timestamp();
console.log(
  `Hearth indicators dashboard benchmark ${stamp}: ${children.toLocaleString()} children with ${historyYears} years of social care history; ${iterations} timed runs after ${WARM_UP} warm-up (recomputation: ${recomputeIterations} after 1)`,
);
const results: Result[] = [];
if (engines.includes("pglite")) {
  const pglite = await openDatabase({ engine: "pglite", dataDir: undefined });
  try {
    results.push(...(await benchmarkEngine("PGlite", pglite)));
  } finally {
    await pglite.close();
  }
}
if (engines.includes("postgres")) {
  const onPostgres = await onFreshPostgres(
    `hearth_bench_indicators_${stamp}`,
    (database) => benchmarkEngine("PostgreSQL", database),
    (error) => error instanceof Error && /comparables differ/.test(error.message),
  );
  if (onPostgres) results.push(...onPostgres);
}

const pad = (value: string, width: number) => value.padEnd(width);
const num = (value: number) => value.toFixed(2).padStart(10);
console.log(
  `\n${pad("database", 11)}${pad("measurement", 32)}${"p50 ms".padStart(10)}${"p95 ms".padStart(10)}  ${"SQL p50".padStart(10)}${"SQL p95".padStart(10)}  ${"× SQL".padStart(7)}`,
);
for (const r of results) {
  console.log(
    `${pad(r.database, 11)}${pad(r.measurement, 32)}${num(r.hearth.p50)}${num(r.hearth.p95)}  ${num(r.baseline.p50)}${num(r.baseline.p95)}  ${(r.ratio < 1 ? r.ratio.toPrecision(2) : r.ratio.toFixed(1)).padStart(7)}`,
  );
}
const sizes = [...new Set(results.map((r) => `${r.database}: ${r.size}`))];
console.log(`\nData: ${sizes.join("; ")}`);
console.log(
  `Results: ${saveResults(`indicators-${stamp}.json`, { stamp, children, iterations, historyYears, results })}`,
);
