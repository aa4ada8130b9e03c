// SPDX-License-Identifier: MIT
/**
 * Neglect assessments for a generated partnership: the health visiting team's youngest children get a
 * history of readings (improving, static or relapsing), so change over time and the relapse flag can be
 * seen in the demo. Runs after the partnership is written, as a system job.
 */
import { generateAssessments } from "../assessments/generate-assessments.ts";
import type { HearthDatabase } from "../db/database.ts";
import { onKey } from "../kernel/sql.ts";
import type { GeneratedPartnership } from "./generate-partnership.ts";

const TRAJECTORIES = ["improving", "static", "relapsing"] as const;

/**
 * @param database - The open database.
 * @param generated - The partnership just generated.
 * @param options - How many children to assess, and the date the histories lead up to.
 * @returns How many assessments were written.
 */
export const addSampleAssessments = async (
  database: HearthDatabase,
  generated: GeneratedPartnership,
  options: { seed: string; children: number; referenceDate: string },
): Promise<number> => {
  const p = generated.partnershipId;
  const agencyId = generated.demoFamily.healthVisitingAgencyId;
  const practitioner = generated.signIns.find((s) => s.email.startsWith("health-visitor@"));
  const manager = await database.unsafeOwnerDb
    .selectFrom("users")
    .select("user_id")
    .where("partnership_id", "=", p)
    .where("agency_id", "=", agencyId)
    .where("role", "=", "manager")
    .orderBy("email")
    .executeTakeFirst();
  if (!practitioner || !manager) return 0;
  const children = await database.unsafeOwnerDb
    .selectFrom("involvements as i")
    .innerJoin("people", (j) => onKey(j, "people.person_id", "i.person_id"))
    .select(["people.person_id", "people.date_of_birth"])
    .where("i.partnership_id", "=", p)
    .where("i.agency_id", "=", agencyId)
    .where("i.ended_on", "is", null)
    .where("people.date_of_birth", "is not", null)
    .where("people.person_id", "<>", generated.demoFamily.babyPersonId)
    .orderBy("people.person_id")
    .limit(options.children)
    .execute();
  const written = await generateAssessments(database, {
    partnershipId: p,
    seed: `${options.seed}:assessments`,
    agencyId,
    practitionerUserId: practitioner.userId,
    managerUserId: manager.user_id,
    referenceDate: options.referenceDate,
    children: children.map((child, index) => ({
      personId: child.person_id,
      dateOfBirth: child.date_of_birth,
      trajectory: TRAJECTORIES[index % TRAJECTORIES.length] ?? "static",
    })),
  });
  return written.assessments;
};
