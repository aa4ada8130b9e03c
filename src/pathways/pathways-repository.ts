// SPDX-License-Identifier: MIT
/**
 * Responding to need: levels of need, front-door requests for support, early help, children's social
 * care episodes as CIN census coded events, and drift alerts. Access follows the child-record rules
 * (../data/child-access.ts): a worker sees a child's pathway while their agency is involved; the front
 * door and safeguarding leads see every child. The front door alone rates and decides requests; only
 * children's social care records social care events. Every view and change is audited in the same
 * transaction; statuses, timescales and alerts are derived from the events, never stored.
 */
import { type RawBuilder, sql } from "kysely";
import { todayInEngland } from "../chronology/dates.ts";
import type { AccessContext } from "../data/access-context.ts";
import { childVisibleTo, mayRecord, notArchived, seesEveryChild } from "../data/child-access.ts";
import { idIn } from "../data/id-list.ts";
import {
  type ChangeResult,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
  type Trx,
} from "../data/repository-scope.ts";
import { isDifferenceParty, notifyDifferenceParties } from "../escalations/parties.ts";
import { notify } from "../notifications/notify.ts";
import type { ConsentState } from "../people/codes.ts";
import { readPathwaySettings } from "../settings/pathway-settings.ts";
import { type Alert, alertsFor, type ChildFacts } from "./alerts.ts";
import {
  type EarlyHelpEnding,
  FRONT_DOOR_OUTCOMES,
  type FrontDoorOutcome,
  type OutcomeProgress,
  type RagRating,
  REFERRAL_SOURCE_BY_AGENCY,
  type ReferralSource,
} from "./codes.ts";
import { loadEpisodesByPerson } from "./csc-event-store.ts";
import type { Episode } from "./episodes.ts";
import { ESCALATION_STAGES, type EscalationStage, escalationState } from "./escalation.ts";
import { checkNewEvent, type NewCscEvent } from "./event-rules.ts";
import { openEarlyHelp } from "./front-door/open-early-help.ts";
import { decisionDue, type IsoDate, icpcTarget } from "./working-days.ts";

/** @returns The rows in lists by key, each list in the rows' order. */
const groupBy = <T, K>(rows: readonly T[], keyOf: (row: T) => K): Map<K, T[]> => {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
};

const p = (column: string) => sql.ref(column);
const inPartnership = sql<boolean>`partnership_id = hearth_current_partnership()`;
const today = (): IsoDate => todayInEngland();

/** Roles that run the front door: rate and decide requests for support. */
export const runsFrontDoor = (role: string): boolean => role === "front-door" || role === "safeguarding-lead";

export type NeedLevel = { code: string; name: string; description: string; pathway: string };

export type NewLevelDecision = {
  suggestedLevel: string | null;
  suggestionSource: string | null;
  chosenLevel: string;
  rationale: string;
  decidedOn: IsoDate;
  approverUserId: string | null;
};

export type NewSupportRequest = {
  /** When the request was made: today for a form, earlier for one made by phone or letter. */
  receivedOn: IsoDate;
  concerns: string;
  whatTried: string;
  consent: ConsentState;
  consentReason: string | null;
  referrerLevel: string | null;
};

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

export type NewEarlyHelp = {
  startedOn: IsoDate;
  consentOn: IsoDate;
  assessmentSummary: string;
  reviewIntervalWeeks: number;
  supportRequestId: string | null;
  steppedDownFromEpisodeId: string | null;
};

export type EarlyHelpEnd = {
  endedOn: IsoDate;
  ending: EarlyHelpEnding;
  note: string;
  /** On step-up: the request for support that goes to the front door. */
  stepUp: NewSupportRequest | null;
};

/**
 * The SQL condition "the caller may read this supervision record": supervision is the supervisee's and
 * their line management's, not the child's, so opening the child is not enough. The supervisee, the
 * managers of the supervisee's agency (the staff a manager sees, as in userVisibility) and safeguarding
 * leads read it; nobody else, whatever their involvement with the child.
 * @param supervisee - References to the supervisee's user id and agency id columns.
 */
export const supervisionVisibleTo = (
  ctx: AccessContext | undefined,
  supervisee: { userId: RawBuilder<unknown>; agencyId: RawBuilder<unknown> },
): RawBuilder<boolean> => {
  if (!ctx) return sql<boolean>`false`;
  if (ctx.role === "safeguarding-lead") return sql<boolean>`true`;
  if (ctx.role === "manager")
    return sql<boolean>`(${supervisee.userId} = ${ctx.userId} or ${supervisee.agencyId} = ${ctx.agencyId})`;
  return sql<boolean>`${supervisee.userId} = ${ctx.userId}`;
};

export class PathwaysRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<Exclude<keyof PathwaysRepository, never>, MethodAccess> = {
    needLevels: "guarded",
    setNeedLevels: "guarded",
    recordLevelDecision: "guarded",
    submitRequest: "guarded",
    listMyRequests: "guarded",
    frontDoorQueue: "guarded",
    getRequest: "guarded",
    decideRequest: "guarded",
    listSocialWorkers: "guarded",
    startEarlyHelp: "guarded",
    addTeamMember: "guarded",
    addPlanOutcome: "guarded",
    addPlanAction: "guarded",
    completePlanAction: "guarded",
    recordEarlyHelpReview: "guarded",
    endEarlyHelp: "guarded",
    openReferral: "guarded",
    recordEvent: "guarded",
    childPathway: "guarded",
    myAlerts: "guarded",
    recordSupervision: "guarded",
    raiseEscalation: "guarded",
    escalate: "guarded",
    resolveEscalation: "guarded",
  };

  readonly #scope: RepositoryScope;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }

  get #ctx(): AccessContext | undefined {
    return this.#scope.context;
  }

  #canOpen(trx: Trx, personId: string): Promise<boolean> {
    return this.#scope.canOpenRecord(trx, personId, { childrenOnly: true });
  }

  async #agencyType(trx: Trx, agencyId: string) {
    // The caller's own agency is read once per request.
    if (agencyId === this.#scope.context?.agencyId) return (await this.#scope.callerAgency(trx))?.agencyType;
    const row = await trx
      .selectFrom("agencies")
      .select("agency_type")
      .where(inPartnership)
      .where("agency_id", "=", agencyId)
      .executeTakeFirst();
    return row?.agency_type;
  }

  /** Children's social care records social care events: its workers, the front door and leads. */
  async #mayRecordSocialCare(trx: Trx, ctx: AccessContext): Promise<boolean> {
    if (runsFrontDoor(ctx.role)) return true;
    if (ctx.role !== "practitioner" && ctx.role !== "manager") return false;
    return (await this.#agencyType(trx, ctx.agencyId)) === "childrens-social-care";
  }

  /** The levels with the wording of the partnership's settings (src/settings), the one source. */
  async #levels(trx: Trx): Promise<NeedLevel[]> {
    return (await readPathwaySettings(trx)).levels;
  }

  /** The partnership's levels of need, in order: its own, or the common four. */
  needLevels(): Promise<NeedLevel[]> {
    if (!this.#ctx) return Promise.resolve([]);
    return this.#scope.run((trx) => this.#levels(trx));
  }

  /** Replaces the partnership's levels of need. Safeguarding leads and administrators only. */
  setNeedLevels(levels: NeedLevel[]): Promise<ChangeResult<null>> {
    const ctx = this.#ctx;
    if (!ctx || (ctx.role !== "safeguarding-lead" && ctx.role !== "administrator"))
      return Promise.resolve(refused("Only safeguarding leads and administrators can change levels of need"));
    if (levels.length < 2 || levels.length > 8)
      return Promise.resolve(refused("A threshold document has from 2 to 8 levels", "levels"));
    if (new Set(levels.map((l) => l.code)).size !== levels.length)
      return Promise.resolve(refused("Each level needs its own code", "levels"));
    return this.#scope.run(async (trx) => {
      const before = await this.#levels(trx);
      await trx.deleteFrom("need_levels").where(inPartnership).execute();
      await trx
        .insertInto("need_levels")
        .values(
          levels.map((level, position) => ({
            partnership_id: ctx.partnershipId,
            level_code: level.code,
            position,
            name: level.name,
            description: level.description,
            pathway: level.pathway,
          })),
        )
        .execute();
      await this.#scope.audit(trx, {
        action: "change",
        recordType: "need-levels",
        recordId: ctx.partnershipId,
        details: { levels: [before.map((l) => l.code), levels.map((l) => l.code)] },
      });
      return done(null);
    });
  }

  /** Records the level of need chosen for a child, with the suggestion, rationale and approver. */
  recordLevelDecision(
    personId: string,
    input: NewLevelDecision,
  ): Promise<ChangeResult<{ decisionId: string }>> {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot record a level of need"));
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return refused("You cannot see this child's record");
      const levels = await this.#levels(trx);
      if (!levels.some((l) => l.code === input.chosenLevel))
        return refused("Select a level of need", "chosenLevel");
      if (input.approverUserId) {
        const approver = await trx
          .selectFrom("users")
          .select("user_id")
          .where(inPartnership)
          .where("user_id", "=", input.approverUserId)
          .where("role", "in", ["manager", "safeguarding-lead", "front-door"])
          .executeTakeFirst();
        if (!approver)
          return refused("The approver must be a manager, lead or front-door worker", "approverUserId");
      }
      const decisionId = crypto.randomUUID();
      await trx
        .insertInto("level_decisions")
        .values({
          partnership_id: ctx.partnershipId,
          decision_id: decisionId,
          person_id: personId,
          suggested_level: input.suggestedLevel,
          suggestion_source: input.suggestionSource,
          chosen_level: input.chosenLevel,
          rationale: input.rationale,
          decided_by: ctx.userId,
          decided_on: input.decidedOn,
          approved_by: input.approverUserId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "level-decision",
        recordId: decisionId,
        details: { person_id: personId, ...input },
      });
      return done({ decisionId });
    });
  }

  async #insertRequest(
    trx: Trx,
    ctx: AccessContext,
    personId: string,
    input: NewSupportRequest,
    fromEarlyHelpId: string | null,
  ) {
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
    await this.#scope.audit(trx, {
      action: "create",
      recordType: "support-request",
      recordId: requestId,
      details: { person_id: personId, from_early_help_id: fromEarlyHelpId, ...input },
    });
    // The front door's workers are told; a step-up reaches them the same way.
    const frontDoor = await trx
      .selectFrom("users")
      .select("user_id")
      .where(inPartnership)
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
  }

  /**
   * A request for support (inter-agency referral) about a child the caller's agency is involved with.
   * It goes to the front door's queue, received today.
   */
  submitRequest(personId: string, input: NewSupportRequest): Promise<ChangeResult<{ requestId: string }>> {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role))
      return Promise.resolve(refused("You cannot make a request for support"));
    if (input.consent !== "given" && !input.consentReason?.trim())
      return Promise.resolve(
        refused("Say why consent was not sought or what the family said", "consentReason"),
      );
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return refused("You cannot see this child's record");
      return done({ requestId: await this.#insertRequest(trx, ctx, personId, input, null) });
    });
  }

  #requests(trx: Trx) {
    return trx
      .selectFrom("support_requests as r")
      .innerJoin("people as c", (j) =>
        j.onRef("c.partnership_id", "=", "r.partnership_id").onRef("c.person_id", "=", "r.person_id"),
      )
      .innerJoin("agencies as a", (j) =>
        j
          .onRef("a.partnership_id", "=", "r.partnership_id")
          .onRef("a.agency_id", "=", "r.referrer_agency_id"),
      )
      .innerJoin("users as u", (j) =>
        j.onRef("u.partnership_id", "=", "r.partnership_id").onRef("u.user_id", "=", "r.referrer_user_id"),
      )
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
      .where(p("r.partnership_id"), "=", sql`hearth_current_partnership()`);
  }

  /** Requests for support made by the caller's agency, with the front door's outcome once decided. */
  listMyRequests() {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve([]);
    return this.#scope.run(async (trx) => {
      const rows = await this.#requests(trx)
        .where("r.referrer_agency_id", "=", ctx.agencyId)
        .orderBy("r.received_at", "desc")
        .limit(200)
        .execute();
      await this.#scope.audit(trx, {
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
    const ctx = this.#ctx;
    if (!ctx || !runsFrontDoor(ctx.role)) return Promise.resolve({ waiting: [], decided: [] });
    return this.#scope.run(async (trx) => {
      // An archived record (closed, past retention: src/retention) leaves the queue; the auditor still
      // reads its requests on the child's record.
      const waiting = await this.#requests(trx)
        .where("r.outcome", "is", null)
        .where(notArchived(p("r.person_id")))
        .orderBy("r.received_at")
        .limit(500)
        .execute();
      const decided = await this.#requests(trx)
        .where("r.outcome", "is not", null)
        .where(notArchived(p("r.person_id")))
        .orderBy("r.decided_at", "desc")
        .limit(20)
        .execute();
      await this.#scope.audit(trx, {
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
   * Whether the caller holds the case a request led to: children's social care for a request that opened
   * an episode, the lead agency for one that opened early help, and in both cases only while the caller
   * may open the child's record. So the allocated worker and her manager read the referral they act on.
   */
  async #holdsCaseFrom(
    trx: Trx,
    ctx: AccessContext,
    row: { person_id: string; episode_id: string | null; early_help_id: string | null },
  ): Promise<boolean> {
    if (!row.episode_id && !row.early_help_id) return false;
    if (!(await this.#canOpen(trx, row.person_id))) return false;
    if (row.episode_id && (await this.#agencyType(trx, ctx.agencyId)) === "childrens-social-care")
      return true;
    if (!row.early_help_id) return false;
    const lead = await trx
      .selectFrom("early_help")
      .select("lead_agency_id")
      .where(inPartnership)
      .where("early_help_id", "=", row.early_help_id)
      .executeTakeFirst();
    return lead?.lead_agency_id === ctx.agencyId;
  }

  /**
   * One request: the front door, the agency that made it, or the agency holding the case it led to.
   * Audited as a view.
   */
  getRequest(requestId: string) {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const row = await this.#requests(trx).where("r.request_id", "=", requestId).executeTakeFirst();
      if (!row) return undefined;
      const mayRead =
        runsFrontDoor(ctx.role) ||
        row.referrer_agency_id === ctx.agencyId ||
        (await this.#holdsCaseFrom(trx, ctx, row));
      if (!mayRead) return undefined;
      await this.#scope.audit(trx, { action: "view", recordType: "support-request", recordId: requestId });
      return { ...row, due_on: decisionDue(row.received_on) };
    });
  }

  /** Children's social care workers a case can be allocated to. */
  listSocialWorkers() {
    const ctx = this.#ctx;
    if (!ctx || !(runsFrontDoor(ctx.role) || ctx.role === "manager")) return Promise.resolve([]);
    return this.#scope.run((trx) =>
      trx
        .selectFrom("users as u")
        .innerJoin("agencies as a", (j) =>
          j.onRef("a.partnership_id", "=", "u.partnership_id").onRef("a.agency_id", "=", "u.agency_id"),
        )
        .leftJoin("teams as t", (j) =>
          j.onRef("t.partnership_id", "=", "u.partnership_id").onRef("t.team_id", "=", "u.team_id"),
        )
        .select(["u.user_id", "u.display_name", "u.email", "t.name as team_name"])
        .where(p("u.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("a.agency_type", "=", "childrens-social-care")
        .where("u.role", "in", ["practitioner", "manager"])
        .where("u.deactivated_at", "is", null)
        .orderBy("t.name")
        .orderBy("u.display_name")
        .execute(),
    );
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
      .where(inPartnership)
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
    await this.#scope.audit(trx, {
      action: "create",
      recordType: "involvement",
      recordId: involvementId,
      details: { person_id: personId, agency_id: agencyId, reason },
    });
  }

  async #insertEvent(
    trx: Trx,
    ctx: AccessContext,
    personId: string,
    event: NewCscEvent,
    eventId: string = crypto.randomUUID(),
  ) {
    await trx
      .insertInto("csc_events")
      .values({
        partnership_id: ctx.partnershipId,
        event_id: eventId,
        person_id: personId,
        episode_id: event.eventType === "referral" ? eventId : event.episodeId,
        subject_id: event.subjectId,
        event_type: event.eventType,
        occurred_on: event.occurredOn,
        code: event.code,
        codes: event.codes,
        count: event.count,
        child_seen: event.childSeen,
        seen_alone: event.seenAlone,
        target_on: event.eventType === "s47-start" ? icpcTarget(event.occurredOn) : null,
        worker_user_id: event.workerUserId,
        note: event.note,
        recorded_by: ctx.userId,
      })
      .execute();
    await this.#scope.audit(trx, {
      action: "create",
      recordType: "csc-event",
      recordId: eventId,
      details: { person_id: personId, ...event },
    });
    return eventId;
  }

  async #openReferral(
    trx: Trx,
    ctx: AccessContext,
    personId: string,
    input: { referralDate: IsoDate; source: ReferralSource; workerUserId: string | null },
  ) {
    const episodeId = crypto.randomUUID();
    await this.#insertEvent(
      trx,
      ctx,
      personId,
      {
        eventType: "referral",
        occurredOn: input.referralDate,
        episodeId,
        subjectId: null,
        code: input.source,
        codes: [],
        count: null,
        childSeen: null,
        seenAlone: null,
        workerUserId: input.workerUserId,
        note: null,
      },
      episodeId,
    );
    return episodeId;
  }

  /**
   * The front door's rating and decision on a request. A section 17 or 47 outcome opens a social care
   * episode (the referral, with the source code of the referrer's agency) and starts the assessment or
   * the enquiry; early help gives the early help service an involvement. The referrer is told.
   */
  decideRequest(
    requestId: string,
    decision: FrontDoorDecision,
  ): Promise<ChangeResult<{ episodeId: string | null; earlyHelpId: string | null }>> {
    const ctx = this.#ctx;
    if (!ctx || !runsFrontDoor(ctx.role))
      return Promise.resolve(refused("Only the front door decides requests"));
    if (!decision.reason.trim())
      return Promise.resolve(refused("Enter the reason for the decision", "reason"));
    if ((decision.outcome === "s17" || decision.outcome === "s47") && !decision.workerUserId)
      return Promise.resolve(refused("Select the social worker to allocate", "workerUserId"));
    if (decision.outcome === "early-help" && !decision.leadUserId)
      return Promise.resolve(refused("Select the lead professional for early help", "leadUserId"));
    return this.#scope.run(async (trx) => {
      const request = await trx
        .selectFrom("support_requests")
        .selectAll()
        .where(inPartnership)
        .where("request_id", "=", requestId)
        .forUpdate()
        .executeTakeFirst();
      if (!request) return refused("Request not found");
      if (request.outcome !== null) return refused("This request has already been decided");
      if (decision.decidedOn < request.received_on)
        return refused("The decision cannot come before the request was received", "decidedOn");
      let episodeId: string | null = null;
      if (decision.outcome === "s17" || decision.outcome === "s47") {
        const referrerType = await this.#agencyType(trx, request.referrer_agency_id);
        const source: ReferralSource = request.from_early_help_id
          ? "5D"
          : referrerType
            ? REFERRAL_SOURCE_BY_AGENCY[referrerType]
            : "10";
        const worker = await trx
          .selectFrom("users as u")
          .innerJoin("agencies as a", (j) =>
            j.onRef("a.partnership_id", "=", "u.partnership_id").onRef("a.agency_id", "=", "u.agency_id"),
          )
          .select(["u.user_id", "u.agency_id"])
          .where(p("u.partnership_id"), "=", sql`hearth_current_partnership()`)
          .where("u.user_id", "=", decision.workerUserId ?? "")
          .where("a.agency_type", "=", "childrens-social-care")
          .executeTakeFirst();
        if (!worker) return refused("Select a children's social care worker", "workerUserId");
        episodeId = await this.#openReferral(trx, ctx, request.person_id, {
          referralDate: request.received_on,
          source,
          workerUserId: worker.user_id,
        });
        const base = {
          episodeId,
          subjectId: null,
          code: null,
          codes: [],
          count: null,
          childSeen: null,
          seenAlone: null,
          workerUserId: null,
          note: null,
        };
        await this.#insertEvent(trx, ctx, request.person_id, {
          ...base,
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
        const opened = await openEarlyHelp(trx, this.#scope, ctx, {
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
        .where(inPartnership)
        .where("request_id", "=", requestId)
        .execute();
      await notify(trx, ctx.partnershipId, {
        kind: "request-decided",
        recipients: [request.referrer_user_id],
        subject: "The front door has decided your request for support",
        // The outcome only: the reasons stay behind the link, which applies the access rule.
        body: `Outcome: ${FRONT_DOOR_OUTCOMES[decision.outcome]}.`,
        link: `/pathways/requests/${requestId}`,
        personId: request.person_id,
        actorUserId: ctx.userId,
      });
      if (episodeId)
        await notify(trx, ctx.partnershipId, {
          kind: "case-allocated",
          recipients: [decision.workerUserId],
          subject: "A case has been allocated to you",
          body: `The front door decided: ${FRONT_DOOR_OUTCOMES[decision.outcome]}.`,
          link: `/pathways/requests/${requestId}`,
          personId: request.person_id,
          actorUserId: ctx.userId,
        });
      let levelDecisionId: string | null = null;
      if (decision.chosenLevel) {
        const levels = await this.#levels(trx);
        if (!levels.some((l) => l.code === decision.chosenLevel))
          return refused("Select a level of need from the list", "chosenLevel");
        levelDecisionId = crypto.randomUUID();
        await trx
          .insertInto("level_decisions")
          .values({
            partnership_id: ctx.partnershipId,
            decision_id: levelDecisionId,
            person_id: request.person_id,
            suggested_level: request.referrer_level,
            suggestion_source: request.referrer_level ? "The referrer" : null,
            chosen_level: decision.chosenLevel,
            rationale: decision.reason,
            decided_by: ctx.userId,
            decided_on: decision.decidedOn,
            approved_by: null,
          })
          .execute();
      }
      await this.#scope.audit(trx, {
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

  /** Starts early help for a child: the early help assessment done with consent; the caller leads. */
  startEarlyHelp(personId: string, input: NewEarlyHelp): Promise<ChangeResult<{ earlyHelpId: string }>> {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot start early help"));
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return refused("You cannot see this child's record");
      const open = await trx
        .selectFrom("early_help")
        .select("early_help_id")
        .where(inPartnership)
        .where("person_id", "=", personId)
        .where("ended_on", "is", null)
        .executeTakeFirst();
      if (open) return refused("This child already has early help open");
      if (input.consentOn > input.startedOn)
        return refused("Consent comes before the early help assessment starts", "consentOn");
      const earlyHelpId = crypto.randomUUID();
      await trx
        .insertInto("early_help")
        .values({
          partnership_id: ctx.partnershipId,
          early_help_id: earlyHelpId,
          person_id: personId,
          started_on: input.startedOn,
          consent_on: input.consentOn,
          assessment_summary: input.assessmentSummary,
          lead_user_id: ctx.userId,
          lead_agency_id: ctx.agencyId,
          review_interval_weeks: input.reviewIntervalWeeks,
          support_request_id: input.supportRequestId,
          stepped_down_from_episode_id: input.steppedDownFromEpisodeId,
          created_by: ctx.userId,
        })
        .execute();
      const lead = await trx
        .selectFrom("users")
        .select("display_name")
        .where(inPartnership)
        .where("user_id", "=", ctx.userId)
        .executeTakeFirst();
      await trx
        .insertInto("early_help_members")
        .values({
          partnership_id: ctx.partnershipId,
          member_id: crypto.randomUUID(),
          early_help_id: earlyHelpId,
          agency_id: ctx.agencyId,
          name: lead?.display_name ?? "Lead professional",
          member_role: "Lead professional",
          joined_on: input.startedOn,
        })
        .execute();
      if (input.supportRequestId) {
        await trx
          .updateTable("support_requests")
          .set({ early_help_id: earlyHelpId })
          .where(inPartnership)
          .where("request_id", "=", input.supportRequestId)
          .where("person_id", "=", personId)
          .execute();
      }
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "early-help",
        recordId: earlyHelpId,
        details: { person_id: personId, ...input },
      });
      return done({ earlyHelpId });
    });
  }

  /** Loads open early help the caller may change, or a refusal. */
  async #earlyHelpToChange(trx: Trx, earlyHelpId: string) {
    const row = await trx
      .selectFrom("early_help")
      .select(["person_id", "started_on", "ended_on"])
      .where(inPartnership)
      .where("early_help_id", "=", earlyHelpId)
      .executeTakeFirst();
    if (!row || !(await this.#canOpen(trx, row.person_id))) return undefined;
    return row;
  }

  #earlyHelpChange<T>(
    earlyHelpId: string,
    work: (
      trx: Trx,
      ctx: AccessContext,
      eh: { person_id: string; started_on: string },
    ) => Promise<ChangeResult<T>>,
  ): Promise<ChangeResult<T>> {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot change early help"));
    return this.#scope.run(async (trx) => {
      const eh = await this.#earlyHelpToChange(trx, earlyHelpId);
      if (!eh) return refused("Early help not found");
      if (eh.ended_on !== null) return refused("This early help has ended; its history is kept as it was");
      return work(trx, ctx, eh);
    });
  }

  /** Adds a member of the team around the family. */
  addTeamMember(
    earlyHelpId: string,
    input: { name: string; memberRole: string; agencyId: string | null; joinedOn: IsoDate },
  ): Promise<ChangeResult<{ memberId: string }>> {
    return this.#earlyHelpChange(earlyHelpId, async (trx, ctx) => {
      const memberId = crypto.randomUUID();
      await trx
        .insertInto("early_help_members")
        .values({
          partnership_id: ctx.partnershipId,
          member_id: memberId,
          early_help_id: earlyHelpId,
          agency_id: input.agencyId,
          name: input.name,
          member_role: input.memberRole,
          joined_on: input.joinedOn,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "early-help-member",
        recordId: memberId,
        details: { early_help_id: earlyHelpId, ...input },
      });
      return done({ memberId });
    });
  }

  /** Adds an outcome to the early help plan. */
  addPlanOutcome(earlyHelpId: string, description: string): Promise<ChangeResult<{ outcomeId: string }>> {
    if (!description.trim()) return Promise.resolve(refused("Enter the outcome", "description"));
    return this.#earlyHelpChange(earlyHelpId, async (trx, ctx) => {
      const outcomeId = crypto.randomUUID();
      await trx
        .insertInto("early_help_outcomes")
        .values({
          partnership_id: ctx.partnershipId,
          outcome_id: outcomeId,
          early_help_id: earlyHelpId,
          description,
          added_on: today(),
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "early-help-outcome",
        recordId: outcomeId,
        details: { early_help_id: earlyHelpId, description },
      });
      return done({ outcomeId });
    });
  }

  /** Adds an action to the plan, with its owner and due date. */
  addPlanAction(
    earlyHelpId: string,
    input: { outcomeId: string | null; description: string; owner: string; dueOn: IsoDate },
  ): Promise<ChangeResult<{ actionId: string }>> {
    return this.#earlyHelpChange(earlyHelpId, async (trx, ctx) => {
      if (input.outcomeId) {
        const outcome = await trx
          .selectFrom("early_help_outcomes")
          .select("outcome_id")
          .where(inPartnership)
          .where("outcome_id", "=", input.outcomeId)
          .where("early_help_id", "=", earlyHelpId)
          .executeTakeFirst();
        if (!outcome) return refused("Select an outcome of this plan", "outcomeId");
      }
      const actionId = crypto.randomUUID();
      await trx
        .insertInto("early_help_actions")
        .values({
          partnership_id: ctx.partnershipId,
          action_id: actionId,
          early_help_id: earlyHelpId,
          outcome_id: input.outcomeId,
          description: input.description,
          owner: input.owner,
          due_on: input.dueOn,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "early-help-action",
        recordId: actionId,
        details: { early_help_id: earlyHelpId, ...input },
      });
      return done({ actionId });
    });
  }

  /** Marks a plan action done. */
  completePlanAction(earlyHelpId: string, actionId: string, doneOn: IsoDate): Promise<ChangeResult<null>> {
    return this.#earlyHelpChange(earlyHelpId, async (trx) => {
      const result = await trx
        .updateTable("early_help_actions")
        .set({ done_on: doneOn })
        .where(inPartnership)
        .where("action_id", "=", actionId)
        .where("early_help_id", "=", earlyHelpId)
        .where("done_on", "is", null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return refused("Action not found or already done");
      await this.#scope.audit(trx, {
        action: "complete",
        recordType: "early-help-action",
        recordId: actionId,
        details: { done_on: [null, doneOn] },
      });
      return done(null);
    });
  }

  /** Records a review of the early help plan with progress against each outcome. */
  recordEarlyHelpReview(
    earlyHelpId: string,
    input: { heldOn: IsoDate; progress: Record<string, OutcomeProgress>; notes: string },
  ): Promise<ChangeResult<{ reviewId: string }>> {
    return this.#earlyHelpChange(earlyHelpId, async (trx, ctx, eh) => {
      if (input.heldOn < eh.started_on)
        return refused("A review cannot come before early help started", "heldOn");
      const outcomes = await trx
        .selectFrom("early_help_outcomes")
        .select("outcome_id")
        .where(inPartnership)
        .where("early_help_id", "=", earlyHelpId)
        .execute();
      const missing = outcomes.find((o) => !input.progress[o.outcome_id]);
      if (missing) return refused("Record progress against every outcome", `progress-${missing.outcome_id}`);
      const reviewId = crypto.randomUUID();
      await trx
        .insertInto("early_help_reviews")
        .values({
          partnership_id: ctx.partnershipId,
          review_id: reviewId,
          early_help_id: earlyHelpId,
          held_on: input.heldOn,
          progress: JSON.stringify(input.progress),
          notes: input.notes,
          recorded_by: ctx.userId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "early-help-review",
        recordId: reviewId,
        details: { early_help_id: earlyHelpId, ...input },
      });
      return done({ reviewId });
    });
  }

  /**
   * Ends early help. Stepping up sends a request for support to the front door, linked to this early
   * help; the early help record, its plan and reviews are kept as they were.
   */
  endEarlyHelp(
    earlyHelpId: string,
    input: EarlyHelpEnd,
  ): Promise<ChangeResult<{ requestId: string | null }>> {
    if (input.ending === "step-up" && !input.stepUp)
      return Promise.resolve(refused("Say what the concerns are for the front door", "concerns"));
    return this.#earlyHelpChange(earlyHelpId, async (trx, ctx, eh) => {
      if (input.endedOn < eh.started_on) return refused("Early help cannot end before it started", "endedOn");
      await trx
        .updateTable("early_help")
        .set({ ended_on: input.endedOn, ending: input.ending, ending_note: input.note })
        .where(inPartnership)
        .where("early_help_id", "=", earlyHelpId)
        .execute();
      await this.#scope.audit(trx, {
        action: "end",
        recordType: "early-help",
        recordId: earlyHelpId,
        details: { ended_on: [null, input.endedOn], ending: [null, input.ending], note: input.note },
      });
      const requestId =
        input.ending === "step-up" && input.stepUp
          ? await this.#insertRequest(trx, ctx, eh.person_id, input.stepUp, earlyHelpId)
          : null;
      return done({ requestId });
    });
  }

  /** Opens a social care episode directly (a referral received by children's social care). */
  openReferral(
    personId: string,
    input: { referralDate: IsoDate; source: ReferralSource; workerUserId: string | null },
  ): Promise<ChangeResult<{ episodeId: string }>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(refused("You cannot record social care events"));
    return this.#scope.run(async (trx) => {
      if (!(await this.#mayRecordSocialCare(trx, ctx)))
        return refused("Only children's social care records referrals");
      if (!(await this.#canOpen(trx, personId))) return refused("You cannot see this child's record");
      if (input.referralDate > today())
        return refused("The referral date must be today or in the past", "referralDate");
      return done({ episodeId: await this.#openReferral(trx, ctx, personId, input) });
    });
  }

  #episodes(trx: Trx, personIds: readonly string[]): Promise<Map<string, Episode[]>> {
    return loadEpisodesByPerson(trx, personIds);
  }

  /**
   * Records one coded social care event in a child's episode, after checking it fits the history
   * (./event-rules.ts). Children's social care, the front door and safeguarding leads only.
   */
  recordEvent(personId: string, event: NewCscEvent): Promise<ChangeResult<{ eventId: string }>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(refused("You cannot record social care events"));
    return this.#scope.run(async (trx) => {
      if (!(await this.#mayRecordSocialCare(trx, ctx)))
        return refused("Only children's social care records these events");
      if (!(await this.#canOpen(trx, personId))) return refused("You cannot see this child's record");
      const episodes = (await this.#episodes(trx, [personId])).get(personId) ?? [];
      const check = checkNewEvent(episodes, event, today());
      if (!check.ok) return refused(check.message, check.field);
      return done({ eventId: await this.#insertEvent(trx, ctx, personId, event) });
    });
  }

  async #facts(trx: Trx, personIds: readonly string[]): Promise<Map<string, ChildFacts>> {
    const facts = new Map<string, ChildFacts>();
    if (personIds.length === 0) return facts;
    const episodes = await this.#episodes(trx, personIds);
    const requests = await trx
      .selectFrom("support_requests")
      .select(["request_id", "person_id", "received_on", "decided_on"])
      .where(inPartnership)
      .where(idIn("person_id", personIds))
      .execute();
    const earlyHelp = await trx
      .selectFrom("early_help")
      .select([
        "early_help_id",
        "person_id",
        "started_on",
        "ended_on",
        "lead_user_id",
        "review_interval_weeks",
      ])
      .where(inPartnership)
      .where(idIn("person_id", personIds))
      .execute();
    const ehIds = earlyHelp.map((h) => h.early_help_id);
    const reviews = ehIds.length
      ? await trx
          .selectFrom("early_help_reviews")
          .select(["early_help_id", "held_on"])
          .where(inPartnership)
          .where(idIn("early_help_id", ehIds))
          .execute()
      : [];
    const actions = ehIds.length
      ? await trx
          .selectFrom("early_help_actions")
          .select(["early_help_id", "action_id", "description", "owner", "due_on", "done_on"])
          .where(inPartnership)
          .where(idIn("early_help_id", ehIds))
          .execute()
      : [];
    const notBrought = await trx
      .selectFrom("chronology_events as e")
      .select(["e.event_id", "e.person_id", "e.occurred_on", "e.event_type"])
      .where(p("e.partnership_id"), "=", sql`hearth_current_partnership()`)
      .where(idIn("e.person_id", personIds))
      .where("e.event_type", "in", ["not-brought-health", "not-brought-dental"])
      .where(
        sql<boolean>`not exists (select 1 from chronology_retractions r where r.partnership_id = e.partnership_id and r.event_id = e.event_id)`,
      )
      .where(
        sql<boolean>`not exists (select 1 from chronology_events s where s.partnership_id = e.partnership_id and s.supersedes_event_id = e.event_id)`,
      )
      .execute();
    const assessments = await trx
      .selectFrom("assessments")
      .select([
        "person_id",
        "assessed_on",
        sql<boolean>`(child_voice is not null and child_voice::text not in ('null', '{}', '[]', '""'))`.as(
          "voiced",
        ),
      ])
      .where(inPartnership)
      .where(idIn("person_id", personIds))
      .where("status", "in", ["submitted", "signed-off"])
      .execute();
    const escalations = await trx
      .selectFrom("escalations")
      .select(["escalation_id", "person_id", "raised_by", "resolved_on"])
      .where(inPartnership)
      .where(idIn("person_id", personIds))
      .execute();
    const steps = escalations.length
      ? await trx
          .selectFrom("escalation_steps")
          .select(["escalation_id", "stage", "started_on"])
          .where(inPartnership)
          .where(
            idIn(
              "escalation_id",
              escalations.map((x) => x.escalation_id),
            ),
          )
          .execute()
      : [];
    // Grouped once, so building each child's facts is a look-up rather than a scan of every row (a
    // manager's or safeguarding lead's thousands of children made that children x rows).
    const escalationsOf = groupBy(escalations, (x) => x.person_id);
    const stepsOf = groupBy(steps, (step) => step.escalation_id);
    const requestsOf = groupBy(requests, (r) => r.person_id);
    const earlyHelpOf = groupBy(earlyHelp, (h) => h.person_id);
    const reviewsOf = groupBy(reviews, (r) => r.early_help_id);
    const actionsOf = groupBy(actions, (a) => a.early_help_id);
    const notBroughtOf = groupBy(notBrought, (n) => n.person_id);
    const assessmentsOf = groupBy(assessments, (a) => a.person_id);
    for (const personId of personIds) {
      facts.set(personId, {
        escalations: (escalationsOf.get(personId) ?? []).map((x) => ({
          escalationId: x.escalation_id,
          raisedBy: x.raised_by,
          resolvedOn: x.resolved_on,
          steps: (stepsOf.get(x.escalation_id) ?? []).map((step) => ({
            stage: step.stage,
            startedOn: step.started_on,
          })),
        })),
        personId,
        episodes: episodes.get(personId) ?? [],
        requests: (requestsOf.get(personId) ?? []).map((r) => ({
          requestId: r.request_id,
          receivedOn: r.received_on,
          decidedOn: r.decided_on,
        })),
        earlyHelp: (earlyHelpOf.get(personId) ?? []).map((h) => ({
          earlyHelpId: h.early_help_id,
          startedOn: h.started_on,
          endedOn: h.ended_on,
          leadUserId: h.lead_user_id,
          reviewIntervalWeeks: h.review_interval_weeks,
          reviews: (reviewsOf.get(h.early_help_id) ?? []).map((r) => r.held_on),
          actions: (actionsOf.get(h.early_help_id) ?? []).map((a) => ({
            actionId: a.action_id,
            text: a.description,
            ownerName: a.owner,
            dueOn: a.due_on,
            doneOn: a.done_on,
          })),
        })),
        notBrought: (notBroughtOf.get(personId) ?? []).map((n) => ({
          eventId: n.event_id,
          occurredOn: n.occurred_on,
          eventType: n.event_type,
        })),
        neglectAssessments: (assessmentsOf.get(personId) ?? []).map((a) => ({
          completedOn: a.assessed_on,
          childVoiceRecorded: a.voiced,
        })),
      });
    }
    return facts;
  }

  /**
   * A child's whole pathway: levels of need and decisions, requests for support, early help with its
   * team, plan and reviews, social care episodes derived from events, and the child's alerts.
   */
  childPathway(personId: string) {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return undefined;
      const child = await trx
        .selectFrom("people")
        .select(["person_id", "given_names", "family_name", "date_of_birth"])
        .where(inPartnership)
        .where("person_id", "=", personId)
        .executeTakeFirstOrThrow();
      const { levels, timescales } = await readPathwaySettings(trx);
      const decisions = await trx
        .selectFrom("level_decisions as d")
        .innerJoin("users as u", (j) =>
          j.onRef("u.partnership_id", "=", "d.partnership_id").onRef("u.user_id", "=", "d.decided_by"),
        )
        .leftJoin("users as a", (j) =>
          j.onRef("a.partnership_id", "=", "d.partnership_id").onRef("a.user_id", "=", "d.approved_by"),
        )
        .select([
          "d.decision_id",
          "d.suggested_level",
          "d.suggestion_source",
          "d.chosen_level",
          "d.rationale",
          "d.decided_on",
          "u.display_name as decided_by_name",
          "a.display_name as approved_by_name",
        ])
        .where(p("d.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("d.person_id", "=", personId)
        .orderBy("d.decided_on", "desc")
        .execute();
      const requests = await this.#requests(trx)
        .where("r.person_id", "=", personId)
        .orderBy("r.received_at", "desc")
        .execute();
      const earlyHelpRows = await trx
        .selectFrom("early_help as h")
        .leftJoin("users as u", (j) =>
          j.onRef("u.partnership_id", "=", "h.partnership_id").onRef("u.user_id", "=", "h.lead_user_id"),
        )
        .innerJoin("agencies as a", (j) =>
          j.onRef("a.partnership_id", "=", "h.partnership_id").onRef("a.agency_id", "=", "h.lead_agency_id"),
        )
        .selectAll("h")
        .select(["u.display_name as lead_name", "a.name as lead_agency_name"])
        .where(p("h.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("h.person_id", "=", personId)
        .orderBy("h.started_on", "desc")
        .execute();
      const ehIds = earlyHelpRows.map((h) => h.early_help_id);
      const none = ["00000000-0000-0000-0000-000000000000"];
      const ids = ehIds.length ? ehIds : none;
      const members = await trx
        .selectFrom("early_help_members")
        .selectAll()
        .where(inPartnership)
        .where("early_help_id", "in", ids)
        .orderBy("joined_on")
        .execute();
      const outcomes = await trx
        .selectFrom("early_help_outcomes")
        .selectAll()
        .where(inPartnership)
        .where("early_help_id", "in", ids)
        .orderBy("added_on")
        .execute();
      const actions = await trx
        .selectFrom("early_help_actions")
        .selectAll()
        .where(inPartnership)
        .where("early_help_id", "in", ids)
        .orderBy("due_on")
        .execute();
      const reviews = await trx
        .selectFrom("early_help_reviews")
        .selectAll()
        .where(inPartnership)
        .where("early_help_id", "in", ids)
        .orderBy("held_on")
        .execute();
      const earlyHelp = earlyHelpRows.map((h) => ({
        ...h,
        members: members.filter((m) => m.early_help_id === h.early_help_id),
        outcomes: outcomes.filter((o) => o.early_help_id === h.early_help_id),
        actions: actions.filter((a) => a.early_help_id === h.early_help_id),
        reviews: reviews.filter((r) => r.early_help_id === h.early_help_id),
      }));
      const facts = (await this.#facts(trx, [personId])).get(personId);
      const episodes = facts?.episodes ?? [];
      const workerIds = [...new Set(episodes.map((e) => e.workerUserId).filter((id) => id !== null))];
      const workers = workerIds.length
        ? await trx
            .selectFrom("users")
            .select(["user_id", "display_name"])
            .where(inPartnership)
            .where("user_id", "in", workerIds)
            .execute()
        : [];
      const supervision = await trx
        .selectFrom("supervision_records as s")
        .innerJoin("users as sup", (j) =>
          j
            .onRef("sup.partnership_id", "=", "s.partnership_id")
            .onRef("sup.user_id", "=", "s.supervisor_user_id"),
        )
        .innerJoin("users as sub", (j) =>
          j
            .onRef("sub.partnership_id", "=", "s.partnership_id")
            .onRef("sub.user_id", "=", "s.supervisee_user_id"),
        )
        .selectAll("s")
        .select(["sup.display_name as supervisor_name", "sub.display_name as supervisee_name"])
        .where(p("s.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("s.person_id", "=", personId)
        .where(supervisionVisibleTo(ctx, { userId: p("sub.user_id"), agencyId: p("sub.agency_id") }))
        .orderBy("s.held_on", "desc")
        .execute();
      const escalationRows = await trx
        .selectFrom("escalations as x")
        .innerJoin("users as u", (j) =>
          j.onRef("u.partnership_id", "=", "x.partnership_id").onRef("u.user_id", "=", "x.raised_by"),
        )
        .selectAll("x")
        .select("u.display_name as raised_by_name")
        .where(p("x.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("x.person_id", "=", personId)
        .orderBy("x.raised_on", "desc")
        .execute();
      const escalationSteps = escalationRows.length
        ? await trx
            .selectFrom("escalation_steps as st")
            .innerJoin("users as u", (j) =>
              j.onRef("u.partnership_id", "=", "st.partnership_id").onRef("u.user_id", "=", "st.recorded_by"),
            )
            .selectAll("st")
            .select("u.display_name as recorded_by_name")
            .where(p("st.partnership_id"), "=", sql`hearth_current_partnership()`)
            .where(
              "st.escalation_id",
              "in",
              escalationRows.map((x) => x.escalation_id),
            )
            .orderBy("st.started_on")
            .execute()
        : [];
      const escalations = escalationRows.map((x) => {
        const own = escalationSteps.filter((st) => st.escalation_id === x.escalation_id);
        return {
          ...x,
          steps: own,
          state: escalationState(
            own.map((st) => ({ stage: st.stage, startedOn: st.started_on })),
            x.resolved_on,
            today(),
            timescales.escalationWorkingDays,
          ),
        };
      });
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "pathway" },
      });
      return {
        child,
        levels,
        decisions,
        requests,
        earlyHelp,
        episodes,
        workerNames: Object.fromEntries(workers.map((w) => [w.user_id, w.display_name])),
        supervision,
        escalations,
        alerts: facts ? alertsFor(facts, today(), timescales) : [],
        mayRecordSocialCare: await this.#mayRecordSocialCare(trx, ctx),
      };
    });
  }

  /**
   * A supervision record about a child: the supervisor (the caller, a manager or lead) with the
   * supervisee, the reflection, decisions and actions.
   */
  recordSupervision(
    personId: string,
    input: {
      heldOn: IsoDate;
      superviseeUserId: string;
      reflection: string;
      decisions: string;
      actions: string;
    },
  ): Promise<ChangeResult<{ supervisionId: string }>> {
    const ctx = this.#ctx;
    if (!ctx || (ctx.role !== "manager" && ctx.role !== "safeguarding-lead"))
      return Promise.resolve(refused("Only managers and safeguarding leads record supervision"));
    if (input.heldOn > today())
      return Promise.resolve(refused("The date must be today or in the past", "heldOn"));
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return refused("You cannot see this child's record");
      // A manager supervises their own agency's staff, so what they record stays readable to them.
      const supervisee = await trx
        .selectFrom("users")
        .select("user_id")
        .where(inPartnership)
        .where("user_id", "=", input.superviseeUserId)
        .where("deactivated_at", "is", null)
        .where((eb) => (ctx.role === "manager" ? eb("agency_id", "=", ctx.agencyId) : eb.val(true)))
        .executeTakeFirst();
      if (!supervisee) return refused("Select the worker supervised", "superviseeUserId");
      const supervisionId = crypto.randomUUID();
      await trx
        .insertInto("supervision_records")
        .values({
          partnership_id: ctx.partnershipId,
          supervision_id: supervisionId,
          person_id: personId,
          held_on: input.heldOn,
          supervisor_user_id: ctx.userId,
          supervisee_user_id: input.superviseeUserId,
          reflection: input.reflection,
          decisions: input.decisions,
          actions: input.actions,
          recorded_by: ctx.userId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "supervision",
        recordId: supervisionId,
        details: { person_id: personId, ...input },
      });
      return done({ supervisionId });
    });
  }

  /** Raises a professional difference about a child's plan; it starts at the practitioner stage. */
  raiseEscalation(
    personId: string,
    input: {
      raisedOn: IsoDate;
      disagreement: string;
      aboutAgencyId?: string | null;
      aboutRequestId?: string | null;
    },
  ): Promise<ChangeResult<{ escalationId: string }>> {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role))
      return Promise.resolve(refused("You cannot raise a professional difference"));
    if (!input.disagreement.trim())
      return Promise.resolve(refused("Describe the disagreement", "disagreement"));
    if (input.raisedOn > today())
      return Promise.resolve(refused("The date must be today or in the past", "raisedOn"));
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return refused("You cannot see this child's record");
      // What it is about: a front-door decision on this child (the decider's agency is the one it is
      // about), or an agency; the parties who are told and may open it follow from this.
      let aboutAgencyId = input.aboutAgencyId ?? null;
      const aboutRequestId = input.aboutRequestId ?? null;
      if (aboutRequestId) {
        const decided = await trx
          .selectFrom("support_requests as r")
          .innerJoin("users as d", (j) =>
            j.onRef("d.partnership_id", "=", "r.partnership_id").onRef("d.user_id", "=", "r.decided_by"),
          )
          .select("d.agency_id")
          .where(p("r.partnership_id"), "=", sql`hearth_current_partnership()`)
          .where("r.request_id", "=", aboutRequestId)
          .where("r.person_id", "=", personId)
          .executeTakeFirst();
        if (!decided) return refused("Select a decision made about this child", "about");
        aboutAgencyId = decided.agency_id;
      } else if (aboutAgencyId) {
        const agency = await trx
          .selectFrom("agencies")
          .select("agency_id")
          .where(inPartnership)
          .where("agency_id", "=", aboutAgencyId)
          .executeTakeFirst();
        if (!agency) return refused("Select the agency the difference is about", "about");
      }
      const escalationId = crypto.randomUUID();
      await trx
        .insertInto("escalations")
        .values({
          partnership_id: ctx.partnershipId,
          escalation_id: escalationId,
          person_id: personId,
          raised_by: ctx.userId,
          raised_by_agency_id: ctx.agencyId,
          raised_on: input.raisedOn,
          disagreement: input.disagreement,
          about_agency_id: aboutAgencyId,
          about_request_id: aboutRequestId,
        })
        .execute();
      await trx
        .insertInto("escalation_steps")
        .values({
          partnership_id: ctx.partnershipId,
          step_id: crypto.randomUUID(),
          escalation_id: escalationId,
          stage: "practitioner",
          started_on: input.raisedOn,
          note: input.disagreement,
          recorded_by: ctx.userId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "escalation",
        recordId: escalationId,
        details: { person_id: personId, ...input },
      });
      await notifyDifferenceParties(
        trx,
        ctx,
        escalationId,
        "difference-raised",
        `A professional difference was raised at the practitioner stage: ${input.disagreement}`,
      );
      return done({ escalationId });
    });
  }

  async #openEscalation(trx: Trx, escalationId: string) {
    const row = await trx
      .selectFrom("escalations")
      .select(["person_id", "resolved_on", "raised_on"])
      .where(inPartnership)
      .where("escalation_id", "=", escalationId)
      .executeTakeFirst();
    // Parties (the agency it is about, managers of both) act on it even without the child's record open.
    if (
      !row ||
      !((await this.#canOpen(trx, row.person_id)) || (await isDifferenceParty(trx, this.#ctx, escalationId)))
    )
      return undefined;
    const steps = await trx
      .selectFrom("escalation_steps")
      .select(["stage", "started_on"])
      .where(inPartnership)
      .where("escalation_id", "=", escalationId)
      .execute();
    return {
      ...row,
      state: escalationState(
        steps.map((st) => ({ stage: st.stage, startedOn: st.started_on })),
        row.resolved_on,
        today(),
        (await readPathwaySettings(trx)).timescales.escalationWorkingDays,
      ),
    };
  }

  /** Moves a professional difference to the next stage, with why it was not resolved at this one. */
  escalate(
    escalationId: string,
    input: { on: IsoDate; note: string },
  ): Promise<ChangeResult<{ stage: EscalationStage }>> {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role))
      return Promise.resolve(refused("You cannot escalate a professional difference"));
    if (!input.note.trim())
      return Promise.resolve(refused("Say why it was not resolved at this stage", "note"));
    return this.#scope.run(async (trx) => {
      const open = await this.#openEscalation(trx, escalationId);
      if (!open?.state) return refused("Professional difference not found");
      if (open.resolved_on !== null) return refused("This professional difference has been resolved");
      const next = open.state.next;
      if (!next) return refused("This is already at the last stage: record the partnership's resolution");
      if (input.on < open.state.stageStartedOn || input.on > today())
        return refused("The date must be between the stage's start and today", "on");
      await trx
        .insertInto("escalation_steps")
        .values({
          partnership_id: ctx.partnershipId,
          step_id: crypto.randomUUID(),
          escalation_id: escalationId,
          stage: next,
          started_on: input.on,
          note: input.note,
          recorded_by: ctx.userId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "escalate",
        recordType: "escalation",
        recordId: escalationId,
        details: { stage: [open.state.stage, next], note: input.note, on: input.on },
      });
      await notifyDifferenceParties(
        trx,
        ctx,
        escalationId,
        "difference-escalated",
        `Moved to the stage "${ESCALATION_STAGES[next]}": ${input.note}`,
      );
      return done({ stage: next });
    });
  }

  /** Records how a professional difference was resolved; the outcome and every stage are kept. */
  resolveEscalation(
    escalationId: string,
    input: { on: IsoDate; outcome: string },
  ): Promise<ChangeResult<null>> {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role))
      return Promise.resolve(refused("You cannot resolve a professional difference"));
    if (!input.outcome.trim()) return Promise.resolve(refused("Record the outcome", "outcome"));
    return this.#scope.run(async (trx) => {
      const open = await this.#openEscalation(trx, escalationId);
      if (!open) return refused("Professional difference not found");
      if (open.resolved_on !== null) return refused("This professional difference has already been resolved");
      if (input.on < open.raised_on || input.on > today())
        return refused("The date must be between when it was raised and today", "on");
      await trx
        .updateTable("escalations")
        .set({ resolved_on: input.on, outcome: input.outcome })
        .where(inPartnership)
        .where("escalation_id", "=", escalationId)
        .execute();
      await this.#scope.audit(trx, {
        action: "resolve",
        recordType: "escalation",
        recordId: escalationId,
        details: {
          resolved_on: [null, input.on],
          outcome: [null, input.outcome],
          stage: open.state ? ESCALATION_STAGES[open.state.stage] : null,
        },
      });
      await notifyDifferenceParties(
        trx,
        ctx,
        escalationId,
        "difference-resolved",
        `Outcome: ${input.outcome}`,
      );
      return done(null);
    });
  }

  /**
   * The caller's drift and oversight alerts: a practitioner's own cases, a manager's team's, the front
   * door's overdue decisions, and everything for safeguarding leads. Only children the caller may see.
   */
  myAlerts(): Promise<(Alert & { childName: string; ownerName: string | null })[]> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve([]);
    const role = ctx.role;
    if (role !== "practitioner" && role !== "manager" && !seesEveryChild(role)) return Promise.resolve([]);
    if (role === "auditor") return Promise.resolve([]);
    return this.#scope.run(async (trx) => {
      let owners: string[] | null = null;
      if (role === "practitioner") owners = [ctx.userId];
      if (role === "manager") {
        const team = ctx.teamId
          ? await trx
              .selectFrom("users")
              .select("user_id")
              .where(inPartnership)
              .where("team_id", "=", ctx.teamId)
              .execute()
          : [];
        owners = [ctx.userId, ...team.map((u) => u.user_id)];
      }
      const candidates = await trx
        .selectFrom("people")
        .select("people.person_id")
        .where(p("people.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where(childVisibleTo(ctx, p("people.person_id")))
        // An archived record (closed, past retention: src/retention) raises no alerts.
        .where(notArchived(p("people.person_id")))
        .where((eb) => {
          // Driven from the owners' (few) cases through their indexes, not from every person in the
          // partnership with three probes each (20 ms at 10,000 children before the access check).
          const workedBy = owners
            ? sql<boolean>`people.person_id in (
                select e.person_id from csc_events e where e.partnership_id = hearth_current_partnership()
                  and e.worker_user_id in (${sql.join(owners)})
                union select h.person_id from early_help h where h.partnership_id = hearth_current_partnership()
                  and h.ended_on is null and h.lead_user_id in (${sql.join(owners)})
                union select x.person_id from escalations x where x.partnership_id = hearth_current_partnership()
                  and x.resolved_on is null and x.raised_by in (${sql.join(owners)}))`
            : role === "front-door"
              ? sql<boolean>`exists (select 1 from support_requests r where r.partnership_id = people.partnership_id
                  and r.person_id = people.person_id and r.outcome is null)`
              : sql<boolean>`(exists (select 1 from csc_events e where e.partnership_id = people.partnership_id
                  and e.person_id = people.person_id)
                or exists (select 1 from early_help h where h.partnership_id = people.partnership_id
                  and h.person_id = people.person_id and h.ended_on is null)
                or exists (select 1 from support_requests r where r.partnership_id = people.partnership_id
                  and r.person_id = people.person_id and r.outcome is null)
                or exists (select 1 from escalations x where x.partnership_id = people.partnership_id
                  and x.person_id = people.person_id and x.resolved_on is null))`;
          return eb.and([workedBy]);
        })
        .limit(5000)
        .execute();
      const ids = candidates.map((c) => c.person_id);
      const facts = await this.#facts(trx, ids);
      const now = today();
      const { timescales } = await readPathwaySettings(trx);
      const alerts = [...facts.values()]
        .flatMap((f) => alertsFor(f, now, timescales))
        .filter((a) => {
          if (role === "front-door") return a.type === "decision-overdue";
          if (owners) return a.ownerUserId !== null && owners.includes(a.ownerUserId);
          return true;
        });
      const names = ids.length
        ? await trx
            .selectFrom("people")
            .select(["person_id", "given_names", "family_name"])
            .where(inPartnership)
            .where(idIn("person_id", ids))
            .execute()
        : [];
      const ownerIds = [...new Set(alerts.map((a) => a.ownerUserId).filter((id) => id !== null))];
      const ownerRows = ownerIds.length
        ? await trx
            .selectFrom("users")
            .select(["user_id", "display_name"])
            .where(inPartnership)
            .where("user_id", "in", ownerIds)
            .execute()
        : [];
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "alerts",
        recordId: ctx.userId,
        details: { alerts: alerts.length, children: new Set(alerts.map((a) => a.personId)).size },
      });
      return alerts
        .map((a) => {
          const child = names.find((n) => n.person_id === a.personId);
          return {
            ...a,
            childName: child ? `${child.given_names} ${child.family_name}` : "",
            ownerName: ownerRows.find((o) => o.user_id === a.ownerUserId)?.display_name ?? null,
          };
        })
        .sort((a, b) => (a.since < b.since ? -1 : 1));
    });
  }
}
