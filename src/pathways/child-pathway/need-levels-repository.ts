// SPDX-License-Identifier: MIT
/**
 * Levels of need: the partnership's threshold document (its own levels, or the common four) and the level
 * chosen for a child, with the suggestion it started from, the rationale and who approved it.
 */

import { AreaRepository } from "../../data/area-repository.ts";
import { mayRecord } from "../../data/child-access.ts";
import { type ChangeResult, done, type MethodAccess, refused } from "../../data/repository-scope.ts";
import { can } from "../../kernel/policy.ts";
import { inCurrentPartnership, onKey } from "../../kernel/sql.ts";
import type { Role } from "../../organisation/codes.ts";
import {
  auditCreated,
  changeForChild,
  insertLevelDecision,
  type NeedLevel,
  type NewLevelDecision,
  readNeedLevels,
} from "../pathway-records.ts";

/** Who may approve a level of need: the form's list offers them, and a decision accepts no other. */
const LEVEL_APPROVER_ROLES = [
  "manager",
  "safeguarding-lead",
  "front-door",
] as const satisfies readonly Role[];

export class NeedLevelsRepository extends AreaRepository {
  static readonly methodAccess: Record<keyof NeedLevelsRepository, MethodAccess> = {
    needLevels: "guarded",
    setNeedLevels: "guarded",
    levelApprovers: "guarded",
    recordLevelDecision: "guarded",
  };

  /** The active accounts that may approve a level of need, by name, for the form's list. Recorders only. */
  levelApprovers() {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve([]);
    return this.scope.run((trx) =>
      trx
        .selectFrom("users as u")
        .leftJoin("teams as t", (j) => onKey(j, "t.team_id", "u.team_id"))
        .select(["u.user_id", "u.display_name", "t.name as team_name"])
        .where(inCurrentPartnership("u.partnership_id"))
        .where("u.role", "in", LEVEL_APPROVER_ROLES)
        .where("u.deactivated_at", "is", null)
        .orderBy("u.display_name")
        .execute(),
    );
  }

  /** The partnership's levels of need, in order: its own, or the common four. */
  needLevels(): Promise<NeedLevel[]> {
    if (!this.ctx) return Promise.resolve([]);
    return this.scope.run((trx) => readNeedLevels(trx));
  }

  /** Replaces the partnership's levels of need. Safeguarding leads and administrators only. */
  setNeedLevels(levels: NeedLevel[]): Promise<ChangeResult<null>> {
    const ctx = this.ctx;
    if (!ctx || !can(ctx.role, "settings.manage"))
      return Promise.resolve(refused("Only safeguarding leads and administrators can change levels of need"));
    if (levels.length < 2 || levels.length > 8)
      return Promise.resolve(refused("A threshold document has from 2 to 8 levels", "levels"));
    if (new Set(levels.map((l) => l.code)).size !== levels.length)
      return Promise.resolve(refused("Each level needs its own code", "levels"));
    return this.scope.run(async (trx) => {
      const before = await readNeedLevels(trx);
      await trx.deleteFrom("need_levels").where(inCurrentPartnership()).execute();
      await trx
        .insertInto("need_levels")
        .values(
          levels.map((level, position) => ({
            partnership_id: ctx.partnershipId,
            level_code: level.code,
            position,
            name: level.name,
            description: level.description,
            pathway: level.pathway,
          })),
        )
        .execute();
      await this.scope.audit(trx, {
        action: "change",
        recordType: "need-levels",
        recordId: ctx.partnershipId,
        details: { levels: [before.map((l) => l.code), levels.map((l) => l.code)] },
      });
      return done(null);
    });
  }

  /** Records the level of need chosen for a child, with the suggestion, rationale and approver. */
  recordLevelDecision(
    personId: string,
    input: NewLevelDecision,
  ): Promise<ChangeResult<{ decisionId: string }>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot record a level of need"));
    return changeForChild(this.scope, personId, async (trx) => {
      const levels = await readNeedLevels(trx);
      if (!levels.some((l) => l.code === input.chosenLevel))
        return refused("Select a level of need", "chosenLevel");
      if (input.approverUserId) {
        const approver = await trx
          .selectFrom("users")
          .select("user_id")
          .where(inCurrentPartnership())
          .where("user_id", "=", input.approverUserId)
          .where("role", "in", LEVEL_APPROVER_ROLES)
          // Someone who can approve today: never an account that has been deactivated.
          .where("deactivated_at", "is", null)
          .executeTakeFirst();
        if (!approver)
          return refused("The approver must be a manager, lead or front-door worker", "approverUserId");
      }
      const decisionId = await insertLevelDecision(trx, ctx, personId, input);
      await auditCreated(this.scope, trx, "level-decision", decisionId, { person_id: personId, ...input });
      return done({ decisionId });
    });
  }
}
