// SPDX-License-Identifier: MIT
/**
 * The response pages, registered by sub-area (each module sits beside its repository): a child's pathway
 * with levels of need and supervision, requests for support and the front door's queue and decision, early
 * help, social care episodes recorded as coded events, professional differences, the caller's drift
 * alerts, and step-down. Every page works without JavaScript; handlers call the repository only.
 */
import type { AppContext } from "../web/app.ts";
import { registerAlertRoutes } from "./alerts/routes.ts";
import { registerChildPathwayRoutes } from "./child-pathway/routes.ts";
import { registerDifferenceRoutes } from "./differences/routes.ts";
import { registerEarlyHelpRoutes } from "./early-help/routes.ts";
import { registerFrontDoorRoutes } from "./front-door/routes.ts";
import { registerRequestRoutes } from "./requests/routes.ts";
import { registerSocialCareRoutes } from "./social-care/routes.ts";

export { episodeNotice } from "./social-care/routes.ts";

export const registerPathwayRoutes = (context: AppContext): void => {
  registerFrontDoorRoutes(context);
  registerChildPathwayRoutes(context);
  registerRequestRoutes(context);
  registerEarlyHelpRoutes(context);
  registerSocialCareRoutes(context);
  registerDifferenceRoutes(context);
  registerAlertRoutes(context);
};
