// SPDX-License-Identifier: MIT
/** Drawing an audit round's sample: pure, so the same candidates and seed always give the same children. */
import { randomBytes } from "node:crypto";
import { seededRandom } from "../../generator/random.ts";

/** A fresh seed to show with a random sample, so anyone can draw it again. */
export const newSampleSeed = (): string => randomBytes(4).toString("hex");

/**
 * @param candidates - Ids the rule found, in a stable order (the caller sorts them).
 * @param size - How many to take.
 * @param seed - Shuffles the candidates (Fisher-Yates from a seeded source); null keeps their order.
 * @returns Up to `size` ids.
 */
export const drawSample = (candidates: readonly string[], size: number, seed: string | null): string[] => {
  const list = [...candidates];
  if (seed !== null) {
    const random = seededRandom(`audit-sample:${seed}`);
    for (let i = list.length - 1; i > 0; i -= 1) {
      const j = random.int(0, i);
      const a = list[i] as string;
      list[i] = list[j] as string;
      list[j] = a;
    }
  }
  return list.slice(0, size);
};
