// SPDX-License-Identifier: MIT
/**
 * Who may open a child's record. Pure rules on the caller's role, and the one SQL predicate that every
 * query over children's records adds. A practitioner or manager sees a child while their agency has an
 * open involvement with the child (or any record merged into the child's), or while their own
 * break-glass access is open; partnership-wide roles see every child of their partnership; an auditor
 * sees only the children sampled by a case audit round they take part in, from the round's start to its
 * end (src/learning/audits), and every record archived after a retention review (src/retention); analysts and administrators work with the partnership's figures and users,
 * never with a child's record.
 */
import { type RawBuilder, sql } from "kysely";
import { todayInEnglandSql } from "../kernel/calendar.ts";
import { currentPartnership } from "../kernel/sql.ts";
import type { Role } from "../organisation/codes.ts";
import type { AccessContext } from "./access-context.ts";

/** How long a break-glass opening lasts before it must be stated again. */
export const BREAK_GLASS_HOURS = 24;

/** Roles that see every child in their partnership: the front door triages anyone, leads oversee all. */
export const seesEveryChild = (role: Role): boolean => role === "safeguarding-lead" || role === "front-door";

/**
 * Roles that may open a child's record at all (given involvement, break glass, an audit round or a wide
 * role).
 */
export const mayOpenChildRecords = (role: Role): boolean =>
  seesEveryChild(role) || role === "practitioner" || role === "manager" || role === "auditor";

/**
 * The SQL condition "an audit round grants this auditor this child today": the auditor is the round's
 * auditor for their agency, the child (or a record merged into the child's) is in the round's sample, and
 * today is within the round's dates. Nothing else opens a child's record to an auditor.
 */
const auditRoundGrants = (ctx: AccessContext, personId: RawBuilder<unknown>): RawBuilder<boolean> =>
  sql<boolean>`exists (
      select 1 from hearth_person_cluster(${personId}) access_c
        join audit_round_children access_arc
          on access_arc.partnership_id = ${currentPartnership}
         and access_arc.person_id = access_c.person_id
        join audit_round_agencies access_ara
          on access_ara.partnership_id = ${currentPartnership}
         and access_ara.round_id = access_arc.round_id
        join audit_rounds access_ar
          on access_ar.partnership_id = ${currentPartnership}
         and access_ar.round_id = access_arc.round_id
      where access_ara.auditor_user_id = ${ctx.userId}
        and access_ar.starts_on <= ${todayInEnglandSql}
        and access_ar.ends_on >= ${todayInEnglandSql}
    )`;

/**
 * The SQL condition "this child's record has not been archived after a retention review". Search and the
 * indicators add it: an archived record leaves them, and stays for those who may still open it.
 * @param personId - A reference to the person id column, e.g. sql.ref("people.person_id").
 * @param reading - "all" where the query reads every child of the partnership (the indicators): the
 *   archived ids are then read once and hashed, where "not exists" looked them up once a child (1 of
 *   1.2 s for 100,000 children on PGlite).
 */
export const notArchived = (
  personId: RawBuilder<unknown>,
  reading: "some" | "all" = "some",
): RawBuilder<boolean> =>
  reading === "all"
    ? sql<boolean>`${personId} not in (select archived_r.person_id from record_archives archived_r
        where archived_r.partnership_id = ${currentPartnership})`
    : sql<boolean>`not exists (
      select 1 from record_archives archived_r
      where archived_r.partnership_id = ${currentPartnership}
        and archived_r.person_id = ${personId}
    )`;

/**
 * The SQL condition "this child's record has been archived": the auditor reads archived records, which
 * are kept so that what was known and done can still be checked.
 */
const isArchived = (personId: RawBuilder<unknown>): RawBuilder<boolean> =>
  sql<boolean>`exists (
      select 1 from record_archives archived_r
      where archived_r.partnership_id = ${currentPartnership}
        and archived_r.person_id = ${personId}
    )`;

/** Roles that can break glass: those who would otherwise need an involvement. */
export const mayBreakGlass = (role: Role): boolean => role === "practitioner" || role === "manager";

/** Only a safeguarding lead can merge two people's records or undo a merge. */
export const mayMergePeople = (role: Role): boolean => role === "safeguarding-lead";

/** Roles that may add people and chronology entries. */
export const mayRecord = (role: Role): boolean =>
  role === "practitioner" || role === "manager" || role === "safeguarding-lead" || role === "front-door";

/** Auditors see amended originals and retracted entries; so do safeguarding leads. */
export const seesSupersededEntries = (role: Role): boolean =>
  role === "auditor" || role === "safeguarding-lead";

/**
 * The SQL condition "the caller may open this child's record".
 * @param ctx - The caller, or undefined (then nothing is visible).
 * @param personId - A reference to the person id column, e.g. sql.ref("people.person_id").
 * @returns A boolean SQL expression.
 */
export const childVisibleTo = (
  ctx: AccessContext | undefined,
  personId: RawBuilder<unknown>,
): RawBuilder<boolean> => {
  if (!ctx) return sql<boolean>`false`;
  if (seesEveryChild(ctx.role)) return sql<boolean>`true`;
  if (!mayOpenChildRecords(ctx.role)) return sql<boolean>`false`;
  if (ctx.role === "auditor")
    return sql<boolean>`(${auditRoundGrants(ctx, personId)} or ${isArchived(personId)})`;
  // Driven from the child's (few) records to their involvements, never from an agency's (many) involvements.
  return sql<boolean>`(exists (
      select 1 from hearth_person_cluster(${personId}) access_c
        join involvements access_i
          on access_i.partnership_id = ${currentPartnership}
         and access_i.person_id = access_c.person_id
      where access_i.agency_id = ${ctx.agencyId}
        and access_i.started_on <= ${todayInEnglandSql}
        and (access_i.ended_on is null or access_i.ended_on >= ${todayInEnglandSql})
    ) or exists (
      select 1 from break_glass access_b
      where access_b.partnership_id = ${currentPartnership}
        and access_b.user_id = ${ctx.userId}
        and access_b.person_id = ${personId}
        and access_b.expires_at > now()
    ))`;
};

/**
 * The SQL condition "the caller may see this chronology entry's content", given they may see the child.
 * Restricted entries (health-confidential, police-sensitive) are seen by the named roles and by the
 * agency that recorded them.
 */
export const eventVisibleTo = (
  ctx: AccessContext | undefined,
  event: {
    visibility: RawBuilder<unknown>;
    restrictedToRoles: RawBuilder<unknown>;
    sourceAgencyId: RawBuilder<unknown>;
  },
): RawBuilder<boolean> => {
  if (!ctx) return sql<boolean>`false`;
  return sql<boolean>`(${event.visibility} = 'normal' or ${ctx.role} = any(${event.restrictedToRoles}) or ${event.sourceAgencyId} = ${ctx.agencyId})`;
};
