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
import type { SessionPolicy } from "../auth/session-store.ts";
import { hashToken, newToken } from "../auth/tokens.ts";
import type { HearthConfig } from "../config/config.ts";
import { type HearthDatabase, withPartnershipScope } from "../db/database.ts";
import { emailOf, groupsOf, matchSsoAccount } from "./sso-accounts.ts";
import { callbackUrl, configurationFor, unsafeFindProvider } from "./sso-providers.ts";

// Split by concern; the names every caller has always imported from here.
export {
  callbackUrl,
  providerSignOut,
  type SignInProvider,
  unsafeAnySignInProvider,
  unsafeSignInProvidersFor,
} from "./sso-providers.ts";

/** How long a sign-in may stay at the provider before it must start again. */
const PENDING_MINUTES = 10;
/** The `amr` value (RFC 8176) that says the provider checked more than one factor (Entra ID sends it). */
const MFA_AMR = "mfa";

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
  const result = await withPartnershipScope(database, partnershipId, (trx) =>
    matchSsoAccount(trx, policy, {
      partnershipId,
      providerId: provider.provider_id,
      claims,
      email,
      groups,
      emailTaken,
      providerMfa,
      input,
    }),
  );
  if ("refused" in result) {
    return refuse(result.refused, {
      subject: claims.sub,
      email_domain: domain,
      ...(result.userId ? { user: result.userId } : {}),
    });
  }
  return { kind: "signed-in", sessionToken: result.token };
};
