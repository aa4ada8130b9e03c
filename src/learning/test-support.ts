// SPDX-License-Identifier: MIT
/**
 * Test factories for the learning area: an auditor account in an agency of a given type (the generated
 * partnership has one auditor, in children's social care), inserted as the owner as the generator would,
 * signing in with the demo password.
 */
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import type { AgencyType, Role } from "../organisation/codes.ts";
import { isoDaysAgo } from "../test-support/families.ts";

export type AddedUser = { userId: string; agencyId: string; email: string; displayName: string };

/**
 * Adds an active user with the demo password to the first agency of a type (by name).
 * @param options - The agency's type, the role, and a name to tell accounts apart in tests.
 */
export const addUser = async (
  database: HearthDatabase,
  partnership: GeneratedPartnership,
  options: { agencyType: AgencyType; role: Role; name: string; agencyIndex?: number },
): Promise<AddedUser> => {
  const db = database.unsafeOwnerDb;
  const agencies = await db
    .selectFrom("agencies")
    .select(["agency_id"])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("agency_type", "=", options.agencyType)
    .orderBy("name")
    .execute();
  const agency = agencies[options.agencyIndex ?? 0];
  if (!agency) throw new Error(`no ${options.agencyType} agency`);
  const hash = await db
    .selectFrom("users")
    .select("password_hash")
    .where("partnership_id", "=", partnership.partnershipId)
    .where("password_hash", "is not", null)
    .executeTakeFirstOrThrow();
  const userId = crypto.randomUUID();
  const email = `${options.name.toLowerCase().replace(/[^a-z0-9]+/g, ".")}.${userId.slice(0, 8)}@learning.hearth.example`;
  await db
    .insertInto("users")
    .values({
      partnership_id: partnership.partnershipId,
      user_id: userId,
      email,
      display_name: options.name,
      agency_id: agency.agency_id,
      team_id: null,
      role: options.role,
      password_hash: hash.password_hash,
      totp_secret: null,
      totp_confirmed_at: null,
      totp_last_step: null,
    })
    .execute();
  return { userId, agencyId: agency.agency_id, email, displayName: options.name };
};

/**
 * Opens children's records to an auditor as an audit round does (the round runs from yesterday to
 * tomorrow), written as the owner, for tests of other areas that need an auditor to see a child.
 * @returns The round's id.
 */
export const grantAuditAccess = async (
  database: HearthDatabase,
  options: { partnershipId: string; auditorUserId: string; plannedBy: string; personIds: string[] },
): Promise<string> => {
  const db = database.unsafeOwnerDb;
  const { repositoryAuditForms } = await import("./audits/audit-form.ts");
  const form = repositoryAuditForms()[0];
  if (!form) throw new Error("no audit form");
  const auditor = await db
    .selectFrom("users")
    .select("agency_id")
    .where("partnership_id", "=", options.partnershipId)
    .where("user_id", "=", options.auditorUserId)
    .executeTakeFirstOrThrow();
  await db
    .insertInto("audit_forms")
    .values({
      partnership_id: options.partnershipId,
      form_id: crypto.randomUUID(),
      slug: form.content.id,
      version: form.content.version,
      name: form.content.name,
      content: JSON.stringify(form.content),
      content_hash: form.hash,
      source_text: form.text,
    })
    .onConflict((oc) => oc.columns(["partnership_id", "slug", "version"]).doNothing())
    .execute();
  const formRow = await db
    .selectFrom("audit_forms")
    .select("form_id")
    .where("partnership_id", "=", options.partnershipId)
    .where("slug", "=", form.content.id)
    .executeTakeFirstOrThrow();
  const day = (offset: number) => isoDaysAgo(-offset);
  const roundId = crypto.randomUUID();
  await db
    .insertInto("audit_rounds")
    .values({
      partnership_id: options.partnershipId,
      round_id: roundId,
      title: "Test round",
      theme: "neglect",
      form_id: formRow.form_id,
      sample_method: "rule",
      sample_rule: "any-child",
      sample_seed: null,
      sample_size: options.personIds.length,
      starts_on: day(-1),
      returns_due_on: day(1),
      ends_on: day(1),
      planned_by: options.plannedBy,
    })
    .execute();
  await db
    .insertInto("audit_round_agencies")
    .values({
      partnership_id: options.partnershipId,
      round_id: roundId,
      agency_id: auditor.agency_id,
      auditor_user_id: options.auditorUserId,
    })
    .execute();
  await db
    .insertInto("audit_round_children")
    .values(
      options.personIds.map((person_id, position) => ({
        partnership_id: options.partnershipId,
        round_id: roundId,
        person_id,
        position,
      })),
    )
    .execute();
  return roundId;
};
