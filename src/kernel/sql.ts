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

/**
 * SQL: the person and every record merged into them (`hearth_person_cluster`), as a subquery for `in`.
 * @param person - A person id, or an SQL expression that gives one.
 */
export const personCluster = (person: string | RawBuilder<unknown>): RawBuilder<unknown> =>
  sql`(select person_id from hearth_person_cluster(${typeof person === "string" ? sql`${person}::uuid` : person}))`;

/** The condition "this row's person is the person, or a record merged into them". */
export const inPersonCluster = (column: string, personId: string): RawBuilder<boolean> =>
  sql<boolean>`${sql.ref(column)} in ${personCluster(personId)}`;

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
