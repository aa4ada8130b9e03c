// SPDX-License-Identifier: MIT
/**
 * Making an empty partnership (no demo data) for a council to start from its own CIN census history, with
 * one agency and its first administrator, invited by a one-time link: the one function behind both
 * `hearth partnership create` (src/cli/partnership.ts) and the administration page (./routes.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { type AuditAction, appendAudit } from "../audit/audit-log.ts";
import { newToken } from "../auth/tokens.ts";
import type { HearthDatabase } from "../db/database.ts";

/** The invite lasts as long as one an administrator makes in the service. */
export const INVITE_LIFETIME_DAYS = 7;
const SYSTEM_REASON = "hearth partnership create";
const WEB_REASON = "Made from another partnership's administration page";

/** DfE's current authority list (old_la_code and name): the 2025 statistical neighbour model's rows. */
const LA_CODE_FILE = fileURLToPath(
  new URL("../../reference-data/dfe/sn_model_2025_wide.csv", import.meta.url),
);

/**
 * The DfE authority codes in the repository's reference data, or undefined when it is not there (a
 * packaged install without reference-data), in which case only the form of the code is checked.
 * @param file - The statistical neighbour file (old_la_code, la_name, ...).
 * @returns Code to authority name.
 */
export const knownLaCodes = (file: string = LA_CODE_FILE): Map<string, string> | undefined => {
  if (!existsSync(file)) return undefined;
  const codes = new Map<string, string>();
  for (const line of readFileSync(file, "utf8")
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .slice(1)) {
    const [code, name] = line.split(",");
    if (code && name && /^\d{3}$/.test(code)) codes.set(code, name);
  }
  return codes;
};

/**
 * Checks a local authority code: three digits, and one of DfE's when the list is known.
 * @returns The authority's name (or null when the list is unknown), or the problem.
 */
export const checkLaCode = (
  code: string,
  known: ReadonlyMap<string, string> | undefined,
): { ok: true; laName: string | null } | { ok: false; message: string } => {
  if (!/^\d{3}$/.test(code))
    return {
      ok: false,
      message: `--la-code must be the three-digit DfE code, e.g. 852 for Southampton (not "${code}")`,
    };
  if (!known) return { ok: true, laName: null };
  const laName = known.get(code);
  if (!laName)
    return {
      ok: false,
      message: `${code} is not a current local authority code in DfE's list (reference-data/dfe)`,
    };
  return { ok: true, laName };
};

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export type NewPartnership = {
  name: string;
  laCode: string;
  adminEmail: string;
  adminName: string;
  agencyName: string;
};

export type CreatedPartnership = {
  partnershipId: string;
  agencyId: string;
  userId: string;
  inviteToken: string;
  laName: string | null;
};

/** An administrator of an existing partnership who made the new one from the administration page. */
export type PartnershipCreator = {
  partnershipId: string;
  userId: string;
  role: string;
  agencyId: string;
  ip: string | null;
};

/**
 * Makes the partnership, its agency, the administrator's account (invited, no password) and the invite,
 * in one transaction with their audit rows, the first of the new partnership's chain. Runs as the owner:
 * no one is signed in to a partnership that does not yet exist. When an administrator of another
 * partnership makes it (the administration page), their own partnership's chain records that they did,
 * in the same transaction; they get no account in, and so no access to, the new one.
 * @returns What was made, or why nothing was (with the field at fault).
 */
export const createPartnership = async (
  database: HearthDatabase,
  input: NewPartnership,
  known: ReadonlyMap<string, string> | undefined = knownLaCodes(),
  createdBy?: PartnershipCreator,
): Promise<
  { ok: true; value: CreatedPartnership } | { ok: false; message: string; field?: keyof NewPartnership }
> => {
  const name = input.name.trim();
  const email = input.adminEmail.trim().toLowerCase();
  const adminName = input.adminName.trim();
  const agencyName = input.agencyName.trim();
  if (name.length < 1 || name.length > 200)
    return { ok: false, field: "name", message: "--name must be 1 to 200 characters" };
  const la = checkLaCode(input.laCode.trim(), known);
  if (!la.ok) return { ...la, field: "laCode" };
  if (!EMAIL.test(email))
    return {
      ok: false,
      field: "adminEmail",
      message: `--admin-email must be an email address, like name@example.org (not "${email}")`,
    };
  if (adminName.length < 1 || adminName.length > 200)
    return { ok: false, field: "adminName", message: "--admin-name must be 1 to 200 characters" };
  if (agencyName.length < 1 || agencyName.length > 200)
    return { ok: false, field: "agencyName", message: "--agency-name must be 1 to 200 characters" };
  return database.unsafeOwnerDb.transaction().execute(async (trx) => {
    // Two creations at once queue here, so the name check below cannot pass for both.
    await sql`select pg_advisory_xact_lock(hashtext('hearth partnership create'))`.execute(trx);
    const sameName = await trx
      .selectFrom("partnerships")
      .select(["partnership_id", "name"])
      .where(sql<boolean>`lower(name) = lower(${name})`)
      .executeTakeFirst();
    if (sameName)
      return {
        ok: false as const,
        field: "name" as const,
        message: `A partnership named "${sameName.name}" already exists (${sameName.partnership_id}); choose another name.`,
      };
    // An email address names one account in the whole database, so sign-in can never mix partnerships.
    const emailTaken = await trx
      .selectFrom("users")
      .select("user_id")
      .where("email", "=", email)
      .executeTakeFirst();
    if (emailTaken)
      return {
        ok: false as const,
        field: "adminEmail" as const,
        message: `A user with the email address ${email} already exists.`,
      };

    const partnershipId = crypto.randomUUID();
    const agencyId = crypto.randomUUID();
    const userId = crypto.randomUUID();
    const inviteId = crypto.randomUUID();
    const { token, tokenHash } = newToken();
    await trx
      .insertInto("partnerships")
      .values({ partnership_id: partnershipId, name, local_authority_codes: [input.laCode.trim()] })
      .execute();
    await trx
      .insertInto("agencies")
      .values({
        partnership_id: partnershipId,
        agency_id: agencyId,
        name: agencyName,
        agency_type: "childrens-social-care",
      })
      .execute();
    await trx
      .insertInto("users")
      .values({
        partnership_id: partnershipId,
        user_id: userId,
        email,
        display_name: adminName,
        agency_id: agencyId,
        team_id: null,
        role: "administrator",
        password_hash: null,
        totp_secret: null,
        totp_confirmed_at: null,
        totp_last_step: null,
      })
      .execute();
    await trx
      .insertInto("invites")
      .values({
        partnership_id: partnershipId,
        invite_id: inviteId,
        user_id: userId,
        token_hash: tokenHash,
        created_by: null,
        expires_at: new Date(Date.now() + INVITE_LIFETIME_DAYS * 86_400_000),
      })
      .execute();
    const audit = (
      recordType: string,
      recordId: string,
      details: Record<string, unknown>,
      action: AuditAction = "create",
    ) =>
      appendAudit(trx, {
        partnershipId,
        actor: null,
        action,
        recordType,
        recordId,
        reason: createdBy ? WEB_REASON : SYSTEM_REASON,
        details: createdBy ? { ...details, created_from_partnership_id: createdBy.partnershipId } : details,
      });
    await audit("partnership", partnershipId, {
      name: [null, name],
      local_authority_codes: [null, [input.laCode.trim()]],
    });
    await audit("agency", agencyId, {
      name: [null, agencyName],
      agency_type: [null, "childrens-social-care"],
    });
    await audit(
      "user",
      userId,
      {
        email: [null, email],
        display_name: [null, adminName],
        role: [null, "administrator"],
        agency_id: [null, agencyId],
        team_id: [null, null],
      },
      "invite",
    );
    if (createdBy)
      await appendAudit(trx, {
        partnershipId: createdBy.partnershipId,
        actor: { userId: createdBy.userId, role: createdBy.role, agencyId: createdBy.agencyId },
        action: "create",
        recordType: "partnership",
        recordId: partnershipId,
        reason: "Made another, empty partnership from the administration page",
        ip: createdBy.ip,
        details: {
          name: [null, name],
          local_authority_codes: [null, [input.laCode.trim()]],
          first_administrator_email: [null, email],
        },
      });
    return {
      ok: true as const,
      value: { partnershipId, agencyId, userId, inviteToken: token, laName: la.laName },
    };
  });
};
