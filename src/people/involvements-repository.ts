// SPDX-License-Identifier: MIT
/**
 * Agencies' involvements with a child: recording and ending them, asking to be involved and deciding
 * such requests, break glass, the caller's notifications, and the users an agency's lead professional is
 * chosen from. Every change is audited in the same transaction; an ended involvement keeps its dates.
 */
import { sql } from "kysely";
import { AreaRepository } from "../data/area-repository.ts";
import {
  BREAK_GLASS_HOURS,
  childVisibleTo,
  mayBreakGlass,
  mayRecord,
  seesEveryChild,
} from "../data/child-access.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  refused,
  type Trx,
} from "../data/repository-scope.ts";
import { todayInEnglandSql } from "../kernel/calendar.ts";
import { currentPartnership, onKey } from "../kernel/sql.ts";
import type { NotificationKind } from "../notifications/codes.ts";
import { notify } from "../notifications/notify.ts";
import type { ConsentState, SharingBasis } from "./codes.ts";
import { insertInvolvement, p, today } from "./people-records.ts";
import type { NewInvolvement } from "./people-types.ts";

/** Agencies' involvements, requests to be involved, break glass, and notifications. */
export class InvolvementsRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof InvolvementsRepository, MethodAccess> = {
    addInvolvement: "guarded",
    endInvolvement: "guarded",
    requestInvolvement: "guarded",
    listInvolvementRequestsForMe: "guarded",
    decideInvolvementRequest: "guarded",
    breakGlass: "guarded",
    listMyNotifications: "guarded",
    listAgencyUsers: "guarded",
  };

  /**
   * Records an agency's involvement with a child the caller can see. Practitioners and managers record
   * their own agency's; the front door and safeguarding leads may record any agency's.
   */
  addInvolvement(personId: string, input: NewInvolvement): Promise<ChangeResult<{ involvementId: string }>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot record involvements"));
    const agencyId = seesEveryChild(ctx.role) && input.agencyId ? input.agencyId : ctx.agencyId;
    return this.scope.run(async (trx) => {
      if (!(await this.scope.canOpenRecord(trx, personId)))
        return refused("You do not have access to this child's record");
      const agency = await trx
        .selectFrom("agencies")
        .select("agency_id")
        .where(p("partnership_id"), "=", currentPartnership)
        .where("agency_id", "=", agencyId)
        .executeTakeFirst();
      if (!agency) return refused("Select the agency", "agencyId");
      const involvementId = await insertInvolvement(trx, this.scope, ctx, personId, { ...input, agencyId });
      return done({ involvementId });
    });
  }

  /** Ends an involvement (the row and its dates are kept). Its own agency or a safeguarding lead. */
  endInvolvement(involvementId: string, endedOn: string, reason: string): Promise<ChangeResult<null>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot end involvements"));
    return this.scope.run(async (trx) => {
      const involvement = await trx
        .selectFrom("involvements")
        .select(["involvement_id", "agency_id", "started_on", "ended_on", "person_id"])
        .where(p("partnership_id"), "=", currentPartnership)
        .where("involvement_id", "=", involvementId)
        .executeTakeFirst();
      if (!involvement) return refused("Only the agency involved can end its involvement");
      // Another agency's involvement: a refusal of access, not of the caller's input (answered 403, audited).
      if (ctx.role !== "safeguarding-lead" && involvement.agency_id !== ctx.agencyId)
        return deniedAccess("Only the agency involved can end its involvement");
      if (involvement.ended_on) return refused("This involvement has already ended");
      if (endedOn < involvement.started_on)
        return refused("The end date must be on or after the start date", "endedOn");
      await trx
        .updateTable("involvements")
        .set({ ended_on: endedOn })
        .where(p("partnership_id"), "=", currentPartnership)
        .where("involvement_id", "=", involvementId)
        .execute();
      await this.scope.audit(trx, {
        action: "update",
        recordType: "involvement",
        recordId: involvementId,
        reason,
        details: { ended_on: [null, endedOn], person_id: involvement.person_id },
      });
      return done(null);
    });
  }

  /** The lead professionals and managers of the child's lead agency, and every safeguarding lead: who is told. */
  async #whoToTell(trx: Trx, personId: string): Promise<string[]> {
    const rows = await sql<{ user_id: string }>`
      select u.user_id from users u
        where u.partnership_id = ${currentPartnership} and u.deactivated_at is null
          and (u.role = 'safeguarding-lead'
            or u.user_id in (select i.lead_professional_user_id from involvements i
                where i.partnership_id = ${currentPartnership} and i.person_id = ${personId}
                  and i.is_lead_agency and (i.ended_on is null or i.ended_on >= ${todayInEnglandSql}))
            or (u.role = 'manager' and u.agency_id in (select i.agency_id from involvements i
                where i.partnership_id = ${currentPartnership} and i.person_id = ${personId}
                  and i.is_lead_agency and (i.ended_on is null or i.ended_on >= ${todayInEnglandSql}))))`.execute(
      trx,
    );
    return rows.rows.map((row) => row.user_id);
  }

  async #notify(
    trx: Trx,
    recipients: string[],
    message: { kind: NotificationKind; subject: string; body: string; link: string; personId: string },
  ) {
    const ctx = this.ctx;
    if (!ctx) return;
    await notify(trx, ctx.partnershipId, { ...message, recipients, actorUserId: ctx.userId });
  }

  /** Asks the child's lead agency for involvement; they and the safeguarding leads are told. */
  requestInvolvement(personId: string, reason: string): Promise<ChangeResult<{ requestId: string }>> {
    const ctx = this.ctx;
    if (!ctx || !mayBreakGlass(ctx.role)) return Promise.resolve(refused("You cannot ask for involvement"));
    if (reason.trim().length === 0)
      return Promise.resolve(refused("Enter why your agency needs to be involved", "reason"));
    return this.scope.run(async (trx) => {
      const person = await this.#personName(trx, personId);
      if (!person) return refused("This person is not known to Hearth");
      const requestId = crypto.randomUUID();
      await trx
        .insertInto("involvement_requests")
        .values({
          partnership_id: ctx.partnershipId,
          request_id: requestId,
          person_id: personId,
          requested_by: ctx.userId,
          requesting_agency_id: ctx.agencyId,
          reason,
        })
        .execute();
      await this.#notify(trx, await this.#whoToTell(trx, personId), {
        kind: "involvement-requested",
        personId,
        subject: `Request for involvement with ${person}`,
        body: `An agency asks to be involved with ${person}: ${reason}`,
        link: `/people/${personId}/involvement-requests/${requestId}`,
      });
      await this.scope.audit(trx, {
        action: "request-involvement",
        recordType: "person",
        recordId: personId,
        reason,
      });
      return done({ requestId });
    });
  }

  async #personName(trx: Trx, personId: string): Promise<string | undefined> {
    const row = await trx
      .selectFrom("people")
      .select(["given_names", "family_name"])
      .where(p("partnership_id"), "=", currentPartnership)
      .where("person_id", "=", personId)
      .executeTakeFirst();
    return row ? `${row.given_names} ${row.family_name}` : undefined;
  }

  /** Requests the caller can decide: for children they can open, from other agencies, still open. */
  listInvolvementRequestsForMe() {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve([]);
    return this.scope.run((trx) =>
      trx
        .selectFrom("involvement_requests as r")
        .innerJoin("people", (j) => onKey(j, "people.person_id", "r.person_id"))
        .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "r.requesting_agency_id"))
        .select([
          "r.request_id",
          "r.person_id",
          "r.reason",
          "r.requested_at",
          "a.name as agency_name",
          "people.given_names",
          "people.family_name",
        ])
        .where(p("r.partnership_id"), "=", currentPartnership)
        .where("r.decided_at", "is", null)
        .where("r.requesting_agency_id", "<>", ctx.agencyId)
        .where(childVisibleTo(ctx, p("r.person_id")))
        .orderBy("r.requested_at")
        .execute(),
    );
  }

  /** Grants (adding the requesting agency's involvement) or declines a request. */
  decideInvolvementRequest(
    requestId: string,
    decision: { grant: boolean; reason: string; sharingBasis: SharingBasis; consent: ConsentState },
  ): Promise<ChangeResult<null>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot decide requests"));
    if (decision.reason.trim() === "")
      return Promise.resolve(refused("Enter the reason for your decision", "reason"));
    return this.scope.run(async (trx) => {
      const request = await trx
        .selectFrom("involvement_requests")
        .selectAll()
        .where(p("partnership_id"), "=", currentPartnership)
        .where("request_id", "=", requestId)
        .where("decided_at", "is", null)
        .executeTakeFirst();
      if (!request || !(await this.scope.canOpenRecord(trx, request.person_id)))
        return refused("This request cannot be decided by you");
      // Never by the agency that asked: a worker who broke glass could otherwise make it permanent.
      // The route answers 403, audited as a denial.
      if (request.requesting_agency_id === ctx.agencyId)
        return deniedAccess("Your agency's own request is decided by another agency involved with the child");
      await trx
        .updateTable("involvement_requests")
        .set({
          decided_at: new Date(),
          decided_by: ctx.userId,
          decision: decision.grant ? "granted" : "declined",
          decision_reason: decision.reason,
        })
        .where(p("partnership_id"), "=", currentPartnership)
        .where("request_id", "=", requestId)
        .execute();
      if (decision.grant) {
        await insertInvolvement(trx, this.scope, ctx, request.person_id, {
          agencyId: request.requesting_agency_id,
          startedOn: today(),
          isLeadAgency: false,
          sharingBasis: decision.sharingBasis,
          consent: decision.consent,
          sharingReasoning: decision.reason,
        });
      }
      await this.#notify(trx, [request.requested_by], {
        kind: "involvement-decided",
        personId: request.person_id,
        subject: decision.grant
          ? "Your request for involvement was granted"
          : "Your request for involvement was declined",
        body: decision.reason,
        link: `/people/${request.person_id}`,
      });
      await this.scope.audit(trx, {
        action: decision.grant ? "grant-involvement" : "decline-involvement",
        recordType: "person",
        recordId: request.person_id,
        reason: decision.reason,
        details: { request_id: requestId },
      });
      return done(null);
    });
  }

  /**
   * Opens a child's record without an involvement, for a stated reason, for {@link BREAK_GLASS_HOURS}
   * hours. Audited with the reason; the child's lead agency and every safeguarding lead are told.
   */
  breakGlass(personId: string, reason: string): Promise<ChangeResult<{ expiresAt: Date }>> {
    const ctx = this.ctx;
    if (!ctx || !mayBreakGlass(ctx.role))
      return Promise.resolve(refused("You cannot use break glass access"));
    if (reason.trim().length < 10) {
      return Promise.resolve(
        refused("Enter the reason you need to see this record now (at least 10 characters)", "reason"),
      );
    }
    return this.scope.run(async (trx) => {
      const person = await this.#personName(trx, personId);
      if (!person) return refused("This person is not known to Hearth");
      const expiresAt = new Date(Date.now() + BREAK_GLASS_HOURS * 3600_000);
      const breakGlassId = crypto.randomUUID();
      await trx
        .insertInto("break_glass")
        .values({
          partnership_id: ctx.partnershipId,
          break_glass_id: breakGlassId,
          person_id: personId,
          user_id: ctx.userId,
          agency_id: ctx.agencyId,
          reason: reason.trim(),
          expires_at: expiresAt,
        })
        .execute();
      const recipients = (await this.#whoToTell(trx, personId)).filter((id) => id !== ctx.userId);
      // Who broke glass goes in the subject (it names staff, not the child); the child and the reason
      // stay in the body, read inside Hearth. Safeguarding leads must acknowledge it.
      const who = await trx
        .selectFrom("users as u")
        .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "u.agency_id"))
        .select(["u.display_name", "a.name"])
        .where(p("u.partnership_id"), "=", currentPartnership)
        .where("u.user_id", "=", ctx.userId)
        .executeTakeFirst();
      const breaker = who ? `${who.display_name} (${who.name})` : "A user";
      await this.#notify(trx, recipients, {
        kind: "break-glass",
        personId,
        subject: `Break glass: ${breaker} opened a child's record without an involvement`,
        body: `${breaker} opened ${person}'s record without an involvement, for ${BREAK_GLASS_HOURS} hours. Reason given: ${reason.trim()}`,
        link: `/people/${personId}`,
      });
      await this.scope.audit(trx, {
        action: "break-glass",
        recordType: "person",
        recordId: personId,
        reason: reason.trim(),
        details: {
          break_glass_id: breakGlassId,
          expires_at: expiresAt.toISOString(),
          told: recipients.length,
        },
      });
      return done({ expiresAt });
    });
  }

  /** The caller's notifications, newest first. */
  listMyNotifications() {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve([]);
    return this.scope.run((trx) =>
      trx
        .selectFrom("notifications")
        .select(["notification_id", "created_at", "subject", "body", "link", "read_at"])
        .where(p("partnership_id"), "=", currentPartnership)
        .where("recipient_user_id", "=", ctx.userId)
        .orderBy("created_at", "desc")
        .limit(20)
        .execute(),
    );
  }

  /** Active practitioners and managers of an agency, to choose a lead professional from. */
  listAgencyUsers(agencyId: string) {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve([]);
    return this.scope.run((trx) =>
      trx
        .selectFrom("users")
        .select(["user_id", "display_name", "role"])
        .where(p("partnership_id"), "=", currentPartnership)
        .where("agency_id", "=", agencyId)
        .where("deactivated_at", "is", null)
        .where("role", "in", ["practitioner", "manager"])
        .orderBy("display_name")
        .execute(),
    );
  }
}
