// SPDX-License-Identifier: MIT
/**
 * Children's social care journeys for generated families: the pathways generator's coded CIN census
 * events (referral, assessment, section 47, plans, closure) for a share of each chunk's children, and an
 * involvement of children's social care for each child with a journey, from the first referral, so the
 * social workers who hold those episodes can see the child.
 */
import type { Insertable } from "kysely";
import type { CscEventTable, InvolvementTable } from "../db/schema.ts";
import { generateJourneys } from "../pathways/generate-journeys.ts";
import type { AgencyRef, FamilyRows } from "./families.ts";
import type { Random } from "./random.ts";

/** Years of history the journeys cover by default, ending at the generator's reference date. */
export const DEFAULT_HISTORY_YEARS = 6;

/**
 * Adds the chunk's social care involvements to `rows` (so they are written with the families) and returns
 * the coded events, to write after them.
 */
export const addSocialCareJourneys = (
  rows: FamilyRows,
  options: {
    random: Random;
    partnershipId: string;
    referenceDate: string;
    /** Years of social care history, ending at the reference date. */
    years: number;
    csc: AgencyRef;
  },
): Insertable<CscEventTable>[] => {
  const children = rows.people
    .filter((person) => person.kind === "child" && person.date_of_birth)
    .map((person) => ({ personId: person.person_id, dateOfBirth: person.date_of_birth ?? null }));
  const events = generateJourneys(children, {
    random: options.random,
    partnershipId: options.partnershipId,
    referenceDate: options.referenceDate,
    years: options.years,
    workerUserIds: options.csc.practitioners,
  });
  const firstReferral = new Map<string, string>();
  for (const event of events) {
    const known = firstReferral.get(event.person_id);
    if (!known || event.occurred_on < known) firstReferral.set(event.person_id, event.occurred_on);
  }
  const alreadyInvolved = new Set(
    rows.involvements.filter((i) => i.agency_id === options.csc.agencyId).map((i) => i.person_id),
  );
  for (const [personId, since] of firstReferral) {
    if (alreadyInvolved.has(personId)) continue;
    const lead = options.random.pick(options.csc.practitioners);
    const involvement: Insertable<InvolvementTable> = {
      partnership_id: options.partnershipId,
      involvement_id: options.random.uuid(),
      person_id: personId,
      agency_id: options.csc.agencyId,
      started_on: since,
      lead_professional_user_id: lead,
      sharing_basis: "safeguarding-exception",
      consent: "not-sought",
      sharing_reasoning: "Referral to children's social care: information shared to assess the child's needs",
      created_by: lead,
    };
    rows.involvements.push(involvement);
  }
  return events;
};
