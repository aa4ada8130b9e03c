// SPDX-License-Identifier: MIT
/** Route guards: who may reach a page. The repository still applies its own rules underneath. */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Role } from "../organisation/codes.ts";

/**
 * Route guard: only fully signed-in users reach the page; others are sent to finish signing in.
 * @param roles - If given, only these roles may see the page; others get "You do not have access".
 */
export const requireSignedIn =
  (...roles: Role[]) =>
  async (request: FastifyRequest, reply: FastifyReply) => {
    const session = request.session;
    if (!session) return reply.redirect(`/sign-in`);
    if (session.stage === "second-factor") return reply.redirect("/sign-in/second-factor");
    if (session.stage === "set-up-second-factor") return reply.redirect("/sign-in/set-up-second-factor");
    if (roles.length > 0 && !roles.includes(session.context.role)) {
      return reply.code(403).page("web/views/forbidden.njk");
    }
  };

/**
 * Refuses a page of a person's record to someone who may not open it: a 403 (so the refusal is audited),
 * pointing to the person page, which says who knows them and how to ask to be involved.
 * @param personId - The person, already checked to be a well-formed id.
 */
export const refuseRecord = (reply: FastifyReply, personId: string) =>
  reply.code(403).page("web/views/record-forbidden.njk", { personId });
