// SPDX-License-Identifier: MIT
/**
 * The partnership, its agencies, teams and user accounts: the directory every role reads, and the
 * administrators' changes to it (agencies, teams, invitations, roles, deactivation, second-factor
 * resets), each audited in the same transaction.
 *
 * The work is done by one repository per sub-area (the directory of agencies and teams, and user
 * accounts). This class is the one door to them, `request.repo.organisation`, and only forwards.
 */
import type { AccessContext } from "../data/access-context.ts";
import type { MethodAccess, RepositoryScope } from "../data/repository-scope.ts";
import { OrganisationDirectoryRepository } from "./organisation-directory-repository.ts";
import { UserAccountsRepository } from "./user-accounts-repository.ts";

export { USERS_PAGE_SIZE } from "./user-accounts-repository.ts";

export class OrganisationRepository {
  /** Every public method, classified by the sub-area that does the work. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<Exclude<keyof OrganisationRepository, "context">, MethodAccess> = {
    ...OrganisationDirectoryRepository.methodAccess,
    ...UserAccountsRepository.methodAccess,
  };

  readonly #scope: RepositoryScope;
  readonly #directory: OrganisationDirectoryRepository;
  readonly #users: UserAccountsRepository;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#scope = scope;
    this.#directory = new OrganisationDirectoryRepository(scope);
    this.#users = new UserAccountsRepository(scope);
  }

  get context(): AccessContext | undefined {
    return this.#scope.context;
  }

  getPartnership(...args: Parameters<OrganisationDirectoryRepository["getPartnership"]>) {
    return this.#directory.getPartnership(...args);
  }

  listAgencies(...args: Parameters<OrganisationDirectoryRepository["listAgencies"]>) {
    return this.#directory.listAgencies(...args);
  }

  createAgency(...args: Parameters<OrganisationDirectoryRepository["createAgency"]>) {
    return this.#directory.createAgency(...args);
  }

  listTeams(...args: Parameters<OrganisationDirectoryRepository["listTeams"]>) {
    return this.#directory.listTeams(...args);
  }

  createTeam(...args: Parameters<OrganisationDirectoryRepository["createTeam"]>) {
    return this.#directory.createTeam(...args);
  }

  listUsers(...args: Parameters<UserAccountsRepository["listUsers"]>) {
    return this.#users.listUsers(...args);
  }

  listUsersPage(...args: Parameters<UserAccountsRepository["listUsersPage"]>) {
    return this.#users.listUsersPage(...args);
  }

  getUser(...args: Parameters<UserAccountsRepository["getUser"]>) {
    return this.#users.getUser(...args);
  }

  inviteUser(...args: Parameters<UserAccountsRepository["inviteUser"]>) {
    return this.#users.inviteUser(...args);
  }

  changeUserRole(...args: Parameters<UserAccountsRepository["changeUserRole"]>) {
    return this.#users.changeUserRole(...args);
  }

  deactivateUser(...args: Parameters<UserAccountsRepository["deactivateUser"]>) {
    return this.#users.deactivateUser(...args);
  }

  resetSecondFactor(...args: Parameters<UserAccountsRepository["resetSecondFactor"]>) {
    return this.#users.resetSecondFactor(...args);
  }

  countUsersByRole(...args: Parameters<UserAccountsRepository["countUsersByRole"]>) {
    return this.#users.countUsersByRole(...args);
  }
}
