// SPDX-License-Identifier: MIT
/**
 * Plans with content (child protection, child in need, team around the family), the narrative of
 * assessments, strategy discussions and conferences, and a second person's authorisation. Reading follows
 * the child-record rule (../../data/child-access.ts) in SQL, and every read of a plan or record page is
 * audited as a view of the child's record; writing social care plans and records is for children's social
 * care (its workers, the front door, safeguarding leads), writing a team-around-the-family plan for the
 * early help lead's agency and the team's agencies. Nothing is edited in place: a change is a new version
 * (the database refuses UPDATE and DELETE), and the author of a version can never authorise it (refused
 * here, and by a CHECK in the database).
 *
 * The work is done by one repository per sub-area (a child's plans, reviews, casework records,
 * authorisation). This class is the one door to them, `request.repo.plans`, and only forwards, so routes
 * and other areas need not know how the area is divided.
 */
import type { MethodAccess, RepositoryScope } from "../../data/repository-scope.ts";
import { AuthorisationsRepository } from "./authorisations-repository.ts";
import { CaseworkRecordsRepository } from "./casework-records-repository.ts";
import { ChildPlansRepository } from "./child-plans-repository.ts";
import { PlanReviewsRepository } from "./plan-reviews-repository.ts";

export type { AwaitingAuthorisation } from "./authorisations-repository.ts";
export type { NewCaseworkRecord } from "./casework-records-repository.ts";
export type { NewPlan } from "./child-plans-repository.ts";
export type { NewReview } from "./plan-reviews-repository.ts";

export class PlansRepository {
  /** Every public method, classified by the sub-area that does the work. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof PlansRepository, MethodAccess> = {
    ...ChildPlansRepository.methodAccess,
    ...PlanReviewsRepository.methodAccess,
    ...CaseworkRecordsRepository.methodAccess,
    ...AuthorisationsRepository.methodAccess,
  };

  readonly #plans: ChildPlansRepository;
  readonly #reviews: PlanReviewsRepository;
  readonly #records: CaseworkRecordsRepository;
  readonly #authorisations: AuthorisationsRepository;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#plans = new ChildPlansRepository(scope);
    this.#reviews = new PlanReviewsRepository(scope);
    this.#records = new CaseworkRecordsRepository(scope);
    this.#authorisations = new AuthorisationsRepository(scope);
  }

  summaryFor(...args: Parameters<ChildPlansRepository["summaryFor"]>) {
    return this.#plans.summaryFor(...args);
  }

  getPlan(...args: Parameters<ChildPlansRepository["getPlan"]>) {
    return this.#plans.getPlan(...args);
  }

  planFormContext(...args: Parameters<ChildPlansRepository["planFormContext"]>) {
    return this.#plans.planFormContext(...args);
  }

  createPlan(...args: Parameters<ChildPlansRepository["createPlan"]>) {
    return this.#plans.createPlan(...args);
  }

  revisePlan(...args: Parameters<ChildPlansRepository["revisePlan"]>) {
    return this.#plans.revisePlan(...args);
  }

  recordReview(...args: Parameters<PlanReviewsRepository["recordReview"]>) {
    return this.#reviews.recordReview(...args);
  }

  episodeCasework(...args: Parameters<CaseworkRecordsRepository["episodeCasework"]>) {
    return this.#records.episodeCasework(...args);
  }

  getRecord(...args: Parameters<CaseworkRecordsRepository["getRecord"]>) {
    return this.#records.getRecord(...args);
  }

  recordFormContext(...args: Parameters<CaseworkRecordsRepository["recordFormContext"]>) {
    return this.#records.recordFormContext(...args);
  }

  createRecord(...args: Parameters<CaseworkRecordsRepository["createRecord"]>) {
    return this.#records.createRecord(...args);
  }

  reviseRecord(...args: Parameters<CaseworkRecordsRepository["reviseRecord"]>) {
    return this.#records.reviseRecord(...args);
  }

  listManagers(...args: Parameters<AuthorisationsRepository["listManagers"]>) {
    return this.#authorisations.listManagers(...args);
  }

  submitForAuthorisation(...args: Parameters<AuthorisationsRepository["submitForAuthorisation"]>) {
    return this.#authorisations.submitForAuthorisation(...args);
  }

  getAuthorisation(...args: Parameters<AuthorisationsRepository["getAuthorisation"]>) {
    return this.#authorisations.getAuthorisation(...args);
  }

  decideAuthorisation(...args: Parameters<AuthorisationsRepository["decideAuthorisation"]>) {
    return this.#authorisations.decideAuthorisation(...args);
  }

  listAwaitingMyAuthorisation(...args: Parameters<AuthorisationsRepository["listAwaitingMyAuthorisation"]>) {
    return this.#authorisations.listAwaitingMyAuthorisation(...args);
  }
}
