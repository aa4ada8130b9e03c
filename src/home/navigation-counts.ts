// SPDX-License-Identifier: MIT
/**
 * The counts on the navigation ("Home (3)", "Front door (5)"): computed once per page request, by one
 * cheap query (./worklist-repository.ts navigationCounts), before the handler renders the page.
 */
import type { FastifyInstance } from "fastify";
import type { NavigationCounts } from "./worklist-repository.ts";

declare module "fastify" {
  interface FastifyRequest {
    navigationCounts: NavigationCounts | undefined;
  }
}

// Files and health checks carry no navigation.
const NO_PAGE = /^\/(govuk|assets|public)\/|^\/(health|favicon\.ico)$/;

/** Adds the hook that reads the counts for signed-in GET requests (pages). */
export const addNavigationCounts = (app: FastifyInstance): void => {
  app.decorateRequest("navigationCounts", undefined);
  app.addHook("preHandler", async (request) => {
    if (request.method !== "GET" || request.session?.stage !== "complete" || NO_PAGE.test(request.url))
      return;
    try {
      request.navigationCounts = await request.repo.worklist.navigationCounts();
    } catch (error) {
      // A page without counts is better than no page.
      request.log.error({ err: error }, "could not count the navigation's work");
    }
  });
};

/** The navigation item each count belongs to. */
export const COUNTED_ITEMS: Record<string, keyof NavigationCounts> = {
  "/": "home",
  "/notifications": "notifications",
  "/pathways/front-door": "frontDoor",
  "/escalations": "differences",
};
