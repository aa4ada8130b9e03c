// SPDX-License-Identifier: MIT
/**
 * The learning area's pages: case audits, training and feedback from children and families, each in its
 * own folder with its own routes; this file registers them and serves the hub page (/learning).
 */
import type { AppContext } from "../web/app.ts";
import { requireSignedIn } from "../web/guards.ts";
import { registerAuditRoutes } from "./audits/routes.ts";
import { registerFeedbackRoutes } from "./feedback/routes.ts";
import { registerTrainingRoutes } from "./training/routes.ts";

export const registerLearningRoutes = (context: AppContext): void => {
  context.app.get("/learning", { preHandler: requireSignedIn() }, (_request, reply) =>
    reply.page("learning/views/hub.njk", { title: "Learning" }),
  );
  registerAuditRoutes(context);
  registerFeedbackRoutes(context);
  registerTrainingRoutes(context);
};
