// SPDX-License-Identifier: MIT
/** The assessment pages: choosing a tool, completing it (with the family and the child), results, change over time. */
import type { AppContext } from "../web/app.ts";

export const registerAssessmentRoutes = (_context: AppContext): void => {};
