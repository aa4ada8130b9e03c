// SPDX-License-Identifier: MIT
/**
 * Workforce training: courses (title, level, the tools they qualify for, learning outcomes), sessions,
 * attendance by person (with their agency at the time), and a before-and-after confidence evaluation
 * (1 to 5 per learning outcome) whose change is shown. Coverage is counted by agency and role against the
 * partnership's target. Safeguarding leads and administrators record training; everyone may read the
 * course list and their own training; leads, analysts and managers read coverage (figures, no names).
 */
import { sql } from "kysely";
import { todayInEngland, todayInEnglandSql } from "../../chronology/dates.ts";
import type { AccessContext } from "../../data/access-context.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
} from "../../data/repository-scope.ts";
import { recentQuarters } from "../../indicators/model.ts";
import {
  COURSE_LEVEL_CODES,
  type CourseLevel,
  EVALUATION_STAGE_CODES,
  type EvaluationStage,
} from "../codes.ts";

/** Who records courses, sessions and attendance. */
export const mayManageTraining = (ctx: AccessContext | undefined): boolean =>
  ctx?.role === "safeguarding-lead" || ctx?.role === "administrator";

/** Who reads coverage by agency and role. */
export const mayReadCoverage = (ctx: AccessContext | undefined): boolean =>
  ctx?.role === "safeguarding-lead" ||
  ctx?.role === "administrator" ||
  ctx?.role === "analyst" ||
  ctx?.role === "manager";

/** The roles whose training coverage is counted: the people who work with children. */
export const TRAINED_ROLES = ["practitioner", "manager", "front-door", "safeguarding-lead"] as const;

/** The partnership's target share of its workforce trained, until a lead sets one. */
export const DEFAULT_TARGET_PERCENT = 80;

const inScope = (ref: string) => sql<boolean>`${sql.ref(ref)} = hearth_current_partnership()`;

/** @returns The mean of the numbers, or null for none. */
const mean = (values: number[]): number | null =>
  values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;

export class TrainingRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<Exclude<keyof TrainingRepository, never>, MethodAccess> = {
    listCourses: "guarded",
    createCourse: "guarded",
    addSession: "guarded",
    getSession: "guarded",
    recordAttendance: "guarded",
    recordEvaluation: "guarded",
    myTraining: "guarded",
    coverage: "guarded",
    setTarget: "guarded",
    attendanceOptions: "guarded",
  };

  readonly #scope: RepositoryScope;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }

  get #ctx(): AccessContext | undefined {
    return this.#scope.context;
  }

  /** Courses with their sessions and how many attended each. Anyone signed in. */
  listCourses() {
    if (!this.#ctx) return Promise.resolve([]);
    return this.#scope.run(async (trx) => {
      const courses = await trx
        .selectFrom("training_courses")
        .select(["course_id", "title", "level", "tool_slugs", "outcomes", "created_at"])
        .where(inScope("partnership_id"))
        .orderBy("title")
        .execute();
      const sessions = await trx
        .selectFrom("training_sessions as s")
        .select([
          "s.session_id",
          "s.course_id",
          "s.held_on",
          "s.trainer",
          sql<number>`(select count(*) from training_attendance a where a.partnership_id = s.partnership_id and a.session_id = s.session_id)::int`.as(
            "attended",
          ),
        ])
        .where(inScope("s.partnership_id"))
        .orderBy("s.held_on", "desc")
        .execute();
      return courses.map((c) => ({ ...c, sessions: sessions.filter((s) => s.course_id === c.course_id) }));
    });
  }

  /** Adds a course. Leads and administrators. */
  createCourse(input: {
    title: string;
    level: CourseLevel;
    toolSlugs: string[];
    outcomes: string[];
  }): Promise<ChangeResult<{ courseId: string }>> {
    const ctx = this.#ctx;
    if (!ctx || !mayManageTraining(ctx))
      return Promise.resolve(deniedAccess("Only safeguarding leads and administrators record training"));
    const title = input.title.trim();
    if (title === "") return Promise.resolve(refused("Enter the course's title", "title"));
    if (title.length > 200)
      return Promise.resolve(refused("The title must be 200 characters or fewer", "title"));
    if (!(COURSE_LEVEL_CODES as string[]).includes(input.level))
      return Promise.resolve(refused("Choose the course's level", "level"));
    const outcomes = input.outcomes.map((o) => o.trim()).filter((o) => o !== "");
    if (outcomes.length === 0)
      return Promise.resolve(refused("Enter at least one learning outcome", "outcomes"));
    if (outcomes.length > 10)
      return Promise.resolve(refused("Enter at most 10 learning outcomes", "outcomes"));
    const long = outcomes.findIndex((o) => o.length > 300);
    if (long >= 0)
      return Promise.resolve(
        refused(`Learning outcome ${long + 1} must be 300 characters or fewer`, "outcomes"),
      );
    const slugs = input.toolSlugs.filter((s) => /^[a-z0-9][a-z0-9-]{0,79}$/.test(s));
    return this.#scope.run(async (trx) => {
      const courseId = crypto.randomUUID();
      await trx
        .insertInto("training_courses")
        .values({
          partnership_id: ctx.partnershipId,
          course_id: courseId,
          title,
          level: input.level,
          tool_slugs: slugs,
          outcomes,
          created_by: ctx.userId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "training-course",
        recordId: courseId,
        details: {
          title: [null, title],
          level: [null, input.level],
          tool_slugs: [null, slugs],
          outcomes: [null, outcomes],
        },
      });
      return done({ courseId });
    });
  }

  /** Adds a session of a course. Leads and administrators. */
  addSession(
    courseId: string,
    input: { heldOn: string; trainer: string },
  ): Promise<ChangeResult<{ sessionId: string }>> {
    const ctx = this.#ctx;
    if (!ctx || !mayManageTraining(ctx))
      return Promise.resolve(deniedAccess("Only safeguarding leads and administrators record training"));
    const trainer = input.trainer.trim();
    if (trainer === "") return Promise.resolve(refused("Enter who ran the session", "trainer"));
    if (trainer.length > 200)
      return Promise.resolve(refused("The trainer must be 200 characters or fewer", "trainer"));
    return this.#scope.run(async (trx) => {
      const course = await trx
        .selectFrom("training_courses")
        .select("course_id")
        .where(inScope("partnership_id"))
        .where("course_id", "=", courseId)
        .executeTakeFirst();
      if (!course) return refused("Course not found");
      const sessionId = crypto.randomUUID();
      await trx
        .insertInto("training_sessions")
        .values({
          partnership_id: ctx.partnershipId,
          session_id: sessionId,
          course_id: courseId,
          held_on: input.heldOn,
          trainer,
          created_by: ctx.userId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "training-session",
        recordId: sessionId,
        details: { course_id: [null, courseId], held_on: [null, input.heldOn], trainer: [null, trainer] },
      });
      return done({ sessionId });
    });
  }

  /**
   * A session with its course, attendees (names for leads and administrators; the caller's own row for
   * an attendee) and each attendee's confidence before and after, per outcome, with the change.
   */
  getSession(sessionId: string) {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const session = await trx
        .selectFrom("training_sessions as s")
        .innerJoin("training_courses as c", (j) =>
          j.onRef("c.partnership_id", "=", "s.partnership_id").onRef("c.course_id", "=", "s.course_id"),
        )
        .select([
          "s.session_id",
          "s.course_id",
          "s.held_on",
          "s.trainer",
          "c.title",
          "c.level",
          "c.outcomes",
          "c.tool_slugs",
        ])
        .where(inScope("s.partnership_id"))
        .where("s.session_id", "=", sessionId)
        .executeTakeFirst();
      if (!session) return undefined;
      let attendees = trx
        .selectFrom("training_attendance as a")
        .innerJoin("users as u", (j) =>
          j.onRef("u.partnership_id", "=", "a.partnership_id").onRef("u.user_id", "=", "a.user_id"),
        )
        .innerJoin("agencies as g", (j) =>
          j.onRef("g.partnership_id", "=", "a.partnership_id").onRef("g.agency_id", "=", "a.agency_id"),
        )
        .select([
          "a.user_id",
          "u.display_name",
          "u.role",
          "g.name as agency_name",
          sql<
            number[] | null
          >`(select e.ratings from training_evaluations e where e.partnership_id = a.partnership_id
            and e.session_id = a.session_id and e.user_id = a.user_id and e.stage = 'before')`.as("before"),
          sql<
            number[] | null
          >`(select e.ratings from training_evaluations e where e.partnership_id = a.partnership_id
            and e.session_id = a.session_id and e.user_id = a.user_id and e.stage = 'after')`.as("after"),
        ])
        .where(inScope("a.partnership_id"))
        .where("a.session_id", "=", sessionId);
      if (!mayManageTraining(ctx)) attendees = attendees.where("a.user_id", "=", ctx.userId);
      const rows = await attendees.orderBy("u.display_name").execute();
      const outcomes = session.outcomes.map((text, index) => {
        const before = rows.flatMap((r) =>
          r.before?.[index] !== undefined ? [Number(r.before[index])] : [],
        );
        const after = rows.flatMap((r) => (r.after?.[index] !== undefined ? [Number(r.after[index])] : []));
        const b = mean(before);
        const a = mean(after);
        return { text, before: b, after: a, change: a !== null && b !== null ? a - b : null };
      });
      return { session, attendees: rows, outcomes, canManage: mayManageTraining(ctx) };
    });
  }

  /** Records who attended a session (their agency with them). Leads and administrators; once per person. */
  recordAttendance(sessionId: string, userIds: string[]): Promise<ChangeResult<{ added: number }>> {
    const ctx = this.#ctx;
    if (!ctx || !mayManageTraining(ctx))
      return Promise.resolve(deniedAccess("Only safeguarding leads and administrators record training"));
    if (userIds.length === 0) return Promise.resolve(refused("Choose who attended", "userIds"));
    return this.#scope.run(async (trx) => {
      const session = await trx
        .selectFrom("training_sessions")
        .select("session_id")
        .where(inScope("partnership_id"))
        .where("session_id", "=", sessionId)
        .executeTakeFirst();
      if (!session) return refused("Session not found");
      const users = await trx
        .selectFrom("users")
        .select(["user_id", "agency_id"])
        .where(inScope("partnership_id"))
        .where("user_id", "in", userIds)
        .where("deactivated_at", "is", null)
        .execute();
      if (users.length !== new Set(userIds).size) return refused("Choose people from the list", "userIds");
      const result = await trx
        .insertInto("training_attendance")
        .values(
          users.map((u) => ({
            partnership_id: ctx.partnershipId,
            session_id: sessionId,
            user_id: u.user_id,
            agency_id: u.agency_id,
            recorded_by: ctx.userId,
          })),
        )
        .onConflict((oc) => oc.columns(["partnership_id", "session_id", "user_id"]).doNothing())
        .executeTakeFirst();
      const added = Number(result.numInsertedOrUpdatedRows ?? 0);
      await this.#scope.audit(trx, {
        action: "record-attendance",
        recordType: "training-session",
        recordId: sessionId,
        details: { attended: [null, users.map((u) => u.user_id)] },
      });
      return done({ added });
    });
  }

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
    const ctx = this.#ctx;
    if (!ctx || (ctx.userId !== userId && !mayManageTraining(ctx)))
      return Promise.resolve(deniedAccess("You can record only your own evaluation"));
    if (!(EVALUATION_STAGE_CODES as string[]).includes(stage))
      return Promise.resolve(refused("Choose before or after the course", "stage"));
    return this.#scope.run(async (trx) => {
      const row = await trx
        .selectFrom("training_attendance as a")
        .innerJoin("training_sessions as s", (j) =>
          j.onRef("s.partnership_id", "=", "a.partnership_id").onRef("s.session_id", "=", "a.session_id"),
        )
        .innerJoin("training_courses as c", (j) =>
          j.onRef("c.partnership_id", "=", "s.partnership_id").onRef("c.course_id", "=", "s.course_id"),
        )
        .select(["c.outcomes"])
        .where(inScope("a.partnership_id"))
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
        .where(inScope("partnership_id"))
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
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "training-evaluation",
        recordId: sessionId,
        details: { user_id: [null, userId], stage: [null, stage], ratings: [null, values] },
      });
      return done(null);
    });
  }

  /** The caller's own sessions, newest first, with whether each evaluation is recorded. */
  myTraining() {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve([]);
    return this.#scope.run((trx) =>
      trx
        .selectFrom("training_attendance as a")
        .innerJoin("training_sessions as s", (j) =>
          j.onRef("s.partnership_id", "=", "a.partnership_id").onRef("s.session_id", "=", "a.session_id"),
        )
        .innerJoin("training_courses as c", (j) =>
          j.onRef("c.partnership_id", "=", "s.partnership_id").onRef("c.course_id", "=", "s.course_id"),
        )
        .select(["s.session_id", "s.held_on", "c.title", "c.tool_slugs"])
        .where(inScope("a.partnership_id"))
        .where("a.user_id", "=", ctx.userId)
        .orderBy("s.held_on", "desc")
        .execute(),
    );
  }

  /**
   * Coverage: by agency and role, how many active people (in the roles that work with children) have
   * attended any course, against the partnership's target; and the mean change in confidence.
   */
  coverage() {
    const ctx = this.#ctx;
    if (!ctx || !mayReadCoverage(ctx)) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const rows = await trx
        .selectFrom("users as u")
        .innerJoin("agencies as g", (j) =>
          j.onRef("g.partnership_id", "=", "u.partnership_id").onRef("g.agency_id", "=", "u.agency_id"),
        )
        .select([
          "g.name as agency_name",
          "u.role",
          sql<number>`count(*)::int`.as("people"),
          sql<number>`count(*) filter (where exists (select 1 from training_attendance a
            join training_sessions s on s.partnership_id = a.partnership_id and s.session_id = a.session_id
            where a.partnership_id = u.partnership_id and a.user_id = u.user_id
              and s.held_on <= ${todayInEnglandSql}))::int`.as("trained"),
        ])
        .where(inScope("u.partnership_id"))
        .where("u.deactivated_at", "is", null)
        .where("u.role", "in", [...TRAINED_ROLES])
        .groupBy(["g.name", "u.role"])
        .orderBy("g.name")
        .orderBy("u.role")
        .execute();
      const target = await trx
        .selectFrom("training_targets")
        .select("target_percent")
        .where(inScope("partnership_id"))
        .orderBy("version", "desc")
        .executeTakeFirst();
      const change = await trx
        .selectFrom("training_evaluations as b")
        .innerJoin("training_evaluations as a", (j) =>
          j
            .onRef("a.partnership_id", "=", "b.partnership_id")
            .onRef("a.session_id", "=", "b.session_id")
            .onRef("a.user_id", "=", "b.user_id"),
        )
        .select([
          sql<
            number | null
          >`avg((select avg(x) from unnest(a.ratings) x) - (select avg(x) from unnest(b.ratings) x))::float8`.as(
            "mean_change",
          ),
          sql<number>`count(*)::int`.as("pairs"),
        ])
        .where(inScope("b.partnership_id"))
        .where("b.stage", "=", "before")
        .where("a.stage", "=", "after")
        .executeTakeFirstOrThrow();
      // The trend: by the end of each of the last four quarters, how many of today's staff had been
      // trained (the first session each attended), as the board report shows it beside the others.
      const firsts = await trx
        .selectFrom("training_attendance as a")
        .innerJoin("training_sessions as s", (j) =>
          j.onRef("s.partnership_id", "=", "a.partnership_id").onRef("s.session_id", "=", "a.session_id"),
        )
        .innerJoin("users as u", (j) =>
          j.onRef("u.partnership_id", "=", "a.partnership_id").onRef("u.user_id", "=", "a.user_id"),
        )
        .select(sql<string>`min(s.held_on)::text`.as("first_on"))
        .where(inScope("a.partnership_id"))
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
    const ctx = this.#ctx;
    if (!ctx || !mayManageTraining(ctx))
      return Promise.resolve(deniedAccess("Only safeguarding leads and administrators set the target"));
    if (!Number.isInteger(percent) || percent < 1 || percent > 100)
      return Promise.resolve(refused("The target must be a whole number from 1 to 100", "targetPercent"));
    return this.#scope.run(async (trx) => {
      const last = await trx
        .selectFrom("training_targets")
        .select(["version", "target_percent"])
        .where(inScope("partnership_id"))
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
      await this.#scope.audit(trx, {
        action: "change",
        recordType: "training-target",
        recordId: ctx.partnershipId,
        details: { target_percent: [last?.target_percent ?? DEFAULT_TARGET_PERCENT, percent] },
      });
      return done(null);
    });
  }

  /** The active people who may be recorded as attending, with their agency. Leads and administrators. */
  attendanceOptions() {
    const ctx = this.#ctx;
    if (!ctx || !mayManageTraining(ctx)) return Promise.resolve(undefined);
    return this.#scope.run((trx) =>
      trx
        .selectFrom("users as u")
        .innerJoin("agencies as g", (j) =>
          j.onRef("g.partnership_id", "=", "u.partnership_id").onRef("g.agency_id", "=", "u.agency_id"),
        )
        .select(["u.user_id", "u.display_name", "u.role", "g.name as agency_name"])
        .where(inScope("u.partnership_id"))
        .where("u.deactivated_at", "is", null)
        .orderBy("g.name")
        .orderBy("u.display_name")
        .execute(),
    );
  }
}
