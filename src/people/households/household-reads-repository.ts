// SPDX-License-Identifier: MIT
/**
 * Reading households over time and relationships: a person's households and relationships, and one
 * household with every membership. The people area's rules apply: a member's or relative's details only
 * where the caller may open them (others are "another person"), and each person shown is audited as a
 * view in the same transaction.
 */
import { sql } from "kysely";
import { AreaRepository } from "../../data/area-repository.ts";
import { childVisibleTo, mayRecord } from "../../data/child-access.ts";
import type { MethodAccess, Trx } from "../../data/repository-scope.ts";
import { currentPartnership, inCurrentPartnership, onKey } from "../../kernel/sql.ts";
import { ref } from "./household-records.ts";

/** A person's households and relationships, and a household's members. */
export class HouseholdReadsRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof HouseholdReadsRepository, MethodAccess> = {
    personHouseholds: "guarded",
    household: "guarded",
  };

  #membershipEndings(trx: Trx, membershipIds: string[]) {
    if (membershipIds.length === 0) return Promise.resolve([]);
    return trx
      .selectFrom("household_membership_endings as e")
      .innerJoin("users as u", (j) => onKey(j, "u.user_id", "e.recorded_by"))
      .select([
        "e.membership_id",
        "e.previous_valid_to",
        "e.valid_to",
        "e.reason",
        "e.recorded_at",
        "u.display_name as recorded_by_name",
      ])
      .where(ref("e.partnership_id"), "=", currentPartnership)
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
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      if (!(await this.scope.canOpenRecord(trx, personId))) return undefined;
      const person = await trx
        .selectFrom("people")
        .select(["person_id", "kind", "given_names", "family_name", "date_of_birth"])
        .where(inCurrentPartnership())
        .where("person_id", "=", personId)
        .executeTakeFirstOrThrow();
      const memberships = await trx
        .selectFrom("household_members as m")
        .innerJoin("households as h", (j) => onKey(j, "h.household_id", "m.household_id"))
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
        .where(ref("m.partnership_id"), "=", currentPartnership)
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
        .where(ref("r.partnership_id"), "=", currentPartnership)
        .where((eb) => eb.or([eb("r.person_id", "=", personId), eb("r.related_person_id", "=", personId)]))
        .orderBy(sql`r.valid_to is null`, "desc")
        .execute();
      const relationshipEndings = relationships.length
        ? await trx
            .selectFrom("relationship_endings")
            .select(["relationship_id", "previous_valid_to", "valid_to", "reason", "recorded_at"])
            .where(inCurrentPartnership())
            .where(
              "relationship_id",
              "in",
              relationships.map((r) => r.relationship_id),
            )
            .orderBy("recorded_at")
            .execute()
        : [];
      await this.scope.audit(trx, {
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
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const household = await trx
        .selectFrom("households")
        .select(["household_id", "address_line", "town", "postcode", "ward"])
        .where(inCurrentPartnership())
        .where("household_id", "=", householdId)
        .executeTakeFirst();
      if (!household) return undefined;
      const rows = await trx
        .selectFrom("household_members as m")
        .innerJoin("people as p", (j) => onKey(j, "p.person_id", "m.person_id"))
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
        .where(ref("m.partnership_id"), "=", currentPartnership)
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
        await this.scope.audit(trx, {
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
}
