// SPDX-License-Identifier: MIT
/**
 * The front door's decision on a request for support: its RAG rating and outcome. A section 17 or 47
 * outcome opens a social care episode and starts the assessment or enquiry, with the allocated worker's
 * agency involved; early help is opened with the named lead professional. The referrer and the allocated
 * worker are told, and a level of need chosen with the decision is recorded beside it.
 */

import type { AccessContext } from "../../data/access-context.ts";
import { AreaRepository } from "../../data/area-repository.ts";
import {
  type ChangeResult,
  done,
  type MethodAccess,
  refused,
  type Trx,
} from "../../data/repository-scope.ts";
import type { IsoDate } from "../../kernel/calendar.ts";
import { inCurrentPartnership } from "../../kernel/sql.ts";
import { type NewNotification, notify } from "../../notifications/notify.ts";
import {
  FRONT_DOOR_OUTCOMES,
  type FrontDoorOutcome,
  type RagRating,
  REFERRAL_SOURCE_BY_AGENCY,
  type ReferralSource,
} from "../codes.ts";
import { openEarlyHelp } from "../front-door/open-early-help.ts";
import { agencyTypeOf, auditCreated, insertLevelDecision, readNeedLevels } from "../pathway-records.ts";
import { insertCscEvent, noEventDetails, openReferralEpisode } from "../social-care/social-care-events.ts";
import { allocatedWorker, runsFrontDoor } from "../social-care-access.ts";

export type FrontDoorDecision = {
  rag: RagRating;
  outcome: FrontDoorOutcome;
  reason: string;
  decidedOn: IsoDate;
  /** The social worker allocated (section 17 or 47). */
  workerUserId: string | null;
  /** Early help: the lead professional, who is told, and whose agency becomes the lead agency. */
  leadUserId?: string | null;
  /** Early help: the agencies in the team around the family. */
  teamAgencyIds?: readonly string[];
  /** The level of need the front door sets with its decision, if it chose one. */
  chosenLevel?: string | null;
};

export class RequestDecisionsRepository extends AreaRepository {
  static readonly methodAccess: Record<keyof RequestDecisionsRepository, MethodAccess> = {
    decideRequest: "guarded",
  };

  /**
   * The front door's rating and decision on a request. A section 17 or 47 outcome opens a social care
   * episode (the referral, with the source code of the referrer's agency) and starts the assessment or
   * the enquiry; early help gives the early help service an involvement. The referrer is told.
   */
  decideRequest(
    requestId: string,
    decision: FrontDoorDecision,
  ): Promise<ChangeResult<{ episodeId: string | null; earlyHelpId: string | null }>> {
    const ctx = this.ctx;
    if (!ctx || !runsFrontDoor(ctx.role))
      return Promise.resolve(refused("Only the front door decides requests"));
    if (!decision.reason.trim())
      return Promise.resolve(refused("Enter the reason for the decision", "reason"));
    if ((decision.outcome === "s17" || decision.outcome === "s47") && !decision.workerUserId)
      return Promise.resolve(refused("Select the social worker to allocate", "workerUserId"));
    if (decision.outcome === "early-help" && !decision.leadUserId)
      return Promise.resolve(refused("Select the lead professional for early help", "leadUserId"));
    return this.scope.run(async (trx) => {
      const request = await trx
        .selectFrom("support_requests")
        .selectAll()
        .where(inCurrentPartnership())
        .where("request_id", "=", requestId)
        .forUpdate()
        .executeTakeFirst();
      if (!request) return refused("Request not found");
      if (request.outcome !== null) return refused("This request has already been decided");
      if (decision.decidedOn < request.received_on)
        return refused("The decision cannot come before the request was received", "decidedOn");
      let episodeId: string | null = null;
      if (decision.outcome === "s17" || decision.outcome === "s47") {
        const referrerType = await agencyTypeOf(this.scope, trx, request.referrer_agency_id);
        const source: ReferralSource = request.from_early_help_id
          ? "5D"
          : referrerType
            ? REFERRAL_SOURCE_BY_AGENCY[referrerType]
            : "10";
        const worker = await allocatedWorker(trx, decision.workerUserId ?? "");
        if (!worker) return refused("Select a children's social care worker", "workerUserId");
        episodeId = await openReferralEpisode(trx, this.scope, ctx, request.person_id, {
          referralDate: request.received_on,
          source,
          workerUserId: worker.user_id,
        });
        await insertCscEvent(trx, this.scope, ctx, request.person_id, {
          ...noEventDetails(),
          episodeId,
          eventType: decision.outcome === "s17" ? "assessment-start" : "s47-start",
          occurredOn: decision.decidedOn,
        });
        await this.#ensureInvolvement(
          trx,
          ctx,
          request.person_id,
          worker.agency_id,
          `Front-door decision: ${decision.outcome === "s17" ? "child and family assessment" : "section 47 enquiry"}`,
          decision.decidedOn,
        );
      }
      let earlyHelpId: string | null = null;
      if (decision.outcome === "early-help") {
        const opened = await openEarlyHelp(trx, this.scope, ctx, {
          personId: request.person_id,
          startedOn: decision.decidedOn,
          consentOn: request.consent === "given" ? request.received_on : decision.decidedOn,
          consent: request.consent,
          leadUserId: decision.leadUserId ?? "",
          teamAgencyIds: decision.teamAgencyIds ?? [],
          summary:
            `Opened by the front door. Early help assessment to be completed by the lead professional. The front door's reason: ${decision.reason}`.slice(
              0,
              8000,
            ),
          supportRequestId: requestId,
          steppedDownFromEpisodeId: null,
          reason: "Front-door decision: early help, with this agency as the lead",
          notice: {
            kind: "early-help-lead",
            subject: "You are the lead professional for early help",
            body: "The front door decided on early help and named you as the lead professional. Arrange the early help assessment with the family.",
          },
        });
        if (!opened.ok) return refused(opened.message, opened.field);
        earlyHelpId = opened.earlyHelpId;
      }
      await trx
        .updateTable("support_requests")
        .set({
          rag: decision.rag,
          rated_by: ctx.userId,
          rated_at: new Date(),
          outcome: decision.outcome,
          decision_reason: decision.reason,
          decided_by: ctx.userId,
          decided_on: decision.decidedOn,
          decided_at: new Date(),
          episode_id: episodeId,
          early_help_id: earlyHelpId,
        })
        .where(inCurrentPartnership())
        .where("request_id", "=", requestId)
        .execute();
      // Both notices say the outcome only: the reasons stay behind the link, which applies the access rule.
      const tell = (notice: Pick<NewNotification, "kind" | "recipients" | "subject" | "body">) =>
        notify(trx, ctx.partnershipId, {
          ...notice,
          link: `/pathways/requests/${requestId}`,
          personId: request.person_id,
          actorUserId: ctx.userId,
        });
      await tell({
        kind: "request-decided",
        recipients: [request.referrer_user_id],
        subject: "The front door has decided your request for support",
        body: `Outcome: ${FRONT_DOOR_OUTCOMES[decision.outcome]}.`,
      });
      if (episodeId)
        await tell({
          kind: "case-allocated",
          recipients: [decision.workerUserId],
          subject: "A case has been allocated to you",
          body: `The front door decided: ${FRONT_DOOR_OUTCOMES[decision.outcome]}.`,
        });
      let levelDecisionId: string | null = null;
      if (decision.chosenLevel) {
        const levels = await readNeedLevels(trx);
        if (!levels.some((l) => l.code === decision.chosenLevel))
          return refused("Select a level of need from the list", "chosenLevel");
        levelDecisionId = await insertLevelDecision(trx, ctx, request.person_id, {
          suggestedLevel: request.referrer_level,
          suggestionSource: request.referrer_level ? "The referrer" : null,
          chosenLevel: decision.chosenLevel,
          rationale: decision.reason,
          decidedOn: decision.decidedOn,
          approverUserId: null,
        });
      }
      await this.scope.audit(trx, {
        action: "decide",
        recordType: "support-request",
        recordId: requestId,
        details: {
          rag: [request.rag, decision.rag],
          outcome: [null, decision.outcome],
          reason: decision.reason,
          decided_on: decision.decidedOn,
          episode_id: episodeId,
          early_help_id: earlyHelpId,
          lead_user_id: decision.outcome === "early-help" ? decision.leadUserId : null,
          level_decision_id: levelDecisionId,
          chosen_level: decision.chosenLevel ?? null,
        },
      });
      return done({ episodeId, earlyHelpId });
    });
  }
  /** Gives an agency an involvement with the child unless it has one open: the basis for sharing. */
  async #ensureInvolvement(
    trx: Trx,
    ctx: AccessContext,
    personId: string,
    agencyId: string,
    reason: string,
    on: IsoDate,
  ) {
    const open = await trx
      .selectFrom("involvements")
      .select("involvement_id")
      .where(inCurrentPartnership())
      .where("person_id", "=", personId)
      .where("agency_id", "=", agencyId)
      .where((eb) => eb.or([eb("ended_on", "is", null), eb("ended_on", ">=", on)]))
      .executeTakeFirst();
    if (open) return;
    const involvementId = crypto.randomUUID();
    await trx
      .insertInto("involvements")
      .values({
        partnership_id: ctx.partnershipId,
        involvement_id: involvementId,
        person_id: personId,
        agency_id: agencyId,
        started_on: on,
        sharing_basis: "safeguarding-exception",
        consent: "not-sought",
        sharing_reasoning: reason,
        created_by: ctx.userId,
      })
      .execute();
    await auditCreated(this.scope, trx, "involvement", involvementId, {
      person_id: personId,
      agency_id: agencyId,
      reason,
    });
  }
}
