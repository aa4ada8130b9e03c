// SPDX-License-Identifier: MIT
/**
 * One signal on its page, with exactly the entries that fired it which the viewer may see and the
 * decisions recorded on it, and recording a decision (which is written to the child's chronology as an
 * entry from the caller's agency). Every view and decision is audited in the same transaction.
 */
import { sql } from "kysely";
import { EVENT_TYPES, type EventType } from "../chronology/codes.ts";
import { currentOnly } from "../chronology/current-entries.ts";
import { formatDate } from "../chronology/dates.ts";
import { socialCareTitle } from "../chronology/social-care-entries.ts";
import { AreaRepository } from "../data/area-repository.ts";
import { childVisibleTo, eventVisibleTo, mayOpenChildRecords, mayRecord } from "../data/child-access.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  refused,
  type Trx,
} from "../data/repository-scope.ts";
import { todayInEngland } from "../kernel/calendar.ts";
import { currentPartnership, onKey, personCluster } from "../kernel/sql.ts";
import type { Role } from "../organisation/codes.ts";
import type { CscEventType } from "../pathways/codes.ts";
import { SIGNAL_DECISION_CODES, SIGNAL_DECISIONS, type SignalDecision } from "./codes.ts";
import { signalRule } from "./rules.ts";
import { shownSignalsWithChild } from "./signal-access.ts";
import type { SignalEntryView, SignalView } from "./signal-types.ts";

const MAX_REASON = 2000;

/** One signal: reading it, and deciding on it. */
export class SignalPageRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof SignalPageRepository, MethodAccess> = {
    getSignal: "guarded",
    decide: "guarded",
  };

  /** The signal row, if the caller may open its child's record. */
  async #visibleSignal(trx: Trx, signalId: string) {
    const ctx = this.ctx;
    if (!ctx || !mayOpenChildRecords(ctx.role)) return undefined;
    return shownSignalsWithChild(trx, ctx)
      .select(["s.rule_version", "s.window_from", "s.window_to"])
      .where("s.signal_id", "=", signalId)
      .executeTakeFirst();
  }

  /**
   * The entries that fired a signal which the caller may see: each about a person whose record the caller
   * may open (the child, or a family member on their own account: a relationship never opens a sibling's
   * record), current, and, if restricted, restricted to the caller's role or recorded by their agency.
   */
  async #visibleEntries(trx: Trx, signalId: string, childId: string): Promise<SignalEntryView[]> {
    const ctx = this.ctx;
    if (!ctx) return [];
    const personOpen = sql<boolean>`(se.entry_person_id in ${personCluster(childId)}
      or ${childVisibleTo(ctx, sql.ref("se.entry_person_id"))})`;
    const agencyRows = await trx
      .selectFrom("signal_entries as se")
      .innerJoin("chronology_events as e", (j) => onKey(j, "e.event_id", "se.entry_id"))
      .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "e.source_agency_id"))
      .innerJoin("people as p", (j) => onKey(j, "p.person_id", "e.person_id"))
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
      .where("se.partnership_id", "=", currentPartnership)
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
      .innerJoin("csc_events as c", (j) => onKey(j, "c.event_id", "se.entry_id"))
      .innerJoin("people as p", (j) => onKey(j, "p.person_id", "c.person_id"))
      .select([
        "c.event_id",
        "c.person_id",
        "c.occurred_on",
        "c.event_type",
        "c.code",
        "p.given_names",
        "p.family_name",
      ])
      .where("se.partnership_id", "=", currentPartnership)
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
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const signal = await this.#visibleSignal(trx, signalId);
      if (!signal) return undefined;
      const entries = await this.#visibleEntries(trx, signalId, signal.person_id);
      const decisions = await trx
        .selectFrom("signal_decisions as d")
        .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "d.decided_agency_id"))
        .leftJoin("users as u", (j) => onKey(j, "u.user_id", "d.decided_by"))
        .select(["d.decision", "d.reason", "d.decided_at", "u.display_name", "a.name as agency_name"])
        .where("d.partnership_id", "=", currentPartnership)
        .where("d.signal_id", "=", signalId)
        .orderBy("d.decided_at")
        .execute();
      await this.scope.audit(trx, {
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
   * Who may read the chronology entry a decision writes: it names the rule, which tells what fired it
   * (./signal-access.ts), so it is for those who are shown the signal. Everyone who may open the child
   * sees it when an entry that fired the signal is theirs to see too (a social care event or a current
   * unrestricted entry on the child's own records); otherwise it is restricted to the roles of the
   * restricted entries on the child's records that fired it, and to the deciding agency (as any
   * restricted entry is to the agency that recorded it).
   */
  async #decisionVisibility(
    trx: Trx,
    signalId: string,
    childId: string,
  ): Promise<{ visibility: "normal" | "restricted"; restricted_to_roles: Role[] }> {
    const row = (
      await sql<{ open_to_all: boolean; roles: Role[] | null }>`
        with fired as (
          select se.entry_source, e.visibility, e.restricted_to_roles
          from signal_entries se
          left join chronology_events e on e.partnership_id = se.partnership_id and e.event_id = se.entry_id
          where se.partnership_id = ${currentPartnership} and se.signal_id = ${signalId}
            and se.entry_person_id in ${personCluster(sql`${childId}::uuid`)}
            and (se.entry_source = 'social-care' or (e.event_id is not null and ${currentOnly}))
        )
        select
          coalesce(bool_or(entry_source = 'social-care' or visibility = 'normal'), false) as open_to_all,
          array(select distinct unnest(f.restricted_to_roles) from fired f
            where f.visibility = 'restricted' order by 1) as roles
        from fired`.execute(trx)
    ).rows[0];
    return row?.open_to_all
      ? { visibility: "normal", restricted_to_roles: [] }
      : { visibility: "restricted", restricted_to_roles: row?.roles ?? [] };
  }

  /**
   * Records a person's decision on a signal, with the reason, and writes it to the child's chronology as
   * an entry from the caller's agency, readable by those who may see the signal. A later decision is a new row; the earlier one is kept.
   */
  decide(
    signalId: string,
    input: { decision: string; reason: string },
  ): Promise<ChangeResult<{ eventId: string }>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role))
      return Promise.resolve(refused("Your role cannot record decisions on signals"));
    if (!(SIGNAL_DECISION_CODES as readonly string[]).includes(input.decision))
      return Promise.resolve(refused("Select what you have decided", "decision"));
    const reason = (input.reason ?? "").trim();
    if (!reason) return Promise.resolve(refused("Enter the reason for your decision", "reason"));
    if (reason.length > MAX_REASON)
      return Promise.resolve(refused(`The reason must be ${MAX_REASON} characters or fewer`, "reason"));
    const decision = input.decision as SignalDecision;
    return this.scope.run(async (trx) => {
      const signal = await this.#visibleSignal(trx, signalId);
      if (!signal) {
        await this.scope.recordDenial(trx, {
          recordType: "signal",
          recordId: signalId,
          details: { attempted: "decide" },
        });
        return deniedAccess("You cannot open this signal");
      }
      const rule = signalRule(signal.rule_id);
      const eventId = crypto.randomUUID();
      const today = todayInEngland();
      const visibility = await this.#decisionVisibility(trx, signalId, signal.person_id);
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
          ...visibility,
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
      await this.scope.audit(trx, {
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
      await this.scope.audit(trx, {
        action: "create",
        recordType: "chronology-event",
        recordId: eventId,
        details: { person_id: [null, signal.person_id], event_type: [null, "signal-decision"] },
      });
      return done({ eventId });
    });
  }
}
