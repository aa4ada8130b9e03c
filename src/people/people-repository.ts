// SPDX-License-Identifier: MIT
/**
 * People, families and households, agencies' involvements, break glass and merges. Every query adds the
 * child-access predicate in SQL (../data/child-access.ts); views and changes are audited in the same
 * transaction, and nothing is deleted: a merge is a row that can be reversed, an ended involvement keeps
 * its dates.
 *
 * The work is done by one repository per sub-area (finding and adding people, a child's record,
 * involvements, links between records). This class is the one door to them, `request.repo.people`, and
 * only forwards, so routes and other areas need not know how the area is divided.
 */
import type { MethodAccess, RepositoryScope } from "../data/repository-scope.ts";
import { ChildRecordRepository } from "./child-record-repository.ts";
import { FamilyLinksRepository } from "./family-links-repository.ts";
import { InvolvementsRepository } from "./involvements-repository.ts";
import { PersonSearchRepository } from "./person-search-repository.ts";

export type { NewInvolvement, NewPerson, PersonSearch, PersonSummary } from "./people-types.ts";

export class PeopleRepository {
  /** Every public method, classified by the sub-area that does the work. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof PeopleRepository, MethodAccess> = {
    ...PersonSearchRepository.methodAccess,
    ...ChildRecordRepository.methodAccess,
    ...InvolvementsRepository.methodAccess,
    ...FamilyLinksRepository.methodAccess,
  };

  readonly #search: PersonSearchRepository;
  readonly #records: ChildRecordRepository;
  readonly #involvements: InvolvementsRepository;
  readonly #links: FamilyLinksRepository;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#search = new PersonSearchRepository(scope);
    this.#records = new ChildRecordRepository(scope);
    this.#involvements = new InvolvementsRepository(scope);
    this.#links = new FamilyLinksRepository(scope);
  }

  searchPeople(...args: Parameters<PersonSearchRepository["searchPeople"]>) {
    return this.#search.searchPeople(...args);
  }

  findLikelyDuplicates(...args: Parameters<PersonSearchRepository["findLikelyDuplicates"]>) {
    return this.#search.findLikelyDuplicates(...args);
  }

  createPerson(...args: Parameters<PersonSearchRepository["createPerson"]>) {
    return this.#search.createPerson(...args);
  }

  getChildRecord(...args: Parameters<ChildRecordRepository["getChildRecord"]>) {
    return this.#records.getChildRecord(...args);
  }

  openRecordPage(...args: Parameters<ChildRecordRepository["openRecordPage"]>) {
    return this.#records.openRecordPage(...args);
  }

  knownTo(...args: Parameters<ChildRecordRepository["knownTo"]>) {
    return this.#records.knownTo(...args);
  }

  historySummary(...args: Parameters<ChildRecordRepository["historySummary"]>) {
    return this.#records.historySummary(...args);
  }

  acknowledgeHistory(...args: Parameters<ChildRecordRepository["acknowledgeHistory"]>) {
    return this.#records.acknowledgeHistory(...args);
  }

  addInvolvement(...args: Parameters<InvolvementsRepository["addInvolvement"]>) {
    return this.#involvements.addInvolvement(...args);
  }

  endInvolvement(...args: Parameters<InvolvementsRepository["endInvolvement"]>) {
    return this.#involvements.endInvolvement(...args);
  }

  requestInvolvement(...args: Parameters<InvolvementsRepository["requestInvolvement"]>) {
    return this.#involvements.requestInvolvement(...args);
  }

  listInvolvementRequestsForMe(...args: Parameters<InvolvementsRepository["listInvolvementRequestsForMe"]>) {
    return this.#involvements.listInvolvementRequestsForMe(...args);
  }

  decideInvolvementRequest(...args: Parameters<InvolvementsRepository["decideInvolvementRequest"]>) {
    return this.#involvements.decideInvolvementRequest(...args);
  }

  breakGlass(...args: Parameters<InvolvementsRepository["breakGlass"]>) {
    return this.#involvements.breakGlass(...args);
  }

  listMyNotifications(...args: Parameters<InvolvementsRepository["listMyNotifications"]>) {
    return this.#involvements.listMyNotifications(...args);
  }

  listAgencyUsers(...args: Parameters<InvolvementsRepository["listAgencyUsers"]>) {
    return this.#involvements.listAgencyUsers(...args);
  }

  mergePeople(...args: Parameters<FamilyLinksRepository["mergePeople"]>) {
    return this.#links.mergePeople(...args);
  }

  undoMerge(...args: Parameters<FamilyLinksRepository["undoMerge"]>) {
    return this.#links.undoMerge(...args);
  }

  addHouseholdMember(...args: Parameters<FamilyLinksRepository["addHouseholdMember"]>) {
    return this.#links.addHouseholdMember(...args);
  }

  addRelationship(...args: Parameters<FamilyLinksRepository["addRelationship"]>) {
    return this.#links.addRelationship(...args);
  }
}
