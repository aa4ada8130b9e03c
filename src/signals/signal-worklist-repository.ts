// SPDX-License-Identifier: MIT
/**
 * Signals on a worklist: the open signals routed to the caller (the children they are lead professional
 * for, or, for a safeguarding lead, children with no lead professional whom their agency is concerned
 * with), and running the rules for a family now. Every view is audited in the same transaction.
 */
import { type RawBuilder, sql } from "kysely";
import { AreaRepository } from "../data/area-repository.ts";
import { mayRecord, notArchived } from "../data/child-access.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  refused,
} from "../data/repository-scope.ts";
import { todayInEnglandSql } from "../kernel/calendar.ts";
import { currentPartnership, personCluster } from "../kernel/sql.ts";
import { signalRule } from "./rules.ts";
import { shownSignalsWithChild } from "./signal-access.ts";
import type { WorklistSignal } from "./signal-types.ts";
import { evaluateSignalsForFamilyOf, type FiredSignal } from "./store.ts";

/** The worklist of open signals, and evaluating a family's signals on demand. */
export class SignalWorklistRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof SignalWorklistRepository, MethodAccess> = {
    evaluateFamily: "guarded",
    worklist: "guarded",
  };

  /**
   * Runs the rules for a person's family now (as recording an entry does), if the caller may open the
   * person's record and record entries. Nothing read is returned: only which signals fired.
   */
  evaluateFamily(personId: string): Promise<ChangeResult<FiredSignal[]>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("Your role cannot do this"));
    return this.scope.run(async (trx) => {
      if (!(await this.scope.canOpenRecord(trx, personId))) {
        await this.scope.recordDenial(trx, {
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
          audit: (entry) => this.scope.audit(trx, entry),
        }),
      );
    });
  }

  /** SQL: the caller is the child's lead professional (an open involvement's or early help's). */
  #isLead(person: RawBuilder<unknown>, userId: RawBuilder<unknown> | null) {
    const who = (column: RawBuilder<unknown>) =>
      userId === null ? sql`${column} is not null` : sql`${column} = ${userId}`;
    return sql<boolean>`(exists (select 1 from involvements i
        where i.partnership_id = ${currentPartnership} and i.person_id in ${personCluster(person)}
          and ${who(sql.ref("i.lead_professional_user_id"))}
          and i.started_on <= ${todayInEnglandSql}
          and (i.ended_on is null or i.ended_on >= ${todayInEnglandSql}))
      or exists (select 1 from early_help h
        where h.partnership_id = ${currentPartnership} and h.person_id in ${personCluster(person)}
          and ${who(sql.ref("h.lead_user_id"))} and h.ended_on is null))`;
  }

  /**
   * The open signals (no decision yet) on the caller's worklist: children they are lead professional
   * for; and, for a safeguarding lead, children with no lead professional whom their agency is involved
   * with or recorded a firing entry about, or whom no agency is involved with.
   */
  worklist(): Promise<{ total: number; signals: WorklistSignal[] }> {
    const ctx = this.ctx;
    const empty = { total: 0, signals: [] as WorklistSignal[] };
    if (!ctx || !mayRecord(ctx.role) || ctx.role === "front-door") return Promise.resolve(empty);
    return this.scope.run(async (trx) => {
      const person = sql.ref("s.person_id");
      const mine = this.#isLead(person, sql`${ctx.userId}::uuid`);
      const noLead = sql<boolean>`not ${this.#isLead(person, null)}`;
      const agencyConcerned = sql<boolean>`(exists (select 1 from involvements i
          where i.partnership_id = ${currentPartnership} and i.person_id in ${personCluster(person)}
            and i.agency_id = ${ctx.agencyId}
            and (i.ended_on is null or i.ended_on >= ${todayInEnglandSql}))
        or exists (select 1 from signal_entries se join chronology_events e
            on e.partnership_id = se.partnership_id and e.event_id = se.entry_id
          where se.partnership_id = s.partnership_id and se.signal_id = s.signal_id
            and e.source_agency_id = ${ctx.agencyId})
        or not exists (select 1 from involvements i
          where i.partnership_id = ${currentPartnership} and i.person_id in ${personCluster(person)}
            and (i.ended_on is null or i.ended_on >= ${todayInEnglandSql})))`;
      const routed =
        ctx.role === "safeguarding-lead"
          ? sql<boolean>`(${mine} or (${noLead} and ${agencyConcerned}))`
          : mine;
      const rows = await shownSignalsWithChild(trx, ctx)
        .select(mine.as("is_mine"))
        .where(sql<boolean>`not exists (select 1 from signal_decisions d
          where d.partnership_id = s.partnership_id and d.signal_id = s.signal_id)`)
        .where(routed)
        // An archived record (closed, past retention: src/retention) leaves the worklist.
        .where(notArchived(person))
        .orderBy("s.fired_at", "desc")
        .limit(200)
        .execute();
      await this.scope.audit(trx, {
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
}
