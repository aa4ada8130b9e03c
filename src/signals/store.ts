// SPDX-License-Identifier: MIT
/**
 * Running the rules against the records and storing what fired. This is Hearth's own work, not a
 * person's read: it counts every current entry about the family (whichever agency recorded it, restricted
 * or not), because a pattern across agencies is the point. Nothing it reads is returned to a caller; what
 * a person later sees of a signal's entries goes through the access rules (signals-repository.ts).
 *
 * Idempotent: one open signal per rule per child (while a signal waits for a decision, the rule does not
 * fire again for that child), and an entry is counted by a rule for a child once (a unique key on
 * signal_entries); evaluations in a partnership take turns (an advisory lock), so two at once cannot both
 * fire. A signal with a decision leaves its entries spent: the rule fires again only on new entries.
 */
import { sql } from "kysely";
import type { AuditEntry } from "../audit/audit-log.ts";
import { todayInEngland } from "../chronology/dates.ts";
import type { Trx } from "../data/repository-scope.ts";
import type { AgencyType } from "../organisation/codes.ts";
import { type EvaluationInput, evaluateRules, type SignalEntry } from "./evaluate.ts";
import type { SignalRule } from "./rule-schema.ts";
import { signalRules } from "./rules.ts";

export type SignalTrigger = "entry-recorded" | "evaluate-command" | "worklist";

export type FiredSignal = { signalId: string; personId: string; ruleId: string; entries: number };

type AuditWriter = (entry: Omit<AuditEntry, "partnershipId" | "actor" | "ip">) => Promise<void>;

/** The person, everyone merged into them, everyone sharing a household with them, and their relations. */
const familyIdsOf = async (trx: Trx, personId: string): Promise<string[]> => {
  const rows = await sql<{ person_id: string }>`
    with cluster as (select person_id from hearth_person_cluster(${personId}::uuid))
    select person_id from cluster
    union
    select mc.person_id
      from household_members fa
      join household_members fb on fb.partnership_id = fa.partnership_id and fb.household_id = fa.household_id
        and fb.valid_from <= coalesce(fa.valid_to, 'infinity'::date)
        and fa.valid_from <= coalesce(fb.valid_to, 'infinity'::date)
      cross join lateral hearth_person_cluster(fb.person_id) mc
      where fa.partnership_id = hearth_current_partnership() and fa.person_id in (select person_id from cluster)
    union
    select mc.person_id
      from relationships fr cross join lateral hearth_person_cluster(fr.related_person_id) mc
      where fr.partnership_id = hearth_current_partnership() and fr.person_id in (select person_id from cluster)
    union
    select mc.person_id
      from relationships fr cross join lateral hearth_person_cluster(fr.person_id) mc
      where fr.partnership_id = hearth_current_partnership() and fr.related_person_id in (select person_id from cluster)`.execute(
    trx,
  );
  return rows.rows.map((r) => r.person_id);
};

const uuidList = (ids: readonly string[]) =>
  ids.length ? sql.join(ids.map((id) => sql`${id}::uuid`)) : sql`null::uuid`;

/** Every current entry (not superseded, not retracted) and social care event about these people. */
export const entriesAbout = async (trx: Trx, personIds: readonly string[]): Promise<SignalEntry[]> => {
  if (personIds.length === 0) return [];
  const rows = await sql<{
    entry_id: string;
    source: "agency" | "social-care";
    person_id: string;
    event_type: string;
    code: string | null;
    occurred_on: string;
    agency_type: AgencyType | null;
  }>`
    select e.event_id as entry_id, 'agency' as source, e.person_id, e.event_type, null as code,
      to_char(e.occurred_on, 'YYYY-MM-DD') as occurred_on, a.agency_type
    from chronology_events e
    join agencies a on a.partnership_id = e.partnership_id and a.agency_id = e.source_agency_id
    where e.partnership_id = hearth_current_partnership() and e.person_id in (${uuidList(personIds)})
      and not exists (select 1 from chronology_events s
        where s.partnership_id = e.partnership_id and s.supersedes_event_id = e.event_id)
      and not exists (select 1 from chronology_retractions r
        where r.partnership_id = e.partnership_id and r.event_id = e.event_id)
    union all
    select c.event_id, 'social-care', c.person_id, c.event_type, c.code,
      to_char(c.occurred_on, 'YYYY-MM-DD'), 'childrens-social-care'
    from csc_events c
    where c.partnership_id = hearth_current_partnership() and c.person_id in (${uuidList(personIds)})`.execute(
    trx,
  );
  return rows.rows.map((r) => ({
    entryId: r.entry_id,
    source: r.source,
    personId: r.person_id,
    eventType: r.event_type,
    code: r.code,
    occurredOn: r.occurred_on,
    agencyType: r.agency_type,
  }));
};

/**
 * Evaluates every rule for one child and stores each new finding with its entries.
 * @returns The signals that fired now.
 */
const evaluateChild = async (
  trx: Trx,
  options: {
    partnershipId: string;
    childId: string;
    rules: readonly SignalRule[];
    today: string;
    trigger: SignalTrigger;
    firedBy: string | null;
    audit: AuditWriter;
    /** The child's family, where the caller has just read it (familyIdsOf). */
    familyIds?: string[];
  },
): Promise<FiredSignal[]> => {
  const child = await trx
    .selectFrom("people")
    .select([
      "person_id",
      "kind",
      "date_of_birth",
      "expected_date_of_birth",
      "date_of_death",
      "merged_into_person_id",
    ])
    .where("partnership_id", "=", sql<string>`hearth_current_partnership()`)
    .where("person_id", "=", options.childId)
    .executeTakeFirst();
  if (child?.kind !== "child" || child.merged_into_person_id) return [];
  const familyIds = options.familyIds ?? (await familyIdsOf(trx, options.childId));
  const people = await trx
    .selectFrom("people")
    .select(["person_id", "kind"])
    .where("partnership_id", "=", sql<string>`hearth_current_partnership()`)
    .where("person_id", "in", familyIds)
    .execute();
  const clusterIds = (
    await sql<{
      person_id: string;
    }>`select person_id from hearth_person_cluster(${options.childId}::uuid)`.execute(trx)
  ).rows.map((r) => r.person_id);
  const previous = await trx
    .selectFrom("signals as s")
    .leftJoin("signal_entries as se", (j) =>
      j.onRef("se.partnership_id", "=", "s.partnership_id").onRef("se.signal_id", "=", "s.signal_id"),
    )
    .select([
      "s.rule_id",
      "se.entry_id",
      sql<boolean>`exists (select 1 from signal_decisions d
        where d.partnership_id = s.partnership_id and d.signal_id = s.signal_id)`.as("decided"),
    ])
    .where("s.partnership_id", "=", sql<string>`hearth_current_partnership()`)
    .where("s.person_id", "=", options.childId)
    .execute();
  const open = new Set(previous.filter((p) => !p.decided).map((p) => p.rule_id));
  const counted = new Map<string, Set<string>>();
  for (const p of previous) {
    if (!p.entry_id) continue;
    const set = counted.get(p.rule_id) ?? new Set<string>();
    set.add(p.entry_id);
    counted.set(p.rule_id, set);
  }
  const input: EvaluationInput = {
    today: options.today,
    childIds: clusterIds,
    child: {
      dateOfBirth: child.date_of_birth,
      expectedDateOfBirth: child.expected_date_of_birth,
      dateOfDeath: child.date_of_death,
    },
    family: people.map((p) => ({ personId: p.person_id, kind: p.kind })),
    entries: await entriesAbout(trx, familyIds),
  };
  const findings = evaluateRules(
    options.rules.filter((r) => !open.has(r.id)),
    input,
    counted,
  );
  const fired: FiredSignal[] = [];
  for (const finding of findings) {
    const signalId = crypto.randomUUID();
    await trx
      .insertInto("signals")
      .values({
        partnership_id: options.partnershipId,
        signal_id: signalId,
        person_id: options.childId,
        rule_id: finding.ruleId,
        rule_version: finding.ruleVersion,
        rule_hash: finding.ruleHash,
        window_from: finding.windowFrom,
        window_to: finding.windowTo,
        fired_by: options.firedBy,
        trigger: options.trigger,
      })
      .execute();
    await trx
      .insertInto("signal_entries")
      .values(
        finding.entries.map((e) => ({
          partnership_id: options.partnershipId,
          signal_id: signalId,
          rule_id: finding.ruleId,
          child_person_id: options.childId,
          entry_source: e.source,
          entry_id: e.entryId,
          entry_person_id: e.personId,
        })),
      )
      .execute();
    await options.audit({
      action: "create",
      recordType: "signal",
      recordId: signalId,
      details: {
        person_id: options.childId,
        rule_id: finding.ruleId,
        rule_version: finding.ruleVersion,
        trigger: options.trigger,
        entries: finding.entries.map((e) => e.entryId),
      },
    });
    fired.push({
      signalId,
      personId: options.childId,
      ruleId: finding.ruleId,
      entries: finding.entries.length,
    });
  }
  return fired;
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
  await sql`select pg_advisory_xact_lock(hashtext('hearth-signals'), hashtext(${options.partnershipId}))`.execute(
    trx,
  );
  const familyIds = new Set<string>();
  const families = new Map<string, string[]>();
  for (const personId of new Set(options.personIds)) {
    const ids = await familyIdsOf(trx, personId);
    families.set(personId, ids);
    for (const id of ids.length ? ids : [personId]) familyIds.add(id);
  }
  const children = await trx
    .selectFrom("people")
    .select("person_id")
    .where("partnership_id", "=", sql<string>`hearth_current_partnership()`)
    .where("person_id", "in", [...familyIds])
    .where("kind", "=", "child")
    .where("merged_into_person_id", "is", null)
    .orderBy("person_id")
    .execute();
  const fired: FiredSignal[] = [];
  for (const { person_id } of children)
    fired.push(
      ...(await evaluateChild(trx, {
        partnershipId: options.partnershipId,
        childId: person_id,
        rules: options.rules ?? signalRules(),
        today: options.today ?? todayInEngland(),
        trigger: options.trigger,
        firedBy: options.firedBy,
        audit: options.audit,
        familyIds: families.get(person_id),
      })),
    );
  return fired;
};

/**
 * Evaluates every rule for every child of the partnership (`hearth signals evaluate`), one child per
 * call of `progress`.
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
  await sql`select pg_advisory_xact_lock(hashtext('hearth-signals'), hashtext(${options.partnershipId}))`.execute(
    trx,
  );
  const children = await trx
    .selectFrom("people")
    .select("person_id")
    .where("partnership_id", "=", sql<string>`hearth_current_partnership()`)
    .where("kind", "=", "child")
    .where("merged_into_person_id", "is", null)
    .orderBy("person_id")
    .execute();
  const fired: FiredSignal[] = [];
  let done = 0;
  for (const { person_id } of children) {
    fired.push(
      ...(await evaluateChild(trx, {
        partnershipId: options.partnershipId,
        childId: person_id,
        rules: signalRules(),
        today: options.today ?? todayInEngland(),
        trigger: "evaluate-command",
        firedBy: null,
        audit: options.audit,
      })),
    );
    options.progress?.(++done, children.length);
  }
  return fired;
};
