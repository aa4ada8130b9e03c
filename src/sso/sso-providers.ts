// SPDX-License-Identifier: MIT
/**
 * A partnership's identity providers as sign-in meets them: which to offer for a work e-mail address, each
 * one's OpenID Connect configuration (discovered, and cached for an hour), and its sign-out address.
 */
import { type Selectable, sql } from "kysely";
import * as oidc from "openid-client";
import type { HearthConfig } from "../config/config.ts";
import type { HearthDatabase } from "../db/database.ts";
import type { SsoProviderTable } from "../db/schema.ts";
import { decryptSecret } from "./secrets.ts";

/** How long a provider's discovered metadata and keys are reused before asking again. */
const DISCOVERY_TTL_MS = 60 * 60_000;

export type SignInProvider = { providerId: string; displayName: string };

export type ProviderRow = Pick<
  Selectable<SsoProviderTable>,
  | "partnership_id"
  | "provider_id"
  | "display_name"
  | "issuer"
  | "client_id"
  | "client_secret_encrypted"
  | "allowed_email_domains"
  | "accept_provider_mfa"
>;

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

/** An active provider by id, before sign-in (so `unsafe`). */
export const unsafeFindProvider = (database: HearthDatabase, providerId: string) =>
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

export const configurationFor = async (
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
