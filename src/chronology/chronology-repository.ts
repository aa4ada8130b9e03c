// SPDX-License-Identifier: MIT
/**
 * The chronology: a child's and a family's dated, sourced events, with every access predicate in SQL (see
 * ../data/child-access.ts) and every view and change audited in the same transaction.
 *
 * Events are never edited in place. An amendment is a new row that supersedes the current version (with
 * a reason); a retraction is a row of its own. Everyone sees the current version of entries that are not
 * retracted; auditors and safeguarding leads can open an entry's whole history.
 *
 * The work is done by one repository per sub-area (the chronology read models, and entries one at a
 * time). This class is the one door to them, `request.repo.chronology`, and only forwards, so routes and
 * other areas need not know how the area is divided.
 */
import type { MethodAccess, RepositoryScope } from "../data/repository-scope.ts";
import { ChronologyEntriesRepository } from "./chronology-entries-repository.ts";
import { ChronologyReadsRepository } from "./chronology-reads-repository.ts";

export type {
  Chronology,
  ChronologyFilters,
  ChronologyPage,
  ChronologyPurpose,
  ChronologyRow,
  EventHistory,
  EventInput,
  FamilyMember,
} from "./chronology-types.ts";
export { SOCIAL_CARE_TYPE } from "./chronology-types.ts";
export { validateEventInput } from "./event-input.ts";

export class ChronologyRepository {
  /** Every public method, classified by the sub-area that does the work. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof ChronologyRepository, MethodAccess> = {
    ...ChronologyReadsRepository.methodAccess,
    ...ChronologyEntriesRepository.methodAccess,
  };

  readonly #reads: ChronologyReadsRepository;
  readonly #entries: ChronologyEntriesRepository;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#reads = new ChronologyReadsRepository(scope);
    this.#entries = new ChronologyEntriesRepository(scope);
  }

  childChronology(...args: Parameters<ChronologyReadsRepository["childChronology"]>) {
    return this.#reads.childChronology(...args);
  }

  familyChronology(...args: Parameters<ChronologyReadsRepository["familyChronology"]>) {
    return this.#reads.familyChronology(...args);
  }

  personForChronology(...args: Parameters<ChronologyReadsRepository["personForChronology"]>) {
    return this.#reads.personForChronology(...args);
  }

  getEvent(...args: Parameters<ChronologyEntriesRepository["getEvent"]>) {
    return this.#entries.getEvent(...args);
  }

  getEventHistory(...args: Parameters<ChronologyEntriesRepository["getEventHistory"]>) {
    return this.#entries.getEventHistory(...args);
  }

  addEvent(...args: Parameters<ChronologyEntriesRepository["addEvent"]>) {
    return this.#entries.addEvent(...args);
  }

  amendEvent(...args: Parameters<ChronologyEntriesRepository["amendEvent"]>) {
    return this.#entries.amendEvent(...args);
  }

  retractEvent(...args: Parameters<ChronologyEntriesRepository["retractEvent"]>) {
    return this.#entries.retractEvent(...args);
  }
}
