// SPDX-License-Identifier: MIT
/**
 * Graceful shutdown for `hearth serve`: on SIGTERM or SIGINT the server stops accepting connections,
 * answers 503 to new requests on open ones (so `/readyz` turns the load balancer away), finishes the
 * requests in flight, then closes the database. If requests are still running after the grace period,
 * it stops anyway with an error (their transactions roll back: nothing is half-written).
 */
import type { FastifyInstance } from "fastify";
import type { HearthDatabase } from "../db/database.ts";

export const SHUTDOWN_GRACE_MS = 30_000;

/**
 * @param exit - What to do at the end (process.exit in `hearth serve`).
 * @returns The handler to call on a signal; a second signal while stopping is ignored.
 */
export const gracefulShutdown = (
  app: FastifyInstance,
  database: HearthDatabase,
  exit: (code: number) => void,
  graceMs = SHUTDOWN_GRACE_MS,
): ((signal: string) => Promise<void>) => {
  let stopping = false;
  return async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "shutting down: finishing requests in flight");
    const force = setTimeout(() => {
      app.log.error({ graceMs }, "requests still running after the grace period: stopping anyway");
      exit(1);
    }, graceMs);
    force.unref();
    try {
      await app.close();
      await database.close();
      clearTimeout(force);
      app.log.info("stopped");
      exit(0);
    } catch (error) {
      clearTimeout(force);
      app.log.error({ err: error }, "shutdown failed");
      exit(1);
    }
  };
};
