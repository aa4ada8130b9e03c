// SPDX-License-Identifier: MIT

import { AreaRepository } from "../../data/area-repository.ts";
import { mayRecord, seesEveryChild } from "../../data/child-access.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
} from "../../data/repository-scope.ts";
import { todayInEngland } from "../../kernel/calendar.ts";
import { inCurrentPartnership } from "../../kernel/sql.ts";
import type { HouseholdRole, RelationshipType } from "../codes.ts";
import { canOpenAll, insertCurrentName, insertInvolvement, mayJoinHousehold } from "../people-records.ts";
import { PeopleRepository } from "../people-repository.ts";
import type { Ending, NewAdult } from "./household-records.ts";

const CANNOT_OPEN =
  "You can only change links between records you can open. Ask the front door or the child's lead professional to record this.";

/** Household memberships and relationships: adding, and ending with a reason. */
export class HouseholdChangesRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof HouseholdChangesRepository, MethodAccess> = {
    addMember: "guarded",
    addNewAdult: "guarded",
    startHousehold: "guarded",
    endMembership: "guarded",
    addRelationship: "guarded",
    endRelationship: "guarded",
  };

  readonly #people: PeopleRepository;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    super(scope);
    this.#people = new PeopleRepository(scope);
  }

  /** Adds an existing person to a household (the people area's rule: every record joined must be open). */
  addMember(input: {
    householdId: string;
    personId: string;
    householdRole: HouseholdRole;
    validFrom: string;
  }): Promise<ChangeResult<{ householdId: string }>> {
    return this.#people.addHouseholdMember({ ...input, validTo: null });
  }

  /** Starts a new household at an address with this person in it. */
  startHousehold(input: {
    personId: string;
    address: { addressLine: string; town: string | null; postcode: string | null };
    householdRole: HouseholdRole;
    validFrom: string;
  }): Promise<ChangeResult<{ householdId: string }>> {
    return this.#people.addHouseholdMember({
      personId: input.personId,
      address: { ...input.address, ward: null, lsoa: null },
      householdRole: input.householdRole,
      validFrom: input.validFrom,
      validTo: null,
    });
  }

  /**
   * Adds an adult not yet known to Hearth to a household. A practitioner's or manager's agency records
   * its involvement with the adult (with its basis for sharing), so the person who adds them can go on
   * to see them, as with a child.
   */
  addNewAdult(householdId: string, adult: NewAdult): Promise<ChangeResult<{ personId: string }>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot change households"));
    return this.scope.run(async (trx) => {
      if (!(await mayJoinHousehold(trx, this.scope, householdId, adult.validFrom, null)))
        return deniedAccess(CANNOT_OPEN, "householdId");
      const personId = crypto.randomUUID();
      await trx
        .insertInto("people")
        .values({
          partnership_id: ctx.partnershipId,
          person_id: personId,
          kind: "adult",
          given_names: adult.givenNames,
          family_name: adult.familyName,
          date_of_birth: adult.dateOfBirth,
          sex: adult.sex,
          disabilities: [],
          created_by: ctx.userId,
        })
        .execute();
      await insertCurrentName(trx, ctx, personId, adult);
      await this.scope.audit(trx, {
        action: "create",
        recordType: "person",
        recordId: personId,
        details: {
          kind: [null, "adult"],
          givenNames: [null, adult.givenNames],
          familyName: [null, adult.familyName],
          dateOfBirth: [null, adult.dateOfBirth],
          sex: [null, adult.sex],
        },
      });
      if (!seesEveryChild(ctx.role))
        await insertInvolvement(trx, this.scope, ctx, personId, {
          startedOn: todayInEngland(),
          isLeadAgency: false,
          sharingBasis: adult.sharingBasis,
          consent: adult.consent,
          sharingReasoning: null,
        });
      const membershipId = crypto.randomUUID();
      await trx
        .insertInto("household_members")
        .values({
          partnership_id: ctx.partnershipId,
          membership_id: membershipId,
          household_id: householdId,
          person_id: personId,
          household_role: adult.householdRole,
          valid_from: adult.validFrom,
          valid_to: null,
        })
        .execute();
      await this.scope.audit(trx, {
        action: "create",
        recordType: "household-member",
        recordId: membershipId,
        details: { personId, householdId, householdRole: adult.householdRole, validFrom: adult.validFrom },
      });
      return done({ personId });
    });
  }

  /**
   * Ends a membership (or corrects its end) with a date and a reason; the end it replaces is kept.
   * The member's record must be open to the caller.
   */
  endMembership(membershipId: string, ending: Ending): Promise<ChangeResult<{ householdId: string }>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot change households"));
    if (ending.reason.trim() === "")
      return Promise.resolve(refused("Enter why the membership ended", "reason"));
    return this.scope.run(async (trx) => {
      const membership = await trx
        .selectFrom("household_members")
        .select(["person_id", "household_id", "valid_from", "valid_to"])
        .where(inCurrentPartnership())
        .where("membership_id", "=", membershipId)
        .executeTakeFirst();
      if (!membership || !(await this.scope.canOpenRecord(trx, membership.person_id)))
        return deniedAccess(CANNOT_OPEN, "validTo");
      if (ending.validTo < membership.valid_from)
        return refused("The end date must be on or after the date they moved in", "validTo");
      await trx
        .insertInto("household_membership_endings")
        .values({
          partnership_id: ctx.partnershipId,
          ending_id: crypto.randomUUID(),
          membership_id: membershipId,
          previous_valid_to: membership.valid_to,
          valid_to: ending.validTo,
          reason: ending.reason.trim(),
          recorded_by: ctx.userId,
        })
        .execute();
      await trx
        .updateTable("household_members")
        .set({ valid_to: ending.validTo })
        .where(inCurrentPartnership())
        .where("membership_id", "=", membershipId)
        .execute();
      await this.scope.audit(trx, {
        action: "end",
        recordType: "household-member",
        recordId: membershipId,
        reason: ending.reason.trim(),
        details: { valid_to: [membership.valid_to, ending.validTo] },
      });
      return done({ householdId: membership.household_id });
    });
  }

  /** Records how two people are related; both records must be open to the caller. */
  addRelationship(input: {
    personId: string;
    relatedPersonId: string;
    relationshipType: RelationshipType;
    parentalResponsibility: boolean;
    validFrom: string | null;
  }): Promise<ChangeResult<{ relationshipId: string }>> {
    return this.#people.addRelationship(input);
  }

  /** Ends a relationship (or corrects its end) with a date and a reason; both records must be open. */
  endRelationship(relationshipId: string, ending: Ending): Promise<ChangeResult<null>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot change relationships"));
    if (ending.reason.trim() === "")
      return Promise.resolve(refused("Enter why the relationship ended", "reason"));
    return this.scope.run(async (trx) => {
      const relationship = await trx
        .selectFrom("relationships")
        .select(["person_id", "related_person_id", "valid_from", "valid_to"])
        .where(inCurrentPartnership())
        .where("relationship_id", "=", relationshipId)
        .executeTakeFirst();
      if (
        !relationship ||
        !(await canOpenAll(trx, this.scope, [relationship.person_id, relationship.related_person_id]))
      )
        return deniedAccess(CANNOT_OPEN, "validTo");
      if (relationship.valid_from && ending.validTo < relationship.valid_from)
        return refused("The end date must be on or after the relationship began", "validTo");
      await trx
        .insertInto("relationship_endings")
        .values({
          partnership_id: ctx.partnershipId,
          ending_id: crypto.randomUUID(),
          relationship_id: relationshipId,
          previous_valid_to: relationship.valid_to,
          valid_to: ending.validTo,
          reason: ending.reason.trim(),
          recorded_by: ctx.userId,
        })
        .execute();
      await trx
        .updateTable("relationships")
        .set({ valid_to: ending.validTo })
        .where(inCurrentPartnership())
        .where("relationship_id", "=", relationshipId)
        .execute();
      await this.scope.audit(trx, {
        action: "end",
        recordType: "relationship",
        recordId: relationshipId,
        reason: ending.reason.trim(),
        details: { valid_to: [relationship.valid_to, ending.validTo] },
      });
      return done(null);
    });
  }
}
