// SPDX-License-Identifier: MIT
/**
 * A child's record as the caller may see it, with their family; who knows a child (for a caller who may
 * not open the record); and the summary of their history with its acknowledgement. Every view is audited
 * in the same transaction.
 */
import { sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { AreaRepository } from "../data/area-repository.ts";
import { childVisibleTo, mayBreakGlass, mayOpenChildRecords } from "../data/child-access.ts";
import type { MethodAccess, Trx } from "../data/repository-scope.ts";
import { currentPartnership, inPersonCluster, onKey } from "../kernel/sql.ts";
import type { HouseholdRole, PersonKind } from "./codes.ts";
import { p, SUMMARY_COLUMNS, today } from "./people-records.ts";

/** What the record page is told when the caller must read the child's history summary first. */
export const READ_HISTORY_FIRST = "read-history-first";

/** What the record page is told when the record was merged into another: go there instead. */
export type MergedInto = { mergedInto: string };

/** A child's record, what may be known without it, and their history's summary. */
export class ChildRecordRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof ChildRecordRepository, MethodAccess> = {
    getChildRecord: "guarded",
    openRecordPage: "guarded",
    knownTo: "guarded",
    historySummary: "guarded",
    acknowledgeHistory: "guarded",
  };

  /**
   * A child's record as the caller may see it, audited as a view. Undefined if the caller may not open it
   * (see {@link knownTo} for what they may know instead).
   */
  async getChildRecord(personId: string) {
    const read = await this.#read(personId, { page: false, historyFirst: false });
    // Only the record page's read redirects; these two never come back from this one.
    return read === READ_HISTORY_FIRST || (read && "mergedInto" in read) ? undefined : read;
  }

  /**
   * The record page's read: as {@link getChildRecord}, except that nothing more is read and no view is
   * recorded when the page sends the caller elsewhere instead of showing the record:
   * - {@link MergedInto} for a record merged into another (the caller is sent to the record kept);
   * - {@link READ_HISTORY_FIRST}, when `historyFirst` (a plain view, not a form's answer), if the caller has
   *   not yet acknowledged the child's history and there is history to read (more than one agency's
   *   involvement, or family): the worker is sent to the history summary.
   */
  openRecordPage(personId: string, options: { historyFirst: boolean } = { historyFirst: true }) {
    return this.#read(personId, { page: true, historyFirst: options.historyFirst });
  }

  #read(personId: string, options: { page: boolean; historyFirst: boolean }) {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      if (!(await this.scope.canOpenRecord(trx, personId))) return undefined;
      // One statement, not six: each costs the page a round trip. The lists come back as JSON, their
      // timestamps as text, made dates again below.
      const { history_read_at, involvements, names, households, merges, ...person } = await trx
        .selectFrom("people")
        .selectAll("people")
        .select((eb) => [
          eb
            .selectFrom("history_reads")
            .select("read_at")
            .where(p("partnership_id"), "=", currentPartnership)
            .where("person_id", "=", personId)
            .where("user_id", "=", ctx.userId)
            .as("history_read_at"),
          jsonArrayFrom(
            eb
              .selectFrom("involvements as i")
              .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "i.agency_id"))
              .leftJoin("users as u", (j) => onKey(j, "u.user_id", "i.lead_professional_user_id"))
              .select([
                "i.involvement_id",
                "i.agency_id",
                "a.name as agency_name",
                "a.agency_type",
                "i.started_on",
                "i.ended_on",
                "i.is_lead_agency",
                "i.sharing_basis",
                "i.consent",
                "i.sharing_reasoning",
                "u.display_name as lead_professional_name",
                "u.email as lead_professional_email",
              ])
              .where(p("i.partnership_id"), "=", currentPartnership)
              .where(inPersonCluster("i.person_id", personId))
              .orderBy(sql`i.ended_on is not null`)
              .orderBy("i.started_on", "desc"),
          ).as("involvements"),
          jsonArrayFrom(
            eb
              .selectFrom("person_names as n")
              .select(["n.given_names", "n.family_name", "n.name_use", "n.recorded_at"])
              .where(p("n.partnership_id"), "=", currentPartnership)
              .where(inPersonCluster("n.person_id", personId))
              .orderBy("n.recorded_at"),
          ).as("names"),
          jsonArrayFrom(
            eb
              .selectFrom("household_members as m")
              .innerJoin("households as h", (j) => onKey(j, "h.household_id", "m.household_id"))
              .select([
                "h.household_id",
                "h.address_line",
                "h.town",
                "h.postcode",
                "h.ward",
                "h.lsoa",
                "m.valid_from",
                "m.valid_to",
                "m.household_role",
              ])
              .where(p("m.partnership_id"), "=", currentPartnership)
              .where("m.person_id", "=", personId)
              .orderBy("m.valid_from", "desc"),
          ).as("households"),
          jsonArrayFrom(
            eb
              .selectFrom("person_merges as m")
              .innerJoin("people as other", (j) => onKey(j, "other.person_id", "m.merged_person_id"))
              .select([
                "m.merge_id",
                "m.merged_person_id",
                "m.reason",
                "m.merged_at",
                "m.reversed_at",
                "other.given_names",
                "other.family_name",
              ])
              .where(p("m.partnership_id"), "=", currentPartnership)
              .where("m.kept_person_id", "=", personId)
              .orderBy("m.merged_at", "desc"),
          ).as("merges"),
        ])
        .where(p("people.partnership_id"), "=", currentPartnership)
        .where("people.person_id", "=", personId)
        .executeTakeFirstOrThrow();
      if (options.page && person.merged_into_person_id)
        return { mergedInto: person.merged_into_person_id } satisfies MergedInto;
      // A record the caller cannot open shows as a name and its link to this child, not its own details.
      const family = (await this.#family(trx, personId)).map((member) =>
        member.can_open ? member : { ...member, date_of_birth: null, expected_date_of_birth: null },
      );
      const hasHistory = involvements.length > 1 || family.length > 0;
      if (options.historyFirst && !history_read_at && hasHistory) return READ_HISTORY_FIRST;
      await this.scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "record" },
      });
      return {
        person,
        names: names.map((n) => ({ ...n, recorded_at: new Date(n.recorded_at) })),
        involvements,
        family,
        households,
        merges: merges.map((m) => ({
          ...m,
          merged_at: new Date(m.merged_at),
          reversed_at: m.reversed_at === null ? null : new Date(m.reversed_at),
        })),
      };
    });
  }

  /**
   * Everyone who has shared a household with the person, or is related to them either way, and whether
   * the caller may open each one's record. The page shows only the name and the link of a record the
   * caller cannot open (as search and "known to" already do), never its content.
   */
  #family(trx: Trx, personId: string) {
    return sql<{
      person_id: string;
      given_names: string;
      family_name: string;
      kind: PersonKind;
      date_of_birth: string | null;
      expected_date_of_birth: string | null;
      relationship: string | null;
      household_role: HouseholdRole | null;
      lives_with_now: boolean;
      can_open: boolean;
    }>`
      with me as (select person_id from hearth_person_cluster(${personId})),
      related as (
        select r.person_id as other, r.relationship_type as relationship from relationships r
          where r.partnership_id = ${currentPartnership} and r.related_person_id in (select person_id from me)
        union all
        select r.related_person_id, case when r.relationship_type in ('mother','father','step-parent','parents-partner','kinship-carer','grandparent','other-significant-adult') then 'child-of-' || r.relationship_type else r.relationship_type end
          from relationships r
          where r.partnership_id = ${currentPartnership} and r.person_id in (select person_id from me)
      ),
      housemates as (
        select other.person_id as other, other.household_role,
               bool_or(mine.valid_to is null and other.valid_to is null) as now
          from household_members mine
          join household_members other on other.partnership_id = mine.partnership_id
            and other.household_id = mine.household_id and other.person_id <> mine.person_id
          where mine.partnership_id = ${currentPartnership} and mine.person_id in (select person_id from me)
            and other.person_id not in (select person_id from me)
            and other.valid_from <= coalesce(mine.valid_to, 'infinity'::date)
            and mine.valid_from <= coalesce(other.valid_to, 'infinity'::date)
          group by other.person_id, other.household_role
      ),
      everyone as (
        select other from related union select other from housemates
      )
      select p.person_id, p.given_names, p.family_name, p.kind, p.date_of_birth, p.expected_date_of_birth,
             (select min(relationship) from related where related.other = p.person_id) as relationship,
             (select min(household_role) from housemates where housemates.other = p.person_id) as household_role,
             coalesce((select bool_or(now) from housemates where housemates.other = p.person_id), false) as lives_with_now,
             ${childVisibleTo(this.ctx, sql.ref("p.person_id"))} as can_open
        from people p
        where p.partnership_id = ${currentPartnership} and p.person_id in (select other from everyone)
          and p.merged_into_person_id is null
        order by p.kind desc, p.date_of_birth nulls first
    `
      .execute(trx)
      .then((result) => result.rows);
  }

  /**
   * What someone who may not open the record may know: that the child is known, and to which agencies,
   * with the lead agency to ask. Audited, because knowing a child is known is itself information.
   */
  knownTo(personId: string) {
    const ctx = this.ctx;
    // Auditors cannot ask to be involved: a child no audit round opens to them is not theirs to know of.
    if (!ctx || !mayOpenChildRecords(ctx.role) || ctx.role === "auditor") return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const person = await trx
        .selectFrom("people")
        .select([...SUMMARY_COLUMNS])
        .where(p("people.partnership_id"), "=", currentPartnership)
        .where("people.person_id", "=", personId)
        .executeTakeFirst();
      if (!person) return undefined;
      const agencies = await trx
        .selectFrom("involvements as i")
        .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "i.agency_id"))
        .select(["a.agency_id", "a.name", "i.is_lead_agency"])
        .where(p("i.partnership_id"), "=", currentPartnership)
        .where(inPersonCluster("i.person_id", personId))
        .where((eb) => eb.or([eb("i.ended_on", "is", null), eb("i.ended_on", ">=", today())]))
        .orderBy("i.is_lead_agency", "desc")
        .orderBy("a.name")
        .execute();
      const pendingRequest = await trx
        .selectFrom("involvement_requests")
        .select(["request_id", "requested_at"])
        .where(p("partnership_id"), "=", currentPartnership)
        .where("person_id", "=", personId)
        .where("requesting_agency_id", "=", ctx.agencyId)
        .where("decided_at", "is", null)
        .executeTakeFirst();
      await this.scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "known-to" },
      });
      return { person, agencies, pendingRequest, canBreakGlass: mayBreakGlass(ctx.role) };
    });
  }

  /**
   * What is known before the caller starts: earlier involvements, key events, and counts by agency and by
   * type, so a new worker does not "start again". Undefined unless the caller may open the record.
   */
  historySummary(personId: string) {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      if (!(await this.scope.canOpenRecord(trx, personId))) return undefined;
      const cluster = inPersonCluster("e.person_id", personId);
      const visibleEvent = sql<boolean>`(e.visibility = 'normal' or ${ctx.role} = any(e.restricted_to_roles) or e.source_agency_id = ${ctx.agencyId})
        and not exists (select 1 from chronology_events s where s.partnership_id = e.partnership_id and s.supersedes_event_id = e.event_id)
        and not exists (select 1 from chronology_retractions r where r.partnership_id = e.partnership_id and r.event_id = e.event_id)`;
      const base = trx
        .selectFrom("chronology_events as e")
        .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "e.source_agency_id"))
        .where(p("e.partnership_id"), "=", currentPartnership)
        .where(cluster)
        .where(visibleEvent);
      const byAgency = await base
        .select(["a.name as agency_name", (eb) => eb.fn.countAll<number>().as("count")])
        .groupBy("a.name")
        .orderBy("count", "desc")
        .execute();
      const byType = await base
        .select(["e.event_type", (eb) => eb.fn.countAll<number>().as("count")])
        .groupBy("e.event_type")
        .orderBy("count", "desc")
        .execute();
      const keyEvents = await base
        .select([
          "e.event_id",
          "e.occurred_on",
          "e.date_precision",
          "e.event_type",
          "e.what_happened",
          "e.impact_on_child",
          "a.name as agency_name",
        ])
        .where("e.significance", "=", "high")
        .orderBy("e.occurred_on", "desc")
        .limit(10)
        .execute();
      const involvements = await trx
        .selectFrom("involvements as i")
        .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "i.agency_id"))
        .select(["a.name as agency_name", "i.started_on", "i.ended_on", "i.is_lead_agency"])
        .where(p("i.partnership_id"), "=", currentPartnership)
        .where(inPersonCluster("i.person_id", personId))
        .orderBy("i.started_on")
        .execute();
      await this.scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "history-summary" },
      });
      return { byAgency, byType, keyEvents, involvements };
    });
  }

  /** Records that the caller has read what is known about the child. */
  acknowledgeHistory(personId: string): Promise<boolean> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(false);
    return this.scope.run(async (trx) => {
      if (!(await this.scope.canOpenRecord(trx, personId))) return false;
      await trx
        .insertInto("history_reads")
        .values({ partnership_id: ctx.partnershipId, person_id: personId, user_id: ctx.userId })
        .onConflict((oc) => oc.columns(["partnership_id", "person_id", "user_id"]).doNothing())
        .execute();
      await this.scope.audit(trx, {
        action: "acknowledge-history",
        recordType: "person",
        recordId: personId,
      });
      return true;
    });
  }
}
