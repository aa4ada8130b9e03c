// SPDX-License-Identifier: MIT
/**
 * Reading an import the caller may see (./access.ts), and its rows waiting for review, shared by the
 * imports' sub-area repositories.
 */
import { sql } from "kysely";
import type { AccessContext } from "../data/access-context.ts";
import type { Trx } from "../data/repository-scope.ts";
import { currentPartnership, onKey } from "../kernel/sql.ts";
import { importVisibleTo } from "./access.ts";

/** The import's agency, if the caller may see the import; undefined for one they may not, or none. */
export const visibleImport = async (
  trx: Trx,
  ctx: AccessContext | undefined,
  importId: string,
): Promise<{ agency_id: string; agency_name: string } | undefined> => {
  const row = await trx
    .selectFrom("agency_imports as i")
    .innerJoin("agencies as a", (join) => onKey(join, "a.agency_id", "i.agency_id"))
    .select([
      "i.agency_id",
      "a.name as agency_name",
      importVisibleTo(ctx, sql.ref("i.agency_id")).as("visible"),
    ])
    .where(sql.ref("i.partnership_id"), "=", currentPartnership)
    .where("i.import_id", "=", importId)
    .executeTakeFirst();
  if (!row?.visible) return undefined;
  return { agency_id: row.agency_id, agency_name: row.agency_name };
};

/**
 * The rows of an import (`import_rows as r`) waiting for a person to confirm the match: sent to review
 * and not yet reviewed. The caller has checked the import is visible and chooses what to select.
 */
export const rowsWaitingReview = (trx: Trx, importId: string) =>
  trx
    .selectFrom("import_rows as r")
    .where(sql.ref("r.partnership_id"), "=", currentPartnership)
    .where("r.import_id", "=", importId)
    .where("r.fate", "=", "review")
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("import_reviews as d")
            .select("d.row_number")
            .whereRef("d.partnership_id", "=", "r.partnership_id")
            .whereRef("d.import_id", "=", "r.import_id")
            .whereRef("d.row_number", "=", "r.row_number"),
        ),
      ),
    );
