// SPDX-License-Identifier: MIT
/**
 * Writing a plan's version inside an open transaction: checking the owners given actions, writing the
 * outcomes and actions (keeping the ids of rows carried over from the version before), and telling the
 * users newly given an action.
 */
import { sql } from "kysely";
import type { AccessContext } from "../../data/access-context.ts";
import { childVisibleTo, mayRecord } from "../../data/child-access.ts";
import { type ChangeResult, refused, type Trx } from "../../data/repository-scope.ts";
import { currentPartnership, inCurrentPartnership } from "../../kernel/sql.ts";
import { notify } from "../../notifications/notify.ts";
import { p } from "./plan-queries.ts";
import { carriedId, newlyAssigned, type PlanContentInput } from "./plan-rules.ts";

/** Writes one version's outcomes and actions, keeping the ids of rows carried over. */
export const writeVersion = async (
  trx: Trx,
  ctx: AccessContext,
  planId: string,
  version: number,
  content: PlanContentInput,
  previous: { outcomeIds: Set<string>; actionIds: Set<string> },
) => {
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
};

/** Checks that each user given an action works for the partnership and may open the child. */
export const checkOwners = async (
  trx: Trx,
  ctx: AccessContext,
  personId: string,
  content: PlanContentInput,
): Promise<ChangeResult<never> | undefined> => {
  for (const [index, action] of content.actions.entries()) {
    const field = `action-${index + 1}-owner`;
    if (action.ownerAgencyId) {
      const agency = await trx
        .selectFrom("agencies")
        .select("agency_id")
        .where(inCurrentPartnership())
        .where("agency_id", "=", action.ownerAgencyId)
        .executeTakeFirst();
      if (!agency) return refused("Select an agency from the list", `action-${index + 1}-agency`);
    }
    if (!action.ownerUserId) continue;
    const user = await trx
      .selectFrom("users as u")
      .select(["u.user_id", "u.role", "u.agency_id", "u.team_id"])
      .where(p("u.partnership_id"), "=", currentPartnership)
      .where("u.user_id", "=", action.ownerUserId)
      .where("u.deactivated_at", "is", null)
      .executeTakeFirst();
    if (!user) return refused("Select the owner from the list", field);
    // The owner must be able to open the child (the rule that opens it to them, in SQL), in a role that
    // records: they are told what the action is, and the notification leads to the plan.
    const owner: AccessContext = {
      partnershipId: ctx.partnershipId,
      userId: user.user_id,
      role: user.role,
      agencyId: user.agency_id,
      teamId: user.team_id,
      sessionId: null,
      ip: null,
    };
    const seen = await sql<{
      visible: boolean;
    }>`select ${childVisibleTo(owner, sql`${personId}::uuid`)} as visible`.execute(trx);
    if (!mayRecord(user.role) || !seen.rows[0]?.visible)
      return refused("This person's agency is not involved with the child: choose someone who is", field);
  }
  return undefined;
};

type StoredAction = { action_id: string; owner_user_id: string | null; description: string; due_on: string };

/**
 * Tells each user given an action in the new version who did not hold it in the one before.
 * @param before - The previous version's actions (none for a new plan).
 * @param after - The actions just written.
 */
export const notifyNewOwners = async (
  trx: Trx,
  ctx: AccessContext,
  plan: { personId: string; planId: string },
  before: readonly StoredAction[],
  after: readonly StoredAction[],
) => {
  const assignable = (actions: readonly StoredAction[]) =>
    actions.map((a) => ({
      actionId: a.action_id,
      ownerUserId: a.owner_user_id,
      description: a.description,
      dueOn: a.due_on,
    }));
  for (const { userId, action } of newlyAssigned(assignable(before), assignable(after))) {
    await notify(trx, ctx.partnershipId, {
      kind: "action-assigned",
      recipients: [userId],
      // No child's name: an action's owner may work for an agency that cannot open the record.
      subject: "An action in a plan has been given to you",
      body: `Due ${action.dueOn}: ${action.description}`,
      link: `/people/${plan.personId}/plans/${plan.planId}`,
      personId: plan.personId,
      actorUserId: ctx.userId,
    });
  }
};
