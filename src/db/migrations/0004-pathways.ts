// SPDX-License-Identifier: MIT
/** Responding to need: levels, requests for support, early help, CIN census coded episodes, alerts. */
import type { Kysely } from "kysely";

export const up = async (_db: Kysely<unknown>): Promise<void> => {};
