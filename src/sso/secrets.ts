// SPDX-License-Identifier: MIT
/**
 * A provider's client secret is stored encrypted (AES-256-GCM) under a key derived from
 * HEARTH_SESSION_SECRET, so a copy of the database alone, or a backup, does not give it away.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const keyFrom = (sessionSecret: string): Buffer =>
  Buffer.from(hkdfSync("sha256", sessionSecret, "hearth", "sso client secret", 32));

/** @returns iv.tag.ciphertext, each base64url. */
export const encryptSecret = (sessionSecret: string, plain: string): string => {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFrom(sessionSecret), iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString("base64url")).join(".");
};

/** @returns The secret, or undefined when it was stored under another HEARTH_SESSION_SECRET. */
export const decryptSecret = (sessionSecret: string, stored: string): string | undefined => {
  const [iv, tag, body] = stored.split(".").map((part) => Buffer.from(part, "base64url"));
  if (!iv || !tag || !body) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyFrom(sessionSecret), iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
};
