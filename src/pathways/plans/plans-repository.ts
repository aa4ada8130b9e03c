// SPDX-License-Identifier: MIT
/**
 * Plans with content (child protection, child in need, team around the family), the narrative of
 * assessments, strategy discussions and conferences, and a second person's authorisation. Reached as
 * `request.repo.plans`. Reading follows the child-record rule (../../data/child-access.ts) in SQL, and
 * every read of a plan or record page is audited as a view of the child's record; writing social care
 * plans and records is for children's social care (its workers, the front door, safeguarding leads),
 * writing a team-around-the-family plan for the early help lead's agency and the team's agencies. Nothing
 * is edited in place: a change is a new version (the database refuses UPDATE and DELETE), and the author
 * of a version can never authorise it (refused here, and by a CHECK in the database).
 */
import { sql } from "kysely";
import { todayInEngland } from "../../chronology/dates.ts";
import type { AccessContext } from "../../data/access-context.ts";
import { childVisibleTo, mayRecord, notArchived } from "../../data/child-access.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
  type Trx,
} from "../../data/repository-scope.ts";
import { notify } from "../../notifications/notify.ts";
import { loadCscEvents } from "../csc-event-store.ts";
import { deriveEpisodes } from "../episodes.ts";
import {
  AUTHORISATION_SUBJECTS,
  type AuthorisationDecision,
  type AuthorisationSubject,
  CASEWORK_RECORD_TYPES,
  type CaseworkRecordType,
  PLAN_PROGRESS,
  PLAN_TYPES,
  type PlanProgress,
  type PlanType,
} from "./codes.ts";
import {
  ACTION_STATES,
  type ActionState,
  actionState,
  carriedId,
  checkPlanContent,
  checkRecordText,
  checkReview,
  type FieldProblem,
  mayDecideAuthorisation,
  newlyAssigned,
  type PlanContentInput,
  RECORD_EVENT_TYPES,
} from "./plan-rules.ts";

const p = (column: string) => sql.ref(column);
const inPartnership = sql<boolean>`partnership_id = hearth_current_partnership()`;
const current = sql`hearth_current_partnership()`;
const today = () => todayInEngland();

const firstProblem = (problems: FieldProblem[]): ChangeResult<never> | undefined => {
  const first = problems[0];
  return first ? refused(first.message, first.field) : undefined;
};

export type NewPlan = {
  planType: PlanType;
  /** The social care episode of a child protection or child in need plan. */
  episodeId: string | null;
  /** The early help of a team-around-the-family plan. */
  earlyHelpId: string | null;
  content: PlanContentInput;
};

export type NewReview = {
  heldOn: string | null;
  childView: string;
  familyView: string;
  summary: string;
  /** Progress per outcome and action id: a status code (null when not given) and narrative. */
  progress: Map<string, { status: PlanProgress | null; narrative: string }>;
};

export type NewCaseworkRecord = {
  recordType: CaseworkRecordType;
  episodeId: string;
  /** The census event the record is about: the assessment's start, the enquiry, the conference. */
  eventId: string;
  narrative: string;
  childExperience: string;
};

export type AwaitingAuthorisation = {
  authorisationId: string;
  subjectType: AuthorisationSubject;
  subjectLabel: string;
  personId: string;
  childName: string;
  submittedBy: string;
  submittedAt: Date;
  href: string;
};

/** Children's social care records social care plans and narratives: its workers, the front door, leads. */
const SOCIAL_CARE_WIDE_ROLES = new Set(["front-door", "safeguarding-lead"]);

export class PlansRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<Exclude<keyof PlansRepository, never>, MethodAccess> = {
    summaryFor: "guarded",
    getPlan: "guarded",
    planFormContext: "guarded",
    createPlan: "guarded",
    revisePlan: "guarded",
    recordReview: "guarded",
    episodeCasework: "guarded",
    getRecord: "guarded",
    recordFormContext: "guarded",
    createRecord: "guarded",
    reviseRecord: "guarded",
    listManagers: "guarded",
    submitForAuthorisation: "guarded",
    getAuthorisation: "guarded",
    decideAuthorisation: "guarded",
    listAwaitingMyAuthorisation: "guarded",
  };

  readonly #scope: RepositoryScope;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }

  get #ctx(): AccessContext | undefined {
    return this.#scope.context;
  }

  #canOpen(trx: Trx, personId: string): Promise<boolean> {
    return this.#scope.canOpenRecord(trx, personId, { childrenOnly: true });
  }

  async #isSocialCare(trx: Trx, ctx: AccessContext): Promise<boolean> {
    if (SOCIAL_CARE_WIDE_ROLES.has(ctx.role)) return true;
    if (ctx.role !== "practitioner" && ctx.role !== "manager") return false;
    const agency = await trx
      .selectFrom("agencies")
      .select("agency_type")
      .where(inPartnership)
      .where("agency_id", "=", ctx.agencyId)
      .executeTakeFirst();
    return agency?.agency_type === "childrens-social-care";
  }

  /** The early help lead's agency, the lead and the team's agencies write its plan; leads too. */
  async #mayWriteTaf(trx: Trx, ctx: AccessContext, earlyHelpId: string): Promise<boolean> {
    if (ctx.role === "safeguarding-lead") return true;
    if (!mayRecord(ctx.role)) return false;
    const row = await trx
      .selectFrom("early_help as h")
      .select("h.early_help_id")
      .where(p("h.partnership_id"), "=", current)
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
  }

  async #mayWritePlan(
    trx: Trx,
    ctx: AccessContext,
    plan: { plan_type: PlanType; early_help_id: string | null },
  ): Promise<boolean> {
    if (plan.plan_type === "taf")
      return plan.early_help_id !== null && this.#mayWriteTaf(trx, ctx, plan.early_help_id);
    return this.#isSocialCare(trx, ctx);
  }

  async #childName(trx: Trx, personId: string): Promise<string> {
    const row = await trx
      .selectFrom("people")
      .select(["given_names", "family_name"])
      .where(inPartnership)
      .where("person_id", "=", personId)
      .executeTakeFirstOrThrow();
    return `${row.given_names} ${row.family_name}`;
  }

  #viewAudit(trx: Trx, personId: string, details: Record<string, unknown>) {
    return this.#scope.audit(trx, { action: "view", recordType: "person", recordId: personId, details });
  }

  // Plans ----------------------------------------------------------------------------------------------

  /** A plan's head row, if the caller may open its child. */
  async #plan(trx: Trx, planId: string) {
    const row = await trx
      .selectFrom("plans")
      .selectAll()
      .where(inPartnership)
      .where("plan_id", "=", planId)
      .executeTakeFirst();
    if (!row || !(await this.#canOpen(trx, row.person_id))) return undefined;
    return row;
  }

  async #latestVersion(trx: Trx, planId: string): Promise<number> {
    const row = await trx
      .selectFrom("plan_versions")
      .select((eb) => eb.fn.max("version").as("version"))
      .where(inPartnership)
      .where("plan_id", "=", planId)
      .executeTakeFirst();
    return Number(row?.version ?? 0);
  }

  /** One version's outcomes and actions, with owners' names and each action's standing today. */
  async #content(trx: Trx, planId: string, version: number) {
    const outcomes = await trx
      .selectFrom("plan_outcomes")
      .select(["outcome_id", "position", "description"])
      .where(inPartnership)
      .where("plan_id", "=", planId)
      .where("version", "=", version)
      .orderBy("position")
      .execute();
    const actions = await trx
      .selectFrom("plan_actions as a")
      .leftJoin("users as u", (j) =>
        j.onRef("u.partnership_id", "=", "a.partnership_id").onRef("u.user_id", "=", "a.owner_user_id"),
      )
      .leftJoin("agencies as g", (j) =>
        j.onRef("g.partnership_id", "=", "a.partnership_id").onRef("g.agency_id", "=", "a.owner_agency_id"),
      )
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
      .where(p("a.partnership_id"), "=", current)
      .where("a.plan_id", "=", planId)
      .where("a.version", "=", version)
      .orderBy("a.position")
      .execute();
    return { outcomes, actions };
  }

  /** Every review of a plan, newest first, with its progress rows and who recorded it. */
  async #reviews(trx: Trx, planIds: readonly string[]) {
    if (planIds.length === 0) return [];
    const reviews = await trx
      .selectFrom("plan_reviews as r")
      .innerJoin("users as u", (j) =>
        j.onRef("u.partnership_id", "=", "r.partnership_id").onRef("u.user_id", "=", "r.recorded_by"),
      )
      .selectAll("r")
      .select("u.display_name as recorded_by_name")
      .where(p("r.partnership_id"), "=", current)
      .where("r.plan_id", "in", planIds)
      .orderBy("r.held_on", "desc")
      .orderBy("r.recorded_at", "desc")
      .execute();
    const progress = reviews.length
      ? await trx
          .selectFrom("plan_review_progress")
          .selectAll()
          .where(inPartnership)
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
  }

  /** A plan version with each action's standing, from the latest review's progress. */
  async #planView(
    trx: Trx,
    plan: { plan_id: string },
    version: number,
    latest: Record<string, { status: PlanProgress }>,
  ) {
    const { outcomes, actions } = await this.#content(trx, plan.plan_id, version);
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
  }

  async #authorisations(trx: Trx, where: { planId?: string; recordId?: string }) {
    let query = trx
      .selectFrom("authorisations as z")
      .innerJoin("users as author", (j) =>
        j
          .onRef("author.partnership_id", "=", "z.partnership_id")
          .onRef("author.user_id", "=", "z.author_user_id"),
      )
      .innerJoin("users as manager", (j) =>
        j
          .onRef("manager.partnership_id", "=", "z.partnership_id")
          .onRef("manager.user_id", "=", "z.manager_user_id"),
      )
      .leftJoin("authorisation_decisions as d", (j) =>
        j
          .onRef("d.partnership_id", "=", "z.partnership_id")
          .onRef("d.authorisation_id", "=", "z.authorisation_id"),
      )
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
      ])
      .where(p("z.partnership_id"), "=", current);
    if (where.planId) query = query.where("z.plan_id", "=", where.planId);
    if (where.recordId) query = query.where("z.record_id", "=", where.recordId);
    return query.orderBy("z.submitted_at", "desc").execute();
  }

  /**
   * A child's plans for the pathway page's summary: each plan's current version, its outcomes, actions
   * due or overdue, and the last review. Audited as a view of the child's record.
   * @returns undefined when the caller may not open the child.
   */
  summaryFor(personId: string) {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return undefined;
      const plans = await trx
        .selectFrom("plans")
        .selectAll()
        .where(inPartnership)
        .where("person_id", "=", personId)
        .orderBy("created_at", "desc")
        .execute();
      const reviews = await this.#reviews(
        trx,
        plans.map((x) => x.plan_id),
      );
      const summaries = [];
      for (const plan of plans) {
        const version = await this.#latestVersion(trx, plan.plan_id);
        const own = reviews.filter((r) => r.plan_id === plan.plan_id);
        const lastReview = own[0] ?? null;
        const view = await this.#planView(trx, plan, version, lastReview?.progress ?? {});
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
      const mayWriteSocialCare = await this.#isSocialCare(trx, ctx);
      await this.#viewAudit(trx, personId, { page: "plan-summary" });
      return { personId, plans: summaries, mayWriteSocialCare };
    });
  }

  /**
   * A plan page: one version (the current one unless asked), every version's author and reason, the
   * reviews with progress and views, and the authorisations. Audited as a view of the child's record.
   */
  getPlan(planId: string, version?: number) {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const plan = await this.#plan(trx, planId);
      if (!plan) return undefined;
      const versions = await trx
        .selectFrom("plan_versions as v")
        .innerJoin("users as u", (j) =>
          j.onRef("u.partnership_id", "=", "v.partnership_id").onRef("u.user_id", "=", "v.recorded_by"),
        )
        .selectAll("v")
        .select("u.display_name as recorded_by_name")
        .where(p("v.partnership_id"), "=", current)
        .where("v.plan_id", "=", planId)
        .orderBy("v.version", "desc")
        .execute();
      const latest = versions[0]?.version ?? 0;
      const shown = versions.find((v) => v.version === (version ?? latest));
      if (!shown) return undefined;
      const reviews = await this.#reviews(trx, [planId]);
      const view = await this.#planView(trx, plan, shown.version, reviews[0]?.progress ?? {});
      const authorisations = await this.#authorisations(trx, { planId });
      const child = await trx
        .selectFrom("people")
        .select(["person_id", "given_names", "family_name"])
        .where(inPartnership)
        .where("person_id", "=", plan.person_id)
        .executeTakeFirstOrThrow();
      const mayWrite = await this.#mayWritePlan(trx, ctx, plan);
      await this.#viewAudit(trx, plan.person_id, { page: "plan", plan_id: planId, version: shown.version });
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
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return undefined;
      const child = await trx
        .selectFrom("people")
        .select(["person_id", "given_names", "family_name"])
        .where(inPartnership)
        .where("person_id", "=", personId)
        .executeTakeFirstOrThrow();
      const episodes = deriveEpisodes(await loadCscEvents(trx, [personId])).filter(
        (e) => e.closureDate === null,
      );
      const earlyHelp = await trx
        .selectFrom("early_help")
        .select(["early_help_id", "started_on"])
        .where(inPartnership)
        .where("person_id", "=", personId)
        .where("ended_on", "is", null)
        .execute();
      const owners = await trx
        .selectFrom("users as u")
        .innerJoin("agencies as a", (j) =>
          j.onRef("a.partnership_id", "=", "u.partnership_id").onRef("a.agency_id", "=", "u.agency_id"),
        )
        .select(["u.user_id", "u.display_name", "a.name as agency_name"])
        .where(p("u.partnership_id"), "=", current)
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
        .where(inPartnership)
        .where("deactivated_at", "is", null)
        .orderBy("name")
        .execute();
      return {
        child,
        episodes: episodes.map((e) => ({ episodeId: e.episodeId, referralDate: e.referralDate })),
        earlyHelp,
        owners,
        agencies,
        mayWriteSocialCare: await this.#isSocialCare(trx, ctx),
      };
    });
  }

  /** Writes one version's outcomes and actions, keeping the ids of rows carried over. */
  async #writeVersion(
    trx: Trx,
    ctx: AccessContext,
    planId: string,
    version: number,
    content: PlanContentInput,
    previous: { outcomeIds: Set<string>; actionIds: Set<string> },
  ) {
    await trx
      .insertInto("plan_versions")
      .values({
        partnership_id: ctx.partnershipId,
        plan_id: planId,
        version,
        summary: content.summary.trim(),
        change_reason: content.changeReason?.trim() || null,
        recorded_by: ctx.userId,
      })
      .execute();
    const outcomeIds = content.outcomes.map((o) =>
      carriedId(o.outcomeId, previous.outcomeIds, () => crypto.randomUUID()),
    );
    if (content.outcomes.length)
      await trx
        .insertInto("plan_outcomes")
        .values(
          content.outcomes.map((o, index) => ({
            partnership_id: ctx.partnershipId,
            plan_id: planId,
            version,
            outcome_id: outcomeIds[index] as string,
            position: index + 1,
            description: o.description.trim(),
          })),
        )
        .execute();
    const actions = content.actions.map((a, index) => ({
      partnership_id: ctx.partnershipId,
      plan_id: planId,
      version,
      action_id: carriedId(a.actionId, previous.actionIds, () => crypto.randomUUID()),
      outcome_id: a.outcomeIndex === null ? null : (outcomeIds[a.outcomeIndex] ?? null),
      position: index + 1,
      description: a.description.trim(),
      owner_user_id: a.ownerUserId,
      owner_agency_id: a.ownerAgencyId,
      owner_name: a.ownerName?.trim() || null,
      due_on: a.dueOn as string,
    }));
    if (actions.length) await trx.insertInto("plan_actions").values(actions).execute();
    return actions;
  }

  /** Checks that each user given an action works for the partnership and may open the child. */
  async #checkOwners(
    trx: Trx,
    personId: string,
    content: PlanContentInput,
  ): Promise<ChangeResult<never> | undefined> {
    for (const [index, action] of content.actions.entries()) {
      const field = `action-${index + 1}-owner`;
      if (action.ownerAgencyId) {
        const agency = await trx
          .selectFrom("agencies")
          .select("agency_id")
          .where(inPartnership)
          .where("agency_id", "=", action.ownerAgencyId)
          .executeTakeFirst();
        if (!agency) return refused("Select an agency from the list", `action-${index + 1}-agency`);
      }
      if (!action.ownerUserId) continue;
      const user = await trx
        .selectFrom("users as u")
        .select(["u.user_id"])
        .where(p("u.partnership_id"), "=", current)
        .where("u.user_id", "=", action.ownerUserId)
        .where("u.deactivated_at", "is", null)
        .executeTakeFirst();
      if (!user) return refused("Select the owner from the list", field);
      // The owner must be able to open the child, or the notification would lead nowhere.
      const seen = await trx
        .selectFrom("users as u")
        .innerJoin("involvements as i", (j) =>
          j.onRef("i.partnership_id", "=", "u.partnership_id").onRef("i.agency_id", "=", "u.agency_id"),
        )
        .select("u.user_id")
        .where(p("u.partnership_id"), "=", current)
        .where("u.user_id", "=", action.ownerUserId)
        .where("i.person_id", "=", personId)
        .where((eb) => eb.or([eb("i.ended_on", "is", null), eb("i.ended_on", ">=", today())]))
        .executeTakeFirst();
      const wide = await trx
        .selectFrom("users")
        .select("role")
        .where(inPartnership)
        .where("user_id", "=", action.ownerUserId)
        .executeTakeFirst();
      if (!seen && wide?.role !== "safeguarding-lead" && wide?.role !== "front-door")
        return refused("This person's agency is not involved with the child: choose someone who is", field);
    }
    return undefined;
  }

  async #notifyOwners(
    trx: Trx,
    ctx: AccessContext,
    personId: string,
    planId: string,
    assigned: { userId: string; action: { description: string; dueOn: string } }[],
  ) {
    for (const { userId, action } of assigned) {
      await notify(trx, ctx.partnershipId, {
        kind: "action-assigned",
        recipients: [userId],
        // No child's name: an action's owner may work for an agency that cannot open the record.
        subject: "An action in a plan has been given to you",
        body: `Due ${action.dueOn}: ${action.description}`,
        link: `/people/${personId}/plans/${planId}`,
        personId,
        actorUserId: ctx.userId,
      });
    }
  }

  /**
   * Starts a plan with its first version. A child protection or child in need plan belongs to an open
   * social care episode (and to the episode's plan-start census event, when recorded); a team around the
   * family plan to open early help. Each action's owner who is a user is told the action is theirs.
   */
  createPlan(personId: string, input: NewPlan): Promise<ChangeResult<{ planId: string }>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(refused("You cannot write plans"));
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return deniedAccess("You cannot see this child's record");
      let planEventId: string | null = null;
      if (input.planType === "taf") {
        if (!input.earlyHelpId) return refused("Select the early help this plan belongs to", "earlyHelpId");
        const eh = await trx
          .selectFrom("early_help")
          .select(["early_help_id", "ended_on"])
          .where(inPartnership)
          .where("early_help_id", "=", input.earlyHelpId)
          .where("person_id", "=", personId)
          .executeTakeFirst();
        if (!eh || eh.ended_on !== null)
          return refused("Select open early help for this child", "earlyHelpId");
        if (!(await this.#mayWriteTaf(trx, ctx, input.earlyHelpId)))
          return deniedAccess(
            "Only the early help lead's agency and the team around the family write this plan",
          );
      } else {
        if (!(await this.#isSocialCare(trx, ctx)))
          return deniedAccess("Only children's social care writes child protection and child in need plans");
        if (!input.episodeId) return refused("Select the social care episode", "episodeId");
        const events = await trx
          .selectFrom("csc_events")
          .select(["event_id", "event_type", "episode_id", "occurred_on"])
          .where(inPartnership)
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
        .where(inPartnership)
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
      const owners = await this.#checkOwners(trx, personId, input.content);
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
      const actions = await this.#writeVersion(trx, ctx, planId, 1, input.content, {
        outcomeIds: new Set(),
        actionIds: new Set(),
      });
      await this.#scope.audit(trx, {
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
      await this.#notifyOwners(
        trx,
        ctx,
        personId,
        planId,
        newlyAssigned(
          [],
          actions.map((a) => ({
            actionId: a.action_id,
            ownerUserId: a.owner_user_id,
            description: a.description,
            dueOn: a.due_on,
          })),
        ),
      );
      return done({ planId });
    });
  }

  /**
   * Changes a plan by recording its next version (the earlier ones are kept as they were), with the
   * reason. Outcomes and actions keep their ids; new owners of actions are told.
   */
  revisePlan(planId: string, content: PlanContentInput): Promise<ChangeResult<{ version: number }>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(refused("You cannot change plans"));
    return this.#scope.run(async (trx) => {
      const plan = await this.#plan(trx, planId);
      if (!plan) return deniedAccess("Plan not found");
      if (!(await this.#mayWritePlan(trx, ctx, plan))) return deniedAccess("You cannot change this plan");
      const problem = firstProblem(checkPlanContent(content, false, today()));
      if (problem) return problem;
      const owners = await this.#checkOwners(trx, plan.person_id, content);
      if (owners) return owners;
      // Two edits at once take the same number: the version's primary key refuses the second.
      const before = await this.#latestVersion(trx, planId);
      const previous = await this.#content(trx, planId, before);
      const actions = await this.#writeVersion(trx, ctx, planId, before + 1, content, {
        outcomeIds: new Set(previous.outcomes.map((o) => o.outcome_id)),
        actionIds: new Set(previous.actions.map((a) => a.action_id)),
      });
      await this.#scope.audit(trx, {
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
      await this.#notifyOwners(
        trx,
        ctx,
        plan.person_id,
        planId,
        newlyAssigned(
          previous.actions.map((a) => ({
            actionId: a.action_id,
            ownerUserId: a.owner_user_id,
            description: a.description,
            dueOn: a.due_on,
          })),
          actions.map((a) => ({
            actionId: a.action_id,
            ownerUserId: a.owner_user_id,
            description: a.description,
            dueOn: a.due_on,
          })),
        ),
      );
      return done({ version: before + 1 });
    });
  }

  /** Records a review of the plan's current version: progress per outcome and action, and both views. */
  recordReview(planId: string, input: NewReview): Promise<ChangeResult<{ reviewId: string }>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(refused("You cannot record reviews"));
    return this.#scope.run(async (trx) => {
      const plan = await this.#plan(trx, planId);
      if (!plan) return deniedAccess("Plan not found");
      if (!(await this.#mayWritePlan(trx, ctx, plan))) return deniedAccess("You cannot review this plan");
      const version = await this.#latestVersion(trx, planId);
      const { outcomes, actions } = await this.#content(trx, planId, version);
      const statuses = new Map([...input.progress].map(([id, v]) => [id, v.status]));
      const problem = firstProblem(
        checkReview({
          heldOn: input.heldOn,
          childView: input.childView,
          familyView: input.familyView,
          outcomeIds: outcomes.map((o) => o.outcome_id),
          progress: statuses,
          today: today(),
        }),
      );
      if (problem) return problem;
      const reviewId = crypto.randomUUID();
      await trx
        .insertInto("plan_reviews")
        .values({
          partnership_id: ctx.partnershipId,
          review_id: reviewId,
          plan_id: planId,
          plan_version: version,
          held_on: input.heldOn as string,
          child_view: input.childView.trim(),
          family_view: input.familyView.trim(),
          summary: input.summary.trim(),
          recorded_by: ctx.userId,
        })
        .execute();
      const items = [
        ...outcomes.map((o) => ({ type: "outcome" as const, id: o.outcome_id })),
        ...actions.map((a) => ({ type: "action" as const, id: a.action_id })),
      ];
      const rows = items.flatMap((item) => {
        const given = input.progress.get(item.id);
        return given?.status
          ? [
              {
                partnership_id: ctx.partnershipId,
                review_id: reviewId,
                item_type: item.type,
                item_id: item.id,
                status: given.status,
                narrative: given.narrative.trim(),
              },
            ]
          : [];
      });
      if (rows.length) await trx.insertInto("plan_review_progress").values(rows).execute();
      await this.#scope.audit(trx, {
        action: "review",
        recordType: "plan",
        recordId: planId,
        details: { person_id: plan.person_id, review_id: reviewId, held_on: input.heldOn, version },
      });
      return done({ reviewId });
    });
  }

  // Casework records -----------------------------------------------------------------------------------

  /**
   * What the episode page shows beneath the census events: the notes typed into event forms, and the
   * assessment, strategy discussion and conference records (current version) with their authorisation.
   * Audited as a view of the child's record.
   */
  episodeCasework(personId: string, episodeId: string) {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return undefined;
      const events = await trx
        .selectFrom("csc_events as e")
        .leftJoin("users as u", (j) =>
          j.onRef("u.partnership_id", "=", "e.partnership_id").onRef("u.user_id", "=", "e.recorded_by"),
        )
        .select([
          "e.event_id",
          "e.event_type",
          "e.occurred_on",
          "e.note",
          "u.display_name as recorded_by_name",
        ])
        .where(p("e.partnership_id"), "=", current)
        .where("e.person_id", "=", personId)
        .where("e.episode_id", "=", episodeId)
        .orderBy("e.occurred_on")
        .orderBy("e.recorded_at")
        .execute();
      if (events.length === 0) return undefined;
      const records = await trx
        .selectFrom("casework_records as r")
        .innerJoin("casework_record_versions as v", (j) =>
          j.onRef("v.partnership_id", "=", "r.partnership_id").onRef("v.record_id", "=", "r.record_id"),
        )
        .innerJoin("users as u", (j) =>
          j.onRef("u.partnership_id", "=", "v.partnership_id").onRef("u.user_id", "=", "v.recorded_by"),
        )
        .select([
          "r.record_id",
          "r.record_type",
          "r.event_id",
          "v.version",
          "v.narrative",
          "v.recorded_at",
          "u.display_name as recorded_by_name",
          sql<string | null>`(select d.decision from authorisations z join authorisation_decisions d
            on d.partnership_id = z.partnership_id and d.authorisation_id = z.authorisation_id
            where z.partnership_id = r.partnership_id and z.record_id = r.record_id
              and z.subject_version = v.version order by d.decided_at desc limit 1)`.as("decision"),
        ])
        .where(p("r.partnership_id"), "=", current)
        .where("r.person_id", "=", personId)
        .where("r.episode_id", "=", episodeId)
        .where(
          "v.version",
          "=",
          sql<number>`(select max(v2.version) from casework_record_versions v2 where v2.partnership_id = r.partnership_id and v2.record_id = r.record_id)`,
        )
        .orderBy("r.created_at")
        .execute();
      const mayWrite = await this.#isSocialCare(trx, ctx);
      const recordable = events
        .filter((e) =>
          Object.values(RECORD_EVENT_TYPES).some((types) =>
            (types as readonly string[]).includes(e.event_type),
          ),
        )
        .map((e) => ({
          eventId: e.event_id,
          eventType: e.event_type,
          occurredOn: e.occurred_on,
          recordType: (Object.entries(RECORD_EVENT_TYPES).find(([, types]) =>
            (types as readonly string[]).includes(e.event_type),
          )?.[0] ?? "assessment") as CaseworkRecordType,
          recordId: records.find((r) => r.event_id === e.event_id)?.record_id ?? null,
        }));
      await this.#viewAudit(trx, personId, { page: "episode-casework", episode_id: episodeId });
      return {
        notes: events.filter((e) => e.note !== null && e.note.trim() !== ""),
        records: records.map((r) => ({ ...r, label: CASEWORK_RECORD_TYPES[r.record_type] })),
        recordable,
        mayWrite,
      };
    });
  }

  /** A casework record page: one version (the current one unless asked), all versions, authorisations. */
  getRecord(recordId: string, version?: number) {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const record = await trx
        .selectFrom("casework_records")
        .selectAll()
        .where(inPartnership)
        .where("record_id", "=", recordId)
        .executeTakeFirst();
      if (!record || !(await this.#canOpen(trx, record.person_id))) return undefined;
      const versions = await trx
        .selectFrom("casework_record_versions as v")
        .innerJoin("users as u", (j) =>
          j.onRef("u.partnership_id", "=", "v.partnership_id").onRef("u.user_id", "=", "v.recorded_by"),
        )
        .selectAll("v")
        .select("u.display_name as recorded_by_name")
        .where(p("v.partnership_id"), "=", current)
        .where("v.record_id", "=", recordId)
        .orderBy("v.version", "desc")
        .execute();
      const latest = versions[0]?.version ?? 0;
      const shown = versions.find((v) => v.version === (version ?? latest));
      if (!shown) return undefined;
      const event = await trx
        .selectFrom("csc_events")
        .select(["event_type", "occurred_on"])
        .where(inPartnership)
        .where("event_id", "=", record.event_id)
        .executeTakeFirstOrThrow();
      const child = await trx
        .selectFrom("people")
        .select(["person_id", "given_names", "family_name"])
        .where(inPartnership)
        .where("person_id", "=", record.person_id)
        .executeTakeFirstOrThrow();
      const authorisations = await this.#authorisations(trx, { recordId });
      await this.#viewAudit(trx, record.person_id, {
        page: "casework-record",
        record_id: recordId,
        version: shown.version,
      });
      return {
        record,
        child,
        event,
        label: CASEWORK_RECORD_TYPES[record.record_type],
        versions,
        version: shown,
        isCurrent: shown.version === latest,
        authorisations,
        pending: authorisations.find((a) => a.decision === null) ?? null,
        mayWrite: await this.#isSocialCare(trx, ctx),
        mayAuthorise: record.record_type === "assessment",
      };
    });
  }

  /** What the casework record form needs: the child and the census event the record is about. */
  recordFormContext(personId: string, episodeId: string, eventId: string) {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId)) || !(await this.#isSocialCare(trx, ctx))) return undefined;
      const event = await trx
        .selectFrom("csc_events")
        .select(["event_id", "event_type", "occurred_on"])
        .where(inPartnership)
        .where("person_id", "=", personId)
        .where("episode_id", "=", episodeId)
        .where("event_id", "=", eventId)
        .executeTakeFirst();
      if (!event) return undefined;
      const recordType = Object.entries(RECORD_EVENT_TYPES).find(([, types]) =>
        (types as readonly string[]).includes(event.event_type),
      )?.[0] as CaseworkRecordType | undefined;
      if (!recordType) return undefined;
      const child = await trx
        .selectFrom("people")
        .select(["person_id", "given_names", "family_name"])
        .where(inPartnership)
        .where("person_id", "=", personId)
        .executeTakeFirstOrThrow();
      return { child, event, recordType, label: CASEWORK_RECORD_TYPES[recordType] };
    });
  }

  /** Starts the narrative record of an assessment, strategy discussion or conference (its first version). */
  createRecord(personId: string, input: NewCaseworkRecord): Promise<ChangeResult<{ recordId: string }>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(refused("You cannot write casework records"));
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return deniedAccess("You cannot see this child's record");
      if (!(await this.#isSocialCare(trx, ctx)))
        return deniedAccess("Only children's social care writes these records");
      const event = await trx
        .selectFrom("csc_events")
        .select(["event_type"])
        .where(inPartnership)
        .where("person_id", "=", personId)
        .where("episode_id", "=", input.episodeId)
        .where("event_id", "=", input.eventId)
        .executeTakeFirst();
      if (!event || !(RECORD_EVENT_TYPES[input.recordType] as readonly string[]).includes(event.event_type))
        return refused("Select the event this record is about", "eventId");
      const clash = await trx
        .selectFrom("casework_records")
        .select("record_id")
        .where(inPartnership)
        .where("event_id", "=", input.eventId)
        .executeTakeFirst();
      if (clash) return refused("This event already has a record: change it instead", "narrative");
      const problem = firstProblem(checkRecordText({ ...input, changeReason: null }));
      if (problem) return problem;
      const recordId = crypto.randomUUID();
      await trx
        .insertInto("casework_records")
        .values({
          partnership_id: ctx.partnershipId,
          record_id: recordId,
          person_id: personId,
          episode_id: input.episodeId,
          record_type: input.recordType,
          event_id: input.eventId,
          created_by: ctx.userId,
        })
        .execute();
      await trx
        .insertInto("casework_record_versions")
        .values({
          partnership_id: ctx.partnershipId,
          record_id: recordId,
          version: 1,
          narrative: input.narrative.trim(),
          child_experience: input.childExperience.trim(),
          change_reason: null,
          recorded_by: ctx.userId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "casework-record",
        recordId,
        details: {
          person_id: personId,
          record_type: [null, input.recordType],
          event_id: input.eventId,
          version: [null, 1],
        },
      });
      return done({ recordId });
    });
  }

  /** Records the next version of a casework record, with the reason; earlier versions are kept. */
  reviseRecord(
    recordId: string,
    input: { narrative: string; childExperience: string; changeReason: string },
  ): Promise<ChangeResult<{ version: number }>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(refused("You cannot change casework records"));
    return this.#scope.run(async (trx) => {
      const record = await trx
        .selectFrom("casework_records")
        .selectAll()
        .where(inPartnership)
        .where("record_id", "=", recordId)
        .executeTakeFirst();
      if (!record || !(await this.#canOpen(trx, record.person_id))) return deniedAccess("Record not found");
      if (!(await this.#isSocialCare(trx, ctx)))
        return deniedAccess("Only children's social care changes these records");
      const problem = firstProblem(checkRecordText(input));
      if (problem) return problem;
      const row = await trx
        .selectFrom("casework_record_versions")
        .select((eb) => eb.fn.max("version").as("version"))
        .where(inPartnership)
        .where("record_id", "=", recordId)
        .executeTakeFirst();
      const version = Number(row?.version ?? 0) + 1;
      await trx
        .insertInto("casework_record_versions")
        .values({
          partnership_id: ctx.partnershipId,
          record_id: recordId,
          version,
          narrative: input.narrative.trim(),
          child_experience: input.childExperience.trim(),
          change_reason: input.changeReason.trim(),
          recorded_by: ctx.userId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "update",
        recordType: "casework-record",
        recordId,
        reason: input.changeReason.trim(),
        details: { person_id: record.person_id, version: [version - 1, version] },
      });
      return done({ version });
    });
  }

  // Authorisation --------------------------------------------------------------------------------------

  /** Managers in the caller's own agency, who can authorise the caller's work (never the caller). */
  listManagers() {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve([]);
    return this.#scope.run((trx) =>
      trx
        .selectFrom("users as u")
        .leftJoin("teams as t", (j) =>
          j.onRef("t.partnership_id", "=", "u.partnership_id").onRef("t.team_id", "=", "u.team_id"),
        )
        .select(["u.user_id", "u.display_name", "t.name as team_name"])
        .where(p("u.partnership_id"), "=", current)
        .where("u.agency_id", "=", ctx.agencyId)
        .where("u.role", "=", "manager")
        .where("u.deactivated_at", "is", null)
        .where("u.user_id", "<>", ctx.userId)
        .orderBy("t.name")
        .orderBy("u.display_name")
        .execute(),
    );
  }

  /**
   * Sends the current version of a plan or an assessment record to a manager to authorise. Only its
   * author submits it, to a manager of their agency who is not themself; the manager is told.
   */
  submitForAuthorisation(input: {
    subjectType: AuthorisationSubject;
    subjectId: string;
    managerUserId: string;
  }): Promise<ChangeResult<{ authorisationId: string }>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(refused("You cannot submit work for authorisation"));
    return this.#scope.run(async (trx) => {
      let personId: string;
      let version: number;
      let author: string;
      if (input.subjectType === "plan") {
        const plan = await this.#plan(trx, input.subjectId);
        if (!plan) return deniedAccess("Plan not found");
        if (!(await this.#mayWritePlan(trx, ctx, plan))) return deniedAccess("You cannot submit this plan");
        version = await this.#latestVersion(trx, plan.plan_id);
        const row = await trx
          .selectFrom("plan_versions")
          .select("recorded_by")
          .where(inPartnership)
          .where("plan_id", "=", plan.plan_id)
          .where("version", "=", version)
          .executeTakeFirstOrThrow();
        author = row.recorded_by;
        personId = plan.person_id;
      } else {
        const record = await trx
          .selectFrom("casework_records")
          .selectAll()
          .where(inPartnership)
          .where("record_id", "=", input.subjectId)
          .executeTakeFirst();
        if (!record || !(await this.#canOpen(trx, record.person_id))) return deniedAccess("Record not found");
        if (record.record_type !== "assessment") return refused("Only assessments are authorised");
        if (!(await this.#isSocialCare(trx, ctx))) return deniedAccess("You cannot submit this record");
        const row = await trx
          .selectFrom("casework_record_versions")
          .select(["version", "recorded_by"])
          .where(inPartnership)
          .where("record_id", "=", record.record_id)
          .orderBy("version", "desc")
          .executeTakeFirstOrThrow();
        version = row.version;
        author = row.recorded_by;
        personId = record.person_id;
      }
      if (author !== ctx.userId) return refused("Only the author of the current version submits it");
      const pending = await trx
        .selectFrom("authorisations as z")
        .select("z.authorisation_id")
        .where(p("z.partnership_id"), "=", current)
        .where(input.subjectType === "plan" ? "z.plan_id" : "z.record_id", "=", input.subjectId)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("authorisation_decisions as d")
                .select("d.authorisation_id")
                .whereRef("d.partnership_id", "=", "z.partnership_id")
                .whereRef("d.authorisation_id", "=", "z.authorisation_id"),
            ),
          ),
        )
        .executeTakeFirst();
      if (pending) return refused("This is already waiting for authorisation", "managerUserId");
      const manager = await trx
        .selectFrom("users")
        .select("user_id")
        .where(inPartnership)
        .where("user_id", "=", input.managerUserId)
        .where("agency_id", "=", ctx.agencyId)
        .where("role", "=", "manager")
        .where("deactivated_at", "is", null)
        .executeTakeFirst();
      if (!manager || input.managerUserId === ctx.userId)
        return refused("Select a manager, other than yourself, to authorise this", "managerUserId");
      const authorisationId = crypto.randomUUID();
      await trx
        .insertInto("authorisations")
        .values({
          partnership_id: ctx.partnershipId,
          authorisation_id: authorisationId,
          person_id: personId,
          subject_type: input.subjectType,
          record_id: input.subjectType === "assessment" ? input.subjectId : null,
          plan_id: input.subjectType === "plan" ? input.subjectId : null,
          subject_version: version,
          author_user_id: author,
          manager_user_id: input.managerUserId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "submit-for-authorisation",
        recordType: "authorisation",
        recordId: authorisationId,
        details: {
          person_id: personId,
          subject_type: input.subjectType,
          subject_id: input.subjectId,
          version,
          manager_user_id: input.managerUserId,
        },
      });
      await notify(trx, ctx.partnershipId, {
        kind: "authorisation-requested",
        recipients: [input.managerUserId],
        subject: `${input.subjectType === "plan" ? "A plan" : "An assessment"} is waiting for your authorisation`,
        body: `Version ${version}, submitted for authorisation.`,
        link: `/authorisations/${authorisationId}`,
        personId,
        actorUserId: ctx.userId,
      });
      return done({ authorisationId });
    });
  }

  async #authorisation(trx: Trx, authorisationId: string) {
    const row = await trx
      .selectFrom("authorisations as z")
      .innerJoin("users as author", (j) =>
        j
          .onRef("author.partnership_id", "=", "z.partnership_id")
          .onRef("author.user_id", "=", "z.author_user_id"),
      )
      .leftJoin("authorisation_decisions as d", (j) =>
        j
          .onRef("d.partnership_id", "=", "z.partnership_id")
          .onRef("d.authorisation_id", "=", "z.authorisation_id"),
      )
      .leftJoin("plans as pl", (j) =>
        j.onRef("pl.partnership_id", "=", "z.partnership_id").onRef("pl.plan_id", "=", "z.plan_id"),
      )
      .selectAll("z")
      .select([
        "author.display_name as author_name",
        "d.decision",
        "d.reason",
        "d.decided_at",
        "d.decided_by",
        "pl.plan_type",
      ])
      .where(p("z.partnership_id"), "=", current)
      .where("z.authorisation_id", "=", authorisationId)
      .executeTakeFirst();
    if (!row || !(await this.#canOpen(trx, row.person_id))) return undefined;
    return row;
  }

  #subjectLabel(row: {
    subject_type: AuthorisationSubject;
    plan_type: PlanType | null;
    subject_version: number;
  }) {
    const what =
      row.subject_type === "plan" && row.plan_type
        ? PLAN_TYPES[row.plan_type]
        : AUTHORISATION_SUBJECTS[row.subject_type];
    return `${what}, version ${row.subject_version}`;
  }

  #subjectHref(row: {
    subject_type: AuthorisationSubject;
    person_id: string;
    plan_id: string | null;
    record_id: string | null;
    subject_version: number;
  }) {
    return row.subject_type === "plan"
      ? `/people/${row.person_id}/plans/${row.plan_id}?version=${row.subject_version}`
      : `/people/${row.person_id}/records/${row.record_id}?version=${row.subject_version}`;
  }

  /**
   * An authorisation, for its author and the manager it was sent to (and others who may open the
   * child), with whether the caller may decide it. Audited as a view of the child's record.
   */
  getAuthorisation(authorisationId: string) {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const row = await this.#authorisation(trx, authorisationId);
      if (!row) return undefined;
      const child = await trx
        .selectFrom("people")
        .select(["person_id", "given_names", "family_name"])
        .where(inPartnership)
        .where("person_id", "=", row.person_id)
        .executeTakeFirstOrThrow();
      const may = mayDecideAuthorisation(ctx.userId, {
        authorUserId: row.author_user_id,
        managerUserId: row.manager_user_id,
        decided: row.decision !== null,
      });
      await this.#viewAudit(trx, row.person_id, { page: "authorisation", authorisation_id: authorisationId });
      return {
        authorisation: row,
        child,
        subjectLabel: this.#subjectLabel(row),
        subjectHref: this.#subjectHref(row),
        mayDecide: may.ok,
        whyNot: may.ok ? null : may.message,
      };
    });
  }

  /**
   * A manager's decision: authorised, or returned to the author with the reason. Never by the author
   * (refused here; the database's CHECK refuses it too). The author is told.
   */
  decideAuthorisation(
    authorisationId: string,
    decision: AuthorisationDecision,
    reason: string,
  ): Promise<ChangeResult<null>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(refused("You cannot authorise"));
    return this.#scope.run(async (trx) => {
      const row = await this.#authorisation(trx, authorisationId);
      if (!row) return deniedAccess("Authorisation not found");
      const may = mayDecideAuthorisation(ctx.userId, {
        authorUserId: row.author_user_id,
        managerUserId: row.manager_user_id,
        decided: row.decision !== null,
      });
      if (!may.ok)
        return ctx.userId === row.author_user_id || ctx.userId !== row.manager_user_id
          ? deniedAccess(may.message)
          : refused(may.message);
      if (decision === "returned" && reason.trim() === "")
        return refused("Enter why you are returning it, so the author knows what to change", "reason");
      await trx
        .insertInto("authorisation_decisions")
        .values({
          partnership_id: ctx.partnershipId,
          authorisation_id: authorisationId,
          author_user_id: row.author_user_id,
          decision,
          reason: reason.trim() || null,
          decided_by: ctx.userId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: decision === "authorised" ? "authorise" : "return",
        recordType: "authorisation",
        recordId: authorisationId,
        reason: reason.trim() || null,
        details: { person_id: row.person_id, decision: [null, decision] },
      });
      const childName = await this.#childName(trx, row.person_id);
      const label = row.subject_type === "plan" ? "A plan" : "An assessment";
      await notify(trx, ctx.partnershipId, {
        kind: "authorisation-decided",
        recipients: [row.author_user_id],
        subject:
          decision === "authorised"
            ? `${label} for ${childName} was authorised`
            : `${label} for ${childName} was returned to you`,
        body: decision === "authorised" ? "Authorised." : `Returned: ${reason.trim()}`,
        link: this.#subjectHref(row),
        personId: row.person_id,
        actorUserId: ctx.userId,
      });
      return done(null);
    });
  }

  /**
   * Plans and assessments sent to the caller to authorise and not yet decided, oldest first, for the
   * manager's home page. Only children the caller may open.
   */
  listAwaitingMyAuthorisation(): Promise<AwaitingAuthorisation[]> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve([]);
    return this.#scope.run(async (trx) => {
      const rows = await trx
        .selectFrom("authorisations as z")
        .innerJoin("people as c", (j) =>
          j.onRef("c.partnership_id", "=", "z.partnership_id").onRef("c.person_id", "=", "z.person_id"),
        )
        .innerJoin("users as author", (j) =>
          j
            .onRef("author.partnership_id", "=", "z.partnership_id")
            .onRef("author.user_id", "=", "z.author_user_id"),
        )
        .leftJoin("plans as pl", (j) =>
          j.onRef("pl.partnership_id", "=", "z.partnership_id").onRef("pl.plan_id", "=", "z.plan_id"),
        )
        .select([
          "z.authorisation_id",
          "z.subject_type",
          "z.subject_version",
          "z.person_id",
          "z.plan_id",
          "z.record_id",
          "z.submitted_at",
          "pl.plan_type",
          "c.given_names",
          "c.family_name",
          "author.display_name as author_name",
        ])
        .where(p("z.partnership_id"), "=", current)
        .where("z.manager_user_id", "=", ctx.userId)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("authorisation_decisions as d")
                .select("d.authorisation_id")
                .whereRef("d.partnership_id", "=", "z.partnership_id")
                .whereRef("d.authorisation_id", "=", "z.authorisation_id"),
            ),
          ),
        )
        .where(childVisibleTo(ctx, p("z.person_id")))
        // An archived record (closed, past retention: src/retention) leaves the worklist.
        .where(notArchived(p("z.person_id")))
        .orderBy("z.submitted_at")
        .execute();
      return rows.map((r) => ({
        authorisationId: r.authorisation_id,
        subjectType: r.subject_type,
        subjectLabel: this.#subjectLabel(r),
        personId: r.person_id,
        childName: `${r.given_names} ${r.family_name}`,
        submittedBy: r.author_name,
        submittedAt: r.submitted_at,
        href: `/authorisations/${r.authorisation_id}`,
      }));
    });
  }
}
