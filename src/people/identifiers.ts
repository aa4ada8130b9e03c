// SPDX-License-Identifier: MIT
/**
 * National identifiers, checked before they are stored: the NHS number's modulus-11 check digit and the
 * Unique Pupil Number's check letter (DfE algorithm, modulus 23). Pure functions, no I/O, shared by
 * validation and by the synthetic generator.
 */

/** Removes the spaces and hyphens people type inside identifiers. */
const compact = (value: string): string => value.replace(/[\s-]/g, "").toUpperCase();

/**
 * The NHS number's check digit for its first nine digits: weights 10 down to 2, 11 - (sum mod 11), where
 * 11 becomes 0 and 10 means no valid NHS number begins with these nine digits.
 * @param firstNine - Nine digits.
 * @returns The check digit (0-9), or undefined when the nine digits cannot start an NHS number.
 */
export const nhsCheckDigit = (firstNine: string): number | undefined => {
  if (!/^[0-9]{9}$/.test(firstNine)) return undefined;
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += (firstNine.charCodeAt(i) - 48) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return undefined;
  return check === 11 ? 0 : check;
};

/**
 * @param value - A candidate NHS number; spaces are not accepted here (normalise first).
 * @returns Whether it is ten digits with a correct check digit.
 */
export const isValidNhsNumber = (value: string): boolean =>
  /^[0-9]{10}$/.test(value) && nhsCheckDigit(value.slice(0, 9)) === Number(value[9]);

/** The UPN check letters, indexed by remainder: I, O and S are never used. */
export const UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ";

/**
 * The UPN's check letter (character 1) for characters 2-13: each character times its position (2-13),
 * a letter in position 13 (a temporary UPN) counting as its index in the check-letter table; the sum
 * mod 23 indexes the table.
 * @param rest - The twelve characters after the check letter: eleven digits, then a digit or letter.
 * @returns The check letter, or undefined when `rest` is not of that shape.
 */
export const upnCheckLetter = (rest: string): string | undefined => {
  if (!/^[0-9]{11}[0-9ABCDEFGHJKLMNPQRTUVWXYZ]$/.test(rest)) return undefined;
  let sum = 0;
  for (let i = 0; i < 12; i += 1) {
    const code = rest.charCodeAt(i);
    const value = code >= 48 && code <= 57 ? code - 48 : UPN_CHECK_LETTERS.indexOf(rest[i] ?? "");
    sum += value * (i + 2);
  }
  return UPN_CHECK_LETTERS[sum % 23];
};

/**
 * @param value - A candidate UPN (upper case).
 * @returns Whether it is thirteen characters with a correct check letter.
 */
export const isValidUpn = (value: string): boolean =>
  value.length === 13 && upnCheckLetter(value.slice(1)) === value[0];

/**
 * Builds a permanent UPN.
 * @param localAuthority - Three-digit LA code.
 * @param establishment - Four-digit establishment number.
 * @param serial - Five-digit serial (year of allocation and sequence), 0-99999.
 */
export const makeUpn = (localAuthority: string, establishment: string, serial: number): string => {
  const rest = `${localAuthority}${establishment}${String(serial).padStart(5, "0")}`;
  const letter = upnCheckLetter(rest);
  if (!letter) throw new Error(`cannot make a UPN from ${rest}`);
  return `${letter}${rest}`;
};

/** @returns The NHS number as ten digits if it is valid, otherwise a message saying what is wrong. */
export const checkNhsNumber = (
  input: string,
): { ok: true; value: string } | { ok: false; message: string } => {
  const value = compact(input);
  if (!/^\d{10}$/.test(value)) return { ok: false, message: "NHS number must be 10 digits" };
  if (!isValidNhsNumber(value)) {
    return {
      ok: false,
      message: "NHS number is not valid: check the digits (its check digit does not match)",
    };
  }
  return { ok: true, value };
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
  if (!isValidUpn(value)) {
    return { ok: false, message: "UPN is not valid: its check letter does not match the rest of the number" };
  }
  return { ok: true, value };
};
