// SPDX-License-Identifier: MIT
/**
 * An agency's saved mappings from its file's columns to Hearth's fields, one per format, versioned: a new
 * version is saved with a reason, earlier versions stay and name the imports that used them.
 */
import { type AuditActor, appendAudit } from "../audit/audit-log.ts";
import type { Trx } from "../data/repository-scope.ts";
import { type HearthDatabase, withPartnershipScope } from "../db/database.ts";
import type { ImportFormat } from "./codes.ts";
import { DEFAULT_MAPPINGS, type ImportMapping } from "./formats.ts";

/** The agency's current mapping for a format, saving the default as version 1 the first time. */
export const currentMapping = async (
  trx: Trx,
  partnershipId: string,
  agencyId: string,
  format: ImportFormat,
  createdBy: string | null,
): Promise<{ version: number; mapping: ImportMapping }> => {
  const latest = await trx
    .selectFrom("import_mappings")
    .select(["version", "columns"])
    .where("partnership_id", "=", partnershipId)
    .where("agency_id", "=", agencyId)
    .where("format", "=", format)
    .orderBy("version", "desc")
    .executeTakeFirst();
  if (latest) return { version: latest.version, mapping: latest.columns as ImportMapping };
  await trx
    .insertInto("import_mappings")
    .values({
      partnership_id: partnershipId,
      agency_id: agencyId,
      format,
      version: 1,
      columns: JSON.stringify(DEFAULT_MAPPINGS[format]),
      reason: "The format's default mapping, saved at the agency's first import",
      created_by: createdBy,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return { version: 1, mapping: DEFAULT_MAPPINGS[format] };
};

/** Saves a new version of an agency's mapping for a format (earlier versions stay, and name their imports). */
export const saveMapping = async (
  database: HearthDatabase,
  options: {
    partnershipId: string;
    agencyId: string;
    format: ImportFormat;
    mapping: ImportMapping;
    reason: string;
    actor: AuditActor;
  },
): Promise<number> =>
  withPartnershipScope(database, options.partnershipId, async (trx) => {
    const current = await currentMapping(
      trx,
      options.partnershipId,
      options.agencyId,
      options.format,
      options.actor?.userId ?? null,
    );
    const version = current.version + 1;
    await trx
      .insertInto("import_mappings")
      .values({
        partnership_id: options.partnershipId,
        agency_id: options.agencyId,
        format: options.format,
        version,
        columns: JSON.stringify(options.mapping),
        reason: options.reason,
        created_by: options.actor?.userId ?? null,
      })
      .execute();
    await appendAudit(trx, {
      partnershipId: options.partnershipId,
      actor: options.actor,
      action: "create",
      recordType: "import-mapping",
      recordId: `${options.agencyId}/${options.format}/${version}`,
      reason: options.reason,
      details: { columns: [current.mapping, options.mapping] },
    });
    return version;
  });
