// SPDX-License-Identifier: MIT
/**
 * Agency imports as the web app reaches them (`request.repo.imports`). Who may do what:
 * - running an import, and seeing an agency's imports and its review list: the staff of that agency (any
 *   role that records, and its administrators), and safeguarding leads, who oversee every agency's;
 * - on the review list, a candidate child's details (name, date of birth, identifiers) are shown only
 *   where the caller may open that child's record (the child-access predicate, in SQL); otherwise the row
 *   says a possible match exists that they cannot see, and confirming it is refused (and audited);
 * - a confirmed match becomes a chronology entry from the importing agency, recorded by the reviewer.
 * Every view of the review list and every decision is audited; refusals are audited as denials.
 *
 * The work is done by one repository per sub-area (running and following imports, and the review list).
 * This class is the one door to them, `request.repo.imports`, and only forwards.
 */

import type { MethodAccess, RepositoryScope } from "../data/repository-scope.ts";
import type { HearthDatabase } from "../db/database.ts";
import { ImportReviewsRepository } from "./import-reviews-repository.ts";
import { ImportRunsRepository } from "./import-runs-repository.ts";

export type { ReviewCandidate, ReviewRow } from "./import-reviews-repository.ts";
export {
  type AgencyMappings,
  type ImportListItem,
  MAX_UPLOAD_BYTES,
  type MappingVersion,
} from "./import-runs-repository.ts";

export class ImportsRepository {
  /** Every public method, classified by the sub-area that does the work. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof ImportsRepository, MethodAccess> = {
    ...ImportRunsRepository.methodAccess,
    ...ImportReviewsRepository.methodAccess,
  };

  readonly #runs: ImportRunsRepository;
  readonly #reviews: ImportReviewsRepository;

  /**
   * @param database - The open database (imports run in batches of their own transactions).
   * @param scope - The request's caller, transaction and audit writer.
   */
  constructor(database: HearthDatabase, scope: RepositoryScope) {
    this.#runs = new ImportRunsRepository(database, scope);
    this.#reviews = new ImportReviewsRepository(scope);
  }

  canRunImports(...args: Parameters<ImportRunsRepository["canRunImports"]>) {
    return this.#runs.canRunImports(...args);
  }

  listImports(...args: Parameters<ImportRunsRepository["listImports"]>) {
    return this.#runs.listImports(...args);
  }

  listMappings(...args: Parameters<ImportRunsRepository["listMappings"]>) {
    return this.#runs.listMappings(...args);
  }

  startImport(...args: Parameters<ImportRunsRepository["startImport"]>) {
    return this.#runs.startImport(...args);
  }

  continueImport(...args: Parameters<ImportRunsRepository["continueImport"]>) {
    return this.#runs.continueImport(...args);
  }

  importStatus(...args: Parameters<ImportRunsRepository["importStatus"]>) {
    return this.#runs.importStatus(...args);
  }

  rejects(...args: Parameters<ImportRunsRepository["rejects"]>) {
    return this.#runs.rejects(...args);
  }

  reviewList(...args: Parameters<ImportReviewsRepository["reviewList"]>) {
    return this.#reviews.reviewList(...args);
  }

  decide(...args: Parameters<ImportReviewsRepository["decide"]>) {
    return this.#reviews.decide(...args);
  }
}
