// SPDX-License-Identifier: MIT
/**
 * Health checks for a load balancer or orchestrator, open without sign-in and revealing nothing else:
 * `/healthz` says the process is up; `/readyz` says it can serve (the database answers and every
 * migration has run), 503 otherwise and while the process is shutting down.
 */
import { sql } from "kysely";
import { migrationsUpToDate } from "../db/database.ts";
import type { AppContext } from "../web/app.ts";

export const registerHealthRoutes = ({ app, database }: AppContext) => {
  app.get("/healthz", async (_request, reply) => reply.send({ status: "ok" }));

  app.get("/readyz", async (_request, reply) => {
    try {
      await sql`select 1`.execute(database.unsafeOwnerDb);
      if (!(await migrationsUpToDate(database.unsafeOwnerDb)))
        return reply.code(503).send({ status: "not ready" });
      return reply.send({ status: "ready" });
    } catch {
      return reply.code(503).send({ status: "not ready" });
    }
  });
};
