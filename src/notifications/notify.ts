// SPDX-License-Identifier: MIT
/**
 * The one way to tell someone in Hearth that something needs them. Called inside the transaction that
 * made the change, so a notification exists exactly when the change does. Subjects and bodies are plain
 * text (templates escape them) and should say what happened and where, not the child's sensitive detail:
 * the link leads to the record, which applies its own access rule when opened. E-mail, where SMTP is
 * configured, is sent afterwards from the stored rows (see mailer.ts), never from inside the transaction.
 */
import { sql } from "kysely";
import { notArchived } from "../data/child-access.ts";
import type { Trx } from "../data/repository-scope.ts";
import type { NotificationKind } from "./codes.ts";

export type NewNotification = {
  kind: NotificationKind;
  /** Users to tell; duplicates and the actor (who knows already) are dropped. */
  recipients: readonly (string | null | undefined)[];
  subject: string;
  body: string;
  link: string | null;
  /** The child or adult the notification concerns, if any. */
  personId?: string | null;
  /** Who caused it; never notified of their own action. */
  actorUserId?: string | null;
  /** A key unique per recipient: a second notification with the same key is not made (reminders). */
  dedupeKey?: string | null;
};

/**
 * Creates one notification per recipient in the caller's partnership (row-level security confines the
 * insert to it). Returns how many were made.
 */
export const notify = async (
  trx: Trx,
  partnershipId: string,
  notification: NewNotification,
): Promise<number> => {
  const recipients = [
    ...new Set(notification.recipients.filter((r): r is string => typeof r === "string" && r !== "")),
  ].filter((r) => r !== notification.actorUserId);
  if (recipients.length === 0) return 0;
  // Nothing is sent about a record archived after a retention review (closed, past retention).
  if (notification.personId) {
    const open = await sql<{
      open: boolean;
    }>`select ${notArchived(sql`${notification.personId}::uuid`)} as open`.execute(trx);
    if (!open.rows[0]?.open) return 0;
  }
  const rows = recipients.map((recipient) => ({
    partnership_id: partnershipId,
    notification_id: crypto.randomUUID(),
    recipient_user_id: recipient,
    kind: notification.kind,
    subject: notification.subject,
    body: notification.body,
    link: notification.link,
    person_id: notification.personId ?? null,
    actor_user_id: notification.actorUserId ?? null,
    dedupe_key: notification.dedupeKey ?? null,
  }));
  const inserted = await trx
    .insertInto("notifications")
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(["partnership_id", "recipient_user_id", "dedupe_key"])
        .where("dedupe_key", "is not", null)
        .doNothing(),
    )
    .returning("notification_id")
    .execute();
  return inserted.length;
};
