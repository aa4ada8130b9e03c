// SPDX-License-Identifier: MIT
/**
 * What training achieved: each attendee's confidence (1 to 5 per learning outcome) before and after a
 * course, and coverage by agency and role against the partnership's target (figures, no names) with the
 * mean change in confidence. Leads, analysts and managers read coverage; leads and administrators set the
 * target. Every change is audited in the same transaction.
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
import { recentQuarters } from "../../indicators/model.ts";
import { todayInEngland, todayInEnglandSql } from "../../kernel/calendar.ts";
import { inCurrentPartnership, onKey } from "../../kernel/sql.ts";
import { EVALUATION_STAGE_CODES, type EvaluationStage } from "../codes.ts";
import {
  attendanceWithCourses,
  DEFAULT_TARGET_PERCENT,
  mayManageTraining,
  mayReadCoverage,
  TRAINED_ROLES,
} from "./training-access.ts";

/** Confidence evaluations, coverage and its target. */
export class TrainingOutcomesRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof TrainingOutcomesRepository, MethodAccess> = {
    recordEvaluation: "guarded",
    coverage: "guarded",
    setTarget: "guarded",
  };

  /**
   * Records one attendee's confidence (1 to 5 per learning outcome) before or after the course: the
   * attendee themselves, or a lead or administrator. Once per stage.
   */
  recordEvaluation(
    sessionId: string,
    userId: string,
    stage: EvaluationStage,
    ratings: number[],
  ): Promise<ChangeResult<null>> {
    const ctx = this.ctx;
    if (!ctx || (ctx.userId !== userId && !mayManageTraining(ctx)))
      return Promise.resolve(deniedAccess("You can record only your own evaluation"));
    if (!(EVALUATION_STAGE_CODES as string[]).includes(stage))
      return Promise.resolve(refused("Choose before or after the course", "stage"));
    return this.scope.run(async (trx) => {
      const row = await attendanceWithCourses(trx)
        .select(["c.outcomes"])
        .where(inCurrentPartnership("a.partnership_id"))
        .where("a.session_id", "=", sessionId)
        .where("a.user_id", "=", userId)
        .executeTakeFirst();
      if (!row) return refused("Their attendance at this session is not recorded");
      for (const [index] of row.outcomes.entries()) {
        const value = ratings[index];
        if (value === undefined || !Number.isInteger(value) || value < 1 || value > 5)
          return refused(`Choose a confidence from 1 to 5 for outcome ${index + 1}`, `rating-${index}`);
      }
      const existing = await trx
        .selectFrom("training_evaluations")
        .select("stage")
        .where(inCurrentPartnership("partnership_id"))
        .where("session_id", "=", sessionId)
        .where("user_id", "=", userId)
        .where("stage", "=", stage)
        .executeTakeFirst();
      if (existing) return refused(`The evaluation ${stage} the course is already recorded`, "stage");
      const values = ratings.slice(0, row.outcomes.length);
      await trx
        .insertInto("training_evaluations")
        .values({
          partnership_id: ctx.partnershipId,
          session_id: sessionId,
          user_id: userId,
          stage,
          ratings: values,
          recorded_by: ctx.userId,
        })
        .execute();
      await this.scope.audit(trx, {
        action: "create",
        recordType: "training-evaluation",
        recordId: sessionId,
        details: { user_id: [null, userId], stage: [null, stage], ratings: [null, values] },
      });
      return done(null);
    });
  }

  /**
   * Coverage: by agency and role, how many active people (in the roles that work with children) have
   * attended any course, against the partnership's target; and the mean change in confidence.
   */
  coverage() {
    const ctx = this.ctx;
    if (!ctx || !mayReadCoverage(ctx)) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const rows = await trx
        .selectFrom("users as u")
        .innerJoin("agencies as g", (j) => onKey(j, "g.agency_id", "u.agency_id"))
        .select([
          "g.name as agency_name",
          "u.role",
          sql<number>`count(*)::int`.as("people"),
          sql<number>`count(*) filter (where exists (select 1 from training_attendance a
            join training_sessions s on s.partnership_id = a.partnership_id and s.session_id = a.session_id
            where a.partnership_id = u.partnership_id and a.user_id = u.user_id
              and s.held_on <= ${todayInEnglandSql}))::int`.as("trained"),
        ])
        .where(inCurrentPartnership("u.partnership_id"))
        .where("u.deactivated_at", "is", null)
        .where("u.role", "in", [...TRAINED_ROLES])
        .groupBy(["g.name", "u.role"])
        .orderBy("g.name")
        .orderBy("u.role")
        .execute();
      const target = await trx
        .selectFrom("training_targets")
        .select("target_percent")
        .where(inCurrentPartnership("partnership_id"))
        .orderBy("version", "desc")
        .executeTakeFirst();
      const change = await trx
        .selectFrom("training_evaluations as b")
        .innerJoin("training_evaluations as a", (j) =>
          onKey(j, "a.session_id", "b.session_id").onRef("a.user_id", "=", "b.user_id"),
        )
        .select([
          sql<
            number | null
          >`avg((select avg(x) from unnest(a.ratings) x) - (select avg(x) from unnest(b.ratings) x))::float8`.as(
            "mean_change",
          ),
          sql<number>`count(*)::int`.as("pairs"),
        ])
        .where(inCurrentPartnership("b.partnership_id"))
        .where("b.stage", "=", "before")
        .where("a.stage", "=", "after")
        .executeTakeFirstOrThrow();
      // The trend: by the end of each of the last four quarters, how many of today's staff had been
      // trained (the first session each attended), as the board report shows it beside the others.
      const firsts = await trx
        .selectFrom("training_attendance as a")
        .innerJoin("training_sessions as s", (j) => onKey(j, "s.session_id", "a.session_id"))
        .innerJoin("users as u", (j) => onKey(j, "u.user_id", "a.user_id"))
        .select(sql<string>`min(s.held_on)::text`.as("first_on"))
        .where(inCurrentPartnership("a.partnership_id"))
        .where("u.deactivated_at", "is", null)
        .where("u.role", "in", [...TRAINED_ROLES])
        .groupBy("a.user_id")
        .execute();
      const people = rows.reduce((n, r) => n + r.people, 0);
      const trained = rows.reduce((n, r) => n + r.trained, 0);
      const byQuarter = recentQuarters(todayInEngland(), 4).map((quarter) => {
        const by = firsts.filter((f) => f.first_on <= quarter.end).length;
        return {
          label: quarter.label,
          end: quarter.end,
          trained: by,
          percent: people ? (100 * by) / people : 0,
        };
      });
      return {
        rows: rows.map((r) => ({ ...r, percent: r.people ? (100 * r.trained) / r.people : 0 })),
        people,
        trained,
        percent: people ? (100 * trained) / people : 0,
        targetPercent: target?.target_percent ?? DEFAULT_TARGET_PERCENT,
        meanChange: change.mean_change === null ? null : Number(change.mean_change),
        evaluated: change.pairs,
        byQuarter,
      };
    });
  }

  /** Sets the partnership's coverage target (a new version). Leads and administrators. */
  setTarget(percent: number): Promise<ChangeResult<null>> {
    const ctx = this.ctx;
    if (!ctx || !mayManageTraining(ctx))
      return Promise.resolve(deniedAccess("Only safeguarding leads and administrators set the target"));
    if (!Number.isInteger(percent) || percent < 1 || percent > 100)
      return Promise.resolve(refused("The target must be a whole number from 1 to 100", "targetPercent"));
    return this.scope.run(async (trx) => {
      const last = await trx
        .selectFrom("training_targets")
        .select(["version", "target_percent"])
        .where(inCurrentPartnership("partnership_id"))
        .orderBy("version", "desc")
        .executeTakeFirst();
      await trx
        .insertInto("training_targets")
        .values({
          partnership_id: ctx.partnershipId,
          version: (last?.version ?? 0) + 1,
          target_percent: percent,
          set_by: ctx.userId,
        })
        .execute();
      await this.scope.audit(trx, {
        action: "change",
        recordType: "training-target",
        recordId: ctx.partnershipId,
        details: { target_percent: [last?.target_percent ?? DEFAULT_TARGET_PERCENT, percent] },
      });
      return done(null);
    });
  }
}
