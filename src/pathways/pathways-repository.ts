// SPDX-License-Identifier: MIT
/**
 * Responding to need: levels of need, front-door requests for support, early help, children's social
 * care episodes as CIN census coded events, drift alerts, supervision and escalation. Access follows the
 * child-record rules; every change is audited.
 */
import type { MethodAccess, RepositoryScope } from "../data/repository-scope.ts";

export class PathwaysRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<Exclude<keyof PathwaysRepository, never>, MethodAccess> = {};

  readonly #scope: RepositoryScope;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }
}
