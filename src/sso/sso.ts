// SPDX-License-Identifier: MIT
/**
 * Single sign-on with OpenID Connect (openid-client): authorisation code flow with PKCE, `state` and
 * `nonce` kept on the server for the sign-in in progress, and a browser cookie holding only a random
 * token that names it. Before sign-in there is no partnership context, so finding a provider by id and a
 * sign-in in progress by its token are the only `unsafe` reads; every write runs scoped to the
 * provider's partnership and every refusal is audited there.
 *
 * A user is matched by the provider's subject (linked on first sign-in) or, the first time, by e-mail to
 * an account an administrator has already made (invited). The one other way in is a group mapping the
 * administrator set: a first sign-in whose `groups` claim holds exactly one mapped group's team and role
 * makes the account (never an administrator's), audited as its creation.
 */
import { sql } from "kysely";
import * as oidc from "openid-client";
import { appendAudit } from "../audit/audit-log.ts";
import { insertSsoSession, type SessionPolicy } from "../auth/session-store.ts";
import { hashToken, newToken } from "../auth/tokens.ts";
import type { HearthConfig } from "../config/config.ts";
import { type HearthDatabase, withPartnershipScope } from "../db/database.ts";
import type { Role } from "../organisation/codes.ts";
import { decryptSecret } from "./secrets.ts";

/** How long a sign-in may stay at the provider before it must start again. */
const PENDING_MINUTES = 10;
/** How long a provider's discovered metadata and keys are reused before asking again. */
const DISCOVERY_TTL_MS = 60 * 60_000;
/** The `amr` value (RFC 8176) that says the provider checked more than one factor (Entra ID sends it). */
const MFA_AMR = "mfa";

export type SignInProvider = { providerId: string; displayName: string };

type ProviderRow = {
  partnership_id: string;
  provider_id: string;
  display_name: string;
  issuer: string;
  client_id: string;
  client_secret_encrypted: string;
  allowed_email_domains: string[];
  accept_provider_mfa: boolean;
};

/** Why a sign-in was refused, as a code (audited) with the sentence the person is shown. */
export const REFUSALS = {
  "no-sign-in-in-progress":
    "This sign-in was not started from this browser, has already been used or took too long. Start again from the sign-in page.",
  "state-mismatch":
    "The reply from your organisation's sign-in service did not match the sign-in this browser started, so Hearth did not accept it. Start again from the sign-in page.",
  "provider-refused":
    "Your organisation's sign-in service did not sign you in. Start again from the sign-in page, or ask your IT service desk.",
  "token-invalid":
    "Hearth could not check the reply from your organisation's sign-in service. Start again from the sign-in page; if it happens again, tell your Hearth administrator.",
  "no-email":
    "Your organisation's sign-in service did not tell Hearth your work e-mail address. Ask your Hearth administrator to check the sign-in set-up.",
  "email-domain":
    "Your e-mail address is not one this sign-in service may be used for in Hearth. Ask your Hearth administrator.",
  "not-invited":
    "You do not have a Hearth account yet. Ask your partnership's Hearth administrator to invite you, then sign in again.",
  "group-ambiguous":
    "Your groups at your organisation's sign-in service give you more than one Hearth team or role, so Hearth did not choose one. Ask your Hearth administrator to invite you.",
  "linked-elsewhere":
    "Your Hearth account is already linked to a different identity at this sign-in service. Ask your Hearth administrator.",
  "provider-unavailable":
    "Hearth could not reach your organisation's sign-in service. Try again in a few minutes, or sign in with your Hearth password.",
} as const;
export type RefusalCode = keyof typeof REFUSALS;

/**
 * Whether any partnership has an active identity provider: the signed-out sign-in page then asks for a
 * work e-mail address to find the person's own (it never lists providers, which belong to partnerships).
 */
export const unsafeAnySignInProvider = async (database: HearthDatabase): Promise<boolean> =>
  (await database.unsafeOwnerDb
    .selectFrom("sso_providers")
    .select("provider_id")
    .where("deactivated_at", "is", null)
    .limit(1)
    .executeTakeFirst()) !== undefined;

/**
 * The identity providers to offer someone signed out who typed this work e-mail address: the active
 * providers whose partnership allows the address's domain. When the domain is allowed in more than one
 * partnership (a shared domain such as a national NHS one), only the partnership of the Hearth account
 * with this address is offered, and nothing when there is none, so a person never sees another
 * partnership's providers. Names and ids only.
 */
export const unsafeSignInProvidersFor = async (
  database: HearthDatabase,
  email: string,
): Promise<SignInProvider[]> => {
  const address = email.trim().toLowerCase();
  const at = address.lastIndexOf("@");
  const domain = address.slice(at + 1);
  if (at < 1 || domain === "") return [];
  const rows = await database.unsafeOwnerDb
    .selectFrom("sso_providers")
    .select(["partnership_id", "provider_id", "display_name"])
    .where("deactivated_at", "is", null)
    .where(sql<boolean>`${domain} = any(allowed_email_domains)`)
    .orderBy("display_name")
    .execute();
  let offered = rows;
  if (new Set(rows.map((r) => r.partnership_id)).size > 1) {
    const account = await database.unsafeOwnerDb
      .selectFrom("users")
      .select("partnership_id")
      .where(sql<string>`lower(email)`, "=", address)
      .where("deactivated_at", "is", null)
      .executeTakeFirst();
    offered = account ? rows.filter((r) => r.partnership_id === account.partnership_id) : [];
  }
  return offered.map((r) => ({ providerId: r.provider_id, displayName: r.display_name }));
};

const unsafeFindProvider = (database: HearthDatabase, providerId: string) =>
  database.unsafeOwnerDb
    .selectFrom("sso_providers")
    .select([
      "partnership_id",
      "provider_id",
      "display_name",
      "issuer",
      "client_id",
      "client_secret_encrypted",
      "allowed_email_domains",
      "accept_provider_mfa",
    ])
    .where("provider_id", "=", providerId)
    .where("deactivated_at", "is", null)
    .executeTakeFirst();

/** Plain HTTP is allowed only to a provider on this machine (the tests' own provider). */
const isLoopback = (issuer: string): boolean =>
  ["127.0.0.1", "localhost", "[::1]"].includes(new URL(issuer).hostname);

// The provider's discovery document and keys, per provider, reused for an hour: a cache, not state (any
// process rebuilds it from the database).
const configurations = new Map<string, { at: number; key: string; config: oidc.Configuration }>();

const configurationFor = async (
  provider: ProviderRow,
  sessionSecret: string,
): Promise<oidc.Configuration> => {
  const key = `${provider.issuer} ${provider.client_id} ${provider.client_secret_encrypted}`;
  const known = configurations.get(provider.provider_id);
  if (known && known.key === key && Date.now() - known.at < DISCOVERY_TTL_MS) return known.config;
  const secret = decryptSecret(sessionSecret, provider.client_secret_encrypted);
  if (secret === undefined) {
    throw new Error(
      `The client secret of sign-in provider "${provider.display_name}" cannot be read: HEARTH_SESSION_SECRET has changed since it was saved. Enter the secret again on the administration page.`,
    );
  }
  const config = await oidc.discovery(
    new URL(provider.issuer),
    provider.client_id,
    undefined,
    oidc.ClientSecretPost(secret),
    isLoopback(provider.issuer) ? { execute: [oidc.allowInsecureRequests], timeout: 10 } : { timeout: 10 },
  );
  configurations.set(provider.provider_id, { at: Date.now(), key, config });
  return config;
};

export const callbackUrl = (config: HearthConfig): string => `${config.baseUrl}/sign-in/sso/callback`;

export type StartOutcome =
  | { kind: "redirect"; url: string; pendingToken: string }
  | { kind: "unknown-provider" }
  | { kind: "provider-unavailable" };

/**
 * Starts a sign-in at a provider: keeps a new state, nonce and PKCE verifier on the server and returns the
 * provider's authorisation address and the token for the browser's cookie.
 */
export const startSsoSignIn = async (
  database: HearthDatabase,
  config: HearthConfig,
  providerId: string,
  log: { warn: (o: object, m: string) => void },
): Promise<StartOutcome> => {
  const provider = await unsafeFindProvider(database, providerId);
  if (!provider) return { kind: "unknown-provider" };
  let configuration: oidc.Configuration;
  try {
    configuration = await configurationFor(provider, config.sessionSecret);
  } catch (error) {
    log.warn({ provider: providerId, problem: String(error) }, "sign-in provider unavailable");
    return { kind: "provider-unavailable" };
  }
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const { token, tokenHash } = newToken();
  await withPartnershipScope(database, provider.partnership_id, (trx) =>
    trx
      .insertInto("sso_pending_sign_ins")
      .values({
        partnership_id: provider.partnership_id,
        pending_id: crypto.randomUUID(),
        provider_id: provider.provider_id,
        token_hash: tokenHash,
        state,
        nonce,
        code_verifier: codeVerifier,
        expires_at: new Date(Date.now() + PENDING_MINUTES * 60_000),
      })
      .execute(),
  );
  const url = oidc.buildAuthorizationUrl(configuration, {
    redirect_uri: callbackUrl(config),
    scope: "openid email profile",
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  return { kind: "redirect", url: url.href, pendingToken: token };
};

export type FinishOutcome =
  | { kind: "signed-in"; sessionToken: string }
  | { kind: "refused"; code: RefusalCode; message: string };

type MatchedUser = { partnership_id: string; user_id: string; role: Role; agency_id: string };

const refusal = (code: RefusalCode): FinishOutcome => ({ kind: "refused", code, message: REFUSALS[code] });

/**
 * Finishes a sign-in when the provider sends the browser back: takes the sign-in in progress (once),
 * exchanges the code (openid-client checks state, PKCE, the ID token's signature, issuer, audience and
 * nonce), matches the invited user and starts a session. Refusals are audited in the provider's partnership.
 * @param input - The browser's cookie token and the full callback address it arrived at.
 */
export const finishSsoSignIn = async (
  database: HearthDatabase,
  config: HearthConfig,
  policy: SessionPolicy,
  input: { pendingToken: string | undefined; callback: URL; ip: string | null; userAgent: string | null },
  log: { warn: (o: object, m: string) => void },
): Promise<FinishOutcome> => {
  if (!input.pendingToken) return refusal("no-sign-in-in-progress");
  const pending = await database.unsafeOwnerDb
    .selectFrom("sso_pending_sign_ins")
    .select(["partnership_id", "pending_id", "provider_id", "state", "nonce", "code_verifier", "expires_at"])
    .where("token_hash", "=", hashToken(input.pendingToken))
    .where("used_at", "is", null)
    .executeTakeFirst();
  if (!pending || pending.expires_at.getTime() < Date.now()) return refusal("no-sign-in-in-progress");
  const partnershipId = pending.partnership_id;
  const refuse = async (code: RefusalCode, details: Record<string, unknown> = {}): Promise<FinishOutcome> => {
    await withPartnershipScope(database, partnershipId, (trx) =>
      appendAudit(trx, {
        partnershipId,
        actor: null,
        action: "sign-in-failed",
        recordType: "sso-provider",
        recordId: pending.provider_id,
        ip: input.ip,
        details: { failed: "single sign-on", reason: code, ...details },
      }),
    );
    return refusal(code);
  };
  // Used once, whatever happens next: a replayed callback finds nothing.
  const taken = await withPartnershipScope(database, partnershipId, (trx) =>
    trx
      .updateTable("sso_pending_sign_ins")
      .set({ used_at: new Date() })
      .where("partnership_id", "=", partnershipId)
      .where("pending_id", "=", pending.pending_id)
      .where("used_at", "is", null)
      .executeTakeFirst(),
  );
  if (Number(taken.numUpdatedRows) !== 1) return refusal("no-sign-in-in-progress");
  if (input.callback.searchParams.get("state") !== pending.state) return refuse("state-mismatch");
  if (input.callback.searchParams.has("error")) {
    return refuse("provider-refused", {
      provider_error: input.callback.searchParams.get("error")?.slice(0, 100),
    });
  }
  const provider = await unsafeFindProvider(database, pending.provider_id);
  if (!provider) return refuse("provider-refused", { provider_error: "provider deactivated" });

  let claims: {
    sub: string;
    email?: unknown;
    preferred_username?: unknown;
    amr?: unknown;
    name?: unknown;
    groups?: unknown;
  };
  try {
    const configuration = await configurationFor(provider, config.sessionSecret);
    const tokens = await oidc.authorizationCodeGrant(
      configuration,
      input.callback,
      {
        pkceCodeVerifier: pending.code_verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      },
      { redirect_uri: callbackUrl(config) },
    );
    const idClaims = tokens.claims();
    if (!idClaims) return refuse("token-invalid");
    claims = { ...idClaims };
    // Many providers put the e-mail address (and the name and groups) in the userinfo answer rather than
    // the ID token.
    // The e-mail address is needed; the name and groups only help a first sign-in through a group
    // mapping, so failing to fetch them alone is not a refusal.
    const needEmail = typeof claims.email !== "string";
    const wantMore = claims.groups === undefined || claims.name === undefined;
    if ((needEmail || wantMore) && configuration.serverMetadata().userinfo_endpoint) {
      const info = await oidc
        .fetchUserInfo(configuration, tokens.access_token, idClaims.sub)
        .catch((error: unknown) => {
          if (needEmail) throw error;
          return undefined;
        });
      if (info) {
        if (needEmail) claims.email = info.email;
        claims.groups ??= info.groups;
        claims.name ??= info.name;
      }
    }
  } catch (error) {
    log.warn({ provider: provider.provider_id, problem: String(error) }, "single sign-on reply refused");
    return refuse("token-invalid");
  }

  const email = emailOf(claims);
  if (!email) return refuse("no-email", { subject: claims.sub });
  const domain = email.split("@")[1] ?? "";
  if (!provider.allowed_email_domains.includes(domain)) {
    return refuse("email-domain", { subject: claims.sub, email_domain: domain });
  }
  const providerMfa =
    provider.accept_provider_mfa && Array.isArray(claims.amr) && claims.amr.includes(MFA_AMR);

  type Match =
    | { token: string }
    | { refused: "not-invited" | "linked-elsewhere" | "group-ambiguous"; userId?: string };
  const groups = groupsOf(claims.groups);
  // The address may belong to an account anywhere (one address, one account): a group never makes a
  // second one, and a switched-off account stays switched off.
  const emailTaken =
    groups.length > 0 &&
    (await database.unsafeOwnerDb
      .selectFrom("users")
      .select("user_id")
      .where(sql<boolean>`lower(email) = ${email}`)
      .executeTakeFirst()) !== undefined;
  const result = await withPartnershipScope(database, partnershipId, async (trx): Promise<Match> => {
    const active = trx
      .selectFrom("users")
      .select(["users.partnership_id", "users.user_id", "users.role", "users.agency_id"])
      .where("users.partnership_id", "=", partnershipId)
      .where("users.deactivated_at", "is", null);
    const linked = await active
      .innerJoin("sso_identities as i", (j) =>
        j.onRef("i.partnership_id", "=", "users.partnership_id").onRef("i.user_id", "=", "users.user_id"),
      )
      .where("i.provider_id", "=", provider.provider_id)
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
          .where("provider_id", "=", provider.provider_id)
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
            provider: provider.provider_id,
            mapping: mapping.mapping_id,
            group: mapping.group_claim,
            role: mapping.role,
            team: mapping.team_id,
          },
        });
        await trx
          .insertInto("sso_identities")
          .values({
            partnership_id: partnershipId,
            provider_id: provider.provider_id,
            subject: claims.sub,
            user_id: userId,
          })
          .execute();
        const session = await insertSsoSession(
          trx,
          {
            partnership_id: partnershipId,
            user_id: userId,
            role: mapping.role,
            agency_id: mapping.agency_id,
          },
          policy,
          { providerId: provider.provider_id, providerMfa, ip: input.ip, userAgent: input.userAgent },
        );
        return { token: session.token };
      }
      const other = await trx
        .selectFrom("sso_identities")
        .select("subject")
        .where("partnership_id", "=", partnershipId)
        .where("provider_id", "=", provider.provider_id)
        .where("user_id", "=", invited.user_id)
        .executeTakeFirst();
      if (other) return { refused: "linked-elsewhere", userId: invited.user_id };
      await trx
        .insertInto("sso_identities")
        .values({
          partnership_id: partnershipId,
          provider_id: provider.provider_id,
          subject: claims.sub,
          user_id: invited.user_id,
        })
        .execute();
      user = invited;
    }
    const session = await insertSsoSession(trx, user, policy, {
      providerId: provider.provider_id,
      providerMfa,
      ip: input.ip,
      userAgent: input.userAgent,
    });
    return { token: session.token };
  });
  if ("refused" in result) {
    return refuse(result.refused, {
      subject: claims.sub,
      email_domain: domain,
      ...(result.userId ? { user: result.userId } : {}),
    });
  }
  return { kind: "signed-in", sessionToken: result.token };
};

/** The provider's group claim values (Entra ID sends group object ids), at most 200 of them. */
const groupsOf = (value: unknown): string[] =>
  Array.isArray(value)
    ? value
        .filter((g): g is string => typeof g === "string" && g.trim() !== "" && g.length <= 200)
        .slice(0, 200)
    : [];

/** The work e-mail from the claims: `email`, or Entra ID's `preferred_username` when it is an address. */
const emailOf = (claims: { email?: unknown; preferred_username?: unknown }): string | undefined => {
  for (const value of [claims.email, claims.preferred_username]) {
    if (typeof value === "string" && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value))
      return value.trim().toLowerCase();
  }
  return undefined;
};

/**
 * The provider's own sign-out address, when it publishes one, to offer after Hearth's session has ended.
 * @returns The address and the provider's name, or undefined.
 */
export const providerSignOut = async (
  database: HearthDatabase,
  config: HearthConfig,
  providerId: string,
): Promise<{ url: string; displayName: string } | undefined> => {
  const provider = await unsafeFindProvider(database, providerId);
  if (!provider) return undefined;
  try {
    const configuration = await configurationFor(provider, config.sessionSecret);
    if (!configuration.serverMetadata().end_session_endpoint) return undefined;
    const url = oidc.buildEndSessionUrl(configuration, {
      client_id: provider.client_id,
      post_logout_redirect_uri: `${config.baseUrl}/sign-in?signedOut=1`,
    });
    return { url: url.href, displayName: provider.display_name };
  } catch {
    return undefined;
  }
};
