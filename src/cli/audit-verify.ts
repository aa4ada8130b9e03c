// SPDX-License-Identifier: MIT
/** `hearth audit verify`: exits 0 when every chain is intact, 1 naming the first broken row otherwise. */
import { unsafeVerifyAuditChains } from "../audit/audit-log.ts";
import { withDatabase } from "./open.ts";

export const auditVerifyCommand = async () => {
  const report = await withDatabase((database) => unsafeVerifyAuditChains(database.unsafeOwnerDb));
  if (report.problems.length === 0) {
    console.log(`Audit chain intact: ${report.rows} rows in ${report.partnerships} partnership(s).`);
    return;
  }
  console.log(`Audit chain BROKEN in ${report.problems.length} of ${report.partnerships} partnership(s):`);
  for (const p of report.problems)
    console.log(`  partnership ${p.partnershipId}, row ${p.seq}: ${p.problem}`);
  process.exitCode = 1;
};
