// SPDX-License-Identifier: MIT
/**
 * Scaling out, shared by bench/two-servers.bench.ts (large) and src/ops/two-servers.test.ts (small): two
 * Hearth processes (the real CLI, `hearth serve`, sharing HEARTH_SESSION_SECRET) on one PostgreSQL
 * database, behind a simple round-robin proxy started here (no sticky sessions: each request goes to the
 * next process). The members of staff sign in through the proxy, then for `rounds` rounds each opens the
 * add-entry form, posts an entry with the form's CSRF token and reads the chronology, so a session and its
 * CSRF token made by one process are used on the other. Errors are any status outside 2xx/3xx, a redirect
 * to sign-in, an entry not acknowledged, or no answer.
 */
import type { ChildProcess } from "node:child_process";
import { createServer, request as forward } from "node:http";
import type { SimulatedUser } from "./choose-users.ts";
import { exited, freePort, startServer } from "./hearth-process.ts";
import { type Answer, chronologyEntryForm, HttpUser } from "./http-user.ts";

export type TwoServersRun = {
  /** Requests after sign-in. */
  requests: number;
  /** Requests (sign-in included) each process served. */
  served: [number, number];
  failures: string[];
  /** Entries acknowledged (303 to the chronology). */
  acknowledged: number;
};

/** A round-robin proxy to the ports, passing on the client's X-Forwarded-For; counts each one's share. */
const roundRobinProxy = async (ports: number[]) => {
  const served = ports.map(() => 0);
  let turn = 0;
  const proxy = createServer((incoming, outgoing) => {
    const backend = turn++ % ports.length;
    served[backend] = (served[backend] ?? 0) + 1;
    const upstream = forward(
      {
        host: "127.0.0.1",
        port: ports[backend],
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on("error", () => {
      outgoing.writeHead(502);
      outgoing.end();
    });
    incoming.pipe(upstream);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => proxy.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        proxy.close(() => resolve());
        // Keep-alive connections from the clients would hold close() open.
        proxy.closeAllConnections();
      }),
  };
};

/**
 * @param options.env - The processes' environment: DATABASE_URL and the shared HEARTH_SESSION_SECRET;
 *   ports and addresses are added here.
 * @param options.marker - Starts every entry's text, to count them in the database afterwards.
 * @param options.addressPrefix - Each user's X-Forwarded-For is this and its number, e.g. "10.2.0.".
 */
export const twoServersBehindProxy = async (options: {
  env: NodeJS.ProcessEnv;
  users: SimulatedUser[];
  rounds: number;
  marker: string;
  addressPrefix: string;
}): Promise<TwoServersRun> => {
  const servers: ChildProcess[] = [];
  const ports = [await freePort(), await freePort()];
  const proxy = await roundRobinProxy(ports);
  try {
    for (const port of ports) {
      const started = await startServer(
        {
          ...options.env,
          PORT: String(port),
          HOST: "127.0.0.1",
          HEARTH_BASE_URL: proxy.url,
          HEARTH_COOKIE_SECURE: "false",
          HEARTH_TRUST_PROXY: "true",
          HEARTH_LOG_LEVEL: options.env.HEARTH_LOG_LEVEL ?? "warn",
        },
        `http://127.0.0.1:${port}`,
      );
      servers.push(started.child);
    }
    const clients = options.users.map((_, i) => new HttpUser(proxy.url, `${options.addressPrefix}${i + 1}`));
    await Promise.all(options.users.map((user, i) => clients[i]?.signIn(user.email, user.totpSecret)));
    let requests = 0;
    let acknowledged = 0;
    const failures: string[] = [];
    const check = async (what: string, send: () => Promise<Answer>, ok: (a: Answer) => boolean) => {
      requests += 1;
      try {
        const answer = await send();
        if (answer.status >= 400 || answer.location?.startsWith("/sign-in") || !ok(answer))
          failures.push(`${what}: ${answer.status} ${answer.location ?? ""}`);
        return answer;
      } catch (error) {
        failures.push(`${what}: no answer (${(error as Error).message})`);
        return undefined;
      }
    };
    await Promise.all(
      options.users.map(async (user, i) => {
        const client = clients[i];
        if (!client) return;
        for (let round = 0; round < options.rounds; round += 1) {
          const child = user.children[round % user.children.length];
          if (!child) return;
          const path = `/people/${child.personId}/chronology`;
          await check(
            "entry form",
            () => client.get(`${path}/new?eventType=not-brought-dental`),
            (a) => a.status === 200,
          );
          const added = await check(
            "add entry",
            () =>
              client.post(`${path}/new`, chronologyEntryForm(`${options.marker} user ${i} round ${round}`)),
            (a) => a.status === 303 && (a.location ?? "").includes("done=added"),
          );
          if (added?.status === 303) acknowledged += 1;
          await check(
            "chronology",
            () => client.get(path),
            (a) => a.status === 200,
          );
        }
      }),
    );
    return {
      requests,
      served: [proxy.served[0] ?? 0, proxy.served[1] ?? 0],
      failures,
      acknowledged,
    };
  } finally {
    await proxy.close();
    for (const server of servers) {
      server.kill("SIGTERM");
      await exited(server);
    }
  }
};
