// SPDX-License-Identifier: MIT
/**
 * Early help's choices and step-down: the people who may lead early help and the agencies of a team
 * around the family, and stepping a closed social care case down to early help. Part of
 * `request.repo.cases` (./case-repository.ts).
 */
import { sql } from "kysely";
import { AreaRepository } from "../../data/area-repository.ts";
import {
  type ChangeResult,
  done,
  type MethodAccess,
  refused,
  type Trx,
} from "../../data/repository-scope.ts";
import { type IsoDate, todayInEngland } from "../../kernel/calendar.ts";
import { currentPartnership, inCurrentPartnership, onKey } from "../../kernel/sql.ts";
import { canOpenChild } from "../pathway-records.ts";
import { mayRecordSocialCare, runsFrontDoor } from "../social-care-access.ts";
import { p } from "./case-level.ts";
import { LEAD_ROLES, openEarlyHelp } from "./open-early-help.ts";

export type StepDownInput = {
  steppedDownOn: IsoDate;
  leadUserId: string | null;
  teamAgencyIds: readonly string[];
  reason: string;
};

export class StepDownRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof StepDownRepository, MethodAccess> = {
    earlyHelpChoices: "guarded",
    stepDownChoices: "guarded",
    stepDown: "guarded",
  };

  #canOpen(trx: Trx, personId: string): Promise<boolean> {
    return canOpenChild(this.scope, trx, personId);
  }

  async #leads(trx: Trx) {
    return trx
      .selectFrom("users as u")
      .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "u.agency_id"))
      .select(["u.user_id", "u.display_name", "a.name as agency_name", "a.agency_type"])
      .where(p("u.partnership_id"), "=", currentPartnership)
      .where("u.role", "in", [...LEAD_ROLES])
      .where("u.deactivated_at", "is", null)
      .where("a.deactivated_at", "is", null)
      .orderBy(sql`a.agency_type <> 'early-help'`)
      .orderBy("a.name")
      .orderBy("u.display_name")
      .execute();
  }

  async #agencies(trx: Trx) {
    return trx
      .selectFrom("agencies")
      .select(["agency_id", "name", "agency_type"])
      .where(inCurrentPartnership())
      .where("deactivated_at", "is", null)
      .orderBy("name")
      .execute();
  }

  /** Who may be named lead professional, and the agencies for a team around the family: the front door only. */
  earlyHelpChoices() {
    const ctx = this.ctx;
    if (!ctx || !runsFrontDoor(ctx.role)) return Promise.resolve({ leads: [], agencies: [] });
    return this.scope.run(async (trx) => ({
      leads: await this.#leads(trx),
      agencies: await this.#agencies(trx),
    }));
  }

  /** The closed episode's closure, and any step-down already made from it. */
  async #closure(trx: Trx, personId: string, episodeId: string) {
    const closure = await trx
      .selectFrom("csc_events")
      .select(["event_id", "occurred_on", "code"])
      .where(inCurrentPartnership())
      .where("person_id", "=", personId)
      .where("episode_id", "=", episodeId)
      .where("event_type", "=", "closure")
      .orderBy("occurred_on", "desc")
      .executeTakeFirst();
    const stepped = await trx
      .selectFrom("step_downs")
      .select(["early_help_id", "stepped_down_on"])
      .where(inCurrentPartnership())
      .where("episode_id", "=", episodeId)
      .where("person_id", "=", personId)
      .executeTakeFirst();
    return { closure, stepped };
  }

  /**
   * What the step-down form needs: the closure, a step-down already made, and the lead and team choices.
   * Children's social care, the front door and leads, for a child they may open; undefined otherwise.
   */
  stepDownChoices(personId: string, episodeId: string) {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      if (!(await mayRecordSocialCare(this.scope, trx, ctx)) || !(await this.#canOpen(trx, personId)))
        return undefined;
      const { closure, stepped } = await this.#closure(trx, personId, episodeId);
      if (!closure) return undefined;
      return {
        closure,
        stepped: stepped ?? null,
        leads: await this.#leads(trx),
        agencies: await this.#agencies(trx),
      };
    });
  }

  /**
   * Steps a closed social care case down to early help: opens early help led by the named professional,
   * with the team around the family, linked to the closure; the lead is told ("stepped-down").
   */
  stepDown(
    personId: string,
    episodeId: string,
    input: StepDownInput,
  ): Promise<ChangeResult<{ earlyHelpId: string }>> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(refused("You cannot step a case down"));
    if (!input.leadUserId)
      return Promise.resolve(refused("Select the lead professional for early help", "leadUserId"));
    if (!input.reason.trim())
      return Promise.resolve(refused("Say why the case is stepping down to early help", "reason"));
    const leadUserId = input.leadUserId;
    return this.scope.run(async (trx) => {
      if (!(await mayRecordSocialCare(this.scope, trx, ctx)))
        return refused("Only children's social care steps a case down");
      if (!(await this.#canOpen(trx, personId))) return refused("You cannot see this child's record");
      const { closure, stepped } = await this.#closure(trx, personId, episodeId);
      if (!closure) return refused("Only a closed social care case can step down", "steppedDownOn");
      if (stepped) return refused("This case has already stepped down to early help", "steppedDownOn");
      if (input.steppedDownOn < closure.occurred_on || input.steppedDownOn > todayInEngland())
        return refused("The date must be between the case's closure and today", "steppedDownOn");
      const open = await trx
        .selectFrom("early_help")
        .select("early_help_id")
        .where(inCurrentPartnership())
        .where("person_id", "=", personId)
        .where("ended_on", "is", null)
        .executeTakeFirst();
      if (open) return refused("This child already has early help open", "leadUserId");
      const opened = await openEarlyHelp(trx, this.scope, ctx, {
        personId,
        startedOn: input.steppedDownOn,
        consentOn: input.steppedDownOn,
        consent: "given",
        leadUserId,
        teamAgencyIds: input.teamAgencyIds,
        summary: `Stepped down from children's social care. ${input.reason}`.slice(0, 8000),
        supportRequestId: null,
        steppedDownFromEpisodeId: episodeId,
        reason: "Step-down from children's social care to early help, with this agency as the lead",
        notice: {
          kind: "stepped-down",
          subject: "A case has stepped down to early help: you are the lead professional",
          body: "Children's social care closed the case and stepped it down to early help, naming you as the lead professional.",
        },
      });
      if (!opened.ok) return refused(opened.message, opened.field);
      const stepDownId = crypto.randomUUID();
      await trx
        .insertInto("step_downs")
        .values({
          partnership_id: ctx.partnershipId,
          step_down_id: stepDownId,
          person_id: personId,
          episode_id: episodeId,
          closure_event_id: closure.event_id,
          early_help_id: opened.earlyHelpId,
          stepped_down_on: input.steppedDownOn,
          reason: input.reason,
          recorded_by: ctx.userId,
        })
        .execute();
      await this.scope.audit(trx, {
        action: "create",
        recordType: "step-down",
        recordId: stepDownId,
        details: {
          person_id: personId,
          episode_id: episodeId,
          closure_event_id: closure.event_id,
          early_help_id: opened.earlyHelpId,
          stepped_down_on: input.steppedDownOn,
          reason: input.reason,
        },
      });
      return done({ earlyHelpId: opened.earlyHelpId });
    });
  }
}
