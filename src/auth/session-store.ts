// SPDX-License-Identifier: MIT
/**
 * Sign-in, sessions and invites. Before someone is signed in there is no partnership context, so the
 * three look-ups by secret (email, session token, invite token) and the sign-in throttles (./throttle.ts)
 * are the only `unsafe` reads; once the row is found, every write runs scoped to its partnership and is
 * audited in the same transaction. A session's token changes whenever its privilege does: a new session
 * at sign-in, another when the second factor is accepted, none after sign-out.
 */
import { sql, type Transaction } from "kysely";
import { appendAudit } from "../audit/audit-log.ts";
import { type HearthDatabase, withPartnershipScope } from "../db/database.ts";
import type { HearthSchema } from "../db/schema.ts";
import { onKey } from "../kernel/sql.ts";
import { verifyAgainstDecoy, verifyPassword } from "./passwords.ts";
import {
  auditFailure,
  type Candidate,
  type CurrentSession,
  insertSession,
  recordSignIn,
  type SessionPolicy,
  type SessionStage,
  stageOf,
} from "./session-rows.ts";
import {
  ACCOUNT_FREE_FAILURES,
  type ClientThrottle,
  secondsToWait,
  throttleKey,
  unsafeClearThrottle,
  unsafeReadThrottle,
  unsafeRecordFailure,
} from "./throttle.ts";
import { hashToken } from "./tokens.ts";

// Split by concern; the names every caller has always imported from here.
export { acceptInvite, type PendingInvite, unsafeFindInvite } from "./invites.ts";
export { markSecondFactorVerified, type SecondFactorOutcome, verifySecondFactor } from "./second-factor.ts";
export type { CurrentSession, SessionPolicy, SessionStage } from "./session-rows.ts";

const TOUCH_INTERVAL_MS = 60_000;

export type SignInOutcome =
  | { kind: "signed-in"; sessionToken: string; next: SessionStage }
  | { kind: "wrong-credentials" }
  | { kind: "throttled"; retryAfterSeconds: number };

// An email address names at most one account in the database (migration 0008).
const unsafeFindSignInCandidate = (database: HearthDatabase, email: string): Promise<Candidate | undefined> =>
  database.unsafeOwnerDb
    .selectFrom("users")
    .select(["partnership_id", "user_id", "role", "agency_id", "password_hash", "totp_confirmed_at"])
    .where(sql<string>`lower(email)`, "=", email.trim().toLowerCase())
    .where("deactivated_at", "is", null)
    .where("password_hash", "is not", null)
    .executeTakeFirst();

const createSession = (
  database: HearthDatabase,
  user: Candidate,
  policy: SessionPolicy,
  request: { ip: string | null; userAgent: string | null },
): Promise<string> =>
  withPartnershipScope(database, user.partnership_id, async (trx) => {
    const now = new Date();
    const { token, sessionId } = await insertSession(trx, user, {
      expiresAt: new Date(now.getTime() + policy.absoluteHours * 3_600_000),
      secondFactorVerifiedAt: null,
      ...request,
    });
    await recordSignIn(trx, user, { at: now, sessionId, ip: request.ip, details: { stage: "password" } });
    return token;
  });

/**
 * Starts a session for a user their partnership's identity provider has vouched for (src/sso/), in the
 * caller's transaction. The provider's multi-factor claim, where the administrator accepts it, stands for
 * Hearth's second factor; otherwise the session waits for Hearth's own code as after a password.
 * @returns The new session's token and id.
 */
export const insertSsoSession = async (
  trx: Transaction<HearthSchema>,
  user: { partnership_id: string; user_id: string; role: string; agency_id: string },
  policy: SessionPolicy,
  values: { providerId: string; providerMfa: boolean; ip: string | null; userAgent: string | null },
): Promise<{ token: string; sessionId: string }> => {
  const now = new Date();
  const session = await insertSession(trx, user, {
    expiresAt: new Date(now.getTime() + policy.absoluteHours * 3_600_000),
    secondFactorVerifiedAt: values.providerMfa ? now : null,
    ip: values.ip,
    userAgent: values.userAgent,
    ssoProviderId: values.providerId,
  });
  await recordSignIn(trx, user, {
    at: now,
    sessionId: session.sessionId,
    ip: values.ip,
    details: { stage: "single sign-on", provider: values.providerId, provider_mfa: values.providerMfa },
  });
  return session;
};

/**
 * Checks an email address and password, throttled by the address typed and by the client. Unknown
 * addresses take the same path (a decoy hash check, the same counting and the same answers), so nothing
 * here tells whether an account exists.
 * @param clients - This process's per-client throttle.
 * @returns A new session token, or why sign-in was refused.
 */
export const signInWithPassword = async (
  database: HearthDatabase,
  policy: SessionPolicy,
  clients: ClientThrottle,
  input: { email: string; password: string; ip: string | null; userAgent: string | null },
): Promise<SignInOutcome> => {
  const client = input.ip ?? "unknown";
  const emailKey = throttleKey("email", input.email);
  const now = new Date();
  const wait = Math.max(
    clients.secondsToWait(client, now),
    secondsToWait(await unsafeReadThrottle(database, emailKey), now),
  );
  // While waiting, the password is not checked, so guessing gains nothing and the wait does not grow.
  if (wait > 0) return { kind: "throttled", retryAfterSeconds: wait };
  const user = await unsafeFindSignInCandidate(database, input.email);
  let correct = false;
  if (user?.password_hash) correct = await verifyPassword(user.password_hash, input.password);
  else await verifyAgainstDecoy(input.password);
  if (user && correct) {
    await unsafeClearThrottle(database, emailKey);
    const sessionToken = await createSession(database, user, policy, input);
    return {
      kind: "signed-in",
      sessionToken,
      next: stageOf(user.role, user.totp_confirmed_at !== null, false),
    };
  }
  clients.recordFailure(client, now);
  const state = await unsafeRecordFailure(database, emailKey, ACCOUNT_FREE_FAILURES);
  if (user) await auditFailure(database, user, input.ip, "password", state);
  return { kind: "wrong-credentials" };
};

/**
 * Finds the live session for a cookie's token: not revoked, not past its absolute lifetime, not idle too
 * long, and its user still active. Refreshes the idle clock at most once a minute.
 * @returns The session with its access context, or undefined.
 */
export const findSession = async (
  database: HearthDatabase,
  policy: SessionPolicy,
  token: string,
  ip: string | null,
): Promise<CurrentSession | undefined> => {
  const row = await database.unsafeOwnerDb
    .selectFrom("sessions")
    .innerJoin("users", (join) => onKey(join, "users.user_id", "sessions.user_id"))
    .innerJoin("partnerships", (join) =>
      onKey(join, "partnerships.partnership_id", "sessions.partnership_id"),
    )
    .select([
      "partnerships.name as partnership_name",
      "sessions.partnership_id",
      "sessions.session_id",
      "sessions.last_seen_at",
      "sessions.expires_at",
      "sessions.second_factor_verified_at",
      "sessions.sso_provider_id",
      "users.user_id",
      "users.role",
      "users.agency_id",
      "users.team_id",
      "users.display_name",
      "users.email",
      "users.totp_confirmed_at",
    ])
    .where("sessions.token_hash", "=", hashToken(token))
    .where("sessions.revoked_at", "is", null)
    .where("users.deactivated_at", "is", null)
    .executeTakeFirst();
  if (!row) return undefined;
  const now = Date.now();
  const idleExpired = row.last_seen_at.getTime() + policy.idleMinutes * 60_000 < now;
  if (idleExpired || row.expires_at.getTime() < now) {
    await withPartnershipScope(database, row.partnership_id, (trx) =>
      trx
        .updateTable("sessions")
        .set({ revoked_at: new Date(), revoked_reason: idleExpired ? "idle timeout" : "lifetime ended" })
        .where("partnership_id", "=", row.partnership_id)
        .where("session_id", "=", row.session_id)
        .execute(),
    );
    return undefined;
  }
  if (now - row.last_seen_at.getTime() > TOUCH_INTERVAL_MS) {
    await withPartnershipScope(database, row.partnership_id, (trx) =>
      trx
        .updateTable("sessions")
        .set({ last_seen_at: new Date() })
        .where("partnership_id", "=", row.partnership_id)
        .where("session_id", "=", row.session_id)
        .execute(),
    );
  }
  return {
    sessionId: row.session_id,
    stage: stageOf(row.role, row.totp_confirmed_at !== null, row.second_factor_verified_at !== null),
    displayName: row.display_name,
    email: row.email,
    partnershipName: row.partnership_name,
    ssoProviderId: row.sso_provider_id,
    context: {
      partnershipId: row.partnership_id,
      userId: row.user_id,
      role: row.role,
      agencyId: row.agency_id,
      teamId: row.team_id,
      sessionId: row.session_id,
      ip,
    },
  };
};

/** Ends one session (sign out). */
export const endSession = (
  database: HearthDatabase,
  session: CurrentSession,
  reason: string,
): Promise<void> =>
  withPartnershipScope(database, session.context.partnershipId, async (trx) => {
    const ctx = session.context;
    await trx
      .updateTable("sessions")
      .set({ revoked_at: new Date(), revoked_reason: reason })
      .where("partnership_id", "=", ctx.partnershipId)
      .where("session_id", "=", session.sessionId)
      .where("revoked_at", "is", null)
      .execute();
    await appendAudit(trx, {
      partnershipId: ctx.partnershipId,
      actor: { userId: ctx.userId, role: ctx.role, agencyId: ctx.agencyId },
      action: "sign-out",
      recordType: "session",
      recordId: session.sessionId,
      ip: ctx.ip,
      details: { reason },
    });
  });
