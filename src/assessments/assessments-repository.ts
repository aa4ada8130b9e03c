// SPDX-License-Identifier: MIT
/**
 * Neglect assessments: tool definitions as versioned data, assessments pinned to a version, answers,
 * family and child's views, sign-off, and change over time. Access follows the child-record rules.
 */
import type { MethodAccess, RepositoryScope } from "../data/repository-scope.ts";

export class AssessmentsRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<Exclude<keyof AssessmentsRepository, never>, MethodAccess> = {};

  readonly #scope: RepositoryScope;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }
}
