// SPDX-License-Identifier: MIT
/**
 * Professional differences (escalations) about a child's plan: raised at the practitioner stage, about a
 * front-door decision or an agency, moved up a stage at a time with why it was not resolved, and resolved
 * with an outcome. Every stage is kept; the parties are told at each step (../../escalations/parties.ts).
 */

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
import { isDifferenceParty, notifyDifferenceParties } from "../../escalations/parties.ts";
import type { IsoDate } from "../../kernel/calendar.ts";
import { currentPartnership, inCurrentPartnership, onKey } from "../../kernel/sql.ts";
import { readPathwaySettings } from "../../settings/pathway-settings.ts";
import { ESCALATION_STAGES, type EscalationStage, escalationState } from "../escalation.ts";
import { auditCreated, canOpenChild, changeForChild, p, today } from "../pathway-records.ts";

/** Where a professional difference stands today, from its stages as stored. */
export const differenceState = (
  steps: readonly { stage: EscalationStage; started_on: IsoDate }[],
  resolvedOn: IsoDate | null,
  workingDays: Parameters<typeof escalationState>[3],
) =>
  escalationState(
    steps.map((step) => ({ stage: step.stage, startedOn: step.started_on })),
    resolvedOn,
    today(),
    workingDays,
  );

/** Records the stage a professional difference reached, with the note on why. */
const insertStep = (
  trx: Trx,
  ctx: AccessContext,
  escalationId: string,
  stage: EscalationStage,
  on: IsoDate,
  note: string,
) =>
  trx
    .insertInto("escalation_steps")
    .values({
      partnership_id: ctx.partnershipId,
      step_id: crypto.randomUUID(),
      escalation_id: escalationId,
      stage,
      started_on: on,
      note,
      recorded_by: ctx.userId,
    })
    .execute();

export class DifferencesRepository extends AreaRepository {
  static readonly methodAccess: Record<keyof DifferencesRepository, MethodAccess> = {
    raiseEscalation: "guarded",
    escalate: "guarded",
    resolveEscalation: "guarded",
  };

  /** Raises a professional difference about a child's plan; it starts at the practitioner stage. */
  raiseEscalation(
    personId: string,
    input: {
      raisedOn: IsoDate;
      disagreement: string;
      aboutAgencyId?: string | null;
      aboutRequestId?: string | null;
    },
  ): Promise<ChangeResult<{ escalationId: string }>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role))
      return Promise.resolve(refused("You cannot raise a professional difference"));
    if (!input.disagreement.trim())
      return Promise.resolve(refused("Describe the disagreement", "disagreement"));
    if (input.raisedOn > today())
      return Promise.resolve(refused("The date must be today or in the past", "raisedOn"));
    return changeForChild(this.scope, personId, async (trx) => {
      // What it is about: a front-door decision on this child (the decider's agency is the one it is
      // about), or an agency; the parties who are told and may open it follow from this.
      let aboutAgencyId = input.aboutAgencyId ?? null;
      const aboutRequestId = input.aboutRequestId ?? null;
      if (aboutRequestId) {
        const decided = await trx
          .selectFrom("support_requests as r")
          .innerJoin("users as d", (j) => onKey(j, "d.user_id", "r.decided_by"))
          .select("d.agency_id")
          .where(p("r.partnership_id"), "=", currentPartnership)
          .where("r.request_id", "=", aboutRequestId)
          .where("r.person_id", "=", personId)
          .executeTakeFirst();
        if (!decided) return refused("Select a decision made about this child", "about");
        aboutAgencyId = decided.agency_id;
      } else if (aboutAgencyId) {
        // An agency involved with the child, as the form's list offers (EscalationsRepository.aboutOptions):
        // the agency it is about becomes a party, so one with no part in the child's life is never told.
        const agency = await trx
          .selectFrom("involvements")
          .select("agency_id")
          .where(inCurrentPartnership())
          .where("person_id", "=", personId)
          .where("agency_id", "=", aboutAgencyId)
          .where("ended_on", "is", null)
          .executeTakeFirst();
        if (!agency) return refused("Select the agency the difference is about", "about");
      }
      const escalationId = crypto.randomUUID();
      await trx
        .insertInto("escalations")
        .values({
          partnership_id: ctx.partnershipId,
          escalation_id: escalationId,
          person_id: personId,
          raised_by: ctx.userId,
          raised_by_agency_id: ctx.agencyId,
          raised_on: input.raisedOn,
          disagreement: input.disagreement,
          about_agency_id: aboutAgencyId,
          about_request_id: aboutRequestId,
        })
        .execute();
      await insertStep(trx, ctx, escalationId, "practitioner", input.raisedOn, input.disagreement);
      await auditCreated(this.scope, trx, "escalation", escalationId, { person_id: personId, ...input });
      await notifyDifferenceParties(
        trx,
        ctx,
        escalationId,
        "difference-raised",
        `A professional difference was raised at the practitioner stage: ${input.disagreement}`,
      );
      return done({ escalationId });
    });
  }

  async #openEscalation(trx: Trx, escalationId: string) {
    const row = await trx
      .selectFrom("escalations")
      .select(["person_id", "resolved_on", "raised_on"])
      .where(inCurrentPartnership())
      .where("escalation_id", "=", escalationId)
      .executeTakeFirst();
    // Parties (the agency it is about, managers of both) act on it even without the child's record open.
    if (
      !row ||
      !(
        (await canOpenChild(this.scope, trx, row.person_id)) ||
        (await isDifferenceParty(trx, this.ctx, escalationId))
      )
    )
      return undefined;
    const steps = await trx
      .selectFrom("escalation_steps")
      .select(["stage", "started_on"])
      .where(inCurrentPartnership())
      .where("escalation_id", "=", escalationId)
      .execute();
    return {
      ...row,
      state: differenceState(
        steps,
        row.resolved_on,
        (await readPathwaySettings(trx)).timescales.escalationWorkingDays,
      ),
    };
  }

  /** Moves a professional difference to the next stage, with why it was not resolved at this one. */
  escalate(
    escalationId: string,
    input: { on: IsoDate; note: string },
  ): Promise<ChangeResult<{ stage: EscalationStage }>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role))
      return Promise.resolve(refused("You cannot escalate a professional difference"));
    if (!input.note.trim())
      return Promise.resolve(refused("Say why it was not resolved at this stage", "note"));
    return this.scope.run(async (trx) => {
      const open = await this.#openEscalation(trx, escalationId);
      if (!open?.state) return refused("Professional difference not found");
      if (open.resolved_on !== null) return refused("This professional difference has been resolved");
      const next = open.state.next;
      if (!next) return refused("This is already at the last stage: record the partnership's resolution");
      if (input.on < open.state.stageStartedOn || input.on > today())
        return refused("The date must be between the stage's start and today", "on");
      await insertStep(trx, ctx, escalationId, next, input.on, input.note);
      await this.scope.audit(trx, {
        action: "escalate",
        recordType: "escalation",
        recordId: escalationId,
        details: { stage: [open.state.stage, next], note: input.note, on: input.on },
      });
      await notifyDifferenceParties(
        trx,
        ctx,
        escalationId,
        "difference-escalated",
        `Moved to the stage "${ESCALATION_STAGES[next]}": ${input.note}`,
      );
      return done({ stage: next });
    });
  }

  /** Records how a professional difference was resolved; the outcome and every stage are kept. */
  resolveEscalation(
    escalationId: string,
    input: { on: IsoDate; outcome: string },
  ): Promise<ChangeResult<null>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role))
      return Promise.resolve(refused("You cannot resolve a professional difference"));
    if (!input.outcome.trim()) return Promise.resolve(refused("Record the outcome", "outcome"));
    return this.scope.run(async (trx) => {
      const open = await this.#openEscalation(trx, escalationId);
      if (!open) return refused("Professional difference not found");
      if (open.resolved_on !== null) return refused("This professional difference has already been resolved");
      if (input.on < open.raised_on || input.on > today())
        return refused("The date must be between when it was raised and today", "on");
      await trx
        .updateTable("escalations")
        .set({ resolved_on: input.on, outcome: input.outcome })
        .where(inCurrentPartnership())
        .where("escalation_id", "=", escalationId)
        .execute();
      await this.scope.audit(trx, {
        action: "resolve",
        recordType: "escalation",
        recordId: escalationId,
        details: {
          resolved_on: [null, input.on],
          outcome: [null, input.outcome],
          stage: open.state ? ESCALATION_STAGES[open.state.stage] : null,
        },
      });
      await notifyDifferenceParties(
        trx,
        ctx,
        escalationId,
        "difference-resolved",
        `Outcome: ${input.outcome}`,
      );
      return done(null);
    });
  }
}
