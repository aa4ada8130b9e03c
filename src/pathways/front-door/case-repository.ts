// SPDX-License-Identifier: MIT
/**
 * The case on one screen and the front door's sight of it: the derived level of need, what a request page
 * may name (the child's record, chronologies, and only those family members the caller may open), the
 * people and agencies early help can be given to, and step-down from a closed social care case to early
 * help. Access predicates are in SQL (childVisibleTo); every read of a child's record is audited.
 */
import { type RawBuilder, sql } from "kysely";
import { todayInEngland } from "../../chronology/dates.ts";
import type { AccessContext } from "../../data/access-context.ts";
import { childVisibleTo, mayRecord } from "../../data/child-access.ts";
import {
  type ChangeResult,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
  type Trx,
} from "../../data/repository-scope.ts";
import type { RelationshipType } from "../../people/codes.ts";
import { readPathwaySettings } from "../../settings/pathway-settings.ts";
import type { ClosureReason, EarlyHelpEnding, FrontDoorOutcome } from "../codes.ts";
import { loadCscEvents } from "../csc-event-store.ts";
import { deriveEpisodes, type Episode } from "../episodes.ts";
import {
  type DerivedLevel,
  deriveLevelOfNeed,
  describeLevel,
  type LevelEvent,
  type LevelOption,
} from "../level-of-need.ts";
import type { IsoDate } from "../working-days.ts";
import { LEAD_ROLES, openEarlyHelp } from "./open-early-help.ts";

const p = (column: string) => sql.ref(column);
const inPartnership = sql<boolean>`partnership_id = hearth_current_partnership()`;
const runsFrontDoor = (role: string) => role === "front-door" || role === "safeguarding-lead";

/** A derived level with its name and description, ready for a page. */
export type ShownLevel = DerivedLevel & { name: string; description: string; pathway: string };

export type StepDownInput = {
  steppedDownOn: IsoDate;
  leadUserId: string | null;
  teamAgencyIds: readonly string[];
  reason: string;
};

export class CaseRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof CaseRepository, MethodAccess> = {
    levelOfNeed: "guarded",
    requestPicture: "guarded",
    casePicture: "guarded",
    earlyHelpChoices: "guarded",
    stepDownChoices: "guarded",
    stepDown: "guarded",
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

  /** The partnership's levels, lowest first, with the wording its settings give them. */
  async #levels(trx: Trx): Promise<LevelOption[]> {
    return (await readPathwaySettings(trx)).levels;
  }

  async #episodes(trx: Trx, personId: string): Promise<Episode[]> {
    return deriveEpisodes(await loadCscEvents(trx, [personId]));
  }

  /** The child's level of need, derived from the decisions and open services (the caller may open the child). */
  async #level(trx: Trx, personId: string, episodes: Episode[]): Promise<ShownLevel | null> {
    const levels = await this.#levels(trx);
    const today = todayInEngland();
    const decisions = await trx
      .selectFrom("level_decisions")
      .select(["chosen_level", "decided_on"])
      .where(inPartnership)
      .where("person_id", "=", personId)
      .execute();
    const requests = await trx
      .selectFrom("support_requests")
      .select(["outcome", "decided_on"])
      .where(inPartnership)
      .where("person_id", "=", personId)
      .where("outcome", "is not", null)
      .execute();
    const earlyHelp = await trx
      .selectFrom("early_help as h")
      .select([
        "h.started_on",
        "h.ended_on",
        "h.ending",
        sql<number>`(select count(distinct m.agency_id) from early_help_members m
          where m.partnership_id = h.partnership_id and m.early_help_id = h.early_help_id
            and m.left_on is null)`.as("agencies"),
      ])
      .where(p("h.partnership_id"), "=", sql`hearth_current_partnership()`)
      .where("h.person_id", "=", personId)
      .execute();
    // Early help recorded only as an early help agency's involvement still counts as early help.
    const earlyHelpInvolvement = await trx
      .selectFrom("involvements as i")
      .innerJoin("agencies as a", (j) =>
        j.onRef("a.partnership_id", "=", "i.partnership_id").onRef("a.agency_id", "=", "i.agency_id"),
      )
      .select(sql<IsoDate>`min(i.started_on)`.as("since"))
      .where(p("i.partnership_id"), "=", sql`hearth_current_partnership()`)
      .where("i.person_id", "=", personId)
      .where("a.agency_type", "=", "early-help")
      .where("i.started_on", "<=", today)
      .where((eb) => eb.or([eb("i.ended_on", "is", null), eb("i.ended_on", ">=", today)]))
      .executeTakeFirst();
    const events: LevelEvent[] = [
      ...decisions.map((d) => ({ kind: "level-decision" as const, on: d.decided_on, level: d.chosen_level })),
      ...requests.flatMap((r) =>
        r.outcome && r.decided_on
          ? [{ kind: "front-door" as const, on: r.decided_on, outcome: r.outcome as FrontDoorOutcome }]
          : [],
      ),
      ...episodes.flatMap((e) =>
        e.closureDate
          ? [{ kind: "closure" as const, on: e.closureDate, reason: e.closureReason as ClosureReason | null }]
          : [],
      ),
      ...earlyHelp.flatMap((h) =>
        h.ended_on && h.ending
          ? [{ kind: "early-help-ended" as const, on: h.ended_on, ending: h.ending as EarlyHelpEnding }]
          : [],
      ),
    ];
    const open = earlyHelp.filter((h) => h.ended_on === null);
    const firstOpen = open.map((h) => h.started_on).sort()[0];
    const involvedSince = earlyHelpInvolvement?.since ?? null;
    const openPlan = (plans: { start: IsoDate; end: IsoDate | null }[]) =>
      plans
        .filter((x) => x.end === null)
        .map((x) => x.start)
        .sort()[0] ?? null;
    const derived = deriveLevelOfNeed(
      {
        events,
        openEarlyHelp: firstOpen
          ? { since: firstOpen, withTeam: open.some((h) => Number(h.agencies) > 1) }
          : involvedSince
            ? { since: involvedSince, withTeam: false }
            : null,
        openCinPlanSince: openPlan(episodes.flatMap((e) => (e.closureDate ? [] : e.cinPlans))),
        openCpPlanSince: openPlan(episodes.flatMap((e) => (e.closureDate ? [] : e.cpPlans))),
      },
      levels,
    );
    if (!derived) return null;
    const shown = describeLevel(derived.code, levels);
    return {
      ...derived,
      name: shown?.name ?? derived.code,
      description: shown?.description ?? "",
      pathway: shown?.pathway ?? "",
    };
  }

  /** A child's level of need, for the record and "what is already known". Audited as a view. */
  levelOfNeed(personId: string): Promise<ShownLevel | null | undefined> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return undefined;
      const level = await this.#level(trx, personId, await this.#episodes(trx, personId));
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "level-of-need" },
      });
      return level;
    });
  }

  /** Whether the caller may read this request (the rule getRequest applies), in the same terms. */
  async #mayReadRequest(
    trx: Trx,
    ctx: AccessContext,
    row: {
      person_id: string;
      referrer_agency_id: string;
      episode_id: string | null;
      early_help_id: string | null;
    },
  ): Promise<boolean> {
    if (runsFrontDoor(ctx.role) || row.referrer_agency_id === ctx.agencyId) return true;
    if (!row.episode_id && !row.early_help_id) return false;
    if (!(await this.#canOpen(trx, row.person_id))) return false;
    const agency = await trx
      .selectFrom("agencies")
      .select("agency_type")
      .where(inPartnership)
      .where("agency_id", "=", ctx.agencyId)
      .executeTakeFirst();
    if (row.episode_id && agency?.agency_type === "childrens-social-care") return true;
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
   * What the request page may show around a request: links to the child's record and chronologies when
   * the caller may open the child, the derived level, the early help the decision opened, and family and
   * household members the caller may open (others are not named at all). Undefined when the caller may
   * not read the request.
   */
  requestPicture(requestId: string) {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const row = await trx
        .selectFrom("support_requests")
        .select(["person_id", "referrer_agency_id", "episode_id", "early_help_id"])
        .where(inPartnership)
        .where("request_id", "=", requestId)
        .executeTakeFirst();
      if (!row || !(await this.#mayReadRequest(trx, ctx, row))) return undefined;
      const canOpenChild = await this.#canOpen(trx, row.person_id);
      if (!canOpenChild) return { canOpenChild, level: null, family: [], earlyHelp: null };
      const family = await this.#visibleFamily(trx, ctx, row.person_id);
      const earlyHelp = row.early_help_id
        ? ((await trx
            .selectFrom("early_help as h")
            .leftJoin("users as u", (j) =>
              j.onRef("u.partnership_id", "=", "h.partnership_id").onRef("u.user_id", "=", "h.lead_user_id"),
            )
            .innerJoin("agencies as a", (j) =>
              j
                .onRef("a.partnership_id", "=", "h.partnership_id")
                .onRef("a.agency_id", "=", "h.lead_agency_id"),
            )
            .select([
              "h.early_help_id",
              "h.started_on",
              "h.ended_on",
              "u.display_name as lead_name",
              "a.name as lead_agency_name",
              sql<string[]>`coalesce((select array_agg(m.name order by m.name) from early_help_members m
                where m.partnership_id = h.partnership_id and m.early_help_id = h.early_help_id
                  and m.member_role = 'Team around the family'), '{}')`.as("team"),
            ])
            .where(p("h.partnership_id"), "=", sql`hearth_current_partnership()`)
            .where("h.early_help_id", "=", row.early_help_id)
            .executeTakeFirst()) ?? null)
        : null;
      const level = await this.#level(trx, row.person_id, await this.#episodes(trx, row.person_id));
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: row.person_id,
        details: { page: "request", request_id: requestId, family_shown: family.length },
      });
      return { canOpenChild, level, family, earlyHelp };
    });
  }

  /**
   * The child's family and household members whose records the caller may open: the access predicate is
   * in the query, so a member the caller may not open is never read, let alone named.
   */
  async #visibleFamily(trx: Trx, ctx: AccessContext, personId: string) {
    const visible: RawBuilder<boolean> = childVisibleTo(ctx, sql.ref("p.person_id"));
    const result = await sql<{
      person_id: string;
      given_names: string;
      family_name: string;
      kind: "child" | "adult";
      relationship: RelationshipType | null;
      is_reverse: boolean;
      lives_with_now: boolean;
    }>`
      with me as (select person_id from hearth_person_cluster(${personId})),
      related as (
        select r.person_id as other, r.relationship_type as relationship, false as is_reverse from relationships r
          where r.partnership_id = hearth_current_partnership() and r.related_person_id in (select person_id from me)
        union all
        select r.related_person_id, r.relationship_type, true from relationships r
          where r.partnership_id = hearth_current_partnership() and r.person_id in (select person_id from me)
      ),
      housemates as (
        select other.person_id as other
          from household_members mine
          join household_members other on other.partnership_id = mine.partnership_id
            and other.household_id = mine.household_id and other.person_id <> mine.person_id
          where mine.partnership_id = hearth_current_partnership() and mine.person_id in (select person_id from me)
            and other.person_id not in (select person_id from me)
            and mine.valid_to is null and other.valid_to is null
      )
      select p.person_id, p.given_names, p.family_name, p.kind,
             (select min(relationship) from related where related.other = p.person_id) as relationship,
             coalesce((select bool_or(is_reverse) from related where related.other = p.person_id), false) as is_reverse,
             exists (select 1 from housemates where housemates.other = p.person_id) as lives_with_now
        from people p
        where p.partnership_id = hearth_current_partnership()
          and p.merged_into_person_id is null
          and (p.person_id in (select other from related) or p.person_id in (select other from housemates))
          and ${visible}
        order by p.kind desc, p.date_of_birth nulls first, p.family_name, p.given_names
    `.execute(trx);
    return result.rows;
  }

  /**
   * The case on one screen, beyond the pathway's lists: the derived level of need, the current request and
   * its decision, the open early help or social care episode, step-downs, and the plan slot's context.
   * Audited as a view of the child's record.
   */
  casePicture(personId: string) {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return undefined;
      const episodes = await this.#episodes(trx, personId);
      const level = await this.#level(trx, personId, episodes);
      const today = todayInEngland();
      // Early help held as an agency's involvement only (no plan in Hearth): shown so the record agrees.
      const earlyHelpInvolvements = await trx
        .selectFrom("involvements as i")
        .innerJoin("agencies as a", (j) =>
          j.onRef("a.partnership_id", "=", "i.partnership_id").onRef("a.agency_id", "=", "i.agency_id"),
        )
        .leftJoin("users as u", (j) =>
          j
            .onRef("u.partnership_id", "=", "i.partnership_id")
            .onRef("u.user_id", "=", "i.lead_professional_user_id"),
        )
        .select([
          "i.involvement_id",
          "a.name as agency_name",
          "i.started_on",
          "i.is_lead_agency",
          "u.display_name as lead_professional_name",
        ])
        .where(p("i.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("i.person_id", "=", personId)
        .where("a.agency_type", "=", "early-help")
        .where("i.started_on", "<=", today)
        .where((eb) => eb.or([eb("i.ended_on", "is", null), eb("i.ended_on", ">=", today)]))
        .orderBy("i.started_on")
        .execute();
      const earlyHelpEntries = await trx
        .selectFrom("chronology_events as e")
        .innerJoin("agencies as a", (j) =>
          j
            .onRef("a.partnership_id", "=", "e.partnership_id")
            .onRef("a.agency_id", "=", "e.source_agency_id"),
        )
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where(p("e.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("e.person_id", "=", personId)
        .where("a.agency_type", "=", "early-help")
        .executeTakeFirst();
      const stepDowns = await trx
        .selectFrom("step_downs as s")
        .innerJoin("users as u", (j) =>
          j.onRef("u.partnership_id", "=", "s.partnership_id").onRef("u.user_id", "=", "s.recorded_by"),
        )
        .select([
          "s.step_down_id",
          "s.episode_id",
          "s.early_help_id",
          "s.stepped_down_on",
          "s.reason",
          "u.display_name as recorded_by_name",
        ])
        .where(p("s.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("s.person_id", "=", personId)
        .orderBy("s.stepped_down_on", "desc")
        .execute();
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "case" },
      });
      const openEpisode = [...episodes].reverse().find((e) => e.closureDate === null) ?? null;
      return {
        level,
        openEpisodeId: openEpisode?.episodeId ?? null,
        earlyHelpInvolvements,
        earlyHelpEntries: Number(earlyHelpEntries?.n ?? 0),
        stepDowns,
        /** What a plan summary is given: the open social care plans, for the plans helper's partial. */
        casework: {
          personId,
          openCpPlans: episodes.flatMap((e) => e.cpPlans.filter((x) => x.end === null)),
          openCinPlans: episodes.flatMap((e) => e.cinPlans.filter((x) => x.end === null)),
        },
      };
    });
  }

  async #leads(trx: Trx) {
    return trx
      .selectFrom("users as u")
      .innerJoin("agencies as a", (j) =>
        j.onRef("a.partnership_id", "=", "u.partnership_id").onRef("a.agency_id", "=", "u.agency_id"),
      )
      .select(["u.user_id", "u.display_name", "a.name as agency_name", "a.agency_type"])
      .where(p("u.partnership_id"), "=", sql`hearth_current_partnership()`)
      .where("u.role", "in", [...LEAD_ROLES])
      .where("u.deactivated_at", "is", null)
      .where("a.deactivated_at", "is", null)
      .orderBy(sql`a.agency_type <> 'early-help'`)
      .orderBy("a.name")
      .orderBy("u.display_name")
      .execute();
  }

  async #agencies(trx: Trx) {
    return trx
      .selectFrom("agencies")
      .select(["agency_id", "name", "agency_type"])
      .where(inPartnership)
      .where("deactivated_at", "is", null)
      .orderBy("name")
      .execute();
  }

  /** Who may be named lead professional, and the agencies for a team around the family: the front door only. */
  earlyHelpChoices() {
    const ctx = this.#ctx;
    if (!ctx || !runsFrontDoor(ctx.role)) return Promise.resolve({ leads: [], agencies: [] });
    return this.#scope.run(async (trx) => ({
      leads: await this.#leads(trx),
      agencies: await this.#agencies(trx),
    }));
  }

  async #mayStepDown(trx: Trx, ctx: AccessContext): Promise<boolean> {
    if (runsFrontDoor(ctx.role)) return true;
    if (ctx.role !== "practitioner" && ctx.role !== "manager") return false;
    const agency = await trx
      .selectFrom("agencies")
      .select("agency_type")
      .where(inPartnership)
      .where("agency_id", "=", ctx.agencyId)
      .executeTakeFirst();
    return agency?.agency_type === "childrens-social-care";
  }

  /** The closed episode's closure, and any step-down already made from it. */
  async #closure(trx: Trx, personId: string, episodeId: string) {
    const closure = await trx
      .selectFrom("csc_events")
      .select(["event_id", "occurred_on", "code"])
      .where(inPartnership)
      .where("person_id", "=", personId)
      .where("episode_id", "=", episodeId)
      .where("event_type", "=", "closure")
      .orderBy("occurred_on", "desc")
      .executeTakeFirst();
    const stepped = await trx
      .selectFrom("step_downs")
      .select(["early_help_id", "stepped_down_on"])
      .where(inPartnership)
      .where("episode_id", "=", episodeId)
      .where("person_id", "=", personId)
      .executeTakeFirst();
    return { closure, stepped };
  }

  /**
   * What the step-down form needs: the closure, a step-down already made, and the lead and team choices.
   * Children's social care, the front door and leads, for a child they may open; undefined otherwise.
   */
  stepDownChoices(personId: string, episodeId: string) {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      if (!(await this.#mayStepDown(trx, ctx)) || !(await this.#canOpen(trx, personId))) return undefined;
      const { closure, stepped } = await this.#closure(trx, personId, episodeId);
      if (!closure) return undefined;
      return {
        closure,
        stepped: stepped ?? null,
        leads: await this.#leads(trx),
        agencies: await this.#agencies(trx),
      };
    });
  }

  /**
   * Steps a closed social care case down to early help: opens early help led by the named professional,
   * with the team around the family, linked to the closure; the lead is told ("stepped-down").
   */
  stepDown(
    personId: string,
    episodeId: string,
    input: StepDownInput,
  ): Promise<ChangeResult<{ earlyHelpId: string }>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(refused("You cannot step a case down"));
    if (!input.leadUserId)
      return Promise.resolve(refused("Select the lead professional for early help", "leadUserId"));
    if (!input.reason.trim())
      return Promise.resolve(refused("Say why the case is stepping down to early help", "reason"));
    const leadUserId = input.leadUserId;
    return this.#scope.run(async (trx) => {
      if (!(await this.#mayStepDown(trx, ctx)))
        return refused("Only children's social care steps a case down");
      if (!(await this.#canOpen(trx, personId))) return refused("You cannot see this child's record");
      const { closure, stepped } = await this.#closure(trx, personId, episodeId);
      if (!closure) return refused("Only a closed social care case can step down", "steppedDownOn");
      if (stepped) return refused("This case has already stepped down to early help", "steppedDownOn");
      if (input.steppedDownOn < closure.occurred_on || input.steppedDownOn > todayInEngland())
        return refused("The date must be between the case's closure and today", "steppedDownOn");
      const open = await trx
        .selectFrom("early_help")
        .select("early_help_id")
        .where(inPartnership)
        .where("person_id", "=", personId)
        .where("ended_on", "is", null)
        .executeTakeFirst();
      if (open) return refused("This child already has early help open", "leadUserId");
      const opened = await openEarlyHelp(trx, this.#scope, ctx, {
        personId,
        startedOn: input.steppedDownOn,
        consentOn: input.steppedDownOn,
        consent: "given",
        leadUserId,
        teamAgencyIds: input.teamAgencyIds,
        summary: `Stepped down from children's social care. ${input.reason}`.slice(0, 8000),
        supportRequestId: null,
        steppedDownFromEpisodeId: episodeId,
        reason: "Step-down from children's social care to early help, with this agency as the lead",
        notice: {
          kind: "stepped-down",
          subject: "A case has stepped down to early help: you are the lead professional",
          body: "Children's social care closed the case and stepped it down to early help, naming you as the lead professional.",
        },
      });
      if (!opened.ok) return refused(opened.message, opened.field);
      const stepDownId = crypto.randomUUID();
      await trx
        .insertInto("step_downs")
        .values({
          partnership_id: ctx.partnershipId,
          step_down_id: stepDownId,
          person_id: personId,
          episode_id: episodeId,
          closure_event_id: closure.event_id,
          early_help_id: opened.earlyHelpId,
          stepped_down_on: input.steppedDownOn,
          reason: input.reason,
          recorded_by: ctx.userId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "step-down",
        recordId: stepDownId,
        details: {
          person_id: personId,
          episode_id: episodeId,
          closure_event_id: closure.event_id,
          early_help_id: opened.earlyHelpId,
          stepped_down_on: input.steppedDownOn,
          reason: input.reason,
        },
      });
      return done({ earlyHelpId: opened.earlyHelpId });
    });
  }
}
