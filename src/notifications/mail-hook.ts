// SPDX-License-Identifier: MIT
/**
 * Sends notification e-mails after each change: a signed-in POST has committed its transaction by the
 * time its response is sent, so the pass that follows finds the rows the change made.
 */
import type { FastifyInstance } from "fastify";
import type { HearthConfig } from "../config/config.ts";
import type { HearthDatabase } from "../db/database.ts";
import { createMailer } from "./mailer.ts";

export const sendMailAfterChanges = (
  app: FastifyInstance,
  database: HearthDatabase,
  config: HearthConfig,
): void => {
  if (!config.smtp) return;
  const mailer = createMailer(database, config.smtp, config.baseUrl);
  app.addHook("onResponse", async (request) => {
    if (request.method === "GET" || request.method === "HEAD") return;
    const partnershipId =
      request.session?.stage === "complete" ? request.session.context.partnershipId : undefined;
    if (!partnershipId) return;
    // Not awaited by the response: the user never waits for the mail server.
    mailer
      .sendUnsent(partnershipId)
      .catch((error) => request.log.error({ err: error }, "could not send e-mail"));
  });
  app.addHook("onClose", async () => mailer.close());
};
