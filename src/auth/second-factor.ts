// SPDX-License-Identifier: MIT
/**
 * The second factor: a code checked for a session waiting on it, throttled per account. Passing it replaces
 * the session by a new one, so a token seen before the second factor opens nothing afterwards.
 */
import type { Transaction } from "kysely";
import { appendAudit } from "../audit/audit-log.ts";
import { type HearthDatabase, withPartnershipScope } from "../db/database.ts";
import type { HearthSchema } from "../db/schema.ts";
import { auditFailure, type CurrentSession, insertSession } from "./session-rows.ts";
import {
  ACCOUNT_FREE_FAILURES,
  secondsToWait,
  throttleKey,
  unsafeClearThrottle,
  unsafeReadThrottle,
  unsafeRecordFailure,
} from "./throttle.ts";
import { acceptTotpCode } from "./totp.ts";

/**
 * Replaces a session by a new one that has passed its second factor: a change of privilege gets a new
 * token, so a token seen before the second factor opens nothing afterwards. Keeps the original absolute
 * lifetime. Runs inside the caller's transaction.
 * @returns The new session's token.
 */
const replaceWithVerifiedSession = async (
  trx: Transaction<HearthSchema>,
  session: CurrentSession,
): Promise<string> => {
  const ctx = session.context;
  const old = await trx
    .updateTable("sessions")
    .set({ revoked_at: new Date(), revoked_reason: "replaced after the second factor" })
    .where("partnership_id", "=", ctx.partnershipId)
    .where("session_id", "=", session.sessionId)
    .where("revoked_at", "is", null)
    .returning(["expires_at", "user_agent"])
    .executeTakeFirstOrThrow();
  const { token, sessionId } = await insertSession(
    trx,
    { partnership_id: ctx.partnershipId, user_id: ctx.userId },
    { expiresAt: old.expires_at, secondFactorVerifiedAt: new Date(), ip: ctx.ip, userAgent: old.user_agent },
  );
  await appendAudit(trx, {
    partnershipId: ctx.partnershipId,
    actor: { userId: ctx.userId, role: ctx.role, agencyId: ctx.agencyId },
    action: "sign-in",
    recordType: "session",
    recordId: sessionId,
    ip: ctx.ip,
    details: { stage: "second factor", replaces: session.sessionId },
  });
  return token;
};

export type SecondFactorOutcome =
  | { kind: "ok"; sessionToken: string }
  | { kind: "wrong-code" }
  | { kind: "throttled"; retryAfterSeconds: number };

/**
 * Checks a second-factor code for a session waiting on it; wrong codes are throttled per account. An
 * accepted code replaces the session by a new one.
 * @returns The new session token, or why the code was refused.
 */
export const verifySecondFactor = async (
  database: HearthDatabase,
  session: CurrentSession,
  code: string,
): Promise<SecondFactorOutcome> => {
  const ctx = session.context;
  const key = throttleKey("second-factor", `${ctx.partnershipId}/${ctx.userId}`);
  const wait = secondsToWait(await unsafeReadThrottle(database, key), new Date());
  if (wait > 0) return { kind: "throttled", retryAfterSeconds: wait };
  const sessionToken = await withPartnershipScope(database, ctx.partnershipId, async (trx) => {
    const user = await trx
      .selectFrom("users")
      .select(["totp_secret", "totp_last_step"])
      .where("partnership_id", "=", ctx.partnershipId)
      .where("user_id", "=", ctx.userId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const step = user.totp_secret ? acceptTotpCode(user.totp_secret, code, user.totp_last_step) : null;
    if (step === null) return null;
    await trx
      .updateTable("users")
      .set({ totp_last_step: step })
      .where("partnership_id", "=", ctx.partnershipId)
      .where("user_id", "=", ctx.userId)
      .execute();
    return replaceWithVerifiedSession(trx, session);
  });
  if (sessionToken) {
    await unsafeClearThrottle(database, key);
    return { kind: "ok", sessionToken };
  }
  const state = await unsafeRecordFailure(database, key, ACCOUNT_FREE_FAILURES);
  await auditFailure(
    database,
    {
      partnership_id: ctx.partnershipId,
      user_id: ctx.userId,
      role: ctx.role,
      agency_id: ctx.agencyId,
      password_hash: null,
      totp_confirmed_at: null,
    },
    ctx.ip,
    "second factor",
    state,
  );
  return { kind: "wrong-code" };
};

/**
 * Marks the session as having passed its second factor (after enrolment, which proves the code) by
 * replacing it with a new one.
 * @returns The new session's token.
 */
export const markSecondFactorVerified = (
  database: HearthDatabase,
  session: CurrentSession,
): Promise<string> =>
  withPartnershipScope(database, session.context.partnershipId, (trx) =>
    replaceWithVerifiedSession(trx, session),
  );
