// SPDX-License-Identifier: MIT
/** Route guards: who may reach a page. The repository still applies its own rules underneath. */
import type { FastifyReply, FastifyRequest } from "fastify";
import { type Action, can } from "../kernel/policy.ts";
import type { Role } from "../organisation/codes.ts";

/** Sends a caller who is not fully signed in to finish signing in, and refuses one the check rejects. */
const guard = (allowed: (role: Role) => boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
  const session = request.session;
  if (!session) return reply.redirect(`/sign-in`);
  if (session.stage === "second-factor") return reply.redirect("/sign-in/second-factor");
  if (session.stage === "set-up-second-factor") return reply.redirect("/sign-in/set-up-second-factor");
  if (!allowed(session.context.role)) return forbidden(reply);
};

/** "You do not have access": a 403, so the refusal is audited as a denial (web/denials.ts). */
export const forbidden = (reply: FastifyReply) => reply.code(403).page("web/views/forbidden.njk");

/**
 * "Page not found": for what does not exist, and for a record the caller may not learn exists. The page
 * sets its own title, so every 404 reads the same.
 */
export const notFound = (reply: FastifyReply) => reply.code(404).page("web/views/not-found.njk");

/** Route guard for the pages every signed-in user reaches; others are sent to finish signing in. */
export const requireSignedIn = () => guard(() => true);

/**
 * Route guard: only fully signed-in users whose role may do the action (src/kernel/policy.ts) reach the
 * page; others are sent to finish signing in, or told "You do not have access".
 */
export const requireAllowed = (action: Action) => guard((role) => can(role, action));

/**
 * Refuses a page of a person's record to someone who may not open it: a 403 (so the refusal is audited),
 * pointing to the person page, which says who knows them and how to ask to be involved.
 * @param personId - The person, already checked to be a well-formed id.
 */
export const refuseRecord = (reply: FastifyReply, personId: string) =>
  reply.code(403).page("web/views/record-forbidden.njk", { personId });
