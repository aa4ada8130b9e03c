// SPDX-License-Identifier: MIT
/**
 * Chronology entries one at a time: one entry as the caller may see it, every version of it (auditors and
 * safeguarding leads), and adding, amending and retracting. Entries are never edited in place: an
 * amendment is a new row that supersedes the current version (with a reason); a retraction is a row of its
 * own. Every view and change is audited in the same transaction, and a new or amended entry runs the
 * signal rules for the family.
 */
import { sql } from "kysely";
import { AreaRepository } from "../data/area-repository.ts";
import { eventVisibleTo, mayRecord, seesSupersededEntries } from "../data/child-access.ts";
import { type ChangeResult, done, type MethodAccess, refused, type Trx } from "../data/repository-scope.ts";
import { currentPartnership, onKey } from "../kernel/sql.ts";
import { evaluateSignalsForFamilyOf } from "../signals/store.ts";
import { familyMembers, openableThroughMerges, visibleChild } from "./chronology-members.ts";
import { decorateRows, eventsQuery, mayChangeEntry } from "./chronology-rows.ts";
import type { ChronologyRow, EventHistory, EventInput, FamilyMember } from "./chronology-types.ts";
import { currentOnly } from "./current-entries.ts";
import { changesBetween, columnsOf, MAX_REASON, validateEventInput } from "./event-input.ts";

/** Chronology entries: read one, its history, add, amend and retract. */
export class ChronologyEntriesRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof ChronologyEntriesRepository, MethodAccess> = {
    addEvent: "guarded",
    amendEvent: "guarded",
    retractEvent: "guarded",
    getEvent: "guarded",
    getEventHistory: "guarded",
  };

  /**
   * One current entry in the focal child's family chronology, as the caller may see it.
   * @returns undefined if the caller may not open the child's record; `{ event: undefined }` if the
   * entry is not (or no longer) in the family chronology they can see.
   */
  getEvent(
    personId: string,
    eventId: string,
  ): Promise<{ child: FamilyMember; event: ChronologyRow | undefined } | undefined> {
    if (!this.ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const child = await visibleChild(trx, this.ctx, personId);
      if (!child) return undefined;
      const { members } = await familyMembers(trx, this.ctx, personId, true);
      const row = await eventsQuery(trx, this.ctx)
        .where("e.event_id", "=", eventId)
        .where(
          "e.person_id",
          "in",
          members.map((m) => m.person_id),
        )
        .where(currentOnly)
        .executeTakeFirst();
      const focal = members.find((m) => m.person_id === child.person_id);
      if (!focal) return undefined;
      if (row)
        await this.scope.audit(trx, {
          action: "view",
          recordType: "chronology-event",
          recordId: eventId,
          details: { page: "chronology-event", person_id: personId },
        });
      return { child: focal, event: row ? decorateRows(this.ctx, [row], members)[0] : undefined };
    });
  }

  /**
   * Every version of an entry, and its retraction if any. Auditors and safeguarding leads only.
   * @param personId - The focal child, whose family the entry belongs to.
   * @param eventId - Any version of the entry.
   * @returns The history, or undefined if the caller may not see it.
   */
  getEventHistory(personId: string, eventId: string): Promise<EventHistory | undefined> {
    const ctx = this.ctx;
    if (!ctx || !seesSupersededEntries(ctx.role)) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const child = await visibleChild(trx, this.ctx, personId);
      if (!child) return undefined;
      const { members } = await familyMembers(trx, this.ctx, personId, true);
      const chain = await sql<{ event_id: string }>`
        with recursive up(event_id, supersedes_event_id) as (
          select event_id, supersedes_event_id from chronology_events
          where partnership_id = ${currentPartnership} and event_id = ${eventId}::uuid
          union all
          select p.event_id, p.supersedes_event_id from chronology_events p
          join up on p.event_id = up.supersedes_event_id
          where p.partnership_id = ${currentPartnership}
        ),
        down(event_id) as (
          select event_id from up where supersedes_event_id is null
          union all
          select n.event_id from chronology_events n
          join down on n.supersedes_event_id = down.event_id
          where n.partnership_id = ${currentPartnership}
        )
        select event_id from down`.execute(trx);
      const ids = chain.rows.map((row) => row.event_id);
      if (ids.length === 0) return undefined;
      const rows = await eventsQuery(trx, this.ctx)
        .where("e.event_id", "in", ids)
        .where(
          "e.person_id",
          "in",
          members.map((m) => m.person_id),
        )
        .orderBy("e.recorded_at")
        .execute();
      if (rows.length === 0) return undefined;
      const order = new Map(ids.map((id, index) => [id, index]));
      rows.sort((a, b) => (order.get(a.event_id) ?? 0) - (order.get(b.event_id) ?? 0));
      const retraction = await trx
        .selectFrom("chronology_retractions as r")
        .leftJoin("users as u", (join) => onKey(join, "u.user_id", "r.retracted_by"))
        .select(["r.retracted_at", "u.display_name as retracted_by_name", "r.reason"])
        .where("r.partnership_id", "=", currentPartnership)
        .where("r.event_id", "in", ids)
        .executeTakeFirst();
      await this.scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "event-history", event_id: eventId },
      });
      const focal = members.find((m) => m.person_id === child.person_id);
      if (!focal) return undefined;
      return {
        child: focal,
        versions: decorateRows(this.ctx, rows, members),
        retraction: retraction ?? null,
      };
    });
  }

  /**
   * Adds an entry to a person's chronology, from the caller's agency.
   * @param personId - The child (or family member) the entry is about; the caller must be able to open their record.
   * @param input - The entry.
   * @returns The new entry's id, or a refusal naming the field at fault.
   */
  addEvent(personId: string, input: EventInput): Promise<ChangeResult<{ eventId: string }>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role))
      return Promise.resolve(refused("Your role cannot add chronology entries"));
    const checked = validateEventInput(input);
    if (!checked.ok) return Promise.resolve(checked);
    const value = checked.value;
    return this.scope.run(async (trx) => {
      const child = await visibleChild(trx, this.ctx, personId);
      if (!child) return refused("You cannot add entries to this person's chronology");
      const eventId = crypto.randomUUID();
      await trx
        .insertInto("chronology_events")
        .values({
          partnership_id: ctx.partnershipId,
          event_id: eventId,
          person_id: personId,
          ...columnsOf(value),
          source_agency_id: ctx.agencyId,
          recorded_by: ctx.userId,
          supersedes_event_id: null,
          amendment_reason: null,
        })
        .execute();
      await this.scope.audit(trx, {
        action: "create",
        recordType: "chronology-event",
        recordId: eventId,
        details: { person_id: [null, personId], ...changesBetween(null, value) },
      });
      await this.#evaluateSignals(trx, personId);
      return done({ eventId });
    });
  }

  /** Runs the signal rules for the family of the person an entry was recorded about (src/signals). */
  async #evaluateSignals(trx: Trx, personId: string): Promise<void> {
    const ctx = this.ctx;
    if (!ctx) return;
    await evaluateSignalsForFamilyOf(trx, {
      partnershipId: ctx.partnershipId,
      personId,
      trigger: "entry-recorded",
      firedBy: ctx.userId,
      audit: (entry) => this.scope.audit(trx, entry),
    });
  }

  /** The current version of an entry the caller may change, or a refusal. */
  async #changeable(trx: Trx, eventId: string) {
    const ctx = this.ctx;
    if (!ctx) return refused("You cannot change this entry");
    const row = await trx
      .selectFrom("chronology_events as e")
      .selectAll("e")
      .select([
        sql<boolean>`exists (select 1 from chronology_events s where s.partnership_id = e.partnership_id and s.supersedes_event_id = e.event_id)`.as(
          "superseded",
        ),
        sql<boolean>`exists (select 1 from chronology_retractions r where r.partnership_id = e.partnership_id and r.event_id = e.event_id)`.as(
          "retracted",
        ),
      ])
      .where("e.partnership_id", "=", currentPartnership)
      .where("e.event_id", "=", eventId)
      .where(
        eventVisibleTo(ctx, {
          visibility: sql.ref("e.visibility"),
          restrictedToRoles: sql.ref("e.restricted_to_roles"),
          sourceAgencyId: sql.ref("e.source_agency_id"),
        }),
      )
      // Only an entry about someone whose record the caller may open, whichever page asks.
      .where(openableThroughMerges(ctx, sql.ref("e.person_id")))
      .executeTakeFirst();
    if (!row || !mayChangeEntry(this.ctx, row.source_agency_id))
      return refused("Only the agency that recorded this entry, or a safeguarding lead, can change it");
    if (row.retracted) return refused("This entry has been retracted");
    if (row.superseded) return refused("This entry has already been amended: change the current version");
    return done(row);
  }

  /**
   * Amends an entry: a new version supersedes the current one, which is kept. The recording agency or a
   * safeguarding lead only.
   * @param eventId - The current version.
   * @param input - The whole entry as it should now read.
   * @param reason - Why it is being amended (required).
   * @returns The new version's id, or a refusal naming the field.
   */
  amendEvent(eventId: string, input: EventInput, reason: string): Promise<ChangeResult<{ eventId: string }>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role))
      return Promise.resolve(refused("Your role cannot amend chronology entries"));
    const why = (reason ?? "").trim();
    if (!why) return Promise.resolve(refused("Enter the reason for the amendment", "reason"));
    if (why.length > MAX_REASON)
      return Promise.resolve(refused(`The reason must be ${MAX_REASON} characters or fewer`, "reason"));
    const checked = validateEventInput(input);
    if (!checked.ok) return Promise.resolve(checked);
    const value = checked.value;
    return this.scope.run(async (trx) => {
      const found = await this.#changeable(trx, eventId);
      if (!found.ok) return found;
      const old = found.value;
      const newId = crypto.randomUUID();
      await trx
        .insertInto("chronology_events")
        .values({
          partnership_id: ctx.partnershipId,
          event_id: newId,
          person_id: old.person_id,
          ...columnsOf(value),
          // The entry stays the recording agency's, whoever corrects it.
          source_agency_id: old.source_agency_id,
          recorded_by: ctx.userId,
          supersedes_event_id: old.event_id,
          amendment_reason: why,
        })
        .execute();
      await this.scope.audit(trx, {
        action: "amend",
        recordType: "chronology-event",
        recordId: newId,
        reason: why,
        details: {
          supersedes_event_id: old.event_id,
          ...changesBetween(
            {
              occurred_on: old.occurred_on,
              date_precision: old.date_precision,
              event_type: old.event_type,
              what_happened: old.what_happened,
              impact_on_child: old.impact_on_child,
              action_taken: old.action_taken,
              significance: old.significance,
              neglect_types: old.neglect_types,
              information_basis: old.information_basis,
              visibility: old.visibility,
              restricted_to_roles: old.restricted_to_roles,
            },
            value,
          ),
        },
      });
      await this.#evaluateSignals(trx, old.person_id);
      return done({ eventId: newId });
    });
  }

  /**
   * Retracts an entry: it stops appearing in chronologies but is kept, with the reason, for auditors.
   * @param eventId - The current version.
   * @param reason - Why (required).
   */
  retractEvent(eventId: string, reason: string): Promise<ChangeResult<{ eventId: string }>> {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role))
      return Promise.resolve(refused("Your role cannot retract chronology entries"));
    const why = (reason ?? "").trim();
    if (!why) return Promise.resolve(refused("Enter the reason for retracting this entry", "reason"));
    if (why.length > MAX_REASON)
      return Promise.resolve(refused(`The reason must be ${MAX_REASON} characters or fewer`, "reason"));
    return this.scope.run(async (trx) => {
      const found = await this.#changeable(trx, eventId);
      if (!found.ok) return found;
      await trx
        .insertInto("chronology_retractions")
        .values({
          partnership_id: ctx.partnershipId,
          event_id: eventId,
          retracted_by: ctx.userId,
          reason: why,
        })
        .execute();
      await this.scope.audit(trx, {
        action: "retract",
        recordType: "chronology-event",
        recordId: eventId,
        reason: why,
      });
      return done({ eventId });
    });
  }
}
