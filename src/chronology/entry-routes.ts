// SPDX-License-Identifier: MIT
/**
 * One chronology entry at a time: adding one (first its type, so the form can suggest neglect types
 * without JavaScript), amending and retracting one with a reason, and an entry's history for those who
 * see superseded versions.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { seesSupersededEntries } from "../data/child-access.ts";
import type { AppContext } from "../web/app.ts";
import { asList, type FormErrors, noErrors } from "../web/forms.ts";
import { forbidden, notFound } from "../web/guards.ts";
import { formBody, idParam, idParams } from "../web/request-values.ts";
import type { ChronologyRow } from "./chronology-repository.ts";
import { away, SIGNED_IN } from "./chronology-route-helpers.ts";
import { EVENT_TYPES, type EventType, FORM_EVENT_TYPES } from "./codes.ts";
import { errorFor, formOptions, formValuesOf, parseEventForm } from "./event-form.ts";

export const registerChronologyEntryRoutes = ({ app }: AppContext): void => {
  // Adding an entry: first the type of event (so the form can suggest neglect types without JavaScript),
  // then the entry itself.
  const eventForm = (
    reply: FastifyReply,
    data: {
      personId: string;
      personName: string;
      errors: FormErrors;
      values: Record<string, unknown>;
      amend?: ChronologyRow;
    },
  ) =>
    reply.page("chronology/views/event-form.njk", {
      title: data.amend
        ? `Amend a chronology entry: ${data.personName}`
        : `Add a chronology entry: ${data.personName}`,
      ...data,
      checkedNeglectTypes: asList(data.values.neglectTypes),
      checkedRoles: asList(data.values.restrictedToRoles),
      ...formOptions(),
    });

  /** Loads the child for a new entry: answers 404, the refusal or 403 when this caller cannot add one. */
  const recordable = async (request: FastifyRequest, reply: FastifyReply) => {
    const personId = idParam(request, "personId");
    if (!personId) {
      await notFound(reply);
      return undefined;
    }
    const found = await request.repo.chronology.personForChronology(personId);
    if (!found) {
      await away(reply, personId);
      return undefined;
    }
    if (!found.mayRecord) {
      await forbidden(reply);
      return undefined;
    }
    return { personId, person: found.person };
  };

  app.get("/people/:personId/chronology/new", { preHandler: SIGNED_IN }, async (request, reply) => {
    const found = await recordable(request, reply);
    if (!found) return reply;
    const { personId, person } = found;
    const rawType = (request.query as Record<string, unknown>).eventType;
    const eventType = Object.hasOwn(FORM_EVENT_TYPES, String(rawType)) ? (rawType as EventType) : undefined;
    if (!eventType) {
      const errors = rawType === undefined ? noErrors() : errorFor("eventType", "Select the type of event");
      return reply.page("chronology/views/event-type.njk", {
        title: `Add a chronology entry: ${person.name}`,
        personId,
        personName: person.name,
        errors,
        EVENT_TYPES: FORM_EVENT_TYPES,
      });
    }
    const definition = EVENT_TYPES[eventType];
    return eventForm(reply, {
      personId,
      personName: person.name,
      errors: noErrors(),
      values: {
        eventType,
        datePrecision: "day",
        significance: definition.significance,
        neglectTypes: definition.neglectTypes,
        visibility: "normal",
        suggested: true,
      },
    });
  });

  app.post("/people/:personId/chronology/new", { preHandler: SIGNED_IN }, async (request, reply) => {
    const found = await recordable(request, reply);
    if (!found) return reply;
    const { personId, person } = found;
    const body = formBody(request);
    const form = parseEventForm(body);
    if (!form.ok)
      return eventForm(reply.code(400), {
        personId,
        personName: person.name,
        errors: form.errors,
        values: body,
      });
    const result = await request.repo.chronology.addEvent(personId, form.values);
    if (!result.ok)
      return eventForm(reply.code(400), {
        personId,
        personName: person.name,
        errors: errorFor(result.field ?? "eventType", result.message),
        values: body,
      });
    return reply.redirect(`/people/${personId}/chronology?done=added`, 303);
  });

  /** Loads an entry for a change form: redirects or 404s when it cannot be changed by this caller. */
  const changeable = async (request: FastifyRequest, reply: FastifyReply) => {
    const params = idParams(request, "personId", "eventId");
    if (!params) {
      await notFound(reply);
      return undefined;
    }
    const { personId, eventId } = params;
    const found = await request.repo.chronology.getEvent(personId, eventId);
    if (!found) {
      await away(reply, personId);
      return undefined;
    }
    if (!found.event) {
      await notFound(reply);
      return undefined;
    }
    if (!found.event.may_change) {
      await forbidden(reply);
      return undefined;
    }
    return { personId, eventId, child: found.child, event: found.event };
  };

  app.get(
    "/people/:personId/chronology/:eventId/amend",
    { preHandler: SIGNED_IN },
    async (request, reply) => {
      const found = await changeable(request, reply);
      if (!found) return reply;
      return eventForm(reply, {
        personId: found.personId,
        personName: found.child.name,
        errors: noErrors(),
        values: formValuesOf(found.event),
        amend: found.event,
      });
    },
  );

  app.post(
    "/people/:personId/chronology/:eventId/amend",
    { preHandler: SIGNED_IN },
    async (request, reply) => {
      const found = await changeable(request, reply);
      if (!found) return reply;
      const body = formBody(request);
      const form = parseEventForm(body);
      const reason = String(body.reason ?? "").trim();
      const show = (errors: FormErrors) =>
        eventForm(reply.code(400), {
          personId: found.personId,
          personName: found.child.name,
          errors,
          values: body,
          amend: found.event,
        });
      if (!form.ok || !reason) {
        const errors = form.ok ? noErrors() : form.errors;
        if (!reason) {
          const text = "Enter the reason for the amendment";
          errors.fields.reason = { text };
          errors.list.push({ text, href: "#reason" });
        }
        return show(errors);
      }
      const result = await request.repo.chronology.amendEvent(found.eventId, form.values, reason);
      if (!result.ok) return show(errorFor(result.field ?? "reason", result.message));
      return reply.redirect(`/people/${found.personId}/chronology?done=amended`, 303);
    },
  );

  const retractPage = (
    reply: FastifyReply,
    found: { personId: string; child: { name: string }; event: ChronologyRow },
    errors: FormErrors,
    values: Record<string, unknown>,
  ) =>
    reply.page("chronology/views/retract.njk", {
      title: `Retract a chronology entry: ${found.child.name}`,
      personId: found.personId,
      event: found.event,
      errors,
      values,
    });

  app.get(
    "/people/:personId/chronology/:eventId/retract",
    { preHandler: SIGNED_IN },
    async (request, reply) => {
      const found = await changeable(request, reply);
      if (!found) return reply;
      return retractPage(reply, found, noErrors(), {});
    },
  );

  app.post(
    "/people/:personId/chronology/:eventId/retract",
    { preHandler: SIGNED_IN },
    async (request, reply) => {
      const found = await changeable(request, reply);
      if (!found) return reply;
      const body = formBody(request);
      const reason = String(body.reason ?? "").trim();
      if (!reason)
        return retractPage(
          reply.code(400),
          found,
          errorFor("reason", "Enter the reason for retracting this entry"),
          body,
        );
      const result = await request.repo.chronology.retractEvent(found.eventId, reason);
      if (!result.ok)
        return retractPage(reply.code(400), found, errorFor(result.field ?? "reason", result.message), body);
      return reply.redirect(`/people/${found.personId}/chronology?done=retracted`, 303);
    },
  );

  app.get(
    "/people/:personId/chronology/:eventId/history",
    { preHandler: SIGNED_IN },
    async (request, reply) => {
      const params = idParams(request, "personId", "eventId");
      if (!params) return notFound(reply);
      const { personId, eventId } = params;
      const role = request.repo.context?.role;
      const visible = await request.repo.chronology.personForChronology(personId);
      if (!visible) return away(reply, personId);
      if (!role || !seesSupersededEntries(role)) return forbidden(reply);
      const history = await request.repo.chronology.getEventHistory(personId, eventId);
      if (!history) return notFound(reply);
      return reply.page("chronology/views/history.njk", {
        title: `History of a chronology entry: ${history.child.name}`,
        personId,
        history,
      });
    },
  );
};
