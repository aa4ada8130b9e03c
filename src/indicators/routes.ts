// SPDX-License-Identifier: MIT
/**
 * The indicator pages: the dashboard, one indicator (definition, chart and table, breakdowns, benchmarks,
 * drill-down), disproportionality, and the quarterly board report (commentary, then PDF and XLSX made in
 * the background with their progress shown). Thin: each route checks its input with Zod and asks
 * request.repo.indicators, which applies the access rules.
 */

import type { AppContext } from "../web/app.ts";
import { settleBackgroundWork } from "./background.ts";
import { registerBoardReportRoutes } from "./board-report-routes.ts";
import { registerBoardSettingsRoutes } from "./board-settings-routes.ts";
import { registerDashboardRoutes } from "./dashboard-routes.ts";
import { registerIndicatorPageRoutes } from "./indicator-page-routes.ts";

export { STEP_LABELS } from "./board-report-routes.ts";
export { formatFigure } from "./indicator-route-helpers.ts";

/** @param context - The app and its database. */
export const registerIndicatorRoutes = (context: AppContext): void => {
  const { app } = context;
  registerBoardSettingsRoutes(context);
  // Figures being recomputed in the background finish before the database closes.
  app.addHook("onClose", settleBackgroundWork);
  registerDashboardRoutes(context);
  registerBoardReportRoutes(context);
  registerIndicatorPageRoutes(context);
};
