// SPDX-License-Identifier: MIT
/**
 * Who runs the front door, who writes children's social care casework and who holds the case a request led
 * to, shared by every pathways sub-area, the plans and the front door: the front door and safeguarding
 * leads everywhere, and practitioners and managers of a children's social care agency. The caller's agency
 * is read once per request (RepositoryScope.callerAgency).
 */
import type { AccessContext } from "../data/access-context.ts";
import type { RepositoryScope, Trx } from "../data/repository-scope.ts";
import { can } from "../kernel/policy.ts";
import { currentPartnership, inCurrentPartnership, onKey } from "../kernel/sql.ts";
import type { Role } from "../organisation/codes.ts";
import { canOpenChild, p } from "./pathway-records.ts";

/** The front door's roles: they decide requests and see every request. */
export const runsFrontDoor = (role: Role): boolean => can(role, "front-door.work");

/**
 * The roles in a children's social care agency a case is allocated to: those who write its casework
 * ({@link mayRecordSocialCare}). The front door's list offers them, and its decision accepts no other.
 */
export const ALLOCATED_WORKER_ROLES = ["practitioner", "manager"] as const satisfies readonly Role[];

/**
 * The user a social care case may be allocated to, with their agency: an active account in
 * {@link ALLOCATED_WORKER_ROLES} of a children's social care agency. Undefined for anyone else (another
 * agency's worker, the agency's analyst, administrator or auditor, a deactivated account, an unknown id).
 */
export const allocatedWorker = (trx: Trx, userId: string) =>
  trx
    .selectFrom("users as u")
    .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "u.agency_id"))
    .select(["u.user_id", "u.agency_id"])
    .where(p("u.partnership_id"), "=", currentPartnership)
    .where("u.user_id", "=", userId)
    .where("a.agency_type", "=", "childrens-social-care")
    .where("u.role", "in", ALLOCATED_WORKER_ROLES)
    .where("u.deactivated_at", "is", null)
    .executeTakeFirst();

/** Whether the caller records social care plans, narratives and step-downs. */
export const mayRecordSocialCare = async (
  scope: RepositoryScope,
  trx: Trx,
  ctx: AccessContext,
): Promise<boolean> => {
  if (runsFrontDoor(ctx.role)) return true;
  if (!(ALLOCATED_WORKER_ROLES as readonly Role[]).includes(ctx.role)) return false;
  return (await scope.callerAgency(trx))?.agencyType === "childrens-social-care";
};

/**
 * Whether the caller's agency holds the case a request led to: children's social care for a social care
 * episode, the lead agency for early help, and only for a child the caller may open. So the allocated
 * worker and her manager read the referral they act on.
 */
export const holdsCaseFrom = async (
  scope: RepositoryScope,
  trx: Trx,
  ctx: AccessContext,
  row: { person_id: string; episode_id: string | null; early_help_id: string | null },
): Promise<boolean> => {
  if (!row.episode_id && !row.early_help_id) return false;
  if (!(await canOpenChild(scope, trx, row.person_id))) return false;
  if (row.episode_id && (await scope.callerAgency(trx))?.agencyType === "childrens-social-care") return true;
  if (!row.early_help_id) return false;
  const lead = await trx
    .selectFrom("early_help")
    .select("lead_agency_id")
    .where(inCurrentPartnership())
    .where("early_help_id", "=", row.early_help_id)
    .executeTakeFirst();
  return lead?.lead_agency_id === ctx.agencyId;
};
