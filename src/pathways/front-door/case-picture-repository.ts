// SPDX-License-Identifier: MIT
/**
 * The case on one screen and what a request page may name: the derived level of need, the child's
 * record, chronologies, and only those family members the caller may open. Access predicates are in SQL
 * (childVisibleTo); every read of a child's record is audited. Part of `request.repo.cases`
 * (./case-repository.ts).
 */
import { type RawBuilder, sql } from "kysely";
import { currentOnly } from "../../chronology/current-entries.ts";
import type { AccessContext } from "../../data/access-context.ts";
import { AreaRepository } from "../../data/area-repository.ts";
import { childVisibleTo, eventVisibleTo, mayRecord } from "../../data/child-access.ts";
import type { MethodAccess, Trx } from "../../data/repository-scope.ts";
import { todayInEngland } from "../../kernel/calendar.ts";
import { currentPartnership, inCurrentPartnership, onKey } from "../../kernel/sql.ts";
import type { RelationshipType } from "../../people/codes.ts";
import { canOpenChild } from "../pathway-records.ts";
import { holdsCaseFrom, runsFrontDoor } from "../social-care-access.ts";
import { earlyHelpAgencyInvolvements, episodesOf, levelOf, p, type ShownLevel } from "./case-level.ts";

export class CasePictureRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof CasePictureRepository, MethodAccess> = {
    levelOfNeed: "guarded",
    requestPicture: "guarded",
    casePicture: "guarded",
  };

  #canOpen(trx: Trx, personId: string): Promise<boolean> {
    return canOpenChild(this.scope, trx, personId);
  }

  /** A child's level of need, for the record and "what is already known". Audited as a view. */
  levelOfNeed(personId: string): Promise<ShownLevel | null | undefined> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return undefined;
      const level = await levelOf(trx, personId, await episodesOf(trx, personId));
      await this.scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "level-of-need" },
      });
      return level;
    });
  }

  /**
   * What the request page may show around a request: links to the child's record and chronologies when
   * the caller may open the child, the derived level, the early help the decision opened, and family and
   * household members the caller may open (others are not named at all). Undefined when the caller may
   * not read the request.
   */
  requestPicture(requestId: string) {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const row = await trx
        .selectFrom("support_requests")
        .select(["person_id", "referrer_agency_id", "episode_id", "early_help_id"])
        .where(inCurrentPartnership())
        .where("request_id", "=", requestId)
        .executeTakeFirst();
      if (!row) return undefined;
      // The rule getRequest applies: the front door, the agency that made it, or the one holding the case.
      const mayRead =
        runsFrontDoor(ctx.role) ||
        row.referrer_agency_id === ctx.agencyId ||
        (await holdsCaseFrom(this.scope, trx, ctx, row));
      if (!mayRead) return undefined;
      const canOpenChild = await this.#canOpen(trx, row.person_id);
      if (!canOpenChild) return { canOpenChild, level: null, family: [], earlyHelp: null };
      const family = await this.#visibleFamily(trx, ctx, row.person_id);
      const earlyHelp = row.early_help_id
        ? ((await trx
            .selectFrom("early_help as h")
            .leftJoin("users as u", (j) => onKey(j, "u.user_id", "h.lead_user_id"))
            .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "h.lead_agency_id"))
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
            .where(p("h.partnership_id"), "=", currentPartnership)
            .where("h.early_help_id", "=", row.early_help_id)
            .executeTakeFirst()) ?? null)
        : null;
      const level = await levelOf(trx, row.person_id, await episodesOf(trx, row.person_id));
      await this.scope.audit(trx, {
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
          where r.partnership_id = ${currentPartnership} and r.related_person_id in (select person_id from me)
        union all
        select r.related_person_id, r.relationship_type, true from relationships r
          where r.partnership_id = ${currentPartnership} and r.person_id in (select person_id from me)
      ),
      housemates as (
        select other.person_id as other
          from household_members mine
          join household_members other on other.partnership_id = mine.partnership_id
            and other.household_id = mine.household_id and other.person_id <> mine.person_id
          where mine.partnership_id = ${currentPartnership} and mine.person_id in (select person_id from me)
            and other.person_id not in (select person_id from me)
            and mine.valid_to is null and other.valid_to is null
      )
      select p.person_id, p.given_names, p.family_name, p.kind,
             (select min(relationship) from related where related.other = p.person_id) as relationship,
             coalesce((select bool_or(is_reverse) from related where related.other = p.person_id), false) as is_reverse,
             exists (select 1 from housemates where housemates.other = p.person_id) as lives_with_now
        from people p
        where p.partnership_id = ${currentPartnership}
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
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return undefined;
      const episodes = await episodesOf(trx, personId);
      const level = await levelOf(trx, personId, episodes);
      const today = todayInEngland();
      // Early help held as an agency's involvement only (no plan in Hearth): shown so the record agrees.
      const earlyHelpInvolvements = await earlyHelpAgencyInvolvements(trx, personId, today)
        .leftJoin("users as u", (j) => onKey(j, "u.user_id", "i.lead_professional_user_id"))
        .select([
          "i.involvement_id",
          "a.name as agency_name",
          "i.started_on",
          "i.is_lead_agency",
          "u.display_name as lead_professional_name",
        ])
        .orderBy("i.started_on")
        .execute();
      const earlyHelpEntries = await trx
        .selectFrom("chronology_events as e")
        .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "e.source_agency_id"))
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where(p("e.partnership_id"), "=", currentPartnership)
        .where("e.person_id", "=", personId)
        .where("a.agency_type", "=", "early-help")
        // Only the current entries the caller may read, as the chronology the count links to shows them.
        .where(
          eventVisibleTo(ctx, {
            visibility: sql.ref("e.visibility"),
            restrictedToRoles: sql.ref("e.restricted_to_roles"),
            sourceAgencyId: sql.ref("e.source_agency_id"),
          }),
        )
        .where(currentOnly)
        .executeTakeFirst();
      const stepDowns = await trx
        .selectFrom("step_downs as s")
        .innerJoin("users as u", (j) => onKey(j, "u.user_id", "s.recorded_by"))
        .select([
          "s.step_down_id",
          "s.episode_id",
          "s.early_help_id",
          "s.stepped_down_on",
          "s.reason",
          "u.display_name as recorded_by_name",
        ])
        .where(p("s.partnership_id"), "=", currentPartnership)
        .where("s.person_id", "=", personId)
        .orderBy("s.stepped_down_on", "desc")
        .execute();
      await this.scope.audit(trx, {
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
}
