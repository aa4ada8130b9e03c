// SPDX-License-Identifier: MIT
/**
 * Who is a party to a professional difference: the one definition both "who may open it" and "who is
 * told" use, so nobody is told of a difference they cannot open, or can open one nobody told them of.
 * Parties: the person who raised it and their agency's managers; the agency it is about (its managers,
 * and its workers on the child's case: the allocated social worker, the early help lead); the front door
 * when it is about a front-door decision (the decider and the front-door team); every safeguarding lead.
 */
import { type RawBuilder, sql } from "kysely";
import type { AccessContext } from "../data/access-context.ts";
import type { Trx } from "../data/repository-scope.ts";
import { currentPartnership, onKey } from "../kernel/sql.ts";
import { notify } from "../notifications/notify.ts";

type UserRefs = { userId: unknown; role: unknown; agencyId: unknown };

/**
 * The SQL condition "this user is a party to the difference aliased `x`".
 * @param user - SQL values (or column references) for the user's id, role and agency.
 */
const partyCondition = (user: UserRefs): RawBuilder<boolean> => sql<boolean>`(
  ${user.role} = 'safeguarding-lead'
  or x.raised_by = ${user.userId}
  or (${user.role} = 'manager' and (x.raised_by_agency_id = ${user.agencyId} or x.about_agency_id = ${user.agencyId}))
  or (x.about_agency_id = ${user.agencyId} and (
    exists (select 1 from csc_events pe where pe.partnership_id = x.partnership_id
      and pe.person_id = x.person_id and pe.worker_user_id = ${user.userId})
    or exists (select 1 from early_help ph where ph.partnership_id = x.partnership_id
      and ph.person_id = x.person_id and ph.ended_on is null and ph.lead_user_id = ${user.userId})))
  or (x.about_request_id is not null and (${user.role} = 'front-door'
    or exists (select 1 from support_requests pr where pr.partnership_id = x.partnership_id
      and pr.request_id = x.about_request_id and pr.decided_by = ${user.userId}))))`;

/**
 * "The caller is a party to the difference aliased `x`"; false without a caller.
 * @param ctx - The caller.
 */
export const differenceVisibleTo = (ctx: AccessContext | undefined): RawBuilder<boolean> =>
  ctx ? partyCondition({ userId: ctx.userId, role: ctx.role, agencyId: ctx.agencyId }) : sql<boolean>`false`;

/** "The active user aliased `u` is a party to the difference aliased `x`": whom to tell. */
export const userIsParty = (): RawBuilder<boolean> =>
  sql<boolean>`(u.deactivated_at is null and ${partyCondition({
    userId: sql.ref("u.user_id"),
    role: sql.ref("u.role"),
    agencyId: sql.ref("u.agency_id"),
  })})`;

/** Whether the caller is a party to this difference, evaluated in SQL. */
export const isDifferenceParty = async (
  trx: Trx,
  ctx: AccessContext | undefined,
  escalationId: string,
): Promise<boolean> => {
  const row = await trx
    .selectFrom("escalations as x")
    .select(differenceVisibleTo(ctx).as("party"))
    .where(sql.ref("x.partnership_id"), "=", currentPartnership)
    .where("x.escalation_id", "=", escalationId)
    .executeTakeFirst();
  return row?.party === true;
};

const KIND_VERB = {
  "difference-raised": "raised",
  "difference-escalated": "escalated",
  "difference-resolved": "resolved",
} as const;

/**
 * Tells every party (but the actor) that a difference was raised, escalated or resolved, inside the
 * change's transaction. The subject names who acted, never the child; the body, read inside Hearth
 * behind the difference's own access rule, says what moved.
 */
export const notifyDifferenceParties = async (
  trx: Trx,
  ctx: AccessContext,
  escalationId: string,
  kind: keyof typeof KIND_VERB,
  body: string,
): Promise<number> => {
  const parties = await trx
    .selectFrom("users as u")
    .innerJoin("escalations as x", (j) => j.onRef("x.partnership_id", "=", "u.partnership_id"))
    .select("u.user_id")
    .where(sql.ref("u.partnership_id"), "=", currentPartnership)
    .where("x.escalation_id", "=", escalationId)
    .where(userIsParty())
    .execute();
  const actor = await trx
    .selectFrom("users as u")
    .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "u.agency_id"))
    .select(["u.display_name", "a.name as agency_name"])
    .where(sql.ref("u.partnership_id"), "=", currentPartnership)
    .where("u.user_id", "=", ctx.userId)
    .executeTakeFirst();
  const person = await trx
    .selectFrom("escalations")
    .select("person_id")
    .where(sql.ref("partnership_id"), "=", currentPartnership)
    .where("escalation_id", "=", escalationId)
    .executeTakeFirst();
  const who = actor ? `${actor.display_name} (${actor.agency_name})` : "Someone";
  return notify(trx, ctx.partnershipId, {
    kind,
    recipients: parties.map((p) => p.user_id),
    subject: `Professional difference ${KIND_VERB[kind]} by ${who}`,
    body,
    link: `/escalations/${escalationId}`,
    personId: person?.person_id ?? null,
    actorUserId: ctx.userId,
  });
};
