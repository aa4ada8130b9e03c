// SPDX-License-Identifier: MIT
/**
 * The partnership filter, in one spelling. Every transaction a repository opens names its partnership
 * (`hearth_current_partnership()`, set by the repository scope); row-level security reads the same
 * setting, so a query that filters by it and the policy underneath agree, and a missing setting matches
 * no row.
 */
import { type JoinBuilder, type RawBuilder, type StringReference, sql } from "kysely";

/** The partnership this transaction serves: compare a partnership id column with it. */
export const currentPartnership: RawBuilder<string> = sql<string>`hearth_current_partnership()`;

/**
 * The condition "this row is the current partnership's".
 * @param column - The partnership id column, qualified where a query joins tables.
 */
export const inCurrentPartnership = (column = "partnership_id"): RawBuilder<boolean> =>
  sql<boolean>`${sql.ref(column)} = hearth_current_partnership()`;

/** The partnership id column of a qualified column's table: `c.person_id` gives `c.partnership_id`. */
const partnershipColumnOf = (column: string): string =>
  `${column.slice(0, column.lastIndexOf("."))}.partnership_id`;

/**
 * A join on a key, in one spelling: the two tables' partnership ids are equal, then the key columns are.
 * Every table carries its partnership id and every key includes it (the distribution column, so a join
 * stays on one node), so the partnership columns follow from the key columns' tables.
 * `innerJoin("people as c", (j) => onKey(j, "c.person_id", "a.person_id"))`.
 * @param left - A qualified key column of one table (checked by Kysely's types, as `onRef` checks it).
 * @param right - The column of the other table it equals.
 */
export const onKey = <DB, TB extends keyof DB>(
  join: JoinBuilder<DB, TB>,
  left: StringReference<DB, TB>,
  right: StringReference<DB, TB>,
): JoinBuilder<DB, TB> =>
  join
    .onRef(
      partnershipColumnOf(left) as StringReference<DB, TB>,
      "=",
      partnershipColumnOf(right) as StringReference<DB, TB>,
    )
    .onRef(left, "=", right);
