// SPDX-License-Identifier: MIT
/**
 * Opening early help for someone else to lead: the front door's "early help" decision and a social care
 * step-down both name a lead professional (a practitioner or manager of an agency) and the agencies in the
 * team around the family. The lead's agency gets (or keeps) an involvement marked as the lead, so the lead
 * can open the child's record; the lead is told. Runs inside the caller's transaction, audited there.
 */
import { sql } from "kysely";
import type { AccessContext } from "../../data/access-context.ts";
import type { RepositoryScope, Trx } from "../../data/repository-scope.ts";
import { type IsoDate, todayInEngland } from "../../kernel/calendar.ts";
import { currentPartnership, inCurrentPartnership, onKey } from "../../kernel/sql.ts";
import { notify } from "../../notifications/notify.ts";
import type { ConsentState } from "../../people/codes.ts";
import { insertEarlyHelp, insertMembers, openEarlyHelpOf } from "../early-help/early-help-rows.ts";

/** Roles that can lead early help: those who work with families and open records through involvement. */
export const LEAD_ROLES = ["practitioner", "manager"] as const;

export type EarlyHelpOpening = {
  personId: string;
  startedOn: IsoDate;
  consentOn: IsoDate;
  consent: ConsentState;
  leadUserId: string;
  teamAgencyIds: readonly string[];
  summary: string;
  supportRequestId: string | null;
  steppedDownFromEpisodeId: string | null;
  /** Why the lead's agency is involved, for the involvement's sharing reasoning. */
  reason: string;
  /** The notification: its kind and what it says. */
  notice: { kind: "early-help-lead" | "stepped-down"; subject: string; body: string };
};

export type OpenedEarlyHelp =
  | { ok: true; earlyHelpId: string; leadUserId: string; created: boolean }
  | { ok: false; field: string; message: string };

/** The active user who may lead early help, with their agency; undefined if they cannot. */
export const leadProfessional = (trx: Trx, userId: string) =>
  trx
    .selectFrom("users as u")
    .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "u.agency_id"))
    .select(["u.user_id", "u.display_name", "u.agency_id", "a.name as agency_name"])
    .where(sql.ref("u.partnership_id"), "=", currentPartnership)
    .where("u.user_id", "=", userId)
    .where("u.role", "in", [...LEAD_ROLES])
    .where("u.deactivated_at", "is", null)
    .where("a.deactivated_at", "is", null)
    .executeTakeFirst();

/**
 * Opens early help led by the named professional, or links to the child's open early help if there is one
 * (a second episode would split the plan). The caller has already checked that they may do this.
 */
export const openEarlyHelp = async (
  trx: Trx,
  scope: RepositoryScope,
  ctx: AccessContext,
  input: EarlyHelpOpening,
): Promise<OpenedEarlyHelp> => {
  const lead = await leadProfessional(trx, input.leadUserId);
  if (!lead) return { ok: false, field: "leadUserId", message: "Select the lead professional" };
  const teamIds = [...new Set(input.teamAgencyIds)].filter((id) => id !== lead.agency_id);
  const team = teamIds.length
    ? await trx
        .selectFrom("agencies")
        .select(["agency_id", "name"])
        .where(inCurrentPartnership())
        .where("agency_id", "in", teamIds)
        .where("deactivated_at", "is", null)
        .execute()
    : [];
  if (team.length !== teamIds.length)
    return { ok: false, field: "teamAgencyIds", message: "Select agencies from the list" };

  const open = await openEarlyHelpOf(trx, input.personId);
  if (open)
    return { ok: true, earlyHelpId: open.early_help_id, leadUserId: open.lead_user_id ?? "", created: false };

  const earlyHelpId = await insertEarlyHelp(trx, ctx, {
    personId: input.personId,
    startedOn: input.startedOn,
    consentOn: input.consentOn,
    assessmentSummary: input.summary,
    leadUserId: lead.user_id,
    leadAgencyId: lead.agency_id,
    reviewIntervalWeeks: 6,
    supportRequestId: input.supportRequestId,
    steppedDownFromEpisodeId: input.steppedDownFromEpisodeId,
  });
  await insertMembers(trx, ctx, earlyHelpId, [
    {
      agencyId: lead.agency_id,
      name: lead.display_name,
      memberRole: "Lead professional",
      joinedOn: input.startedOn,
    },
    ...team.map((agency) => ({
      agencyId: agency.agency_id,
      name: agency.name,
      memberRole: "Team around the family",
      joinedOn: input.startedOn,
    })),
  ]);
  await scope.audit(trx, {
    action: "create",
    recordType: "early-help",
    recordId: earlyHelpId,
    details: {
      person_id: input.personId,
      lead_user_id: lead.user_id,
      lead_agency_id: lead.agency_id,
      team_agency_ids: team.map((a) => a.agency_id),
      support_request_id: input.supportRequestId,
      stepped_down_from_episode_id: input.steppedDownFromEpisodeId,
      started_on: input.startedOn,
    },
  });
  await ensureLeadInvolvement(trx, scope, ctx, {
    personId: input.personId,
    agencyId: lead.agency_id,
    leadUserId: lead.user_id,
    on: input.startedOn,
    consent: input.consent,
    reason: input.reason,
  });
  await notify(trx, ctx.partnershipId, {
    kind: input.notice.kind,
    recipients: [lead.user_id],
    subject: input.notice.subject,
    body: input.notice.body,
    link: `/people/${input.personId}/pathway/early-help/${earlyHelpId}`,
    personId: input.personId,
    actorUserId: ctx.userId,
  });
  return { ok: true, earlyHelpId, leadUserId: lead.user_id, created: true };
};

/**
 * The lead agency's involvement, open today, marked as the lead with its lead professional: an open one is
 * marked, otherwise one is made from the day early help starts. Without it the lead could not open the record.
 */
const ensureLeadInvolvement = async (
  trx: Trx,
  scope: RepositoryScope,
  ctx: AccessContext,
  input: {
    personId: string;
    agencyId: string;
    leadUserId: string;
    on: IsoDate;
    consent: ConsentState;
    reason: string;
  },
) => {
  const today = todayInEngland();
  const open = await trx
    .selectFrom("involvements")
    .select(["involvement_id", "is_lead_agency", "lead_professional_user_id"])
    .where(inCurrentPartnership())
    .where("person_id", "=", input.personId)
    .where("agency_id", "=", input.agencyId)
    .where("started_on", "<=", today)
    .where((eb) => eb.or([eb("ended_on", "is", null), eb("ended_on", ">=", today)]))
    .executeTakeFirst();
  if (open) {
    if (open.is_lead_agency && open.lead_professional_user_id === input.leadUserId) return;
    await trx
      .updateTable("involvements")
      .set({ is_lead_agency: true, lead_professional_user_id: input.leadUserId })
      .where(inCurrentPartnership())
      .where("involvement_id", "=", open.involvement_id)
      .execute();
    await scope.audit(trx, {
      action: "change",
      recordType: "involvement",
      recordId: open.involvement_id,
      details: {
        person_id: input.personId,
        is_lead_agency: [open.is_lead_agency, true],
        lead_professional_user_id: [open.lead_professional_user_id, input.leadUserId],
      },
    });
    return;
  }
  const involvementId = crypto.randomUUID();
  const consented = input.consent === "given";
  await trx
    .insertInto("involvements")
    .values({
      partnership_id: ctx.partnershipId,
      involvement_id: involvementId,
      person_id: input.personId,
      agency_id: input.agencyId,
      // ISO dates sort as text: the earlier of the start and today.
      started_on: [input.on, today].sort()[0] ?? today,
      lead_professional_user_id: input.leadUserId,
      is_lead_agency: true,
      sharing_basis: consented ? "consent" : "safeguarding-exception",
      consent: input.consent,
      sharing_reasoning: input.reason,
      created_by: ctx.userId,
    })
    .execute();
  await scope.audit(trx, {
    action: "create",
    recordType: "involvement",
    recordId: involvementId,
    details: {
      person_id: input.personId,
      agency_id: input.agencyId,
      lead: input.leadUserId,
      reason: input.reason,
    },
  });
};
