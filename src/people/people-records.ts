// SPDX-License-Identifier: MIT
/**
 * What the people repositories (and the households sub-areas) share: today in England, the columns that
 * identify a person, whether the caller may open every record a link joins, and recording a name and an
 * involvement. None of it is reachable from `request.repo` on its own.
 */
import { sql } from "kysely";
import type { AccessContext } from "../data/access-context.ts";
import type { RepositoryScope, Trx } from "../data/repository-scope.ts";
import { todayInEngland } from "../kernel/calendar.ts";
import { currentPartnership } from "../kernel/sql.ts";
import type { NewInvolvement } from "./people-types.ts";

export const today = () => todayInEngland();
export const p = (column: string) => sql.ref(column);

/** The columns any search result or record shows to identify a person. */
export const SUMMARY_COLUMNS = [
  "people.person_id",
  "people.kind",
  "people.given_names",
  "people.family_name",
  "people.date_of_birth",
  "people.expected_date_of_birth",
  "people.merged_into_person_id",
] as const;

/** Records an agency's involvement with a person, audited; the caller's agency unless another is given. */
export const insertInvolvement = async (
  trx: Trx,
  scope: RepositoryScope,
  ctx: AccessContext,
  personId: string,
  input: NewInvolvement,
) => {
  const involvementId = crypto.randomUUID();
  const agencyId = input.agencyId ?? ctx.agencyId;
  await trx
    .insertInto("involvements")
    .values({
      partnership_id: ctx.partnershipId,
      involvement_id: involvementId,
      person_id: personId,
      agency_id: agencyId,
      started_on: input.startedOn,
      is_lead_agency: input.isLeadAgency,
      lead_professional_user_id: agencyId === ctx.agencyId && input.isLeadAgency ? ctx.userId : null,
      sharing_basis: input.sharingBasis,
      consent: input.consent,
      sharing_reasoning: input.sharingReasoning,
      created_by: ctx.userId,
    })
    .execute();
  await scope.audit(trx, {
    action: "create",
    recordType: "involvement",
    recordId: involvementId,
    details: { person_id: personId, agency_id: agencyId, ...input },
  });
  return involvementId;
};

/** Whether the caller may open every one of these records (an unknown id, or another partnership's, is not open). */
export const canOpenAll = async (trx: Trx, scope: RepositoryScope, personIds: string[]): Promise<boolean> => {
  for (const personId of new Set(personIds)) if (!(await scope.canOpenRecord(trx, personId))) return false;
  return true;
};

/**
 * Whether the caller may link someone with a household over these dates: the household is the
 * partnership's, and the caller may open everyone who lived there at the same time (joining a household
 * links the person with each of them).
 */
export const mayJoinHousehold = async (
  trx: Trx,
  scope: RepositoryScope,
  householdId: string,
  validFrom: string,
  validTo: string | null,
): Promise<boolean> => {
  const household = await trx
    .selectFrom("households")
    .select("household_id")
    .where(p("partnership_id"), "=", currentPartnership)
    .where("household_id", "=", householdId)
    .executeTakeFirst();
  if (!household) return false;
  const housemates = await trx
    .selectFrom("household_members")
    .select("person_id")
    .where(p("partnership_id"), "=", currentPartnership)
    .where("household_id", "=", householdId)
    .where(sql<boolean>`valid_from <= coalesce(${validTo}::date, 'infinity'::date)`)
    .where(sql<boolean>`${validFrom}::date <= coalesce(valid_to, 'infinity'::date)`)
    .execute();
  return canOpenAll(
    trx,
    scope,
    housemates.map((row) => row.person_id),
  );
};

/** Records a new person's name as their current name (the start of their name history). */
export const insertCurrentName = (
  trx: Trx,
  ctx: AccessContext,
  personId: string,
  name: { givenNames: string; familyName: string },
) =>
  trx
    .insertInto("person_names")
    .values({
      partnership_id: ctx.partnershipId,
      name_id: crypto.randomUUID(),
      person_id: personId,
      given_names: name.givenNames,
      family_name: name.familyName,
      name_use: "current",
    })
    .execute();
