// SPDX-License-Identifier: MIT
/**
 * Requests for support (inter-agency referrals): made by an agency involved with the child, listed for the
 * agency that made them, queued for the front door with their decision due dates, and read by the front
 * door, the referrer's agency or the agency holding the case a request led to.
 */

import { AreaRepository } from "../../data/area-repository.ts";
import { mayRecord, notArchived } from "../../data/child-access.ts";
import { type ChangeResult, done, type MethodAccess, refused } from "../../data/repository-scope.ts";
import { currentPartnership, onKey } from "../../kernel/sql.ts";
import { changeForChild, p, today } from "../pathway-records.ts";
import { ALLOCATED_WORKER_ROLES, holdsCaseFrom, runsFrontDoor } from "../social-care-access.ts";
import { decisionDue } from "../timescales.ts";
import { insertSupportRequest, type NewSupportRequest, requestRows } from "./support-requests.ts";

export class SupportRequestsRepository extends AreaRepository {
  static readonly methodAccess: Record<keyof SupportRequestsRepository, MethodAccess> = {
    submitRequest: "guarded",
    listMyRequests: "guarded",
    frontDoorQueue: "guarded",
    getRequest: "guarded",
    listSocialWorkers: "guarded",
  };
  /**
   * A request for support (inter-agency referral) about a child the caller's agency is involved with.
   * It goes to the front door's queue, received today.
   */
  submitRequest(personId: string, input: NewSupportRequest): Promise<ChangeResult<{ requestId: string }>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role))
      return Promise.resolve(refused("You cannot make a request for support"));
    if (input.consent !== "given" && !input.consentReason?.trim())
      return Promise.resolve(
        refused("Say why consent was not sought or what the family said", "consentReason"),
      );
    return changeForChild(this.scope, personId, async (trx) => {
      return done({ requestId: await insertSupportRequest(trx, this.scope, ctx, personId, input, null) });
    });
  }

  /** Requests for support made by the caller's agency, with the front door's outcome once decided. */
  listMyRequests() {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve([]);
    return this.scope.run(async (trx) => {
      const rows = await requestRows(trx)
        .where("r.referrer_agency_id", "=", ctx.agencyId)
        .orderBy("r.received_at", "desc")
        .limit(200)
        .execute();
      await this.scope.audit(trx, {
        action: "view",
        recordType: "support-request",
        recordId: "mine",
        details: { results: rows.length },
      });
      return rows;
    });
  }

  /** The front door's queue: undecided requests, oldest first, each with its decision due date. */
  frontDoorQueue() {
    const ctx = this.ctx;
    if (!ctx || !runsFrontDoor(ctx.role)) return Promise.resolve({ waiting: [], decided: [] });
    return this.scope.run(async (trx) => {
      // An archived record (closed, past retention: src/retention) leaves the queue; the auditor still
      // reads its requests on the child's record.
      const waiting = await requestRows(trx)
        .where("r.outcome", "is", null)
        .where(notArchived(p("r.person_id")))
        .orderBy("r.received_at")
        .limit(500)
        .execute();
      const decided = await requestRows(trx)
        .where("r.outcome", "is not", null)
        .where(notArchived(p("r.person_id")))
        .orderBy("r.decided_at", "desc")
        .limit(20)
        .execute();
      await this.scope.audit(trx, {
        action: "view",
        recordType: "support-request",
        recordId: "front-door-queue",
        details: { waiting: waiting.length },
      });
      const now = today();
      return {
        waiting: waiting.map((r) => ({
          ...r,
          due_on: decisionDue(r.received_on),
          overdue: decisionDue(r.received_on) < now,
        })),
        decided,
      };
    });
  }

  /**
   * One request: the front door, the agency that made it, or the agency holding the case it led to.
   * Audited as a view.
   */
  getRequest(requestId: string) {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const row = await requestRows(trx).where("r.request_id", "=", requestId).executeTakeFirst();
      if (!row) return undefined;
      const mayRead =
        runsFrontDoor(ctx.role) ||
        row.referrer_agency_id === ctx.agencyId ||
        (await holdsCaseFrom(this.scope, trx, ctx, row));
      if (!mayRead) return undefined;
      await this.scope.audit(trx, { action: "view", recordType: "support-request", recordId: requestId });
      return { ...row, due_on: decisionDue(row.received_on) };
    });
  }

  /** Children's social care workers a case can be allocated to. */
  listSocialWorkers() {
    const ctx = this.ctx;
    if (!ctx || !(runsFrontDoor(ctx.role) || ctx.role === "manager")) return Promise.resolve([]);
    return this.scope.run((trx) =>
      trx
        .selectFrom("users as u")
        .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "u.agency_id"))
        .leftJoin("teams as t", (j) => onKey(j, "t.team_id", "u.team_id"))
        .select(["u.user_id", "u.display_name", "u.email", "t.name as team_name"])
        .where(p("u.partnership_id"), "=", currentPartnership)
        .where("a.agency_type", "=", "childrens-social-care")
        .where("u.role", "in", ALLOCATED_WORKER_ROLES)
        .where("u.deactivated_at", "is", null)
        .orderBy("t.name")
        .orderBy("u.display_name")
        .execute(),
    );
  }
}
