// SPDX-License-Identifier: MIT
/**
 * `hearth signals evaluate`: runs every rule for every child in every partnership (recording an entry
 * runs them for the family as it is saved; this catches entries written another way, and a rule's new
 * version). Idempotent: a second run adds nothing. Each partnership is one transaction, audited as the
 * system; progress is printed per partnership.
 */
import { appendAudit } from "../audit/audit-log.ts";
import { withDatabase } from "../cli/open.ts";
import { withPartnershipScope } from "../db/database.ts";
import { evaluateSignalsForPartnership } from "./store.ts";

export const signalsEvaluateCommand = async () => {
  await withDatabase(async (database) => {
    const partnerships = await database.unsafeOwnerDb
      .selectFrom("partnerships")
      .select(["partnership_id", "name"])
      .orderBy("name")
      .execute();
    for (const { partnership_id, name } of partnerships) {
      let last = 0;
      const fired = await withPartnershipScope(database, partnership_id, (trx) =>
        evaluateSignalsForPartnership(trx, {
          partnershipId: partnership_id,
          audit: (entry) => appendAudit(trx, { ...entry, partnershipId: partnership_id, actor: null }),
          progress: (done, total) => {
            const percent = Math.floor((done / Math.max(1, total)) * 10) * 10;
            if (percent > last || done === total) {
              last = percent;
              process.stdout.write(`${name}: ${done} of ${total} children evaluated\n`);
            }
          },
        }),
      );
      console.log(`${name}: ${fired.length} new signal${fired.length === 1 ? "" : "s"}.`);
    }
  });
};
