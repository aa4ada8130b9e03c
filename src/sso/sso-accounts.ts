// SPDX-License-Identifier: MIT
/**
 * Which Hearth account a provider's verified identity signs in as: the one linked to its subject, else the
 * invited account with its e-mail address (linked now), else one made from exactly one mapped group.
 */
import type { Transaction } from "kysely";
import { appendAudit } from "../audit/audit-log.ts";
import { insertSsoSession, type SessionPolicy } from "../auth/session-store.ts";
import type { HearthSchema } from "../db/schema.ts";
import { onKey } from "../kernel/sql.ts";
import type { Role } from "../organisation/codes.ts";

type MatchedUser = { partnership_id: string; user_id: string; role: Role; agency_id: string };

/** A session's token, or why no account matched. */
export type AccountMatch =
  | { token: string }
  | { refused: "not-invited" | "linked-elsewhere" | "group-ambiguous"; userId?: string };

/** The provider's group claim values (Entra ID sends group object ids), at most 200 of them. */
export const groupsOf = (value: unknown): string[] =>
  Array.isArray(value)
    ? value
        .filter((g): g is string => typeof g === "string" && g.trim() !== "" && g.length <= 200)
        .slice(0, 200)
    : [];

/** The work e-mail from the claims: `email`, or Entra ID's `preferred_username` when it is an address. */
export const emailOf = (claims: { email?: unknown; preferred_username?: unknown }): string | undefined => {
  for (const value of [claims.email, claims.preferred_username]) {
    if (typeof value === "string" && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value))
      return value.trim().toLowerCase();
  }
  return undefined;
};

/** Finds (or, through a group mapping, makes) the account and starts its session, in the caller's transaction. */
export const matchSsoAccount = async (
  trx: Transaction<HearthSchema>,
  policy: SessionPolicy,
  signIn: {
    partnershipId: string;
    providerId: string;
    claims: { sub: string; name?: unknown };
    email: string;
    groups: string[];
    /** The address belongs to an account already, anywhere: a group never makes a second one. */
    emailTaken: boolean;
    providerMfa: boolean;
    input: { ip: string | null; userAgent: string | null };
  },
): Promise<AccountMatch> => {
  const { partnershipId, providerId, claims, email, groups, emailTaken, providerMfa, input } = signIn;
  /** Links the provider's subject to the account, so later sign-ins find it by the subject. */
  const linkIdentity = (userId: string) =>
    trx
      .insertInto("sso_identities")
      .values({
        partnership_id: partnershipId,
        provider_id: providerId,
        subject: claims.sub,
        user_id: userId,
      })
      .execute();
  const active = trx
    .selectFrom("users")
    .select(["users.partnership_id", "users.user_id", "users.role", "users.agency_id"])
    .where("users.partnership_id", "=", partnershipId)
    .where("users.deactivated_at", "is", null);
  const linked = await active
    .innerJoin("sso_identities as i", (j) => onKey(j, "i.user_id", "users.user_id"))
    .where("i.provider_id", "=", providerId)
    .where("i.subject", "=", claims.sub)
    .executeTakeFirst();
  let user: MatchedUser | undefined = linked;
  if (!user) {
    const invited = await active
      .where((eb) => eb(eb.fn("lower", ["users.email"]), "=", email))
      .executeTakeFirst();
    if (!invited) {
      if (groups.length === 0 || emailTaken) return { refused: "not-invited" };
      const mapped = await trx
        .selectFrom("sso_group_mappings")
        .select(["mapping_id", "group_claim", "agency_id", "team_id", "role"])
        .where("partnership_id", "=", partnershipId)
        .where("provider_id", "=", providerId)
        .where("deactivated_at", "is", null)
        .where("group_claim", "in", groups)
        .orderBy("group_claim")
        .execute();
      const places = new Set(mapped.map((m) => `${m.team_id} ${m.role}`));
      if (places.size === 0) return { refused: "not-invited" };
      if (places.size > 1) return { refused: "group-ambiguous" };
      const mapping = mapped[0] as (typeof mapped)[number];
      const userId = crypto.randomUUID();
      const displayName =
        typeof claims.name === "string" && claims.name.trim() !== ""
          ? claims.name.trim().slice(0, 200)
          : email.split("@")[0];
      await trx
        .insertInto("users")
        .values({
          partnership_id: partnershipId,
          user_id: userId,
          email,
          display_name: displayName ?? email,
          agency_id: mapping.agency_id,
          team_id: mapping.team_id,
          role: mapping.role,
          password_hash: null,
          totp_secret: null,
        })
        .execute();
      await appendAudit(trx, {
        partnershipId,
        actor: null,
        action: "create",
        recordType: "user",
        recordId: userId,
        ip: input.ip,
        details: {
          via: "single sign-on group mapping",
          provider: providerId,
          mapping: mapping.mapping_id,
          group: mapping.group_claim,
          role: mapping.role,
          team: mapping.team_id,
        },
      });
      await linkIdentity(userId);
      const session = await insertSsoSession(
        trx,
        {
          partnership_id: partnershipId,
          user_id: userId,
          role: mapping.role,
          agency_id: mapping.agency_id,
        },
        policy,
        { providerId, providerMfa, ip: input.ip, userAgent: input.userAgent },
      );
      return { token: session.token };
    }
    const other = await trx
      .selectFrom("sso_identities")
      .select("subject")
      .where("partnership_id", "=", partnershipId)
      .where("provider_id", "=", providerId)
      .where("user_id", "=", invited.user_id)
      .executeTakeFirst();
    if (other) return { refused: "linked-elsewhere", userId: invited.user_id };
    await linkIdentity(invited.user_id);
    user = invited;
  }
  const session = await insertSsoSession(trx, user, policy, {
    providerId,
    providerMfa,
    ip: input.ip,
    userAgent: input.userAgent,
  });
  return { token: session.token };
};
