// SPDX-License-Identifier: MIT
/**
 * Who may see an agency import (its page /imports/:id, its rows, its rejects and its review list): the staff
 * of the importing agency in a role that records (and its administrators), and safeguarding leads, who
 * oversee every agency's. One rule, used by the imports pages and by the chronology's "Imported from" link.
 */
import { type RawBuilder, sql } from "kysely";
import type { AccessContext } from "../data/access-context.ts";
import { can } from "../kernel/policy.ts";
import type { Role } from "../organisation/codes.ts";

/** Roles that may run their own agency's imports. Analysts and auditors read figures and logs, never feeds. */
export const mayRunImports = (role: Role): boolean => can(role, "imports.run");

/** Safeguarding leads oversee every agency's imports and review lists. */
export const seesEveryAgencysImports = (role: Role): boolean => role === "safeguarding-lead";

/** Whether the caller may see an import by this agency (pure form of {@link importVisibleTo}). */
export const maySeeImportOf = (ctx: AccessContext | undefined, agencyId: string): boolean =>
  !!ctx && mayRunImports(ctx.role) && (seesEveryAgencysImports(ctx.role) || agencyId === ctx.agencyId);

/** The SQL condition "the caller may see an import by the agency in `agencyRef`". */
export const importVisibleTo = (
  ctx: AccessContext | undefined,
  agencyRef: RawBuilder<unknown> | ReturnType<typeof sql.ref>,
): RawBuilder<boolean> => {
  if (!ctx || !mayRunImports(ctx.role)) return sql<boolean>`false`;
  if (seesEveryAgencysImports(ctx.role)) return sql<boolean>`true`;
  return sql<boolean>`${agencyRef} = ${ctx.agencyId}`;
};
