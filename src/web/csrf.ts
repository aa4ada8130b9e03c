// SPDX-License-Identifier: MIT
/**
 * CSRF tokens bound to the session. A signed-in browser's tokens are made from a secret derived from its
 * session id and the server's secret, so they change whenever the session does (sign-in, second factor,
 * sign-out) and a token or cookie planted from another browser is worthless with this session. Before
 * sign-in (the sign-in and invite forms) the secret is a random value in a signed cookie, which sign-in
 * and sign-out throw away. Each page gets a freshly salted token, so the token on a page never repeats.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const mac = (key: Buffer | string, text: string): Buffer => createHmac("sha256", key).update(text).digest();

/** @returns The CSRF secret of a session: no one without the server's secret can derive it. */
export const sessionCsrfSecret = (serverSecret: string, sessionId: string): Buffer =>
  mac(serverSecret, `csrf:session:${sessionId}`);

/** @returns A new random secret for a browser that is not signed in. */
export const newPreSessionCsrfSecret = (): string => randomBytes(32).toString("base64url");

/** @returns A token for a form: a random salt and its MAC under the secret. */
export const newCsrfToken = (secret: Buffer | string): string => {
  const salt = randomBytes(16).toString("base64url");
  return `${salt}.${mac(secret, salt).toString("base64url")}`;
};

/** @returns Whether a token posted with a form was made from this secret. */
export const csrfTokenMatches = (secret: Buffer | string, token: unknown): boolean => {
  if (typeof token !== "string" || token.length > 200) return false;
  const [salt, given, extra] = token.split(".");
  if (!salt || !given || extra !== undefined) return false;
  const expected = mac(secret, salt);
  const actual = Buffer.from(given, "base64url");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
};
