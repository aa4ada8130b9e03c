// SPDX-License-Identifier: MIT
/**
 * The chronology's queries: a child's and a family's dated, sourced events, with every access predicate
 * in SQL (see ../data/child-access.ts) and every view and change audited in the same transaction.
 *
 * Events are never edited in place. An amendment is a new row that supersedes the current version (with
 * a reason); a retraction is a row of its own. Everyone sees the current version of entries that are not
 * retracted; auditors and safeguarding leads can open an entry's whole history.
 */
import { type RawBuilder, sql } from "kysely";
import { childVisibleTo, eventVisibleTo, mayRecord, seesSupersededEntries } from "../data/child-access.ts";
import { idIn } from "../data/id-list.ts";
import {
  type ChangeResult,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
  type Trx,
} from "../data/repository-scope.ts";
import { importVisibleTo } from "../imports/access.ts";
import { IMPORT_FORMATS, type ImportFormat } from "../imports/codes.ts";
import { ROLE_CODES, ROLES, type Role } from "../organisation/codes.ts";
import type { CscEventType } from "../pathways/codes.ts";
import {
  HOUSEHOLD_ROLES,
  type HouseholdRole,
  RELATIONSHIP_TYPES,
  type RelationshipType,
} from "../people/codes.ts";
import { evaluateSignalsForFamilyOf } from "../signals/store.ts";
import {
  DATE_PRECISION_CODES,
  type DatePrecision,
  EVENT_TYPE_CODES,
  EVENT_TYPES,
  type EventType,
  INFORMATION_BASES,
  INFORMATION_BASIS_CODES,
  type InformationBasis,
  NEGLECT_TYPE_CODES,
  NEGLECT_TYPES,
  type NeglectType,
  SIGNIFICANCE,
  SIGNIFICANCE_CODES,
  type Significance,
  SYSTEM_EVENT_TYPES,
  VISIBILITY_CODES,
  type Visibility,
} from "./codes.ts";
import { ageAt, formatDate, formatEventDate, isIsoDate, todayInEngland } from "./dates.ts";
import { socialCareDetail, socialCareTitle } from "./social-care-entries.ts";

/** What a recorder writes about one event. */
export type EventInput = {
  eventType: EventType;
  /** YYYY-MM-DD; for a month or an approximate date, any day in that month (stored as given). */
  occurredOn: string;
  datePrecision: DatePrecision;
  whatHappened: string;
  impactOnChild: string;
  actionTaken: string | null;
  significance: Significance;
  neglectTypes: NeglectType[];
  informationBasis: InformationBasis;
  visibility: Visibility;
  /** For a restricted entry, the roles that may see it (besides the recording agency). */
  restrictedToRoles: Role[];
};

/** Narrowing a chronology: every field optional, all applied together. */
export type ChronologyFilters = {
  personId?: string | undefined;
  agencyId?: string | undefined;
  eventType?: EventType | undefined;
  neglectType?: NeglectType | undefined;
  significance?: Significance | undefined;
  /** Inclusive, YYYY-MM-DD. */
  from?: string | undefined;
  /** Inclusive, YYYY-MM-DD. */
  to?: string | undefined;
  /** Only children's social care events (the type filter's extra choice). */
  socialCareOnly?: boolean | undefined;
};

/** Why a chronology is read, as the audit row records it. */
export type ChronologyPurpose = "chronology" | "family-chronology" | "export-pdf" | "export-csv";

/** One person in the picture, labelled by how they stand to the focal child. */
export type FamilyMember = {
  person_id: string;
  name: string;
  /** "This child", "Mother", "Sibling", "Parent's partner · Other adult in the household", ... */
  label: string;
  kind: string;
  date_of_birth: string | null;
  expected_date_of_birth: string | null;
};

/** One stored entry, with its agency's and recorder's names. */
type EventRow = {
  event_id: string;
  person_id: string;
  occurred_on: string;
  date_precision: DatePrecision;
  /** A chronology event type, or for a social care entry the pathway's event type (../pathways/codes.ts). */
  event_type: EventType;
  source_agency_id: string;
  agency_name: string;
  recorded_by: string | null;
  recorder_name: string | null;
  recorded_at: Date;
  what_happened: string;
  impact_on_child: string;
  action_taken: string | null;
  significance: Significance;
  neglect_types: NeglectType[];
  information_basis: InformationBasis;
  visibility: Visibility;
  restricted_to_roles: Role[];
  supersedes_event_id: string | null;
  amendment_reason: string | null;
  /** The agency import that wrote the entry, or null for one typed in (and for social care events). */
  import_id?: string | null;
  import_file_name?: string | null;
  import_format?: ImportFormat | null;
  /** The day the import was started (YYYY-MM-DD, England). */
  import_started_on?: string | null;
  /** Whether the caller may open the import's page (the imports pages' own rule, in SQL). */
  import_visible?: boolean | null;
};

/** A children's social care event (src/pathways) read into the chronology beside agencies' entries. */
type SocialCareFields = {
  /** "agency" for a chronology entry, "social-care" for a pathway event. */
  source: "agency" | "social-care";
  csc_event_type: CscEventType | null;
  csc_code: string | null;
  csc_codes: string[];
  csc_count: number | null;
  csc_child_seen: boolean | null;
  csc_seen_alone: boolean | null;
};

/** One chronology entry as the pages and exports show it. */
export type ChronologyRow = EventRow & {
  source: "agency" | "social-care";
  /** "12 March 2024", "March 2024", "about June 2023". */
  date_label: string;
  event_type_label: string;
  significance_label: string;
  information_basis_label: string;
  neglect_type_labels: string[];
  restricted_to_labels: string[];
  person_name: string;
  person_label: string;
  /** The person's age on the event's date. */
  age_at_event: string;
  /** Whether the caller may amend or retract this entry. */
  may_change: boolean;
  /**
   * For an entry an agency import wrote: "Imported from <file> (<format>), <date>", and the import's page
   * only when the caller may see that import (otherwise null: the words without the link).
   */
  imported: { text: string; href: string | null } | null;
};

export type Chronology = {
  /** The child whose chronology this is. */
  child: FamilyMember;
  /** The people whose entries may appear (the child alone, or the family members the caller may open). */
  members: FamilyMember[];
  /** How many family members' entries are left out because the caller may not open their records. */
  hiddenMembers: number;
  /** The agencies that recorded the entries shown, for the filter. */
  agencies: { agency_id: string; name: string }[];
  /** The entries asked for: one page of them, or every one (for exports). */
  events: ChronologyRow[];
  /** How many entries match the filters, on every page. */
  total: number;
  /** The page shown (1-based) and the entries per page; perPage is 0 when every entry is shown. */
  page: number;
  perPage: number;
  /** Entries matching the filters per month (YYYY-MM) and person and agency, for the timeline. */
  counts: { month: string; person_id: string; agency_name: string; count: number }[];
};

/** Paging a chronology: entries per page and the page wanted (1-based; past the end shows the last). */
export type ChronologyPage = { page: number; perPage: number };

/** The type filter's value for "children's social care events" (not a chronology event type). */
export const SOCIAL_CARE_TYPE = "social-care";

export type EventHistory = {
  child: FamilyMember;
  /** Every version, oldest first; the last is the current one. */
  versions: ChronologyRow[];
  retraction: { retracted_at: Date; retracted_by_name: string | null; reason: string } | null;
};

const MAX_TEXT = 4000;
const MAX_REASON = 2000;

const codeIn = <T extends string>(codes: readonly T[], value: unknown): value is T =>
  typeof value === "string" && (codes as readonly string[]).includes(value);

/**
 * Checks and tidies an entry. The form checks the same things first; this is the rule the data keeps.
 * @returns The tidied input, or a refusal naming the field.
 */
export const validateEventInput = (input: EventInput): ChangeResult<EventInput> => {
  if (!codeIn(EVENT_TYPE_CODES, input.eventType) || SYSTEM_EVENT_TYPES.includes(input.eventType))
    return refused("Select the type of event", "eventType");
  if (!codeIn(DATE_PRECISION_CODES, input.datePrecision))
    return refused("Select how exactly the date is known", "datePrecision");
  if (typeof input.occurredOn !== "string" || !isIsoDate(input.occurredOn))
    return refused("The date of the event must be a real date", "occurredOn");
  if (input.occurredOn > todayInEngland())
    return refused("The date of the event must be today or in the past", "occurredOn");
  if (input.occurredOn < "1900-01-01")
    return refused("The date of the event must be after 1900", "occurredOn");
  const whatHappened = (input.whatHappened ?? "").trim();
  if (!whatHappened) return refused("Enter what happened", "whatHappened");
  if (whatHappened.length > MAX_TEXT)
    return refused(`What happened must be ${MAX_TEXT} characters or fewer`, "whatHappened");
  const impactOnChild = (input.impactOnChild ?? "").trim();
  if (!impactOnChild) return refused("Enter the impact on the child", "impactOnChild");
  if (impactOnChild.length > MAX_TEXT)
    return refused(`The impact on the child must be ${MAX_TEXT} characters or fewer`, "impactOnChild");
  const actionTaken = (input.actionTaken ?? "").trim();
  if (actionTaken.length > MAX_TEXT)
    return refused(`The action taken must be ${MAX_TEXT} characters or fewer`, "actionTaken");
  if (!codeIn(SIGNIFICANCE_CODES, input.significance))
    return refused("Select the significance", "significance");
  const neglectTypes = input.neglectTypes ?? [];
  if (!Array.isArray(neglectTypes) || !neglectTypes.every((code) => codeIn(NEGLECT_TYPE_CODES, code)))
    return refused("Select neglect types from the list", "neglectTypes");
  if (!codeIn(INFORMATION_BASIS_CODES, input.informationBasis))
    return refused(
      "Select whether this was observed, reported or a professional opinion",
      "informationBasis",
    );
  if (!codeIn(VISIBILITY_CODES, input.visibility))
    return refused("Select who may see this entry", "visibility");
  const roles = input.restrictedToRoles ?? [];
  if (!Array.isArray(roles) || !roles.every((role) => codeIn(ROLE_CODES, role)))
    return refused("Select roles from the list", "restrictedToRoles");
  if (input.visibility === "restricted" && roles.length === 0)
    return refused("Select the roles that may see this restricted entry", "restrictedToRoles");
  return done({
    eventType: input.eventType,
    occurredOn: input.occurredOn,
    datePrecision: input.datePrecision,
    whatHappened,
    impactOnChild,
    actionTaken: actionTaken || null,
    significance: input.significance,
    neglectTypes: [...new Set(neglectTypes)],
    informationBasis: input.informationBasis,
    visibility: input.visibility,
    restrictedToRoles: input.visibility === "restricted" ? [...new Set(roles)] : [],
  });
};

const current = sql<string>`hearth_current_partnership()`;

/** The focal person and everyone merged into them. */
const clusterOf = (personId: string): RawBuilder<unknown> =>
  sql`(select person_id from hearth_person_cluster(${personId}::uuid))`;

/**
 * The focal child's family: their records, everyone who ever shared a household with them (overlapping
 * membership periods), and everyone linked to them by a relationship in either direction, each with the
 * records merged into them.
 */
const familyOf = (personId: string): RawBuilder<unknown> => sql`(
  select c.person_id from hearth_person_cluster(${personId}::uuid) c
  union
  select mc.person_id
    from household_members fa
    join household_members fb on fb.partnership_id = fa.partnership_id and fb.household_id = fa.household_id
      and fb.valid_from <= coalesce(fa.valid_to, 'infinity'::date)
      and fa.valid_from <= coalesce(fb.valid_to, 'infinity'::date)
    cross join lateral hearth_person_cluster(fb.person_id) mc
    where fa.partnership_id = hearth_current_partnership() and fa.person_id in ${clusterOf(personId)}
  union
  select mc.person_id
    from relationships fr cross join lateral hearth_person_cluster(fr.related_person_id) mc
    where fr.partnership_id = hearth_current_partnership() and fr.person_id in ${clusterOf(personId)}
  union
  select mc.person_id
    from relationships fr cross join lateral hearth_person_cluster(fr.person_id) mc
    where fr.partnership_id = hearth_current_partnership() and fr.related_person_id in ${clusterOf(personId)}
)`;

/** How the focal child stands to someone else, read the other way round ("the child is X's sibling"). */
const INVERSE_LABELS: Partial<Record<RelationshipType, string>> = {
  sibling: "Sibling",
  "half-sibling": "Half-sibling",
};

const columnsOf = (value: EventInput) => ({
  occurred_on: value.occurredOn,
  date_precision: value.datePrecision,
  event_type: value.eventType,
  what_happened: value.whatHappened,
  impact_on_child: value.impactOnChild,
  action_taken: value.actionTaken,
  significance: value.significance,
  neglect_types: value.neglectTypes,
  information_basis: value.informationBasis,
  visibility: value.visibility,
  restricted_to_roles: value.restrictedToRoles,
});
type EventColumns = ReturnType<typeof columnsOf>;

/** The audit row's { field: [before, after] } for each field that changed. */
const changesBetween = (before: EventColumns | null, after: EventInput) => {
  const next = columnsOf(after);
  const changes: Record<string, [unknown, unknown]> = {};
  for (const [key, value] of Object.entries(next)) {
    const old = before ? before[key as keyof EventColumns] : null;
    if (JSON.stringify(old) !== JSON.stringify(value)) changes[key] = [old, value];
  }
  return changes;
};

export class ChronologyRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<Exclude<keyof ChronologyRepository, never>, MethodAccess> = {
    addEvent: "guarded",
    amendEvent: "guarded",
    retractEvent: "guarded",
    getEvent: "guarded",
    getEventHistory: "guarded",
    childChronology: "guarded",
    familyChronology: "guarded",
    personForChronology: "guarded",
  };

  readonly #scope: RepositoryScope;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }

  /** The focal person, if the caller may open their record. */
  async #visibleChild(trx: Trx, personId: string) {
    const ctx = this.#scope.context;
    if (!ctx) return undefined;
    return trx
      .selectFrom("people")
      .select(["person_id", "given_names", "family_name", "kind", "date_of_birth", "expected_date_of_birth"])
      .where("partnership_id", "=", current)
      .where("person_id", "=", personId)
      .where(childVisibleTo(ctx, sql.ref("people.person_id")))
      .executeTakeFirst();
  }

  /**
   * Labels each member of the focal child's family (or just the child's own records) whose entries the
   * caller could see on that member's own chronology: the child-access rule applied to the member's record
   * or to a record it is merged into (as the kept record's chronology shows it), exactly as opening that
   * chronology would. A relationship or a household never opens someone else's record.
   * @returns The members shown, and how many members of the family are left out.
   */
  async #members(
    trx: Trx,
    personId: string,
    family: boolean,
  ): Promise<{ members: FamilyMember[]; hidden: number }> {
    // The family's ids first: planned inside the query below, the family's size was guessed at hundreds
    // and every person in the partnership was scanned (40-68 ms at 10,000 children) to find four.
    const ids = (
      await sql<{ person_id: string }>`${family ? familyOf(personId) : clusterOf(personId)}`.execute(trx)
    ).rows.map((row) => row.person_id);
    const ctx = this.#scope.context;
    const all = await trx
      .selectFrom("people")
      .select([
        "person_id",
        "given_names",
        "family_name",
        "kind",
        "date_of_birth",
        "expected_date_of_birth",
        "merged_into_person_id",
        sql<boolean>`exists (
          with recursive kept(person_id) as (
            select people.person_id
            union
            select up.merged_into_person_id from people up join kept on up.person_id = kept.person_id
            where up.partnership_id = hearth_current_partnership() and up.merged_into_person_id is not null
          )
          select 1 from kept where ${childVisibleTo(ctx, sql.ref("kept.person_id"))}
        )`.as("visible"),
      ])
      .where("partnership_id", "=", current)
      .where(idIn("person_id", ids))
      .execute();
    const people = all.filter((person) => person.visible);
    const hidden = all.filter((person) => !person.visible && !person.merged_into_person_id).length;
    // The child's records (as hearth_person_cluster gives them) are among `all`: the merges read from there
    // save a round trip. Relationships and households are then read for the ids already found: re-running
    // the family subquery made the planner (which takes a merge cluster for ~11 rows) scan both tables,
    // 13 to 19 ms each at 10,000 children.
    const cluster = new Set([personId]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const person of all) {
        const into = person.merged_into_person_id;
        if (into && cluster.has(into) && !cluster.has(person.person_id)) {
          cluster.add(person.person_id);
          grew = true;
        }
      }
    }
    const familyIds = all.map((person) => person.person_id);
    const relationships =
      family && familyIds.length > 0
        ? await trx
            .selectFrom("relationships")
            .select(["person_id", "related_person_id", "relationship_type"])
            .where("partnership_id", "=", current)
            .where("person_id", "in", familyIds)
            .where("related_person_id", "in", familyIds)
            .execute()
        : [];
    const memberships =
      family && familyIds.length > 0
        ? await trx
            .selectFrom("household_members")
            .select(["person_id", "household_role", "valid_from"])
            .where("partnership_id", "=", current)
            .where("person_id", "in", familyIds)
            .orderBy("valid_from", "desc")
            .execute()
        : [];
    const names = new Map(people.map((p) => [p.person_id, `${p.given_names} ${p.family_name}`]));
    const labelFor = (id: string): string => {
      if (cluster.has(id)) return "This child";
      const parts: string[] = [];
      const direct = relationships.find((r) => r.person_id === id && cluster.has(r.related_person_id));
      if (direct) parts.push(RELATIONSHIP_TYPES[direct.relationship_type]);
      else {
        const inverse = relationships.find((r) => r.related_person_id === id && cluster.has(r.person_id));
        if (inverse) parts.push(INVERSE_LABELS[inverse.relationship_type] ?? "Child of a carer");
        else {
          // Related to someone else in the family: say to whom ("Mother of Jayden Tamworth").
          const other = relationships.find((r) => r.person_id === id);
          const otherName = other && names.get(other.related_person_id);
          if (other && otherName)
            parts.push(`${RELATIONSHIP_TYPES[other.relationship_type]} of ${otherName}`);
        }
      }
      const membership = memberships.find((m) => m.person_id === id);
      if (membership && (membership.household_role === "other-adult" || parts.length === 0))
        parts.push(HOUSEHOLD_ROLES[membership.household_role as HouseholdRole]);
      return parts.join(" · ") || "Family member";
    };
    const members = people.map((p) => ({
      person_id: p.person_id,
      name: `${p.given_names} ${p.family_name}`,
      label: labelFor(p.person_id),
      kind: p.kind,
      date_of_birth: p.date_of_birth,
      expected_date_of_birth: p.expected_date_of_birth,
    }));
    // The focal child first, then adults, then children by age.
    const rank = (m: FamilyMember) => (cluster.has(m.person_id) ? 0 : m.kind === "adult" ? 1 : 2);
    members.sort(
      (a, b) =>
        rank(a) - rank(b) ||
        (a.date_of_birth ?? "9999").localeCompare(b.date_of_birth ?? "9999") ||
        a.name.localeCompare(b.name),
    );
    return { members, hidden };
  }

  /** The events query with its joins and the caller's visibility rule; callers add which events. */
  #eventsQuery(trx: Trx) {
    const ctx = this.#scope.context;
    return trx
      .selectFrom("chronology_events as e")
      .innerJoin("agencies as a", (join) =>
        join
          .onRef("a.partnership_id", "=", "e.partnership_id")
          .onRef("a.agency_id", "=", "e.source_agency_id"),
      )
      .leftJoin("users as u", (join) =>
        join.onRef("u.partnership_id", "=", "e.partnership_id").onRef("u.user_id", "=", "e.recorded_by"),
      )
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
      .where("e.partnership_id", "=", current)
      .where(
        eventVisibleTo(ctx, {
          visibility: sql.ref("e.visibility"),
          restrictedToRoles: sql.ref("e.restricted_to_roles"),
          sourceAgencyId: sql.ref("e.source_agency_id"),
        }),
      );
  }

  /** Only the version nobody has superseded, and only if it is not retracted. */
  static #currentOnly = sql<boolean>`not exists (
      select 1 from chronology_events s
      where s.partnership_id = e.partnership_id and s.supersedes_event_id = e.event_id
    ) and not exists (
      select 1 from chronology_retractions r
      where r.partnership_id = e.partnership_id and r.event_id = e.event_id
    )`;

  #mayChange(sourceAgencyId: string): boolean {
    const ctx = this.#scope.context;
    if (!ctx) return false;
    return ctx.role === "safeguarding-lead" || (mayRecord(ctx.role) && sourceAgencyId === ctx.agencyId);
  }

  #decorate(rows: (EventRow & Partial<SocialCareFields>)[], members: FamilyMember[]): ChronologyRow[] {
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
        age_at_event: person
          ? ageAt(person.date_of_birth, row.occurred_on, person.expected_date_of_birth)
          : "",
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
        may_change: this.#mayChange(row.source_agency_id),
        imported: row.import_id
          ? {
              text: `Imported from ${row.import_file_name ?? "a file"} (${(row.import_format && IMPORT_FORMATS[row.import_format]) ?? row.import_format}), ${formatDate(row.import_started_on)}`,
              href: row.import_visible ? `/imports/${row.import_id}` : null,
            }
          : null,
      };
    });
  }

  /**
   * Every entry the caller may see about these people, as one SQL relation: agencies' current chronology
   * entries (with the restricted-entry rule) and children's social care events, each only for a person
   * whose record the caller may open (the members are already so chosen; the predicate is repeated here
   * so the rule holds in the query itself).
   */
  #entries(memberIds: readonly string[]): RawBuilder<unknown> {
    const ctx = this.#scope.context;
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
      where e.partnership_id = hearth_current_partnership() and e.person_id in (${ids})
        and ${eventVisibleTo(ctx, {
          visibility: sql.ref("e.visibility"),
          restrictedToRoles: sql.ref("e.restricted_to_roles"),
          sourceAgencyId: sql.ref("e.source_agency_id"),
        })}
        and ${ChronologyRepository.#currentOnly}
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
      where c.partnership_id = hearth_current_partnership() and c.person_id in (${ids})
        and ${childVisibleTo(ctx, sql.ref("c.person_id"))}
    )`;
  }

  async #chronology(
    personId: string,
    filters: ChronologyFilters,
    family: boolean,
    purpose: ChronologyPurpose,
    paging?: ChronologyPage,
  ): Promise<Chronology | undefined> {
    if (!this.#scope.context) return undefined;
    return this.#scope.run(async (trx) => {
      const child = await this.#visibleChild(trx, personId);
      if (!child) return undefined;
      const { members, hidden } = await this.#members(trx, personId, family);
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
      const entries = this.#entries(memberIds);
      // The timeline's counts (and so the total) come from one grouped query, so a page reads only its rows.
      const counts = (
        await sql<{ month: string; person_id: string; agency_name: string; count: number }>`
          select to_char(x.occurred_on, 'YYYY-MM') as month, x.person_id, x.agency_name,
            count(*)::integer as count
          from ${entries} x where ${where}
          group by 1, 2, 3 order by 1, 2, 3`.execute(trx)
      ).rows;
      const total = counts.reduce((sum, row) => sum + row.count, 0);
      const perPage = paging ? Math.max(1, paging.perPage) : 0;
      const lastPage = perPage ? Math.max(1, Math.ceil(total / perPage)) : 1;
      const page = perPage ? Math.min(Math.max(1, Math.floor(paging?.page ?? 1)), lastPage) : 1;
      const limit = perPage ? sql`limit ${perPage} offset ${(page - 1) * perPage}` : sql``;
      const rows = (
        await sql<EventRow & SocialCareFields>`
          select x.* from ${entries} x where ${where}
          order by x.occurred_on, x.recorded_at, x.event_id ${limit}`.execute(trx)
      ).rows;
      const agencies = (
        await sql<{ agency_id: string; name: string }>`
          select distinct x.source_agency_id as agency_id, x.agency_name as name from ${entries} x
          where x.source_agency_id is not null order by 2`.execute(trx)
      ).rows;
      const filtersUsed = Object.fromEntries(Object.entries(filters).filter(([, v]) => v));
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: purpose, filters: filtersUsed, ...(perPage ? { page_number: page } : {}) },
      });
      // Every other person whose entries were shown was read too: each gets a view row of their own.
      const cluster = new Set(members.filter((m) => m.label === "This child").map((m) => m.person_id));
      const othersShown = [...new Set(rows.map((row) => row.person_id))].filter((id) => !cluster.has(id));
      for (const memberId of othersShown.sort()) {
        await this.#scope.audit(trx, {
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
        events: this.#decorate(rows, members),
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
    return this.#chronology(personId, filters, false, "chronology", paging);
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
    return this.#chronology(personId, filters, true, purpose, paging);
  }

  /**
   * The person whose chronology is asked for, if the caller may open their record, and whether the caller
   * may add entries to it. Reads only the person's name and dates (not the chronology), so it is not audited.
   * @returns undefined when there is no caller or they may not open the record.
   */
  personForChronology(personId: string): Promise<{ person: FamilyMember; mayRecord: boolean } | undefined> {
    const ctx = this.#scope.context;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const child = await this.#visibleChild(trx, personId);
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

  /**
   * One current entry in the focal child's family chronology, as the caller may see it.
   * @returns undefined if the caller may not open the child's record; `{ event: undefined }` if the
   * entry is not (or no longer) in the family chronology they can see.
   */
  getEvent(
    personId: string,
    eventId: string,
  ): Promise<{ child: FamilyMember; event: ChronologyRow | undefined } | undefined> {
    if (!this.#scope.context) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const child = await this.#visibleChild(trx, personId);
      if (!child) return undefined;
      const { members } = await this.#members(trx, personId, true);
      const row = await this.#eventsQuery(trx)
        .where("e.event_id", "=", eventId)
        .where(
          "e.person_id",
          "in",
          members.map((m) => m.person_id),
        )
        .where(ChronologyRepository.#currentOnly)
        .executeTakeFirst();
      const focal = members.find((m) => m.person_id === child.person_id);
      if (!focal) return undefined;
      if (row)
        await this.#scope.audit(trx, {
          action: "view",
          recordType: "chronology-event",
          recordId: eventId,
          details: { page: "chronology-event", person_id: personId },
        });
      return { child: focal, event: row ? this.#decorate([row], members)[0] : undefined };
    });
  }

  /**
   * Every version of an entry, and its retraction if any. Auditors and safeguarding leads only.
   * @param personId - The focal child, whose family the entry belongs to.
   * @param eventId - Any version of the entry.
   * @returns The history, or undefined if the caller may not see it.
   */
  getEventHistory(personId: string, eventId: string): Promise<EventHistory | undefined> {
    const ctx = this.#scope.context;
    if (!ctx || !seesSupersededEntries(ctx.role)) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const child = await this.#visibleChild(trx, personId);
      if (!child) return undefined;
      const { members } = await this.#members(trx, personId, true);
      const chain = await sql<{ event_id: string }>`
        with recursive up(event_id, supersedes_event_id) as (
          select event_id, supersedes_event_id from chronology_events
          where partnership_id = hearth_current_partnership() and event_id = ${eventId}::uuid
          union all
          select p.event_id, p.supersedes_event_id from chronology_events p
          join up on p.event_id = up.supersedes_event_id
          where p.partnership_id = hearth_current_partnership()
        ),
        down(event_id) as (
          select event_id from up where supersedes_event_id is null
          union all
          select n.event_id from chronology_events n
          join down on n.supersedes_event_id = down.event_id
          where n.partnership_id = hearth_current_partnership()
        )
        select event_id from down`.execute(trx);
      const ids = chain.rows.map((row) => row.event_id);
      if (ids.length === 0) return undefined;
      const rows = await this.#eventsQuery(trx)
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
        .leftJoin("users as u", (join) =>
          join.onRef("u.partnership_id", "=", "r.partnership_id").onRef("u.user_id", "=", "r.retracted_by"),
        )
        .select(["r.retracted_at", "u.display_name as retracted_by_name", "r.reason"])
        .where("r.partnership_id", "=", current)
        .where("r.event_id", "in", ids)
        .executeTakeFirst();
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "event-history", event_id: eventId },
      });
      const focal = members.find((m) => m.person_id === child.person_id);
      if (!focal) return undefined;
      return { child: focal, versions: this.#decorate(rows, members), retraction: retraction ?? null };
    });
  }

  /**
   * Adds an entry to a person's chronology, from the caller's agency.
   * @param personId - The child (or family member) the entry is about; the caller must be able to open their record.
   * @param input - The entry.
   * @returns The new entry's id, or a refusal naming the field at fault.
   */
  addEvent(personId: string, input: EventInput): Promise<ChangeResult<{ eventId: string }>> {
    const ctx = this.#scope.context;
    if (!ctx || !mayRecord(ctx.role))
      return Promise.resolve(refused("Your role cannot add chronology entries"));
    const checked = validateEventInput(input);
    if (!checked.ok) return Promise.resolve(checked);
    const value = checked.value;
    return this.#scope.run(async (trx) => {
      const child = await this.#visibleChild(trx, personId);
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
      await this.#scope.audit(trx, {
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
    const ctx = this.#scope.context;
    if (!ctx) return;
    await evaluateSignalsForFamilyOf(trx, {
      partnershipId: ctx.partnershipId,
      personId,
      trigger: "entry-recorded",
      firedBy: ctx.userId,
      audit: (entry) => this.#scope.audit(trx, entry),
    });
  }

  /** The current version of an entry the caller may change, or a refusal. */
  async #changeable(trx: Trx, eventId: string) {
    const ctx = this.#scope.context;
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
      .where("e.partnership_id", "=", current)
      .where("e.event_id", "=", eventId)
      .where(
        eventVisibleTo(ctx, {
          visibility: sql.ref("e.visibility"),
          restrictedToRoles: sql.ref("e.restricted_to_roles"),
          sourceAgencyId: sql.ref("e.source_agency_id"),
        }),
      )
      .executeTakeFirst();
    if (!row || !this.#mayChange(row.source_agency_id))
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
    const ctx = this.#scope.context;
    if (!ctx || !mayRecord(ctx.role))
      return Promise.resolve(refused("Your role cannot amend chronology entries"));
    const why = (reason ?? "").trim();
    if (!why) return Promise.resolve(refused("Enter the reason for the amendment", "reason"));
    if (why.length > MAX_REASON)
      return Promise.resolve(refused(`The reason must be ${MAX_REASON} characters or fewer`, "reason"));
    const checked = validateEventInput(input);
    if (!checked.ok) return Promise.resolve(checked);
    const value = checked.value;
    return this.#scope.run(async (trx) => {
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
      await this.#scope.audit(trx, {
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
    const ctx = this.#scope.context;
    if (!ctx || !mayRecord(ctx.role))
      return Promise.resolve(refused("Your role cannot retract chronology entries"));
    const why = (reason ?? "").trim();
    if (!why) return Promise.resolve(refused("Enter the reason for retracting this entry", "reason"));
    if (why.length > MAX_REASON)
      return Promise.resolve(refused(`The reason must be ${MAX_REASON} characters or fewer`, "reason"));
    return this.#scope.run(async (trx) => {
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
      await this.#scope.audit(trx, {
        action: "retract",
        recordType: "chronology-event",
        recordId: eventId,
        reason: why,
      });
      return done({ eventId });
    });
  }
}
