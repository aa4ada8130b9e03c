// SPDX-License-Identifier: MIT
/**
 * CSRF tokens bound to the session. A signed-in browser's tokens are made from a secret derived from its
 * session id and the server's secret, so they change whenever the session does (sign-in, second factor,
 * sign-out) and a token or cookie planted from another browser is worthless with this session. Before
 * sign-in (the sign-in and invite forms) the secret is a random value in a signed cookie, which sign-in
 * and sign-out throw away. Tokens are made and checked by @fastify/csrf (a fresh salt per page, compared
 * in constant time); only the choice of secret is Hearth's.
 */
import { createHmac } from "node:crypto";
import Tokens from "@fastify/csrf";

const tokens = Tokens({ saltLength: 16, secretLength: 32 });

/** @returns The CSRF secret of a session: no one without the server's secret can derive it. */
export const sessionCsrfSecret = (serverSecret: string, sessionId: string): string =>
  createHmac("sha256", serverSecret).update(`csrf:session:${sessionId}`).digest("base64url");

/** @returns A new random secret for a browser that is not signed in. */
export const newPreSessionCsrfSecret = (): string => tokens.secretSync();

/** @returns A token for a form, freshly salted, made from the secret. */
export const newCsrfToken = (secret: string): string => tokens.create(secret);

/** @returns Whether a token posted with a form was made from this secret. */
export const csrfTokenMatches = (secret: string, token: unknown): boolean =>
  typeof token === "string" && token.length <= 200 && tokens.verify(secret, token);
