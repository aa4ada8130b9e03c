// SPDX-License-Identifier: MIT
/**
 * Hearth's configuration, read once from the environment and validated, so a bad setting fails at start
 * with the variable's name rather than later in a request.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";

const ZEnvironment = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    // Only this machine can connect unless HOST says otherwise (e.g. 0.0.0.0 in a container).
    HOST: z.string().min(1).default("127.0.0.1"),
    HEARTH_BASE_URL: z
      .url({
        protocol: /^https?$/,
        error: "must be an http:// or https:// address, like https://hearth.example.org",
      })
      .optional(),
    HEARTH_DATA_DIR: z.string().default("./data"),
    DATABASE_URL: z.string().url().optional(),
    HEARTH_SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    HEARTH_COOKIE_SECURE: z.enum(["true", "false"]).default("true"),
    // Only behind a proxy that sets X-Forwarded-For itself: otherwise a client could choose its own address.
    HEARTH_TRUST_PROXY: z.enum(["true", "false"]).default("false"),
    HEARTH_SESSION_IDLE_MINUTES: z.coerce.number().int().positive().default(30),
    HEARTH_SESSION_ABSOLUTE_HOURS: z.coerce.number().int().positive().default(12),
    HEARTH_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    // E-mail for notifications: off unless an SMTP server is named.
    HEARTH_SMTP_URL: z
      .url({
        protocol: /^smtps?$/,
        error: "must be an smtp:// or smtps:// address, like smtp://mail.example.org:587",
      })
      .optional(),
    HEARTH_SMTP_FROM: z.email({ error: "must be an email address, like hearth@example.org" }).optional(),
  })
  .refine((e) => !e.HEARTH_SMTP_URL || e.HEARTH_SMTP_FROM, {
    path: ["HEARTH_SMTP_FROM"],
    error: "must be set when HEARTH_SMTP_URL is",
  });

/** Where the data lives: the embedded PGlite folder, in memory, or a PostgreSQL server. */
export type DatabaseTarget =
  | { engine: "pglite"; dataDir: string | undefined }
  | { engine: "postgres"; connectionString: string };

export type HearthConfig = {
  port: number;
  host: string;
  /** Where people reach Hearth, for links in invites: never taken from a request's Host header. */
  baseUrl: string;
  database: DatabaseTarget;
  sessionSecret: string;
  cookieSecure: boolean;
  /** Whether the client's address comes from X-Forwarded-For (HEARTH_TRUST_PROXY=true). */
  trustProxy?: boolean;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  logLevel: string;
  /** Where notification e-mails go out, if anywhere (HEARTH_SMTP_URL and HEARTH_SMTP_FROM). */
  smtp?: { url: string; from: string } | undefined;
};

/**
 * Reads the configuration from environment variables.
 * @param env - The environment, usually `process.env`.
 * @returns The validated configuration.
 */
export const readConfig = (env: NodeJS.ProcessEnv = process.env): HearthConfig => {
  const parsed = ZEnvironment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Hearth's configuration is not valid:\n  ${problems.join("\n  ")}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.HEARTH_DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    baseUrl: (e.HEARTH_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
    database: e.DATABASE_URL
      ? { engine: "postgres", connectionString: e.DATABASE_URL }
      : { engine: "pglite", dataDir },
    sessionSecret:
      e.HEARTH_SESSION_SECRET ?? (e.DATABASE_URL ? randomBytes(32).toString("hex") : localSecret(dataDir)),
    cookieSecure: e.HEARTH_COOKIE_SECURE === "true",
    trustProxy: e.HEARTH_TRUST_PROXY === "true",
    sessionIdleMinutes: e.HEARTH_SESSION_IDLE_MINUTES,
    sessionAbsoluteHours: e.HEARTH_SESSION_ABSOLUTE_HOURS,
    logLevel: e.HEARTH_LOG_LEVEL,
    smtp:
      e.HEARTH_SMTP_URL && e.HEARTH_SMTP_FROM
        ? { url: e.HEARTH_SMTP_URL, from: e.HEARTH_SMTP_FROM }
        : undefined,
  };
};

/**
 * The embedded setup keeps its generated secret beside its data, so open forms survive a restart. With a
 * PostgreSQL server, several processes must share one secret, so it must be set in the environment; until
 * then each process makes its own (forms then only work on the process that served them).
 */
const localSecret = (dataDir: string): string => {
  const file = join(dataDir, "session-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("hex");
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
};
