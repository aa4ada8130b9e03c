// SPDX-License-Identifier: MIT
/**
 * The early help rows written both when a worker starts early help for her own agency and when the front
 * door or a step-down opens it for a named lead: the child's open early help, the early help itself and the
 * members of the team around the family. Each runs inside the caller's transaction; the caller audits.
 */
import type { AccessContext } from "../../data/access-context.ts";
import type { Trx } from "../../data/repository-scope.ts";
import type { IsoDate } from "../../kernel/calendar.ts";
import { inCurrentPartnership } from "../../kernel/sql.ts";

/** The child's early help that has not ended, if any (a child has one open at a time). */
export const openEarlyHelpOf = (trx: Trx, personId: string) =>
  trx
    .selectFrom("early_help")
    .select(["early_help_id", "lead_user_id"])
    .where(inCurrentPartnership())
    .where("person_id", "=", personId)
    .where("ended_on", "is", null)
    .executeTakeFirst();

export type EarlyHelpRow = {
  personId: string;
  startedOn: IsoDate;
  consentOn: IsoDate;
  assessmentSummary: string;
  leadUserId: string;
  leadAgencyId: string;
  reviewIntervalWeeks: number;
  supportRequestId: string | null;
  steppedDownFromEpisodeId: string | null;
};

/** Stores new early help. @returns Its id. */
export const insertEarlyHelp = async (trx: Trx, ctx: AccessContext, row: EarlyHelpRow): Promise<string> => {
  const earlyHelpId = crypto.randomUUID();
  await trx
    .insertInto("early_help")
    .values({
      partnership_id: ctx.partnershipId,
      early_help_id: earlyHelpId,
      person_id: row.personId,
      started_on: row.startedOn,
      consent_on: row.consentOn,
      assessment_summary: row.assessmentSummary,
      lead_user_id: row.leadUserId,
      lead_agency_id: row.leadAgencyId,
      review_interval_weeks: row.reviewIntervalWeeks,
      support_request_id: row.supportRequestId,
      stepped_down_from_episode_id: row.steppedDownFromEpisodeId,
      created_by: ctx.userId,
    })
    .execute();
  return earlyHelpId;
};

export type NewMember = { name: string; memberRole: string; agencyId: string | null; joinedOn: IsoDate };

const memberRow = (ctx: AccessContext, earlyHelpId: string, member: NewMember) => ({
  partnership_id: ctx.partnershipId,
  member_id: crypto.randomUUID(),
  early_help_id: earlyHelpId,
  agency_id: member.agencyId,
  name: member.name,
  member_role: member.memberRole,
  joined_on: member.joinedOn,
});

/** Adds a member of the team around the family. @returns The member's id. */
export const insertMember = async (
  trx: Trx,
  ctx: AccessContext,
  earlyHelpId: string,
  member: NewMember,
): Promise<string> => {
  const row = memberRow(ctx, earlyHelpId, member);
  await trx.insertInto("early_help_members").values(row).execute();
  return row.member_id;
};

/** Adds the lead professional and the team around the family in one insert. */
export const insertMembers = async (
  trx: Trx,
  ctx: AccessContext,
  earlyHelpId: string,
  members: readonly NewMember[],
): Promise<void> => {
  await trx
    .insertInto("early_help_members")
    .values(members.map((member) => memberRow(ctx, earlyHelpId, member)))
    .execute();
};
