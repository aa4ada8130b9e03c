// SPDX-License-Identifier: MIT
/**
 * A child's pathway page: levels of need and decisions, requests for support, early help with its team,
 * plan and reviews, social care episodes derived from events, supervision, professional differences and
 * the child's alerts; and recording supervision about the child.
 */

import { type RawBuilder, type Selectable, sql } from "kysely";
import type { AccessContext } from "../../data/access-context.ts";
import { AreaRepository } from "../../data/area-repository.ts";
import { mayRecord } from "../../data/child-access.ts";
import {
  type ChangeResult,
  done,
  type MethodAccess,
  refused,
  type Trx,
} from "../../data/repository-scope.ts";
import type { HearthSchema } from "../../db/schema.ts";
import type { IsoDate } from "../../kernel/calendar.ts";
import { can } from "../../kernel/policy.ts";
import { currentPartnership, inCurrentPartnership, onKey } from "../../kernel/sql.ts";
import { readPathwaySettings } from "../../settings/pathway-settings.ts";
import { loadChildFacts } from "../alerts/child-facts.ts";
import { alertsFor } from "../alerts.ts";
import { differenceState } from "../differences/differences-repository.ts";
import { auditCreated, canOpenChild, changeForChild, displayNames, p, today } from "../pathway-records.ts";
import { requestRows } from "../requests/support-requests.ts";
import { mayRecordSocialCare } from "../social-care-access.ts";

/**
 * The SQL condition "the caller may read this supervision record": supervision is the supervisee's and
 * their line management's, not the child's, so opening the child is not enough. The supervisee, the
 * managers of the supervisee's agency (the staff a manager sees, as in userVisibility) and safeguarding
 * leads read it; nobody else, whatever their involvement with the child.
 * @param supervisee - References to the supervisee's user id and agency id columns.
 */
export const supervisionVisibleTo = (
  ctx: AccessContext | undefined,
  supervisee: { userId: RawBuilder<unknown>; agencyId: RawBuilder<unknown> },
): RawBuilder<boolean> => {
  if (!ctx) return sql<boolean>`false`;
  if (ctx.role === "safeguarding-lead") return sql<boolean>`true`;
  if (ctx.role === "manager")
    return sql<boolean>`(${supervisee.userId} = ${ctx.userId} or ${supervisee.agencyId} = ${ctx.agencyId})`;
  return sql<boolean>`${supervisee.userId} = ${ctx.userId}`;
};

type EarlyHelpPart =
  | "early_help_members"
  | "early_help_outcomes"
  | "early_help_actions"
  | "early_help_reviews";

/** One part of these early helps (their team, outcomes, actions or reviews), in the order given. */
const earlyHelpPart = async <T extends EarlyHelpPart>(
  trx: Trx,
  table: T,
  orderBy: keyof HearthSchema[T] & string,
  earlyHelpIds: readonly string[],
): Promise<Selectable<HearthSchema[T]>[]> => {
  if (earlyHelpIds.length === 0) return [];
  const rows = await trx
    .selectFrom(table as EarlyHelpPart)
    .selectAll()
    .where(inCurrentPartnership())
    .where("early_help_id", "in", [...earlyHelpIds])
    .orderBy(sql.ref(orderBy))
    .execute();
  return rows as Selectable<HearthSchema[T]>[];
};

export class ChildPathwayRepository extends AreaRepository {
  static readonly methodAccess: Record<keyof ChildPathwayRepository, MethodAccess> = {
    childPathway: "guarded",
    recordSupervision: "guarded",
  };

  /**
   * A child's whole pathway: levels of need and decisions, requests for support, early help with its
   * team, plan and reviews, social care episodes derived from events, and the child's alerts.
   */
  childPathway(personId: string) {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      if (!(await canOpenChild(this.scope, trx, personId))) return undefined;
      const child = await trx
        .selectFrom("people")
        .select(["person_id", "given_names", "family_name", "date_of_birth"])
        .where(inCurrentPartnership())
        .where("person_id", "=", personId)
        .executeTakeFirstOrThrow();
      const { levels, timescales } = await readPathwaySettings(trx);
      const decisions = await trx
        .selectFrom("level_decisions as d")
        .innerJoin("users as u", (j) => onKey(j, "u.user_id", "d.decided_by"))
        .leftJoin("users as a", (j) => onKey(j, "a.user_id", "d.approved_by"))
        .select([
          "d.decision_id",
          "d.suggested_level",
          "d.suggestion_source",
          "d.chosen_level",
          "d.rationale",
          "d.decided_on",
          "u.display_name as decided_by_name",
          "a.display_name as approved_by_name",
        ])
        .where(p("d.partnership_id"), "=", currentPartnership)
        .where("d.person_id", "=", personId)
        .orderBy("d.decided_on", "desc")
        .execute();
      const requests = await requestRows(trx)
        .where("r.person_id", "=", personId)
        .orderBy("r.received_at", "desc")
        .execute();
      const earlyHelpRows = await trx
        .selectFrom("early_help as h")
        .leftJoin("users as u", (j) => onKey(j, "u.user_id", "h.lead_user_id"))
        .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "h.lead_agency_id"))
        .selectAll("h")
        .select(["u.display_name as lead_name", "a.name as lead_agency_name"])
        .where(p("h.partnership_id"), "=", currentPartnership)
        .where("h.person_id", "=", personId)
        .orderBy("h.started_on", "desc")
        .execute();
      const ehIds = earlyHelpRows.map((h) => h.early_help_id);
      const members = await earlyHelpPart(trx, "early_help_members", "joined_on", ehIds);
      const outcomes = await earlyHelpPart(trx, "early_help_outcomes", "added_on", ehIds);
      const actions = await earlyHelpPart(trx, "early_help_actions", "due_on", ehIds);
      const reviews = await earlyHelpPart(trx, "early_help_reviews", "held_on", ehIds);
      const earlyHelp = earlyHelpRows.map((h) => ({
        ...h,
        members: members.filter((m) => m.early_help_id === h.early_help_id),
        outcomes: outcomes.filter((o) => o.early_help_id === h.early_help_id),
        actions: actions.filter((a) => a.early_help_id === h.early_help_id),
        reviews: reviews.filter((r) => r.early_help_id === h.early_help_id),
      }));
      const facts = (await loadChildFacts(trx, ctx, [personId])).get(personId);
      const episodes = facts?.episodes ?? [];
      const workerIds = [...new Set(episodes.map((e) => e.workerUserId).filter((id) => id !== null))];
      const workers = await displayNames(trx, workerIds);
      const supervision = await trx
        .selectFrom("supervision_records as s")
        .innerJoin("users as sup", (j) => onKey(j, "sup.user_id", "s.supervisor_user_id"))
        .innerJoin("users as sub", (j) => onKey(j, "sub.user_id", "s.supervisee_user_id"))
        .selectAll("s")
        .select(["sup.display_name as supervisor_name", "sub.display_name as supervisee_name"])
        .where(p("s.partnership_id"), "=", currentPartnership)
        .where("s.person_id", "=", personId)
        .where(supervisionVisibleTo(ctx, { userId: p("sub.user_id"), agencyId: p("sub.agency_id") }))
        .orderBy("s.held_on", "desc")
        .execute();
      const escalationRows = await trx
        .selectFrom("escalations as x")
        .innerJoin("users as u", (j) => onKey(j, "u.user_id", "x.raised_by"))
        .selectAll("x")
        .select("u.display_name as raised_by_name")
        .where(p("x.partnership_id"), "=", currentPartnership)
        .where("x.person_id", "=", personId)
        .orderBy("x.raised_on", "desc")
        .execute();
      const escalationSteps = escalationRows.length
        ? await trx
            .selectFrom("escalation_steps as st")
            .innerJoin("users as u", (j) => onKey(j, "u.user_id", "st.recorded_by"))
            .selectAll("st")
            .select("u.display_name as recorded_by_name")
            .where(p("st.partnership_id"), "=", currentPartnership)
            .where(
              "st.escalation_id",
              "in",
              escalationRows.map((x) => x.escalation_id),
            )
            .orderBy("st.started_on")
            .execute()
        : [];
      const escalations = escalationRows.map((x) => {
        const own = escalationSteps.filter((st) => st.escalation_id === x.escalation_id);
        return {
          ...x,
          steps: own,
          state: differenceState(own, x.resolved_on, timescales.escalationWorkingDays),
        };
      });
      await this.scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "pathway" },
      });
      return {
        child,
        levels,
        decisions,
        requests,
        earlyHelp,
        episodes,
        workerNames: Object.fromEntries(workers.map((w) => [w.user_id, w.display_name])),
        supervision,
        escalations,
        alerts: facts ? alertsFor(facts, today(), timescales) : [],
        mayRecordSocialCare: await mayRecordSocialCare(this.scope, trx, ctx),
      };
    });
  }

  /**
   * A supervision record about a child: the supervisor (the caller, a manager or lead) with the
   * supervisee, the reflection, decisions and actions.
   */
  recordSupervision(
    personId: string,
    input: {
      heldOn: IsoDate;
      superviseeUserId: string;
      reflection: string;
      decisions: string;
      actions: string;
    },
  ): Promise<ChangeResult<{ supervisionId: string }>> {
    const ctx = this.ctx;
    if (!ctx || !can(ctx.role, "pathway.supervise"))
      return Promise.resolve(refused("Only managers and safeguarding leads record supervision"));
    if (input.heldOn > today())
      return Promise.resolve(refused("The date must be today or in the past", "heldOn"));
    return changeForChild(this.scope, personId, async (trx) => {
      // A manager supervises their own agency's staff, so what they record stays readable to them.
      const supervisee = await trx
        .selectFrom("users")
        .select(["user_id", "role"])
        .where(inCurrentPartnership())
        .where("user_id", "=", input.superviseeUserId)
        .where("deactivated_at", "is", null)
        .where((eb) => (ctx.role === "manager" ? eb("agency_id", "=", ctx.agencyId) : eb.val(true)))
        .executeTakeFirst();
      // Someone who works on cases: never an analyst, administrator or auditor, who record nothing.
      if (!supervisee || !mayRecord(supervisee.role))
        return refused("Select the worker supervised", "superviseeUserId");
      const supervisionId = crypto.randomUUID();
      await trx
        .insertInto("supervision_records")
        .values({
          partnership_id: ctx.partnershipId,
          supervision_id: supervisionId,
          person_id: personId,
          held_on: input.heldOn,
          supervisor_user_id: ctx.userId,
          supervisee_user_id: input.superviseeUserId,
          reflection: input.reflection,
          decisions: input.decisions,
          actions: input.actions,
          recorded_by: ctx.userId,
        })
        .execute();
      await auditCreated(this.scope, trx, "supervision", supervisionId, { person_id: personId, ...input });
      return done({ supervisionId });
    });
  }
}
