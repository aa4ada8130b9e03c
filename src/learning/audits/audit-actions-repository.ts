// SPDX-License-Identifier: MIT
/**
 * Actions agreed at moderation, each with an owner and a due date; an action is done when its completion
 * is recorded, once. Append-only and audited in the same transaction as the change.
 */
import { sql } from "kysely";
import { AreaRepository } from "../../data/area-repository.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  refused,
} from "../../data/repository-scope.ts";
import { todayInEngland } from "../../kernel/calendar.ts";
import { currentPartnership } from "../../kernel/sql.ts";
import { actionsQuery, ISO, isSampled, mayLeadAudits } from "./audit-records.ts";

/** Audit actions: recording, completing and listing them. */
export class AuditActionsRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof AuditActionsRepository, MethodAccess> = {
    addAction: "guarded",
    completeAction: "guarded",
    myActions: "guarded",
  };

  /** Records an action agreed at moderation, with its owner (any active user) and due date. Leads only. */
  addAction(
    roundId: string,
    personId: string,
    input: { description: string; ownerUserId: string; dueOn: string },
  ): Promise<ChangeResult<{ actionId: string }>> {
    const ctx = this.ctx;
    if (!mayLeadAudits(ctx))
      return Promise.resolve(deniedAccess("Only safeguarding leads record audit actions"));
    const description = input.description.trim();
    if (description === "") return Promise.resolve(refused("Enter the action", "description"));
    if (description.length > 2000)
      return Promise.resolve(refused("The action must be 2000 characters or fewer", "description"));
    if (!ISO.test(input.dueOn) || Number.isNaN(Date.parse(input.dueOn)))
      return Promise.resolve(refused("Enter a real due date", "dueOn"));
    return this.scope.run(async (trx) => {
      if (!(await isSampled(trx, roundId, personId))) return refused("This child is not in the round");
      const owner = await trx
        .selectFrom("users")
        .select("user_id")
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where("user_id", "=", input.ownerUserId)
        .where("deactivated_at", "is", null)
        .executeTakeFirst();
      if (!owner) return refused("Choose who owns the action", "ownerUserId");
      const actionId = crypto.randomUUID();
      await trx
        .insertInto("audit_actions")
        .values({
          partnership_id: ctx.partnershipId,
          action_id: actionId,
          round_id: roundId,
          person_id: personId,
          description,
          owner_user_id: input.ownerUserId,
          due_on: input.dueOn,
          created_by: ctx.userId,
        })
        .execute();
      await this.scope.audit(trx, {
        action: "create",
        recordType: "audit-action",
        recordId: actionId,
        details: {
          round_id: [null, roundId],
          person_id: [null, personId],
          description: [null, description],
          owner_user_id: [null, input.ownerUserId],
          due_on: [null, input.dueOn],
        },
      });
      return done({ actionId });
    });
  }

  /** Records an action as done. Its owner or a safeguarding lead; once only. */
  completeAction(
    actionId: string,
    input: { completedOn: string; note: string },
  ): Promise<ChangeResult<null>> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(deniedAccess("Sign in to complete an action"));
    const note = input.note.trim();
    return this.scope.run(async (trx) => {
      const action = await trx
        .selectFrom("audit_actions")
        .select(["owner_user_id"])
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where("action_id", "=", actionId)
        .executeTakeFirst();
      if (!action || (action.owner_user_id !== ctx.userId && ctx.role !== "safeguarding-lead")) {
        await this.scope.recordDenial(trx, { recordType: "audit-action", recordId: actionId });
        return deniedAccess("Only the action's owner or a safeguarding lead can complete it");
      }
      // The input is checked after access, so whoever may not complete it is refused whatever they sent.
      if (!ISO.test(input.completedOn) || Number.isNaN(Date.parse(input.completedOn)))
        return refused("Enter a real date", "completedOn");
      if (input.completedOn > todayInEngland())
        return refused("The date it was done cannot be in the future", "completedOn");
      if (note === "") return refused("Say what was done", "note");
      if (note.length > 2000) return refused("The note must be 2000 characters or fewer", "note");
      const already = await trx
        .selectFrom("audit_action_completions")
        .select("action_id")
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where("action_id", "=", actionId)
        .executeTakeFirst();
      if (already) return refused("This action is already done");
      await trx
        .insertInto("audit_action_completions")
        .values({
          partnership_id: ctx.partnershipId,
          action_id: actionId,
          completed_on: input.completedOn,
          note,
          recorded_by: ctx.userId,
        })
        .execute();
      await this.scope.audit(trx, {
        action: "complete",
        recordType: "audit-action",
        recordId: actionId,
        details: { completed_on: [null, input.completedOn], note: [null, note] },
      });
      return done(null);
    });
  }

  /** The caller's own audit actions (every round's, for a lead), open first. */
  myActions() {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve([]);
    return this.scope.run((trx) => {
      let query = actionsQuery(trx);
      if (ctx.role !== "safeguarding-lead") query = query.where("a.owner_user_id", "=", ctx.userId);
      return query.execute();
    });
  }
}
