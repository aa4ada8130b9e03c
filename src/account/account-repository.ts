// SPDX-License-Identifier: MIT
/**
 * The caller's own account: their second factor and their sessions. Every method acts on the signed-in
 * caller only (no id of someone else is taken), and without a caller reads and changes nothing.
 */
import type { MethodAccess, RepositoryScope } from "../data/repository-scope.ts";
import { inCurrentPartnership } from "../kernel/sql.ts";

/** A user id that matches no row, used when there is no caller. */
const NOBODY = "00000000-0000-0000-0000-000000000000";

export class AccountRepository {
  static readonly methodAccess: Record<keyof AccountRepository, MethodAccess> = {
    getMyAccount: "guarded",
    setMyPendingSecondFactor: "guarded",
    confirmMySecondFactor: "guarded",
    listMySessions: "guarded",
    revokeMySession: "guarded",
    revokeAllMySessions: "guarded",
  };

  readonly #scope: RepositoryScope;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }

  get #me(): string {
    return this.#scope.context?.userId ?? NOBODY;
  }

  /** @returns The caller's own account, including whether a second factor is set up. */
  getMyAccount() {
    return this.#scope.run((trx) =>
      trx
        .selectFrom("users")
        .select([
          "user_id",
          "email",
          "display_name",
          "role",
          "agency_id",
          "team_id",
          "totp_secret",
          "totp_confirmed_at",
          "totp_last_step",
        ])
        .where(inCurrentPartnership())
        .where("user_id", "=", this.#me)
        .executeTakeFirst(),
    );
  }

  /** Stores a second-factor secret the caller is about to confirm with a code. */
  setMyPendingSecondFactor(secret: string): Promise<boolean> {
    return this.#scope.run(async (trx) => {
      const result = await trx
        .updateTable("users")
        .set({ totp_secret: secret, totp_confirmed_at: null, totp_last_step: null })
        .where(inCurrentPartnership())
        .where("user_id", "=", this.#me)
        .where("totp_confirmed_at", "is", null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    });
  }

  /** Marks the caller's pending second factor as confirmed by a code from the given time step. */
  confirmMySecondFactor(step: number): Promise<boolean> {
    return this.#scope.run(async (trx) => {
      const result = await trx
        .updateTable("users")
        .set({ totp_confirmed_at: new Date(), totp_last_step: step })
        .where(inCurrentPartnership())
        .where("user_id", "=", this.#me)
        .where("totp_secret", "is not", null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await this.#scope.audit(trx, { action: "enrol-second-factor", recordType: "user", recordId: this.#me });
      return true;
    });
  }

  /** @returns The caller's own sessions that are still open, newest first. */
  listMySessions() {
    return this.#scope.run((trx) =>
      trx
        .selectFrom("sessions")
        .select(["session_id", "created_at", "last_seen_at", "expires_at", "ip", "user_agent"])
        .where(inCurrentPartnership())
        .where("user_id", "=", this.#me)
        .where("revoked_at", "is", null)
        .where("expires_at", ">", new Date())
        .orderBy("last_seen_at", "desc")
        .execute(),
    );
  }

  /** Ends one of the caller's own sessions. @returns Whether a session was ended. */
  revokeMySession(sessionId: string): Promise<boolean> {
    return this.#scope.run(async (trx) => {
      const result = await trx
        .updateTable("sessions")
        .set({ revoked_at: new Date(), revoked_reason: "signed out by user" })
        .where(inCurrentPartnership())
        .where("user_id", "=", this.#me)
        .where("session_id", "=", sessionId)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await this.#scope.audit(trx, { action: "revoke-session", recordType: "session", recordId: sessionId });
      return true;
    });
  }

  /** Signs the caller out everywhere. @returns How many sessions were ended. */
  revokeAllMySessions(): Promise<number> {
    return this.#scope.run(async (trx) => {
      const result = await trx
        .updateTable("sessions")
        .set({ revoked_at: new Date(), revoked_reason: "signed out everywhere" })
        .where(inCurrentPartnership())
        .where("user_id", "=", this.#me)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      const count = Number(result.numUpdatedRows);
      if (count > 0) {
        await this.#scope.audit(trx, {
          action: "sign-out-everywhere",
          recordType: "user",
          recordId: this.#me,
          details: { sessions_ended: count },
        });
      }
      return count;
    });
  }
}
