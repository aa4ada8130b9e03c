// SPDX-License-Identifier: MIT
/**
 * Notifications made by casework changes in other areas, kept here so those areas call one line inside
 * their transaction. Subjects name what happened, never the child.
 */
import { sql } from "kysely";
import type { AccessContext } from "../data/access-context.ts";
import type { Trx } from "../data/repository-scope.ts";
import { currentPartnership } from "../kernel/sql.ts";
import { notify } from "./notify.ts";

/**
 * Tells the managers of the assessment's agency (who sign it off; never the submitter) that an
 * assessment waits for their sign-off.
 */
export const notifyAssessmentSubmitted = async (
  trx: Trx,
  ctx: AccessContext,
  assessment: { assessmentId: string; personId: string; agencyId: string },
): Promise<number> => {
  const managers = await trx
    .selectFrom("users")
    .select("user_id")
    .where(sql.ref("partnership_id"), "=", currentPartnership)
    .where("role", "=", "manager")
    .where("agency_id", "=", assessment.agencyId)
    .where("deactivated_at", "is", null)
    .execute();
  const submitter = await trx
    .selectFrom("users")
    .select("display_name")
    .where(sql.ref("partnership_id"), "=", currentPartnership)
    .where("user_id", "=", ctx.userId)
    .executeTakeFirst();
  return notify(trx, ctx.partnershipId, {
    kind: "assessment-submitted",
    recipients: managers.map((m) => m.user_id),
    subject: `Assessment submitted for your sign-off by ${submitter?.display_name ?? "a colleague"}`,
    body: "A neglect assessment is complete and waits for a manager's sign-off.",
    link: `/assessments/${assessment.assessmentId}`,
    personId: assessment.personId,
    actorUserId: ctx.userId,
  });
};
