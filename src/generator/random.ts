// SPDX-License-Identifier: MIT
/** A small seeded random source, so the same seed always generates the same partnership. */
import { createHash } from "node:crypto";

export type Random = {
  /** A float in [0, 1). */
  next: () => number;
  /** An integer in [min, max]. */
  int: (min: number, max: number) => number;
  pick: <T>(items: readonly T[]) => T;
  /** A version-4-shaped UUID drawn from this source. */
  uuid: () => string;
};

/**
 * @param seed - Any text; equal seeds give equal sequences.
 * @param idSalt - Makes the ids distinct while everything else stays equal: the uuids of two sources with
 *   one seed and different salts differ, and their numbers do not (tests generate the same families into
 *   one database as several partnerships).
 * @returns A random source (sfc32 seeded from the seed's SHA-256).
 */
export const seededRandom = (seed: string, idSalt?: string): Random => {
  const digest = createHash("sha256").update(seed).digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  const next = () => nextUint32() / 4_294_967_296;
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    const item = items[int(0, items.length - 1)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  };
  const hex8 = (n: number) => (n + 0x1_0000_0000).toString(16).slice(1);
  const salt = idSalt === undefined ? undefined : createHash("sha256").update(idSalt).digest();
  const saltWord = (i: number) => (salt ? salt.readUInt32LE(i * 4) : 0);
  const uuid = () => {
    // Four draws as 32 hex digits; the version and variant digits are then set, as RFC 4122 asks.
    const a1 = hex8((nextUint32() ^ saltWord(0)) >>> 0);
    const b1 = hex8((nextUint32() ^ saltWord(1)) >>> 0);
    const c1 = hex8((nextUint32() ^ saltWord(2)) >>> 0);
    const d1 = hex8((nextUint32() ^ saltWord(3)) >>> 0);
    const variant = ((Number.parseInt(c1[0] ?? "0", 16) & 0x3) | 0x8).toString(16);
    return `${a1}-${b1.slice(0, 4)}-4${b1.slice(5, 8)}-${variant}${c1.slice(1, 4)}-${c1.slice(4)}${d1}`;
  };
  return { next, int, pick, uuid };
};
