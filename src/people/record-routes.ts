// SPDX-License-Identifier: MIT
/**
 * A person's record and what is known before starting: the record page (or "known to" for an
 * uninvolved worker), the history summary a new worker reads first, break glass, asking for involvement
 * and deciding those requests, and an agency's involvements with their lawful basis.
 */
import { z } from "zod";
import { todayInEngland } from "../kernel/calendar.ts";
import type { AppContext } from "../web/app.ts";
import { readDateInput } from "../web/dates.ts";
import { type FormErrors, fieldError, noErrors, parseForm, refusalStatus } from "../web/forms.ts";
import { forbidden, refuseRecord } from "../web/guards.ts";
import { formBody, idParam, textField } from "../web/request-values.ts";
import { CONSENT_STATE_CODES, CONSENT_STATES, SHARING_BASES, SHARING_BASIS_CODES } from "./codes.ts";
import { CASE_ROLES, RECORDERS, showRecord, ZInvolvementForm, ZReason } from "./people-route-helpers.ts";

export const registerRecordRoutes = ({ app }: AppContext): void => {
  // A child's record, or what an uninvolved worker may know.
  app.get("/people/:personId", { preHandler: CASE_ROLES }, async (request, reply) => {
    const id = idParam(request, "personId");
    if (!id) return reply.callNotFound();
    return showRecord(request, reply, id, noErrors());
  });

  // History first: what is known, read before starting.
  app.get("/people/:personId/history", { preHandler: CASE_ROLES }, async (request, reply) => {
    const id = idParam(request, "personId");
    if (!id) return reply.callNotFound();
    const summary = await request.repo.people.historySummary(id);
    if (!summary) return refuseRecord(reply, id);
    const known = await request.repo.people.knownTo(id);
    return reply.page("people/views/history.njk", {
      title: "What is already known",
      personId: id,
      person: known?.person,
      summary,
      level: await request.repo.cases.levelOfNeed(id),
      patterns: await request.repo.signals.familyPatterns(id),
    });
  });

  app.post("/people/:personId/history", { preHandler: CASE_ROLES }, async (request, reply) => {
    const id = idParam(request, "personId");
    if (!id) return reply.callNotFound();
    if (!(await request.repo.people.acknowledgeHistory(id))) return refuseRecord(reply, id);
    return reply.redirect(`/people/${id}`, 303);
  });

  // Break glass and asking for involvement.
  app.post("/people/:personId/break-glass", { preHandler: CASE_ROLES }, async (request, reply) => {
    const id = idParam(request, "personId");
    if (!id) return reply.callNotFound();
    const reason = textField(formBody(request), "reason");
    const result = await request.repo.people.breakGlass(id, reason);
    if (!result.ok) return showRecord(request, reply, id, fieldError("reason", result.message));
    return reply.redirect(`/people/${id}?glass=1`, 303);
  });

  app.post("/people/:personId/involvement-requests", { preHandler: CASE_ROLES }, async (request, reply) => {
    const id = idParam(request, "personId");
    if (!id) return reply.callNotFound();
    // Bounded here: an unbounded reason reached the database and failed there (a 500, not a form error).
    const form = parseForm(
      z.object({ requestReason: ZReason("why your agency needs to be involved") }),
      request.body,
    );
    if (!form.ok) return showRecord(request, reply, id, form.errors);
    const result = await request.repo.people.requestInvolvement(id, form.values.requestReason);
    if (!result.ok) return showRecord(request, reply, id, fieldError("requestReason", result.message));
    return reply.redirect(`/people/${id}?requested=1`, 303);
  });

  app.get("/involvement-requests", { preHandler: RECORDERS }, async (request, reply) =>
    reply.page("people/views/involvement-requests.njk", {
      title: "Requests for involvement",
      requests: await request.repo.people.listInvolvementRequestsForMe(),
      SHARING_BASES,
      CONSENT_STATES,
      errors: noErrors(),
    }),
  );

  const ZDecision = z
    .object({
      decision: z.enum(["grant", "decline"], { error: "Select whether to grant or decline the request" }),
      reason: ZReason("the reason for your decision"),
      sharingBasis: z.enum(SHARING_BASIS_CODES).default("consent"),
      consent: z.enum(CONSENT_STATE_CODES).default("given"),
    })
    .refine(
      (form) =>
        form.decision === "decline" ||
        form.consent === "given" ||
        form.sharingBasis === "safeguarding-exception",
      {
        path: ["sharingBasis"],
        message: "Without consent, sharing must rest on the safeguarding exception",
      },
    );

  app.post<{ Params: { requestId: string } }>(
    "/involvement-requests/:requestId",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const requestId = idParam(request, "requestId");
      if (!requestId) return reply.callNotFound();
      const form = parseForm(ZDecision, request.body);
      const rerender = async (errors: FormErrors) =>
        reply.code(400).page("people/views/involvement-requests.njk", {
          title: "Requests for involvement",
          requests: await request.repo.people.listInvolvementRequestsForMe(),
          SHARING_BASES,
          CONSENT_STATES,
          errors,
          failedRequestId: requestId,
        });
      if (!form.ok) return rerender(form.errors);
      const result = await request.repo.people.decideInvolvementRequest(requestId, {
        grant: form.values.decision === "grant",
        reason: form.values.reason,
        sharingBasis: form.values.sharingBasis,
        consent: form.values.consent,
      });
      // Not the caller's to decide (another agency's child, another partnership's request): refused.
      if (!result.ok && result.field === undefined) return forbidden(reply);
      if (!result.ok) return rerender(fieldError(result.field ?? "reason", result.message));
      return reply.redirect("/involvement-requests", 303);
    },
  );

  // Involvements.
  app.post("/people/:personId/involvements", { preHandler: RECORDERS }, async (request, reply) => {
    const id = idParam(request, "personId");
    if (!id) return reply.callNotFound();
    const body = formBody(request);
    const form = parseForm(ZInvolvementForm, body);
    if (!form.ok) return showRecord(request, reply, id, form.errors, { refuseUnopened: true });
    const started = readDateInput(body, "startedOn", "start date", { required: true, future: "refused" });
    if (!started.ok || !started.value) {
      return showRecord(
        request,
        reply,
        id,
        fieldError("startedOn", started.ok ? "Enter the start date" : started.message),
        { refuseUnopened: true },
      );
    }
    const result = await request.repo.people.addInvolvement(id, {
      ...form.values,
      startedOn: started.value,
    });
    if (!result.ok)
      return showRecord(request, reply, id, fieldError(result.field ?? "sharingBasis", result.message), {
        refuseUnopened: true,
      });
    return reply.redirect(`/people/${id}?involvement=1`, 303);
  });

  app.post<{ Params: { personId: string; involvementId: string } }>(
    "/people/:personId/involvements/:involvementId/end",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const id = idParam(request, "personId");
      const involvementId = idParam(request, "involvementId");
      if (!id || !involvementId) return reply.callNotFound();
      const reason = textField(formBody(request), "endReason").trim();
      if (!reason)
        return showRecord(
          request,
          reply,
          id,
          fieldError("endReason", "Enter why the involvement is ending"),
          { refuseUnopened: true },
        );
      const result = await request.repo.people.endInvolvement(involvementId, todayInEngland(), reason);
      if (!result.ok)
        return showRecord(request, reply, id, fieldError("endReason", result.message), {
          refuseUnopened: true,
          status: refusalStatus(result),
        });
      return reply.redirect(`/people/${id}`, 303);
    },
  );
};
