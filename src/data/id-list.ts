// SPDX-License-Identifier: MIT
/**
 * A list of record ids as one query parameter. `where(column, "in", ids)` sends one parameter per id: a
 * manager's or safeguarding lead's thousands of children went to the database nine times over as
 * thousands of parameters each, and building, sending and planning those lists was most of the alerts
 * page's time. One uuid[] parameter is one value to send and one to plan.
 */
import { type RawBuilder, sql } from "kysely";

/**
 * @param column - A uuid column, as written in the query ("person_id", "e.person_id").
 * @param ids - The ids it may take; none matches nothing.
 * @returns `column = any($1::uuid[])`.
 */
export const idIn = (column: string, ids: readonly string[]): RawBuilder<boolean> =>
  sql<boolean>`${sql.ref(column)} = any(${[...ids]}::uuid[])`;
