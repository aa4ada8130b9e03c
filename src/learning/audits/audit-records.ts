// SPDX-License-Identifier: MIT
/**
 * What the case audit repositories share: who leads and who reads results, checks of form input, the
 * caller's part in a round, whether a child is in a round's sample, and the query of a round's actions.
 */
import { sql } from "kysely";
import type { AccessContext } from "../../data/access-context.ts";
import type { Trx } from "../../data/repository-scope.ts";
import { can } from "../../kernel/policy.ts";
import { currentPartnership, onKey } from "../../kernel/sql.ts";
import { AUDIT_GRADE_CODES, type AuditGrade } from "../codes.ts";

/** Who plans rounds, moderates and sees every round: the partnership's safeguarding leads. */
export const mayLeadAudits = (ctx: AccessContext | undefined): ctx is AccessContext =>
  ctx !== undefined && can(ctx.role, "case-audits.lead");

/** Who reads the results (figures without names): leads and analysts. */
export const mayReadAuditResults = (ctx: AccessContext | undefined): ctx is AccessContext =>
  ctx !== undefined && can(ctx.role, "case-audits.results");

/** An id as the database holds them: one that is not is refused before it reaches a query. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a posted value is one of the audit grades. */
export const isGrade = (value: unknown): value is AuditGrade =>
  typeof value === "string" && (AUDIT_GRADE_CODES as string[]).includes(value);

/** A date as forms send it (yyyy-mm-dd). */
export const ISO = /^\d{4}-\d{2}-\d{2}$/;

/** A child's name, for pages that may show it. */
export const childName = sql<string>`coalesce(people.given_names || ' ' || people.family_name, '')`;

/** The caller's part in a round: "lead", "auditor" (with their agency), or nothing. */
export const roundPart = async (
  trx: Trx,
  ctx: AccessContext | undefined,
  roundId: string,
): Promise<"lead" | "auditor" | undefined> => {
  if (!ctx) return undefined;
  const round = await trx
    .selectFrom("audit_rounds")
    .select("round_id")
    .where(sql.ref("partnership_id"), "=", currentPartnership)
    .where("round_id", "=", roundId)
    .executeTakeFirst();
  if (!round) return undefined;
  if (ctx.role === "safeguarding-lead") return "lead";
  if (ctx.role !== "auditor") return undefined;
  const mine = await trx
    .selectFrom("audit_round_agencies")
    .select("agency_id")
    .where(sql.ref("partnership_id"), "=", currentPartnership)
    .where("round_id", "=", roundId)
    .where("auditor_user_id", "=", ctx.userId)
    .where("agency_id", "=", ctx.agencyId)
    .executeTakeFirst();
  return mine ? "auditor" : undefined;
};

/** A round's actions (or every round's) with owner, round title and completion, earliest due first. */
export const actionsQuery = (trx: Trx) => {
  return trx
    .selectFrom("audit_actions as a")
    .innerJoin("users as o", (j) => onKey(j, "o.user_id", "a.owner_user_id"))
    .innerJoin("audit_rounds as r", (j) => onKey(j, "r.round_id", "a.round_id"))
    .leftJoin("audit_action_completions as c", (j) => onKey(j, "c.action_id", "a.action_id"))
    .select([
      "a.action_id",
      "a.round_id",
      "r.title as round_title",
      "a.person_id",
      "a.description",
      "a.owner_user_id",
      "o.display_name as owner_name",
      "a.due_on",
      "c.completed_on",
      "c.note as completion_note",
    ])
    .where(sql.ref("a.partnership_id"), "=", currentPartnership)
    .orderBy("a.due_on")
    .orderBy("a.created_at");
};

/** Whether the child is in the round's sample. */
export const isSampled = async (trx: Trx, roundId: string, personId: string): Promise<boolean> => {
  const row = await trx
    .selectFrom("audit_round_children")
    .select("person_id")
    .where(sql.ref("partnership_id"), "=", currentPartnership)
    .where("round_id", "=", roundId)
    .where("person_id", "=", personId)
    .executeTakeFirst();
  return row !== undefined;
};
