// SPDX-License-Identifier: MIT
/**
 * The partnership filter, in one spelling. Every transaction a repository opens names its partnership
 * (`hearth_current_partnership()`, set by the repository scope); row-level security reads the same
 * setting, so a query that filters by it and the policy underneath agree, and a missing setting matches
 * no row.
 */
import { type RawBuilder, sql } from "kysely";

/** The partnership this transaction serves: compare a partnership id column with it. */
export const currentPartnership: RawBuilder<string> = sql<string>`hearth_current_partnership()`;

/**
 * The condition "this row is the current partnership's".
 * @param column - The partnership id column, qualified where a query joins tables.
 */
export const inCurrentPartnership = (column = "partnership_id"): RawBuilder<boolean> =>
  sql<boolean>`${sql.ref(column)} = hearth_current_partnership()`;
