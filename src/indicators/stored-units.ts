// SPDX-License-Identifier: MIT
/**
 * Stored indicator units (migration 0034): brought up to the records before a page counts them, and
 * counted in SQL. A recount after a change computes only the children whose records changed since the
 * units' version (the audit log's change rows name the records, and each record type names its child);
 * a change the log cannot tie to children (an import, a merge, a user's team, the definitions, a new
 * quarter) recounts every child. One transaction at a time recounts a partnership (an advisory lock).
 * The whole partnership's count of each indicator's and period's units is kept with them (migration
 * 0036): a full recount writes the counts it made, a recount of a few children adjusts them.
 */
import { type RawBuilder, sql } from "kysely";
import { AUDIT_ACTIONS } from "../audit/audit-log.ts";
import type { Trx } from "../data/repository-scope.ts";
import { currentPartnership } from "../kernel/sql.ts";
import { planFullRecount } from "./full-recount.ts";
import { loadChildren } from "./loader.ts";
import type { IsoDate } from "./model.ts";
import { REGISTRY_VERSION } from "./snapshots.ts";
import { unitRowsDigest } from "./unit-digests.ts";
import {
  type ChildRow,
  type Counts,
  childRowOf,
  countRows,
  type RecountPlan,
  type StoredChild,
  unitsByChild,
} from "./unit-recount.ts";
import { storedPeriods, type UnitRow, unitRowsOf } from "./unit-rows.ts";

/** How the units were brought up to date. */
export type UnitRefresh = { how: "current" | "changed" | "full"; children: number };

/** Above this many changed records a whole recount is quicker than looking each one up. */
const MOST_CHANGES_LOOKED_UP = 2000;
/** A full recount that rewrote at least this many children's units, and a tenth of them, analyzes them. */
const ANALYZE_AFTER_CHILDREN = 1000;
/** Rows per insert statement. */
const BATCH = 10_000;

/** Record types whose changes never touch what the indicators count. */
const NOT_COUNTED = new Set([
  "indicator",
  "indicator-commentary",
  "board-report",
  "board-settings",
  "session",
  "notification",
  "need-levels",
  "partnership-settings",
  "sso-provider",
  "sso-group-mapping",
  "training-course",
  "training-session",
  "training-target",
  "training-evaluation",
  "worklist",
  "signal-worklist",
  "signal",
  "signal-decision",
  "alerts",
  "retention-rules",
  "import-mapping",
  "feedback-link",
  "assessment-tool",
  "assessment-tool-version",
]);

/** The table and id column of each record type that belongs to one person (as in the audit trail). */
const PERSON_OF: Record<string, { table: string; id: string; viaEarlyHelp?: true }> = {
  person: { table: "people", id: "person_id" },
  "chronology-event": { table: "chronology_events", id: "event_id" },
  "household-member": { table: "household_members", id: "membership_id" },
  relationship: { table: "relationships", id: "relationship_id" },
  involvement: { table: "involvements", id: "involvement_id" },
  assessment: { table: "assessments", id: "assessment_id" },
  "level-decision": { table: "level_decisions", id: "decision_id" },
  "support-request": { table: "support_requests", id: "request_id" },
  "csc-event": { table: "csc_events", id: "event_id" },
  "early-help": { table: "early_help", id: "early_help_id" },
  "early-help-member": { table: "early_help_members", id: "member_id", viaEarlyHelp: true },
  "early-help-outcome": { table: "early_help_outcomes", id: "outcome_id", viaEarlyHelp: true },
  "early-help-action": { table: "early_help_actions", id: "action_id", viaEarlyHelp: true },
  "early-help-review": { table: "early_help_reviews", id: "review_id", viaEarlyHelp: true },
  supervision: { table: "supervision_records", id: "supervision_id" },
  escalation: { table: "escalations", id: "escalation_id" },
  plan: { table: "plans", id: "plan_id" },
  "casework-record": { table: "casework_records", id: "record_id" },
  authorisation: { table: "authorisations", id: "authorisation_id" },
};

const READ_ONLY = Object.entries(AUDIT_ACTIONS)
  .filter(([, a]) => !a.changesRecords)
  .map(([action]) => action);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The children whose records changed after an audit sequence number, or undefined when a change cannot
 * be tied to children (then every child is recounted).
 */
export const changedChildren = async (trx: Trx, since: number): Promise<string[] | undefined> => {
  const rows = await trx
    .selectFrom("audit_log")
    .select(["record_type", "record_id", "action", sql<string | null>`details->>'person_id'`.as("person_id")])
    .where(sql.ref("partnership_id"), "=", currentPartnership)
    .where("seq", ">", String(since) as never)
    .where("action", "not in", READ_ONLY as never)
    .limit(MOST_CHANGES_LOOKED_UP + 1)
    .execute();
  if (rows.length > MOST_CHANGES_LOOKED_UP) return undefined;
  const people = new Set<string>();
  const byType = new Map<string, string[]>();
  for (const row of rows) {
    if (NOT_COUNTED.has(row.record_type)) continue;
    // A merge moves one child's records to another: the merged record leaves, which no row names.
    if (!PERSON_OF[row.record_type] || row.action.includes("merge")) return undefined;
    if (row.person_id && UUID.test(row.person_id)) people.add(row.person_id);
    byType.set(row.record_type, [...(byType.get(row.record_type) ?? []), row.record_id]);
  }
  for (const [type, ids] of byType) {
    const of = PERSON_OF[type];
    if (!of) return undefined;
    // Looked up by key as uuids (as text, each look-up read every row: 0.3 s in 393,000 social care events).
    if (!ids.every((id) => UUID.test(id))) return undefined;
    const query: RawBuilder<{ person_id: string }> = of.viaEarlyHelp
      ? sql`select eh.person_id from ${sql.table(of.table)} s
          join early_help eh on eh.partnership_id = s.partnership_id and eh.early_help_id = s.early_help_id
          where s.partnership_id = ${currentPartnership} and s.${sql.ref(of.id)} = any(${ids}::uuid[])`
      : sql`select s.person_id from ${sql.table(of.table)} s
          where s.partnership_id = ${currentPartnership} and s.${sql.ref(of.id)} = any(${ids}::uuid[])`;
    const found = await query.execute(trx);
    for (const r of found.rows) people.add(r.person_id);
    // A record the log names that is gone (deleted since) cannot be tied to its child.
    if (type !== "person" && found.rows.length === 0) return undefined;
    if (type === "person") for (const id of ids) people.add(id);
  }
  return [...people];
};

/** Agency keys as a PostgreSQL array literal (each quoted), cast to text[] as each row is inserted. */
const arrayLiteral = (values: readonly string[]) =>
  `{${values.map((a) => `"${a.replace(/["\\]/g, "\\$&")}"`).join(",")}}`;

/**
 * Writes unit rows in statements of up to BATCH rows, each column sent as one array and the rows made
 * by unnest: an array of plain values costs the server far less to read than a JSON object per row.
 */
const insertRows = async (trx: Trx, partnershipId: string, asOf: IsoDate, rows: Iterable<UnitRow>) => {
  const columns = () => ({
    indicator: [] as string[],
    period: [] as string[],
    person: [] as string[],
    index: [] as number[],
    ord: [] as number[],
    num: [] as boolean[],
    den: [] as boolean[],
    x: [] as (number | null)[],
    group: [] as (string | null)[],
    age: [] as string[],
    sex: [] as string[],
    ethnicity: [] as string[],
    disability: [] as string[],
    area: [] as string[],
    agencies: [] as string[],
    team: [] as string[],
    level: [] as string[],
  });
  const write = (c: ReturnType<typeof columns>) =>
    sql`insert into indicator_units (partnership_id, as_of, indicator_id, period_key, person_id, unit_index,
        ord, num, den, x, unit_group, age_band, sex, ethnicity, disability, area, agencies, team, level)
      select ${partnershipId}::uuid, ${asOf}::date, r.indicator_id, r.period_key, r.person_id, r.unit_index,
        r.ord, r.num, r.den, r.x, r.unit_group, r.age_band, r.sex, r.ethnicity, r.disability, r.area,
        r.agencies::text[], r.team, r.level
      from unnest(${c.indicator}::text[], ${c.period}::text[], ${c.person}::uuid[], ${c.index}::integer[],
        ${c.ord}::integer[], ${c.num}::boolean[], ${c.den}::boolean[], ${c.x}::double precision[],
        ${c.group}::text[], ${c.age}::text[], ${c.sex}::text[], ${c.ethnicity}::text[], ${c.disability}::text[],
        ${c.area}::text[], ${c.agencies}::text[], ${c.team}::text[], ${c.level}::text[])
        as r(indicator_id, period_key, person_id, unit_index, ord, num, den, x, unit_group, age_band, sex,
          ethnicity, disability, area, agencies, team, level)`.execute(trx);
  let batch = columns();
  let size = 0;
  for (const row of rows) {
    batch.indicator.push(row.indicator_id);
    batch.period.push(row.period_key);
    batch.person.push(row.person_id);
    batch.index.push(row.unit_index);
    batch.ord.push(row.ord);
    batch.num.push(row.num);
    batch.den.push(row.den);
    batch.x.push(row.x);
    batch.group.push(row.unit_group);
    batch.age.push(row.age_band);
    batch.sex.push(row.sex);
    batch.ethnicity.push(row.ethnicity);
    batch.disability.push(row.disability);
    batch.area.push(row.area);
    batch.agencies.push(arrayLiteral(row.agencies));
    batch.team.push(row.team);
    batch.level.push(row.level);
    if (++size === BATCH) {
      await write(batch);
      batch = columns();
      size = 0;
    }
  }
  if (size > 0) await write(batch);
};

/** The counts' keys split into columns, for unnest. */
const countColumns = (counts: Counts) => {
  const entries = [...counts];
  return {
    indicator: entries.map(([key]) => key.slice(0, key.indexOf("|"))),
    period: entries.map(([key]) => key.slice(key.indexOf("|") + 1)),
    num: entries.map(([, c]) => c.num),
    den: entries.map(([, c]) => c.den),
  };
};

/** Replaces the partnership's stored counts with a whole recount's. */
const writeCounts = async (trx: Trx, partnershipId: string, asOf: IsoDate, counts: Counts) => {
  await sql`delete from indicator_unit_counts where partnership_id = ${currentPartnership}`.execute(trx);
  const c = countColumns(counts);
  await sql`insert into indicator_unit_counts (partnership_id, as_of, indicator_id, period_key, num, den)
      select ${partnershipId}::uuid, ${asOf}::date, r.indicator_id, r.period_key, r.num, r.den
      from unnest(${c.indicator}::text[], ${c.period}::text[], ${c.num}::integer[], ${c.den}::integer[])
        as r(indicator_id, period_key, num, den)`.execute(trx);
};

/**
 * Adds a few children's changes to the stored counts.
 * @param changes - Their new units' counts less their old ones' (read before their units were deleted).
 */
const adjustCounts = async (trx: Trx, partnershipId: string, asOf: IsoDate, changes: Counts) => {
  const c = countColumns(changes);
  if (c.indicator.length === 0) return;
  // Two statements: "on conflict do update" checks the proposed row's constraints first, and a change
  // that takes counts off is negative.
  await sql`insert into indicator_unit_counts as s (partnership_id, as_of, indicator_id, period_key, num, den)
      select ${partnershipId}::uuid, ${asOf}::date, r.indicator_id, r.period_key, 0, 0
      from unnest(${c.indicator}::text[], ${c.period}::text[]) as r(indicator_id, period_key)
      on conflict (partnership_id, as_of, indicator_id, period_key) do nothing`.execute(trx);
  await sql`update indicator_unit_counts s set num = s.num + r.num, den = s.den + r.den
      from unnest(${c.indicator}::text[], ${c.period}::text[], ${c.num}::integer[], ${c.den}::integer[])
        as r(indicator_id, period_key, num, den)
      where s.partnership_id = ${currentPartnership} and s.as_of = ${asOf}::date
        and s.indicator_id = r.indicator_id and s.period_key = r.period_key`.execute(trx);
};

/** Every counted child's stored row, by person id. */
const storedChildren = async (trx: Trx): Promise<Map<string, StoredChild>> => {
  // As JSON in 16 rows, as the loader reads the children: 100,000 rows through the driver took 1.3 s on
  // PGlite.
  const { rows: parts } = await sql<{ items: string }>`select json_agg(json_build_array(person_id,
        date_of_birth, expected_date_of_birth, sex, ethnicity, disabled, units_as_of, units_digest))::text as items
      from indicator_unit_children where partnership_id = ${currentPartnership}
      group by substr(person_id::text, 1, 1)`.execute(trx);
  type Stored = [
    person_id: string,
    date_of_birth: IsoDate | null,
    expected_date_of_birth: IsoDate | null,
    sex: string,
    ethnicity: string | null,
    disabled: boolean,
    units_as_of: IsoDate | null,
    units_digest: string | null,
  ];
  const out = new Map<string, StoredChild>();
  for (const part of parts)
    for (const row of JSON.parse(part.items) as Stored[])
      out.set(row[0], {
        date_of_birth: row[1],
        expected_date_of_birth: row[2],
        sex: row[3],
        ethnicity: row[4],
        disabled: row[5],
        units_as_of: row[6],
        units_digest: row[7],
      });
  return out;
};

/** Writes counted children's rows, leaving a row that is already as it should be. */
const upsertChildRows = async (trx: Trx, partnershipId: string, asOf: IsoDate, rows: readonly ChildRow[]) => {
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    await sql`insert into indicator_unit_children as c (partnership_id, person_id, date_of_birth,
        expected_date_of_birth, sex, ethnicity, disabled, units_as_of, units_digest)
      select ${partnershipId}::uuid, r.person_id, r.date_of_birth, r.expected_date_of_birth, r.sex, r.ethnicity,
        r.disabled, ${asOf}::date, r.units_digest
      from unnest(${batch.map((c) => c.personId)}::uuid[], ${batch.map((c) => c.dateOfBirth)}::date[],
        ${batch.map((c) => c.expectedDateOfBirth)}::date[], ${batch.map((c) => c.sex)}::text[],
        ${batch.map((c) => c.ethnicity)}::text[], ${batch.map((c) => c.disabled)}::boolean[],
        ${batch.map((c) => c.digest)}::text[])
        as r(person_id, date_of_birth, expected_date_of_birth, sex, ethnicity, disabled, units_digest)
      on conflict (partnership_id, person_id) do update set date_of_birth = excluded.date_of_birth,
        expected_date_of_birth = excluded.expected_date_of_birth, sex = excluded.sex,
        ethnicity = excluded.ethnicity, disabled = excluded.disabled, units_as_of = excluded.units_as_of,
        units_digest = excluded.units_digest
      where (c.date_of_birth, c.expected_date_of_birth, c.sex, c.ethnicity, c.disabled, c.units_as_of,
          c.units_digest) is distinct from
        (excluded.date_of_birth, excluded.expected_date_of_birth, excluded.sex, excluded.ethnicity,
          excluded.disabled, excluded.units_as_of, excluded.units_digest)`.execute(trx);
  }
};

/**
 * Writes a full recount's plan (unit-recount.ts): units of another quarter end go, the changed
 * children's units are replaced, and the children's rows and the partnership's counts are written.
 */
const applyRecount = async (trx: Trx, partnershipId: string, asOf: IsoDate, plan: RecountPlan) => {
  // Two ranges, not "<>": the primary key finds them, where "<>" reads every unit row.
  await sql`delete from indicator_units where partnership_id = ${currentPartnership}
      and (as_of < ${asOf}::date or as_of > ${asOf}::date)`.execute(trx);
  if (plan.unitsDeleted.length > 0)
    await sql`delete from indicator_units where partnership_id = ${currentPartnership} and as_of = ${asOf}::date
        and person_id = any(${plan.unitsDeleted}::uuid[])`.execute(trx);
  await insertRows(trx, partnershipId, asOf, plan.units);
  if (plan.childrenGone.length > 0)
    await sql`delete from indicator_unit_children where partnership_id = ${currentPartnership}
        and person_id = any(${plan.childrenGone}::uuid[])`.execute(trx);
  await upsertChildRows(trx, partnershipId, asOf, plan.childRows);
  await writeCounts(trx, partnershipId, asOf, plan.counts);
};

/** The stored units' version against the records' (the latest audited change), for a quarter end. */
const unitState = async (trx: Trx, asOf: IsoDate) => {
  // The records' version is read before the records, so a change committed meanwhile is recounted next time.
  const head = await trx
    .selectFrom("audit_chain_heads")
    .select("last_change_seq")
    .where(sql.ref("partnership_id"), "=", currentPartnership)
    .executeTakeFirst();
  const seq = Number(head?.last_change_seq ?? 0);
  const stored = await trx
    .selectFrom("indicator_unit_sets")
    .select(["as_of", "registry_version", "change_seq", "children"])
    .where(sql.ref("partnership_id"), "=", currentPartnership)
    .executeTakeFirst();
  const same = stored !== undefined && stored.as_of === asOf && stored.registry_version === REGISTRY_VERSION;
  return {
    seq,
    stored,
    same,
    current: same && Number(stored.change_seq) === seq,
    children: stored?.children ?? 0,
  };
};

/**
 * Brings the stored units up to the records as they are now, for figures up to a quarter's end.
 * @param options - `full`: recount every child even when the changes are known.
 */
export const refreshUnits = async (
  trx: Trx,
  partnershipId: string,
  asOf: IsoDate,
  options: { full?: boolean } = {},
): Promise<UnitRefresh> => {
  // Current units need no lock: page views of one partnership do not queue behind each other.
  if (!options.full) {
    const known = await unitState(trx, asOf);
    if (known.current) return { how: "current", children: known.children };
  }
  await sql`select pg_advisory_xact_lock(hashtext('indicator-units:' || ${partnershipId}))`.execute(trx);
  const { seq, stored, same, current: upToDate } = await unitState(trx, asOf);
  if (upToDate && !options.full && stored) return { how: "current", children: stored.children };
  const changed =
    same && stored && !options.full ? await changedChildren(trx, Number(stored.change_seq)) : undefined;
  const periods = storedPeriods(asOf);
  if (stored && changed) {
    const children = await loadChildren(trx, changed);
    const ids = changed.length === 0 ? [] : changed;
    // The deleted units' counts are taken off the kept counts, and the new units' added.
    const changes: Counts = new Map();
    if (ids.length > 0) {
      const deleted = await trx
        .deleteFrom("indicator_units")
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where(sql<boolean>`person_id = any(${ids}::uuid[])`)
        .returning(["as_of", "indicator_id", "period_key", "num", "den"])
        .execute();
      countRows(
        changes,
        deleted.filter((u) => u.as_of === asOf),
        -1,
      );
      await trx
        .deleteFrom("indicator_unit_children")
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where(sql<boolean>`person_id = any(${ids}::uuid[])`)
        .execute();
    }
    const byChild = unitsByChild(unitRowsOf(children, periods));
    const digests = new Map([...byChild].map(([personId, own]) => [personId, unitRowsDigest(own)]));
    const rows = [...byChild.values()].flat();
    countRows(changes, rows);
    await insertRows(trx, partnershipId, asOf, rows);
    await adjustCounts(trx, partnershipId, asOf, changes);
    await upsertChildRows(
      trx,
      partnershipId,
      asOf,
      children.map((c) => childRowOf(c, digests.get(c.personId) ?? null)),
    );
    const count = await trx
      .selectFrom("indicator_unit_children")
      .select(sql<number>`count(*)::int`.as("n"))
      .where(sql.ref("partnership_id"), "=", currentPartnership)
      .executeTakeFirstOrThrow();
    await trx
      .updateTable("indicator_unit_sets")
      .set({ change_seq: seq, children: count.n, computed_at: new Date() })
      .where(sql.ref("partnership_id"), "=", currentPartnership)
      .execute();
    return { how: "changed", children: count.n };
  }
  // Reading every child's records sorts them by child: in memory rather than in temporary files.
  await sql`set local work_mem = '64MB'`.execute(trx);
  const plan = await planFullRecount(trx, periods, await storedChildren(trx), asOf);
  await applyRecount(trx, partnershipId, asOf, plan);
  // The planner's figures for the tables are far off once most units are new (migration 0035).
  const rewritten = plan.unitsDeleted.length;
  if (rewritten >= ANALYZE_AFTER_CHILDREN && rewritten * 10 >= plan.children)
    await sql`select hearth_analyze_indicator_units()`.execute(trx);
  const values = {
    as_of: asOf,
    registry_version: REGISTRY_VERSION,
    period_keys: periods.map((p) => p.key),
    change_seq: seq,
    children: plan.children,
    computed_at: new Date(),
  };
  await trx
    .insertInto("indicator_unit_sets")
    .values({ partnership_id: partnershipId, ...values })
    .onConflict((oc) => oc.column("partnership_id").doUpdateSet(values))
    .execute();
  return { how: "full", children: plan.children };
};
