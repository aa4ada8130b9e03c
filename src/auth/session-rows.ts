// SPDX-License-Identifier: MIT
/** What sign-in, the second factor and sessions share: session rows, sign-in audit rows, the stage a session is at. */
import type { Transaction } from "kysely";
import { appendAudit } from "../audit/audit-log.ts";
import type { AccessContext } from "../data/access-context.ts";
import { type HearthDatabase, withPartnershipScope } from "../db/database.ts";
import type { HearthSchema } from "../db/schema.ts";
import { ROLES_REQUIRING_SECOND_FACTOR, type Role } from "../organisation/codes.ts";
import { secondsToWait, type ThrottleState } from "./throttle.ts";
import { newToken } from "./tokens.ts";

export type SessionPolicy = { idleMinutes: number; absoluteHours: number };

/** Where a session stands: fully signed in, or waiting for the second factor (to check or to set up). */
export type SessionStage = "complete" | "second-factor" | "set-up-second-factor";

export type CurrentSession = {
  sessionId: string;
  stage: SessionStage;
  context: AccessContext;
  displayName: string;
  email: string;
  /** The partnership's name, read with the session: pages that show it need not ask again. */
  partnershipName: string;
  /** The identity provider the session signed in through, if any (for sign-out). */
  ssoProviderId?: string | null;
};

export const stageOf = (role: Role, totpConfirmed: boolean, verified: boolean): SessionStage => {
  if (totpConfirmed) return verified ? "complete" : "second-factor";
  return ROLES_REQUIRING_SECOND_FACTOR.has(role) ? "set-up-second-factor" : "complete";
};

export type Candidate = {
  partnership_id: string;
  user_id: string;
  role: Role;
  agency_id: string;
  password_hash: string | null;
  totp_confirmed_at: Date | null;
};

export const actorOf = (c: { user_id: string; role: string; agency_id: string }) => ({
  userId: c.user_id,
  role: c.role,
  agencyId: c.agency_id,
});

/** Records a wrong password or code in the account's own partnership's audit chain. */
export const auditFailure = (
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

/** Inserts a new session row. */
export const insertSession = async (
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

/** Records a sign-in on the account and in its partnership's audit chain, in the caller's transaction. */
export const recordSignIn = async (
  trx: Transaction<HearthSchema>,
  user: { partnership_id: string; user_id: string; role: string; agency_id: string },
  signIn: { at: Date; sessionId: string; ip: string | null; details: Record<string, unknown> },
): Promise<void> => {
  await trx
    .updateTable("users")
    .set({ last_sign_in_at: signIn.at })
    .where("partnership_id", "=", user.partnership_id)
    .where("user_id", "=", user.user_id)
    .execute();
  await appendAudit(trx, {
    partnershipId: user.partnership_id,
    actor: actorOf(user),
    action: "sign-in",
    recordType: "session",
    recordId: signIn.sessionId,
    ip: signIn.ip,
    details: signIn.details,
  });
};
