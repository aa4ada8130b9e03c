// SPDX-License-Identifier: MIT
/** The people pages: finding a person, adding one, a child's record, involvements, break glass, merges. */
import type { AppContext } from "../web/app.ts";

export const registerPeopleRoutes = (_context: AppContext): void => {};
