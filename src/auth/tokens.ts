// SPDX-License-Identifier: MIT
/** Random bearer tokens (sessions, invites). Only their SHA-256 is stored, so a leaked table opens nothing. */
import { createHash, randomBytes } from "node:crypto";

export const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");

/** @returns A fresh 256-bit URL-safe token and the hash to store. */
export const newToken = (): { token: string; tokenHash: string } => {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashToken(token) };
};
