// SPDX-License-Identifier: MIT
/**
 * A child's plans (child protection, child in need, team around the family): the pathway page's summary,
 * the plan page with its versions, the plan form's choices, and starting or changing a plan (a new
 * version; earlier ones are kept). Part of `request.repo.plans` (./plans-repository.ts).
 */
import { AreaRepository } from "../../data/area-repository.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  refused,
} from "../../data/repository-scope.ts";
import { currentPartnership, inCurrentPartnership, onKey } from "../../kernel/sql.ts";
import { loadCscEvents } from "../csc-event-store.ts";
import { deriveEpisodes } from "../episodes.ts";
import { mayRecordSocialCare } from "../social-care-access.ts";
import { PLAN_TYPES, type PlanType } from "./codes.ts";
import {
  auditView,
  authorisationsOf,
  canOpenChild,
  childOf,
  firstProblem,
  latestVersion,
  loadPlan,
  mayWritePlan,
  mayWriteTaf,
  p,
  planContent,
  planReviews,
  planView,
  today,
  versionsWithAuthor,
} from "./plan-queries.ts";
import { checkPlanContent, type PlanContentInput } from "./plan-rules.ts";
import { checkOwners, notifyNewOwners, writeVersion } from "./plan-writing.ts";

export type NewPlan = {
  planType: PlanType;
  /** The social care episode of a child protection or child in need plan. */
  episodeId: string | null;
  /** The early help of a team-around-the-family plan. */
  earlyHelpId: string | null;
  content: PlanContentInput;
};

export class ChildPlansRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof ChildPlansRepository, MethodAccess> = {
    summaryFor: "guarded",
    getPlan: "guarded",
    planFormContext: "guarded",
    createPlan: "guarded",
    revisePlan: "guarded",
  };

  /**
   * A child's plans for the pathway page's summary: each plan's current version, its outcomes, actions
   * due or overdue, and the last review. Audited as a view of the child's record.
   * @returns undefined when the caller may not open the child.
   */
  summaryFor(personId: string) {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      if (!(await canOpenChild(this.scope, trx, personId))) return undefined;
      const plans = await trx
        .selectFrom("plans")
        .selectAll()
        .where(inCurrentPartnership())
        .where("person_id", "=", personId)
        .orderBy("created_at", "desc")
        .execute();
      const reviews = await planReviews(
        trx,
        plans.map((x) => x.plan_id),
      );
      const summaries = [];
      for (const plan of plans) {
        const version = await latestVersion(trx, plan.plan_id);
        const own = reviews.filter((r) => r.plan_id === plan.plan_id);
        const lastReview = own[0] ?? null;
        const view = await planView(trx, plan, version, lastReview?.progress ?? {});
        summaries.push({
          planId: plan.plan_id,
          planType: plan.plan_type,
          label: PLAN_TYPES[plan.plan_type],
          version,
          href: `/people/${personId}/plans/${plan.plan_id}`,
          outcomes: view.outcomes,
          actionsDue: view.actions.filter((a) => a.state === "overdue" || a.state === "due-soon"),
          overdue: view.actions.filter((a) => a.state === "overdue").length,
          lastReview,
        });
      }
      const mayWriteSocialCare = await mayRecordSocialCare(this.scope, trx, ctx);
      await auditView(this.scope, trx, personId, { page: "plan-summary" });
      return { personId, plans: summaries, mayWriteSocialCare };
    });
  }

  /**
   * A plan page: one version (the current one unless asked), every version's author and reason, the
   * reviews with progress and views, and the authorisations. Audited as a view of the child's record.
   */
  getPlan(planId: string, version?: number) {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const plan = await loadPlan(this.scope, trx, planId);
      if (!plan) return undefined;
      const versions = await versionsWithAuthor(trx, { planId });
      const latest = versions[0]?.version ?? 0;
      const shown = versions.find((v) => v.version === (version ?? latest));
      if (!shown) return undefined;
      const reviews = await planReviews(trx, [planId]);
      const view = await planView(trx, plan, shown.version, reviews[0]?.progress ?? {});
      const authorisations = await authorisationsOf(trx, { planId });
      const child = await childOf(trx, plan.person_id);
      const mayWrite = await mayWritePlan(this.scope, trx, ctx, plan);
      await auditView(this.scope, trx, plan.person_id, {
        page: "plan",
        plan_id: planId,
        version: shown.version,
      });
      return {
        plan,
        child,
        label: PLAN_TYPES[plan.plan_type],
        versions,
        version: shown,
        isCurrent: shown.version === latest,
        ...view,
        reviews,
        authorisations,
        pending: authorisations.find((a) => a.decision === null) ?? null,
        mayWrite,
        mayReview: mayWrite,
      };
    });
  }

  /**
   * What the plan form needs: the child, the episodes or early help a plan can belong to, the people an
   * action can be given to (staff of the agencies involved with the child) and the agencies.
   */
  planFormContext(personId: string) {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      if (!(await canOpenChild(this.scope, trx, personId))) return undefined;
      const child = await childOf(trx, personId);
      const episodes = deriveEpisodes(await loadCscEvents(trx, [personId])).filter(
        (e) => e.closureDate === null,
      );
      const earlyHelp = await trx
        .selectFrom("early_help")
        .select(["early_help_id", "started_on"])
        .where(inCurrentPartnership())
        .where("person_id", "=", personId)
        .where("ended_on", "is", null)
        .execute();
      const owners = await trx
        .selectFrom("users as u")
        .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "u.agency_id"))
        .select(["u.user_id", "u.display_name", "a.name as agency_name"])
        .where(p("u.partnership_id"), "=", currentPartnership)
        .where("u.deactivated_at", "is", null)
        .where("u.role", "in", ["practitioner", "manager", "safeguarding-lead"])
        .where((eb) =>
          eb.or([
            eb("u.agency_id", "=", ctx.agencyId),
            eb.exists(
              eb
                .selectFrom("involvements as i")
                .select("i.involvement_id")
                .whereRef("i.partnership_id", "=", "u.partnership_id")
                .whereRef("i.agency_id", "=", "u.agency_id")
                .where("i.person_id", "=", personId)
                .where("i.started_on", "<=", today())
                .where((e2) => e2.or([e2("i.ended_on", "is", null), e2("i.ended_on", ">=", today())])),
            ),
          ]),
        )
        .orderBy("a.name")
        .orderBy("u.display_name")
        .limit(300)
        .execute();
      const agencies = await trx
        .selectFrom("agencies")
        .select(["agency_id", "name"])
        .where(inCurrentPartnership())
        .where("deactivated_at", "is", null)
        .orderBy("name")
        .execute();
      return {
        child,
        episodes: episodes.map((e) => ({ episodeId: e.episodeId, referralDate: e.referralDate })),
        earlyHelp,
        owners,
        agencies,
        mayWriteSocialCare: await mayRecordSocialCare(this.scope, trx, ctx),
      };
    });
  }

  /**
   * Starts a plan with its first version. A child protection or child in need plan belongs to an open
   * social care episode (and to the episode's plan-start census event, when recorded); a team around the
   * family plan to open early help. Each action's owner who is a user is told the action is theirs.
   */
  createPlan(personId: string, input: NewPlan): Promise<ChangeResult<{ planId: string }>> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(refused("You cannot write plans"));
    return this.scope.run(async (trx) => {
      if (!(await canOpenChild(this.scope, trx, personId)))
        return deniedAccess("You cannot see this child's record");
      let planEventId: string | null = null;
      if (input.planType === "taf") {
        if (!input.earlyHelpId) return refused("Select the early help this plan belongs to", "earlyHelpId");
        const eh = await trx
          .selectFrom("early_help")
          .select(["early_help_id", "ended_on"])
          .where(inCurrentPartnership())
          .where("early_help_id", "=", input.earlyHelpId)
          .where("person_id", "=", personId)
          .executeTakeFirst();
        if (!eh || eh.ended_on !== null)
          return refused("Select open early help for this child", "earlyHelpId");
        if (!(await mayWriteTaf(trx, ctx, input.earlyHelpId)))
          return deniedAccess(
            "Only the early help lead's agency and the team around the family write this plan",
          );
      } else {
        if (!(await mayRecordSocialCare(this.scope, trx, ctx)))
          return deniedAccess("Only children's social care writes child protection and child in need plans");
        if (!input.episodeId) return refused("Select the social care episode", "episodeId");
        const events = await trx
          .selectFrom("csc_events")
          .select(["event_id", "event_type", "episode_id", "occurred_on"])
          .where(inCurrentPartnership())
          .where("person_id", "=", personId)
          .where("episode_id", "=", input.episodeId)
          .orderBy("occurred_on", "desc")
          .execute();
        if (events.length === 0 || events.some((e) => e.event_type === "closure"))
          return refused("Select an open social care episode of this child", "episodeId");
        const start = input.planType === "cp" ? "cp-plan-start" : "cin-plan-start";
        planEventId = events.find((e) => e.event_type === start)?.event_id ?? null;
      }
      const clash = await trx
        .selectFrom("plans")
        .select("plan_id")
        .where(inCurrentPartnership())
        .where("person_id", "=", personId)
        .where("plan_type", "=", input.planType)
        .where(
          input.planType === "taf" ? "early_help_id" : "episode_id",
          "=",
          (input.earlyHelpId ?? input.episodeId) as string,
        )
        .executeTakeFirst();
      if (clash) return refused("This child already has this plan here: change it instead", "planType");
      const problem = firstProblem(checkPlanContent(input.content, true, today()));
      if (problem) return problem;
      const owners = await checkOwners(trx, ctx, personId, input.content);
      if (owners) return owners;
      const planId = crypto.randomUUID();
      await trx
        .insertInto("plans")
        .values({
          partnership_id: ctx.partnershipId,
          plan_id: planId,
          person_id: personId,
          plan_type: input.planType,
          episode_id: input.planType === "taf" ? null : input.episodeId,
          plan_event_id: planEventId,
          early_help_id: input.planType === "taf" ? input.earlyHelpId : null,
          created_by: ctx.userId,
        })
        .execute();
      const actions = await writeVersion(trx, ctx, planId, 1, input.content, {
        outcomeIds: new Set(),
        actionIds: new Set(),
      });
      await this.scope.audit(trx, {
        action: "create",
        recordType: "plan",
        recordId: planId,
        details: {
          person_id: personId,
          plan_type: [null, input.planType],
          version: [null, 1],
          outcomes: [null, input.content.outcomes.length],
          actions: [null, actions.length],
        },
      });
      await notifyNewOwners(trx, ctx, { personId, planId }, [], actions);
      return done({ planId });
    });
  }

  /**
   * Changes a plan by recording its next version (the earlier ones are kept as they were), with the
   * reason. Outcomes and actions keep their ids; new owners of actions are told.
   */
  revisePlan(planId: string, content: PlanContentInput): Promise<ChangeResult<{ version: number }>> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(refused("You cannot change plans"));
    return this.scope.run(async (trx) => {
      const plan = await loadPlan(this.scope, trx, planId);
      if (!plan) return deniedAccess("Plan not found");
      if (!(await mayWritePlan(this.scope, trx, ctx, plan)))
        return deniedAccess("You cannot change this plan");
      const problem = firstProblem(checkPlanContent(content, false, today()));
      if (problem) return problem;
      const owners = await checkOwners(trx, ctx, plan.person_id, content);
      if (owners) return owners;
      // Two edits at once take the same number: the version's primary key refuses the second.
      const before = await latestVersion(trx, planId);
      const previous = await planContent(trx, planId, before);
      const actions = await writeVersion(trx, ctx, planId, before + 1, content, {
        outcomeIds: new Set(previous.outcomes.map((o) => o.outcome_id)),
        actionIds: new Set(previous.actions.map((a) => a.action_id)),
      });
      await this.scope.audit(trx, {
        action: "update",
        recordType: "plan",
        recordId: planId,
        reason: content.changeReason?.trim() ?? null,
        details: {
          person_id: plan.person_id,
          version: [before, before + 1],
          outcomes: [previous.outcomes.length, content.outcomes.length],
          actions: [previous.actions.length, actions.length],
        },
      });
      await notifyNewOwners(trx, ctx, { personId: plan.person_id, planId }, previous.actions, actions);
      return done({ version: before + 1 });
    });
  }
}
