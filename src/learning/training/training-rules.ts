// SPDX-License-Identifier: MIT
/**
 * Training as a condition of using a tool: a tool marked `requires_training` in its licence can be
 * completed only by someone whose attendance at a course that qualifies for the tool is recorded, at a
 * session held on or before today. Others may still read assessments made with it.
 */
import { sql } from "kysely";
import type { Trx } from "../../data/repository-scope.ts";
import { todayInEnglandSql } from "../../kernel/calendar.ts";
import { currentPartnership } from "../../kernel/sql.ts";
import { attendanceWithCourses } from "./training-access.ts";

/**
 * @param trx - A transaction scoped to the caller's partnership.
 * @param userId - Who would complete the tool.
 * @param toolSlug - The tool's id (its slug).
 * @returns Whether the person's training for the tool is recorded.
 */
export const hasTrainingFor = async (trx: Trx, userId: string, toolSlug: string): Promise<boolean> => {
  const row = await attendanceWithCourses(trx)
    .select("a.user_id")
    .where(sql.ref("a.partnership_id"), "=", currentPartnership)
    .where("a.user_id", "=", userId)
    .where(sql<boolean>`${toolSlug} = any(c.tool_slugs)`)
    .where(sql<boolean>`s.held_on <= ${todayInEnglandSql}`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
};

/** Whether a tool's content (as published) asks for training before it is completed. */
export const toolRequiresTraining = (content: unknown): boolean => {
  const licence = (content as { licence?: { requires_training?: unknown } } | null)?.licence;
  return licence?.requires_training === true;
};

/** The message someone without the training reads. */
export const NEEDS_TRAINING =
  "This tool can only be completed by someone whose training for it is recorded. You can still read assessments made with it; ask your safeguarding lead about the next course.";
