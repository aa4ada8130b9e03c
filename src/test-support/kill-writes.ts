// SPDX-License-Identifier: MIT
/**
 * Killed mid-write, shared by bench/kill-writes.bench.ts (large) and src/ops/kill-writes.test.ts (small):
 * starts Hearth as its own process (the real CLI, `hearth serve`) on a database the caller prepared, signs
 * in the given members of staff, and has each post new chronology entries back to back (the add form's
 * POST with its CSRF token) until `writes` have been sent. Once `killAfter` have been acknowledged (303 to
 * the chronology) and another is posted and not yet answered, the server gets SIGKILL: no shutdown, requests cut off mid-transaction. Hearth is then
 * started again on the same database, the writers' sessions are tried, and the server is stopped. The
 * caller then counts what is stored ({@link storedWrites}) and checks the chain ({@link auditVerify}), with
 * no Hearth process holding the database (the embedded database is one process's).
 */
import { spawnSync } from "node:child_process";
import type { DatabaseTarget } from "../config/config.ts";
import { openDatabase } from "../db/database.ts";
import type { SimulatedUser } from "./choose-users.ts";
import { exited, freePort, HEARTH, startServer } from "./hearth-process.ts";
import { chronologyEntryForm, HttpUser } from "./http-user.ts";

export type KillWritesRun = {
  sent: number;
  /** How many had been acknowledged when SIGKILL was sent. */
  killedAt: number | undefined;
  signal: NodeJS.Signals | null;
  /** The text of every acknowledged entry. */
  acknowledged: string[];
  /** Answers other than an acknowledgement (status and location). */
  refused: string[];
  /** Requests the kill cut off before their answer. */
  cutOff: number;
  /** Writers whose session still opened a chronology after the restart. */
  sessionsKept: number;
  restartMs: number;
};

/**
 * @param options.env - The server's environment: its database (DATABASE_URL, or HEARTH_DATA_DIR for the
 *   embedded database) and HEARTH_SESSION_SECRET (the same after the restart, as a real deployment has);
 *   the port and address are added here.
 * @param options.marker - Starts every entry's text, to find them afterwards.
 * @param options.addressPrefix - Each writer's X-Forwarded-For is this and its number (the sign-in rate
 *   limit is per address), e.g. "10.1.0.".
 */
export const killDuringWrites = async (options: {
  env: NodeJS.ProcessEnv;
  users: SimulatedUser[];
  writes: number;
  killAfter: number;
  marker: string;
  addressPrefix: string;
}): Promise<KillWritesRun> => {
  const { users, writes, killAfter, marker } = options;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    PORT: String(port),
    HOST: "127.0.0.1",
    HEARTH_BASE_URL: url,
    HEARTH_COOKIE_SECURE: "false",
    HEARTH_TRUST_PROXY: "true",
    HEARTH_LOG_LEVEL: options.env.HEARTH_LOG_LEVEL ?? "warn",
  };
  let server = (await startServer(env, url)).child;
  try {
    const clients = users.map((_, i) => new HttpUser(url, `${options.addressPrefix}${i + 1}`));
    await Promise.all(users.map((user, i) => clients[i]?.signIn(user.email, user.totpSecret)));

    // The burst: each writer posts entries back to back, until all are sent or the server is gone.
    let sent = 0;
    const acknowledged: string[] = [];
    const refused: string[] = [];
    let cutOff = 0;
    let killedAt: number | undefined;
    const kill = () => {
      if (killedAt !== undefined) return;
      killedAt = acknowledged.length;
      server.kill("SIGKILL");
    };
    // Killed once `killAfter` are acknowledged and another entry is on its way (posted, not yet
    // answered), so a write is cut off mid-transaction; or once every entry has been sent.
    const watch = setInterval(() => {
      const inFlight = sent - acknowledged.length - refused.length - cutOff;
      if (acknowledged.length >= killAfter && (inFlight > 0 || sent >= writes)) kill();
    }, 1);
    const write = async (user: SimulatedUser, client: HttpUser, index: number) => {
      let round = 0;
      while (sent < writes) {
        const child = user.children[round % user.children.length];
        if (!child) return;
        round += 1;
        const form = await client
          .get(`/people/${child.personId}/chronology/new?eventType=not-brought-dental`)
          .catch(() => undefined);
        if (form?.status !== 200) return;
        if (sent >= writes) return;
        const text = `${marker} writer ${index} entry ${round}`;
        sent += 1;
        try {
          const answer = await client.post(
            `/people/${child.personId}/chronology/new`,
            chronologyEntryForm(text),
          );
          if (answer.status === 303 && (answer.location ?? "").includes("done=added"))
            acknowledged.push(text);
          else refused.push(`${answer.status} ${answer.location ?? ""}`);
        } catch {
          cutOff += 1;
          return; // the server is gone
        }
      }
    };
    await Promise.all(
      users.map((user, i) => {
        const client = clients[i];
        return client ? write(user, client, i) : Promise.resolve();
      }),
    );
    // Every writer stopped: the server was killed, or every entry was sent before the kill (then kill now).
    clearInterval(watch);
    kill();
    await exited(server);
    const signal = server.signalCode;

    // Started again on the same database.
    const second = await startServer(env, url);
    server = second.child;
    const sessionsKept = (
      await Promise.all(
        users.map(async (user, i) => {
          const child = user.children[0];
          const answer = await clients[i]?.get(`/people/${child?.personId}/chronology`);
          return answer?.status === 200;
        }),
      )
    ).filter(Boolean).length;
    return { sent, killedAt, signal, acknowledged, refused, cutOff, sessionsKept, restartMs: second.startMs };
  } finally {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill("SIGTERM");
      await exited(server);
    }
  }
};

/**
 * The entries whose text starts with `marker`, and how many of them lack their "create" audit row (each
 * entry's audit row is written in the entry's own transaction: none may be missing).
 */
export const storedWrites = async (
  target: DatabaseTarget,
  partnershipId: string,
  marker: string,
): Promise<{ stored: Set<string>; unaudited: number }> => {
  const check = await openDatabase(target, { migrate: false });
  try {
    const rows = await check.unsafeOwnerDb
      .selectFrom("chronology_events")
      .select(["event_id", "what_happened"])
      .where("partnership_id", "=", partnershipId)
      .where("what_happened", "like", `${marker} %`)
      .execute();
    const audited = await check.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("record_id")
      .where("partnership_id", "=", partnershipId)
      .where("record_type", "=", "chronology-event")
      .where("action", "=", "create")
      .execute();
    const auditedIds = new Set(audited.map((a) => a.record_id));
    return {
      stored: new Set(rows.map((r) => r.what_happened)),
      unaudited: rows.filter((r) => !auditedIds.has(r.event_id)).length,
    };
  } finally {
    await check.close();
  }
};

/** `hearth audit verify` on the database in `env` (DATABASE_URL or HEARTH_DATA_DIR): its exit and output. */
export const auditVerify = (env: NodeJS.ProcessEnv): { status: number | null; output: string } => {
  const verify = spawnSync(process.execPath, [HEARTH, "audit", "verify"], {
    env: { ...env, HEARTH_LOG_LEVEL: "silent" },
    encoding: "utf8",
  });
  return { status: verify.status, output: `${verify.stdout}${verify.stderr}`.trim() };
};
