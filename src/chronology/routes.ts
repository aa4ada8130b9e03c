// SPDX-License-Identifier: MIT
/**
 * The chronology pages: a child's and a family's chronology, adding, amending and retracting entries,
 * exports. Each sub-area registers its own routes.
 */
import type { AppContext } from "../web/app.ts";
import { registerChronologyEntryRoutes } from "./entry-routes.ts";
import { registerChronologyExportRoutes } from "./export-routes.ts";
import { registerChronologyPageRoutes } from "./page-routes.ts";

export { PER_PAGE } from "./page-routes.ts";

export const registerChronologyRoutes = (context: AppContext): void => {
  registerChronologyPageRoutes(context);
  registerChronologyExportRoutes(context);
  registerChronologyEntryRoutes(context);
};
