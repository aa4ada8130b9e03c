// SPDX-License-Identifier: MIT
/**
 * Running the rules against the records and storing what fired. This is Hearth's own work, not a
 * person's read: it counts every current entry about the family (whichever agency recorded it, restricted
 * or not), because a pattern across agencies is the point. Nothing it reads is returned to a caller; what
 * a person later sees of a signal's entries goes through the access rules (signals-repository.ts).
 *
 * Idempotent: one open signal per rule per child (while a signal waits for a decision, the rule does not
 * fire again for that child, but new entries that keep the pattern going join the open signal), and an entry is counted by a rule for a child once (a unique key on
 * signal_entries); evaluations of the same child take turns (an advisory lock a child, and a whole
 * partnership's evaluation waits for them all and they for it), so two at once cannot both fire. A signal
 * with a decision leaves its entries spent: the rule fires again only on new entries.
 */
import { type Insertable, sql } from "kysely";
import type { AuditEntry } from "../audit/audit-log.ts";
import type { Trx } from "../data/repository-scope.ts";
import type { SignalEntryTable, SignalTable } from "../db/schema.ts";
import { todayInEngland } from "../kernel/calendar.ts";
import { currentPartnership, onKey } from "../kernel/sql.ts";
import { type EvaluationInput, evaluateRules, type SignalEntry, type SignalFinding } from "./evaluate.ts";
import { entriesAbout, familiesOf } from "./family-entries.ts";
import type { SignalRule } from "./rule-schema.ts";
import { signalRules } from "./rules.ts";

export type SignalTrigger = "entry-recorded" | "evaluate-command" | "worklist";

export type FiredSignal = { signalId: string; personId: string; ruleId: string; entries: number };

type AuditWriter = (entry: Omit<AuditEntry, "partnershipId" | "actor" | "ip">) => Promise<void>;

/** How many children are read and evaluated together: a few statements for each batch, not for each child. */
const CHILDREN_PER_BATCH = 500;
/** Evaluations of at most this many children lock each child; larger ones lock the partnership. */
const CHILD_LOCKS_AT_MOST = 32;

type EvaluationOptions = {
  partnershipId: string;
  rules: readonly SignalRule[];
  today: string;
  trigger: SignalTrigger;
  firedBy: string | null;
  audit: AuditWriter;
};

/**
 * Evaluates every rule for each of these people who is a child (not merged into another record), in
 * batches that read the children, their families, their earlier signals and the families' entries in a
 * few statements, and store each new finding with its entries in multi-row inserts. The children are
 * evaluated, and their signals audited, in the order given.
 * @returns The signals that fired now.
 */
const evaluateChildren = async (
  trx: Trx,
  childIds: readonly string[],
  options: EvaluationOptions,
): Promise<FiredSignal[]> => {
  const fired: FiredSignal[] = [];
  for (let i = 0; i < childIds.length; i += CHILDREN_PER_BATCH)
    fired.push(...(await evaluateBatch(trx, childIds.slice(i, i + CHILDREN_PER_BATCH), options)));
  return fired;
};

const evaluateBatch = async (
  trx: Trx,
  ids: readonly string[],
  options: EvaluationOptions,
): Promise<FiredSignal[]> => {
  const records = await trx
    .selectFrom("people")
    .select([
      "person_id",
      "kind",
      "date_of_birth",
      "expected_date_of_birth",
      "date_of_death",
      "merged_into_person_id",
    ])
    .where("partnership_id", "=", currentPartnership)
    .where("person_id", "=", sql<string>`any(${ids}::uuid[])`)
    .execute();
  const byId = new Map(records.map((r) => [r.person_id, r]));
  const children = ids.flatMap((id) => {
    const child = byId.get(id);
    return child?.kind === "child" && !child.merged_into_person_id ? [child] : [];
  });
  if (children.length === 0) return [];
  const childIds = children.map((c) => c.person_id);
  const families = await familiesOf(trx, childIds);
  const everyone = [...new Set([...families.values()].flatMap((f) => f.family))];
  const kinds = new Map(
    everyone.length === 0
      ? []
      : (
          await trx
            .selectFrom("people")
            .select(["person_id", "kind"])
            .where("partnership_id", "=", currentPartnership)
            .where("person_id", "=", sql<string>`any(${everyone}::uuid[])`)
            .execute()
        ).map((p) => [p.person_id, p.kind]),
  );
  const previous = await trx
    .selectFrom("signals as s")
    .leftJoin("signal_entries as se", (j) => onKey(j, "se.signal_id", "s.signal_id"))
    .select([
      "s.signal_id",
      "s.person_id",
      "s.rule_id",
      "se.entry_id",
      sql<boolean>`exists (select 1 from signal_decisions d
        where d.partnership_id = s.partnership_id and d.signal_id = s.signal_id)`.as("decided"),
    ])
    .where("s.partnership_id", "=", currentPartnership)
    .where("s.person_id", "=", sql<string>`any(${childIds}::uuid[])`)
    .execute();
  const previousByChild = new Map<string, typeof previous>();
  for (const p of previous) {
    const list = previousByChild.get(p.person_id) ?? [];
    list.push(p);
    previousByChild.set(p.person_id, list);
  }
  const entriesByPerson = new Map<string, SignalEntry[]>();
  for (const entry of await entriesAbout(trx, everyone)) {
    const list = entriesByPerson.get(entry.personId) ?? [];
    list.push(entry);
    entriesByPerson.set(entry.personId, list);
  }
  const signalRows: Insertable<SignalTable>[] = [];
  const entryRows: Insertable<SignalEntryTable>[] = [];
  const made: { fired: FiredSignal; finding: SignalFinding }[] = [];
  const grown: { signalId: string; personId: string; ruleId: string; added: string[] }[] = [];
  for (const child of children) {
    const childId = child.person_id;
    const family = families.get(childId) ?? { cluster: [], family: [] };
    const mine = previousByChild.get(childId) ?? [];
    const { open, counted, spent } = earlierSignals(mine);
    const input: EvaluationInput = {
      today: options.today,
      childIds: family.cluster,
      child: {
        dateOfBirth: child.date_of_birth,
        expectedDateOfBirth: child.expected_date_of_birth,
        dateOfDeath: child.date_of_death,
      },
      family: family.family.flatMap((personId) => {
        const kind = kinds.get(personId);
        return kind ? [{ personId, kind }] : [];
      }),
      entries: family.family.flatMap((personId) => entriesByPerson.get(personId) ?? []),
    };
    // A rule waiting for a decision does not fire again; new entries that keep its pattern going join the
    // open signal, so whoever decides sees the latest (its own entries may count again, decided ones not).
    for (const finding of evaluateRules(
      options.rules.filter((r) => open.has(r.id)),
      input,
      spent,
    )) {
      const waiting = open.get(finding.ruleId);
      if (!waiting) continue;
      const added = finding.entries.filter((e) => !waiting.entries.has(e.entryId));
      if (added.length === 0) continue;
      entryRows.push(
        ...added.map((e) => ({
          partnership_id: options.partnershipId,
          signal_id: waiting.signalId,
          rule_id: finding.ruleId,
          child_person_id: childId,
          entry_source: e.source,
          entry_id: e.entryId,
          entry_person_id: e.personId,
        })),
      );
      grown.push({
        signalId: waiting.signalId,
        personId: childId,
        ruleId: finding.ruleId,
        added: added.map((e) => e.entryId),
      });
    }
    for (const finding of evaluateRules(
      options.rules.filter((r) => !open.has(r.id)),
      input,
      counted,
    )) {
      const signalId = crypto.randomUUID();
      signalRows.push({
        partnership_id: options.partnershipId,
        signal_id: signalId,
        person_id: childId,
        rule_id: finding.ruleId,
        rule_version: finding.ruleVersion,
        rule_hash: finding.ruleHash,
        window_from: finding.windowFrom,
        window_to: finding.windowTo,
        fired_by: options.firedBy,
        trigger: options.trigger,
      });
      entryRows.push(
        ...finding.entries.map((e) => ({
          partnership_id: options.partnershipId,
          signal_id: signalId,
          rule_id: finding.ruleId,
          child_person_id: childId,
          entry_source: e.source,
          entry_id: e.entryId,
          entry_person_id: e.personId,
        })),
      );
      made.push({
        fired: { signalId, personId: childId, ruleId: finding.ruleId, entries: finding.entries.length },
        finding,
      });
    }
  }
  for (let i = 0; i < signalRows.length; i += 1000)
    await trx
      .insertInto("signals")
      .values(signalRows.slice(i, i + 1000))
      .execute();
  for (let i = 0; i < entryRows.length; i += 5000)
    await trx
      .insertInto("signal_entries")
      .values(entryRows.slice(i, i + 5000))
      .execute();
  for (const { fired, finding } of made)
    await options.audit({
      action: "create",
      recordType: "signal",
      recordId: fired.signalId,
      details: {
        person_id: fired.personId,
        rule_id: finding.ruleId,
        rule_version: finding.ruleVersion,
        trigger: options.trigger,
        entries: finding.entries.map((e) => e.entryId),
      },
    });
  for (const signal of grown)
    await options.audit({
      action: "update",
      recordType: "signal",
      recordId: signal.signalId,
      details: {
        person_id: signal.personId,
        rule_id: signal.ruleId,
        trigger: options.trigger,
        entries_added: signal.added,
      },
    });
  return made.map((m) => m.fired);
};

type EarlierSignalRow = { signal_id: string; rule_id: string; entry_id: string | null; decided: boolean };

/**
 * A child's earlier signals, by rule: the one waiting for a decision (with its entries), every entry any
 * signal counted, and the entries spent by decided signals.
 */
const earlierSignals = (rows: readonly EarlierSignalRow[]) => {
  const open = new Map<string, { signalId: string; entries: Set<string> }>();
  const counted = new Map<string, Set<string>>();
  const spent = new Map<string, Set<string>>();
  const add = (map: Map<string, Set<string>>, ruleId: string, entryId: string) => {
    const set = map.get(ruleId) ?? new Set<string>();
    set.add(entryId);
    map.set(ruleId, set);
  };
  for (const row of rows) {
    if (!row.decided) {
      const waiting = open.get(row.rule_id) ?? { signalId: row.signal_id, entries: new Set<string>() };
      if (row.entry_id) waiting.entries.add(row.entry_id);
      open.set(row.rule_id, waiting);
    }
    if (!row.entry_id) continue;
    add(counted, row.rule_id, row.entry_id);
    if (row.decided) add(spent, row.rule_id, row.entry_id);
  }
  return { open, counted, spent };
};

/**
 * Evaluates every rule for every child in a person's family (a new entry about a mother or a sister can
 * make a pattern for a baby), inside the caller's transaction.
 * @param trx - A transaction scoped to the partnership.
 * @param options - The partnership, the person an entry was recorded about, why evaluation runs, who (if
 *   anyone) made it run, and how to audit each signal made.
 * @returns The signals that fired.
 */
export const evaluateSignalsForFamilyOf = (
  trx: Trx,
  options: {
    partnershipId: string;
    personId: string;
    trigger: SignalTrigger;
    firedBy: string | null;
    audit: AuditWriter;
    today?: string;
    rules?: readonly SignalRule[];
  },
): Promise<FiredSignal[]> => {
  const { personId, ...rest } = options;
  return evaluateSignalsForFamiliesOf(trx, { ...rest, personIds: [personId] });
};

/** Waits until no other evaluation in the partnership is in flight, and holds it off until the transaction ends. */
const takeTurnWithPartnership = async (trx: Trx, partnershipId: string): Promise<void> => {
  await sql`select pg_advisory_xact_lock(hashtext('hearth-signals'), hashtext(${partnershipId}))`.execute(
    trx,
  );
};

/**
 * Waits until no other evaluation of these children (or of the whole partnership) is in flight, and holds
 * them until the transaction ends. One lock a child, not one a partnership: evaluations of different
 * families, one for each chronology entry recorded, then run side by side instead of queueing behind each
 * other. Locks are taken in one order (by key), so two evaluations sharing children cannot deadlock.
 */
const takeTurnsWith = async (trx: Trx, partnershipId: string, childIds: readonly string[]): Promise<void> => {
  // An import's batch may hold thousands of children: more locks than PostgreSQL's lock table is sized
  // for (64 a connection), so a large evaluation takes the partnership's lock, as a whole one does.
  if (childIds.length > CHILD_LOCKS_AT_MOST) return takeTurnWithPartnership(trx, partnershipId);
  await sql`select pg_advisory_xact_lock_shared(hashtext('hearth-signals'), hashtext(${partnershipId}))`.execute(
    trx,
  );
  if (childIds.length === 0) return;
  await sql`select count(pg_advisory_xact_lock(hashtext('hearth-signals-child'), s.key))
    from (select distinct hashtext(id::text) as key from unnest(${childIds}::uuid[]) as id order by 1) s`.execute(
    trx,
  );
};

/**
 * As {@link evaluateSignalsForFamilyOf} for several people at once (an import's batch): every child of
 * their families is evaluated once, however many of the people share a family.
 */
export const evaluateSignalsForFamiliesOf = async (
  trx: Trx,
  options: {
    partnershipId: string;
    personIds: readonly string[];
    trigger: SignalTrigger;
    firedBy: string | null;
    audit: AuditWriter;
    today?: string;
    rules?: readonly SignalRule[];
  },
): Promise<FiredSignal[]> => {
  if (options.personIds.length === 0) return [];
  const roots = [...new Set(options.personIds)];
  const families = await familiesOf(trx, roots);
  const familyIds = new Set<string>();
  for (const root of roots) {
    const ids = families.get(root)?.family ?? [];
    for (const id of ids.length ? ids : [root]) familyIds.add(id);
  }
  const children = await trx
    .selectFrom("people")
    .select("person_id")
    .where("partnership_id", "=", currentPartnership)
    .where("person_id", "=", sql<string>`any(${[...familyIds]}::uuid[])`)
    .where("kind", "=", "child")
    .where("merged_into_person_id", "is", null)
    .orderBy("person_id")
    .execute();
  const childIds = children.map((c) => c.person_id);
  await takeTurnsWith(trx, options.partnershipId, childIds);
  const fired = await evaluateChildren(trx, childIds, {
    partnershipId: options.partnershipId,
    rules: options.rules ?? signalRules(),
    today: options.today ?? todayInEngland(),
    trigger: options.trigger,
    firedBy: options.firedBy,
    audit: options.audit,
  });
  return fired;
};

/**
 * Evaluates every rule for every child of the partnership (`hearth signals evaluate`), a batch of children
 * per call of `progress`.
 */
export const evaluateSignalsForPartnership = async (
  trx: Trx,
  options: {
    partnershipId: string;
    audit: AuditWriter;
    today?: string;
    progress?: (done: number, total: number) => void;
  },
): Promise<FiredSignal[]> => {
  // Every child at once: the partnership's lock, which each family's evaluation takes shared.
  await takeTurnWithPartnership(trx, options.partnershipId);
  const children = await trx
    .selectFrom("people")
    .select("person_id")
    .where("partnership_id", "=", currentPartnership)
    .where("kind", "=", "child")
    .where("merged_into_person_id", "is", null)
    .orderBy("person_id")
    .execute();
  const ids = children.map((c) => c.person_id);
  const fired: FiredSignal[] = [];
  for (let i = 0; i < ids.length; i += CHILDREN_PER_BATCH) {
    const batch = ids.slice(i, i + CHILDREN_PER_BATCH);
    fired.push(
      ...(await evaluateBatch(trx, batch, {
        partnershipId: options.partnershipId,
        rules: signalRules(),
        today: options.today ?? todayInEngland(),
        trigger: "evaluate-command",
        firedBy: null,
        audit: options.audit,
      })),
    );
    options.progress?.(i + batch.length, ids.length);
  }
  return fired;
};
