// SPDX-License-Identifier: MIT
/**
 * Throttling of failed sign-ins: after a few failures each further attempt waits a short back-off that
 * doubles up to a cap, instead of a lock. A stranger can slow an account down for minutes at most, never
 * shut its owner out, and a correct password after the wait still works. The same rule throttles the
 * email address typed (held in the database, so every process sees it, and kept for unknown addresses
 * too, so the answer never tells whether an account exists), each client (held per process, so one
 * address trying many accounts slows down) and each account's second-factor codes.
 */
import { sql } from "kysely";
import type { HearthDatabase } from "../db/database.ts";
import { hashToken } from "./tokens.ts";

/** The first wait, once the free failures are used up. */
export const FIRST_WAIT_MS = 1_000;
/** The longest wait, however many failures. */
export const MAX_WAIT_MS = 5 * 60_000;
/** Failures older than this are forgotten: the count starts again. */
export const FORGET_AFTER_MS = 60 * 60_000;
/** Wrong passwords (or codes) for one email address (or account) before waits begin. */
export const ACCOUNT_FREE_FAILURES = 5;
/** Failed sign-ins from one client, whatever the account, before waits begin (offices share addresses). */
export const CLIENT_FREE_FAILURES = 20;

/** Failures counted under one key. */
export type ThrottleState = { failures: number; lastFailureAt: Date; notBefore: Date | null };

/**
 * The wait after a number of consecutive failures.
 * @returns 0 while failures are free, then 1 s doubling per failure up to {@link MAX_WAIT_MS}.
 */
export const backOffMs = (failures: number, freeFailures: number): number =>
  failures < freeFailures ? 0 : Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** (failures - freeFailures));

/** @returns The state after one more failure at `now`, forgetting failures older than the window. */
export const afterFailure = (
  state: ThrottleState | undefined,
  now: Date,
  freeFailures: number,
): ThrottleState => {
  const stale = !state || now.getTime() - state.lastFailureAt.getTime() > FORGET_AFTER_MS;
  const failures = stale ? 1 : state.failures + 1;
  const wait = backOffMs(failures, freeFailures);
  return { failures, lastFailureAt: now, notBefore: wait > 0 ? new Date(now.getTime() + wait) : null };
};

/** @returns How many whole seconds (at least 1) are left to wait, or 0 when an attempt may be made now. */
export const secondsToWait = (state: ThrottleState | undefined, now: Date): number => {
  const left = (state?.notBefore?.getTime() ?? 0) - now.getTime();
  return left > 0 ? Math.ceil(left / 1000) : 0;
};

/** A database throttle key: the hash of what it counts, so neither email nor network addresses are kept. */
export const throttleKey = (kind: "email" | "second-factor", value: string): string =>
  hashToken(`${kind}:${value.trim().toLowerCase()}`);

/** @returns The throttle state held in the database under a key. */
export const unsafeReadThrottle = async (
  database: HearthDatabase,
  key: string,
): Promise<ThrottleState | undefined> => {
  const row = await database.unsafeOwnerDb
    .selectFrom("sign_in_throttles")
    .select(["failures", "last_failure_at", "not_before"])
    .where("key_hash", "=", key)
    .executeTakeFirst();
  return row
    ? { failures: row.failures, lastFailureAt: row.last_failure_at, notBefore: row.not_before }
    : undefined;
};

/**
 * Counts one more failure under a key in the database (and forgets other keys' failures that are older
 * than the window, so the table holds only the last hour's).
 * @returns The new state.
 */
export const unsafeRecordFailure = async (
  database: HearthDatabase,
  key: string,
  freeFailures: number,
): Promise<ThrottleState> =>
  database.unsafeOwnerDb.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("sign_in_throttles")
      .select(["failures", "last_failure_at", "not_before"])
      .where("key_hash", "=", key)
      .forUpdate()
      .executeTakeFirst();
    const next = afterFailure(
      row && { failures: row.failures, lastFailureAt: row.last_failure_at, notBefore: row.not_before },
      new Date(),
      freeFailures,
    );
    const values = {
      failures: next.failures,
      last_failure_at: next.lastFailureAt,
      not_before: next.notBefore,
    };
    await trx
      .insertInto("sign_in_throttles")
      .values({ key_hash: key, ...values })
      .onConflict((oc) => oc.column("key_hash").doUpdateSet(values))
      .execute();
    await trx
      .deleteFrom("sign_in_throttles")
      .where("last_failure_at", "<", sql<Date>`now() - make_interval(secs => ${FORGET_AFTER_MS / 1000})`)
      .execute();
    return next;
  });

/** Forgets a key's failures (after a correct password or code). */
export const unsafeClearThrottle = async (database: HearthDatabase, key: string): Promise<void> => {
  await database.unsafeOwnerDb.deleteFrom("sign_in_throttles").where("key_hash", "=", key).execute();
};

/** Failed sign-ins per client address, in this process's memory (a first line, like the rate limiter). */
export class ClientThrottle {
  readonly #states = new Map<string, ThrottleState>();

  /** @returns Seconds the client must wait before trying again, 0 if it may try now. */
  secondsToWait(client: string, now = new Date()): number {
    return secondsToWait(this.#states.get(client), now);
  }

  /** Counts one failure from the client. */
  recordFailure(client: string, now = new Date()): void {
    this.#states.set(client, afterFailure(this.#states.get(client), now, CLIENT_FREE_FAILURES));
    // Bounded memory: forget clients whose last failure is outside the window.
    if (this.#states.size > 10_000) {
      for (const [key, state] of this.#states)
        if (now.getTime() - state.lastFailureAt.getTime() > FORGET_AFTER_MS) this.#states.delete(key);
    }
  }
}
