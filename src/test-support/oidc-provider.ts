// SPDX-License-Identifier: MIT
/**
 * A real OpenID Connect provider for tests (the `oidc-provider` package) on a loopback port, with its
 * development sign-in pages: type any subject and password, then "Continue". Subjects listed in
 * `mfaSubjects` come back with `amr: ["pwd", "mfa"]`, as Entra ID reports a multi-factor sign-in;
 * subjects listed in `groups` come back with a `groups` claim, as Entra ID sends group object ids.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export type TestOidcProvider = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close: () => Promise<void>;
};

/**
 * @param options - The client's redirect address; each subject's e-mail (others get subject@unknown.example);
 *   subjects whose sign-in counts as multi-factor.
 */
export const startOidcProvider = async (options: {
  redirectUri: string;
  postLogoutRedirectUri: string;
  emails: Record<string, string>;
  mfaSubjects?: string[];
  groups?: Record<string, string[]>;
}): Promise<TestOidcProvider> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = "hearth-test";
  const clientSecret = `secret-${crypto.randomUUID()}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris: [options.postLogoutRedirectUri],
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    // amr in the ID token, as Entra ID sends it.
    claims: {
      openid: ["sub", "amr", "auth_time", "groups"],
      email: ["email", "email_verified"],
      profile: ["name"],
    },
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => ({
        sub,
        email: options.emails[sub] ?? `${sub}@unknown.example`,
        email_verified: true,
        name: `Test person ${sub}`,
        ...(options.groups?.[sub] ? { groups: options.groups[sub] } : {}),
      }),
    }),
    cookies: { keys: [`cookie-key-${crypto.randomUUID()}`] },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    pkce: { required: () => true },
  });
  // The development sign-in page reports only the subject; add the methods a multi-factor sign-in reports.
  const finished = provider.interactionFinished.bind(provider);
  const mfa = new Set(options.mfaSubjects ?? []);
  provider.interactionFinished = (req, res, result, more) => {
    const login = (result as { login?: { accountId: string; amr?: string[] } }).login;
    if (login && mfa.has(login.accountId)) login.amr = ["pwd", "mfa"];
    return finished(req, res, result, more);
  };
  server.on("request", provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
