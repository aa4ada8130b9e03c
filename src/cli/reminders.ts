// SPDX-License-Identifier: MIT
/**
 * `hearth reminders`: makes the "plan review due" reminders for every worker in every partnership (the
 * home page makes each worker's own as they open it). Safe to run as often as wanted, e.g. daily from
 * cron: each reminder is made once per plan and due date.
 */
import { withPartnershipScope } from "../db/database.ts";
import { remindPlanReviewsIn } from "../home/worklist-repository.ts";
import { withDatabase } from "./open.ts";

export const remindersCommand = async () => {
  const made = await withDatabase(async (database) => {
    const partnerships = await database.unsafeOwnerDb
      .selectFrom("partnerships")
      .select("partnership_id")
      .execute();
    let total = 0;
    for (const { partnership_id } of partnerships)
      total += await withPartnershipScope(database, partnership_id, (trx) =>
        remindPlanReviewsIn(trx, partnership_id, null),
      );
    return total;
  });
  console.log(`Plan review reminders made: ${made}.`);
};
