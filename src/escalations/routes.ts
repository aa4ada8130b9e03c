// SPDX-License-Identifier: MIT
/**
 * Professional differences for their parties: the list of those the caller is party to, and each one's
 * page with its stages, moving it on and recording its resolution. A non-party gets 404 (audited as a
 * denial by web/denials.ts, since the path names the difference).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { mayRecord } from "../data/child-access.ts";
import { todayInEngland } from "../kernel/calendar.ts";
import { FRONT_DOOR_OUTCOMES } from "../pathways/codes.ts";
import { ESCALATION_STAGES } from "../pathways/escalation.ts";
import type { AppContext } from "../web/app.ts";
import { dateInputValues, readDateInput } from "../web/dates.ts";
import {
  addError,
  type FormErrors,
  fieldError,
  noErrors,
  parseForm,
  requiredText,
  showForm,
} from "../web/forms.ts";
import { requireAllowed } from "../web/guards.ts";
import { type FormBody, formBody } from "../web/request-values.ts";

const PARTIES = requireAllowed("escalations.take-part");

const NOTICES = {
  escalated: "It has moved to the next stage. Every party has been told.",
  resolved: "The resolution is recorded. Every party has been told.",
};

export const registerEscalationRoutes = ({ app }: AppContext) => {
  app.get("/escalations", { preHandler: PARTIES }, async (request, reply) => {
    const differences = await request.repo.escalations.listMine();
    return reply.page("escalations/views/escalations.njk", {
      title: "Professional differences",
      open: differences.filter((x) => x.resolved_on === null),
      resolved: differences.filter((x) => x.resolved_on !== null),
      ESCALATION_STAGES,
    });
  });

  const show = async (
    request: FastifyRequest<{ Params: { escalationId: string } }>,
    reply: FastifyReply,
    errors: FormErrors,
    values: FormBody,
  ) => {
    const x = await request.repo.escalations.getDifference(request.params.escalationId);
    if (!x) return reply.callNotFound();
    const ctx = request.repo.context;
    const notice = (request.query as Record<string, string | undefined>).notice;
    const today = todayInEngland();
    return showForm(reply, "escalations/views/escalation.njk", errors, {
      title: "Professional difference",
      x,
      canChange: ctx ? mayRecord(ctx.role) && x.resolved_on === null : false,
      notice: notice && Object.hasOwn(NOTICES, notice) ? NOTICES[notice as keyof typeof NOTICES] : undefined,
      ESCALATION_STAGES,
      FRONT_DOOR_OUTCOMES,
      values: {
        ...dateInputValues("escalatedOn", today),
        ...dateInputValues("resolvedOn", today),
        ...values,
      },
    });
  };

  app.get<{ Params: { escalationId: string } }>(
    "/escalations/:escalationId",
    { preHandler: PARTIES },
    (request, reply) => show(request, reply, noErrors(), {}),
  );

  app.post<{ Params: { escalationId: string } }>(
    "/escalations/:escalationId/escalate",
    { preHandler: PARTIES },
    async (request, reply) => {
      const values = formBody(request);
      const form = parseForm(
        z.object({ note: requiredText(8000, "Say why it was not resolved at this stage") }),
        values,
      );
      const errors = form.ok ? noErrors() : form.errors;
      const on = readDateInput(values, "escalatedOn", "date it moved on", {
        required: true,
        future: "refused",
      });
      if (!on.ok) addError(errors, "escalatedOn", on.message);
      if (!form.ok || !on.ok || !on.value) return show(request, reply, errors, values);
      const result = await request.repo.pathways.escalate(request.params.escalationId, {
        on: on.value,
        note: form.values.note,
      });
      if (!result.ok) {
        if (result.message === "Professional difference not found") return reply.callNotFound();
        return show(
          request,
          reply,
          fieldError(result.field === "on" ? "escalatedOn" : "note", result.message),
          values,
        );
      }
      return reply.redirect(`/escalations/${request.params.escalationId}?notice=escalated`, 303);
    },
  );

  app.post<{ Params: { escalationId: string } }>(
    "/escalations/:escalationId/resolve",
    { preHandler: PARTIES },
    async (request, reply) => {
      const values = formBody(request);
      const form = parseForm(z.object({ outcome: requiredText(8000, "Record how it was resolved") }), values);
      const errors = form.ok ? noErrors() : form.errors;
      const on = readDateInput(values, "resolvedOn", "date it was resolved", {
        required: true,
        future: "refused",
      });
      if (!on.ok) addError(errors, "resolvedOn", on.message);
      if (!form.ok || !on.ok || !on.value) return show(request, reply, errors, values);
      const result = await request.repo.pathways.resolveEscalation(request.params.escalationId, {
        on: on.value,
        outcome: form.values.outcome,
      });
      if (!result.ok) {
        if (result.message === "Professional difference not found") return reply.callNotFound();
        return show(
          request,
          reply,
          fieldError(result.field === "on" ? "resolvedOn" : "outcome", result.message),
          values,
        );
      }
      return reply.redirect(`/escalations/${request.params.escalationId}?notice=resolved`, 303);
    },
  );
};
