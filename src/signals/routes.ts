// SPDX-License-Identifier: MIT
/**
 * The signal page (what the rule looks for and why, the entries that fired it that the viewer may see,
 * the decisions, and the form to record one) and each rule's measured precision. Thin: the repository
 * applies the access rules and audits.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../web/app.ts";
import { type FormErrors, fieldError, noErrors, showForm } from "../web/forms.ts";
import { forbidden, notFound, requireAllowed } from "../web/guards.ts";
import { formBody, idParam } from "../web/request-values.ts";
import { SIGNAL_DECISIONS } from "./codes.ts";
import { COUNTED_ACROSS } from "./rule-schema.ts";
import { SUPPRESS_UNDER } from "./signals-repository.ts";

const CASE_ROLES = requireAllowed("records.read");
const READERS = requireAllowed("indicators.read");

export const registerSignalRoutes = ({ app }: AppContext): void => {
  const showSignal = async (
    request: FastifyRequest,
    reply: FastifyReply,
    signalId: string,
    errors: FormErrors = noErrors(),
    values: Record<string, unknown> = {},
  ) => {
    const signal = await request.repo.signals.getSignal(signalId);
    if (!signal) return notFound(reply);
    const decided = (request.query as Record<string, unknown>)?.decided === "1";
    return showForm(reply, "signals/views/signal.njk", errors, {
      title: `Signal: ${signal.rule?.title ?? signal.ruleId}`,
      signal,
      values,
      notice: decided ? "Your decision has been recorded and added to the child's chronology." : undefined,
      SIGNAL_DECISIONS,
      COUNTED_ACROSS,
    });
  };

  app.get("/signals/:signalId", { preHandler: CASE_ROLES }, async (request, reply) => {
    const signalId = idParam(request, "signalId");
    if (!signalId) return notFound(reply);
    return showSignal(request, reply, signalId);
  });

  app.post("/signals/:signalId/decision", { preHandler: CASE_ROLES }, async (request, reply) => {
    const signalId = idParam(request, "signalId");
    if (!signalId) return notFound(reply);
    const body = formBody(request);
    const input = { decision: String(body.decision ?? ""), reason: String(body.reason ?? "") };
    const result = await request.repo.signals.decide(signalId, input);
    if (!result.ok) {
      if (result.denied) return notFound(reply);
      return showSignal(
        request,
        reply,
        signalId,
        fieldError(result.field ?? "decision", result.message),
        input,
      );
    }
    return reply.redirect(`/signals/${signalId}?decided=1`, 303);
  });

  app.get("/indicators/signals", { preHandler: READERS }, async (request, reply) => {
    const rules = await request.repo.signals.precision();
    if (!rules) return forbidden(reply);
    return reply.page("signals/views/precision.njk", {
      title: "Signals: how often each rule helped",
      rules,
      SUPPRESS_UNDER,
    });
  });
};
