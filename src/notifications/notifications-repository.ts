// SPDX-License-Identifier: MIT
/**
 * The caller's own notifications: only ever the rows addressed to them (the predicate is the recipient
 * in SQL; row-level security confines it to the partnership). Reading one marks it read; kinds that must
 * be acknowledged (break glass) stay on the home page until acknowledged.
 */
import { sql } from "kysely";
import type { AccessContext } from "../data/access-context.ts";
import {
  type ChangeResult,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
} from "../data/repository-scope.ts";
import { currentPartnership } from "../kernel/sql.ts";
import { ACKNOWLEDGED_KINDS, type NotificationKind } from "./codes.ts";

export const NOTIFICATIONS_PAGE_SIZE = 25;

const acknowledged = sql.join(ACKNOWLEDGED_KINDS.map((k) => sql.lit(k)));
/** "Needs the recipient": unread, or an acknowledged kind not yet acknowledged. */
const outstanding = sql<boolean>`(read_at is null or (kind in (${acknowledged}) and acknowledged_at is null))`;

/** What a list of notifications shows of each (the whole page and the home page's outstanding ones). */
const NOTIFICATION_COLUMNS = [
  "notification_id",
  "kind",
  "created_at",
  "subject",
  "body",
  "link",
  "read_at",
  "acknowledged_at",
] as const;

export type NotificationRow = {
  notification_id: string;
  kind: NotificationKind;
  created_at: Date;
  subject: string;
  body: string;
  link: string | null;
  read_at: Date | null;
  acknowledged_at: Date | null;
  mustAcknowledge: boolean;
};

export class NotificationsRepository {
  static readonly methodAccess: Record<Exclude<keyof NotificationsRepository, never>, MethodAccess> = {
    listPage: "guarded",
    outstanding: "guarded",
    countOutstanding: "guarded",
    markRead: "guarded",
    markAllRead: "guarded",
    acknowledge: "guarded",
  };

  readonly #scope: RepositoryScope;

  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }

  get #ctx(): AccessContext | undefined {
    return this.#scope.context;
  }

  #mine(ctx: AccessContext) {
    return (trx: Parameters<Parameters<RepositoryScope["run"]>[0]>[0]) =>
      trx
        .selectFrom("notifications")
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where("recipient_user_id", "=", ctx.userId);
  }

  #shape(rows: Omit<NotificationRow, "mustAcknowledge">[]): NotificationRow[] {
    return rows.map((r) => ({
      ...r,
      mustAcknowledge: ACKNOWLEDGED_KINDS.includes(r.kind) && r.acknowledged_at === null,
    }));
  }

  /** One page of the caller's notifications, newest first, and how many there are. */
  listPage(page: number): Promise<{ rows: NotificationRow[]; total: number }> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve({ rows: [], total: 0 });
    return this.#scope.run(async (trx) => {
      const mine = this.#mine(ctx)(trx);
      const total = await mine.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst();
      const rows = await mine
        .select(NOTIFICATION_COLUMNS)
        .orderBy("created_at", "desc")
        .orderBy("notification_id")
        .limit(NOTIFICATIONS_PAGE_SIZE)
        .offset(Math.max(0, page - 1) * NOTIFICATIONS_PAGE_SIZE)
        .execute();
      return {
        rows: this.#shape(rows as Omit<NotificationRow, "mustAcknowledge">[]),
        total: Number(total?.n ?? 0),
      };
    });
  }

  /** What still needs the caller (for the home page): unread, or waiting for acknowledgement. */
  /** Read once a request for each limit: the home page's two notification sections share one read. */
  outstanding(limit = 20): Promise<NotificationRow[]> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve([]);
    return this.#scope.memo(`outstanding-notifications:${limit}`, () =>
      this.#scope.run(async (trx) => {
        const rows = await this.#mine(ctx)(trx)
          .select(NOTIFICATION_COLUMNS)
          .where(outstanding)
          .orderBy("created_at", "desc")
          .limit(limit)
          .execute();
        return this.#shape(rows as Omit<NotificationRow, "mustAcknowledge">[]);
      }),
    );
  }

  countOutstanding(): Promise<number> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(0);
    return this.#scope.run(async (trx) => {
      const row = await this.#mine(ctx)(trx)
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where(outstanding)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    });
  }

  /** Marks one of the caller's notifications read; returns its link, to go on to. */
  markRead(notificationId: string): Promise<ChangeResult<{ link: string | null }>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(refused("Notification not found"));
    return this.#scope.run(async (trx) => {
      const row = await trx
        .updateTable("notifications")
        .set({ read_at: sql`coalesce(read_at, now())` })
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where("recipient_user_id", "=", ctx.userId)
        .where("notification_id", "=", notificationId)
        .returning("link")
        .executeTakeFirst();
      return row ? done({ link: row.link }) : refused("Notification not found");
    });
  }

  markAllRead(): Promise<number> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(0);
    return this.#scope.run(async (trx) => {
      const rows = await trx
        .updateTable("notifications")
        .set({ read_at: sql`now()` })
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where("recipient_user_id", "=", ctx.userId)
        .where("read_at", "is", null)
        .returning("notification_id")
        .execute();
      return rows.length;
    });
  }

  /**
   * Acknowledges a notice that must be acknowledged (break glass): read, and seen to. Audited, since a
   * safeguarding lead's acknowledgement of a break-glass opening is part of its oversight.
   */
  acknowledge(notificationId: string): Promise<ChangeResult<null>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(refused("Notification not found"));
    return this.#scope.run(async (trx) => {
      const row = await trx
        .updateTable("notifications")
        .set({ acknowledged_at: sql`now()`, read_at: sql`coalesce(read_at, now())` })
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where("recipient_user_id", "=", ctx.userId)
        .where("notification_id", "=", notificationId)
        .where("kind", "in", [...ACKNOWLEDGED_KINDS])
        .where("acknowledged_at", "is", null)
        .returning(["kind", "person_id"])
        .executeTakeFirst();
      if (!row) return refused("This notice is not waiting for your acknowledgement");
      await this.#scope.audit(trx, {
        action: "acknowledge",
        recordType: "notification",
        recordId: notificationId,
        details: { kind: row.kind, person_id: row.person_id },
      });
      return done(null);
    });
  }
}
