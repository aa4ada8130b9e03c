// SPDX-License-Identifier: MIT
/**
 * Who writes children's social care casework, shared by the plans and the front door's repositories: the
 * front door and safeguarding leads everywhere, and practitioners and managers of a children's social care
 * agency. The caller's agency is read once per request (RepositoryScope.callerAgency).
 */
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
