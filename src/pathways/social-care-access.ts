// SPDX-License-Identifier: MIT
/**
 * Who writes children's social care casework, shared by the plans and the front door's repositories: the
 * front door and safeguarding leads everywhere, and practitioners and managers of a children's social care
 * agency. The caller's agency is read once per request (RepositoryScope.callerAgency).
 */
import { sql } from "kysely";
import type { AccessContext } from "../data/access-context.ts";
import type { RepositoryScope, Trx } from "../data/repository-scope.ts";

/** The front door's roles: they decide requests and see every request. */
export const runsFrontDoor = (role: string): boolean => role === "front-door" || role === "safeguarding-lead";

/** Whether the caller records social care plans, narratives and step-downs. */
export const mayRecordSocialCare = async (
  scope: RepositoryScope,
  trx: Trx,
  ctx: AccessContext,
): Promise<boolean> => {
  if (runsFrontDoor(ctx.role)) return true;
  if (ctx.role !== "practitioner" && ctx.role !== "manager") return false;
  return (await scope.callerAgency(trx))?.agencyType === "childrens-social-care";
};

/**
 * Whether the caller's agency holds the case a request led to: children's social care for a social care
 * episode, the lead agency for early help, and only for a child the caller may open.
 */
export const holdsCaseFrom = async (
  scope: RepositoryScope,
  trx: Trx,
  ctx: AccessContext,
  row: { person_id: string; episode_id: string | null; early_help_id: string | null },
): Promise<boolean> => {
  if (!row.episode_id && !row.early_help_id) return false;
  if (!(await scope.canOpenRecord(trx, row.person_id, { childrenOnly: true }))) return false;
  if (row.episode_id && (await scope.callerAgency(trx))?.agencyType === "childrens-social-care") return true;
  if (!row.early_help_id) return false;
  const lead = await trx
    .selectFrom("early_help")
    .select("lead_agency_id")
    .where(sql<boolean>`partnership_id = hearth_current_partnership()`)
    .where("early_help_id", "=", row.early_help_id)
    .executeTakeFirst();
  return lead?.lead_agency_id === ctx.agencyId;
};
