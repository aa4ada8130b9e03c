// SPDX-License-Identifier: MIT
/**
 * The base of a sub-area repository: one part of a large area (assessments, case audits) that the area's
 * own repository composes and forwards to, so `request.repo.<area>` stays one door while no file grows
 * too large. It holds the request's scope and the caller in it, as every area repository does.
 */
import type { AccessContext } from "./access-context.ts";
import type { RepositoryScope } from "./repository-scope.ts";

export abstract class AreaRepository {
  protected readonly scope: RepositoryScope;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.scope = scope;
  }

  /** The caller; undefined means nobody, who sees nothing. */
  protected get ctx(): AccessContext | undefined {
    return this.scope.context;
  }
}
