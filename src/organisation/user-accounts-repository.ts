// SPDX-License-Identifier: MIT
/**
 * The partnership's user accounts: the list each role may see (all, their agency's or their team's), and
 * the administrators' changes (invitations, roles, deactivation, second-factor resets), each audited in
 * the same transaction.
 */
import { sql } from "kysely";
import type { AuditAction } from "../audit/audit-log.ts";
import { newToken } from "../auth/tokens.ts";
import { userVisibility } from "../data/access-context.ts";
import { AreaRepository } from "../data/area-repository.ts";
import { type ChangeResult, type MethodAccess, refused, type Trx } from "../data/repository-scope.ts";
import { can } from "../kernel/policy.ts";
import { currentPartnership, inCurrentPartnership, onKey } from "../kernel/sql.ts";
import type { Role } from "./codes.ts";

/** A user id that matches no row, used when there is no caller. */
const NOBODY = "00000000-0000-0000-0000-000000000000";
const INVITE_LIFETIME_DAYS = 7;
/** How many user accounts one page of the users list shows. */
export const USERS_PAGE_SIZE = 50;

/** Who an account is and where they work, as the list and the account page show it. */
const ACCOUNT_COLUMNS = [
  "users.user_id",
  "users.email",
  "users.display_name",
  "users.role",
  "users.agency_id",
  "agencies.name as agency_name",
  "users.team_id",
  "teams.name as team_name",
] as const;

/** Ends every open session of an account, saying why. */
const endSessions = (trx: Trx, userId: string, now: Date, reason: string) =>
  trx
    .updateTable("sessions")
    .set({ revoked_at: now, revoked_reason: reason })
    .where(inCurrentPartnership())
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .execute();

/** User accounts: reading them, inviting, and an administrator's changes. */
export class UserAccountsRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof UserAccountsRepository, MethodAccess> = {
    listUsers: "guarded",
    listUsersPage: "guarded",
    getUser: "guarded",
    inviteUser: "guarded",
    changeUserRole: "guarded",
    deactivateUser: "guarded",
    resetSecondFactor: "guarded",
    countUsersByRole: "guarded",
  };

  get #me(): string {
    return this.ctx?.userId ?? NOBODY;
  }

  #visibleUsers(trx: Trx) {
    const ctx = this.ctx;
    let query = trx
      .selectFrom("users")
      .innerJoin("agencies", (join) => onKey(join, "agencies.agency_id", "users.agency_id"))
      .leftJoin("teams", (join) => onKey(join, "teams.team_id", "users.team_id"))
      .where(sql.ref("users.partnership_id"), "=", currentPartnership);
    if (!ctx) return query.where(sql<boolean>`false`);
    const visibility = userVisibility(ctx);
    if (visibility === "agency") query = query.where("users.agency_id", "=", ctx.agencyId);
    if (visibility === "team") {
      query = query.where((eb) =>
        eb.or([
          eb("users.user_id", "=", ctx.userId),
          ctx.teamId ? eb("users.team_id", "=", ctx.teamId) : eb.val(false),
        ]),
      );
    }
    return query;
  }

  /** @returns The user accounts the caller may see, with agency and team names. */
  listUsers() {
    return this.scope.run((trx) =>
      this.#visibleUsers(trx)
        .select([
          ...ACCOUNT_COLUMNS,
          "users.deactivated_at",
          "users.last_sign_in_at",
          "users.password_hash",
          "users.totp_confirmed_at",
        ])
        .orderBy("users.display_name")
        .execute()
        .then((rows) =>
          rows.map(({ password_hash, ...row }) => ({ ...row, has_accepted_invite: password_hash !== null })),
        ),
    );
  }

  /**
   * One page of the user accounts the caller may see, by name, in one query with the agency and team
   * joined and the number of matching accounts counted alongside.
   * @param options - `search`: part of a name or email address (case-insensitive); `page`: from 1.
   * @returns The page's accounts, how many accounts match in all, and the page shown.
   */
  listUsersPage(options: { search?: string | undefined; page?: number | undefined } = {}) {
    const page = Math.max(1, Math.floor(options.page ?? 1));
    const search = options.search?.trim().toLowerCase();
    return this.scope.run(async (trx) => {
      let query = this.#visibleUsers(trx);
      if (search) {
        // The search is text to find, not a pattern: escape LIKE's wildcards (backslash is its escape).
        const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        query = query.where((eb) =>
          eb.or([
            eb(sql`lower(users.display_name)`, "like", pattern),
            eb(sql`lower(users.email)`, "like", pattern),
          ]),
        );
      }
      const rows = await query
        .select([
          "users.user_id",
          "users.email",
          "users.display_name",
          "users.role",
          "agencies.name as agency_name",
          "teams.name as team_name",
          "users.deactivated_at",
          sql<boolean>`users.password_hash is not null`.as("has_accepted_invite"),
          sql<number>`count(*) over ()`.as("matching"),
        ])
        .orderBy("users.display_name")
        .orderBy("users.user_id")
        .limit(USERS_PAGE_SIZE)
        .offset((page - 1) * USERS_PAGE_SIZE)
        .execute();
      // Past the last page the window count has no row to ride on: count on its own.
      const total =
        rows[0]?.matching ??
        (page > 1
          ? Number(
              (await query.select((eb) => eb.fn.countAll<number>().as("count")).executeTakeFirstOrThrow())
                .count,
            )
          : 0);
      return {
        users: rows.map(({ matching: _, ...row }) => row),
        total: Number(total),
        page,
        pageCount: Math.ceil(Number(total) / USERS_PAGE_SIZE),
      };
    });
  }

  /**
   * Reads one user account the caller may see, and records the view in the audit log.
   * @param userId - The account to read.
   * @returns The account, or undefined if it does not exist or is not visible to the caller.
   */
  getUser(userId: string) {
    return this.scope.run(async (trx) => {
      const user = await this.#visibleUsers(trx)
        .select([
          ...ACCOUNT_COLUMNS,
          "users.created_at",
          "users.deactivated_at",
          "users.last_sign_in_at",
          "users.totp_confirmed_at",
          sql<boolean>`users.password_hash is not null`.as("has_accepted_invite"),
        ])
        .where("users.user_id", "=", userId)
        .executeTakeFirst();
      if (user) await this.scope.audit(trx, { action: "view", recordType: "user", recordId: userId });
      return user;
    });
  }

  /**
   * Creates an account in the invited state and a one-time invite link. Administrators only.
   * @returns The new user's id and the invite token to put in the link (shown once, stored hashed).
   */
  inviteUser(input: {
    email: string;
    displayName: string;
    agencyId: string;
    teamId: string | null;
    role: Role;
  }): Promise<ChangeResult<{ userId: string; inviteToken: string }>> {
    const ctx = this.ctx;
    if (!ctx || !can(ctx.role, "admin.organisation"))
      return Promise.resolve(refused("Only administrators can invite users"));
    return this.scope.run(async (trx) => {
      const email = input.email.trim().toLowerCase();
      // An email address names one account in the whole database, so sign-in can never mix partnerships.
      const clash = await sql<{ taken: boolean }>`select hearth_email_in_use(${email}) as taken`.execute(trx);
      if (clash.rows[0]?.taken) return refused("A user with this email address already exists", "email");
      const agency = await trx
        .selectFrom("agencies")
        .select("agency_id")
        .where(inCurrentPartnership())
        .where("agency_id", "=", input.agencyId)
        .where("deactivated_at", "is", null)
        .executeTakeFirst();
      if (!agency) return refused("Select the user's agency", "agencyId");
      if (input.teamId) {
        const team = await trx
          .selectFrom("teams")
          .select("team_id")
          .where(inCurrentPartnership())
          .where("team_id", "=", input.teamId)
          .where("agency_id", "=", input.agencyId)
          .executeTakeFirst();
        if (!team) return refused("Select a team in the user's agency, or no team", "teamId");
      }
      const userId = crypto.randomUUID();
      await trx
        .insertInto("users")
        .values({
          partnership_id: ctx.partnershipId,
          user_id: userId,
          email,
          display_name: input.displayName,
          agency_id: input.agencyId,
          team_id: input.teamId,
          role: input.role,
          password_hash: null,
          totp_secret: null,
          totp_confirmed_at: null,
          totp_last_step: null,
        })
        .execute();
      const { token, tokenHash } = newToken();
      const inviteId = crypto.randomUUID();
      await trx
        .insertInto("invites")
        .values({
          partnership_id: ctx.partnershipId,
          invite_id: inviteId,
          user_id: userId,
          token_hash: tokenHash,
          created_by: ctx.userId,
          expires_at: new Date(Date.now() + INVITE_LIFETIME_DAYS * 86_400_000),
        })
        .execute();
      await this.scope.audit(trx, {
        action: "invite",
        recordType: "user",
        recordId: userId,
        details: {
          email: [null, email],
          display_name: [null, input.displayName],
          role: [null, input.role],
          agency_id: [null, input.agencyId],
          team_id: [null, input.teamId],
        },
      });
      return { ok: true as const, value: { userId, inviteToken: token } };
    });
  }

  async #changeUser(
    userId: string,
    action: AuditAction,
    reason: string,
    change: (
      trx: Trx,
      before: { role: Role; deactivated_at: Date | null },
    ) => Promise<Record<string, unknown> | string>,
  ): Promise<ChangeResult<null>> {
    const ctx = this.ctx;
    if (!ctx || !can(ctx.role, "admin.organisation"))
      return refused("Only administrators can change user accounts");
    if (reason.trim() === "") return refused("Enter the reason for this change", "reason");
    return this.scope.run(async (trx) => {
      const before = await trx
        .selectFrom("users")
        .select(["role", "deactivated_at"])
        .where(inCurrentPartnership())
        .where("user_id", "=", userId)
        .forUpdate()
        .executeTakeFirst();
      if (!before) return refused("User not found");
      const details = await change(trx, before);
      if (typeof details === "string") return refused(details);
      await this.scope.audit(trx, { action, recordType: "user", recordId: userId, reason, details });
      return { ok: true as const, value: null };
    });
  }

  /** Changes a user's role, with the reason recorded. Administrators only; not their own role. */
  changeUserRole(userId: string, role: Role, reason: string): Promise<ChangeResult<null>> {
    if (userId === this.#me) return Promise.resolve(refused("You cannot change your own role", "role"));
    return this.#changeUser(userId, "change-role", reason, async (trx, before) => {
      if (before.role === role) return "The user already has this role";
      await trx
        .updateTable("users")
        .set({ role })
        .where(inCurrentPartnership())
        .where("user_id", "=", userId)
        .execute();
      return { role: [before.role, role] };
    });
  }

  /** Deactivates an account and ends its sessions; the account and its history are kept. */
  deactivateUser(userId: string, reason: string): Promise<ChangeResult<null>> {
    if (userId === this.#me) return Promise.resolve(refused("You cannot deactivate your own account"));
    return this.#changeUser(userId, "deactivate", reason, async (trx, before) => {
      if (before.deactivated_at) return "This account is already deactivated";
      const now = new Date();
      await trx
        .updateTable("users")
        .set({ deactivated_at: now })
        .where(inCurrentPartnership())
        .where("user_id", "=", userId)
        .execute();
      await endSessions(trx, userId, now, "account deactivated");
      return { deactivated_at: [null, now.toISOString()] };
    });
  }

  /** Clears a user's second factor (a lost phone) and ends their sessions; they enrol again at sign-in. */
  resetSecondFactor(userId: string, reason: string): Promise<ChangeResult<null>> {
    return this.#changeUser(userId, "reset-second-factor", reason, async (trx) => {
      const now = new Date();
      await trx
        .updateTable("users")
        .set({ totp_secret: null, totp_confirmed_at: null, totp_last_step: null })
        .where(inCurrentPartnership())
        .where("user_id", "=", userId)
        .execute();
      await endSessions(trx, userId, now, "second factor reset");
      return { second_factor: ["enrolled", "reset"] };
    });
  }

  /** @returns How many active accounts hold each role, for the administrator's home page. */
  countUsersByRole() {
    const allowed =
      this.ctx !== undefined &&
      (can(this.ctx.role, "admin.organisation") || can(this.ctx.role, "audit.read"));
    return this.scope.run((trx) =>
      trx
        .selectFrom("users")
        .select(["role", (eb) => eb.fn.countAll<number>().as("count")])
        .where(inCurrentPartnership())
        .where(sql<boolean>`${allowed}`)
        .where("deactivated_at", "is", null)
        .groupBy("role")
        .execute(),
    );
  }
}
