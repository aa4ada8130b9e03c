// SPDX-License-Identifier: MIT
/**
 * What the home page (the worklist) reads: the caller's cases and what is due on them, assessments
 * waiting for their sign-off, the front door's queue and the counts on the navigation; and the plan
 * review reminders `hearth reminders` makes daily (src/cli/reminders.ts). Every child read passes the child-record predicate in SQL as well as its own "mine" rule
 * (my allocated cases, my agency's involvements), so another agency's child never appears.
 */
import { sql } from "kysely";
import type { TrendFlag } from "../assessments/engine.ts";
import type { AccessContext } from "../data/access-context.ts";
import { childVisibleTo, notArchived } from "../data/child-access.ts";
import { idIn } from "../data/id-list.ts";
import type { MethodAccess, RepositoryScope, Trx } from "../data/repository-scope.ts";
import { differenceVisibleTo } from "../escalations/parties.ts";
import { addMonths, type IsoDate, todayInEngland, todayInEnglandSql } from "../kernel/calendar.ts";
import { currentPartnership, onKey } from "../kernel/sql.ts";
import { ACKNOWLEDGED_KINDS } from "../notifications/codes.ts";
import { notify } from "../notifications/notify.ts";
import { childrenWithEpisodeWork, loadCscEventsByPerson } from "../pathways/csc-event-store.ts";
import { deriveEpisodes } from "../pathways/episodes.ts";
import { groupBy } from "../pathways/pathway-records.ts";
import { runsFrontDoor } from "../pathways/pathways-repository.ts";
import { decisionDue } from "../pathways/timescales.ts";
import { DUE_KINDS, type DueItem, earlyHelpReviewDue, planItemsDue, reviewsToRemind } from "./due.ts";

const p = (column: string) => sql.ref(column);

/** Names in the order an English reader expects; one collator, not one a comparison. */
const byName = new Intl.Collator("en-GB").compare;

/** How many of the caller's cases the home page lists (the rest are counted). */
export const CASES_SHOWN = 25;

export type AssessmentToActOn = {
  assessmentId: string;
  personId: string;
  childName: string;
  toolId: string;
  toolName: string;
  assessedOn: IsoDate;
  flags: TrendFlag[];
  /** When the tool asks for the next reading; null for a tool without a reassessment interval. */
  reassessOn: IsoDate | null;
  overdue: boolean;
};

export type NavigationCounts = {
  /** Things waiting on the home page: sign-offs, and notices to acknowledge. */
  home: number;
  notifications: number;
  frontDoor: number;
  differences: number;
};

/**
 * The caller's caseload, as a predicate on `c.person_id`: a practitioner's allocated children, early help
 * she leads and children she is lead professional for; a manager's agency's current involvements.
 * Driven from the owner's (few) rows through their indexes (0033), not from every child in the
 * partnership with three probes each (28 ms at 10,000 children).
 */
const caseloadOf = (ctx: AccessContext) =>
  ctx.role === "practitioner"
    ? sql<boolean>`c.person_id in (
        select e.person_id from csc_events e where e.partnership_id = ${currentPartnership}
          and e.worker_user_id = ${ctx.userId}
        union select h.person_id from early_help h where h.partnership_id = ${currentPartnership}
          and h.ended_on is null and h.lead_user_id = ${ctx.userId}
        union select i.person_id from involvements i where i.partnership_id = ${currentPartnership}
          and i.lead_professional_user_id = ${ctx.userId}
          and (i.ended_on is null or i.ended_on >= ${todayInEnglandSql}))`
    : sql<boolean>`c.person_id in (
        select i.person_id from involvements i where i.partnership_id = ${currentPartnership}
          and i.agency_id = ${ctx.agencyId}
          and (i.ended_on is null or i.ended_on >= ${todayInEnglandSql}))`;

/** Everything due on these children's open plans and early help. */
const dueFor = async (trx: Trx, personIds: readonly string[], today: IsoDate): Promise<DueItem[]> => {
  if (personIds.length === 0) return [];
  // Only open plans are due, and they are in episodes with work in them: a caseload's closed episodes
  // (years of them) are not read.
  const events = await loadCscEventsByPerson(trx, await childrenWithEpisodeWork(trx, personIds, today));
  const plans = [...events.values()].flatMap((list) => planItemsDue(deriveEpisodes(list), today));
  const earlyHelp = await trx
    .selectFrom("early_help as h")
    .select(["h.early_help_id", "h.person_id", "h.started_on", "h.review_interval_weeks", "h.lead_user_id"])
    .select(
      sql<IsoDate[]>`coalesce((select array_agg(r.held_on::text order by r.held_on) from early_help_reviews r
        where r.partnership_id = h.partnership_id and r.early_help_id = h.early_help_id), '{}')`.as(
        "reviews",
      ),
    )
    .where(p("h.partnership_id"), "=", currentPartnership)
    .where(idIn("h.person_id", personIds))
    .where("h.ended_on", "is", null)
    .execute();
  return [
    ...plans,
    ...earlyHelp.map((h) =>
      earlyHelpReviewDue({
        personId: h.person_id,
        earlyHelpId: h.early_help_id,
        startedOn: h.started_on,
        reviews: h.reviews,
        reviewIntervalWeeks: h.review_interval_weeks,
        leadUserId: h.lead_user_id,
      }),
    ),
  ];
};

/**
 * Makes "plan review due" reminders for reviews due soon or overdue on open CP and CIN plans, to the
 * allocated worker, once per plan and due date (the de-duplication key), however often it runs. Run for
 * the whole partnership by `hearth reminders` (daily).
 */
export const remindPlanReviewsIn = async (trx: Trx, partnershipId: string): Promise<number> => {
  const query = trx
    .selectFrom("csc_events")
    .select("person_id")
    .distinct()
    .where(p("partnership_id"), "=", currentPartnership)
    .where("event_type", "in", ["cp-plan-start", "cin-plan-start"])
    // No reminders about an archived record (closed, past retention: src/retention).
    .where(notArchived(p("csc_events.person_id")));
  const personIds = (await query.execute()).map((r) => r.person_id);
  const today = todayInEngland();
  const events = await loadCscEventsByPerson(trx, personIds);
  const due = reviewsToRemind(
    [...events.values()].flatMap((list) => planItemsDue(deriveEpisodes(list), today)),
    today,
  ).filter((d) => d.workerUserId !== null);
  let made = 0;
  for (const item of due) {
    made += await notify(trx, partnershipId, {
      kind: "plan-review-due",
      recipients: [item.workerUserId],
      subject: `${DUE_KINDS[item.kind]} ${item.dueOn < today ? "overdue" : "due soon"}`,
      body: `${DUE_KINDS[item.kind]} due on ${item.dueOn}.`,
      link: `/people/${item.personId}/pathway`,
      personId: item.personId,
      dedupeKey: `plan-review-due:${item.planId}:${item.dueOn}`,
    });
  }
  return made;
};

export class WorklistRepository {
  static readonly methodAccess: Record<Exclude<keyof WorklistRepository, never>, MethodAccess> = {
    myCases: "guarded",
    signOffsWaiting: "guarded",
    assessmentsToActOn: "guarded",
    frontDoorWaiting: "guarded",
    navigationCounts: "guarded",
  };

  readonly #scope: RepositoryScope;

  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }

  get #ctx(): AccessContext | undefined {
    return this.#scope.context;
  }

  /**
   * The caller's cases: a practitioner's allocated children (social worker, early help lead, lead
   * professional); a manager's agency's open involvements. Each with what is due, soonest first.
   */
  myCases() {
    const ctx = this.#ctx;
    const empty = { total: 0, cases: [] as { personId: string; name: string; due: DueItem[] }[] };
    if (!ctx || (ctx.role !== "practitioner" && ctx.role !== "manager")) return Promise.resolve(empty);
    return this.#scope.run(async (trx) => {
      const mine = caseloadOf(ctx);
      const children = await trx
        .selectFrom("people as c")
        .select(["c.person_id", "c.given_names", "c.family_name"])
        .where(p("c.partnership_id"), "=", currentPartnership)
        .where("c.kind", "=", "child")
        .where("c.merged_into_person_id", "is", null)
        .where(mine)
        .where(childVisibleTo(ctx, p("c.person_id")))
        // An archived record (closed, past retention: src/retention) is no longer anybody's case.
        .where(notArchived(p("c.person_id")))
        // Every child on the caseload, not the first few hundred by name: the list is the soonest due
        // across all of them, and a manager's agency has thousands.
        .execute();
      const today = todayInEngland();
      const due = await dueFor(
        trx,
        children.map((c) => c.person_id),
        today,
      );
      // Grouped once: a manager's thousands of children each look up their own items, not scan them all.
      const dueOf = groupBy(
        due.filter((d) => ctx.role === "manager" || d.workerUserId === null || d.workerUserId === ctx.userId),
        (d) => d.personId,
      );
      const cases = children
        .map((c) => ({
          personId: c.person_id,
          name: `${c.given_names} ${c.family_name}`,
          due: (dueOf.get(c.person_id) ?? []).sort((a, b) =>
            a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : 0,
          ),
        }))
        .sort((a, b) => {
          const x = a.due[0]?.dueOn ?? "9999-12-31";
          const y = b.due[0]?.dueOn ?? "9999-12-31";
          return x < y ? -1 : x > y ? 1 : byName(a.name, b.name);
        });
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "worklist",
        recordId: ctx.userId,
        details: { children: children.length },
      });
      return { total: cases.length, cases: cases.slice(0, CASES_SHOWN) };
    });
  }

  /**
   * Neglect assessments on the caller's caseload that ask for action: the latest reading with a tool
   * shows a relapse or no improvement, or is older than the tool's reassessment interval. Only the latest
   * reading per child and tool counts: a flag answered by a newer assessment is gone.
   */
  assessmentsToActOn() {
    const ctx = this.#ctx;
    const empty = { total: 0, items: [] as AssessmentToActOn[] };
    if (!ctx || (ctx.role !== "practitioner" && ctx.role !== "manager")) return Promise.resolve(empty);
    return this.#scope.run(async (trx) => {
      const latest = await trx
        .selectFrom("assessments as a")
        .innerJoin("people as c", (j) => onKey(j, "c.person_id", "a.person_id"))
        .innerJoin("assessment_tool_versions as v", (j) => onKey(j, "v.tool_version_id", "a.tool_version_id"))
        .innerJoin("assessment_tools as t", (j) => onKey(j, "t.tool_id", "v.tool_id"))
        .distinctOn(["a.person_id", "v.tool_id"])
        .select([
          "a.assessment_id",
          "a.person_id",
          "a.assessed_on",
          "c.given_names",
          "c.family_name",
          "t.name",
          "v.tool_id",
        ])
        .select([
          sql<TrendFlag[] | null>`a.results -> 'flags'`.as("flags"),
          sql<string | null>`v.content -> 'change' ->> 'reassess_after_months'`.as("reassess_after_months"),
        ])
        .where(p("a.partnership_id"), "=", currentPartnership)
        .where("a.status", "<>", "draft")
        .where("c.merged_into_person_id", "is", null)
        .where(caseloadOf(ctx))
        .where(childVisibleTo(ctx, p("a.person_id")))
        .where(notArchived(p("a.person_id")))
        .orderBy("a.person_id")
        .orderBy("v.tool_id")
        .orderBy("a.assessed_on", "desc")
        .orderBy("a.started_at", "desc")
        .execute();
      const today = todayInEngland();
      const items = latest
        .map((r): AssessmentToActOn => {
          const months = r.reassess_after_months === null ? null : Number(r.reassess_after_months);
          const reassessOn = months ? addMonths(r.assessed_on, months) : null;
          return {
            assessmentId: r.assessment_id,
            personId: r.person_id,
            childName: `${r.given_names} ${r.family_name}`,
            toolId: r.tool_id,
            toolName: r.name,
            assessedOn: r.assessed_on,
            flags: (r.flags ?? []).filter((f) => f === "relapse" || f === "no_improvement"),
            reassessOn,
            overdue: reassessOn !== null && reassessOn < today,
          };
        })
        .filter((i) => i.flags.length > 0 || i.overdue)
        .sort((a, b) => a.assessedOn.localeCompare(b.assessedOn));
      if (items.length > 0)
        await this.#scope.audit(trx, {
          action: "view",
          recordType: "worklist",
          recordId: ctx.userId,
          details: { section: "assessments-to-act-on", children: new Set(items.map((i) => i.personId)).size },
        });
      return { total: items.length, items: items.slice(0, CASES_SHOWN) };
    });
  }

  /** Assessments submitted and waiting for the caller's sign-off (never the caller's own). */
  signOffsWaiting() {
    const ctx = this.#ctx;
    const empty = {
      total: 0,
      items: [] as {
        assessmentId: string;
        personId: string;
        childName: string;
        submittedAt: Date | null;
        submittedByName: string;
      }[],
    };
    if (!ctx || (ctx.role !== "manager" && ctx.role !== "safeguarding-lead")) return Promise.resolve(empty);
    return this.#scope.run(async (trx) => {
      const rows = await trx
        .selectFrom("assessments as a")
        .innerJoin("people as c", (j) => onKey(j, "c.person_id", "a.person_id"))
        .innerJoin("users as u", (j) => onKey(j, "u.user_id", "a.submitted_by"))
        .select([
          "a.assessment_id",
          "a.person_id",
          "a.submitted_at",
          "c.given_names",
          "c.family_name",
          "u.display_name",
        ])
        .select(sql<number>`count(*) over ()`.as("total"))
        .where(p("a.partnership_id"), "=", currentPartnership)
        .where("a.status", "=", "submitted")
        .where("a.submitted_by", "<>", ctx.userId)
        .where((eb) => (ctx.role === "manager" ? eb("a.agency_id", "=", ctx.agencyId) : eb.val(true)))
        .where(childVisibleTo(ctx, p("a.person_id")))
        .where(notArchived(p("a.person_id")))
        .orderBy("a.submitted_at")
        .limit(10)
        .execute();
      return {
        total: Number(rows[0]?.total ?? 0),
        items: rows.map((r) => ({
          assessmentId: r.assessment_id,
          personId: r.person_id,
          childName: `${r.given_names} ${r.family_name}`,
          submittedAt: r.submitted_at,
          submittedByName: r.display_name,
        })),
      };
    });
  }

  /** The front door's queue: how many requests wait for a decision, and the oldest. */
  frontDoorWaiting() {
    const ctx = this.#ctx;
    const empty = {
      total: 0,
      oldest: [] as { requestId: string; childName: string; receivedOn: IsoDate; dueOn: IsoDate }[],
    };
    if (!ctx || !runsFrontDoor(ctx.role)) return Promise.resolve(empty);
    return this.#scope.run(async (trx) => {
      const rows = await trx
        .selectFrom("support_requests as r")
        .innerJoin("people as c", (j) => onKey(j, "c.person_id", "r.person_id"))
        .select(["r.request_id", "r.received_on", "c.given_names", "c.family_name"])
        .select(sql<number>`count(*) over ()`.as("total"))
        .where(p("r.partnership_id"), "=", currentPartnership)
        .where("r.outcome", "is", null)
        // An archived record (closed, past retention: src/retention) leaves the queue.
        .where(notArchived(p("r.person_id")))
        .orderBy("r.received_on")
        .orderBy("r.received_at")
        .limit(5)
        .execute();
      return {
        total: Number(rows[0]?.total ?? 0),
        oldest: rows.map((r) => ({
          requestId: r.request_id,
          childName: `${r.given_names} ${r.family_name}`,
          receivedOn: r.received_on,
          dueOn: decisionDue(r.received_on),
        })),
      };
    });
  }

  /**
   * The counts on the navigation, in one cheap query (indexed counts, no child records read). Work about
   * an archived record (closed, past retention: src/retention) is not counted, as the worklists and
   * queues do not list it; notifications already sent are counted until read. Read once per request
   * (the navigation and the home page's notifications section both show them).
   */
  navigationCounts(): Promise<NavigationCounts> {
    const ctx = this.#ctx;
    const zero = { home: 0, notifications: 0, frontDoor: 0, differences: 0 };
    if (!ctx) return Promise.resolve(zero);
    const acknowledged = sql.join(ACKNOWLEDGED_KINDS.map((k) => sql.lit(k)));
    const signOffs =
      ctx.role === "manager" || ctx.role === "safeguarding-lead"
        ? sql<number>`(select count(*) from assessments a where a.partnership_id = ${currentPartnership}
            and a.status = 'submitted' and a.submitted_by <> ${ctx.userId}
            ${ctx.role === "manager" ? sql`and a.agency_id = ${ctx.agencyId}` : sql``}
            and ${notArchived(p("a.person_id"))})
          + (select count(*) from authorisations z where z.partnership_id = ${currentPartnership}
            and z.manager_user_id = ${ctx.userId} and not exists (select 1 from authorisation_decisions d
              where d.partnership_id = z.partnership_id and d.authorisation_id = z.authorisation_id)
            and ${notArchived(p("z.person_id"))})`
        : sql<number>`0`;
    const frontDoor = runsFrontDoor(ctx.role)
      ? sql<number>`(select count(*) from support_requests r where r.partnership_id = ${currentPartnership} and r.outcome is null
          and ${notArchived(p("r.person_id"))})`
      : sql<number>`0`;
    const differences =
      ctx.role === "administrator" || ctx.role === "analyst" || ctx.role === "auditor"
        ? sql<number>`0`
        : sql<number>`(select count(*) from escalations x where x.partnership_id = ${currentPartnership}
            and x.resolved_on is null and ${differenceVisibleTo(ctx)} and ${notArchived(p("x.person_id"))})`;
    return this.#scope.memo("navigation-counts", () =>
      this.#scope.run(async (trx) => {
        const row = await sql<{
          sign_offs: number;
          to_acknowledge: number;
          unread: number;
          front_door: number;
          differences: number;
        }>`
        select ${signOffs} as sign_offs,
          (select count(*) from notifications n where n.partnership_id = ${currentPartnership}
            and n.recipient_user_id = ${ctx.userId} and n.kind in (${acknowledged})
            and n.acknowledged_at is null) as to_acknowledge,
          (select count(*) from notifications n where n.partnership_id = ${currentPartnership}
            and n.recipient_user_id = ${ctx.userId} and n.read_at is null) as unread,
          ${frontDoor} as front_door,
          ${differences} as differences`.execute(trx);
        const r = row.rows[0];
        if (!r) return zero;
        return {
          home: Number(r.sign_offs) + Number(r.to_acknowledge),
          notifications: Number(r.unread),
          frontDoor: Number(r.front_door),
          differences: Number(r.differences),
        };
      }),
    );
  }
}
