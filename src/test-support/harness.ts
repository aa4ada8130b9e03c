// SPDX-License-Identifier: MIT
/**
 * Test harness: a real database (PGlite in memory, or the PostgreSQL database named by
 * HEARTH_TEST_DATABASE_URL), a fresh synthetic partnership per suite, and HTTP through Fastify's inject
 * with a small cookie jar. No mocks.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import pg from "pg";
import { currentTotpCode } from "../auth/totp.ts";
import type { DatabaseTarget, HearthConfig } from "../config/config.ts";
import type { AccessContext } from "../data/access-context.ts";
import { type HearthDatabase, openDatabase } from "../db/database.ts";
import {
  DEMO_PASSWORD,
  type GeneratedPartnership,
  generatePartnership,
} from "../generator/generate-partnership.ts";
import { addCalendarDays, isWeekend, todayInEngland } from "../kernel/calendar.ts";
import { onKey } from "../kernel/sql.ts";
import type { AgencyType, Role } from "../organisation/codes.ts";
import { buildApp } from "../web/app.ts";

/** Which engine this run tests: set by scripts/test.js, PGlite when run directly. */
export const testDatabaseTarget = (): DatabaseTarget => {
  const url = process.env.HEARTH_TEST_DATABASE_URL;
  return url ? { engine: "postgres", connectionString: url } : { engine: "pglite", dataDir: undefined };
};

/**
 * The migrated PGlite image scripts/test.js saves once per run (HEARTH_TEST_PGLITE_IMAGE), so each test
 * file copies it into memory instead of running initdb and every migration again; undefined when a file
 * is run by hand, which then migrates a fresh database.
 */
export const testPgliteImage = (): Blob | undefined => {
  const path = process.env.HEARTH_TEST_PGLITE_IMAGE;
  return path ? new Blob([readFileSync(path)]) : undefined;
};

export const openTestDatabase = (): Promise<HearthDatabase> =>
  openDatabase(testDatabaseTarget(), { pgliteImage: testPgliteImage() });

/**
 * DfE's benchmark tables are shared by every partnership, and some test files replace them (with small
 * fixtures, or the published files). On one PostgreSQL database such files take turns for their whole run,
 * so one never reads what another has just swapped in; on PGlite each file has its own database.
 * @returns A function that lets the next file go.
 */
export const holdBenchmarkTables = async (): Promise<() => Promise<void>> => {
  const target = testDatabaseTarget();
  if (target.engine !== "postgres") return async () => {};
  const client = new pg.Client({ connectionString: target.connectionString });
  await client.connect();
  await client.query("select pg_advisory_lock(hashtext('hearth-tests-benchmark-tables'))");
  return async () => {
    await client.end(); // ending the session releases its lock
  };
};

export const testConfig = (database: DatabaseTarget = testDatabaseTarget()): HearthConfig => ({
  port: 0,
  host: "127.0.0.1",
  baseUrl: "http://localhost:3000",
  database,
  sessionSecret: "test-secret-that-is-at-least-32-characters-long",
  cookieSecure: false,
  sessionIdleMinutes: 30,
  sessionAbsoluteHours: 12,
  logLevel: "silent",
});

/**
 * A fresh partnership with its own id and accounts, so suites never see each other's rows, generated from
 * one fixed seed, so every run of a test meets the same families.
 */
export const TEST_SEED = "hearth-tests";

export const createTestPartnership = (
  database: HearthDatabase,
  children = 60,
  options: { socialCareJourneys?: boolean } = {},
): Promise<GeneratedPartnership> =>
  generatePartnership(database, {
    seed: TEST_SEED,
    identity: `test-${randomUUID()}`,
    children,
    name: "Test Partnership",
    ...options,
  });

export const signInFor = (partnership: GeneratedPartnership, role: Role) => {
  const signIn = partnership.signIns.find((s) => s.role === role);
  if (!signIn) throw new Error(`the generated partnership has no ${role}`);
  return signIn;
};

/**
 * A partnership's first user (by email) with a role who signs in with a password alone, optionally in an
 * agency of a type and other than someone, with the access context a signed-in request would carry.
 */
export const userFor = async (
  database: HearthDatabase,
  partnership: GeneratedPartnership,
  role: Role,
  options: { agencyType?: AgencyType | undefined; notUserId?: string | undefined } = {},
): Promise<{ context: AccessContext; email: string }> => {
  let query = database.unsafeOwnerDb
    .selectFrom("users as u")
    .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "u.agency_id"))
    .select(["u.user_id", "u.agency_id", "u.team_id", "u.email"])
    .where("u.partnership_id", "=", partnership.partnershipId)
    .where("u.role", "=", role)
    .where("u.totp_secret", "is", null);
  if (options.agencyType) query = query.where("a.agency_type", "=", options.agencyType);
  if (options.notUserId) query = query.where("u.user_id", "<>", options.notUserId);
  const row = await query.orderBy("u.email").executeTakeFirstOrThrow();
  return { email: row.email, context: contextFromUserRow(partnership.partnershipId, { ...row, role }) };
};

/** The context a signed-in request from this machine carries, without a session (tests call repositories). */
export const contextFromUserRow = (
  partnershipId: string,
  user: { user_id: string; role: Role; agency_id: string; team_id: string | null },
): AccessContext => ({
  partnershipId,
  userId: user.user_id,
  role: user.role,
  agencyId: user.agency_id,
  teamId: user.team_id,
  sessionId: null,
  ip: "127.0.0.1",
});

/** The access context a signed-in request by this user (found by id or by email) would carry. */
export const contextOfUser = async (
  database: HearthDatabase,
  partnershipId: string,
  who: { userId: string } | { email: string },
): Promise<AccessContext> => {
  const users = database.unsafeOwnerDb
    .selectFrom("users")
    .select(["user_id", "agency_id", "team_id", "role"])
    .where("partnership_id", "=", partnershipId);
  const row = await ("userId" in who
    ? users.where("user_id", "=", who.userId)
    : users.where("email", "=", who.email)
  ).executeTakeFirstOrThrow();
  return contextFromUserRow(partnershipId, row);
};

/**
 * A practitioner (password alone, not deactivated; the first by email) whose agency has no involvement
 * with the person, optionally in none of some agency types: the caller every access rule about that
 * person must refuse.
 */
export const practitionerNotInvolvedWith = async (
  database: HearthDatabase,
  partnershipId: string,
  personId: string,
  options: { notAgencyTypes?: readonly AgencyType[] } = {},
): Promise<{ context: AccessContext; email: string }> => {
  let query = database.unsafeOwnerDb
    .selectFrom("users as u")
    .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "u.agency_id"))
    .select(["u.user_id", "u.agency_id", "u.team_id", "u.email", "u.role"])
    .where("u.partnership_id", "=", partnershipId)
    .where("u.role", "=", "practitioner")
    .where("u.totp_secret", "is", null)
    .where("u.deactivated_at", "is", null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("involvements as i")
            .select("i.involvement_id")
            .whereRef("i.partnership_id", "=", "u.partnership_id")
            .whereRef("i.agency_id", "=", "u.agency_id")
            .where("i.person_id", "=", personId),
        ),
      ),
    );
  if (options.notAgencyTypes?.length) query = query.where("a.agency_type", "not in", options.notAgencyTypes);
  const row = await query.orderBy("u.email").executeTakeFirstOrThrow();
  return { email: row.email, context: contextFromUserRow(partnershipId, row) };
};

/** The access context of {@link userFor}'s user. */
export const accessContextFor = async (
  database: HearthDatabase,
  partnership: GeneratedPartnership,
  role: Role,
  agencyType?: AgencyType,
): Promise<AccessContext> => (await userFor(database, partnership, role, { agencyType })).context;

export const startTestApp = async (database: HearthDatabase): Promise<FastifyInstance> => {
  const app = await buildApp({ config: testConfig(), database });
  await app.ready();
  return app;
};

/** A browser stand-in: keeps cookies between requests and reads each form's CSRF token. */
export class TestClient {
  readonly cookies = new Map<string, string>();
  csrfToken = "";

  constructor(readonly app: FastifyInstance) {}

  #remember(response: LightMyRequestResponse) {
    for (const cookie of response.cookies) {
      if (cookie.value === "" || (cookie.expires && cookie.expires.getTime() < Date.now()))
        this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    const match = /name="_csrf" value="([^"]+)"/.exec(response.body);
    if (match?.[1]) this.csrfToken = match[1];
    return response;
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.#remember(
      await this.app.inject({ method: "GET", url, headers: { cookie: this.cookieHeader } }),
    );
  }

  /** Posts a form, with the CSRF token from the last page unless `csrf: false`. */
  async post(
    url: string,
    form: Record<string, string>,
    options: { csrf?: boolean } = {},
  ): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams(
      options.csrf === false ? form : { _csrf: this.csrfToken, ...form },
    ).toString();
    return this.#remember(
      await this.app.inject({
        method: "POST",
        url,
        payload: body,
        headers: { cookie: this.cookieHeader, "content-type": "application/x-www-form-urlencoded" },
      }),
    );
  }

  /** Signs in with the demo password, and the second factor when the account has one. */
  async signIn(
    email: string,
    options: { password?: string; totpSecret?: string } = {},
  ): Promise<LightMyRequestResponse> {
    await this.get("/sign-in");
    const response = await this.post("/sign-in", { email, password: options.password ?? DEMO_PASSWORD });
    if (response.headers.location === "/sign-in/second-factor" && options.totpSecret) {
      await this.get("/sign-in/second-factor");
      const now = await this.post("/sign-in/second-factor", { code: currentTotpCode(options.totpSecret) });
      // A code is accepted once; a second sign-in in the same 30 seconds uses the next period's code.
      if (now.statusCode !== 401) return now;
      return this.post("/sign-in/second-factor", { code: currentTotpCode(options.totpSecret, 1) });
    }
    return response;
  }
}

/** A weekday (Monday to Friday) this many calendar days before today in England, or the weekday before. */
export const weekdayAgo = (days: number): string => {
  let date = addCalendarDays(todayInEngland(), -days);
  while (isWeekend(date)) date = addCalendarDays(date, -1);
  return date;
};
