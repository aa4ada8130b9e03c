// SPDX-License-Identifier: MIT
/**
 * What the pathways sub-area repositories share (requests, early help, social care, professional
 * differences, alerts and the child's pathway page): the partnership condition, who may open a child
 * (who records social care is in social-care-access.ts), the partnership's levels of need, and the few rows more than one sub-area writes.
 * Each function runs inside the caller's transaction; the caller has already checked who is asking.
 */
import { sql } from "kysely";
import type { AccessContext } from "../data/access-context.ts";
import { type ChangeResult, type RepositoryScope, refused, type Trx } from "../data/repository-scope.ts";
import { type IsoDate, todayInEngland } from "../kernel/calendar.ts";
import { inCurrentPartnership } from "../kernel/sql.ts";
import { readPathwaySettings } from "../settings/pathway-settings.ts";

export const p = (column: string) => sql.ref(column);
export const today = (): IsoDate => todayInEngland();

export type NeedLevel = { code: string; name: string; description: string; pathway: string };

export type NewLevelDecision = {
  suggestedLevel: string | null;
  suggestionSource: string | null;
  chosenLevel: string;
  rationale: string;
  decidedOn: IsoDate;
  approverUserId: string | null;
};

/** @returns The rows in lists by key, each list in the rows' order. */
export const groupBy = <T, K>(rows: readonly T[], keyOf: (row: T) => K): Map<K, T[]> => {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
};

/** Whether the caller may open this child's record (a child's, not an adult's). */
export const canOpenChild = (scope: RepositoryScope, trx: Trx, personId: string): Promise<boolean> =>
  scope.canOpenRecord(trx, personId, { childrenOnly: true });

/**
 * Runs a change about one child in a transaction, refused unless the caller may open the child's record.
 * Checks of the input that need no reading come before this, so they are answered without a transaction.
 */
export const changeForChild = <T>(
  scope: RepositoryScope,
  personId: string,
  work: (trx: Trx) => Promise<ChangeResult<T>>,
): Promise<ChangeResult<T>> =>
  scope.run(async (trx) => {
    if (!(await canOpenChild(scope, trx, personId))) return refused("You cannot see this child's record");
    return work(trx);
  });

/** The type of an agency (children's social care, a school...). */
export const agencyTypeOf = async (scope: RepositoryScope, trx: Trx, agencyId: string) => {
  // The caller's own agency is read once per request.
  if (agencyId === scope.context?.agencyId) return (await scope.callerAgency(trx))?.agencyType;
  const row = await trx
    .selectFrom("agencies")
    .select("agency_type")
    .where(inCurrentPartnership())
    .where("agency_id", "=", agencyId)
    .executeTakeFirst();
  return row?.agency_type;
};

/** The levels with the wording of the partnership's settings (src/settings), the one source. */
export const readNeedLevels = async (trx: Trx): Promise<NeedLevel[]> =>
  (await readPathwaySettings(trx)).levels;

/** Audits the creation of a record (about a child, in most cases) with what was entered. */
export const auditCreated = (
  scope: RepositoryScope,
  trx: Trx,
  recordType: string,
  recordId: string,
  details: Record<string, unknown>,
): Promise<void> => scope.audit(trx, { action: "create", recordType, recordId, details });

/** The display names of these users, by user id (none read for an empty list). */
export const displayNames = async (trx: Trx, userIds: readonly string[]) =>
  userIds.length
    ? await trx
        .selectFrom("users")
        .select(["user_id", "display_name"])
        .where(inCurrentPartnership())
        .where("user_id", "in", [...userIds])
        .execute()
    : [];

/**
 * Stores the level of need chosen for a child: by a worker from the pathway page, or by the front door
 * with its decision on a request. The caller audits it with the change it belongs to.
 */
export const insertLevelDecision = async (
  trx: Trx,
  ctx: AccessContext,
  personId: string,
  input: NewLevelDecision,
): Promise<string> => {
  const decisionId = crypto.randomUUID();
  await trx
    .insertInto("level_decisions")
    .values({
      partnership_id: ctx.partnershipId,
      decision_id: decisionId,
      person_id: personId,
      suggested_level: input.suggestedLevel,
      suggestion_source: input.suggestionSource,
      chosen_level: input.chosenLevel,
      rationale: input.rationale,
      decided_by: ctx.userId,
      decided_on: input.decidedOn,
      approved_by: input.approverUserId,
    })
    .execute();
  return decisionId;
};
