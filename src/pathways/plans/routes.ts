// SPDX-License-Identifier: MIT
/**
 * Plan pages (child protection, child in need, team around the family): start, change (a new version),
 * review, submit for authorisation; casework records (assessment, strategy discussion, conference) with
 * their versions; and the manager's authorisation page. Every page works without JavaScript: the plan
 * form offers a fixed number of outcome and action rows, and blank rows are ignored. Handlers call the
 * repository only; a refusal for access is a 403 (audited as a denial). One module of routes per
 * sub-area, beside its repository.
 */
import type { AppContext } from "../../web/app.ts";
import { registerAuthorisationRoutes } from "./authorisations-routes.ts";
import { registerCaseworkRecordRoutes } from "./casework-records-routes.ts";
import { registerChildPlanRoutes } from "./child-plans-routes.ts";
import { registerPlanReviewRoutes } from "./plan-reviews-routes.ts";

export const registerPlanRoutes = (context: AppContext): void => {
  registerChildPlanRoutes(context);
  registerPlanReviewRoutes(context);
  registerCaseworkRecordRoutes(context);
  registerAuthorisationRoutes(context);
};
