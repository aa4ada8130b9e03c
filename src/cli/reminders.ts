// SPDX-License-Identifier: MIT
/**
 * `hearth reminders`: makes the "plan review due" reminders for every worker in every partnership (the
 * only place they are made: run it daily; the home page shows what is due from the records themselves),
 * and tells each partnership's safeguarding leads when this month's retention review list has records on
 * it. Safe to run as often as wanted: each reminder is made once per plan and due date, and the retention
 * notice once per month.
 */
import { type HearthDatabase, withPartnershipScope } from "../db/database.ts";
import { remindPlanReviewsIn } from "../home/worklist-repository.ts";
import { remindRetentionReviewIn } from "../retention/retention-repository.ts";
import { withDatabase } from "./open.ts";

/** Makes every partnership's reminders and notices that are due and not yet made. */
export const makeReminders = async (database: HearthDatabase) => {
  const partnerships = await database.unsafeOwnerDb
    .selectFrom("partnerships")
    .select("partnership_id")
    .execute();
  let plans = 0;
  let retention = 0;
  for (const { partnership_id } of partnerships) {
    plans += await withPartnershipScope(database, partnership_id, (trx) =>
      remindPlanReviewsIn(trx, partnership_id),
    );
    retention += await withPartnershipScope(database, partnership_id, (trx) =>
      remindRetentionReviewIn(trx, partnership_id),
    );
  }
  return { plans, retention };
};

export const printReminders = (made: { plans: number; retention: number }) => {
  console.log(`Plan review reminders made: ${made.plans}.`);
  console.log(`Retention review list notices made: ${made.retention}.`);
};

export const remindersCommand = async () => printReminders(await withDatabase(makeReminders));
