// SPDX-License-Identifier: MIT
/**
 * National identifiers, checked before they are stored: the NHS number's modulus-11 check digit and the
 * Unique Pupil Number's check letter (DfE algorithm). Pure functions, no I/O.
 */

/** Removes the spaces and hyphens people type inside identifiers. */
const compact = (value: string): string => value.replace(/[\s-]/g, "").toUpperCase();

/**
 * @param digits - The first nine digits of an NHS number.
 * @returns The check digit, or undefined when the remainder gives 10 (no valid number has those digits).
 */
export const nhsCheckDigit = (digits: string): number | undefined => {
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(digits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return undefined;
  return check;
};

/** @returns The NHS number as ten digits if it is valid, otherwise a message saying what is wrong. */
export const checkNhsNumber = (
  input: string,
): { ok: true; value: string } | { ok: false; message: string } => {
  const value = compact(input);
  if (!/^\d{10}$/.test(value)) return { ok: false, message: "NHS number must be 10 digits" };
  if (nhsCheckDigit(value.slice(0, 9)) !== Number(value[9])) {
    return {
      ok: false,
      message: "NHS number is not valid: check the digits (its check digit does not match)",
    };
  }
  return { ok: true, value };
};

/** The DfE check-letter alphabet: 23 letters without I, O and S. */
const UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ";

/**
 * @param rest - Characters 2 to 13 of a UPN.
 * @returns The check letter for them.
 */
export const upnCheckLetter = (rest: string): string => {
  let sum = 0;
  for (let i = 0; i < 12; i += 1) {
    const char = rest[i] ?? "";
    const value = /\d/.test(char) ? Number(char) : UPN_LETTERS.indexOf(char);
    sum += value * (i + 2);
  }
  return UPN_LETTERS[sum % 23] ?? "";
};

/** @returns The UPN if it is valid, otherwise a message saying what is wrong. */
export const checkUpn = (input: string): { ok: true; value: string } | { ok: false; message: string } => {
  const value = compact(input);
  if (!/^[A-Z]\d{11}[0-9A-HJ-NP-RT-Z]$/.test(value)) {
    return {
      ok: false,
      message:
        "UPN must be 13 characters: a letter, 11 digits, then a digit or letter (for example A123456789012)",
    };
  }
  if (upnCheckLetter(value.slice(1)) !== value[0]) {
    return { ok: false, message: "UPN is not valid: its check letter does not match the rest of the number" };
  }
  return { ok: true, value };
};
