// SPDX-License-Identifier: MIT
/**
 * Reading chronology entries as the caller may see them: the events query with its visibility rule, the
 * current-version condition, every entry about a set of people (agencies' entries and children's social
 * care events) as one SQL relation, and the rows dressed for the pages. Shared by the chronology's
 * sub-area repositories; none of it is reachable from `request.repo` on its own.
 */
import { type RawBuilder, sql } from "kysely";
import type { AccessContext } from "../data/access-context.ts";
import { childVisibleTo, eventVisibleTo, mayRecord } from "../data/child-access.ts";
import type { Trx } from "../data/repository-scope.ts";
import { importVisibleTo } from "../imports/access.ts";
import { IMPORT_FORMATS } from "../imports/codes.ts";
import { currentPartnership, onKey } from "../kernel/sql.ts";
import { ROLES } from "../organisation/codes.ts";
import type { ChronologyRow, EventRow, FamilyMember, SocialCareFields } from "./chronology-types.ts";
import { EVENT_TYPES, INFORMATION_BASES, NEGLECT_TYPES, SIGNIFICANCE } from "./codes.ts";
import { currentOnly } from "./current-entries.ts";
import { ageAt, formatDate, formatEventDate } from "./dates.ts";
import { socialCareDetail, socialCareTitle } from "./social-care-entries.ts";

/** The events query with its joins and the caller's visibility rule; callers add which events. */
export const eventsQuery = (trx: Trx, ctx: AccessContext | undefined) => {
  return trx
    .selectFrom("chronology_events as e")
    .innerJoin("agencies as a", (join) => onKey(join, "a.agency_id", "e.source_agency_id"))
    .leftJoin("users as u", (join) => onKey(join, "u.user_id", "e.recorded_by"))
    .select([
      "e.event_id",
      "e.person_id",
      "e.occurred_on",
      "e.date_precision",
      "e.event_type",
      "e.source_agency_id",
      "a.name as agency_name",
      "e.recorded_by",
      "u.display_name as recorder_name",
      "e.recorded_at",
      "e.what_happened",
      "e.impact_on_child",
      "e.action_taken",
      "e.significance",
      "e.neglect_types",
      "e.information_basis",
      "e.visibility",
      "e.restricted_to_roles",
      "e.supersedes_event_id",
      "e.amendment_reason",
    ])
    .where("e.partnership_id", "=", currentPartnership)
    .where(
      eventVisibleTo(ctx, {
        visibility: sql.ref("e.visibility"),
        restrictedToRoles: sql.ref("e.restricted_to_roles"),
        sourceAgencyId: sql.ref("e.source_agency_id"),
      }),
    );
};

/** Whether the caller may amend or retract an entry the agency recorded. */
export const mayChangeEntry = (ctx: AccessContext | undefined, sourceAgencyId: string): boolean => {
  if (!ctx) return false;
  return ctx.role === "safeguarding-lead" || (mayRecord(ctx.role) && sourceAgencyId === ctx.agencyId);
};

/** The rows as the pages and exports show them: labels, the person, their age, whether they may be changed. */
export const decorateRows = (
  ctx: AccessContext | undefined,
  rows: (EventRow & Partial<SocialCareFields>)[],
  members: FamilyMember[],
): ChronologyRow[] => {
  const byId = new Map(members.map((m) => [m.person_id, m]));
  return rows.map((row) => {
    const person = byId.get(row.person_id);
    const socialCare = row.source === "social-care" && row.csc_event_type ? row.csc_event_type : undefined;
    const common = {
      ...row,
      source: socialCare ? ("social-care" as const) : ("agency" as const),
      date_label: formatEventDate(row.occurred_on, row.date_precision),
      restricted_to_labels: row.restricted_to_roles.map((role) => ROLES[role] ?? role),
      person_name: person?.name ?? "",
      person_label: person?.label ?? "",
      age_at_event: person ? ageAt(person.date_of_birth, row.occurred_on, person.expected_date_of_birth) : "",
    };
    if (socialCare) {
      // A pathway event: its census codes in words; it is changed on the pathway page, not here.
      return {
        ...common,
        event_type_label: socialCareTitle(socialCare),
        what_happened: socialCareDetail({
          eventType: socialCare,
          code: row.csc_code ?? null,
          codes: row.csc_codes ?? [],
          count: row.csc_count ?? null,
          childSeen: row.csc_child_seen ?? null,
          seenAlone: row.csc_seen_alone ?? null,
        }),
        significance_label: "",
        information_basis_label: "Recorded by children's social care",
        neglect_type_labels: [],
        may_change: false,
        imported: null,
      };
    }
    return {
      ...common,
      event_type_label: EVENT_TYPES[row.event_type]?.label ?? row.event_type,
      significance_label: SIGNIFICANCE[row.significance] ?? row.significance,
      information_basis_label: INFORMATION_BASES[row.information_basis] ?? row.information_basis,
      neglect_type_labels: row.neglect_types.map((code) => NEGLECT_TYPES[code] ?? code),
      may_change: mayChangeEntry(ctx, row.source_agency_id),
      imported: row.import_id
        ? {
            text: `Imported from ${row.import_file_name ?? "a file"} (${(row.import_format && IMPORT_FORMATS[row.import_format]) ?? row.import_format}), ${formatDate(row.import_started_on)}`,
            href: row.import_visible ? `/imports/${row.import_id}` : null,
          }
        : null,
    };
  });
};

/**
 * Every entry the caller may see about these people, as one SQL relation: agencies' current chronology
 * entries (with the restricted-entry rule) and children's social care events, each only for a person
 * whose record the caller may open (the members are already so chosen; the predicate is repeated here
 * so the rule holds in the query itself).
 */
export const entriesFor = (
  ctx: AccessContext | undefined,
  memberIds: readonly string[],
): RawBuilder<unknown> => {
  const ids = memberIds.length > 0 ? sql.join(memberIds.map((id) => sql`${id}::uuid`)) : sql`null::uuid`;
  return sql`(
    select e.event_id, e.person_id, e.occurred_on, e.date_precision, e.event_type, e.source_agency_id,
      a.name as agency_name, e.recorded_by, u.display_name as recorder_name, e.recorded_at,
      e.what_happened, e.impact_on_child, e.action_taken, e.significance, e.neglect_types,
      e.information_basis, e.visibility, e.restricted_to_roles, e.supersedes_event_id, e.amendment_reason,
      'agency'::text as source, null::text as csc_event_type, null::text as csc_code,
      '{}'::text[] as csc_codes, null::integer as csc_count, null::boolean as csc_child_seen,
      null::boolean as csc_seen_alone,
      i.import_id, i.file_name as import_file_name, i.format as import_format,
      to_char((i.started_at at time zone 'Europe/London')::date, 'YYYY-MM-DD') as import_started_on,
      case when i.import_id is null then null else ${importVisibleTo(ctx, sql.ref("i.agency_id"))} end
        as import_visible
    from chronology_events e
    join agencies a on a.partnership_id = e.partnership_id and a.agency_id = e.source_agency_id
    left join users u on u.partnership_id = e.partnership_id and u.user_id = e.recorded_by
    left join agency_imports i on i.partnership_id = e.partnership_id and i.import_id = e.import_id
    where e.partnership_id = ${currentPartnership} and e.person_id in (${ids})
      and ${eventVisibleTo(ctx, {
        visibility: sql.ref("e.visibility"),
        restrictedToRoles: sql.ref("e.restricted_to_roles"),
        sourceAgencyId: sql.ref("e.source_agency_id"),
      })}
      and ${currentOnly}
    union all
    select c.event_id, c.person_id, c.occurred_on, 'day', c.event_type, coalesce(a.agency_id, csc.agency_id),
      coalesce(a.name, csc.name, 'Children''s social care'), c.recorded_by, u.display_name, c.recorded_at,
      '', '', null, null, '{}'::text[], null, 'normal', '{}'::text[], null, null,
      'social-care', c.event_type, c.code, c.codes, c.count, c.child_seen, c.seen_alone,
      null, null, null, null, null
    from csc_events c
    left join users u on u.partnership_id = c.partnership_id and u.user_id = c.recorded_by
    left join agencies a on a.partnership_id = u.partnership_id and a.agency_id = u.agency_id
    left join lateral (
      select s.agency_id, s.name from agencies s
      where s.partnership_id = c.partnership_id and s.agency_type = 'childrens-social-care'
      order by s.created_at, s.name limit 1
    ) csc on true
    where c.partnership_id = ${currentPartnership} and c.person_id in (${ids})
      and ${childVisibleTo(ctx, sql.ref("c.person_id"))}
  )`;
};
