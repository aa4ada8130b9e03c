// SPDX-License-Identifier: MIT
/**
 * The people pages: finding a person, adding one (with a warning of likely duplicates), a child's record,
 * the history summary a new worker reads first, involvements and their lawful basis, asking for
 * involvement, break glass, and merging duplicate records (and undoing it). Each sub-area registers its
 * own routes.
 */
import type { AppContext } from "../web/app.ts";
import { registerFamilyLinkRoutes } from "./family-link-routes.ts";
import { registerRecordRoutes } from "./record-routes.ts";
import { registerSearchRoutes } from "./search-routes.ts";

export const registerPeopleRoutes = (context: AppContext): void => {
  registerSearchRoutes(context);
  registerRecordRoutes(context);
  registerFamilyLinkRoutes(context);
};
