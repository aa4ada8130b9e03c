// SPDX-License-Identifier: MIT
/**
 * A child's chronology and the family chronology: the entries the caller may see (current versions only),
 * filtered and paged, with the timeline's counts, each view audited in the same transaction for the child
 * and for every other family member whose entries were shown.
 */
import { type RawBuilder, sql } from "kysely";
import { AreaRepository } from "../data/area-repository.ts";
import { mayRecord } from "../data/child-access.ts";
import type { MethodAccess } from "../data/repository-scope.ts";
import { familyMembers, visibleChild } from "./chronology-members.ts";
import { decorateRows, entriesFor } from "./chronology-rows.ts";
import type {
  Chronology,
  ChronologyFilters,
  ChronologyPage,
  ChronologyPurpose,
  EventRow,
  FamilyMember,
  SocialCareFields,
} from "./chronology-types.ts";

/** The chronology read models: one child's, and their family's. */
export class ChronologyReadsRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof ChronologyReadsRepository, MethodAccess> = {
    childChronology: "guarded",
    familyChronology: "guarded",
    personForChronology: "guarded",
  };

  async #read(
    personId: string,
    filters: ChronologyFilters,
    family: boolean,
    purpose: ChronologyPurpose,
    paging?: ChronologyPage,
  ): Promise<Chronology | undefined> {
    if (!this.ctx) return undefined;
    return this.scope.run(async (trx) => {
      const child = await visibleChild(trx, this.ctx, personId);
      if (!child) return undefined;
      const { members, hidden } = await familyMembers(trx, this.ctx, personId, family);
      const memberIds = members.map((m) => m.person_id);
      const conditions: RawBuilder<unknown>[] = [];
      if (filters.personId) {
        const focus = filters.personId;
        // A person filter on the focal child covers the records merged into them.
        const ids = members.find((m) => m.person_id === focus && m.label === "This child")
          ? members.filter((m) => m.label === "This child").map((m) => m.person_id)
          : [focus];
        conditions.push(sql`x.person_id in (${sql.join(ids.map((id) => sql`${id}::uuid`))})`);
      }
      if (filters.agencyId) conditions.push(sql`x.source_agency_id = ${filters.agencyId}::uuid`);
      if (filters.socialCareOnly) conditions.push(sql`x.source = 'social-care'`);
      if (filters.eventType)
        conditions.push(sql`x.source = 'agency' and x.event_type = ${filters.eventType}`);
      if (filters.neglectType) conditions.push(sql`${filters.neglectType} = any(x.neglect_types)`);
      if (filters.significance) conditions.push(sql`x.significance = ${filters.significance}`);
      if (filters.from) conditions.push(sql`x.occurred_on >= ${filters.from}::date`);
      if (filters.to) conditions.push(sql`x.occurred_on <= ${filters.to}::date`);
      const where = conditions.length > 0 ? sql.join(conditions, sql` and `) : sql`true`;
      const entries = entriesFor(this.ctx, memberIds);
      const perPage = paging ? Math.max(1, paging.perPage) : 0;
      const askedPage = Math.max(1, Math.floor(paging?.page ?? 1));
      // One statement works the entries out once, for the timeline's counts (and so the total), the
      // agencies to filter by (all of them, whatever the filters) and the page's rows. The page asked for
      // is kept within the last page, which the same statement counts.
      const limit = perPage
        ? sql`limit ${perPage} offset (select (least(${askedPage}::integer,
            greatest(1, ceil(count(*)::numeric / ${perPage}::integer)::integer)) - 1) * ${perPage}::integer
            from shown)`
        : sql``;
      const read = (
        await sql<{
          counts: { month: string; person_id: string; agency_name: string; count: number }[];
          agencies: { agency_id: string; name: string }[];
          rows: (Omit<EventRow, "recorded_at"> & SocialCareFields & { recorded_at: string })[];
        }>`
          with x as (${entries}), shown as (select * from x where ${where})
          select
            (select coalesce(json_agg(c order by c.month, c.person_id, c.agency_name), '[]') from (
              select to_char(shown.occurred_on, 'YYYY-MM') as month, shown.person_id, shown.agency_name,
                count(*)::integer as count
              from shown group by 1, 2, 3) c) as counts,
            (select coalesce(json_agg(a order by a.name), '[]') from (
              select distinct x.source_agency_id as agency_id, x.agency_name as name from x
              where x.source_agency_id is not null) a) as agencies,
            (select coalesce(json_agg(r order by r.occurred_on, r.recorded_at, r.event_id), '[]') from (
              select * from shown order by shown.occurred_on, shown.recorded_at, shown.event_id ${limit}
            ) r) as rows`.execute(trx)
      ).rows[0] ?? { counts: [], agencies: [], rows: [] };
      const { counts, agencies } = read;
      // JSON carries times as text: the pages and exports format a date.
      const rows = read.rows.map((row) => ({ ...row, recorded_at: new Date(row.recorded_at) }));
      const total = counts.reduce((sum, row) => sum + row.count, 0);
      const lastPage = perPage ? Math.max(1, Math.ceil(total / perPage)) : 1;
      const page = perPage ? Math.min(askedPage, lastPage) : 1;
      const filtersUsed = Object.fromEntries(Object.entries(filters).filter(([, v]) => v));
      await this.scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: purpose, filters: filtersUsed, ...(perPage ? { page_number: page } : {}) },
      });
      // Every other person whose entries were shown was read too: each gets a view row of their own.
      const cluster = new Set(members.filter((m) => m.label === "This child").map((m) => m.person_id));
      const othersShown = [...new Set(rows.map((row) => row.person_id))].filter((id) => !cluster.has(id));
      for (const memberId of othersShown.sort()) {
        await this.scope.audit(trx, {
          action: "view",
          recordType: "person",
          recordId: memberId,
          details: { page: purpose, via_person_id: personId, filters: filtersUsed },
        });
      }
      const childMember = members.find((m) => m.person_id === child.person_id) ?? {
        person_id: child.person_id,
        name: `${child.given_names} ${child.family_name}`,
        label: "This child",
        kind: child.kind,
        date_of_birth: child.date_of_birth,
        expected_date_of_birth: child.expected_date_of_birth,
      };
      return {
        child: childMember,
        members,
        hiddenMembers: hidden,
        agencies,
        events: decorateRows(this.ctx, rows, members),
        total,
        page,
        perPage,
        counts,
      };
    });
  }

  /**
   * A child's own chronology (with any records merged into them), current entries only, oldest first.
   * @param personId - The child.
   * @param filters - Optional narrowing.
   * @param paging - One page of entries; without it, every entry.
   * @returns The chronology, or undefined if the caller may not open the child's record.
   */
  childChronology(
    personId: string,
    filters: ChronologyFilters = {},
    paging?: ChronologyPage,
  ): Promise<Chronology | undefined> {
    return this.#read(personId, filters, false, "chronology", paging);
  }

  /**
   * The family chronology: the child's entries beside those of siblings and the adults in their
   * households, each labelled with the person. Restricted entries appear only where the caller may see them.
   * @param personId - The focal child; the caller must be able to open their record.
   * @param filters - Optional narrowing.
   * @param purpose - What the read is for, recorded in the audit row (a page or an export).
   * @param paging - One page of entries; without it (exports), every entry.
   * @returns The chronology, or undefined if the caller may not open the child's record.
   */
  familyChronology(
    personId: string,
    filters: ChronologyFilters = {},
    purpose: Extract<
      ChronologyPurpose,
      "family-chronology" | "export-pdf" | "export-csv"
    > = "family-chronology",
    paging?: ChronologyPage,
  ): Promise<Chronology | undefined> {
    return this.#read(personId, filters, true, purpose, paging);
  }

  /**
   * The person whose chronology is asked for, if the caller may open their record, and whether the caller
   * may add entries to it. Reads only the person's name and dates (not the chronology), so it is not audited.
   * @returns undefined when there is no caller or they may not open the record.
   */
  personForChronology(personId: string): Promise<{ person: FamilyMember; mayRecord: boolean } | undefined> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const child = await visibleChild(trx, this.ctx, personId);
      if (!child) return undefined;
      return {
        person: {
          person_id: child.person_id,
          name: `${child.given_names} ${child.family_name}`,
          label: "This child",
          kind: child.kind,
          date_of_birth: child.date_of_birth,
          expected_date_of_birth: child.expected_date_of_birth,
        },
        mayRecord: mayRecord(ctx.role),
      };
    });
  }
}
