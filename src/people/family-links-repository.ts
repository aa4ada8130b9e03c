// SPDX-License-Identifier: MIT
/**
 * Linking records: merging a duplicate into the record kept (a row that can be undone: nothing moves),
 * household membership and relationships. A link needs both records open to the caller. Every change is
 * audited in the same transaction.
 */
import { AreaRepository } from "../data/area-repository.ts";
import { mayMergePeople, mayRecord } from "../data/child-access.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  refused,
} from "../data/repository-scope.ts";
import { currentPartnership } from "../kernel/sql.ts";
import type { HouseholdRole, RelationshipType } from "./codes.ts";
import { canOpenAll, mayJoinHousehold, p } from "./people-records.ts";

/**
 * Linking two records joins their family chronologies, so a link needs both records open to the caller;
 * anyone else asks someone who can open both.
 */
const LINK_NEEDS_BOTH =
  "You can only link records you can open. Check the Hearth record number; if it is right, ask the front door or the child's lead professional to record this link.";

/** Merges, household members and relationships. */
export class FamilyLinksRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof FamilyLinksRepository, MethodAccess> = {
    mergePeople: "guarded",
    undoMerge: "guarded",
    addHouseholdMember: "guarded",
    addRelationship: "guarded",
  };

  /**
   * Merges a duplicate record into the one kept. Nothing moves: the duplicate is marked as merged, and
   * every query reads a person together with the records merged into them, so undoing is one step.
   */
  mergePeople(
    keptPersonId: string,
    mergedPersonId: string,
    reason: string,
  ): Promise<ChangeResult<{ mergeId: string }>> {
    const ctx = this.ctx;
    if (!ctx || !mayMergePeople(ctx.role))
      return Promise.resolve(refused("Only a safeguarding lead can merge records"));
    if (reason.trim() === "")
      return Promise.resolve(refused("Enter why these are the same person", "reason"));
    if (keptPersonId === mergedPersonId)
      return Promise.resolve(refused("Choose two different records", "mergedPersonId"));
    return this.scope.run(async (trx) => {
      if (!(await canOpenAll(trx, this.scope, [keptPersonId, mergedPersonId])))
        return deniedAccess(LINK_NEEDS_BOTH, "mergedPersonId");
      const pair = await trx
        .selectFrom("people")
        .select(["person_id", "kind", "merged_into_person_id"])
        .where(p("partnership_id"), "=", currentPartnership)
        .where("person_id", "in", [keptPersonId, mergedPersonId])
        .execute();
      if (pair.length !== 2) return refused("Both records must exist", "mergedPersonId");
      if (pair.some((row) => row.merged_into_person_id))
        return refused("One of these records is already merged", "mergedPersonId");
      const mergeId = crypto.randomUUID();
      await trx
        .updateTable("people")
        .set({ merged_into_person_id: keptPersonId })
        .where(p("partnership_id"), "=", currentPartnership)
        .where("person_id", "=", mergedPersonId)
        .execute();
      await trx
        .insertInto("person_merges")
        .values({
          partnership_id: ctx.partnershipId,
          merge_id: mergeId,
          kept_person_id: keptPersonId,
          merged_person_id: mergedPersonId,
          reason,
          merged_by: ctx.userId,
        })
        .execute();
      await this.scope.audit(trx, {
        action: "merge",
        recordType: "person",
        recordId: keptPersonId,
        reason,
        details: { merge_id: mergeId, merged_person_id: mergedPersonId },
      });
      return done({ mergeId });
    });
  }

  /** Reverses a merge: the duplicate becomes a record of its own again, with everything it had. */
  undoMerge(mergeId: string, reason: string): Promise<ChangeResult<null>> {
    const ctx = this.ctx;
    if (!ctx || !mayMergePeople(ctx.role))
      return Promise.resolve(refused("Only a safeguarding lead can undo a merge"));
    if (reason.trim() === "")
      return Promise.resolve(refused("Enter why this merge is being undone", "reason"));
    return this.scope.run(async (trx) => {
      const merge = await trx
        .selectFrom("person_merges")
        .selectAll()
        .where(p("partnership_id"), "=", currentPartnership)
        .where("merge_id", "=", mergeId)
        .where("reversed_at", "is", null)
        .executeTakeFirst();
      if (!merge) return refused("This merge does not exist or has already been undone");
      await trx
        .updateTable("people")
        .set({ merged_into_person_id: null })
        .where(p("partnership_id"), "=", currentPartnership)
        .where("person_id", "=", merge.merged_person_id)
        .execute();
      await trx
        .updateTable("person_merges")
        .set({ reversed_at: new Date(), reversed_by: ctx.userId, reversal_reason: reason })
        .where(p("partnership_id"), "=", currentPartnership)
        .where("merge_id", "=", mergeId)
        .execute();
      await this.scope.audit(trx, {
        action: "undo-merge",
        recordType: "person",
        recordId: merge.kept_person_id,
        reason,
        details: { merge_id: mergeId, merged_person_id: merge.merged_person_id },
      });
      return done(null);
    });
  }

  /** Records that a person lived in a household from a date (and, if known, until one). */
  addHouseholdMember(input: {
    personId: string;
    householdId?: string | undefined;
    address?:
      | {
          addressLine: string;
          town: string | null;
          postcode: string | null;
          ward: string | null;
          lsoa: string | null;
        }
      | undefined;
    householdRole: HouseholdRole;
    validFrom: string;
    validTo: string | null;
  }): Promise<ChangeResult<{ householdId: string }>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot change households"));
    return this.scope.run(async (trx) => {
      if (!(await this.scope.canOpenRecord(trx, input.personId)))
        return deniedAccess(LINK_NEEDS_BOTH, "personId");
      let householdId = input.householdId;
      if (householdId) {
        // Joining a household links the person with everyone who lived there at the same time.
        if (!(await mayJoinHousehold(trx, this.scope, householdId, input.validFrom, input.validTo)))
          return deniedAccess(LINK_NEEDS_BOTH, "householdId");
      } else {
        if (!input.address) return refused("Enter the address", "addressLine");
        householdId = crypto.randomUUID();
        await trx
          .insertInto("households")
          .values({
            partnership_id: ctx.partnershipId,
            household_id: householdId,
            address_line: input.address.addressLine,
            town: input.address.town,
            postcode: input.address.postcode,
            ward: input.address.ward,
            lsoa: input.address.lsoa,
          })
          .execute();
      }
      const membershipId = crypto.randomUUID();
      await trx
        .insertInto("household_members")
        .values({
          partnership_id: ctx.partnershipId,
          membership_id: membershipId,
          household_id: householdId,
          person_id: input.personId,
          household_role: input.householdRole,
          valid_from: input.validFrom,
          valid_to: input.validTo,
        })
        .execute();
      await this.scope.audit(trx, {
        action: "create",
        recordType: "household-member",
        recordId: membershipId,
        details: { ...input, householdId },
      });
      return done({ householdId });
    });
  }

  /** Records how two people are related: "person is <type> of related person". */
  addRelationship(input: {
    personId: string;
    relatedPersonId: string;
    relationshipType: RelationshipType;
    parentalResponsibility: boolean;
    validFrom: string | null;
  }): Promise<ChangeResult<{ relationshipId: string }>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot change relationships"));
    if (input.personId === input.relatedPersonId)
      return Promise.resolve(refused("Choose two different people", "relatedPersonId"));
    return this.scope.run(async (trx) => {
      if (!(await canOpenAll(trx, this.scope, [input.personId, input.relatedPersonId])))
        return deniedAccess(LINK_NEEDS_BOTH, "relatedPersonId");
      const relationshipId = crypto.randomUUID();
      await trx
        .insertInto("relationships")
        .values({
          partnership_id: ctx.partnershipId,
          relationship_id: relationshipId,
          person_id: input.personId,
          related_person_id: input.relatedPersonId,
          relationship_type: input.relationshipType,
          parental_responsibility: input.parentalResponsibility,
          valid_from: input.validFrom,
        })
        .execute();
      await this.scope.audit(trx, {
        action: "create",
        recordType: "relationship",
        recordId: relationshipId,
        details: input,
      });
      return done({ relationshipId });
    });
  }
}
