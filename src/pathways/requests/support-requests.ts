// SPDX-License-Identifier: MIT
/**
 * Requests for support as rows: making one (from a form, or early help stepping up) and reading them with
 * the child, the referrer and their agency. Shared by the requests, the pathway page and early help.
 */

import type { AccessContext } from "../../data/access-context.ts";
import type { RepositoryScope, Trx } from "../../data/repository-scope.ts";
import type { IsoDate } from "../../kernel/calendar.ts";
import { currentPartnership, inCurrentPartnership, onKey } from "../../kernel/sql.ts";
import { notify } from "../../notifications/notify.ts";
import type { ConsentState } from "../../people/codes.ts";
import { auditCreated, p } from "../pathway-records.ts";

export type NewSupportRequest = {
  /** When the request was made: today for a form, earlier for one made by phone or letter. */
  receivedOn: IsoDate;
  concerns: string;
  whatTried: string;
  consent: ConsentState;
  consentReason: string | null;
  referrerLevel: string | null;
};

/** Stores a request for support (from early help when `fromEarlyHelpId` is set) and tells the front door. */
export const insertSupportRequest = async (
  trx: Trx,
  scope: RepositoryScope,
  ctx: AccessContext,
  personId: string,
  input: NewSupportRequest,
  fromEarlyHelpId: string | null,
): Promise<string> => {
  const requestId = crypto.randomUUID();
  await trx
    .insertInto("support_requests")
    .values({
      partnership_id: ctx.partnershipId,
      request_id: requestId,
      person_id: personId,
      referrer_user_id: ctx.userId,
      referrer_agency_id: ctx.agencyId,
      received_on: input.receivedOn,
      concerns: input.concerns,
      what_tried: input.whatTried,
      consent: input.consent,
      consent_reason: input.consentReason,
      referrer_level: input.referrerLevel,
      from_early_help_id: fromEarlyHelpId,
    })
    .execute();
  await auditCreated(scope, trx, "support-request", requestId, {
    person_id: personId,
    from_early_help_id: fromEarlyHelpId,
    ...input,
  });
  // The front door's workers are told; a step-up reaches them the same way.
  const frontDoor = await trx
    .selectFrom("users")
    .select("user_id")
    .where(inCurrentPartnership())
    .where("role", "=", "front-door")
    .where("deactivated_at", "is", null)
    .execute();
  await notify(trx, ctx.partnershipId, {
    kind: "request-received",
    recipients: frontDoor.map((u) => u.user_id),
    subject: fromEarlyHelpId ? "A step-up request from early help" : "A new request for support",
    body: `Received ${input.receivedOn}: a decision is due within one working day.`,
    link: `/pathways/requests/${requestId}`,
    personId,
    actorUserId: ctx.userId,
  });
  return requestId;
};

/** Requests for support with the child, the referrer and their agency; the caller narrows and orders. */
export const requestRows = (trx: Trx) =>
  trx
    .selectFrom("support_requests as r")
    .innerJoin("people as c", (j) => onKey(j, "c.person_id", "r.person_id"))
    .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "r.referrer_agency_id"))
    .innerJoin("users as u", (j) => onKey(j, "u.user_id", "r.referrer_user_id"))
    .select([
      "r.request_id",
      "r.person_id",
      "c.given_names",
      "c.family_name",
      "c.date_of_birth",
      "r.received_on",
      "r.received_at",
      "r.concerns",
      "r.what_tried",
      "r.consent",
      "r.consent_reason",
      "r.referrer_level",
      "r.from_early_help_id",
      "r.rag",
      "r.outcome",
      "r.decision_reason",
      "r.decided_on",
      "r.episode_id",
      "r.early_help_id",
      "a.name as referrer_agency",
      "a.agency_type as referrer_agency_type",
      "u.display_name as referrer_name",
      "r.referrer_agency_id",
    ])
    .where(p("r.partnership_id"), "=", currentPartnership);
