// SPDX-License-Identifier: MIT
/**
 * Finding a person (by name, date of birth, NHS number or UPN) and adding one, with a warning of likely
 * duplicates and, for a child, the caller's agency's involvement with its basis for sharing.
 */
import type { FastifyReply } from "fastify";
import { z } from "zod";
import { todayInEngland } from "../kernel/calendar.ts";
import { can } from "../kernel/policy.ts";
import type { AppContext } from "../web/app.ts";
import { readDateInput } from "../web/dates.ts";
import {
  addError,
  type FormErrors,
  fieldError,
  mergeErrors,
  noErrors,
  optionalText,
  parseForm,
} from "../web/forms.ts";
import {
  CONSENT_STATES,
  DISABILITY_CODE_LIST,
  DISABILITY_CODES,
  ETHNICITY_CODE_LIST,
  ETHNICITY_CODES,
  PERSON_KIND_CODES,
  SEND_STATUS_CODES,
  SEND_STATUSES,
  SEX_CODE_LIST,
  SEX_CODES,
  SHARING_BASES,
} from "./codes.ts";
import { checkNhsNumber, checkUpn } from "./identifiers.ts";
import type { NewInvolvement, NewPerson } from "./people-repository.ts";
import { CASE_ROLES, RECORDERS, ZInvolvementForm } from "./people-route-helpers.ts";

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

type PersonFormValues = Record<string, unknown>;

/**
 * Checks an NHS number and a UPN where given, reporting each problem against its field.
 * @returns The numbers in their stored form, or null where not given or not valid.
 */
const readIdentifiers = (
  given: { nhsNumber: string | null | undefined; upn: string | null | undefined },
  add: (field: string, text: string) => void,
): { nhsNumber: string | null; upn: string | null } => {
  let nhsNumber: string | null = null;
  if (given.nhsNumber) {
    const nhs = checkNhsNumber(given.nhsNumber);
    if (nhs.ok) nhsNumber = nhs.value;
    else add("nhsNumber", nhs.message);
  }
  let upn: string | null = null;
  if (given.upn) {
    const checked = checkUpn(given.upn);
    if (checked.ok) upn = checked.value;
    else add("upn", checked.message);
  }
  return { nhsNumber, upn };
};

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
  const add = (field: string, text: string) => addError(errors, field, text);
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
  const { nhsNumber, upn } = readIdentifiers(
    values ? values : { nhsNumber: raw("nhsNumber"), upn: raw("upn") },
    add,
  );
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

export const registerSearchRoutes = ({ app }: AppContext): void => {
  // Finding a person.
  app.get("/people", { preHandler: CASE_ROLES }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const parsed = ZSearch.safeParse(query);
    const values = parsed.success ? parsed.data : {};
    const dob = readDateInput(query, "dateOfBirth", "date of birth", { required: false });
    const errors = noErrors();
    const identifiers = readIdentifiers({ nhsNumber: values.nhsNumber, upn: values.upn }, (field, text) =>
      Object.assign(errors, mergeErrors(errors, fieldError(field, text))),
    );
    const nhsNumber = identifiers.nhsNumber ?? undefined;
    const upn = identifiers.upn ?? undefined;
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
      canAdd: request.repo.context ? can(request.repo.context.role, "records.write") : false,
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
};
