// SPDX-License-Identifier: MIT
/**
 * What the people repositories share: today in England, the columns that identify a person, and recording
 * an involvement. None of it is reachable from `request.repo` on its own.
 */
import { sql } from "kysely";
import { todayInEngland } from "../chronology/dates.ts";
import type { AccessContext } from "../data/access-context.ts";
import type { RepositoryScope, Trx } from "../data/repository-scope.ts";
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
