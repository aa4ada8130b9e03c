// SPDX-License-Identifier: MIT
/**
 * The people pages: finding a person, adding one (with a warning of likely duplicates), a child's record,
 * the history summary a new worker reads first, involvements and their lawful basis, asking for
 * involvement, break glass, and merging duplicate records (and undoing it).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { todayInEngland } from "../chronology/dates.ts";
import { mayMergePeople, mayRecord } from "../data/child-access.ts";
import type { AppContext } from "../web/app.ts";
import { readDateInput } from "../web/dates.ts";
import { type FormErrors, fieldError, noErrors, parseForm } from "../web/forms.ts";
import { refuseRecord, requireSignedIn } from "../web/guards.ts";
import {
  CONSENT_STATE_CODES,
  CONSENT_STATES,
  DISABILITY_CODE_LIST,
  DISABILITY_CODES,
  ETHNICITY_CODE_LIST,
  ETHNICITY_CODES,
  HOUSEHOLD_ROLES,
  PERSON_KIND_CODES,
  RELATIONSHIP_TYPE_CODES,
  RELATIONSHIP_TYPES,
  SEND_STATUS_CODES,
  SEND_STATUSES,
  SEX_CODE_LIST,
  SEX_CODES,
  SHARING_BASES,
  SHARING_BASIS_CODES,
} from "./codes.ts";
import { checkNhsNumber, checkUpn } from "./identifiers.ts";
import type { NewInvolvement, NewPerson } from "./people-repository.ts";

const CASE_ROLES = requireSignedIn("practitioner", "manager", "safeguarding-lead", "front-door", "auditor");
const RECORDERS = requireSignedIn("practitioner", "manager", "safeguarding-lead", "front-door");

const ZPersonParams = z.object({ personId: z.uuid() });
const optionalText = (max: number, message: string) =>
  z
    .string()
    .trim()
    .max(max, message)
    .optional()
    .transform((value) => (value ? value : null));
const ZReason = (what: string) =>
  z.string().trim().min(1, `Enter ${what}`).max(2000, "The reason must be 2000 characters or fewer");

const ZSearch = z.object({
  name: z.string().trim().max(200).optional(),
  nhsNumber: z.string().trim().max(20).optional(),
  upn: z.string().trim().max(20).optional(),
});

const ZPersonForm = z.object({
  kind: z.enum(PERSON_KIND_CODES, { error: "Select whether this is a child or an adult" }),
  givenNames: z
    .string()
    .trim()
    .min(1, "Enter their first names")
    .max(200, "First names must be 200 characters or fewer"),
  familyName: z
    .string()
    .trim()
    .min(1, "Enter their last name")
    .max(200, "Last name must be 200 characters or fewer"),
  sex: z.enum(SEX_CODE_LIST, { error: "Select their sex, or Unknown" }),
  ethnicity: z
    .union([z.enum(ETHNICITY_CODE_LIST), z.literal("")], { error: "Select an ethnicity from the list" })
    .optional()
    .transform((value) => (value ? value : null)),
  disabilities: z
    .union([z.enum(DISABILITY_CODE_LIST), z.array(z.enum(DISABILITY_CODE_LIST))], {
      error: "Select disabilities from the list",
    })
    .optional()
    .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]))
    .refine(
      (list) => !(list.includes("NONE") && list.length > 1),
      "Select No disability on its own, or the disabilities",
    ),
  nhsNumber: optionalText(20, "NHS number must be 10 digits"),
  upn: optionalText(20, "UPN must be 13 characters"),
  localId: optionalText(20, "Local identifier must be 20 characters or fewer"),
  sendStatus: z
    .union([z.enum(SEND_STATUS_CODES), z.literal("")])
    .optional()
    .transform((value) => (value ? value : null)),
  youngCarer: z
    .enum(["yes", "no", ""])
    .optional()
    .transform((value) => (value === "yes" ? true : value === "no" ? false : null)),
  firstLanguage: optionalText(100, "First language must be 100 characters or fewer"),
});

const ZInvolvementForm = z
  .object({
    sharingBasis: z.enum(SHARING_BASIS_CODES, { error: "Select the basis for sharing information" }),
    consent: z.enum(CONSENT_STATE_CODES, {
      error: "Select whether consent was given, refused or not sought",
    }),
    sharingReasoning: optionalText(2000, "The reasoning must be 2000 characters or fewer"),
    isLeadAgency: z
      .enum(["yes", "no"])
      .optional()
      .transform((value) => value === "yes"),
    agencyId: z
      .uuid()
      .optional()
      .or(z.literal("").transform(() => undefined)),
  })
  .refine((form) => form.consent === "given" || form.sharingReasoning, {
    path: ["sharingReasoning"],
    message: "Explain why information is shared without consent (consent refused or not sought)",
  })
  .refine((form) => form.sharingBasis === "safeguarding-exception" || form.consent === "given", {
    path: ["sharingBasis"],
    message: "Without consent, sharing must rest on the safeguarding exception",
  });

type PersonFormValues = Record<string, unknown>;

/**
 * Checks the identifiers and dates a person form carries, beyond what the schema can say. They run even
 * when the schema failed (then on the raw answers), so every problem is shown after one submit.
 */
const checkPersonDetails = (
  values: z.infer<typeof ZPersonForm> | undefined,
  body: PersonFormValues,
): { ok: true; person: NewPerson } | { ok: false; errors: FormErrors } => {
  const raw = (name: string) => String(body[name] ?? "").trim();
  const errors = noErrors();
  const add = (field: string, text: string) => {
    errors.fields[field] = { text };
    errors.list.push({ text, href: `#${field}` });
  };
  const dob = readDateInput(body, "dateOfBirth", "date of birth", { required: false, future: "refused" });
  if (!dob.ok) add("dateOfBirth", dob.message);
  const unborn = body.unborn === "yes";
  const edd = unborn
    ? readDateInput(body, "expectedDateOfBirth", "expected date of birth", { required: true })
    : { ok: true as const, value: null };
  if (!edd.ok) add("expectedDateOfBirth", edd.message);
  if (unborn && (values?.kind ?? raw("kind")) !== "child") add("unborn", "Only a child can be unborn");
  if (unborn && dob.ok && dob.value)
    add("dateOfBirth", "An unborn child has an expected date of birth, not a date of birth");
  if (unborn && (values?.sex ?? raw("sex")) !== "U")
    add("sex", "An unborn child's sex is recorded as Unknown (CIN census rule)");
  let nhsNumber: string | null = null;
  const nhsNumberGiven = values ? values.nhsNumber : raw("nhsNumber");
  if (nhsNumberGiven) {
    const nhs = checkNhsNumber(nhsNumberGiven);
    if (nhs.ok) nhsNumber = nhs.value;
    else add("nhsNumber", nhs.message);
  }
  let upn: string | null = null;
  const upnGiven = values ? values.upn : raw("upn");
  if (upnGiven) {
    const checked = checkUpn(upnGiven);
    if (checked.ok) upn = checked.value;
    else add("upn", checked.message);
  }
  if (errors.list.length > 0 || !values) return { ok: false, errors };
  return {
    ok: true,
    person: {
      kind: values.kind,
      givenNames: values.givenNames,
      familyName: values.familyName,
      dateOfBirth: dob.ok ? dob.value : null,
      expectedDateOfBirth: edd.ok ? edd.value : null,
      sex: values.sex,
      ethnicity: values.ethnicity,
      disabilities: values.disabilities,
      nhsNumber,
      upn,
      localId: values.localId,
      sendStatus: values.sendStatus,
      youngCarer: values.youngCarer,
      firstLanguage: values.firstLanguage,
    },
  };
};

const mergeErrors = (a: FormErrors, b: FormErrors): FormErrors => ({
  fields: { ...b.fields, ...a.fields },
  list: [...a.list, ...b.list.filter((item) => !a.fields[item.href.slice(1)])],
});

export const registerPeopleRoutes = ({ app }: AppContext): void => {
  const personId = (request: FastifyRequest): string | undefined => {
    const parsed = ZPersonParams.safeParse(request.params);
    return parsed.success ? parsed.data.personId : undefined;
  };

  // Finding a person.
  app.get("/people", { preHandler: CASE_ROLES }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const parsed = ZSearch.safeParse(query);
    const values = parsed.success ? parsed.data : {};
    const dob = readDateInput(query, "dateOfBirth", "date of birth", { required: false });
    const errors = noErrors();
    let nhsNumber: string | undefined;
    let upn: string | undefined;
    if (values.nhsNumber) {
      const nhs = checkNhsNumber(values.nhsNumber);
      if (nhs.ok) nhsNumber = nhs.value;
      else Object.assign(errors, mergeErrors(errors, fieldError("nhsNumber", nhs.message)));
    }
    if (values.upn) {
      const checked = checkUpn(values.upn);
      if (checked.ok) upn = checked.value;
      else Object.assign(errors, mergeErrors(errors, fieldError("upn", checked.message)));
    }
    if (!dob.ok) Object.assign(errors, mergeErrors(errors, fieldError("dateOfBirth", dob.message)));
    const searched = Boolean(values.name || nhsNumber || upn || (dob.ok && dob.value));
    const results =
      searched && errors.list.length === 0
        ? await request.repo.people.searchPeople({
            name: values.name,
            nhsNumber,
            upn,
            dateOfBirth: dob.ok ? (dob.value ?? undefined) : undefined,
          })
        : [];
    return reply.code(errors.list.length > 0 ? 400 : 200).page("people/views/search.njk", {
      title: "Find a person",
      values: query,
      errors,
      searched: searched && errors.list.length === 0,
      results,
      canAdd: request.repo.context ? mayRecord(request.repo.context.role) : false,
    });
  });

  // Adding a person.
  const personForm = (
    reply: FastifyReply,
    errors: FormErrors,
    values: PersonFormValues,
    duplicates: unknown[] = [],
  ) =>
    reply.page("people/views/person-new.njk", {
      title: "Add a person",
      errors,
      values,
      duplicates,
      SEX_CODES,
      ETHNICITY_CODES,
      DISABILITY_CODES,
      SEND_STATUSES,
      SHARING_BASES,
      CONSENT_STATES,
    });

  app.get("/people/new", { preHandler: RECORDERS }, (_request, reply) =>
    personForm(reply, noErrors(), {
      kind: "child",
      sharingBasis: "consent",
      consent: "given",
      isLeadAgency: "no",
    }),
  );

  app.post("/people", { preHandler: RECORDERS }, async (request, reply) => {
    const body = (request.body ?? {}) as PersonFormValues;
    const form = parseForm(ZPersonForm, body);
    const details = checkPersonDetails(form.ok ? form.values : undefined, body);
    const involvementForm = body.kind === "child" ? parseForm(ZInvolvementForm, body) : undefined;
    let errors = noErrors();
    if (!form.ok) errors = form.errors;
    if (!details.ok) errors = mergeErrors(errors, details.errors);
    if (involvementForm && !involvementForm.ok) errors = mergeErrors(errors, involvementForm.errors);
    if (errors.list.length > 0 || !details.ok) return personForm(reply.code(400), errors, body);
    const person = details.person;
    if (body.notDuplicate !== "yes") {
      const duplicates = await request.repo.people.findLikelyDuplicates(person);
      if (duplicates.length > 0) return personForm(reply.code(409), noErrors(), body, duplicates);
    }
    const involvement: NewInvolvement | null =
      involvementForm?.ok === true
        ? {
            startedOn: todayInEngland(),
            isLeadAgency: involvementForm.values.isLeadAgency,
            sharingBasis: involvementForm.values.sharingBasis,
            consent: involvementForm.values.consent,
            sharingReasoning: involvementForm.values.sharingReasoning,
          }
        : null;
    const result = await request.repo.people.createPerson(person, involvement);
    if (!result.ok)
      return personForm(reply.code(400), fieldError(result.field ?? "givenNames", result.message), body);
    return reply.redirect(`/people/${result.value.personId}?added=1`, 303);
  });

  // A child's record, or what an uninvolved worker may know.
  app.get("/people/:personId", { preHandler: CASE_ROLES }, async (request, reply) => {
    const id = personId(request);
    if (!id) return reply.callNotFound();
    return showRecord(request, reply, id, noErrors());
  });

  /**
   * The record page, or for someone who may not open it the "known to" page. `refuseUnopened` is for
   * changes to the record itself: someone who may not open it is refused (403) whatever they sent.
   * `status` is for a page with errors: 400 for input to correct, 403 when a change was refused for
   * access (so it is audited as a denial).
   */
  const showRecord = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    errors: FormErrors,
    options: { refuseUnopened?: boolean; status?: 400 | 403 } = {},
  ) => {
    const query = request.query as Record<string, string | undefined>;
    const record = await request.repo.people.getChildRecord(id);
    if (!record) {
      const known = await request.repo.people.knownTo(id);
      if (!known) return reply.callNotFound();
      if (options.refuseUnopened) return refuseRecord(reply, id);
      return reply
        .code(errors.list.length > 0 ? (options.status ?? 400) : 200)
        .page("people/views/known-to.njk", {
          title: `${known.person.given_names} ${known.person.family_name}`,
          known,
          errors,
          values: request.body ?? {},
          requested: query.requested === "1",
        });
    }
    if (record.person.merged_into_person_id) {
      return reply.redirect(`/people/${record.person.merged_into_person_id}`, 303);
    }
    const hasHistory = record.involvements.length > 1 || record.family.length > 0;
    // A page answering a form (an error, a refusal) is shown as it is; only a plain view goes via history.
    if (!record.historyReadAt && hasHistory && query.added !== "1" && errors.list.length === 0) {
      return reply.redirect(`/people/${id}/history`, 303);
    }
    const ctx = request.repo.context;
    return reply
      .code(errors.list.length > 0 ? (options.status ?? 400) : 200)
      .page("people/views/record.njk", {
        title: `${record.person.given_names} ${record.person.family_name}`,
        record,
        level: record.person.kind === "child" ? await request.repo.cases.levelOfNeed(id) : undefined,
        errors,
        values: request.body ?? {},
        notice:
          query.added === "1"
            ? "The person has been added."
            : query.involvement === "1"
              ? "The involvement has been recorded."
              : query.merged === "1"
                ? "The records have been merged. The merge can be undone below."
                : query.unmerged === "1"
                  ? "The merge has been undone: the other record stands on its own again."
                  : query.glass === "1"
                    ? "You have opened this record with break glass access. Your reason has been recorded and the child's lead agency and safeguarding leads have been told."
                    : undefined,
        canRecord: ctx ? mayRecord(ctx.role) : false,
        canMerge: ctx ? mayMergePeople(ctx.role) : false,
        today: todayInEngland(),
        SEX_CODES,
        ETHNICITY_CODES,
        DISABILITY_CODES,
        SEND_STATUSES,
        SHARING_BASES,
        CONSENT_STATES,
        HOUSEHOLD_ROLES,
        RELATIONSHIP_TYPES,
      });
  };

  // History first: what is known, read before starting.
  app.get("/people/:personId/history", { preHandler: CASE_ROLES }, async (request, reply) => {
    const id = personId(request);
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
    const id = personId(request);
    if (!id) return reply.callNotFound();
    if (!(await request.repo.people.acknowledgeHistory(id))) return refuseRecord(reply, id);
    return reply.redirect(`/people/${id}`, 303);
  });

  // Break glass and asking for involvement.
  app.post("/people/:personId/break-glass", { preHandler: CASE_ROLES }, async (request, reply) => {
    const id = personId(request);
    if (!id) return reply.callNotFound();
    const reason = String((request.body as Record<string, unknown>)?.reason ?? "");
    const result = await request.repo.people.breakGlass(id, reason);
    if (!result.ok) return showRecord(request, reply, id, fieldError("reason", result.message));
    return reply.redirect(`/people/${id}?glass=1`, 303);
  });

  app.post("/people/:personId/involvement-requests", { preHandler: CASE_ROLES }, async (request, reply) => {
    const id = personId(request);
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
      const requestId = z.uuid().safeParse(request.params.requestId);
      if (!requestId.success) return reply.callNotFound();
      const form = parseForm(ZDecision, request.body);
      const rerender = async (errors: FormErrors) =>
        reply.code(400).page("people/views/involvement-requests.njk", {
          title: "Requests for involvement",
          requests: await request.repo.people.listInvolvementRequestsForMe(),
          SHARING_BASES,
          CONSENT_STATES,
          errors,
          failedRequestId: requestId.data,
        });
      if (!form.ok) return rerender(form.errors);
      const result = await request.repo.people.decideInvolvementRequest(requestId.data, {
        grant: form.values.decision === "grant",
        reason: form.values.reason,
        sharingBasis: form.values.sharingBasis,
        consent: form.values.consent,
      });
      // Not the caller's to decide (another agency's child, another partnership's request): refused.
      if (!result.ok && result.field === undefined) return reply.code(403).page("web/views/forbidden.njk");
      if (!result.ok) return rerender(fieldError(result.field ?? "reason", result.message));
      return reply.redirect("/involvement-requests", 303);
    },
  );

  // Involvements.
  app.post("/people/:personId/involvements", { preHandler: RECORDERS }, async (request, reply) => {
    const id = personId(request);
    if (!id) return reply.callNotFound();
    const body = (request.body ?? {}) as Record<string, unknown>;
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
      const id = personId(request);
      const involvementId = z.uuid().safeParse(request.params.involvementId);
      if (!id || !involvementId.success) return reply.callNotFound();
      const reason = String((request.body as Record<string, unknown>)?.endReason ?? "").trim();
      if (!reason)
        return showRecord(
          request,
          reply,
          id,
          fieldError("endReason", "Enter why the involvement is ending"),
          { refuseUnopened: true },
        );
      const result = await request.repo.people.endInvolvement(involvementId.data, todayInEngland(), reason);
      if (!result.ok)
        return showRecord(request, reply, id, fieldError("endReason", result.message), {
          refuseUnopened: true,
        });
      return reply.redirect(`/people/${id}`, 303);
    },
  );

  // Family: households and relationships.
  const ZRelationship = z.object({
    relatedPersonId: z.uuid({ error: "Enter the other person's Hearth record number" }),
    relationshipType: z.enum(RELATIONSHIP_TYPE_CODES, { error: "Select how they are related" }),
    parentalResponsibility: z
      .enum(["yes", "no"])
      .optional()
      .transform((value) => value === "yes"),
  });

  app.post("/people/:personId/relationships", { preHandler: RECORDERS }, async (request, reply) => {
    const id = personId(request);
    if (!id) return reply.callNotFound();
    const form = parseForm(ZRelationship, request.body);
    if (!form.ok) return showRecord(request, reply, id, form.errors, { refuseUnopened: true });
    // The form reads "<other person> is the <type> of this child".
    const result = await request.repo.people.addRelationship({
      personId: form.values.relatedPersonId,
      relatedPersonId: id,
      relationshipType: form.values.relationshipType,
      parentalResponsibility: form.values.parentalResponsibility,
      validFrom: null,
    });
    if (!result.ok)
      return showRecord(request, reply, id, fieldError(result.field ?? "relatedPersonId", result.message), {
        refuseUnopened: true,
        status: result.denied ? 403 : 400,
      });
    return reply.redirect(`/people/${id}`, 303);
  });

  // Merging duplicate records.
  const ZMerge = z.object({
    mergedPersonId: z.uuid({ error: "Enter the Hearth record number of the duplicate record" }),
    mergeReason: ZReason("why these records are the same person"),
  });

  app.post(
    "/people/:personId/merges",
    { preHandler: requireSignedIn("safeguarding-lead") },
    async (request, reply) => {
      const id = personId(request);
      if (!id) return reply.callNotFound();
      const form = parseForm(ZMerge, request.body);
      if (!form.ok) return showRecord(request, reply, id, form.errors, { refuseUnopened: true });
      const result = await request.repo.people.mergePeople(
        id,
        form.values.mergedPersonId,
        form.values.mergeReason,
      );
      if (!result.ok)
        return showRecord(
          request,
          reply,
          id,
          fieldError(result.field === "reason" ? "mergeReason" : "mergedPersonId", result.message),
          { refuseUnopened: true, status: result.denied ? 403 : 400 },
        );
      return reply.redirect(`/people/${id}?merged=1`, 303);
    },
  );

  app.post<{ Params: { personId: string; mergeId: string } }>(
    "/people/:personId/merges/:mergeId/undo",
    { preHandler: requireSignedIn("safeguarding-lead") },
    async (request, reply) => {
      const id = personId(request);
      const mergeId = z.uuid().safeParse(request.params.mergeId);
      if (!id || !mergeId.success) return reply.callNotFound();
      const reason = String((request.body as Record<string, unknown>)?.undoReason ?? "");
      const result = await request.repo.people.undoMerge(mergeId.data, reason);
      if (!result.ok)
        return showRecord(request, reply, id, fieldError("undoReason", result.message), {
          refuseUnopened: true,
        });
      return reply.redirect(`/people/${id}?unmerged=1`, 303);
    },
  );
};
