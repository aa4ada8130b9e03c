// SPDX-License-Identifier: MIT
/**
 * What an evaluation reads: each person's family (their record cluster, household and relations) and
 * every current entry about a set of people, from every agency. Hearth's own reading for the rules
 * (store.ts), never returned to a caller.
 */
import { sql } from "kysely";
import type { Trx } from "../data/repository-scope.ts";
import { currentPartnership } from "../kernel/sql.ts";
import type { AgencyType } from "../organisation/codes.ts";
import type { SignalEntry } from "./evaluate.ts";

export type Family = { cluster: string[]; family: string[] };

/**
 * For each root person, their record cluster (they and everyone merged into them) and their family: the
 * cluster, everyone sharing a household with them, and their relations, each with their own cluster.
 * One statement for all the roots. Households and relations are read per cluster member (lateral): as a
 * join, the planner guessed ten members a root and read every household and relationship in the
 * partnership for each batch, so an import slowed as the partnership grew.
 */
export const familiesOf = async (trx: Trx, roots: readonly string[]): Promise<Map<string, Family>> => {
  const families = new Map<string, Family>();
  if (roots.length === 0) return families;
  const rows = await sql<{ root: string; person_id: string; own: boolean }>`
    with roots as (select distinct root from unnest(${roots}::uuid[]) as t(root)),
    cluster as (select r.root, c.person_id from roots r cross join lateral hearth_person_cluster(r.root) c)
    select root, person_id, true as own from cluster
    union
    select cl.root, mc.person_id, false
      from cluster cl
      cross join lateral (
        select fb.person_id
          from household_members fa
          join household_members fb on fb.partnership_id = fa.partnership_id and fb.household_id = fa.household_id
            and fb.valid_from <= coalesce(fa.valid_to, 'infinity'::date)
            and fa.valid_from <= coalesce(fb.valid_to, 'infinity'::date)
          where fa.partnership_id = ${currentPartnership} and fa.person_id = cl.person_id
          offset 0) fb -- kept a subquery, so it is read by index for each member
      cross join lateral hearth_person_cluster(fb.person_id) mc
    union
    select cl.root, mc.person_id, false
      from cluster cl
      cross join lateral (
        select fr.related_person_id as person_id from relationships fr
          where fr.partnership_id = ${currentPartnership} and fr.person_id = cl.person_id
        union all
        select fr.person_id from relationships fr
          where fr.partnership_id = ${currentPartnership} and fr.related_person_id = cl.person_id) fr
      cross join lateral hearth_person_cluster(fr.person_id) mc`.execute(trx);
  for (const root of roots) families.set(root, { cluster: [], family: [] });
  for (const row of rows.rows) {
    const family = families.get(row.root);
    if (!family) continue;
    if (row.own && !family.cluster.includes(row.person_id)) family.cluster.push(row.person_id);
    if (!family.family.includes(row.person_id)) family.family.push(row.person_id);
  }
  return families;
};

/** Every current entry (not superseded, not retracted) and social care event about these people. */
export const entriesAbout = async (trx: Trx, personIds: readonly string[]): Promise<SignalEntry[]> => {
  if (personIds.length === 0) return [];
  const ids = [...new Set(personIds)];
  const rows = await sql<{
    entry_id: string;
    source: "agency" | "social-care";
    person_id: string;
    event_type: string;
    code: string | null;
    occurred_on: string;
    agency_type: AgencyType | null;
  }>`
    select e.event_id as entry_id, 'agency' as source, e.person_id, e.event_type, null as code,
      to_char(e.occurred_on, 'YYYY-MM-DD') as occurred_on, a.agency_type
    from chronology_events e
    join agencies a on a.partnership_id = e.partnership_id and a.agency_id = e.source_agency_id
    where e.partnership_id = ${currentPartnership} and e.person_id = any(${ids}::uuid[])
      and not exists (select 1 from chronology_events s
        where s.partnership_id = e.partnership_id and s.supersedes_event_id = e.event_id)
      and not exists (select 1 from chronology_retractions r
        where r.partnership_id = e.partnership_id and r.event_id = e.event_id)
    union all
    select c.event_id, 'social-care', c.person_id, c.event_type, c.code,
      to_char(c.occurred_on, 'YYYY-MM-DD'), 'childrens-social-care'
    from csc_events c
    where c.partnership_id = ${currentPartnership} and c.person_id = any(${ids}::uuid[])`.execute(trx);
  return rows.rows.map((r) => ({
    entryId: r.entry_id,
    source: r.source,
    personId: r.person_id,
    eventType: r.event_type,
    code: r.code,
    occurredOn: r.occurred_on,
    agencyType: r.agency_type,
  }));
};
