// SPDX-License-Identifier: MIT
/**
 * Signals as people meet them: on the lead professional's worklist (or, where a child has no lead
 * professional, the safeguarding lead's of an agency involved), on the signal's page with exactly the
 * entries that fired it that the viewer may see, with the decision a person records (which is written to
 * the child's chronology), on "what is already known" as patterns, and as each rule's measured precision.
 * Every access predicate is in SQL; every view and decision is audited in the same transaction.
 *
 * The work is done by one repository per sub-area (the worklist, one signal's page, patterns and
 * precision). This class is the one door to them, `request.repo.signals`, and only forwards, so routes
 * and other areas need not know how the area is divided.
 */
import type { MethodAccess, RepositoryScope } from "../data/repository-scope.ts";
import { SignalPageRepository } from "./signal-page-repository.ts";
import { SignalPatternsRepository } from "./signal-patterns-repository.ts";
import { SignalWorklistRepository } from "./signal-worklist-repository.ts";

export { ageBandAt, SUPPRESS_UNDER } from "./signal-patterns-repository.ts";
export type {
  FamilyPatterns,
  PatternRow,
  PrecisionCell,
  RulePrecision,
  SignalEntryView,
  SignalOutcome,
  SignalView,
  WorklistSignal,
} from "./signal-types.ts";

export class SignalsRepository {
  /** Every public method, classified by the sub-area that does the work. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof SignalsRepository, MethodAccess> = {
    ...SignalWorklistRepository.methodAccess,
    ...SignalPageRepository.methodAccess,
    ...SignalPatternsRepository.methodAccess,
  };

  readonly #worklist: SignalWorklistRepository;
  readonly #page: SignalPageRepository;
  readonly #patterns: SignalPatternsRepository;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#worklist = new SignalWorklistRepository(scope);
    this.#page = new SignalPageRepository(scope);
    this.#patterns = new SignalPatternsRepository(scope);
  }

  evaluateFamily(...args: Parameters<SignalWorklistRepository["evaluateFamily"]>) {
    return this.#worklist.evaluateFamily(...args);
  }

  worklist(...args: Parameters<SignalWorklistRepository["worklist"]>) {
    return this.#worklist.worklist(...args);
  }

  getSignal(...args: Parameters<SignalPageRepository["getSignal"]>) {
    return this.#page.getSignal(...args);
  }

  decide(...args: Parameters<SignalPageRepository["decide"]>) {
    return this.#page.decide(...args);
  }

  familyPatterns(...args: Parameters<SignalPatternsRepository["familyPatterns"]>) {
    return this.#patterns.familyPatterns(...args);
  }

  precision(...args: Parameters<SignalPatternsRepository["precision"]>) {
    return this.#patterns.precision(...args);
  }
}
