// SPDX-License-Identifier: MIT
/**
 * The fixtures most test files share: a migrated database, one generated partnership and the app over
 * them, opened before the file's tests and closed after. Call {@link useTestApp} once at the file's top
 * level. A file's own set-up goes in its `setUp`, not in a top-level `before` of its own: node:test starts
 * top-level hooks without waiting for the one before, so a separate hook could run before the fixtures
 * are set.
 *
 * The exports are live bindings: a test file imports `database`, `partnership` and `app` and reads them
 * inside its tests and hooks, where `useTestApp`'s hook has already set them. Each test file runs in its
 * own process, so no two files share them.
 */
import { after, before } from "node:test";
import type { FastifyInstance } from "fastify";
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import { createTestPartnership, openTestDatabase, startTestApp } from "./harness.ts";

export let database: HearthDatabase;
export let partnership: GeneratedPartnership;
/** The app over the database; unset when `useTestApp` is told `{ app: false }`. */
export let app: FastifyInstance;

export type TestAppOptions = {
  /** Children in the generated partnership (the harness's default when left out). */
  children?: number;
  socialCareJourneys?: boolean;
  /** Start the app as well (the default); false for files that test repositories alone. */
  app?: boolean;
};

/** @param setUp - The file's own set-up, run once the fixtures are set (users, families, records). */
export const useTestApp = (options: TestAppOptions = {}, setUp?: () => Promise<void>): void => {
  before(async () => {
    database = await openTestDatabase();
    partnership = await createTestPartnership(
      database,
      options.children,
      options.socialCareJourneys === undefined ? {} : { socialCareJourneys: options.socialCareJourneys },
    );
    if (options.app !== false) app = await startTestApp(database);
    await setUp?.();
  });
  after(async () => {
    await app?.close();
    await database?.close();
  });
};
