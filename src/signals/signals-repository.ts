// SPDX-License-Identifier: MIT
/**
 * Signals as people meet them: on the lead professional's worklist (or, where a child has no lead
 * professional, the safeguarding lead's of an agency involved), on the signal's page with exactly the
 * entries that fired it that the viewer may see, with the decision a person records (which is written to
 * the child's chronology), on "what is already known" as patterns, and as each rule's measured precision.
 * Every access predicate is in SQL; every view and decision is audited in the same transaction.
 */
import { type RawBuilder, sql } from "kysely";
import { EVENT_TYPES, type EventType } from "../chronology/codes.ts";
import { formatDate, todayInEngland, todayInEnglandSql } from "../chronology/dates.ts";
import { socialCareTitle } from "../chronology/social-care-entries.ts";
import type { AccessContext } from "../data/access-context.ts";
import {
  childVisibleTo,
  eventVisibleTo,
  mayOpenChildRecords,
  mayRecord,
  notArchived,
} from "../data/child-access.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
  type Trx,
} from "../data/repository-scope.ts";
import type { CscEventType } from "../pathways/codes.ts";
import { DISABILITY_CODES, ETHNICITY_CODES, SEX_CODES } from "../people/codes.ts";
import {
  CONFIRMING_DECISIONS,
  SIGNAL_DECISION_CODES,
  SIGNAL_DECISIONS,
  type SignalDecision,
} from "./codes.ts";
import { addMonths } from "./evaluate.ts";
import type { SignalRule } from "./rule-schema.ts";
import { signalRule, signalRules } from "./rules.ts";
import { evaluateSignalsForFamilyOf, type FiredSignal } from "./store.ts";

const current = sql<string>`hearth_current_partnership()`;
const MAX_REASON = 2000;
/** Cells of the precision breakdowns under this are shown as "fewer than 5". */
export const SUPPRESS_UNDER = 5;

export type WorklistSignal = {
  signalId: string;
  personId: string;
  childName: string;
  ruleTitle: string;
  firedAt: Date;
  /** Why it is on this worklist: "You are the lead professional" or "No lead professional". */
  route: "lead" | "no-lead";
};

export type SignalEntryView = {
  entryId: string;
  source: "agency" | "social-care";
  personId: string;
  personName: string;
  isChild: boolean;
  occurredOn: string;
  dateLabel: string;
  typeLabel: string;
  agencyName: string;
  whatHappened: string;
};

export type SignalView = {
  signalId: string;
  personId: string;
  childName: string;
  rule: SignalRule | undefined;
  ruleId: string;
  ruleVersion: number;
  windowFrom: string;
  windowTo: string;
  firedAt: Date;
  entries: SignalEntryView[];
  decisions: {
    decision: SignalDecision;
    label: string;
    reason: string;
    decidedByName: string | null;
    agencyName: string;
    decidedAt: Date;
  }[];
  mayDecide: boolean;
};

/** A child's signals (and their outcomes), for "what is already known". */
export type SignalOutcome = {
  signalId: string;
  personId: string;
  childName: string;
  ruleTitle: string;
  firedAt: Date;
  decision: string | null;
};

export type PatternRow = {
  eventType: string;
  typeLabel: string;
  agencyName: string;
  people: number;
  total: number;
  first: string;
  last: string;
  /** Counts by quarter, oldest first, matching `quarters`. */
  byQuarter: number[];
};

export type FamilyPatterns = {
  quarters: string[];
  rows: PatternRow[];
  signals: SignalOutcome[];
  hiddenMembers: boolean;
};

export type PrecisionCell = { value: number; shown: string };
export type RulePrecision = {
  ruleId: string;
  title: string;
  fired: number;
  decided: number;
  byDecision: { code: SignalDecision; label: string; count: number }[];
  confirmed: number;
  ledToSupport: number;
  breakdowns: {
    name: string;
    groups: { group: string; fired: PrecisionCell; confirmed: PrecisionCell; ledToSupport: PrecisionCell }[];
  }[];
};

const cell = (value: number): PrecisionCell => ({
  value,
  shown: value < SUPPRESS_UNDER ? "fewer than 5" : value.toLocaleString("en-GB"),
});

/** The "under 1", "1 to 4" ... bands of the DfE's children in need statistics; unborn apart. */
export const ageBandAt = (dateOfBirth: string | null, expected: string | null, on: string): string => {
  if (!dateOfBirth) return expected ? "Unborn" : "Not known";
  if (dateOfBirth > on) return "Unborn";
  const years =
    Number(on.slice(0, 4)) - Number(dateOfBirth.slice(0, 4)) - (on.slice(5) < dateOfBirth.slice(5) ? 1 : 0);
  if (years < 1) return "Under 1";
  if (years < 5) return "1 to 4";
  if (years < 10) return "5 to 9";
  if (years < 16) return "10 to 15";
  return "16 and over";
};

const cluster = (ref: RawBuilder<unknown>) => sql`(select person_id from hearth_person_cluster(${ref}))`;

/**
 * SQL: the caller may see at least one entry that fired signal `s` (see #visibleEntries for the rule). A
 * signal fired only by entries the caller may not see (a sibling's they cannot open, or entries restricted
 * to other roles) is not shown to them at all: its rule would tell them what those entries are.
 */
const seesAnEntryOf = (ctx: AccessContext) => sql<boolean>`exists (
  select 1 from signal_entries se
  where se.partnership_id = s.partnership_id and se.signal_id = s.signal_id
    and (se.entry_person_id in ${cluster(sql.ref("s.person_id"))}
      or ${childVisibleTo(ctx, sql.ref("se.entry_person_id"))})
    and (se.entry_source = 'social-care' or exists (
      select 1 from chronology_events e
      where e.partnership_id = se.partnership_id and e.event_id = se.entry_id
        and ${eventVisibleTo(ctx, {
          visibility: sql.ref("e.visibility"),
          restrictedToRoles: sql.ref("e.restricted_to_roles"),
          sourceAgencyId: sql.ref("e.source_agency_id"),
        })}
        and not exists (select 1 from chronology_retractions r
          where r.partnership_id = e.partnership_id and r.event_id = e.event_id))))`;

export class SignalsRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<Exclude<keyof SignalsRepository, never>, MethodAccess> = {
    evaluateFamily: "guarded",
    worklist: "guarded",
    getSignal: "guarded",
    decide: "guarded",
    familyPatterns: "guarded",
    precision: "guarded",
  };

  readonly #scope: RepositoryScope;

  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }

  /**
   * Runs the rules for a person's family now (as recording an entry does), if the caller may open the
   * person's record and record entries. Nothing read is returned: only which signals fired.
   */
  evaluateFamily(personId: string): Promise<ChangeResult<FiredSignal[]>> {
    const ctx = this.#scope.context;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("Your role cannot do this"));
    return this.#scope.run(async (trx) => {
      if (!(await this.#scope.canOpenRecord(trx, personId))) {
        await this.#scope.recordDenial(trx, {
          recordType: "person",
          recordId: personId,
          details: { attempted: "evaluate-signals" },
        });
        return deniedAccess("You cannot open this person's record");
      }
      return done(
        await evaluateSignalsForFamilyOf(trx, {
          partnershipId: ctx.partnershipId,
          personId,
          trigger: "entry-recorded",
          firedBy: ctx.userId,
          audit: (entry) => this.#scope.audit(trx, entry),
        }),
      );
    });
  }

  /** SQL: the caller is the child's lead professional (an open involvement's or early help's). */
  #isLead(person: RawBuilder<unknown>, userId: RawBuilder<unknown> | null) {
    const who = (column: RawBuilder<unknown>) =>
      userId === null ? sql`${column} is not null` : sql`${column} = ${userId}`;
    return sql<boolean>`(exists (select 1 from involvements i
        where i.partnership_id = hearth_current_partnership() and i.person_id in ${cluster(person)}
          and ${who(sql.ref("i.lead_professional_user_id"))}
          and i.started_on <= ${todayInEnglandSql}
          and (i.ended_on is null or i.ended_on >= ${todayInEnglandSql}))
      or exists (select 1 from early_help h
        where h.partnership_id = hearth_current_partnership() and h.person_id in ${cluster(person)}
          and ${who(sql.ref("h.lead_user_id"))} and h.ended_on is null))`;
  }

  /**
   * The open signals (no decision yet) on the caller's worklist: children they are lead professional
   * for; and, for a safeguarding lead, children with no lead professional whom their agency is involved
   * with or recorded a firing entry about, or whom no agency is involved with.
   */
  worklist(): Promise<{ total: number; signals: WorklistSignal[] }> {
    const ctx = this.#scope.context;
    const empty = { total: 0, signals: [] as WorklistSignal[] };
    if (!ctx || !mayRecord(ctx.role) || ctx.role === "front-door") return Promise.resolve(empty);
    return this.#scope.run(async (trx) => {
      const person = sql.ref("s.person_id");
      const mine = this.#isLead(person, sql`${ctx.userId}::uuid`);
      const noLead = sql<boolean>`not ${this.#isLead(person, null)}`;
      const agencyConcerned = sql<boolean>`(exists (select 1 from involvements i
          where i.partnership_id = hearth_current_partnership() and i.person_id in ${cluster(person)}
            and i.agency_id = ${ctx.agencyId}
            and (i.ended_on is null or i.ended_on >= ${todayInEnglandSql}))
        or exists (select 1 from signal_entries se join chronology_events e
            on e.partnership_id = se.partnership_id and e.event_id = se.entry_id
          where se.partnership_id = s.partnership_id and se.signal_id = s.signal_id
            and e.source_agency_id = ${ctx.agencyId})
        or not exists (select 1 from involvements i
          where i.partnership_id = hearth_current_partnership() and i.person_id in ${cluster(person)}
            and (i.ended_on is null or i.ended_on >= ${todayInEnglandSql})))`;
      const routed =
        ctx.role === "safeguarding-lead"
          ? sql<boolean>`(${mine} or (${noLead} and ${agencyConcerned}))`
          : mine;
      const rows = await trx
        .selectFrom("signals as s")
        .innerJoin("people as c", (j) =>
          j.onRef("c.partnership_id", "=", "s.partnership_id").onRef("c.person_id", "=", "s.person_id"),
        )
        .select([
          "s.signal_id",
          "s.person_id",
          "s.rule_id",
          "s.fired_at",
          "c.given_names",
          "c.family_name",
          mine.as("is_mine"),
        ])
        .where("s.partnership_id", "=", current)
        .where(sql<boolean>`not exists (select 1 from signal_decisions d
          where d.partnership_id = s.partnership_id and d.signal_id = s.signal_id)`)
        .where(routed)
        .where(childVisibleTo(ctx, person))
        // An archived record (closed, past retention: src/retention) leaves the worklist.
        .where(notArchived(person))
        .where(seesAnEntryOf(ctx))
        .orderBy("s.fired_at", "desc")
        .limit(200)
        .execute();
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "signal-worklist",
        recordId: ctx.userId,
        details: { signals: rows.map((r) => r.signal_id) },
      });
      return {
        total: rows.length,
        signals: rows.slice(0, 20).map((r) => ({
          signalId: r.signal_id,
          personId: r.person_id,
          childName: `${r.given_names} ${r.family_name}`,
          ruleTitle: signalRule(r.rule_id)?.title ?? r.rule_id,
          firedAt: r.fired_at,
          route: r.is_mine ? ("lead" as const) : ("no-lead" as const),
        })),
      };
    });
  }

  /** The signal row, if the caller may open its child's record. */
  async #visibleSignal(trx: Trx, signalId: string) {
    const ctx = this.#scope.context;
    if (!ctx || !mayOpenChildRecords(ctx.role)) return undefined;
    return trx
      .selectFrom("signals as s")
      .innerJoin("people as c", (j) =>
        j.onRef("c.partnership_id", "=", "s.partnership_id").onRef("c.person_id", "=", "s.person_id"),
      )
      .select([
        "s.signal_id",
        "s.person_id",
        "s.rule_id",
        "s.rule_version",
        "s.window_from",
        "s.window_to",
        "s.fired_at",
        "c.given_names",
        "c.family_name",
      ])
      .where("s.partnership_id", "=", current)
      .where("s.signal_id", "=", signalId)
      .where(childVisibleTo(ctx, sql.ref("s.person_id")))
      .where(seesAnEntryOf(ctx))
      .executeTakeFirst();
  }

  /**
   * The entries that fired a signal which the caller may see: each about a person whose record the caller
   * may open (the child, or a family member on their own account: a relationship never opens a sibling's
   * record), current, and, if restricted, restricted to the caller's role or recorded by their agency.
   */
  async #visibleEntries(trx: Trx, signalId: string, childId: string): Promise<SignalEntryView[]> {
    const ctx = this.#scope.context;
    if (!ctx) return [];
    const personOpen = sql<boolean>`(se.entry_person_id in ${cluster(sql`${childId}::uuid`)}
      or ${childVisibleTo(ctx, sql.ref("se.entry_person_id"))})`;
    const agencyRows = await trx
      .selectFrom("signal_entries as se")
      .innerJoin("chronology_events as e", (j) =>
        j.onRef("e.partnership_id", "=", "se.partnership_id").onRef("e.event_id", "=", "se.entry_id"),
      )
      .innerJoin("agencies as a", (j) =>
        j.onRef("a.partnership_id", "=", "e.partnership_id").onRef("a.agency_id", "=", "e.source_agency_id"),
      )
      .innerJoin("people as p", (j) =>
        j.onRef("p.partnership_id", "=", "e.partnership_id").onRef("p.person_id", "=", "e.person_id"),
      )
      .select([
        "e.event_id",
        "e.person_id",
        "e.occurred_on",
        "e.event_type",
        "e.what_happened",
        "a.name as agency_name",
        "p.given_names",
        "p.family_name",
      ])
      .where("se.partnership_id", "=", current)
      .where("se.signal_id", "=", signalId)
      .where("se.entry_source", "=", "agency")
      .where(personOpen)
      .where(
        eventVisibleTo(ctx, {
          visibility: sql.ref("e.visibility"),
          restrictedToRoles: sql.ref("e.restricted_to_roles"),
          sourceAgencyId: sql.ref("e.source_agency_id"),
        }),
      )
      .where(sql<boolean>`not exists (select 1 from chronology_retractions r
        where r.partnership_id = e.partnership_id and r.event_id = e.event_id)`)
      .execute();
    const careRows = await trx
      .selectFrom("signal_entries as se")
      .innerJoin("csc_events as c", (j) =>
        j.onRef("c.partnership_id", "=", "se.partnership_id").onRef("c.event_id", "=", "se.entry_id"),
      )
      .innerJoin("people as p", (j) =>
        j.onRef("p.partnership_id", "=", "c.partnership_id").onRef("p.person_id", "=", "c.person_id"),
      )
      .select([
        "c.event_id",
        "c.person_id",
        "c.occurred_on",
        "c.event_type",
        "c.code",
        "p.given_names",
        "p.family_name",
      ])
      .where("se.partnership_id", "=", current)
      .where("se.signal_id", "=", signalId)
      .where("se.entry_source", "=", "social-care")
      .where(personOpen)
      .execute();
    const clusterIds = new Set(
      (
        await sql<{
          person_id: string;
        }>`select person_id from hearth_person_cluster(${childId}::uuid)`.execute(trx)
      ).rows.map((r) => r.person_id),
    );
    const views: SignalEntryView[] = [
      ...agencyRows.map((r) => ({
        entryId: r.event_id,
        source: "agency" as const,
        personId: r.person_id,
        personName: `${r.given_names} ${r.family_name}`,
        isChild: clusterIds.has(r.person_id),
        occurredOn: r.occurred_on,
        dateLabel: formatDate(r.occurred_on),
        typeLabel: EVENT_TYPES[r.event_type as EventType]?.label ?? r.event_type,
        agencyName: r.agency_name,
        whatHappened: r.what_happened,
      })),
      ...careRows.map((r) => ({
        entryId: r.event_id,
        source: "social-care" as const,
        personId: r.person_id,
        personName: `${r.given_names} ${r.family_name}`,
        isChild: clusterIds.has(r.person_id),
        occurredOn: r.occurred_on,
        dateLabel: formatDate(r.occurred_on),
        typeLabel: `${socialCareTitle(r.event_type as CscEventType)}${r.code ? ` (${r.code === "NEG" ? "neglect" : r.code})` : ""}`,
        agencyName: "Children's social care",
        whatHappened: "",
      })),
    ];
    return views.sort(
      (a, b) => a.occurredOn.localeCompare(b.occurredOn) || a.entryId.localeCompare(b.entryId),
    );
  }

  /**
   * One signal, with the entries that fired it which the caller may see, and its decisions.
   * @returns undefined if there is no such signal or the caller may not open the child's record (the
   *   route answers 404, which is audited as a refusal).
   */
  getSignal(signalId: string): Promise<SignalView | undefined> {
    const ctx = this.#scope.context;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const signal = await this.#visibleSignal(trx, signalId);
      if (!signal) return undefined;
      const entries = await this.#visibleEntries(trx, signalId, signal.person_id);
      const decisions = await trx
        .selectFrom("signal_decisions as d")
        .innerJoin("agencies as a", (j) =>
          j
            .onRef("a.partnership_id", "=", "d.partnership_id")
            .onRef("a.agency_id", "=", "d.decided_agency_id"),
        )
        .leftJoin("users as u", (j) =>
          j.onRef("u.partnership_id", "=", "d.partnership_id").onRef("u.user_id", "=", "d.decided_by"),
        )
        .select(["d.decision", "d.reason", "d.decided_at", "u.display_name", "a.name as agency_name"])
        .where("d.partnership_id", "=", current)
        .where("d.signal_id", "=", signalId)
        .orderBy("d.decided_at")
        .execute();
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "signal",
        recordId: signalId,
        details: { person_id: signal.person_id, entries_shown: entries.map((e) => e.entryId) },
      });
      return {
        signalId,
        personId: signal.person_id,
        childName: `${signal.given_names} ${signal.family_name}`,
        rule: signalRule(signal.rule_id),
        ruleId: signal.rule_id,
        ruleVersion: signal.rule_version,
        windowFrom: signal.window_from,
        windowTo: signal.window_to,
        firedAt: signal.fired_at,
        entries,
        decisions: decisions.map((d) => ({
          decision: d.decision,
          label: SIGNAL_DECISIONS[d.decision],
          reason: d.reason,
          decidedByName: d.display_name,
          agencyName: d.agency_name,
          decidedAt: d.decided_at,
        })),
        mayDecide: mayRecord(ctx.role),
      };
    });
  }

  /**
   * Records a person's decision on a signal, with the reason, and writes it to the child's chronology as
   * an entry from the caller's agency. A later decision is a new row; the earlier one is kept.
   */
  decide(
    signalId: string,
    input: { decision: string; reason: string },
  ): Promise<ChangeResult<{ eventId: string }>> {
    const ctx = this.#scope.context;
    if (!ctx || !mayRecord(ctx.role))
      return Promise.resolve(refused("Your role cannot record decisions on signals"));
    if (!(SIGNAL_DECISION_CODES as readonly string[]).includes(input.decision))
      return Promise.resolve(refused("Select what you have decided", "decision"));
    const reason = (input.reason ?? "").trim();
    if (!reason) return Promise.resolve(refused("Enter the reason for your decision", "reason"));
    if (reason.length > MAX_REASON)
      return Promise.resolve(refused(`The reason must be ${MAX_REASON} characters or fewer`, "reason"));
    const decision = input.decision as SignalDecision;
    return this.#scope.run(async (trx) => {
      const signal = await this.#visibleSignal(trx, signalId);
      if (!signal) {
        await this.#scope.recordDenial(trx, {
          recordType: "signal",
          recordId: signalId,
          details: { attempted: "decide" },
        });
        return deniedAccess("You cannot open this signal");
      }
      const rule = signalRule(signal.rule_id);
      const eventId = crypto.randomUUID();
      const today = todayInEngland();
      await trx
        .insertInto("chronology_events")
        .values({
          partnership_id: ctx.partnershipId,
          event_id: eventId,
          person_id: signal.person_id,
          occurred_on: today,
          date_precision: "day",
          event_type: "signal-decision",
          what_happened: `Signal considered: ${rule?.title ?? signal.rule_id}. Decision: ${SIGNAL_DECISIONS[decision]}.`,
          impact_on_child: reason,
          action_taken: SIGNAL_DECISIONS[decision],
          significance: "medium",
          information_basis: "opinion",
          source_agency_id: ctx.agencyId,
          recorded_by: ctx.userId,
          supersedes_event_id: null,
          amendment_reason: null,
        })
        .execute();
      const decisionId = crypto.randomUUID();
      await trx
        .insertInto("signal_decisions")
        .values({
          partnership_id: ctx.partnershipId,
          decision_id: decisionId,
          signal_id: signalId,
          decision,
          reason,
          decided_by: ctx.userId,
          decided_agency_id: ctx.agencyId,
          chronology_event_id: eventId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "signal-decision",
        recordId: decisionId,
        reason,
        details: {
          signal_id: signalId,
          person_id: signal.person_id,
          decision: [null, decision],
          chronology_event_id: eventId,
        },
      });
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "chronology-event",
        recordId: eventId,
        details: { person_id: [null, signal.person_id], event_type: [null, "signal-decision"] },
      });
      return done({ eventId });
    });
  }

  /**
   * "What is already known": repeated concerns by type and agency over the last two years, across the
   * family members whose records the caller may open (entries they may see), and the signals fired for
   * the children among them, with their outcomes.
   * @returns undefined if the caller may not open the child's record.
   */
  familyPatterns(personId: string): Promise<FamilyPatterns | undefined> {
    const ctx = this.#scope.context;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      if (!(await this.#scope.canOpenRecord(trx, personId))) return undefined;
      const today = todayInEngland();
      const from = addMonths(`${today.slice(0, 8)}01`, -21);
      const quarterOf = (iso: string) =>
        `${iso.slice(0, 4)} Q${Math.floor((Number(iso.slice(5, 7)) - 1) / 3) + 1}`;
      const quarters: string[] = [];
      for (let d = from; d <= today; d = addMonths(d, 3)) quarters.push(quarterOf(d));
      if (!quarters.includes(quarterOf(today))) quarters.push(quarterOf(today));
      const members = await sql<{ person_id: string; visible: boolean; kind: string; merged: boolean }>`
        with recursive cluster as (select person_id from hearth_person_cluster(${personId}::uuid)),
        family as (
          select person_id from cluster
          union
          select mc.person_id from household_members fa
            join household_members fb on fb.partnership_id = fa.partnership_id and fb.household_id = fa.household_id
              and fb.valid_from <= coalesce(fa.valid_to, 'infinity'::date)
              and fa.valid_from <= coalesce(fb.valid_to, 'infinity'::date)
            cross join lateral hearth_person_cluster(fb.person_id) mc
            where fa.partnership_id = hearth_current_partnership() and fa.person_id in (select person_id from cluster)
          union
          select mc.person_id from relationships fr cross join lateral hearth_person_cluster(fr.related_person_id) mc
            where fr.partnership_id = hearth_current_partnership() and fr.person_id in (select person_id from cluster)
          union
          select mc.person_id from relationships fr cross join lateral hearth_person_cluster(fr.person_id) mc
            where fr.partnership_id = hearth_current_partnership() and fr.related_person_id in (select person_id from cluster)
        )
        select p.person_id, p.kind, p.merged_into_person_id is not null as merged,
          (p.person_id in (select person_id from cluster) or ${childVisibleTo(ctx, sql.ref("p.person_id"))}) as visible
        from people p where p.partnership_id = hearth_current_partnership()
          and p.person_id in (select person_id from family)`.execute(trx);
      const shown = members.rows.filter((m) => m.visible).map((m) => m.person_id);
      const hiddenMembers = members.rows.some((m) => !m.visible && !m.merged);
      const ids = sql.join(shown.map((id) => sql`${id}::uuid`));
      const entries = (
        await sql<{ event_type: string; agency_name: string; person_id: string; occurred_on: string }>`
          select e.event_type, a.name as agency_name, e.person_id, to_char(e.occurred_on, 'YYYY-MM-DD') as occurred_on
          from chronology_events e
          join agencies a on a.partnership_id = e.partnership_id and a.agency_id = e.source_agency_id
          where e.partnership_id = hearth_current_partnership() and e.person_id in (${ids})
            and e.occurred_on >= ${from}::date and e.event_type <> 'signal-decision'
            and ${eventVisibleTo(ctx, {
              visibility: sql.ref("e.visibility"),
              restrictedToRoles: sql.ref("e.restricted_to_roles"),
              sourceAgencyId: sql.ref("e.source_agency_id"),
            })}
            and not exists (select 1 from chronology_events s
              where s.partnership_id = e.partnership_id and s.supersedes_event_id = e.event_id)
            and not exists (select 1 from chronology_retractions r
              where r.partnership_id = e.partnership_id and r.event_id = e.event_id)`.execute(trx)
      ).rows;
      const groups = new Map<string, PatternRow & { persons: Set<string> }>();
      for (const e of entries) {
        const definition = EVENT_TYPES[e.event_type as EventType];
        if (!definition || ("positive" in definition && definition.positive)) continue;
        const key = `${e.event_type}\u0000${e.agency_name}`;
        const row = groups.get(key) ?? {
          eventType: e.event_type,
          typeLabel: definition.label,
          agencyName: e.agency_name,
          people: 0,
          total: 0,
          first: e.occurred_on,
          last: e.occurred_on,
          byQuarter: quarters.map(() => 0),
          persons: new Set<string>(),
        };
        row.total += 1;
        row.persons.add(e.person_id);
        if (e.occurred_on < row.first) row.first = e.occurred_on;
        if (e.occurred_on > row.last) row.last = e.occurred_on;
        const q = quarters.indexOf(quarterOf(e.occurred_on));
        if (q >= 0) row.byQuarter[q] = (row.byQuarter[q] ?? 0) + 1;
        groups.set(key, row);
      }
      // A pattern is a concern recorded more than once: single entries are in the chronology.
      const rows = [...groups.values()]
        .filter((r) => r.total >= 2)
        .map(({ persons, ...r }) => ({ ...r, people: persons.size }))
        .sort((a, b) => b.total - a.total || a.typeLabel.localeCompare(b.typeLabel));
      const signalRows = await trx
        .selectFrom("signals as s")
        .innerJoin("people as c", (j) =>
          j.onRef("c.partnership_id", "=", "s.partnership_id").onRef("c.person_id", "=", "s.person_id"),
        )
        .select([
          "s.signal_id",
          "s.person_id",
          "s.rule_id",
          "s.fired_at",
          "c.given_names",
          "c.family_name",
          sql<SignalDecision | null>`(select d.decision from signal_decisions d
            where d.partnership_id = s.partnership_id and d.signal_id = s.signal_id
            order by d.decided_at desc limit 1)`.as("decision"),
        ])
        .where("s.partnership_id", "=", current)
        .where("s.person_id", "in", shown.length ? shown : [personId])
        .where(childVisibleTo(ctx, sql.ref("s.person_id")))
        .where(seesAnEntryOf(ctx))
        .orderBy("s.fired_at", "desc")
        .execute();
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "history-patterns", family_members: shown.length },
      });
      return {
        quarters,
        rows,
        hiddenMembers,
        signals: signalRows.map((s) => ({
          signalId: s.signal_id,
          personId: s.person_id,
          childName: `${s.given_names} ${s.family_name}`,
          ruleTitle: signalRule(s.rule_id)?.title ?? s.rule_id,
          firedAt: s.fired_at,
          decision: s.decision ? SIGNAL_DECISIONS[s.decision] : null,
        })),
      };
    });
  }

  /**
   * Each rule's measured precision: signals fired, decided, confirmed as needing action (any decision but
   * "no action"), and followed within six months of firing by a request for support, early help or a
   * child in need or child protection plan for the child; by ethnicity, sex, age band, disability and
   * area, with cells under 5 shown as "fewer than 5". Analysts, safeguarding leads and managers.
   */
  precision(): Promise<RulePrecision[] | undefined> {
    const ctx = this.#scope.context;
    if (!ctx || !["analyst", "safeguarding-lead", "manager"].includes(ctx.role))
      return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const rows = (
        await sql<{
          signal_id: string;
          rule_id: string;
          fired_on: string;
          decision: SignalDecision | null;
          led: boolean;
          sex: string;
          ethnicity: string | null;
          disabilities: string[];
          date_of_birth: string | null;
          expected_date_of_birth: string | null;
          ward: string | null;
        }>`
          select s.signal_id, s.rule_id, to_char(s.fired_at at time zone 'Europe/London', 'YYYY-MM-DD') as fired_on,
            (select d.decision from signal_decisions d where d.partnership_id = s.partnership_id
              and d.signal_id = s.signal_id order by d.decided_at desc limit 1) as decision,
            (exists (select 1 from support_requests r where r.partnership_id = s.partnership_id
                and r.person_id in (select person_id from hearth_person_cluster(s.person_id))
                and r.received_at >= s.fired_at and r.received_at < s.fired_at + interval '6 months')
              or exists (select 1 from early_help h where h.partnership_id = s.partnership_id
                and h.person_id in (select person_id from hearth_person_cluster(s.person_id))
                and h.created_at >= s.fired_at and h.created_at < s.fired_at + interval '6 months')
              or exists (select 1 from csc_events c where c.partnership_id = s.partnership_id
                and c.person_id in (select person_id from hearth_person_cluster(s.person_id))
                and c.event_type in ('cp-plan-start', 'cin-plan-start')
                and c.recorded_at >= s.fired_at and c.recorded_at < s.fired_at + interval '6 months')
              or exists (select 1 from plans pl where pl.partnership_id = s.partnership_id
                and pl.person_id in (select person_id from hearth_person_cluster(s.person_id))
                and pl.created_at >= s.fired_at and pl.created_at < s.fired_at + interval '6 months')) as led,
            p.sex, p.ethnicity, p.disabilities, to_char(p.date_of_birth, 'YYYY-MM-DD') as date_of_birth,
            to_char(p.expected_date_of_birth, 'YYYY-MM-DD') as expected_date_of_birth,
            (select h.ward from household_members m join households h
                on h.partnership_id = m.partnership_id and h.household_id = m.household_id
              where m.partnership_id = s.partnership_id and m.person_id = s.person_id
                and m.valid_from <= s.fired_at::date and (m.valid_to is null or m.valid_to >= s.fired_at::date)
              order by m.valid_from desc limit 1) as ward
          from signals s
          join people p on p.partnership_id = s.partnership_id and p.person_id = s.person_id
          where s.partnership_id = hearth_current_partnership()`.execute(trx)
      ).rows;
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "indicator",
        recordId: "signal-precision",
        details: { signals: rows.length },
      });
      const confirmedOf = (r: (typeof rows)[number]) =>
        r.decision !== null && CONFIRMING_DECISIONS.includes(r.decision);
      const dimensions: { name: string; of: (r: (typeof rows)[number]) => string }[] = [
        {
          name: "Ethnicity",
          of: (r) =>
            r.ethnicity
              ? (ETHNICITY_CODES[r.ethnicity as keyof typeof ETHNICITY_CODES] ?? r.ethnicity)
              : "Not recorded",
        },
        { name: "Sex", of: (r) => SEX_CODES[r.sex as keyof typeof SEX_CODES] ?? r.sex },
        {
          name: "Age band when the signal fired",
          of: (r) => ageBandAt(r.date_of_birth, r.expected_date_of_birth, r.fired_on),
        },
        {
          name: "Disability",
          of: (r) => {
            const real = r.disabilities.filter((d) => d !== "NONE");
            return real.length === 0
              ? "No disability recorded"
              : real.length === 1
                ? (DISABILITY_CODES[real[0] as keyof typeof DISABILITY_CODES] ?? String(real[0]))
                : "More than one disability";
          },
        },
        { name: "Area (ward)", of: (r) => r.ward ?? "Not known" },
      ];
      return signalRules().map((rule) => {
        const mine = rows.filter((r) => r.rule_id === rule.id);
        return {
          ruleId: rule.id,
          title: rule.title,
          fired: mine.length,
          decided: mine.filter((r) => r.decision !== null).length,
          byDecision: SIGNAL_DECISION_CODES.map((code) => ({
            code,
            label: SIGNAL_DECISIONS[code],
            count: mine.filter((r) => r.decision === code).length,
          })),
          confirmed: mine.filter(confirmedOf).length,
          ledToSupport: mine.filter((r) => r.led).length,
          breakdowns: dimensions.map((dimension) => {
            const groups = [...new Set(mine.map(dimension.of))].sort();
            return {
              name: dimension.name,
              groups: groups.map((group) => {
                const inGroup = mine.filter((r) => dimension.of(r) === group);
                return {
                  group,
                  fired: cell(inGroup.length),
                  confirmed: cell(inGroup.filter(confirmedOf).length),
                  ledToSupport: cell(inGroup.filter((r) => r.led).length),
                };
              }),
            };
          }),
        };
      });
    });
  }
}
