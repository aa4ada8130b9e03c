// SPDX-License-Identifier: MIT
/**
 * What the people pages share: who may use them, reading a person's id and a reason, the involvement
 * form, and the record page (or, for someone who may not open the record, the "known to" page) that
 * every change to a record shows again with its errors.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { mayMergePeople, mayRecord } from "../data/child-access.ts";
import { todayInEngland } from "../kernel/calendar.ts";
import { type FormErrors, optionalText } from "../web/forms.ts";
import { refuseRecord, requireAllowed } from "../web/guards.ts";
import { READ_HISTORY_FIRST } from "./child-record-repository.ts";
import {
  CONSENT_STATE_CODES,
  CONSENT_STATES,
  DISABILITY_CODES,
  ETHNICITY_CODES,
  HOUSEHOLD_ROLES,
  RELATIONSHIP_TYPE_CODES,
  RELATIONSHIP_TYPES,
  SEND_STATUSES,
  SEX_CODES,
  SHARING_BASES,
  SHARING_BASIS_CODES,
} from "./codes.ts";

export const CASE_ROLES = requireAllowed("records.read");
export const RECORDERS = requireAllowed("records.write");

/** A reason: required, at most 2000 characters. */
export const ZReason = (what: string) =>
  z.string().trim().min(1, `Enter ${what}`).max(2000, "The reason must be 2000 characters or fewer");

export const ZInvolvementForm = z
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

/** "<other person> is the <type> of this person", from a person's record or households page. */
export const ZRelationship = z.object({
  relatedPersonId: z.uuid({ error: "Enter the other person's Hearth record number" }),
  relationshipType: z.enum(RELATIONSHIP_TYPE_CODES, { error: "Select how they are related" }),
  parentalResponsibility: z
    .enum(["yes", "no"])
    .optional()
    .transform((value) => value === "yes"),
});

/**
 * The record page, or for someone who may not open it the "known to" page. `refuseUnopened` is for
 * changes to the record itself: someone who may not open it is refused (403) whatever they sent.
 * `status` is for a page with errors: 400 for input to correct, 403 when a change was refused for
 * access (so it is audited as a denial).
 */
export const showRecord = async (
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
  errors: FormErrors,
  options: { refuseUnopened?: boolean; status?: 400 | 403 } = {},
) => {
  const query = request.query as Record<string, string | undefined>;
  // A page answering a form (an error, a refusal) is shown as it is; only a plain view goes via history.
  const plainView = query.added !== "1" && errors.list.length === 0;
  const record = await request.repo.people.openRecordPage(id, { historyFirst: plainView });
  if (record === READ_HISTORY_FIRST) return reply.redirect(`/people/${id}/history`, 303);
  if (record && "mergedInto" in record) return reply.redirect(`/people/${record.mergedInto}`, 303);
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
  const ctx = request.repo.context;
  return reply.code(errors.list.length > 0 ? (options.status ?? 400) : 200).page("people/views/record.njk", {
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
