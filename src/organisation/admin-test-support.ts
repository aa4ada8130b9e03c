// SPDX-License-Identifier: MIT
/**
 * What the administration tests share (admin-*.test.ts): the test database, a partnership and app of its own
 * for each describe block with its administrator signed in, and helpers that read pages and rows.
 */
import assert from "node:assert/strict";
import { after, before } from "node:test";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import {
  createTestPartnership,
  openTestDatabase,
  signInFor,
  startTestApp,
  TestClient,
} from "../test-support/harness.ts";
import type { Role } from "./codes.ts";

export const WRONG_CREDENTIALS = "Enter a correct email address and password";
export const FORBIDDEN = "You do not have access to this page";
export const NON_ADMIN_ROLES: Role[] = [
  "practitioner",
  "manager",
  "safeguarding-lead",
  "front-door",
  "analyst",
  "auditor",
];

/** The test file's database (a live binding: set by useTestDatabase's before hook). */
export let database: HearthDatabase;

/** Opens the database before the calling test file's tests and closes it after them; call it at top level. */
export const useTestDatabase = () => {
  before(async () => {
    database = await openTestDatabase();
  });
  after(async () => {
    await database.close();
  });
};

export type Suite = { partnership: GeneratedPartnership; app: FastifyInstance; admin: TestClient };

/**
 * Gives a describe block its own partnership and app (so its own rate-limit counters), with the
 * partnership's administrator signed in, second factor and all.
 */
export const ownPartnershipWithAdmin = (): Suite => {
  const suite = {} as Suite;
  before(async () => {
    suite.partnership = await createTestPartnership(database);
    suite.app = await startTestApp(database);
    suite.admin = new TestClient(suite.app);
    const response = await suite.admin.signIn(signInFor(suite.partnership, "administrator").email, {
      totpSecret: suite.partnership.administratorTotpSecret,
    });
    assertRedirect(response, "/");
  });
  after(async () => {
    await suite.app.close();
  });
  return suite;
};

export const assertRedirect = (response: LightMyRequestResponse, location: string) => {
  assert.ok(
    response.statusCode >= 300 && response.statusCode < 400,
    `expected a redirect to ${location}, got ${response.statusCode}`,
  );
  assert.equal(response.headers.location, location);
};

/** The page's text as a reader sees it: HTML entities decoded. */
export const text = (response: LightMyRequestResponse): string =>
  response.body
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

export const capture = (pattern: RegExp, body: string, what: string): string => {
  const match = pattern.exec(body);
  if (!match?.[1]) return assert.fail(`${what} is not in the page`);
  return match[1];
};

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The value of the <option> showing this label. */
export const optionValue = (response: LightMyRequestResponse, label: string): string =>
  capture(
    new RegExp(`<option value="([^"]+)"[^>]*>${escapeRegExp(label)}</option>`),
    response.body,
    `the option "${label}"`,
  );

/** Asserts a 400 whose error summary links to the field and gives the message. */
export const assertFieldError = (response: LightMyRequestResponse, field: string, message: string) => {
  assert.equal(response.statusCode, 400, `expected 400 for ${field}, got ${response.statusCode}`);
  assert.match(response.body, /<title[^>]*>Error: /, "the page title starts with Error:");
  assert.ok(response.body.includes("There is a problem"), "the error summary is shown");
  assert.ok(response.body.includes(`href="#${field}"`), `the error summary links to #${field}`);
  assert.ok(text(response).includes(message), `the page says "${message}"`);
};

/** A browser signed in as the partnership's demo user with this role (no second factor). */
export const signedIn = async (suite: Suite, role: Role): Promise<TestClient> => {
  const client = new TestClient(suite.app);
  assertRedirect(await client.signIn(signInFor(suite.partnership, role).email), "/");
  return client;
};

export const userRow = (partnershipId: string, userId: string) =>
  database.unsafeOwnerDb
    .selectFrom("users")
    .select(["role", "deactivated_at", "totp_confirmed_at", "password_hash"])
    .where("partnership_id", "=", partnershipId)
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();

/** How many of the partnership's agencies or teams have this name, or users this email address. */
export const countRows = async (
  table: "agencies" | "teams" | "users",
  partnershipId: string,
  value: string,
): Promise<number> => {
  const db = database.unsafeOwnerDb;
  const rows =
    table === "users"
      ? await db
          .selectFrom("users")
          .select("user_id")
          .where("partnership_id", "=", partnershipId)
          .where("email", "=", value)
          .execute()
      : await db
          .selectFrom(table)
          .select("partnership_id")
          .where("partnership_id", "=", partnershipId)
          .where("name", "=", value)
          .execute();
  return rows.length;
};

export const agenciesOf = (partnershipId: string) =>
  database.unsafeOwnerDb
    .selectFrom("agencies")
    .select(["agency_id", "name"])
    .where("partnership_id", "=", partnershipId)
    .execute();
