// SPDX-License-Identifier: MIT
/**
 * What the training sub-areas share: who records training and who reads coverage, the roles whose
 * coverage is counted, the default target, and the join from attendance to its session and course.
 */
import type { AccessContext } from "../../data/access-context.ts";
import { deniedAccess, type Trx } from "../../data/repository-scope.ts";
import { can } from "../../kernel/policy.ts";
import { onKey } from "../../kernel/sql.ts";

/** Who records courses, sessions and attendance. */
export const mayManageTraining = (ctx: AccessContext | undefined): boolean =>
  ctx !== undefined && can(ctx.role, "training.manage");

/** Who reads coverage by agency and role. */
export const mayReadCoverage = (ctx: AccessContext | undefined): boolean =>
  ctx !== undefined && can(ctx.role, "training.coverage");

/** The roles whose training coverage is counted: the people who work with children. */
export const TRAINED_ROLES = ["practitioner", "manager", "front-door", "safeguarding-lead"] as const;

/** The partnership's target share of its workforce trained, until a lead sets one. */
export const DEFAULT_TARGET_PERCENT = 80;

/** The refusal for anyone else who tries to record training. */
export const ONLY_MANAGERS_RECORD = () =>
  deniedAccess("Only safeguarding leads and administrators record training");

/** Attendance rows (`a`) joined to their session (`s`) and its course (`c`). */
export const attendanceWithCourses = (trx: Trx) =>
  trx
    .selectFrom("training_attendance as a")
    .innerJoin("training_sessions as s", (j) => onKey(j, "s.session_id", "a.session_id"))
    .innerJoin("training_courses as c", (j) => onKey(j, "c.course_id", "s.course_id"));
