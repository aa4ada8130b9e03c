// SPDX-License-Identifier: MIT
/**
 * What the pathways route modules share: who may open the pages, reading a date field, a refusal as a
 * form's error, and the shape most of the forms about one child have (show it; on submit, check it, save
 * it through the repository and go on, or show it again with the errors). What every form shares is in
 * `web/forms.ts`, `web/request-values.ts` and `web/form-route.ts`.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { z } from "zod";
import type { ChangeResult } from "../data/repository-scope.ts";
import { todayInEngland } from "../kernel/calendar.ts";
import { dateInputValues, readDateInput } from "../web/dates.ts";
import { formRoute } from "../web/form-route.ts";
import { addError, type FormErrors, fieldError, noErrors, parseForm } from "../web/forms.ts";
import { requireAllowed } from "../web/guards.ts";
import { idParam } from "../web/request-values.ts";
import type { PathwaysRepository } from "./pathways-repository.ts";

/** Those who record on a child's pathway; auditors read it as well. */
export const RECORDERS = requireAllowed("records.write");
export const CASE_ROLES = requireAllowed("records.read");
export const FRONT_DOOR = requireAllowed("front-door.work");

export const today = () => todayInEngland();
export type Body = Record<string, unknown>;

/** The repository's refusal as the form's error, on the field it names or on `fallback`. */
export const refusal = (result: { field?: string; message: string }, fallback: string): FormErrors =>
  fieldError(result.field ?? fallback, result.message);

/** Reads a date field, adding its error to `errors`; today when empty and `defaultToday`. */
export const dateField = (
  body: Body,
  name: string,
  label: string,
  errors: FormErrors,
  defaultToday = false,
): string => {
  const read = readDateInput(body, name, label, { required: !defaultToday, future: "refused" });
  if (!read.ok) {
    addError(errors, name, read.message);
    return today();
  }
  return read.value ?? today();
};

export type ChildPathway = NonNullable<Awaited<ReturnType<PathwaysRepository["childPathway"]>>>;

/**
 * A form about one child at `/people/:personId/...`, shown with the child's pathway (not found without
 * it): GET shows it with today's date in each date field; POST reads the form and the dates, saves through
 * the repository and redirects, or shows the form again with the errors (the form's own first, then the
 * dates', or the repository's refusal alone). The cycle itself is `web/form-route.ts`.
 */
export const childForm = <S extends z.ZodType, D extends string, T>(
  app: FastifyInstance,
  spec: {
    path: string;
    preHandler: ReturnType<typeof requireAllowed>;
    view: string;
    title: string;
    schema: S;
    /** The date fields, in the order their errors are listed: name and label. */
    dates: readonly (readonly [name: D, label: string])[];
    /** More starting values than the dates. */
    initial?: Body;
    /** What the page shows besides the child, the title, the errors and the values. */
    data: (request: FastifyRequest, pathway: ChildPathway, personId: string) => Promise<Body>;
    save: (
      request: FastifyRequest,
      personId: string,
      form: z.infer<S>,
      dates: Record<D, string>,
      values: Body,
    ) => Promise<ChangeResult<T>>;
    /** The field a refusal that names none is shown on. */
    refusedField: string;
    next: (personId: string, saved: T) => string;
  },
): void => {
  formRoute(app, {
    path: spec.path,
    preHandler: spec.preHandler,
    view: spec.view,
    page: async (request) => {
      const personId = idParam(request, "personId");
      const pathway = personId && (await request.repo.pathways.childPathway(personId));
      if (!personId || !pathway) return undefined;
      return {
        title: spec.title,
        child: pathway.child,
        ...(await spec.data(request, pathway, personId)),
      };
    },
    initial: () =>
      Object.assign({}, ...spec.dates.map(([name]) => dateInputValues(name, today())), spec.initial),
    read: (values, request) => {
      const personId = idParam(request, "personId");
      if (!personId) return undefined;
      const form = parseForm(spec.schema, values);
      const errors = form.ok ? noErrors() : form.errors;
      const dates = Object.fromEntries(
        spec.dates.map(([name, label]) => [name, dateField(values, name, label, errors)]),
      ) as Record<D, string>;
      if (!form.ok || errors.list.length) return { ok: false, errors };
      return { ok: true, value: { personId, form: form.values as z.infer<S>, dates } };
    },
    save: (request, { personId, form, dates }, values) => spec.save(request, personId, form, dates, values),
    refusedField: spec.refusedField,
    next: (saved, { personId }) => spec.next(personId, saved),
  });
};
