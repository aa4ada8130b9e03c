// SPDX-License-Identifier: MIT
/** Invites: the link's token found by its hash (before sign-in, so `unsafe`), then the password set once. */
import { appendAudit } from "../audit/audit-log.ts";
import { type HearthDatabase, withPartnershipScope } from "../db/database.ts";
import { onKey } from "../kernel/sql.ts";
import type { Role } from "../organisation/codes.ts";
import { hashPassword, passwordProblem } from "./passwords.ts";
import { hashToken } from "./tokens.ts";

export type PendingInvite = {
  partnershipId: string;
  inviteId: string;
  userId: string;
  email: string;
  displayName: string;
  role: Role;
};

/** @returns The unused, unexpired invite for a link's token, or undefined. */
export const unsafeFindInvite = async (
  database: HearthDatabase,
  token: string,
): Promise<PendingInvite | undefined> => {
  const row = await database.unsafeOwnerDb
    .selectFrom("invites")
    .innerJoin("users", (join) => onKey(join, "users.user_id", "invites.user_id"))
    .select([
      "invites.partnership_id",
      "invites.invite_id",
      "invites.user_id",
      "users.email",
      "users.display_name",
      "users.role",
    ])
    .where("invites.token_hash", "=", hashToken(token))
    .where("invites.used_at", "is", null)
    .where("invites.expires_at", ">", new Date())
    .where("users.deactivated_at", "is", null)
    .where("users.password_hash", "is", null)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    partnershipId: row.partnership_id,
    inviteId: row.invite_id,
    userId: row.user_id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
  };
};

/**
 * Accepts an invite: sets the password and uses up the link, in one transaction.
 * @returns null when done, or the message for the password field.
 */
export const acceptInvite = async (
  database: HearthDatabase,
  invite: PendingInvite,
  password: string,
  ip: string | null,
): Promise<string | null> => {
  const problem = passwordProblem(password, [invite.email, invite.displayName]);
  if (problem) return problem;
  const passwordHash = await hashPassword(password);
  return withPartnershipScope(database, invite.partnershipId, async (trx) => {
    const used = await trx
      .updateTable("invites")
      .set({ used_at: new Date() })
      .where("partnership_id", "=", invite.partnershipId)
      .where("invite_id", "=", invite.inviteId)
      .where("used_at", "is", null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) return "This invite link has already been used";
    await trx
      .updateTable("users")
      .set({ password_hash: passwordHash })
      .where("partnership_id", "=", invite.partnershipId)
      .where("user_id", "=", invite.userId)
      .execute();
    await appendAudit(trx, {
      partnershipId: invite.partnershipId,
      actor: null,
      action: "accept-invite",
      recordType: "user",
      recordId: invite.userId,
      ip,
    });
    return null;
  });
};
