// SPDX-License-Identifier: MIT
/**
 * Households over time and relationships: who lived where and when (including the other adults in a
 * child's household), how people are related, and the ending of either with a date and a reason. The
 * security rules are those of the people area: a link needs every record it joins open to the caller;
 * a household shows a member's details only where the caller may open that member (others are "another
 * person"), and each member shown is audited as a view. An ending never overwrites: the end it replaced
 * is kept in its endings table.
 *
 * The work is done by one repository per sub-area (reading households and relationships, and changing
 * them). This class is the one door to them, `request.repo.households`, and only forwards.
 */
import type { MethodAccess, RepositoryScope } from "../../data/repository-scope.ts";
import { HouseholdChangesRepository } from "./household-changes-repository.ts";
import { HouseholdReadsRepository } from "./household-reads-repository.ts";

export type { Ending, NewAdult } from "./household-records.ts";

export class HouseholdsRepository {
  /** Every public method, classified by the sub-area that does the work. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof HouseholdsRepository, MethodAccess> = {
    ...HouseholdReadsRepository.methodAccess,
    ...HouseholdChangesRepository.methodAccess,
  };

  readonly #reads: HouseholdReadsRepository;
  readonly #changes: HouseholdChangesRepository;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#reads = new HouseholdReadsRepository(scope);
    this.#changes = new HouseholdChangesRepository(scope);
  }

  personHouseholds(...args: Parameters<HouseholdReadsRepository["personHouseholds"]>) {
    return this.#reads.personHouseholds(...args);
  }

  household(...args: Parameters<HouseholdReadsRepository["household"]>) {
    return this.#reads.household(...args);
  }

  addMember(...args: Parameters<HouseholdChangesRepository["addMember"]>) {
    return this.#changes.addMember(...args);
  }

  addNewAdult(...args: Parameters<HouseholdChangesRepository["addNewAdult"]>) {
    return this.#changes.addNewAdult(...args);
  }

  startHousehold(...args: Parameters<HouseholdChangesRepository["startHousehold"]>) {
    return this.#changes.startHousehold(...args);
  }

  endMembership(...args: Parameters<HouseholdChangesRepository["endMembership"]>) {
    return this.#changes.endMembership(...args);
  }

  addRelationship(...args: Parameters<HouseholdChangesRepository["addRelationship"]>) {
    return this.#changes.addRelationship(...args);
  }

  endRelationship(...args: Parameters<HouseholdChangesRepository["endRelationship"]>) {
    return this.#changes.endRelationship(...args);
  }
}
