// SPDX-License-Identifier: MIT
/**
 * `hearth doctor`: checks what a council's IT needs before switching Hearth on or after a change: the
 * configuration, that the database answers, that every migration has run, that each partnership's audit
 * chain verifies up to its head with no committed audit rows left outside it, and that each sign-in
 * provider's secret can be read with this HEARTH_SESSION_SECRET. Changes nothing (it does not migrate).
 * Exits 1 if any check fails.
 */
import { sql } from "kysely";
import { chainFailures, unsafeVerifyAuditChains } from "../audit/audit-log.ts";
import { type HearthConfig, readConfig } from "../config/config.ts";
import { type HearthDatabase, migrationsUpToDate, openDatabase } from "../db/database.ts";
import { MIGRATIONS } from "../db/migrations/index.ts";
import { decryptSecret } from "../sso/secrets.ts";

export type Finding = { level: "ok" | "warn" | "fail"; check: string; message: string };

const configFindings = (config: HearthConfig, env: NodeJS.ProcessEnv): Finding[] => {
  const out: Finding[] = [
    {
      level: "ok",
      check: "configuration",
      message: `valid; ${config.database.engine === "postgres" ? "PostgreSQL (DATABASE_URL)" : `embedded database in ${config.database.dataDir}`}`,
    },
  ];
  if (!env.HEARTH_BASE_URL)
    out.push({
      level: "warn",
      check: "configuration",
      message:
        "HEARTH_BASE_URL is not set: links in e-mails and the single sign-on redirect use http://localhost",
    });
  else if (config.baseUrl.startsWith("http://"))
    out.push({
      level: "warn",
      check: "configuration",
      message: "HEARTH_BASE_URL is http://: serve Hearth over HTTPS",
    });
  if (!config.cookieSecure)
    out.push({
      level: "warn",
      check: "configuration",
      message: "HEARTH_COOKIE_SECURE=false: cookies would be sent over plain HTTP",
    });
  if (config.database.engine === "postgres" && !env.HEARTH_SESSION_SECRET)
    out.push({
      level: "fail",
      check: "configuration",
      message:
        "HEARTH_SESSION_SECRET is not set: with PostgreSQL every app process needs the same secret (forms, and sign-in providers' secrets, are unreadable otherwise)",
    });
  return out;
};

const databaseFindings = async (database: HearthDatabase, config: HearthConfig): Promise<Finding[]> => {
  const out: Finding[] = [];
  await sql`select 1`.execute(database.unsafeOwnerDb);
  out.push({ level: "ok", check: "database", message: "reachable" });
  if (await migrationsUpToDate(database.unsafeOwnerDb)) {
    out.push({ level: "ok", check: "migrations", message: `all ${Object.keys(MIGRATIONS).length} applied` });
  } else {
    const present = await sql<{
      present: boolean;
    }>`select to_regclass('hearth_migrations') is not null as present`.execute(database.unsafeOwnerDb);
    const done = present.rows[0]?.present
      ? (
          await sql<{ name: string }>`select name from hearth_migrations`.execute(database.unsafeOwnerDb)
        ).rows.map((r) => r.name)
      : [];
    const pending = Object.keys(MIGRATIONS).filter((name) => !done.includes(name));
    const unknown = done.filter((name) => !(name in MIGRATIONS));
    out.push({
      level: "fail",
      check: "migrations",
      message:
        `${pending.length ? `not applied: ${pending.join(", ")} (hearth serve applies them at start)` : ""}${unknown.length ? ` applied but unknown to this version of Hearth: ${unknown.join(", ")}` : ""}`.trim(),
    });
    return out;
  }
  const report = await unsafeVerifyAuditChains(database.unsafeOwnerDb);
  const heads = await database.unsafeOwnerDb
    .selectFrom("audit_chain_heads")
    .select(["partnership_id", "last_seq", "last_hash"])
    .orderBy("partnership_id")
    .execute();
  const failures = chainFailures(report);
  if (failures.length === 0) {
    out.push({
      level: "ok",
      check: "audit chain",
      message: `intact: ${report.rows} rows in ${report.partnerships} partnership(s); none committed outside it`,
    });
    for (const head of heads)
      out.push({
        level: "ok",
        check: "audit chain",
        message: `partnership ${head.partnership_id}: head at row ${head.last_seq}, hash ${head.last_hash.slice(0, 16)}...`,
      });
  }
  for (const line of failures) out.push({ level: "fail", check: "audit chain", message: `BROKEN: ${line}` });
  const providers = await database.unsafeOwnerDb
    .selectFrom("sso_providers")
    .select(["display_name", "client_secret_encrypted"])
    .where("deactivated_at", "is", null)
    .execute();
  for (const provider of providers) {
    out.push(
      decryptSecret(config.sessionSecret, provider.client_secret_encrypted) === undefined
        ? {
            level: "fail",
            check: "single sign-on",
            message: `the client secret of "${provider.display_name}" cannot be read with this HEARTH_SESSION_SECRET: enter it again on the administration page`,
          }
        : {
            level: "ok",
            check: "single sign-on",
            message: `"${provider.display_name}": client secret readable`,
          },
    );
  }
  return out;
};

/** Runs every check. @returns The findings, in order. */
export const runDoctor = async (env: NodeJS.ProcessEnv = process.env): Promise<Finding[]> => {
  let config: HearthConfig;
  try {
    config = readConfig(env);
  } catch (error) {
    return [{ level: "fail", check: "configuration", message: (error as Error).message }];
  }
  const findings = configFindings(config, env);
  let database: HearthDatabase;
  try {
    database = await openDatabase(config.database, { migrate: false });
  } catch (error) {
    findings.push({ level: "fail", check: "database", message: (error as Error).message });
    return findings;
  }
  try {
    findings.push(...(await databaseFindings(database, config)));
  } catch (error) {
    findings.push({ level: "fail", check: "database", message: (error as Error).message });
  } finally {
    await database.close();
  }
  return findings;
};

export const doctorCommand = async () => {
  const findings = await runDoctor();
  for (const f of findings)
    console.log(
      `${f.level === "ok" ? "ok  " : f.level === "warn" ? "WARN" : "FAIL"}  ${f.check}: ${f.message}`,
    );
  const failed = findings.filter((f) => f.level === "fail").length;
  console.log(failed ? `${failed} check(s) failed.` : "Every check passed.");
  if (failed) process.exitCode = 1;
};
