// SPDX-License-Identifier: MIT
/**
 * Early help: started with the family's consent after an early help assessment, led by the caller's
 * agency, with the team around the family, a plan of outcomes and actions, and reviews of progress. It
 * ends with a reason; stepping up sends a request for support to the front door. Once ended, its history
 * is kept as it was.
 */
import type { AccessContext } from "../../data/access-context.ts";
import { AreaRepository } from "../../data/area-repository.ts";
import { mayRecord } from "../../data/child-access.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  refused,
  type Trx,
} from "../../data/repository-scope.ts";
import type { IsoDate } from "../../kernel/calendar.ts";
import { inCurrentPartnership } from "../../kernel/sql.ts";
import type { EarlyHelpEnding, OutcomeProgress } from "../codes.ts";
import { auditCreated, canOpenChild, changeForChild, today } from "../pathway-records.ts";
import { mayWriteTaf } from "../plans/plan-queries.ts";
import { insertSupportRequest, type NewSupportRequest } from "../requests/support-requests.ts";
import { insertEarlyHelp, insertMember, type NewMember, openEarlyHelpOf } from "./early-help-rows.ts";

export type NewEarlyHelp = {
  startedOn: IsoDate;
  consentOn: IsoDate;
  assessmentSummary: string;
  reviewIntervalWeeks: number;
  supportRequestId: string | null;
  steppedDownFromEpisodeId: string | null;
};

export type EarlyHelpEnd = {
  endedOn: IsoDate;
  ending: EarlyHelpEnding;
  note: string;
  /** On step-up: the request for support that goes to the front door. */
  stepUp: NewSupportRequest | null;
};

export class EarlyHelpRepository extends AreaRepository {
  static readonly methodAccess: Record<keyof EarlyHelpRepository, MethodAccess> = {
    startEarlyHelp: "guarded",
    mayChangeEarlyHelp: "guarded",
    addTeamMember: "guarded",
    addPlanOutcome: "guarded",
    addPlanAction: "guarded",
    completePlanAction: "guarded",
    recordEarlyHelpReview: "guarded",
    endEarlyHelp: "guarded",
  };

  /** Starts early help for a child: the early help assessment done with consent; the caller leads. */
  startEarlyHelp(personId: string, input: NewEarlyHelp): Promise<ChangeResult<{ earlyHelpId: string }>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot start early help"));
    return changeForChild(this.scope, personId, async (trx) => {
      if (await openEarlyHelpOf(trx, personId)) return refused("This child already has early help open");
      if (input.consentOn > input.startedOn)
        return refused("Consent comes before the early help assessment starts", "consentOn");
      // The request it answers is one the form offers: this child's, decided for early help by the front
      // door and not yet linked (never one still waiting for a decision, or another early help's).
      if (input.supportRequestId) {
        const request = await trx
          .selectFrom("support_requests")
          .select("request_id")
          .where(inCurrentPartnership())
          .where("request_id", "=", input.supportRequestId)
          .where("person_id", "=", personId)
          .where("outcome", "=", "early-help")
          .where("early_help_id", "is", null)
          .executeTakeFirst();
        if (!request) return refused("Select a request decided for early help", "supportRequestId");
      }
      const earlyHelpId = await insertEarlyHelp(trx, ctx, {
        ...input,
        personId,
        leadUserId: ctx.userId,
        leadAgencyId: ctx.agencyId,
      });
      const lead = await trx
        .selectFrom("users")
        .select("display_name")
        .where(inCurrentPartnership())
        .where("user_id", "=", ctx.userId)
        .executeTakeFirst();
      await insertMember(trx, ctx, earlyHelpId, {
        agencyId: ctx.agencyId,
        name: lead?.display_name ?? "Lead professional",
        memberRole: "Lead professional",
        joinedOn: input.startedOn,
      });
      if (input.supportRequestId) {
        await trx
          .updateTable("support_requests")
          .set({ early_help_id: earlyHelpId })
          .where(inCurrentPartnership())
          .where("request_id", "=", input.supportRequestId)
          .where("person_id", "=", personId)
          .where("early_help_id", "is", null)
          .execute();
      }
      await auditCreated(this.scope, trx, "early-help", earlyHelpId, { person_id: personId, ...input });
      return done({ earlyHelpId });
    });
  }

  /** Loads open early help the caller may change, or a refusal. */
  async #earlyHelpToChange(trx: Trx, earlyHelpId: string) {
    const row = await trx
      .selectFrom("early_help")
      .select(["person_id", "started_on", "ended_on"])
      .where(inCurrentPartnership())
      .where("early_help_id", "=", earlyHelpId)
      .executeTakeFirst();
    if (!row || !(await canOpenChild(this.scope, trx, row.person_id))) return undefined;
    return row;
  }

  #earlyHelpChange<T>(
    earlyHelpId: string,
    work: (
      trx: Trx,
      ctx: AccessContext,
      eh: { person_id: string; started_on: string },
    ) => Promise<ChangeResult<T>>,
  ): Promise<ChangeResult<T>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot change early help"));
    return this.scope.run(async (trx) => {
      const eh = await this.#earlyHelpToChange(trx, earlyHelpId);
      if (!eh) return refused("Early help not found");
      if (eh.ended_on !== null) return refused("This early help has ended; its history is kept as it was");
      // Its team changes it: the lead professional, the lead agency, the agencies in the team around the
      // family, and safeguarding leads; another agency that works with the child reads it.
      if (!(await mayWriteTaf(trx, ctx, earlyHelpId)))
        return deniedAccess("Only the team around the family changes its early help");
      return work(trx, ctx, eh);
    });
  }

  /**
   * Whether the caller may change this early help (its team, plan, reviews and ending): the team around
   * the family and safeguarding leads, while it is open, for a child the caller may open.
   */
  mayChangeEarlyHelp(earlyHelpId: string): Promise<boolean> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(false);
    return this.scope.run(async (trx) => {
      const eh = await this.#earlyHelpToChange(trx, earlyHelpId);
      return eh !== undefined && eh.ended_on === null && (await mayWriteTaf(trx, ctx, earlyHelpId));
    });
  }

  /** Adds a member of the team around the family. */
  addTeamMember(earlyHelpId: string, input: NewMember): Promise<ChangeResult<{ memberId: string }>> {
    return this.#earlyHelpChange(earlyHelpId, async (trx, ctx) => {
      const memberId = await insertMember(trx, ctx, earlyHelpId, input);
      await auditCreated(this.scope, trx, "early-help-member", memberId, {
        early_help_id: earlyHelpId,
        ...input,
      });
      return done({ memberId });
    });
  }

  /** Adds an outcome to the early help plan. */
  addPlanOutcome(earlyHelpId: string, description: string): Promise<ChangeResult<{ outcomeId: string }>> {
    if (!description.trim()) return Promise.resolve(refused("Enter the outcome", "description"));
    return this.#earlyHelpChange(earlyHelpId, async (trx, ctx) => {
      const outcomeId = crypto.randomUUID();
      await trx
        .insertInto("early_help_outcomes")
        .values({
          partnership_id: ctx.partnershipId,
          outcome_id: outcomeId,
          early_help_id: earlyHelpId,
          description,
          added_on: today(),
        })
        .execute();
      await auditCreated(this.scope, trx, "early-help-outcome", outcomeId, {
        early_help_id: earlyHelpId,
        description,
      });
      return done({ outcomeId });
    });
  }

  /** Adds an action to the plan, with its owner and due date. */
  addPlanAction(
    earlyHelpId: string,
    input: { outcomeId: string | null; description: string; owner: string; dueOn: IsoDate },
  ): Promise<ChangeResult<{ actionId: string }>> {
    return this.#earlyHelpChange(earlyHelpId, async (trx, ctx) => {
      if (input.outcomeId) {
        const outcome = await trx
          .selectFrom("early_help_outcomes")
          .select("outcome_id")
          .where(inCurrentPartnership())
          .where("outcome_id", "=", input.outcomeId)
          .where("early_help_id", "=", earlyHelpId)
          .executeTakeFirst();
        if (!outcome) return refused("Select an outcome of this plan", "outcomeId");
      }
      const actionId = crypto.randomUUID();
      await trx
        .insertInto("early_help_actions")
        .values({
          partnership_id: ctx.partnershipId,
          action_id: actionId,
          early_help_id: earlyHelpId,
          outcome_id: input.outcomeId,
          description: input.description,
          owner: input.owner,
          due_on: input.dueOn,
        })
        .execute();
      await auditCreated(this.scope, trx, "early-help-action", actionId, {
        early_help_id: earlyHelpId,
        ...input,
      });
      return done({ actionId });
    });
  }

  /** Marks a plan action done. */
  completePlanAction(earlyHelpId: string, actionId: string, doneOn: IsoDate): Promise<ChangeResult<null>> {
    return this.#earlyHelpChange(earlyHelpId, async (trx) => {
      const result = await trx
        .updateTable("early_help_actions")
        .set({ done_on: doneOn })
        .where(inCurrentPartnership())
        .where("action_id", "=", actionId)
        .where("early_help_id", "=", earlyHelpId)
        .where("done_on", "is", null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return refused("Action not found or already done");
      await this.scope.audit(trx, {
        action: "complete",
        recordType: "early-help-action",
        recordId: actionId,
        details: { done_on: [null, doneOn] },
      });
      return done(null);
    });
  }

  /** Records a review of the early help plan with progress against each outcome. */
  recordEarlyHelpReview(
    earlyHelpId: string,
    input: { heldOn: IsoDate; progress: Record<string, OutcomeProgress>; notes: string },
  ): Promise<ChangeResult<{ reviewId: string }>> {
    return this.#earlyHelpChange(earlyHelpId, async (trx, ctx, eh) => {
      if (input.heldOn < eh.started_on)
        return refused("A review cannot come before early help started", "heldOn");
      const outcomes = await trx
        .selectFrom("early_help_outcomes")
        .select("outcome_id")
        .where(inCurrentPartnership())
        .where("early_help_id", "=", earlyHelpId)
        .execute();
      const missing = outcomes.find((o) => !input.progress[o.outcome_id]);
      if (missing) return refused("Record progress against every outcome", `progress-${missing.outcome_id}`);
      const reviewId = crypto.randomUUID();
      await trx
        .insertInto("early_help_reviews")
        .values({
          partnership_id: ctx.partnershipId,
          review_id: reviewId,
          early_help_id: earlyHelpId,
          held_on: input.heldOn,
          progress: JSON.stringify(input.progress),
          notes: input.notes,
          recorded_by: ctx.userId,
        })
        .execute();
      await auditCreated(this.scope, trx, "early-help-review", reviewId, {
        early_help_id: earlyHelpId,
        ...input,
      });
      return done({ reviewId });
    });
  }

  /**
   * Ends early help. Stepping up sends a request for support to the front door, linked to this early
   * help; the early help record, its plan and reviews are kept as they were.
   */
  endEarlyHelp(
    earlyHelpId: string,
    input: EarlyHelpEnd,
  ): Promise<ChangeResult<{ requestId: string | null }>> {
    if (input.ending === "step-up" && !input.stepUp)
      return Promise.resolve(refused("Say what the concerns are for the front door", "concerns"));
    return this.#earlyHelpChange(earlyHelpId, async (trx, ctx, eh) => {
      if (input.endedOn < eh.started_on) return refused("Early help cannot end before it started", "endedOn");
      await trx
        .updateTable("early_help")
        .set({ ended_on: input.endedOn, ending: input.ending, ending_note: input.note })
        .where(inCurrentPartnership())
        .where("early_help_id", "=", earlyHelpId)
        .execute();
      await this.scope.audit(trx, {
        action: "end",
        recordType: "early-help",
        recordId: earlyHelpId,
        details: { ended_on: [null, input.endedOn], ending: [null, input.ending], note: input.note },
      });
      const requestId =
        input.ending === "step-up" && input.stepUp
          ? await insertSupportRequest(trx, this.scope, ctx, eh.person_id, input.stepUp, earlyHelpId)
          : null;
      return done({ requestId });
    });
  }
}
