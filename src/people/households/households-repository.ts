// SPDX-License-Identifier: MIT
/**
 * Households over time and relationships: who lived where and when (including the other adults in a
 * child's household), how people are related, and the ending of either with a date and a reason. The
 * security rules are those of the people area: a link needs every record it joins open to the caller;
 * a household shows a member's details only where the caller may open that member (others are "another
 * person"), and each member shown is audited as a view. An ending never overwrites: the end it replaced
 * is kept in its endings table.
 */
import { sql } from "kysely";
import { todayInEngland } from "../../chronology/dates.ts";
import { childVisibleTo, mayRecord, seesEveryChild } from "../../data/child-access.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
  type Trx,
} from "../../data/repository-scope.ts";
import type { ConsentState, HouseholdRole, RelationshipType, SexCode, SharingBasis } from "../codes.ts";
import { PeopleRepository } from "../people-repository.ts";

const CANNOT_OPEN =
  "You can only change links between records you can open. Ask the front door or the child's lead professional to record this.";

const here = sql<boolean>`partnership_id = hearth_current_partnership()`;
const ref = (column: string) => sql.ref(column);

export type NewAdult = {
  givenNames: string;
  familyName: string;
  dateOfBirth: string | null;
  sex: SexCode;
  householdRole: HouseholdRole;
  validFrom: string;
  sharingBasis: SharingBasis;
  consent: ConsentState;
};

export type Ending = { validTo: string; reason: string };

export class HouseholdsRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<Exclude<keyof HouseholdsRepository, never>, MethodAccess> = {
    personHouseholds: "guarded",
    household: "guarded",
    addMember: "guarded",
    addNewAdult: "guarded",
    startHousehold: "guarded",
    endMembership: "guarded",
    addRelationship: "guarded",
    endRelationship: "guarded",
  };

  readonly #scope: RepositoryScope;
  readonly #people: PeopleRepository;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#scope = scope;
    this.#people = new PeopleRepository(scope);
  }

  #canOpen(trx: Trx, personId: string): Promise<boolean> {
    return this.#scope.canOpenRecord(trx, personId);
  }

  async #canOpenAll(trx: Trx, personIds: string[]): Promise<boolean> {
    for (const id of new Set(personIds)) if (!(await this.#canOpen(trx, id))) return false;
    return true;
  }

  #membershipEndings(trx: Trx, membershipIds: string[]) {
    if (membershipIds.length === 0) return Promise.resolve([]);
    return trx
      .selectFrom("household_membership_endings as e")
      .innerJoin("users as u", (j) =>
        j.onRef("u.partnership_id", "=", "e.partnership_id").onRef("u.user_id", "=", "e.recorded_by"),
      )
      .select([
        "e.membership_id",
        "e.previous_valid_to",
        "e.valid_to",
        "e.reason",
        "e.recorded_at",
        "u.display_name as recorded_by_name",
      ])
      .where(ref("e.partnership_id"), "=", sql`hearth_current_partnership()`)
      .where("e.membership_id", "in", membershipIds)
      .orderBy("e.recorded_at")
      .execute();
  }

  /**
   * A person's households over time (newest first, each with the history of its ending) and their
   * relationships either way. The other person in a relationship is named only where the caller may open
   * them. Undefined if the caller may not open the person. Audited as a view of the person.
   */
  personHouseholds(personId: string) {
    const ctx = this.#scope.context;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return undefined;
      const person = await trx
        .selectFrom("people")
        .select(["person_id", "kind", "given_names", "family_name", "date_of_birth"])
        .where(here)
        .where("person_id", "=", personId)
        .executeTakeFirstOrThrow();
      const memberships = await trx
        .selectFrom("household_members as m")
        .innerJoin("households as h", (j) =>
          j.onRef("h.partnership_id", "=", "m.partnership_id").onRef("h.household_id", "=", "m.household_id"),
        )
        .select([
          "m.membership_id",
          "m.household_id",
          "m.household_role",
          "m.valid_from",
          "m.valid_to",
          "h.address_line",
          "h.town",
          "h.postcode",
        ])
        .where(ref("m.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("m.person_id", "=", personId)
        .orderBy(sql`m.valid_to is null`, "desc")
        .orderBy("m.valid_from", "desc")
        .execute();
      const endings = await this.#membershipEndings(
        trx,
        memberships.map((m) => m.membership_id),
      );
      const relationships = await trx
        .selectFrom("relationships as r")
        .innerJoin("people as o", (j) =>
          j
            .onRef("o.partnership_id", "=", "r.partnership_id")
            .on(
              sql<boolean>`o.person_id = case when r.person_id = ${personId} then r.related_person_id else r.person_id end`,
            ),
        )
        .select([
          "r.relationship_id",
          "r.relationship_type",
          "r.parental_responsibility",
          "r.valid_from",
          "r.valid_to",
          sql<boolean>`r.person_id = ${personId}`.as("person_is_subject"),
          "o.person_id as other_id",
          "o.given_names as other_given_names",
          "o.family_name as other_family_name",
          "o.kind as other_kind",
          childVisibleTo(ctx, ref("o.person_id")).as("other_can_open"),
        ])
        .where(ref("r.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where((eb) => eb.or([eb("r.person_id", "=", personId), eb("r.related_person_id", "=", personId)]))
        .orderBy(sql`r.valid_to is null`, "desc")
        .execute();
      const relationshipEndings = relationships.length
        ? await trx
            .selectFrom("relationship_endings")
            .select(["relationship_id", "previous_valid_to", "valid_to", "reason", "recorded_at"])
            .where(here)
            .where(
              "relationship_id",
              "in",
              relationships.map((r) => r.relationship_id),
            )
            .orderBy("recorded_at")
            .execute()
        : [];
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "households" },
      });
      return {
        person,
        memberships: memberships.map((m) => ({
          ...m,
          endings: endings.filter((e) => e.membership_id === m.membership_id),
        })),
        // Someone the caller may not open is "another person": the link, never the name or details.
        relationships: relationships.map((r) => ({
          relationship_id: r.relationship_id,
          relationship_type: r.relationship_type,
          parental_responsibility: r.parental_responsibility,
          // Dates only with the other person's record open: a relationship often starts at their birth.
          valid_from: r.other_can_open ? r.valid_from : null,
          valid_to: r.other_can_open ? r.valid_to : null,
          person_is_subject: r.person_is_subject,
          other: r.other_can_open
            ? {
                person_id: r.other_id,
                name: `${r.other_given_names} ${r.other_family_name}`,
                kind: r.other_kind,
              }
            : null,
          endings: relationshipEndings.filter((e) => e.relationship_id === r.relationship_id),
        })),
        mayChange: mayRecord(ctx.role),
      };
    });
  }

  /**
   * A household: its address and every membership over time, with each ending's history. A member the
   * caller may open is shown with their details (and the view audited); any other member is "another
   * person" with only their role and dates. Undefined unless the caller may open at least one member.
   */
  household(householdId: string) {
    const ctx = this.#scope.context;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const household = await trx
        .selectFrom("households")
        .select(["household_id", "address_line", "town", "postcode", "ward"])
        .where(here)
        .where("household_id", "=", householdId)
        .executeTakeFirst();
      if (!household) return undefined;
      const rows = await trx
        .selectFrom("household_members as m")
        .innerJoin("people as p", (j) =>
          j.onRef("p.partnership_id", "=", "m.partnership_id").onRef("p.person_id", "=", "m.person_id"),
        )
        .select([
          "m.membership_id",
          "m.person_id",
          "m.household_role",
          "m.valid_from",
          "m.valid_to",
          "p.kind",
          "p.given_names",
          "p.family_name",
          "p.date_of_birth",
          childVisibleTo(ctx, ref("p.person_id")).as("can_open"),
        ])
        .where(ref("m.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("m.household_id", "=", householdId)
        .orderBy(sql`m.valid_to is null`, "desc")
        .orderBy("m.household_role")
        .orderBy("m.valid_from")
        .execute();
      if (!rows.some((r) => r.can_open)) return undefined;
      const endings = await this.#membershipEndings(
        trx,
        rows.filter((r) => r.can_open).map((r) => r.membership_id),
      );
      const members = rows.map((r) =>
        r.can_open
          ? {
              membership_id: r.membership_id,
              household_role: r.household_role,
              valid_from: r.valid_from,
              valid_to: r.valid_to,
              person: {
                person_id: r.person_id,
                kind: r.kind,
                name: `${r.given_names} ${r.family_name}`,
                date_of_birth: r.date_of_birth,
              },
              endings: endings.filter((e) => e.membership_id === r.membership_id),
            }
          : // Someone the caller may not open: that someone lived here in this place in the household,
            // nothing more (a child's date of moving in is often their date of birth).
            {
              membership_id: r.membership_id,
              household_role: r.household_role,
              valid_from: null,
              valid_to: null,
              person: null,
              endings: [],
            },
      );
      for (const id of new Set(rows.filter((r) => r.can_open).map((r) => r.person_id)))
        await this.#scope.audit(trx, {
          action: "view",
          recordType: "person",
          recordId: id,
          details: { page: "household", householdId },
        });
      return {
        household,
        members,
        // Adding someone links them with every current member, so it needs every current member open.
        mayAdd: mayRecord(ctx.role) && rows.every((r) => r.can_open || r.valid_to !== null),
        mayChangeMembers: mayRecord(ctx.role),
      };
    });
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
    const ctx = this.#scope.context;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot change households"));
    return this.#scope.run(async (trx) => {
      const household = await trx
        .selectFrom("households")
        .select("household_id")
        .where(here)
        .where("household_id", "=", householdId)
        .executeTakeFirst();
      if (!household) return deniedAccess(CANNOT_OPEN, "householdId");
      const housemates = await trx
        .selectFrom("household_members")
        .select("person_id")
        .where(here)
        .where("household_id", "=", householdId)
        .where(sql<boolean>`${adult.validFrom}::date <= coalesce(valid_to, 'infinity'::date)`)
        .execute();
      if (
        !(await this.#canOpenAll(
          trx,
          housemates.map((h) => h.person_id),
        ))
      )
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
      await trx
        .insertInto("person_names")
        .values({
          partnership_id: ctx.partnershipId,
          name_id: crypto.randomUUID(),
          person_id: personId,
          given_names: adult.givenNames,
          family_name: adult.familyName,
          name_use: "current",
        })
        .execute();
      await this.#scope.audit(trx, {
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
      if (!seesEveryChild(ctx.role)) {
        const involvementId = crypto.randomUUID();
        await trx
          .insertInto("involvements")
          .values({
            partnership_id: ctx.partnershipId,
            involvement_id: involvementId,
            person_id: personId,
            agency_id: ctx.agencyId,
            started_on: todayInEngland(),
            is_lead_agency: false,
            sharing_basis: adult.sharingBasis,
            consent: adult.consent,
            sharing_reasoning: null,
            created_by: ctx.userId,
          })
          .execute();
        await this.#scope.audit(trx, {
          action: "create",
          recordType: "involvement",
          recordId: involvementId,
          details: { person_id: personId, agency_id: ctx.agencyId, sharingBasis: adult.sharingBasis },
        });
      }
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
      await this.#scope.audit(trx, {
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
    const ctx = this.#scope.context;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot change households"));
    if (ending.reason.trim() === "")
      return Promise.resolve(refused("Enter why the membership ended", "reason"));
    return this.#scope.run(async (trx) => {
      const membership = await trx
        .selectFrom("household_members")
        .select(["person_id", "household_id", "valid_from", "valid_to"])
        .where(here)
        .where("membership_id", "=", membershipId)
        .executeTakeFirst();
      if (!membership || !(await this.#canOpen(trx, membership.person_id)))
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
        .where(here)
        .where("membership_id", "=", membershipId)
        .execute();
      await this.#scope.audit(trx, {
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
    const ctx = this.#scope.context;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot change relationships"));
    if (ending.reason.trim() === "")
      return Promise.resolve(refused("Enter why the relationship ended", "reason"));
    return this.#scope.run(async (trx) => {
      const relationship = await trx
        .selectFrom("relationships")
        .select(["person_id", "related_person_id", "valid_from", "valid_to"])
        .where(here)
        .where("relationship_id", "=", relationshipId)
        .executeTakeFirst();
      if (
        !relationship ||
        !(await this.#canOpenAll(trx, [relationship.person_id, relationship.related_person_id]))
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
        .where(here)
        .where("relationship_id", "=", relationshipId)
        .execute();
      await this.#scope.audit(trx, {
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
