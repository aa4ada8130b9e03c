// SPDX-License-Identifier: MIT
/**
 * Households and relationships pages: a person's households over time and their relationships
 * (/people/:personId/households), a household with every member over time including the other adults
 * (/households/:householdId), adding a member (found by search, or a new adult), ending a membership or
 * a relationship with a date and reason. Works without JavaScript; handlers call the repository only.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { ChangeResult } from "../../data/repository-scope.ts";
import { todayInEngland } from "../../kernel/calendar.ts";
import type { AppContext } from "../../web/app.ts";
import { dateInputValues, readDateInput } from "../../web/dates.ts";
import {
  type FormErrors,
  fieldError,
  mergeErrors,
  noErrors,
  optionalText,
  parseForm,
  refusalStatus,
  showForm,
} from "../../web/forms.ts";
import { refuseRecord, requireAllowed } from "../../web/guards.ts";
import { formBody, idParam } from "../../web/request-values.ts";
import {
  CONSENT_STATE_CODES,
  CONSENT_STATES,
  HOUSEHOLD_ROLE_CODES,
  HOUSEHOLD_ROLES,
  RELATIONSHIP_TYPES,
  SEX_CODE_LIST,
  SHARING_BASES,
  SHARING_BASIS_CODES,
} from "../codes.ts";
import { ZRelationship } from "../people-route-helpers.ts";

const CASE_ROLES = requireAllowed("records.read");
const RECORDERS = requireAllowed("records.write");
const ZId = z.uuid();
type Body = Record<string, unknown>;

const ZReason = z
  .string({ error: "Enter the reason" })
  .trim()
  .min(1, "Enter the reason")
  .max(2000, "The reason must be 2000 characters or fewer");

const ZNewHousehold = z.object({
  addressLine: z
    .string()
    .trim()
    .min(1, "Enter the address")
    .max(200, "The address must be 200 characters or fewer"),
  town: optionalText(100),
  postcode: optionalText(10),
  householdRole: z.enum(HOUSEHOLD_ROLE_CODES, { error: "Select their place in the household" }),
});
const ZMember = z.object({
  personId: z.uuid({ error: "Choose the person to add" }),
  householdRole: z.enum(HOUSEHOLD_ROLE_CODES, { error: "Select their place in the household" }),
});
const ZNewAdult = z.object({
  givenNames: z
    .string()
    .trim()
    .min(1, "Enter their given names")
    .max(100, "Given names must be 100 characters or fewer"),
  familyName: z
    .string()
    .trim()
    .min(1, "Enter their family name")
    .max(100, "The family name must be 100 characters or fewer"),
  sex: z.enum(SEX_CODE_LIST, { error: "Select their sex, or not known" }),
  householdRole: z.enum(["parent", "other-adult"], { error: "Select their place in the household" }),
  sharingBasis: z.enum(SHARING_BASIS_CODES, { error: "Select the basis for sharing" }),
  consent: z.enum(CONSENT_STATE_CODES, { error: "Select whether they consented" }),
});
const ZEnding = z.object({ reason: ZReason });

/** Reads a required day/month/year date, adding its error to the form's; every error shows in one submit. */
const readDate = (body: Body, name: string, label: string, errors: FormErrors): [string, FormErrors] => {
  const read = readDateInput(body, name, label, { required: true, future: "refused" });
  if (!read.ok) return [todayInEngland(), mergeErrors(errors, fieldError(name, read.message))];
  return [read.value ?? todayInEngland(), errors];
};

/** The same errors under other field names. */
const renameFields = (errors: FormErrors, names: Record<string, string>): FormErrors => ({
  fields: Object.fromEntries(Object.entries(errors.fields).map(([k, v]) => [names[k] ?? k, v])),
  list: errors.list.map((item) => ({ ...item, href: `#${names[item.href.slice(1)] ?? item.href.slice(1)}` })),
});

const formOf = (schema: z.ZodType, body: Body) => {
  const form = parseForm(schema, body);
  return form.ok
    ? { values: form.values as never, errors: noErrors() }
    : { values: undefined, errors: form.errors };
};

type Ending = { validTo: string; reason: string };

/**
 * Reads the form that ends a membership or a relationship: a reason and the end date, its fields named
 * with the row's prefix (a page has one such form per row).
 */
const readEnding = (
  values: Body,
  prefix: string,
  dateLabel: string,
): { ok: true; value: Ending } | { ok: false; errors: FormErrors } => {
  const form = formOf(ZEnding, { reason: values[`${prefix}-reason`] });
  const reasonErrors = form.errors.list.length
    ? fieldError(`${prefix}-reason`, form.errors.list[0]?.text ?? "")
    : noErrors();
  const [validTo, errors] = readDate(values, `${prefix}-validTo`, dateLabel, reasonErrors);
  if (!form.values || errors.list.length) return { ok: false, errors };
  return { ok: true, value: { validTo, reason: (form.values as z.infer<typeof ZEnding>).reason } };
};

export const registerHouseholdRoutes = ({ app }: AppContext): void => {
  /**
   * The route that ends a relationship or a household membership from its row on a page: the row's
   * fields are named with its id, and a refusal shows on the page it was ended from.
   */
  const postEnding = (route: {
    path: string;
    pageParam: string;
    rowParam: string;
    dateLabel: string;
    show: (
      request: FastifyRequest,
      reply: FastifyReply,
      id: string,
      errors: FormErrors,
      values: Body,
      status?: number,
    ) => Promise<unknown>;
    end: (request: FastifyRequest, rowId: string, ending: Ending) => Promise<ChangeResult<unknown>>;
    endedAt: (id: string) => string;
  }) =>
    app.post(route.path, { preHandler: RECORDERS }, async (request, reply) => {
      const id = idParam(request, route.pageParam);
      const rowId = idParam(request, route.rowParam);
      if (!id || !rowId) return reply.callNotFound();
      const values = formBody(request);
      const prefix = `end-${rowId}`;
      const ending = readEnding(values, prefix, route.dateLabel);
      if (!ending.ok) return route.show(request, reply, id, ending.errors, values);
      const result = await route.end(request, rowId, ending.value);
      if (!result.ok)
        return route.show(
          request,
          reply,
          id,
          fieldError(result.field === "reason" ? `${prefix}-reason` : `${prefix}-validTo`, result.message),
          values,
          refusalStatus(result),
        );
      return reply.redirect(route.endedAt(id), 303);
    });

  // A person's households over time and relationships.
  const showPerson = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    errors: FormErrors,
    values: Body,
    status?: number,
  ) => {
    const page = await request.repo.households.personHouseholds(id);
    if (!page) return refuseRecord(reply, id);
    return showForm(
      reply,
      "people/households/views/person-households.njk",
      errors,
      {
        title: `Households and relationships: ${page.person.given_names} ${page.person.family_name}`,
        page,
        values,
        today: todayInEngland(),
        HOUSEHOLD_ROLES,
        RELATIONSHIP_TYPES,
      },
      status,
    );
  };
  const freshPersonValues = () => ({ ...dateInputValues("validFrom", todayInEngland()) });

  app.get("/people/:personId/households", { preHandler: CASE_ROLES }, async (request, reply) => {
    const id = idParam(request, "personId");
    if (!id) return reply.callNotFound();
    return showPerson(request, reply, id, noErrors(), freshPersonValues());
  });

  app.post("/people/:personId/households", { preHandler: RECORDERS }, async (request, reply) => {
    const id = idParam(request, "personId");
    if (!id) return reply.callNotFound();
    const values = formBody(request);
    const form = formOf(ZNewHousehold, values);
    const [validFrom, errors] = readDate(values, "validFrom", "date they moved in", form.errors);
    if (!form.values || errors.list.length) return showPerson(request, reply, id, errors, values);
    const v = form.values as z.infer<typeof ZNewHousehold>;
    const result = await request.repo.households.startHousehold({
      personId: id,
      address: { addressLine: v.addressLine, town: v.town, postcode: v.postcode },
      householdRole: v.householdRole,
      validFrom,
    });
    if (!result.ok)
      return showPerson(
        request,
        reply,
        id,
        fieldError(result.field ?? "addressLine", result.message),
        values,
        refusalStatus(result),
      );
    return reply.redirect(`/households/${result.value.householdId}`, 303);
  });

  app.post(
    "/people/:personId/households/relationships",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const id = idParam(request, "personId");
      if (!id) return reply.callNotFound();
      const values = formBody(request);
      const form = formOf(ZRelationship, values);
      if (!form.values) return showPerson(request, reply, id, form.errors, values);
      const v = form.values as z.infer<typeof ZRelationship>;
      // The form reads "<other person> is the <type> of this person".
      const result = await request.repo.households.addRelationship({
        personId: v.relatedPersonId,
        relatedPersonId: id,
        relationshipType: v.relationshipType,
        parentalResponsibility: v.parentalResponsibility,
        validFrom: null,
      });
      if (!result.ok)
        return showPerson(
          request,
          reply,
          id,
          fieldError(result.field ?? "relatedPersonId", result.message),
          values,
          refusalStatus(result),
        );
      return reply.redirect(`/people/${id}/households?added=relationship`, 303);
    },
  );

  postEnding({
    path: "/people/:personId/relationships/:relationshipId/end",
    pageParam: "personId",
    rowParam: "relationshipId",
    dateLabel: "date the relationship ended",
    show: showPerson,
    end: (request, relationshipId, ending) => request.repo.households.endRelationship(relationshipId, ending),
    endedAt: (id) => `/people/${id}/households?ended=relationship`,
  });

  // A household and its members over time.
  const showHousehold = async (
    request: FastifyRequest,
    reply: FastifyReply,
    householdId: string,
    errors: FormErrors,
    values: Body,
    status?: number,
  ) => {
    const page = await request.repo.households.household(householdId);
    if (!page) return reply.callNotFound();
    const query = request.query as Record<string, string | undefined>;
    const name = String(query.name ?? values.name ?? "")
      .trim()
      .slice(0, 100);
    const found = name && page.mayAdd ? await request.repo.people.searchPeople({ name }) : [];
    return showForm(
      reply,
      "people/households/views/household.njk",
      errors,
      {
        title: `Household: ${page.household.address_line}`,
        page,
        name,
        found: found.filter(
          (f) => !page.members.some((m) => m.person?.person_id === f.person_id && m.valid_to === null),
        ),
        searched: name !== "",
        values,
        notice: query.notice,
        HOUSEHOLD_ROLES,
        SHARING_BASES,
        CONSENT_STATES,
      },
      status,
    );
  };
  const freshHouseholdValues = () => ({
    ...dateInputValues("validFrom", todayInEngland()),
    ...dateInputValues("adultValidFrom", todayInEngland()),
    sharingBasis: "safeguarding-exception",
    consent: "not-sought",
    sex: "U",
  });

  app.get("/households/:householdId", { preHandler: CASE_ROLES }, async (request, reply) => {
    const id = idParam(request, "householdId");
    if (!id) return reply.callNotFound();
    return showHousehold(request, reply, id, noErrors(), freshHouseholdValues());
  });

  app.post("/households/:householdId/members", { preHandler: RECORDERS }, async (request, reply) => {
    const id = idParam(request, "householdId");
    if (!id) return reply.callNotFound();
    const values = formBody(request);
    const form = formOf(ZMember, values);
    const [validFrom, found] = readDate(values, "validFrom", "date they moved in", form.errors);
    // Each search result has its own form: point the messages at the fields of the one sent.
    const who = ZId.safeParse(values.personId);
    const errors = who.success
      ? renameFields(found, {
          validFrom: `validFrom-${who.data}`,
          householdRole: `householdRole-${who.data}`,
        })
      : found;
    if (!form.values || errors.list.length) return showHousehold(request, reply, id, errors, values);
    const v = form.values as z.infer<typeof ZMember>;
    const result = await request.repo.households.addMember({
      householdId: id,
      personId: v.personId,
      householdRole: v.householdRole,
      validFrom,
    });
    if (!result.ok)
      return showHousehold(
        request,
        reply,
        id,
        fieldError(`householdRole-${v.personId}`, result.message),
        values,
        refusalStatus(result),
      );
    return reply.redirect(`/households/${id}?notice=added`, 303);
  });

  app.post("/households/:householdId/adults", { preHandler: RECORDERS }, async (request, reply) => {
    const id = idParam(request, "householdId");
    if (!id) return reply.callNotFound();
    const values = formBody(request);
    const form = formOf(ZNewAdult, values);
    let [validFrom, errors] = readDate(values, "adultValidFrom", "date they moved in", form.errors);
    const dob = readDateInput(values, "dateOfBirth", "date of birth", { required: false, future: "refused" });
    if (!dob.ok) errors = mergeErrors(errors, fieldError("dateOfBirth", dob.message));
    if (!form.values || errors.list.length || !dob.ok)
      return showHousehold(request, reply, id, errors, values);
    const v = form.values as z.infer<typeof ZNewAdult>;
    const result = await request.repo.households.addNewAdult(id, {
      ...v,
      dateOfBirth: dob.value,
      validFrom,
    });
    if (!result.ok)
      return showHousehold(
        request,
        reply,
        id,
        fieldError(
          result.field === "householdId" ? "givenNames" : (result.field ?? "givenNames"),
          result.message,
        ),
        values,
        refusalStatus(result),
      );
    return reply.redirect(`/households/${id}?notice=added`, 303);
  });

  postEnding({
    path: "/households/:householdId/members/:membershipId/end",
    pageParam: "householdId",
    rowParam: "membershipId",
    dateLabel: "date they left",
    show: showHousehold,
    end: (request, membershipId, ending) => request.repo.households.endMembership(membershipId, ending),
    endedAt: (id) => `/households/${id}?notice=ended`,
  });
};
