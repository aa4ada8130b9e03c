// SPDX-License-Identifier: MIT
/** Time-based one-time passwords (RFC 6238) for the second factor, through otpauth. */
import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";

const PERIOD_SECONDS = 30;

const totpFor = (secretBase32: string, label = "Hearth") =>
  new TOTP({
    issuer: "Hearth",
    label,
    algorithm: "SHA1",
    digits: 6,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });

/** @returns A new random base32 secret (160 bits). */
export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

/**
 * Checks a code and returns the time step it belongs to, so a code can be refused if it was used before.
 * @param secretBase32 - The user's secret.
 * @param code - What the user typed (spaces allowed).
 * @param lastUsedStep - The step of the last accepted code, to refuse replays.
 * @returns The accepted step, or null if the code is wrong or already used.
 */
export const acceptTotpCode = (
  secretBase32: string,
  code: string,
  lastUsedStep: number | null,
): number | null => {
  const token = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  const timestamp = Date.now();
  const delta = totpFor(secretBase32).validate({ token, timestamp, window: 1 });
  if (delta === null) return null;
  const step = Math.floor(timestamp / 1000 / PERIOD_SECONDS) + delta;
  if (lastUsedStep !== null && step <= lastUsedStep) return null;
  return step;
};

/**
 * The code for a secret now, or some periods ahead: for the demo CLI and tests, never shown in the web app.
 * @param stepsAhead - 1 gives the next period's code, still accepted now, for a second sign-in in one period.
 */
export const currentTotpCode = (secretBase32: string, stepsAhead = 0): string =>
  totpFor(secretBase32).generate({ timestamp: Date.now() + stepsAhead * PERIOD_SECONDS * 1000 });

/** @returns The otpauth:// URI and a QR code of it as inline SVG, for enrolling an authenticator app. */
export const totpEnrolment = async (
  secretBase32: string,
  email: string,
): Promise<{ uri: string; qrSvg: string }> => {
  const uri = totpFor(secretBase32, email).toString();
  const qrSvg = await QRCode.toString(uri, { type: "svg", margin: 2, width: 200 });
  return { uri, qrSvg };
};
