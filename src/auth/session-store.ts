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
import type { AccessContext } from "../data/access-context.ts";
import { type HearthDatabase, withPartnershipScope } from "../db/database.ts";
import type { HearthSchema } from "../db/schema.ts";
import { ROLES_REQUIRING_SECOND_FACTOR, type Role } from "../organisation/codes.ts";
import { hashPassword, passwordProblem, verifyAgainstDecoy, verifyPassword } from "./passwords.ts";
import {
  ACCOUNT_FREE_FAILURES,
  type ClientThrottle,
  secondsToWait,
  type ThrottleState,
  throttleKey,
  unsafeClearThrottle,
  unsafeReadThrottle,
  unsafeRecordFailure,
} from "./throttle.ts";
import { hashToken, newToken } from "./tokens.ts";
import { acceptTotpCode } from "./totp.ts";

const TOUCH_INTERVAL_MS = 60_000;

export type SessionPolicy = { idleMinutes: number; absoluteHours: number };

export type SignInOutcome =
  | { kind: "signed-in"; sessionToken: string; next: SessionStage }
  | { kind: "wrong-credentials" }
  | { kind: "throttled"; retryAfterSeconds: number };

/** Where a session stands: fully signed in, or waiting for the second factor (to check or to set up). */
export type SessionStage = "complete" | "second-factor" | "set-up-second-factor";

export type CurrentSession = {
  sessionId: string;
  stage: SessionStage;
  context: AccessContext;
  displayName: string;
  email: string;
  /** The identity provider the session signed in through, if any (for sign-out). */
  ssoProviderId?: string | null;
};

const stageOf = (role: Role, totpConfirmed: boolean, verified: boolean): SessionStage => {
  if (totpConfirmed) return verified ? "complete" : "second-factor";
  return ROLES_REQUIRING_SECOND_FACTOR.has(role) ? "set-up-second-factor" : "complete";
};

type Candidate = {
  partnership_id: string;
  user_id: string;
  role: Role;
  agency_id: string;
  password_hash: string | null;
  totp_confirmed_at: Date | null;
};

// An email address names at most one account in the database (migration 0008).
const unsafeFindSignInCandidate = (database: HearthDatabase, email: string): Promise<Candidate | undefined> =>
  database.unsafeOwnerDb
    .selectFrom("users")
    .select(["partnership_id", "user_id", "role", "agency_id", "password_hash", "totp_confirmed_at"])
    .where(sql<string>`lower(email)`, "=", email.trim().toLowerCase())
    .where("deactivated_at", "is", null)
    .where("password_hash", "is not", null)
    .executeTakeFirst();

const actorOf = (c: { user_id: string; role: string; agency_id: string }) => ({
  userId: c.user_id,
  role: c.role,
  agencyId: c.agency_id,
});

/** Records a wrong password or code in the account's own partnership's audit chain. */
const auditFailure = (
  database: HearthDatabase,
  user: Candidate,
  ip: string | null,
  what: "password" | "second factor",
  state: ThrottleState,
): Promise<void> =>
  withPartnershipScope(database, user.partnership_id, (trx) =>
    appendAudit(trx, {
      partnershipId: user.partnership_id,
      actor: actorOf(user),
      action: "sign-in-failed",
      recordType: "user",
      recordId: user.user_id,
      ip,
      details: {
        failed: what,
        consecutive_failures: state.failures,
        wait_seconds: secondsToWait(state, state.lastFailureAt),
      },
    }),
  );

const insertSession = async (
  trx: Transaction<HearthSchema>,
  user: { partnership_id: string; user_id: string },
  values: {
    expiresAt: Date;
    secondFactorVerifiedAt: Date | null;
    ip: string | null;
    userAgent: string | null;
    ssoProviderId?: string | null;
  },
): Promise<{ token: string; sessionId: string }> => {
  const { token, tokenHash } = newToken();
  const sessionId = crypto.randomUUID();
  await trx
    .insertInto("sessions")
    .values({
      partnership_id: user.partnership_id,
      session_id: sessionId,
      user_id: user.user_id,
      token_hash: tokenHash,
      last_seen_at: new Date(),
      expires_at: values.expiresAt,
      second_factor_verified_at: values.secondFactorVerifiedAt,
      ip: values.ip,
      user_agent: values.userAgent?.slice(0, 300) ?? null,
      sso_provider_id: values.ssoProviderId ?? null,
    })
    .execute();
  return { token, sessionId };
};

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
    await trx
      .updateTable("users")
      .set({ last_sign_in_at: now })
      .where("partnership_id", "=", user.partnership_id)
      .where("user_id", "=", user.user_id)
      .execute();
    await appendAudit(trx, {
      partnershipId: user.partnership_id,
      actor: actorOf(user),
      action: "sign-in",
      recordType: "session",
      recordId: sessionId,
      ip: request.ip,
      details: { stage: "password" },
    });
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
  await trx
    .updateTable("users")
    .set({ last_sign_in_at: now })
    .where("partnership_id", "=", user.partnership_id)
    .where("user_id", "=", user.user_id)
    .execute();
  await appendAudit(trx, {
    partnershipId: user.partnership_id,
    actor: actorOf(user),
    action: "sign-in",
    recordType: "session",
    recordId: session.sessionId,
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
    .innerJoin("users", (join) =>
      join
        .onRef("users.partnership_id", "=", "sessions.partnership_id")
        .onRef("users.user_id", "=", "sessions.user_id"),
    )
    .select([
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

export type PendingInvite = {
  partnershipId: string;
  inviteId: string;
  userId: string;
  email: string;
  displayName: string;
  role: Role;
};

/** @returns The unused, unexpired invite for a link's token, or undefined. */
export const unsafeFindInvite = async (
  database: HearthDatabase,
  token: string,
): Promise<PendingInvite | undefined> => {
  const row = await database.unsafeOwnerDb
    .selectFrom("invites")
    .innerJoin("users", (join) =>
      join
        .onRef("users.partnership_id", "=", "invites.partnership_id")
        .onRef("users.user_id", "=", "invites.user_id"),
    )
    .select([
      "invites.partnership_id",
      "invites.invite_id",
      "invites.user_id",
      "users.email",
      "users.display_name",
      "users.role",
    ])
    .where("invites.token_hash", "=", hashToken(token))
    .where("invites.used_at", "is", null)
    .where("invites.expires_at", ">", new Date())
    .where("users.deactivated_at", "is", null)
    .where("users.password_hash", "is", null)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    partnershipId: row.partnership_id,
    inviteId: row.invite_id,
    userId: row.user_id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
  };
};

/**
 * Accepts an invite: sets the password and uses up the link, in one transaction.
 * @returns null when done, or the message for the password field.
 */
export const acceptInvite = async (
  database: HearthDatabase,
  invite: PendingInvite,
  password: string,
  ip: string | null,
): Promise<string | null> => {
  const problem = passwordProblem(password, [invite.email, invite.displayName]);
  if (problem) return problem;
  const passwordHash = await hashPassword(password);
  return withPartnershipScope(database, invite.partnershipId, async (trx) => {
    const used = await trx
      .updateTable("invites")
      .set({ used_at: new Date() })
      .where("partnership_id", "=", invite.partnershipId)
      .where("invite_id", "=", invite.inviteId)
      .where("used_at", "is", null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) return "This invite link has already been used";
    await trx
      .updateTable("users")
      .set({ password_hash: passwordHash })
      .where("partnership_id", "=", invite.partnershipId)
      .where("user_id", "=", invite.userId)
      .execute();
    await appendAudit(trx, {
      partnershipId: invite.partnershipId,
      actor: null,
      action: "accept-invite",
      recordType: "user",
      recordId: invite.userId,
      ip,
    });
    return null;
  });
};
