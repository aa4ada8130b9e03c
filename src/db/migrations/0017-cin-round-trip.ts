// SPDX-License-Identifier: MIT
/**
 * The CIN census items a child's record kept nowhere, so an imported return exported again lost them:
 * FormerUPN and UPNunknown (why there is no UPN; 824 of 3,120 children in one council's return).
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
alter table people
  add column former_upn text check (former_upn ~ '^[A-Z][0-9]{11}[0-9A-Z]$'),
  add column upn_unknown text check (upn_unknown in ('UN1', 'UN2', 'UN3', 'UN4', 'UN5', 'UN6', 'UN7'));
`,
  );
};
