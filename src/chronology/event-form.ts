// SPDX-License-Identifier: MIT
/**
 * The add and amend form of a chronology entry: reading it (the GOV.UK date input's three boxes become
 * one date) with every problem shown after one submit, in the form's order; an existing entry's values
 * to amend it; and the options every event form shows.
 */
import { z } from "zod";
import { ROLES } from "../organisation/codes.ts";
import { readDateInput } from "../web/dates.ts";
import { addError, asList, type FormErrors, noErrors } from "../web/forms.ts";
import type { ChronologyRow, EventInput } from "./chronology-repository.ts";
import { validateEventInput } from "./chronology-repository.ts";
import {
  DATE_PRECISION_CODES,
  DATE_PRECISIONS,
  EVENT_TYPE_CODES,
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

export const errorFor = (field: string, text: string): FormErrors => ({
  fields: { [field]: { text } },
  list: [{ text, href: `#${FIELD_ANCHORS[field] ?? field}` }],
});

/**
 * Reads the add or amend form: the GOV.UK date input's three boxes become one date, whose day may be left
 * out when only the month is known.
 */
export const parseEventForm = (
  body: unknown,
): { ok: true; values: EventInput } | { ok: false; errors: FormErrors } => {
  const parsed = ZEventForm.safeParse(body ?? {});
  const errors = noErrors();
  const add = (field: string, text: string) =>
    addError(errors, field, text, `#${FIELD_ANCHORS[field] ?? field}`);
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
export const formValuesOf = (event: ChronologyRow): Record<string, unknown> => {
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
export const formOptions = () => ({
  EVENT_TYPES: FORM_EVENT_TYPES,
  NEGLECT_TYPES,
  SIGNIFICANCE,
  INFORMATION_BASES,
  DATE_PRECISIONS,
  VISIBILITIES,
  ROLES,
  USUAL_RECORDERS,
});
