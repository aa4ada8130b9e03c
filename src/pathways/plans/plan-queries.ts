// SPDX-License-Identifier: MIT
/**
 * The reads and access checks the plans sub-area repositories share inside an open transaction: a plan
 * and its versions' content, reviews and authorisations, who may write a plan, and the audit of a view.
 * Every query is confined to the caller's partnership; a plan is returned only if the caller may open
 * its child.
 */
import { type Selectable, sql } from "kysely";
import type { AccessContext } from "../../data/access-context.ts";
import { mayRecord } from "../../data/child-access.ts";
import { type ChangeResult, type RepositoryScope, refused, type Trx } from "../../data/repository-scope.ts";
import type { CaseworkRecordVersionTable, PlanVersionTable } from "../../db/schema/pathways.ts";
import { currentPartnership, inCurrentPartnership, onKey } from "../../kernel/sql.ts";
import { canOpenChild, p, today } from "../pathway-records.ts";
import { mayRecordSocialCare } from "../social-care-access.ts";
import { PLAN_PROGRESS, type PlanProgress, type PlanType } from "./codes.ts";
import { ACTION_STATES, type ActionState, actionState, type FieldProblem } from "./plan-rules.ts";

// The pathways' own helpers, one definition for every sub-area; the plans modules read them from here.
export { canOpenChild, p, today };

/** The first of the rules' problems as the repository's refusal, or undefined when there is none. */
export const firstProblem = (problems: FieldProblem[]): ChangeResult<never> | undefined => {
  const first = problems[0];
  return first ? refused(first.message, first.field) : undefined;
};

/** Audits a page's read as a view of the child's record. */
export const auditView = (
  scope: RepositoryScope,
  trx: Trx,
  personId: string,
  details: Record<string, unknown>,
) => scope.audit(trx, { action: "view", recordType: "person", recordId: personId, details });

/** The child's id and names, for a page's heading. */
export const childOf = (trx: Trx, personId: string) =>
  trx
    .selectFrom("people")
    .select(["person_id", "given_names", "family_name"])
    .where(inCurrentPartnership())
    .where("person_id", "=", personId)
    .executeTakeFirstOrThrow();

/** The early help lead's agency, the lead and the team's agencies write its plan; leads too. */
export const mayWriteTaf = async (trx: Trx, ctx: AccessContext, earlyHelpId: string): Promise<boolean> => {
  if (ctx.role === "safeguarding-lead") return true;
  if (!mayRecord(ctx.role)) return false;
  const row = await trx
    .selectFrom("early_help as h")
    .select("h.early_help_id")
    .where(p("h.partnership_id"), "=", currentPartnership)
    .where("h.early_help_id", "=", earlyHelpId)
    .where((eb) =>
      eb.or([
        eb("h.lead_user_id", "=", ctx.userId),
        eb("h.lead_agency_id", "=", ctx.agencyId),
        eb.exists(
          eb
            .selectFrom("early_help_members as m")
            .select("m.member_id")
            .whereRef("m.partnership_id", "=", "h.partnership_id")
            .whereRef("m.early_help_id", "=", "h.early_help_id")
            .where("m.agency_id", "=", ctx.agencyId)
            .where("m.left_on", "is", null),
        ),
      ]),
    )
    .executeTakeFirst();
  return row !== undefined;
};

/** A team-around-the-family plan is written by its early help's team; the others by social care. */
export const mayWritePlan = async (
  scope: RepositoryScope,
  trx: Trx,
  ctx: AccessContext,
  plan: { plan_type: PlanType; early_help_id: string | null },
): Promise<boolean> => {
  if (plan.plan_type === "taf")
    return plan.early_help_id !== null && mayWriteTaf(trx, ctx, plan.early_help_id);
  return mayRecordSocialCare(scope, trx, ctx);
};

/** A plan's head row, if the caller may open its child. */
export const loadPlan = async (scope: RepositoryScope, trx: Trx, planId: string) => {
  const row = await trx
    .selectFrom("plans")
    .selectAll()
    .where(inCurrentPartnership())
    .where("plan_id", "=", planId)
    .executeTakeFirst();
  if (!row || !(await canOpenChild(scope, trx, row.person_id))) return undefined;
  return row;
};

/** The number of a plan's newest version (0 when it has none). */
export const latestVersion = async (trx: Trx, planId: string): Promise<number> => {
  const row = await trx
    .selectFrom("plan_versions")
    .select((eb) => eb.fn.max("version").as("version"))
    .where(inCurrentPartnership())
    .where("plan_id", "=", planId)
    .executeTakeFirst();
  return Number(row?.version ?? 0);
};

/** One version's outcomes and actions, with owners' names. */
export const planContent = async (trx: Trx, planId: string, version: number) => {
  const outcomes = await trx
    .selectFrom("plan_outcomes")
    .select(["outcome_id", "position", "description"])
    .where(inCurrentPartnership())
    .where("plan_id", "=", planId)
    .where("version", "=", version)
    .orderBy("position")
    .execute();
  const actions = await trx
    .selectFrom("plan_actions as a")
    .leftJoin("users as u", (j) => onKey(j, "u.user_id", "a.owner_user_id"))
    .leftJoin("agencies as g", (j) => onKey(j, "g.agency_id", "a.owner_agency_id"))
    .select([
      "a.action_id",
      "a.outcome_id",
      "a.position",
      "a.description",
      "a.owner_user_id",
      "a.owner_agency_id",
      "a.owner_name",
      "a.due_on",
      "u.display_name as owner_user_name",
      "g.name as owner_agency_name",
    ])
    .where(p("a.partnership_id"), "=", currentPartnership)
    .where("a.plan_id", "=", planId)
    .where("a.version", "=", version)
    .orderBy("a.position")
    .execute();
  return { outcomes, actions };
};

/** Every review of the plans, newest first, with its progress rows and who recorded it. */
export const planReviews = async (trx: Trx, planIds: readonly string[]) => {
  if (planIds.length === 0) return [];
  const reviews = await trx
    .selectFrom("plan_reviews as r")
    .innerJoin("users as u", (j) => onKey(j, "u.user_id", "r.recorded_by"))
    .selectAll("r")
    .select("u.display_name as recorded_by_name")
    .where(p("r.partnership_id"), "=", currentPartnership)
    .where("r.plan_id", "in", planIds)
    .orderBy("r.held_on", "desc")
    .orderBy("r.recorded_at", "desc")
    .execute();
  const progress = reviews.length
    ? await trx
        .selectFrom("plan_review_progress")
        .selectAll()
        .where(inCurrentPartnership())
        .where(
          "review_id",
          "in",
          reviews.map((r) => r.review_id),
        )
        .execute()
    : [];
  return reviews.map((r) => ({
    ...r,
    progress: Object.fromEntries(
      progress
        .filter((x) => x.review_id === r.review_id)
        .map((x) => [x.item_id, { status: x.status, narrative: x.narrative }]),
    ) as Record<string, { status: PlanProgress; narrative: string }>,
  }));
};

/** A plan version with each action's standing today, from the latest review's progress. */
export const planView = async (
  trx: Trx,
  plan: { plan_id: string },
  version: number,
  latest: Record<string, { status: PlanProgress }>,
) => {
  const { outcomes, actions } = await planContent(trx, plan.plan_id, version);
  const now = today();
  return {
    outcomes: outcomes.map((o) => {
      const progress = latest[o.outcome_id]?.status ?? null;
      return { ...o, progress, progressLabel: progress ? PLAN_PROGRESS[progress] : null };
    }),
    actions: actions.map((a) => {
      const state: ActionState = actionState(a.due_on, latest[a.action_id]?.status ?? null, now);
      return {
        ...a,
        stateLabel: ACTION_STATES[state],
        outcome_number: outcomes.find((o) => o.outcome_id === a.outcome_id)?.position ?? null,
        owner: a.owner_user_name ?? [a.owner_name, a.owner_agency_name].filter(Boolean).join(", "),
        state,
      };
    }),
  };
};

/** Authorisations joined to their author and (if decided) the decision. */
export const authorisationsWithAuthor = (trx: Trx) =>
  trx
    .selectFrom("authorisations as z")
    .innerJoin("users as author", (j) => onKey(j, "author.user_id", "z.author_user_id"))
    .leftJoin("authorisation_decisions as d", (j) => onKey(j, "d.authorisation_id", "z.authorisation_id"))
    .where(p("z.partnership_id"), "=", currentPartnership);

/** A plan's or a casework record's authorisations, newest first, with author, manager and decision. */
export const authorisationsOf = (trx: Trx, where: { planId?: string; recordId?: string }) => {
  let query = authorisationsWithAuthor(trx)
    .innerJoin("users as manager", (j) => onKey(j, "manager.user_id", "z.manager_user_id"))
    .select([
      "z.authorisation_id",
      "z.subject_version",
      "z.submitted_at",
      "z.author_user_id",
      "z.manager_user_id",
      "author.display_name as author_name",
      "manager.display_name as manager_name",
      "d.decision",
      "d.reason",
      "d.decided_at",
    ]);
  if (where.planId) query = query.where("z.plan_id", "=", where.planId);
  if (where.recordId) query = query.where("z.record_id", "=", where.recordId);
  return query.orderBy("z.submitted_at", "desc").execute();
};

/** A casework record's head row, if the caller may open its child. */
export const loadRecord = async (scope: RepositoryScope, trx: Trx, recordId: string) => {
  const row = await trx
    .selectFrom("casework_records")
    .selectAll()
    .where(inCurrentPartnership())
    .where("record_id", "=", recordId)
    .executeTakeFirst();
  if (!row || !(await canOpenChild(scope, trx, row.person_id))) return undefined;
  return row;
};

/** Authorisations not yet decided, for `.where(undecided)` on a query of `authorisations as z`. */
export const undecided = sql<boolean>`not exists (select 1 from authorisation_decisions d
  where d.partnership_id = z.partnership_id and d.authorisation_id = z.authorisation_id)`;

type WithAuthor<T> = Selectable<T> & { recorded_by_name: string };

/** Every version of a plan or a casework record, newest first, each with its author's name. */
export function versionsWithAuthor(trx: Trx, of: { planId: string }): Promise<WithAuthor<PlanVersionTable>[]>;
export function versionsWithAuthor(
  trx: Trx,
  of: { recordId: string },
): Promise<WithAuthor<CaseworkRecordVersionTable>[]>;
export function versionsWithAuthor(
  trx: Trx,
  of: { planId: string } | { recordId: string },
): Promise<unknown[]> {
  // The two version tables differ only in their key; the casts name one of them for the query's types.
  const [table, key, id] =
    "planId" in of
      ? (["plan_versions", "v.plan_id", of.planId] as const)
      : (["casework_record_versions", "v.record_id", of.recordId] as const);
  return trx
    .selectFrom(`${table} as v` as "plan_versions as v")
    .innerJoin("users as u", (j) => onKey(j, "u.user_id", "v.recorded_by"))
    .selectAll("v")
    .select("u.display_name as recorded_by_name")
    .where(p("v.partnership_id"), "=", currentPartnership)
    .where(key as "v.plan_id", "=", id)
    .orderBy("v.version", "desc")
    .execute();
}
