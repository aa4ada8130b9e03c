// SPDX-License-Identifier: MIT
/**
 * Training courses (title, level, the tools they qualify for, learning outcomes), their sessions and who
 * attended (with their agency at the time). Safeguarding leads and administrators record them; everyone
 * may read the course list and their own training. Every change is audited in the same transaction.
 */
import { sql } from "kysely";
import { AreaRepository } from "../../data/area-repository.ts";
import { type ChangeResult, done, type MethodAccess, refused } from "../../data/repository-scope.ts";
import { inCurrentPartnership, onKey } from "../../kernel/sql.ts";
import { COURSE_LEVEL_CODES, type CourseLevel } from "../codes.ts";
import { attendanceWithCourses, mayManageTraining, ONLY_MANAGERS_RECORD } from "./training-access.ts";

/** @returns The mean of the numbers, or null for none. */
const mean = (values: number[]): number | null =>
  values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;

/** Courses, sessions and attendance. */
export class TrainingCoursesRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof TrainingCoursesRepository, MethodAccess> = {
    listCourses: "guarded",
    createCourse: "guarded",
    addSession: "guarded",
    getSession: "guarded",
    recordAttendance: "guarded",
    myTraining: "guarded",
    attendanceOptions: "guarded",
  };

  /** Courses with their sessions and how many attended each. Anyone signed in. */
  listCourses() {
    if (!this.ctx) return Promise.resolve([]);
    return this.scope.run(async (trx) => {
      const courses = await trx
        .selectFrom("training_courses")
        .select(["course_id", "title", "level", "tool_slugs", "outcomes", "created_at"])
        .where(inCurrentPartnership("partnership_id"))
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
        .where(inCurrentPartnership("s.partnership_id"))
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
    const ctx = this.ctx;
    if (!ctx || !mayManageTraining(ctx)) return Promise.resolve(ONLY_MANAGERS_RECORD());
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
    return this.scope.run(async (trx) => {
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
      await this.scope.audit(trx, {
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
    const ctx = this.ctx;
    if (!ctx || !mayManageTraining(ctx)) return Promise.resolve(ONLY_MANAGERS_RECORD());
    const trainer = input.trainer.trim();
    if (trainer === "") return Promise.resolve(refused("Enter who ran the session", "trainer"));
    if (trainer.length > 200)
      return Promise.resolve(refused("The trainer must be 200 characters or fewer", "trainer"));
    return this.scope.run(async (trx) => {
      const course = await trx
        .selectFrom("training_courses")
        .select("course_id")
        .where(inCurrentPartnership("partnership_id"))
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
      await this.scope.audit(trx, {
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
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const session = await trx
        .selectFrom("training_sessions as s")
        .innerJoin("training_courses as c", (j) => onKey(j, "c.course_id", "s.course_id"))
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
        .where(inCurrentPartnership("s.partnership_id"))
        .where("s.session_id", "=", sessionId)
        .executeTakeFirst();
      if (!session) return undefined;
      let attendees = trx
        .selectFrom("training_attendance as a")
        .innerJoin("users as u", (j) => onKey(j, "u.user_id", "a.user_id"))
        .innerJoin("agencies as g", (j) => onKey(j, "g.agency_id", "a.agency_id"))
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
        .where(inCurrentPartnership("a.partnership_id"))
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
    const ctx = this.ctx;
    if (!ctx || !mayManageTraining(ctx)) return Promise.resolve(ONLY_MANAGERS_RECORD());
    if (userIds.length === 0) return Promise.resolve(refused("Choose who attended", "userIds"));
    return this.scope.run(async (trx) => {
      const session = await trx
        .selectFrom("training_sessions")
        .select("session_id")
        .where(inCurrentPartnership("partnership_id"))
        .where("session_id", "=", sessionId)
        .executeTakeFirst();
      if (!session) return refused("Session not found");
      const users = await trx
        .selectFrom("users")
        .select(["user_id", "agency_id"])
        .where(inCurrentPartnership("partnership_id"))
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
      await this.scope.audit(trx, {
        action: "record-attendance",
        recordType: "training-session",
        recordId: sessionId,
        details: { attended: [null, users.map((u) => u.user_id)] },
      });
      return done({ added });
    });
  }

  /** The caller's own sessions, newest first, with whether each evaluation is recorded. */
  myTraining() {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve([]);
    return this.scope.run((trx) =>
      attendanceWithCourses(trx)
        .select(["s.session_id", "s.held_on", "c.title", "c.tool_slugs"])
        .where(inCurrentPartnership("a.partnership_id"))
        .where("a.user_id", "=", ctx.userId)
        .orderBy("s.held_on", "desc")
        .execute(),
    );
  }

  /** The active people who may be recorded as attending, with their agency. Leads and administrators. */
  attendanceOptions() {
    const ctx = this.ctx;
    if (!ctx || !mayManageTraining(ctx)) return Promise.resolve(undefined);
    return this.scope.run((trx) =>
      trx
        .selectFrom("users as u")
        .innerJoin("agencies as g", (j) => onKey(j, "g.agency_id", "u.agency_id"))
        .select(["u.user_id", "u.display_name", "u.role", "g.name as agency_name"])
        .where(inCurrentPartnership("u.partnership_id"))
        .where("u.deactivated_at", "is", null)
        .orderBy("g.name")
        .orderBy("u.display_name")
        .execute(),
    );
  }
}
