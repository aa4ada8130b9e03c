// SPDX-License-Identifier: MIT
/**
 * Passwords as NCSC and NIST SP 800-63B advise: at least 12 characters, no composition rules, refused
 * when common or built from the person's own details; stored as Argon2id hashes.
 */
import { type Algorithm, hash, verify } from "@node-rs/argon2";
import { dictionary } from "@zxcvbn-ts/language-common";

export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 256;

const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  (dictionary["passwords-common"] as string[]).map((p) => p.toLowerCase()),
);

/**
 * Says what is wrong with a proposed password, in words for the person choosing it.
 * @param password - The proposed password.
 * @param personal - Words the password must not be built from (email, name).
 * @returns A message, or null when the password is acceptable.
 */
export const passwordProblem = (password: string, personal: string[] = []): string | null => {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return `Password must be ${MIN_PASSWORD_LENGTH} characters or more`;
  }
  if (password.length > MAX_PASSWORD_LENGTH)
    return `Password must be ${MAX_PASSWORD_LENGTH} characters or fewer`;
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower) || /^(.)\1+$/.test(password) || lower.includes("hearth")) {
    return "Password is too common: choose a password that is harder to guess, such as three random words";
  }
  const personalWords = personal
    .flatMap((p) => p.toLowerCase().split(/[^a-z0-9]+/))
    .filter((word) => word.length >= 4);
  if (personalWords.some((word) => lower.includes(word))) {
    return "Password must not contain your name or email address";
  }
  return null;
};

// Algorithm is a const enum, which isolated modules cannot read: 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;
const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 };

/** @returns An Argon2id PHC string for the password. */
export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2_OPTIONS);

/** @returns Whether the password matches the stored Argon2id hash. */
export const verifyPassword = async (storedHash: string, password: string): Promise<boolean> => {
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
};

// Verifying against this when no account matches keeps the response time the same, so timing does not
// reveal which email addresses have accounts.
let decoyHash: Promise<string> | undefined;
export const verifyAgainstDecoy = async (password: string): Promise<void> => {
  decoyHash ??= hashPassword("decoy password that matches no account");
  await verifyPassword(await decoyHash, password);
};
