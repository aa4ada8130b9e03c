// SPDX-License-Identifier: MIT
/** `hearth audit verify`: exits 0 when every chain is intact, 1 naming the first broken row, or
 * audit rows committed outside the chain, otherwise. */
import { chainFailures, chainsHold, unsafeVerifyAuditChains } from "../audit/audit-log.ts";
import { withDatabase } from "./open.ts";

export const auditVerifyCommand = async () => {
  const report = await withDatabase((database) => unsafeVerifyAuditChains(database.unsafeOwnerDb));
  if (chainsHold(report)) {
    console.log(`Audit chain intact: ${report.rows} rows in ${report.partnerships} partnership(s).`);
    return;
  }
  console.log(`Audit chain BROKEN (${report.partnerships} partnership(s) checked):`);
  for (const line of chainFailures(report)) console.log(`  ${line}`);
  process.exitCode = 1;
};
