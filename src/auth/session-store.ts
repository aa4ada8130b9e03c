// SPDX-License-Identifier: MIT
/**
 * Sign-in, sessions and invites. Before someone is signed in there is no partnership context, so the
 * three look-ups by secret (email, session token, invite token) are the only `unsafe` reads; once the row
 * is found, every write runs scoped to its partnership and is audited in the same transaction.
 */
import { appendAudit } from "../audit/audit-log.ts";
import type { AccessContext } from "../data/access-context.ts";
import { type HearthDatabase, withPartnershipScope } from "../db/database.ts";
import { ROLES_REQUIRING_SECOND_FACTOR, type Role } from "../organisation/codes.ts";
import { hashPassword, passwordProblem, verifyAgainstDecoy, verifyPassword } from "./passwords.ts";
import { hashToken, newToken } from "./tokens.ts";
import { acceptTotpCode } from "./totp.ts";

/** After this many wrong passwords or codes in a row, the account is locked for {@link LOCKOUT_MINUTES}. */
export const MAX_FAILED_ATTEMPTS = 5;
export const LOCKOUT_MINUTES = 15;
const TOUCH_INTERVAL_MS = 60_000;

export type SessionPolicy = { idleMinutes: number; absoluteHours: number };

export type SignInOutcome =
  | { kind: "signed-in"; sessionToken: string; next: SessionStage }
  | { kind: "wrong-credentials" }
  | { kind: "locked"; until: Date };

/** Where a session stands: fully signed in, or waiting for the second factor (to check or to set up). */
export type SessionStage = "complete" | "second-factor" | "set-up-second-factor";

export type CurrentSession = {
  sessionId: string;
  stage: SessionStage;
  context: AccessContext;
  displayName: string;
  email: string;
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
  locked_until: Date | null;
  failed_sign_in_count: number;
  totp_confirmed_at: Date | null;
};

const unsafeFindSignInCandidates = (database: HearthDatabase, email: string): Promise<Candidate[]> =>
  database.unsafeOwnerDb
    .selectFrom("users")
    .select([
      "partnership_id",
      "user_id",
      "role",
      "agency_id",
      "password_hash",
      "locked_until",
      "failed_sign_in_count",
      "totp_confirmed_at",
    ])
    .where("email", "=", email.trim().toLowerCase())
    .where("deactivated_at", "is", null)
    .where("password_hash", "is not", null)
    .execute();

const actorOf = (c: { user_id: string; role: string; agency_id: string }) => ({
  userId: c.user_id,
  role: c.role,
  agencyId: c.agency_id,
});

/** Records a failed password or code and locks the account when the failures reach the limit. */
const recordFailure = (
  database: HearthDatabase,
  user: Candidate,
  ip: string | null,
  what: "password" | "second factor",
): Promise<Date | null> =>
  withPartnershipScope(database, user.partnership_id, async (trx) => {
    const failures = user.failed_sign_in_count + 1;
    const lockedUntil =
      failures >= MAX_FAILED_ATTEMPTS ? new Date(Date.now() + LOCKOUT_MINUTES * 60_000) : null;
    await trx
      .updateTable("users")
      .set({ failed_sign_in_count: lockedUntil ? 0 : failures, locked_until: lockedUntil })
      .where("partnership_id", "=", user.partnership_id)
      .where("user_id", "=", user.user_id)
      .execute();
    await appendAudit(trx, {
      partnershipId: user.partnership_id,
      actor: actorOf(user),
      action: lockedUntil ? "account-locked" : "sign-in-failed",
      recordType: "user",
      recordId: user.user_id,
      ip,
      details: { failed: what, consecutive_failures: failures },
    });
    return lockedUntil;
  });

const createSession = (
  database: HearthDatabase,
  user: Candidate,
  policy: SessionPolicy,
  request: { ip: string | null; userAgent: string | null },
): Promise<string> =>
  withPartnershipScope(database, user.partnership_id, async (trx) => {
    const now = new Date();
    const { token, tokenHash } = newToken();
    const sessionId = crypto.randomUUID();
    await trx
      .insertInto("sessions")
      .values({
        partnership_id: user.partnership_id,
        session_id: sessionId,
        user_id: user.user_id,
        token_hash: tokenHash,
        last_seen_at: now,
        expires_at: new Date(now.getTime() + policy.absoluteHours * 3_600_000),
        ip: request.ip,
        user_agent: request.userAgent?.slice(0, 300) ?? null,
      })
      .execute();
    await trx
      .updateTable("users")
      .set({ failed_sign_in_count: 0, locked_until: null, last_sign_in_at: now })
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
 * Checks an email address and password, with lockout after repeated failures.
 * @returns A new session token, or why sign-in was refused.
 */
export const signInWithPassword = async (
  database: HearthDatabase,
  policy: SessionPolicy,
  input: { email: string; password: string; ip: string | null; userAgent: string | null },
): Promise<SignInOutcome> => {
  const candidates = await unsafeFindSignInCandidates(database, input.email);
  if (candidates.length === 0) {
    await verifyAgainstDecoy(input.password);
    return { kind: "wrong-credentials" };
  }
  let lockedUntil: Date | null = null;
  for (const user of candidates) {
    if (user.locked_until && user.locked_until > new Date()) {
      lockedUntil = user.locked_until;
      continue;
    }
    if (user.password_hash && (await verifyPassword(user.password_hash, input.password))) {
      const sessionToken = await createSession(database, user, policy, input);
      return {
        kind: "signed-in",
        sessionToken,
        next: stageOf(user.role, user.totp_confirmed_at !== null, false),
      };
    }
    lockedUntil = (await recordFailure(database, user, input.ip, "password")) ?? lockedUntil;
  }
  return lockedUntil ? { kind: "locked", until: lockedUntil } : { kind: "wrong-credentials" };
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
 * Checks a second-factor code for a session waiting on it; wrong codes count towards the lockout.
 * @returns "ok", "wrong-code", or "locked".
 */
export const verifySecondFactor = (
  database: HearthDatabase,
  session: CurrentSession,
  code: string,
): Promise<"ok" | "wrong-code" | "locked"> => {
  const ctx = session.context;
  return withPartnershipScope(database, ctx.partnershipId, async (trx) => {
    const user = await trx
      .selectFrom("users")
      .select([
        "partnership_id",
        "user_id",
        "role",
        "agency_id",
        "password_hash",
        "locked_until",
        "failed_sign_in_count",
        "totp_confirmed_at",
        "totp_secret",
        "totp_last_step",
      ])
      .where("partnership_id", "=", ctx.partnershipId)
      .where("user_id", "=", ctx.userId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (user.locked_until && user.locked_until > new Date()) return "locked" as const;
    const step = user.totp_secret ? acceptTotpCode(user.totp_secret, code, user.totp_last_step) : null;
    if (step === null) return "wrong-code" as const;
    await trx
      .updateTable("users")
      .set({ totp_last_step: step, failed_sign_in_count: 0 })
      .where("partnership_id", "=", ctx.partnershipId)
      .where("user_id", "=", ctx.userId)
      .execute();
    await trx
      .updateTable("sessions")
      .set({ second_factor_verified_at: new Date() })
      .where("partnership_id", "=", ctx.partnershipId)
      .where("session_id", "=", session.sessionId)
      .execute();
    await appendAudit(trx, {
      partnershipId: ctx.partnershipId,
      actor: actorOf(user),
      action: "sign-in",
      recordType: "session",
      recordId: session.sessionId,
      ip: ctx.ip,
      details: { stage: "second factor" },
    });
    return "ok" as const;
  }).then(async (result) => {
    if (result !== "wrong-code") return result;
    const user = await withPartnershipScope(database, ctx.partnershipId, (trx) =>
      trx
        .selectFrom("users")
        .select([
          "partnership_id",
          "user_id",
          "role",
          "agency_id",
          "password_hash",
          "locked_until",
          "failed_sign_in_count",
          "totp_confirmed_at",
        ])
        .where("user_id", "=", ctx.userId)
        .executeTakeFirstOrThrow(),
    );
    const locked = await recordFailure(database, user, ctx.ip, "second factor");
    if (locked) await endSession(database, session, "account locked");
    return locked ? "locked" : "wrong-code";
  });
};

/** Marks the session as having passed its second factor (after enrolment, which proves the code). */
export const markSecondFactorVerified = (database: HearthDatabase, session: CurrentSession): Promise<void> =>
  withPartnershipScope(database, session.context.partnershipId, async (trx) => {
    await trx
      .updateTable("sessions")
      .set({ second_factor_verified_at: new Date() })
      .where("partnership_id", "=", session.context.partnershipId)
      .where("session_id", "=", session.sessionId)
      .execute();
  });

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
