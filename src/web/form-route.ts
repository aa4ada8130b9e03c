// SPDX-License-Identifier: MIT
/**
 * The cycle every form page goes through, written once: GET shows the form with its starting values;
 * POST reads the form, then either saves through the request's repository and redirects (303), or shows
 * the form again with what was sent and the errors in GOV.UK shape (the form's own, or the repository's
 * refusal on the field it names). Nothing is saved when the form has errors, and a refusal for access
 * answers 403 (the no-access page, or the record's refusal page), which `web/denials.ts` audits.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from "fastify";
import type { z } from "zod";
import type { ChangeResult } from "../data/repository-scope.ts";
import { type FormErrors, fieldError, noErrors, parseForm, showForm } from "./forms.ts";
import { forbidden, refuseRecord } from "./guards.ts";
import { type FormBody, formBody, idParam } from "./request-values.ts";

/** What reading a submitted form comes to: the values to save, or the errors to show. */
export type FormReading<F> = { ok: true; value: F } | { ok: false; errors: FormErrors };

/** A form read with its Zod schema, as the form route takes it. */
export const readForm = <S extends z.ZodType>(schema: S, body: FormBody): FormReading<z.infer<S>> => {
  const form = parseForm(schema, body);
  return form.ok ? { ok: true, value: form.values } : form;
};

/** A form read into `value` while collecting `errors`: the value to save when there are none. */
export const readingOf = <F>(errors: FormErrors, value: F): FormReading<F> =>
  errors.list.length ? { ok: false, errors } : { ok: true, value };

export type FormRouteSpec<P, F, T> = {
  /** Where the form is shown. */
  path: string;
  /** Where it is sent, when not `path` (a list's address, as `/admin/agencies` for `/admin/agencies/new`). */
  postPath?: string;
  /** Who may use the form; `{ show, save }` when showing it is open to more people than sending it. */
  preHandler: preHandlerHookHandler | { show: preHandlerHookHandler; save: preHandlerHookHandler };
  view: string;
  /**
   * The page around the form (its title and what it shows), read each time the form is shown, never
   * before a save. Undefined answers `missing`: the record is not there, or the caller may not see it;
   * "forbidden" answers 403: the caller may see the record but not use this form. `sent` is the form as
   * sent when it is shown again, for a page whose choices follow it (the boxes ticked, the rows added).
   */
  page: (request: FastifyRequest, sent?: FormBody) => Promise<P | undefined | "forbidden">;
  /**
   * How `page` being undefined is answered: not found (the default), no access, or the record page's
   * refusal for the child the path's `personId` names (which says who knows them and how to ask).
   */
  missing?: "not-found" | "forbidden" | "record";
  /** The form's values when it is first shown. */
  initial: (page: P, request: FastifyRequest) => FormBody;
  /** Reads the submitted form; undefined answers `missing` (a malformed id in the path). */
  read: (
    body: FormBody,
    request: FastifyRequest,
  ) => FormReading<F> | undefined | Promise<FormReading<F> | undefined>;
  save: (request: FastifyRequest, form: F, body: FormBody) => Promise<ChangeResult<T>>;
  /** The field a refusal that names none is shown on. */
  refusedField: string;
  /**
   * Where to go once saved; or, for what must be shown once and never at an address (an invitation's
   * link), the page that says it was done.
   */
  next: (
    saved: T,
    form: F,
    request: FastifyRequest,
  ) => string | { view: string; data: Record<string, unknown> };
};

/** Shows the form's page with errors and what was sent: for another form on the same page. */
export type ShowFormPage = (
  request: FastifyRequest,
  reply: FastifyReply,
  errors: FormErrors,
  values: FormBody,
) => Promise<unknown>;

/**
 * Registers a form's GET at `spec.path` and its POST there or at `spec.postPath`.
 * @param app - The app.
 * @param spec - The form: see {@link FormRouteSpec}.
 * @returns How to show the page again, for the routes of other forms on it.
 */
export const formRoute = <P extends Record<string, unknown>, F, T>(
  app: FastifyInstance,
  spec: FormRouteSpec<P, F, T>,
): { show: ShowFormPage } => {
  const refuse = (request: FastifyRequest, reply: FastifyReply) => {
    const personId = spec.missing === "record" ? idParam(request, "personId") : undefined;
    return personId ? refuseRecord(reply, personId) : forbidden(reply);
  };
  const answerMissing = (request: FastifyRequest, reply: FastifyReply) =>
    spec.missing === "forbidden" || spec.missing === "record" ? refuse(request, reply) : reply.callNotFound();

  const show = async (
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FormErrors,
    values: FormBody | undefined,
  ) => {
    const page = await spec.page(request, values);
    if (page === "forbidden") return refuse(request, reply);
    if (!page) return answerMissing(request, reply);
    return showForm(reply, spec.view, errors, { ...page, values: values ?? spec.initial(page, request) });
  };

  const gate = spec.preHandler;
  const [showGate, saveGate] = typeof gate === "function" ? [gate, gate] : [gate.show, gate.save];
  app.get(spec.path, { preHandler: showGate }, (request, reply) =>
    show(request, reply, noErrors(), undefined),
  );

  app.post(spec.postPath ?? spec.path, { preHandler: saveGate }, async (request, reply) => {
    const body = formBody(request);
    const form = await spec.read(body, request);
    if (!form) return answerMissing(request, reply);
    if (!form.ok) return show(request, reply, form.errors, body);
    const result = await spec.save(request, form.value, body);
    // A refusal for access is a 403 page (audited as a denial), never the form again.
    if (!result.ok && result.denied) return refuse(request, reply);
    if (!result.ok)
      return show(request, reply, fieldError(result.field ?? spec.refusedField, result.message), body);
    const next = spec.next(result.value, form.value, request);
    return typeof next === "string" ? reply.redirect(next, 303) : reply.page(next.view, next.data);
  });
  return { show };
};

/** Whether the page was reached from a save (`?saved=1`), to say so above the form. */
export const justSaved = (request: FastifyRequest): boolean =>
  (request.query as Record<string, unknown> | undefined)?.saved === "1";
