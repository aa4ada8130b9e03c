// SPDX-License-Identifier: MIT
/**
 * Multi-agency case audits. A safeguarding lead plans a round: a theme, an audit form (versioned YAML), a
 * sample of children drawn from Hearth's records by a rule (at random with a seed shown, or the most
 * recent), the agencies taking part each with its auditor, and the round's dates. The round is what opens
 * a sampled child's record to its auditors, and only from its start to its end (see child-access.ts);
 * every opening of the record is audited by the people and chronology repositories as any read is. Each
 * auditor returns the form for each child; a new return is a new version. The lead moderates: an agreed
 * grade, learning points and actions with owners and due dates; an action is done when its completion is
 * recorded. Everything is append-only and audited in the same transaction as the change.
 *
 * The work is done by one repository per sub-area (rounds, returns and moderation, actions, results).
 * This class is the one door to them, `request.repo.audits`, and only forwards.
 */
import type { MethodAccess, RepositoryScope } from "../../data/repository-scope.ts";
import { AuditActionsRepository } from "./audit-actions-repository.ts";
import { AuditResultsRepository } from "./audit-results-repository.ts";
import { AuditReturnsRepository } from "./audit-returns-repository.ts";
import { AuditRoundsRepository } from "./audit-rounds-repository.ts";

export class AuditsRepository {
  /** Every public method, classified by the sub-area that does the work. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof AuditsRepository, MethodAccess> = {
    ...AuditRoundsRepository.methodAccess,
    ...AuditReturnsRepository.methodAccess,
    ...AuditActionsRepository.methodAccess,
    ...AuditResultsRepository.methodAccess,
  };

  readonly #rounds: AuditRoundsRepository;
  readonly #returns: AuditReturnsRepository;
  readonly #actions: AuditActionsRepository;
  readonly #results: AuditResultsRepository;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#rounds = new AuditRoundsRepository(scope);
    this.#returns = new AuditReturnsRepository(scope);
    this.#actions = new AuditActionsRepository(scope);
    this.#results = new AuditResultsRepository(scope);
  }

  forms(...args: Parameters<AuditRoundsRepository["forms"]>) {
    return this.#rounds.forms(...args);
  }

  planningOptions(...args: Parameters<AuditRoundsRepository["planningOptions"]>) {
    return this.#rounds.planningOptions(...args);
  }

  planRound(...args: Parameters<AuditRoundsRepository["planRound"]>) {
    return this.#rounds.planRound(...args);
  }

  listRounds(...args: Parameters<AuditRoundsRepository["listRounds"]>) {
    return this.#rounds.listRounds(...args);
  }

  getRound(...args: Parameters<AuditRoundsRepository["getRound"]>) {
    return this.#rounds.getRound(...args);
  }

  returnForm(...args: Parameters<AuditReturnsRepository["returnForm"]>) {
    return this.#returns.returnForm(...args);
  }

  submitReturn(...args: Parameters<AuditReturnsRepository["submitReturn"]>) {
    return this.#returns.submitReturn(...args);
  }

  moderate(...args: Parameters<AuditReturnsRepository["moderate"]>) {
    return this.#returns.moderate(...args);
  }

  addAction(...args: Parameters<AuditActionsRepository["addAction"]>) {
    return this.#actions.addAction(...args);
  }

  completeAction(...args: Parameters<AuditActionsRepository["completeAction"]>) {
    return this.#actions.completeAction(...args);
  }

  myActions(...args: Parameters<AuditActionsRepository["myActions"]>) {
    return this.#actions.myActions(...args);
  }

  results(...args: Parameters<AuditResultsRepository["results"]>) {
    return this.#results.results(...args);
  }
}
