// SPDX-License-Identifier: MIT
/** The chronology pages: a child's and a family's chronology, adding, amending and retracting entries, exports. */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { seesSupersededEntries } from "../data/child-access.ts";
import { ROLES } from "../organisation/codes.ts";
import type { AppContext } from "../web/app.ts";
import { readDateInput } from "../web/dates.ts";
import { type FormErrors, noErrors } from "../web/forms.ts";
import { refuseRecord, requireSignedIn } from "../web/guards.ts";
import type { ChronologyFilters, ChronologyRow, EventInput } from "./chronology-repository.ts";
import { SOCIAL_CARE_TYPE, validateEventInput } from "./chronology-repository.ts";
import {
  DATE_PRECISION_CODES,
  DATE_PRECISIONS,
  EVENT_TYPE_CODES,
  EVENT_TYPES,
  type EventType,
  FORM_EVENT_TYPES,
  INFORMATION_BASES,
  INFORMATION_BASIS_CODES,
  NEGLECT_TYPE_CODES,
  NEGLECT_TYPES,
  SIGNIFICANCE,
  SIGNIFICANCE_CODES,
  USUAL_RECORDERS,
  VISIBILITIES,
  VISIBILITY_CODES,
} from "./codes.ts";
import { formatDate } from "./dates.ts";
import { chronologyCsv, chronologyPdf } from "./exports.ts";
import { pagination } from "./paging.ts";
import { buildTimeline, type TimelineGrouping } from "./timeline.ts";

const SIGNED_IN = requireSignedIn();

/** Entries on one page of a chronology: the first screen stays quick however long the record. */
export const PER_PAGE = 50;

const ZPerson = z.object({ personId: z.uuid() });
const ZEvent = z.object({ personId: z.uuid(), eventId: z.uuid() });

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" || value === undefined ? undefined : value), schema.optional());

/** The filter form's fields (a GET form, so they arrive in the query string); dates are read apart. */
const ZFilters = z.object({
  person: optional(z.uuid({ error: "Select a person from the list" })),
  agency: optional(z.uuid({ error: "Select an agency from the list" })),
  type: optional(
    z.enum([...EVENT_TYPE_CODES, SOCIAL_CARE_TYPE], { error: "Select a type of event from the list" }),
  ),
  neglect: optional(z.enum(NEGLECT_TYPE_CODES, { error: "Select a neglect type from the list" })),
  significance: optional(z.enum(SIGNIFICANCE_CODES, { error: "Select a significance from the list" })),
});
type FilterValues = z.infer<typeof ZFilters> & { from?: string | undefined; to?: string | undefined };

/** The GOV.UK date inputs' boxes, kept as typed so the form shows them back. */
const DATE_FIELDS = ["from", "to"] as const;
const DATE_PARTS = ["day", "month", "year"] as const;

/**
 * Reads the filters; a field that does not parse is reported and left out, the others still apply. Every
 * problem is reported at once.
 */
const parseFilters = (
  query: unknown,
): { values: FilterValues; errors: FormErrors; typed: Record<string, string> } => {
  const raw = (query ?? {}) as Record<string, unknown>;
  const values: Record<string, unknown> = {};
  const errors = noErrors();
  const fail = (key: string, text: string, href = key) => {
    errors.fields[key] = { text };
    errors.list.push({ text, href: `#${href}` });
  };
  for (const [key, schema] of Object.entries(ZFilters.shape)) {
    const parsed = (schema as z.ZodType).safeParse(typeof raw[key] === "string" ? raw[key] : undefined);
    if (parsed.success) values[key] = parsed.data;
    else fail(key, parsed.error.issues[0]?.message ?? "Check this filter");
  }
  const typed: Record<string, string> = {};
  for (const field of DATE_FIELDS)
    for (const part of DATE_PARTS) {
      const value = raw[`${field}-${part}`];
      if (typeof value === "string" && value.trim()) typed[`${field}-${part}`] = value.trim().slice(0, 10);
    }
  const labels = { from: "'from' date", to: "'to' date" };
  for (const field of DATE_FIELDS) {
    const read = readDateInput(typed, field, labels[field], { required: false });
    if (read.ok) values[field] = read.value ?? undefined;
    else fail(field, read.message, `${field}-day`);
  }
  const filters = values as FilterValues;
  if (filters.from && filters.to && filters.from > filters.to) {
    fail("to", "The 'to' date must be the same as or after the 'from' date", "to-day");
    filters.to = undefined;
  }
  return { values: filters, errors, typed };
};

const toRepositoryFilters = (values: FilterValues): ChronologyFilters => ({
  personId: values.person,
  agencyId: values.agency,
  eventType: values.type === SOCIAL_CARE_TYPE ? undefined : values.type,
  socialCareOnly: values.type === SOCIAL_CARE_TYPE,
  neglectType: values.neglect,
  significance: values.significance,
  from: values.from,
  to: values.to,
});

const queryString = (values: Record<string, string | undefined>): string => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : "";
};

/** A sentence for the export, naming each filter applied. */
const describeFilters = (values: FilterValues, names: { person?: string; agency?: string }): string =>
  [
    values.person ? `person: ${names.person ?? values.person}` : "",
    values.agency ? `agency: ${names.agency ?? values.agency}` : "",
    values.type
      ? `type: ${values.type === SOCIAL_CARE_TYPE ? "children's social care events" : EVENT_TYPES[values.type].label}`
      : "",
    values.neglect ? `neglect type: ${NEGLECT_TYPES[values.neglect]}` : "",
    values.significance ? `significance: ${SIGNIFICANCE[values.significance]}` : "",
    values.from ? `from ${formatDate(values.from)}` : "",
    values.to ? `to ${formatDate(values.to)}` : "",
  ]
    .filter(Boolean)
    .join(", ");

const checkboxList = z.preprocess(
  (value) => (value === undefined || value === "" ? [] : Array.isArray(value) ? value : [value]),
  z.array(z.string()),
);

const ZEventForm = z.object({
  eventType: z.enum(EVENT_TYPE_CODES, { error: "Select the type of event" }),
  datePrecision: z.enum(DATE_PRECISION_CODES, { error: "Select how exactly the date is known" }),
  "occurredOn-day": z.string().trim().optional().default(""),
  "occurredOn-month": z.string().trim().optional().default(""),
  "occurredOn-year": z.string().trim().optional().default(""),
  whatHappened: z
    .string({ error: "Enter what happened" })
    .trim()
    .min(1, "Enter what happened")
    .max(4000, "What happened must be 4000 characters or fewer"),
  impactOnChild: z
    .string({ error: "Enter the impact on the child" })
    .trim()
    .min(1, "Enter the impact on the child")
    .max(4000, "The impact on the child must be 4000 characters or fewer"),
  actionTaken: z
    .string({ error: "Enter the action taken, or leave it empty" })
    .trim()
    .max(4000, "The action taken must be 4000 characters or fewer")
    .optional(),
  significance: z.enum(SIGNIFICANCE_CODES, { error: "Select the significance" }),
  neglectTypes: checkboxList.pipe(
    z.array(z.enum(NEGLECT_TYPE_CODES, { error: "Select neglect types from the list" })),
  ),
  informationBasis: z.enum(INFORMATION_BASIS_CODES, {
    error: "Select whether this was observed, reported or a professional opinion",
  }),
  // A checkbox: ticked means restricted, left clear means everyone who can see the record.
  visibility: z.enum(VISIBILITY_CODES, { error: "Select who may see this entry" }).default("normal"),
  restrictedToRoles: checkboxList,
});

/** Where each field's error message links to (the date links to its first box). */
const FIELD_ANCHORS: Record<string, string> = {
  occurredOn: "occurredOn-day",
  neglectTypes: "neglectTypes",
  restrictedToRoles: "restrictedToRoles",
};

const errorFor = (field: string, text: string): FormErrors => ({
  fields: { [field]: { text } },
  list: [{ text, href: `#${FIELD_ANCHORS[field] ?? field}` }],
});

/**
 * Reads the add or amend form: the GOV.UK date input's three boxes become one date, whose day may be left
 * out when only the month is known.
 */
const parseEventForm = (
  body: unknown,
): { ok: true; values: EventInput } | { ok: false; errors: FormErrors } => {
  const parsed = ZEventForm.safeParse(body ?? {});
  const errors = noErrors();
  const add = (field: string, text: string) => {
    if (errors.fields[field]) return;
    errors.fields[field] = { text };
    errors.list.push({ text, href: `#${FIELD_ANCHORS[field] ?? field}` });
  };
  const raw = (body ?? {}) as Record<string, unknown>;
  const precision = raw.datePrecision;
  // A month, or "about" a month, needs no day: the first of the month is stored.
  const date = readDateInput(raw, "occurredOn", "date of the event", {
    required: true,
    future: "refused",
    day: precision === "month" || precision === "approximate" ? "optional" : "required",
  });
  const occurredOn = date.ok ? (date.value ?? "") : "";
  if (!date.ok) add("occurredOn", date.message);
  else if (occurredOn < "1900-01-01") add("occurredOn", "The date of the event must be after 1900");
  // The rules validateEventInput keeps as well, checked here too so every problem shows after one submit.
  if (raw.visibility === "restricted" && asList(raw.restrictedToRoles).length === 0)
    add("restrictedToRoles", "Select the roles that may see this restricted entry");
  if (!parsed.success) {
    for (const issue of parsed.error.issues) add(String(issue.path[0] ?? "form"), issue.message);
  }
  // Show the errors in the form's order.
  const order = [
    "eventType",
    "occurredOn",
    "datePrecision",
    "whatHappened",
    "impactOnChild",
    "actionTaken",
    "significance",
    "neglectTypes",
    "informationBasis",
    "visibility",
    "restrictedToRoles",
    "reason",
  ];
  errors.list.sort(
    (a, b) =>
      order.indexOf(a.href.slice(1).replace(/-day$/, "")) -
      order.indexOf(b.href.slice(1).replace(/-day$/, "")),
  );
  if (errors.list.length > 0 || !parsed.success) return { ok: false, errors };
  const input: EventInput = {
    eventType: parsed.data.eventType,
    occurredOn,
    datePrecision: parsed.data.datePrecision,
    whatHappened: parsed.data.whatHappened,
    impactOnChild: parsed.data.impactOnChild,
    actionTaken: parsed.data.actionTaken ?? null,
    significance: parsed.data.significance,
    neglectTypes: parsed.data.neglectTypes,
    informationBasis: parsed.data.informationBasis,
    visibility: parsed.data.visibility,
    restrictedToRoles: parsed.data.restrictedToRoles as EventInput["restrictedToRoles"],
  };
  const checked = validateEventInput(input);
  if (!checked.ok) return { ok: false, errors: errorFor(checked.field ?? "form", checked.message) };
  return { ok: true, values: checked.value };
};

/** The form's values for an existing entry (to amend it). */
const formValuesOf = (event: ChronologyRow): Record<string, unknown> => {
  const [year, month, day] = event.occurred_on.split("-");
  return {
    eventType: event.event_type,
    datePrecision: event.date_precision,
    "occurredOn-day": event.date_precision === "day" ? String(Number(day)) : "",
    "occurredOn-month": String(Number(month)),
    "occurredOn-year": year,
    whatHappened: event.what_happened,
    impactOnChild: event.impact_on_child,
    actionTaken: event.action_taken ?? "",
    significance: event.significance,
    neglectTypes: event.neglect_types,
    informationBasis: event.information_basis,
    visibility: event.visibility,
    restrictedToRoles: event.restricted_to_roles,
  };
};

/** The options every event form shows, in the order the caller's agency usually needs them. */
const formOptions = () => ({
  EVENT_TYPES: FORM_EVENT_TYPES,
  NEGLECT_TYPES,
  SIGNIFICANCE,
  INFORMATION_BASES,
  DATE_PRECISIONS,
  VISIBILITIES,
  ROLES,
  USUAL_RECORDERS,
});

const asList = (value: unknown): string[] =>
  value === undefined || value === "" ? [] : Array.isArray(value) ? value.map(String) : [String(value)];

export const registerChronologyRoutes = ({ app }: AppContext): void => {
  const notFound = (reply: FastifyReply) =>
    reply.code(404).page("web/views/not-found.njk", { title: "Page not found" });
  /** Anyone who cannot open the child's record is refused, pointed to the page that says who knows the child. */
  const away = (reply: FastifyReply, personId: string) => refuseRecord(reply, personId);

  const chronologyPage = async (request: FastifyRequest, reply: FastifyReply, family: boolean) => {
    const params = ZPerson.safeParse(request.params);
    if (!params.success) return notFound(reply);
    const { personId } = params.data;
    const { values, errors, typed } = parseFilters(request.query);
    const repo = request.repo.chronology;
    const filters = toRepositoryFilters(values);
    const rawPage = Number((request.query as Record<string, unknown>).page);
    const paging = { page: Number.isSafeInteger(rawPage) && rawPage > 0 ? rawPage : 1, perPage: PER_PAGE };
    const chronology = family
      ? await repo.familyChronology(personId, filters, "family-chronology", paging)
      : await repo.childChronology(personId, filters, paging);
    if (!chronology) return away(reply, personId);
    const rawBy = (request.query as Record<string, unknown>).by;
    const by: TimelineGrouping =
      rawBy === "agency" || rawBy === "person" ? rawBy : family ? "person" : "agency";
    const timeline = buildTimeline(chronology, by, chronology.child.name);
    const filterValues = { ...values, from: undefined, to: undefined, ...typed };
    const filterQuery = queryString(filterValues);
    const path = `/people/${personId}/${family ? "family-chronology" : "chronology"}`;
    const role = request.repo.context?.role;
    return reply.page("chronology/views/chronology.njk", {
      title: `${family ? "Family chronology" : "Chronology"}: ${chronology.child.name}`,
      family,
      personId,
      chronology,
      timeline,
      by,
      errors,
      values,
      typed,
      filterQuery,
      byQuery: (grouping: string) => queryString({ ...filterValues, by: grouping }),
      pagination: pagination(path, { ...filterValues, by }, chronology.page, chronology.total, PER_PAGE),
      SOCIAL_CARE_TYPE,
      seesHistory: role ? seesSupersededEntries(role) : false,
      mayAdd: (await repo.personForChronology(personId))?.mayRecord === true,
      notice: noticeFor((request.query as Record<string, unknown>).done),
      EVENT_TYPES,
      NEGLECT_TYPES,
      SIGNIFICANCE,
    });
  };

  app.get("/people/:personId/chronology", { preHandler: SIGNED_IN }, (request, reply) =>
    chronologyPage(request, reply, false),
  );
  app.get("/people/:personId/family-chronology", { preHandler: SIGNED_IN }, (request, reply) =>
    chronologyPage(request, reply, true),
  );

  const exportChronology = async (request: FastifyRequest, reply: FastifyReply, format: "pdf" | "csv") => {
    const params = ZPerson.safeParse(request.params);
    if (!params.success) return notFound(reply);
    const { personId } = params.data;
    const { values } = parseFilters(request.query);
    const chronology = await request.repo.chronology.familyChronology(
      personId,
      toRepositoryFilters(values),
      format === "pdf" ? "export-pdf" : "export-csv",
    );
    if (!chronology) return away(reply, personId);
    const names = {
      person: chronology.members.find((m) => m.person_id === values.person)?.name,
      agency: chronology.agencies.find((a) => a.agency_id === values.agency)?.name,
    };
    const slug =
      chronology.child.name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "") || "child";
    reply.header("cache-control", "no-store");
    reply.header("x-content-type-options", "nosniff");
    if (format === "csv") {
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="family-chronology-${slug}.csv"`)
        .send(chronologyCsv(chronology));
    }
    const generatedBy = request.session?.stage === "complete" ? request.session.displayName : "Hearth";
    const pdf = await chronologyPdf(chronology, describeFilters(values, names), generatedBy);
    return reply
      .type("application/pdf")
      .header("content-disposition", `attachment; filename="family-chronology-${slug}.pdf"`)
      .send(pdf);
  };

  app.get("/people/:personId/family-chronology.pdf", { preHandler: SIGNED_IN }, (request, reply) =>
    exportChronology(request, reply, "pdf"),
  );
  app.get("/people/:personId/family-chronology.csv", { preHandler: SIGNED_IN }, (request, reply) =>
    exportChronology(request, reply, "csv"),
  );

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

  app.get("/people/:personId/chronology/new", { preHandler: SIGNED_IN }, async (request, reply) => {
    const params = ZPerson.safeParse(request.params);
    if (!params.success) return notFound(reply);
    const { personId } = params.data;
    const found = await request.repo.chronology.personForChronology(personId);
    if (!found) return away(reply, personId);
    if (!found.mayRecord) return reply.code(403).page("web/views/forbidden.njk");
    const person = found.person;
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
    const params = ZPerson.safeParse(request.params);
    if (!params.success) return notFound(reply);
    const { personId } = params.data;
    const found = await request.repo.chronology.personForChronology(personId);
    if (!found) return away(reply, personId);
    if (!found.mayRecord) return reply.code(403).page("web/views/forbidden.njk");
    const person = found.person;
    const body = (request.body ?? {}) as Record<string, unknown>;
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
    const params = ZEvent.safeParse(request.params);
    if (!params.success) {
      await notFound(reply);
      return undefined;
    }
    const { personId, eventId } = params.data;
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
      await reply.code(403).page("web/views/forbidden.njk");
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
      const body = (request.body ?? {}) as Record<string, unknown>;
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
      const body = (request.body ?? {}) as Record<string, unknown>;
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
      const params = ZEvent.safeParse(request.params);
      if (!params.success) return notFound(reply);
      const { personId, eventId } = params.data;
      const role = request.repo.context?.role;
      const visible = await request.repo.chronology.personForChronology(personId);
      if (!visible) return away(reply, personId);
      if (!role || !seesSupersededEntries(role)) return reply.code(403).page("web/views/forbidden.njk");
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

const noticeFor = (done: unknown): string | undefined =>
  ({
    added: "The entry has been added to the chronology.",
    amended: "The entry has been amended. The original is kept.",
    retracted: "The entry has been retracted. It is kept, with your reason, for auditors.",
  })[String(done)];
