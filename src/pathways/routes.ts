// SPDX-License-Identifier: MIT
/** The response pages: requests for support, the front door, early help, social care episodes, alerts. */
import type { AppContext } from "../web/app.ts";

export const registerPathwayRoutes = (_context: AppContext): void => {};
