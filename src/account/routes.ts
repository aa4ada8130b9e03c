// SPDX-License-Identifier: MIT
/** A user's own account: details, second factor, and their sessions (revoke one, or sign out everywhere). */
import type { AppContext } from "../web/app.ts";
import { notFound, requireSignedIn } from "../web/guards.ts";
import { idParam } from "../web/request-values.ts";

export const registerAccountRoutes = ({ app, clearSessionCookie }: AppContext) => {
  app.get("/account", { preHandler: requireSignedIn() }, async (request, reply) => {
    const me = await request.repo.account.getMyAccount();
    return reply.page("account/views/account.njk", {
      title: "Your account",
      me: me && { ...me, totp_secret: undefined },
      hasSecondFactor: Boolean(me?.totp_confirmed_at),
    });
  });

  app.get<{ Querystring: { revoked?: string } }>(
    "/account/sessions",
    { preHandler: requireSignedIn() },
    async (request, reply) =>
      reply.page("account/views/sessions.njk", {
        title: "Your sessions",
        sessions: await request.repo.account.listMySessions(),
        currentSessionId: request.session?.sessionId,
        revoked: request.query.revoked === "1",
      }),
  );

  app.post<{ Params: { sessionId: string } }>(
    "/account/sessions/:sessionId/revoke",
    { preHandler: requireSignedIn() },
    async (request, reply) => {
      const sessionId = idParam(request, "sessionId");
      if (!sessionId) return notFound(reply);
      const revoked = await request.repo.account.revokeMySession(sessionId);
      if (!revoked) return notFound(reply);
      if (sessionId === request.session?.sessionId) {
        clearSessionCookie(reply);
        return reply.redirect("/sign-in?signedOut=1", 303);
      }
      return reply.redirect("/account/sessions?revoked=1", 303);
    },
  );

  app.post("/account/sessions/revoke-all", { preHandler: requireSignedIn() }, async (request, reply) => {
    await request.repo.account.revokeAllMySessions();
    clearSessionCookie(reply);
    return reply.redirect("/sign-in?signedOut=1", 303);
  });
};
