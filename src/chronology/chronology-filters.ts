// SPDX-License-Identifier: MIT
/**
 * The chronology's filter form (a GET form, so its fields arrive in the query string): reading it with
 * every problem reported at once, turning it into the repository's filters and back into a query string,
 * and the sentence an export prints to say which filters it applied.
 */
import { z } from "zod";
import { readDateInput } from "../web/dates.ts";
import { addError, type FormErrors, noErrors } from "../web/forms.ts";
import type { ChronologyFilters } from "./chronology-repository.ts";
import { SOCIAL_CARE_TYPE } from "./chronology-repository.ts";
import {
  EVENT_TYPE_CODES,
  EVENT_TYPES,
  NEGLECT_TYPE_CODES,
  NEGLECT_TYPES,
  SIGNIFICANCE,
  SIGNIFICANCE_CODES,
} from "./codes.ts";
import { formatDate } from "./dates.ts";

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
export type FilterValues = z.infer<typeof ZFilters> & { from?: string | undefined; to?: string | undefined };

/** The GOV.UK date inputs' boxes, kept as typed so the form shows them back. */
const DATE_FIELDS = ["from", "to"] as const;
const DATE_PARTS = ["day", "month", "year"] as const;

/**
 * Reads the filters; a field that does not parse is reported and left out, the others still apply. Every
 * problem is reported at once.
 */
export const parseFilters = (
  query: unknown,
): { values: FilterValues; errors: FormErrors; typed: Record<string, string> } => {
  const raw = (query ?? {}) as Record<string, unknown>;
  const values: Record<string, unknown> = {};
  const errors = noErrors();
  const fail = (key: string, text: string, href = key) => addError(errors, key, text, `#${href}`);
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

export const toRepositoryFilters = (values: FilterValues): ChronologyFilters => ({
  personId: values.person,
  agencyId: values.agency,
  eventType: values.type === SOCIAL_CARE_TYPE ? undefined : values.type,
  socialCareOnly: values.type === SOCIAL_CARE_TYPE,
  neglectType: values.neglect,
  significance: values.significance,
  from: values.from,
  to: values.to,
});

export const queryString = (values: Record<string, string | undefined>): string => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : "";
};

/** A sentence for the export, naming each filter applied. */
export const describeFilters = (values: FilterValues, names: { person?: string; agency?: string }): string =>
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
