// SPDX-License-Identifier: MIT
/**
 * E-mail for notifications, where SMTP is configured. Sent from the stored rows after the change that
 * made them has committed (never from inside its transaction, so a slow or failed mail server never
 * holds or undoes a change), and marked sent so a later pass retries only what failed. An e-mail says
 * only what kind of thing is waiting and links to it: no child's name or detail leaves Hearth this way.
 */

import { sql } from "kysely";
import nodemailer from "nodemailer";
import { type HearthDatabase, withPartnershipScope } from "../db/database.ts";
import { currentPartnership, onKey } from "../kernel/sql.ts";
import { NOTIFICATION_KIND_LABELS, type NotificationKind } from "./codes.ts";

/** At most this many e-mails per pass; the rest go on the next. */
const BATCH = 50;

export type Mailer = {
  /** Sends the partnership's unsent notification e-mails; returns how many were sent. */
  sendUnsent: (partnershipId: string) => Promise<number>;
  close: () => void;
};

/** The e-mail for one notification: its kind and a link, nothing else. */
export const notificationEmail = (
  kind: NotificationKind,
  link: string | null,
  baseUrl: string,
): { subject: string; text: string } => {
  const label = NOTIFICATION_KIND_LABELS[kind] ?? "Notification";
  const url = `${baseUrl}${link?.startsWith("/") ? link : "/notifications"}`;
  return {
    subject: `Hearth: ${label}`,
    text: `${label}.\n\nSign in to Hearth to read it:\n${url}\n\nFor the family's privacy this e-mail holds no details; they are in Hearth.\n`,
  };
};

export const createMailer = (
  database: HearthDatabase,
  smtp: { url: string; from: string },
  baseUrl: string,
): Mailer => {
  const transport = nodemailer.createTransport(smtp.url);
  let running = Promise.resolve(0);
  const pass = (partnershipId: string) =>
    withPartnershipScope(database, partnershipId, async (trx) => {
      // Locked rows are being sent by another pass: skipped, never sent twice.
      const rows = await trx
        .selectFrom("notifications as n")
        .innerJoin("users as u", (j) => onKey(j, "u.user_id", "n.recipient_user_id"))
        .select(["n.notification_id", "n.kind", "n.link", "u.email"])
        .where(sql.ref("n.partnership_id"), "=", currentPartnership)
        .where("n.emailed_at", "is", null)
        .where("u.deactivated_at", "is", null)
        // Older notifications, made before e-mail was set up, are not sent all at once.
        .where("n.created_at", ">", sql<Date>`now() - interval '1 day'`)
        .orderBy("n.created_at")
        .limit(BATCH)
        .forUpdate("n")
        .skipLocked()
        .execute();
      const sent: string[] = [];
      for (const row of rows) {
        const email = notificationEmail(row.kind as NotificationKind, row.link, baseUrl);
        try {
          await transport.sendMail({ from: smtp.from, to: row.email, ...email });
          sent.push(row.notification_id);
        } catch {
          // Left unsent: the next pass tries again.
        }
      }
      if (sent.length)
        await trx
          .updateTable("notifications")
          .set({ emailed_at: sql`now()` })
          .where(sql.ref("partnership_id"), "=", currentPartnership)
          .where("notification_id", "in", sent)
          .execute();
      return sent.length;
    });
  return {
    // One pass at a time per process, so a burst of changes makes one queue, not many connections.
    sendUnsent: (partnershipId) => {
      running = running.catch(() => 0).then(() => pass(partnershipId));
      return running;
    },
    close: () => transport.close(),
  };
};
