// SPDX-License-Identifier: MIT
/** The caller's notifications: the list (newest first, paged), opening one, marking read, acknowledging. */
import type { AppContext } from "../web/app.ts";
import { requireSignedIn } from "../web/guards.ts";
import { NOTIFICATION_KIND_LABELS } from "./codes.ts";
import { NOTIFICATIONS_PAGE_SIZE } from "./notifications-repository.ts";

/** Where an acknowledgement returns to: only these pages (never a URL from the form). */
const RETURNS = new Set(["/", "/notifications"]);

export const registerNotificationRoutes = ({ app }: AppContext) => {
  const signedIn = { preHandler: requireSignedIn() };

  app.get<{ Querystring: { page?: string; notice?: string } }>(
    "/notifications",
    signedIn,
    async (request, reply) => {
      const asked = Number.parseInt(request.query.page ?? "1", 10);
      const page = Number.isSafeInteger(asked) && asked > 0 ? asked : 1;
      const { rows, total } = await request.repo.notifications.listPage(page);
      const pages = Math.max(1, Math.ceil(total / NOTIFICATIONS_PAGE_SIZE));
      if (page > pages) return reply.redirect(`/notifications?page=${pages}`, 303);
      return reply.page("notifications/views/notifications.njk", {
        title: page > 1 ? `Notifications (page ${page} of ${pages})` : "Notifications",
        rows,
        total,
        page,
        pages,
        notice:
          request.query.notice === "acknowledged" || request.query.notice === "read"
            ? request.query.notice
            : undefined,
        NOTIFICATION_KIND_LABELS,
      });
    },
  );

  // Opening a notification marks it read and goes to what it is about (a link from an e-mail lands here).
  app.get<{ Params: { notificationId: string } }>(
    "/notifications/:notificationId",
    signedIn,
    async (request, reply) => {
      const result = await request.repo.notifications.markRead(request.params.notificationId);
      if (!result.ok) return reply.callNotFound();
      const link = result.value.link;
      return reply.redirect(link?.startsWith("/") && !link.startsWith("//") ? link : "/notifications", 303);
    },
  );

  app.post<{ Params: { notificationId: string }; Body: { returnTo?: string } }>(
    "/notifications/:notificationId/acknowledge",
    signedIn,
    async (request, reply) => {
      const result = await request.repo.notifications.acknowledge(request.params.notificationId);
      if (!result.ok) return reply.callNotFound();
      const back = RETURNS.has(request.body?.returnTo ?? "")
        ? (request.body?.returnTo as string)
        : "/notifications";
      return reply.redirect(`${back}${back === "/" ? "" : "?notice=acknowledged"}`, 303);
    },
  );

  app.post("/notifications/read", signedIn, async (request, reply) => {
    await request.repo.notifications.markAllRead();
    return reply.redirect("/notifications?notice=read", 303);
  });
};
