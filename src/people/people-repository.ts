// SPDX-License-Identifier: MIT
/**
 * People, families and households, agencies' involvements, break glass and merges. Every query adds the
 * child-access predicate in SQL (../data/child-access.ts); views and changes are audited in the same
 * transaction, and nothing is deleted: a merge is a row that can be reversed, an ended involvement keeps
 * its dates.
 */
import { sql } from "kysely";
import { todayInEngland, todayInEnglandSql } from "../chronology/dates.ts";
import type { AccessContext } from "../data/access-context.ts";
import {
  BREAK_GLASS_HOURS,
  childVisibleTo,
  mayBreakGlass,
  mayMergePeople,
  mayOpenChildRecords,
  mayRecord,
  notArchived,
  seesEveryChild,
} from "../data/child-access.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
  type Trx,
} from "../data/repository-scope.ts";
import type { NotificationKind } from "../notifications/codes.ts";
import { notify } from "../notifications/notify.ts";
import type {
  ConsentState,
  DisabilityCode,
  EthnicityCode,
  HouseholdRole,
  PersonKind,
  RelationshipType,
  SendStatus,
  SexCode,
  SharingBasis,
} from "./codes.ts";

/**
 * Linking two records joins their family chronologies, so a link needs both records open to the caller;
 * anyone else asks someone who can open both.
 */
const LINK_NEEDS_BOTH =
  "You can only link records you can open. Check the Hearth record number; if it is right, ask the front door or the child's lead professional to record this link.";

/** How alike two names must be (pg_trgm similarity, 0 to 1) to count as a match or a likely duplicate. */
const NAME_MATCH = 0.4;
const DUPLICATE_NAME_MATCH = 0.45;
const SEARCH_LIMIT = 50;

const today = () => todayInEngland();
const p = (column: string) => sql.ref(column);

export type PersonSearch = {
  name?: string | undefined;
  dateOfBirth?: string | undefined;
  nhsNumber?: string | undefined;
  upn?: string | undefined;
};

export type NewPerson = {
  kind: PersonKind;
  givenNames: string;
  familyName: string;
  dateOfBirth: string | null;
  expectedDateOfBirth: string | null;
  sex: SexCode;
  ethnicity: EthnicityCode | null;
  disabilities: DisabilityCode[];
  nhsNumber: string | null;
  upn: string | null;
  localId: string | null;
  sendStatus: SendStatus | null;
  youngCarer: boolean | null;
  firstLanguage: string | null;
};

export type NewInvolvement = {
  agencyId?: string | undefined;
  startedOn: string;
  isLeadAgency: boolean;
  sharingBasis: SharingBasis;
  consent: ConsentState;
  sharingReasoning: string | null;
};

export type PersonSummary = {
  person_id: string;
  kind: PersonKind;
  given_names: string;
  family_name: string;
  date_of_birth: string | null;
  expected_date_of_birth: string | null;
  merged_into_person_id: string | null;
};

/** The columns any search result or record shows to identify a person. */
const SUMMARY_COLUMNS = [
  "people.person_id",
  "people.kind",
  "people.given_names",
  "people.family_name",
  "people.date_of_birth",
  "people.expected_date_of_birth",
  "people.merged_into_person_id",
] as const;

export class PeopleRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<Exclude<keyof PeopleRepository, never>, MethodAccess> = {
    searchPeople: "guarded",
    findLikelyDuplicates: "guarded",
    createPerson: "guarded",
    getChildRecord: "guarded",
    knownTo: "guarded",
    historySummary: "guarded",
    acknowledgeHistory: "guarded",
    addInvolvement: "guarded",
    endInvolvement: "guarded",
    requestInvolvement: "guarded",
    listInvolvementRequestsForMe: "guarded",
    decideInvolvementRequest: "guarded",
    breakGlass: "guarded",
    listMyNotifications: "guarded",
    mergePeople: "guarded",
    undoMerge: "guarded",
    addHouseholdMember: "guarded",
    addRelationship: "guarded",
    listAgencyUsers: "guarded",
  };

  readonly #scope: RepositoryScope;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }

  get #ctx(): AccessContext | undefined {
    return this.#scope.context;
  }

  /** Whether the caller may open this person's record, evaluated in SQL. */
  #canOpen(trx: Trx, personId: string): Promise<boolean> {
    return this.#scope.canOpenRecord(trx, personId);
  }

  /** Whether the caller may open every one of these records (an unknown id, or another partnership's, is not open). */
  async #canOpenAll(trx: Trx, personIds: string[]): Promise<boolean> {
    for (const personId of new Set(personIds)) if (!(await this.#canOpen(trx, personId))) return false;
    return true;
  }

  /**
   * Finds people by name (typo-tolerant, over every name they have had), date of birth, NHS number or
   * UPN. Everyone who works with children may search, and sees who is known and to which agencies; whether
   * they can open the record is given per row. Analysts and administrators get nothing.
   * @param query - At least one criterion.
   */
  searchPeople(query: PersonSearch) {
    const ctx = this.#ctx;
    const name = query.name?.trim().toLowerCase() ?? "";
    const hasCriteria = name !== "" || !!query.dateOfBirth || !!query.nhsNumber || !!query.upn;
    if (!ctx || !mayOpenChildRecords(ctx.role) || !hasCriteria) return Promise.resolve([]);
    return this.#scope.run(async (trx) => {
      // First rank the matches cheaply (the trigram index finds names; a person's best name scores them),
      // then work out access and "known to" for the few that are shown.
      let matches = trx
        .selectFrom("people")
        .where(p("people.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("people.merged_into_person_id", "is", null)
        // A record archived after a retention review leaves search (src/retention); the auditor still reads it.
        .where(notArchived(p("people.person_id")));
      if (query.dateOfBirth) matches = matches.where("people.date_of_birth", "=", query.dateOfBirth);
      if (query.nhsNumber) matches = matches.where("people.nhs_number", "=", query.nhsNumber);
      if (query.upn) matches = matches.where("people.upn", "=", query.upn);
      const ranked =
        name === ""
          ? await matches
              .select(["people.person_id", sql<number>`1`.as("score")])
              .orderBy("people.family_name")
              .limit(SEARCH_LIMIT)
              .execute()
          : await matches
              // The trigram index through hearth_name_matches (0015): under row-level security the index is
              // never used, and every name in the partnership was scored. Its cut-off is NAME_MATCH (0.4),
              // raised from pg_trgm's 0.3: a typo or two in a full name still scores well above it, and a
              // common name no longer drags in thousands of weak candidates to rank.
              .innerJoin(
                sql<{ person_id: string; score: number }>`hearth_name_matches(${name})`.as("named"),
                (join) => join.onRef("named.person_id", "=", "people.person_id"),
              )
              .select(["people.person_id", "named.score"])
              .orderBy("named.score", "desc")
              .orderBy("people.family_name")
              .limit(SEARCH_LIMIT)
              .execute();
      const shown = ranked.filter((row) => name === "" || Number(row.score) >= NAME_MATCH || query.nhsNumber);
      const details =
        shown.length === 0
          ? []
          : await trx
              .selectFrom("people")
              .select([
                ...SUMMARY_COLUMNS,
                "people.sex",
                childVisibleTo(ctx, p("people.person_id")).as("can_open"),
                sql<string[]>`coalesce((select array_agg(distinct a.name order by a.name)
                    from hearth_person_cluster(people.person_id) c
                    join involvements i on i.partnership_id = people.partnership_id and i.person_id = c.person_id
                    join agencies a on a.partnership_id = i.partnership_id and a.agency_id = i.agency_id
                    where i.ended_on is null or i.ended_on >= ${todayInEnglandSql}), '{}')`.as("known_to"),
              ])
              .where(p("people.partnership_id"), "=", sql`hearth_current_partnership()`)
              .where(
                "people.person_id",
                "in",
                shown.map((row) => row.person_id),
              )
              .execute();
      const byId = new Map(details.map((row) => [row.person_id, row]));
      const rows = shown.flatMap((row) => {
        const person = byId.get(row.person_id);
        return person ? [{ ...person, score: Number(row.score) }] : [];
      });
      // An auditor finds only the children an audit round opens to them: they cannot ask to be involved.
      const found = ctx.role === "auditor" ? rows.filter((row) => row.can_open) : rows;
      await this.#scope.audit(trx, {
        action: "search",
        recordType: "person",
        recordId: "search",
        details: {
          criteria: Object.fromEntries(Object.entries(query).filter(([, value]) => value)),
          results: found.length,
        },
      });
      return found;
    });
  }

  /**
   * People who may be the same as the one about to be created: same NHS number or UPN, or a similar name
   * with the same date of birth.
   */
  findLikelyDuplicates(
    person: Pick<NewPerson, "givenNames" | "familyName" | "dateOfBirth" | "nhsNumber" | "upn">,
  ) {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve([]);
    const name = `${person.givenNames} ${person.familyName}`.trim().toLowerCase();
    return this.#scope.run((trx) =>
      trx
        .selectFrom("people")
        .select([...SUMMARY_COLUMNS, "people.nhs_number", "people.upn"])
        .where(p("people.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("people.merged_into_person_id", "is", null)
        .where((eb) =>
          eb.or([
            person.nhsNumber ? eb("people.nhs_number", "=", person.nhsNumber) : eb.val(false),
            person.upn ? eb("people.upn", "=", person.upn) : eb.val(false),
            person.dateOfBirth
              ? eb.and([
                  eb("people.date_of_birth", "=", person.dateOfBirth),
                  eb(
                    sql<number>`(select max(similarity(n.full_name, ${name})) from person_names n
                      where n.partnership_id = people.partnership_id and n.person_id = people.person_id)`,
                    ">=",
                    DUPLICATE_NAME_MATCH,
                  ),
                ])
              : eb.val(false),
          ]),
        )
        .limit(10)
        .execute(),
    );
  }

  /**
   * Adds a person. A child is added with the caller's agency's involvement, so the person who records a
   * child can go on to see them; the involvement states its basis for sharing.
   * @param person - Who they are.
   * @param involvement - The caller's agency's involvement (children only).
   */
  createPerson(
    person: NewPerson,
    involvement: NewInvolvement | null,
  ): Promise<ChangeResult<{ personId: string }>> {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot add people to Hearth"));
    if (person.kind === "child" && !involvement && !seesEveryChild(ctx.role)) {
      return Promise.resolve(refused("Say how your agency is involved with this child", "sharingBasis"));
    }
    return this.#scope.run(async (trx) => {
      const personId = crypto.randomUUID();
      await trx
        .insertInto("people")
        .values({
          partnership_id: ctx.partnershipId,
          person_id: personId,
          kind: person.kind,
          given_names: person.givenNames,
          family_name: person.familyName,
          date_of_birth: person.dateOfBirth,
          expected_date_of_birth: person.expectedDateOfBirth,
          sex: person.sex,
          ethnicity: person.ethnicity,
          disabilities: person.disabilities,
          nhs_number: person.nhsNumber,
          upn: person.upn,
          local_id: person.localId,
          send_status: person.sendStatus,
          young_carer: person.youngCarer,
          first_language: person.firstLanguage,
          created_by: ctx.userId,
        })
        .execute();
      await trx
        .insertInto("person_names")
        .values({
          partnership_id: ctx.partnershipId,
          name_id: crypto.randomUUID(),
          person_id: personId,
          given_names: person.givenNames,
          family_name: person.familyName,
          name_use: "current",
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "person",
        recordId: personId,
        details: Object.fromEntries(Object.entries(person).map(([key, value]) => [key, [null, value]])),
      });
      if (involvement)
        await this.#insertInvolvement(trx, ctx, personId, { ...involvement, agencyId: ctx.agencyId });
      return done({ personId });
    });
  }

  async #insertInvolvement(trx: Trx, ctx: AccessContext, personId: string, input: NewInvolvement) {
    const involvementId = crypto.randomUUID();
    const agencyId = input.agencyId ?? ctx.agencyId;
    await trx
      .insertInto("involvements")
      .values({
        partnership_id: ctx.partnershipId,
        involvement_id: involvementId,
        person_id: personId,
        agency_id: agencyId,
        started_on: input.startedOn,
        is_lead_agency: input.isLeadAgency,
        lead_professional_user_id: agencyId === ctx.agencyId && input.isLeadAgency ? ctx.userId : null,
        sharing_basis: input.sharingBasis,
        consent: input.consent,
        sharing_reasoning: input.sharingReasoning,
        created_by: ctx.userId,
      })
      .execute();
    await this.#scope.audit(trx, {
      action: "create",
      recordType: "involvement",
      recordId: involvementId,
      details: { person_id: personId, agency_id: agencyId, ...input },
    });
    return involvementId;
  }

  /**
   * A child's record as the caller may see it, audited as a view. Undefined if the caller may not open it
   * (see {@link knownTo} for what they may know instead).
   */
  getChildRecord(personId: string) {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return undefined;
      const person = await trx
        .selectFrom("people")
        .selectAll()
        .where(p("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("person_id", "=", personId)
        .executeTakeFirstOrThrow();
      const names = await trx
        .selectFrom("person_names")
        .select(["given_names", "family_name", "name_use", "recorded_at"])
        .where(p("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("person_id", "in", (eb) =>
          eb
            .selectFrom(sql`hearth_person_cluster(${personId})`.as("c"))
            .select(sql<string>`c.person_id`.as("person_id")),
        )
        .orderBy("recorded_at")
        .execute();
      const involvements = await trx
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
        .where(p("i.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where(sql<boolean>`i.person_id in (select person_id from hearth_person_cluster(${personId}))`)
        .orderBy(sql`i.ended_on is not null`)
        .orderBy("i.started_on", "desc")
        .execute();
      // A record the caller cannot open shows as a name and its link to this child, not its own details.
      const family = (await this.#family(trx, personId)).map((member) =>
        member.can_open ? member : { ...member, date_of_birth: null, expected_date_of_birth: null },
      );
      const households = await trx
        .selectFrom("household_members as m")
        .innerJoin("households as h", (j) =>
          j.onRef("h.partnership_id", "=", "m.partnership_id").onRef("h.household_id", "=", "m.household_id"),
        )
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
        .where(p("m.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("m.person_id", "=", personId)
        .orderBy("m.valid_from", "desc")
        .execute();
      const merges = await trx
        .selectFrom("person_merges as m")
        .innerJoin("people as other", (j) =>
          j
            .onRef("other.partnership_id", "=", "m.partnership_id")
            .onRef("other.person_id", "=", "m.merged_person_id"),
        )
        .select([
          "m.merge_id",
          "m.merged_person_id",
          "m.reason",
          "m.merged_at",
          "m.reversed_at",
          "other.given_names",
          "other.family_name",
        ])
        .where(p("m.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("m.kept_person_id", "=", personId)
        .orderBy("m.merged_at", "desc")
        .execute();
      const historyRead = await trx
        .selectFrom("history_reads")
        .select("read_at")
        .where(p("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("person_id", "=", personId)
        .where("user_id", "=", ctx.userId)
        .executeTakeFirst();
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "record" },
      });
      return {
        person,
        names,
        involvements,
        family,
        households,
        merges,
        historyReadAt: historyRead?.read_at ?? null,
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
          where r.partnership_id = hearth_current_partnership() and r.related_person_id in (select person_id from me)
        union all
        select r.related_person_id, case when r.relationship_type in ('mother','father','step-parent','parents-partner','kinship-carer','grandparent','other-significant-adult') then 'child-of-' || r.relationship_type else r.relationship_type end
          from relationships r
          where r.partnership_id = hearth_current_partnership() and r.person_id in (select person_id from me)
      ),
      housemates as (
        select other.person_id as other, other.household_role,
               bool_or(mine.valid_to is null and other.valid_to is null) as now
          from household_members mine
          join household_members other on other.partnership_id = mine.partnership_id
            and other.household_id = mine.household_id and other.person_id <> mine.person_id
          where mine.partnership_id = hearth_current_partnership() and mine.person_id in (select person_id from me)
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
             ${childVisibleTo(this.#ctx, sql.ref("p.person_id"))} as can_open
        from people p
        where p.partnership_id = hearth_current_partnership() and p.person_id in (select other from everyone)
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
    const ctx = this.#ctx;
    // Auditors cannot ask to be involved: a child no audit round opens to them is not theirs to know of.
    if (!ctx || !mayOpenChildRecords(ctx.role) || ctx.role === "auditor") return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const person = await trx
        .selectFrom("people")
        .select([...SUMMARY_COLUMNS])
        .where(p("people.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("people.person_id", "=", personId)
        .executeTakeFirst();
      if (!person) return undefined;
      const agencies = await trx
        .selectFrom("involvements as i")
        .innerJoin("agencies as a", (j) =>
          j.onRef("a.partnership_id", "=", "i.partnership_id").onRef("a.agency_id", "=", "i.agency_id"),
        )
        .select(["a.agency_id", "a.name", "i.is_lead_agency"])
        .where(p("i.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where(sql<boolean>`i.person_id in (select person_id from hearth_person_cluster(${personId}))`)
        .where((eb) => eb.or([eb("i.ended_on", "is", null), eb("i.ended_on", ">=", today())]))
        .orderBy("i.is_lead_agency", "desc")
        .orderBy("a.name")
        .execute();
      const pendingRequest = await trx
        .selectFrom("involvement_requests")
        .select(["request_id", "requested_at"])
        .where(p("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("person_id", "=", personId)
        .where("requesting_agency_id", "=", ctx.agencyId)
        .where("decided_at", "is", null)
        .executeTakeFirst();
      await this.#scope.audit(trx, {
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
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return undefined;
      const cluster = sql<boolean>`e.person_id in (select person_id from hearth_person_cluster(${personId}))`;
      const visibleEvent = sql<boolean>`(e.visibility = 'normal' or ${ctx.role} = any(e.restricted_to_roles) or e.source_agency_id = ${ctx.agencyId})
        and not exists (select 1 from chronology_events s where s.partnership_id = e.partnership_id and s.supersedes_event_id = e.event_id)
        and not exists (select 1 from chronology_retractions r where r.partnership_id = e.partnership_id and r.event_id = e.event_id)`;
      const base = trx
        .selectFrom("chronology_events as e")
        .innerJoin("agencies as a", (j) =>
          j
            .onRef("a.partnership_id", "=", "e.partnership_id")
            .onRef("a.agency_id", "=", "e.source_agency_id"),
        )
        .where(p("e.partnership_id"), "=", sql`hearth_current_partnership()`)
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
        .innerJoin("agencies as a", (j) =>
          j.onRef("a.partnership_id", "=", "i.partnership_id").onRef("a.agency_id", "=", "i.agency_id"),
        )
        .select(["a.name as agency_name", "i.started_on", "i.ended_on", "i.is_lead_agency"])
        .where(p("i.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where(sql<boolean>`i.person_id in (select person_id from hearth_person_cluster(${personId}))`)
        .orderBy("i.started_on")
        .execute();
      await this.#scope.audit(trx, {
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
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(false);
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return false;
      await trx
        .insertInto("history_reads")
        .values({ partnership_id: ctx.partnershipId, person_id: personId, user_id: ctx.userId })
        .onConflict((oc) => oc.columns(["partnership_id", "person_id", "user_id"]).doNothing())
        .execute();
      await this.#scope.audit(trx, {
        action: "acknowledge-history",
        recordType: "person",
        recordId: personId,
      });
      return true;
    });
  }

  /**
   * Records an agency's involvement with a child the caller can see. Practitioners and managers record
   * their own agency's; the front door and safeguarding leads may record any agency's.
   */
  addInvolvement(personId: string, input: NewInvolvement): Promise<ChangeResult<{ involvementId: string }>> {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot record involvements"));
    const agencyId = seesEveryChild(ctx.role) && input.agencyId ? input.agencyId : ctx.agencyId;
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId)))
        return refused("You do not have access to this child's record");
      const agency = await trx
        .selectFrom("agencies")
        .select("agency_id")
        .where(p("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("agency_id", "=", agencyId)
        .executeTakeFirst();
      if (!agency) return refused("Select the agency", "agencyId");
      const involvementId = await this.#insertInvolvement(trx, ctx, personId, { ...input, agencyId });
      return done({ involvementId });
    });
  }

  /** Ends an involvement (the row and its dates are kept). Its own agency or a safeguarding lead. */
  endInvolvement(involvementId: string, endedOn: string, reason: string): Promise<ChangeResult<null>> {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot end involvements"));
    return this.#scope.run(async (trx) => {
      const involvement = await trx
        .selectFrom("involvements")
        .select(["involvement_id", "agency_id", "started_on", "ended_on", "person_id"])
        .where(p("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("involvement_id", "=", involvementId)
        .where((eb) => (ctx.role === "safeguarding-lead" ? eb.val(true) : eb("agency_id", "=", ctx.agencyId)))
        .executeTakeFirst();
      if (!involvement) return refused("Only the agency involved can end its involvement");
      if (involvement.ended_on) return refused("This involvement has already ended");
      if (endedOn < involvement.started_on)
        return refused("The end date must be on or after the start date", "endedOn");
      await trx
        .updateTable("involvements")
        .set({ ended_on: endedOn })
        .where(p("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("involvement_id", "=", involvementId)
        .execute();
      await this.#scope.audit(trx, {
        action: "update",
        recordType: "involvement",
        recordId: involvementId,
        reason,
        details: { ended_on: [null, endedOn], person_id: involvement.person_id },
      });
      return done(null);
    });
  }

  /** The lead professionals and managers of the child's lead agency, and every safeguarding lead: who is told. */
  async #whoToTell(trx: Trx, personId: string): Promise<string[]> {
    const rows = await sql<{ user_id: string }>`
      select u.user_id from users u
        where u.partnership_id = hearth_current_partnership() and u.deactivated_at is null
          and (u.role = 'safeguarding-lead'
            or u.user_id in (select i.lead_professional_user_id from involvements i
                where i.partnership_id = hearth_current_partnership() and i.person_id = ${personId}
                  and i.is_lead_agency and (i.ended_on is null or i.ended_on >= ${todayInEnglandSql}))
            or (u.role = 'manager' and u.agency_id in (select i.agency_id from involvements i
                where i.partnership_id = hearth_current_partnership() and i.person_id = ${personId}
                  and i.is_lead_agency and (i.ended_on is null or i.ended_on >= ${todayInEnglandSql}))))`.execute(
      trx,
    );
    return rows.rows.map((row) => row.user_id);
  }

  async #notify(
    trx: Trx,
    recipients: string[],
    message: { kind: NotificationKind; subject: string; body: string; link: string; personId: string },
  ) {
    const ctx = this.#ctx;
    if (!ctx) return;
    await notify(trx, ctx.partnershipId, { ...message, recipients, actorUserId: ctx.userId });
  }

  /** Asks the child's lead agency for involvement; they and the safeguarding leads are told. */
  requestInvolvement(personId: string, reason: string): Promise<ChangeResult<{ requestId: string }>> {
    const ctx = this.#ctx;
    if (!ctx || !mayBreakGlass(ctx.role)) return Promise.resolve(refused("You cannot ask for involvement"));
    if (reason.trim().length === 0)
      return Promise.resolve(refused("Enter why your agency needs to be involved", "reason"));
    return this.#scope.run(async (trx) => {
      const person = await this.#personName(trx, personId);
      if (!person) return refused("This person is not known to Hearth");
      const requestId = crypto.randomUUID();
      await trx
        .insertInto("involvement_requests")
        .values({
          partnership_id: ctx.partnershipId,
          request_id: requestId,
          person_id: personId,
          requested_by: ctx.userId,
          requesting_agency_id: ctx.agencyId,
          reason,
        })
        .execute();
      await this.#notify(trx, await this.#whoToTell(trx, personId), {
        kind: "involvement-requested",
        personId,
        subject: `Request for involvement with ${person}`,
        body: `An agency asks to be involved with ${person}: ${reason}`,
        link: `/people/${personId}/involvement-requests/${requestId}`,
      });
      await this.#scope.audit(trx, {
        action: "request-involvement",
        recordType: "person",
        recordId: personId,
        reason,
      });
      return done({ requestId });
    });
  }

  async #personName(trx: Trx, personId: string): Promise<string | undefined> {
    const row = await trx
      .selectFrom("people")
      .select(["given_names", "family_name"])
      .where(p("partnership_id"), "=", sql`hearth_current_partnership()`)
      .where("person_id", "=", personId)
      .executeTakeFirst();
    return row ? `${row.given_names} ${row.family_name}` : undefined;
  }

  /** Requests the caller can decide: for children they can open, from other agencies, still open. */
  listInvolvementRequestsForMe() {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve([]);
    return this.#scope.run((trx) =>
      trx
        .selectFrom("involvement_requests as r")
        .innerJoin("people", (j) =>
          j
            .onRef("people.partnership_id", "=", "r.partnership_id")
            .onRef("people.person_id", "=", "r.person_id"),
        )
        .innerJoin("agencies as a", (j) =>
          j
            .onRef("a.partnership_id", "=", "r.partnership_id")
            .onRef("a.agency_id", "=", "r.requesting_agency_id"),
        )
        .select([
          "r.request_id",
          "r.person_id",
          "r.reason",
          "r.requested_at",
          "a.name as agency_name",
          "people.given_names",
          "people.family_name",
        ])
        .where(p("r.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("r.decided_at", "is", null)
        .where(childVisibleTo(ctx, p("r.person_id")))
        .orderBy("r.requested_at")
        .execute(),
    );
  }

  /** Grants (adding the requesting agency's involvement) or declines a request. */
  decideInvolvementRequest(
    requestId: string,
    decision: { grant: boolean; reason: string; sharingBasis: SharingBasis; consent: ConsentState },
  ): Promise<ChangeResult<null>> {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot decide requests"));
    if (decision.reason.trim() === "")
      return Promise.resolve(refused("Enter the reason for your decision", "reason"));
    return this.#scope.run(async (trx) => {
      const request = await trx
        .selectFrom("involvement_requests")
        .selectAll()
        .where(p("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("request_id", "=", requestId)
        .where("decided_at", "is", null)
        .executeTakeFirst();
      if (!request || !(await this.#canOpen(trx, request.person_id)))
        return refused("This request cannot be decided by you");
      await trx
        .updateTable("involvement_requests")
        .set({
          decided_at: new Date(),
          decided_by: ctx.userId,
          decision: decision.grant ? "granted" : "declined",
          decision_reason: decision.reason,
        })
        .where(p("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("request_id", "=", requestId)
        .execute();
      if (decision.grant) {
        await this.#insertInvolvement(trx, ctx, request.person_id, {
          agencyId: request.requesting_agency_id,
          startedOn: today(),
          isLeadAgency: false,
          sharingBasis: decision.sharingBasis,
          consent: decision.consent,
          sharingReasoning: decision.reason,
        });
      }
      await this.#notify(trx, [request.requested_by], {
        kind: "involvement-decided",
        personId: request.person_id,
        subject: decision.grant
          ? "Your request for involvement was granted"
          : "Your request for involvement was declined",
        body: decision.reason,
        link: `/people/${request.person_id}`,
      });
      await this.#scope.audit(trx, {
        action: decision.grant ? "grant-involvement" : "decline-involvement",
        recordType: "person",
        recordId: request.person_id,
        reason: decision.reason,
        details: { request_id: requestId },
      });
      return done(null);
    });
  }

  /**
   * Opens a child's record without an involvement, for a stated reason, for {@link BREAK_GLASS_HOURS}
   * hours. Audited with the reason; the child's lead agency and every safeguarding lead are told.
   */
  breakGlass(personId: string, reason: string): Promise<ChangeResult<{ expiresAt: Date }>> {
    const ctx = this.#ctx;
    if (!ctx || !mayBreakGlass(ctx.role))
      return Promise.resolve(refused("You cannot use break glass access"));
    if (reason.trim().length < 10) {
      return Promise.resolve(
        refused("Enter the reason you need to see this record now (at least 10 characters)", "reason"),
      );
    }
    return this.#scope.run(async (trx) => {
      const person = await this.#personName(trx, personId);
      if (!person) return refused("This person is not known to Hearth");
      const expiresAt = new Date(Date.now() + BREAK_GLASS_HOURS * 3600_000);
      const breakGlassId = crypto.randomUUID();
      await trx
        .insertInto("break_glass")
        .values({
          partnership_id: ctx.partnershipId,
          break_glass_id: breakGlassId,
          person_id: personId,
          user_id: ctx.userId,
          agency_id: ctx.agencyId,
          reason: reason.trim(),
          expires_at: expiresAt,
        })
        .execute();
      const recipients = (await this.#whoToTell(trx, personId)).filter((id) => id !== ctx.userId);
      // Who broke glass goes in the subject (it names staff, not the child); the child and the reason
      // stay in the body, read inside Hearth. Safeguarding leads must acknowledge it.
      const who = await trx
        .selectFrom("users as u")
        .innerJoin("agencies as a", (j) =>
          j.onRef("a.partnership_id", "=", "u.partnership_id").onRef("a.agency_id", "=", "u.agency_id"),
        )
        .select(["u.display_name", "a.name"])
        .where(p("u.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("u.user_id", "=", ctx.userId)
        .executeTakeFirst();
      const breaker = who ? `${who.display_name} (${who.name})` : "A user";
      await this.#notify(trx, recipients, {
        kind: "break-glass",
        personId,
        subject: `Break glass: ${breaker} opened a child's record without an involvement`,
        body: `${breaker} opened ${person}'s record without an involvement, for ${BREAK_GLASS_HOURS} hours. Reason given: ${reason.trim()}`,
        link: `/people/${personId}`,
      });
      await this.#scope.audit(trx, {
        action: "break-glass",
        recordType: "person",
        recordId: personId,
        reason: reason.trim(),
        details: {
          break_glass_id: breakGlassId,
          expires_at: expiresAt.toISOString(),
          told: recipients.length,
        },
      });
      return done({ expiresAt });
    });
  }

  /** The caller's notifications, newest first. */
  listMyNotifications() {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve([]);
    return this.#scope.run((trx) =>
      trx
        .selectFrom("notifications")
        .select(["notification_id", "created_at", "subject", "body", "link", "read_at"])
        .where(p("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("recipient_user_id", "=", ctx.userId)
        .orderBy("created_at", "desc")
        .limit(20)
        .execute(),
    );
  }

  /**
   * Merges a duplicate record into the one kept. Nothing moves: the duplicate is marked as merged, and
   * every query reads a person together with the records merged into them, so undoing is one step.
   */
  mergePeople(
    keptPersonId: string,
    mergedPersonId: string,
    reason: string,
  ): Promise<ChangeResult<{ mergeId: string }>> {
    const ctx = this.#ctx;
    if (!ctx || !mayMergePeople(ctx.role))
      return Promise.resolve(refused("Only a safeguarding lead can merge records"));
    if (reason.trim() === "")
      return Promise.resolve(refused("Enter why these are the same person", "reason"));
    if (keptPersonId === mergedPersonId)
      return Promise.resolve(refused("Choose two different records", "mergedPersonId"));
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpenAll(trx, [keptPersonId, mergedPersonId])))
        return deniedAccess(LINK_NEEDS_BOTH, "mergedPersonId");
      const pair = await trx
        .selectFrom("people")
        .select(["person_id", "kind", "merged_into_person_id"])
        .where(p("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("person_id", "in", [keptPersonId, mergedPersonId])
        .execute();
      if (pair.length !== 2) return refused("Both records must exist", "mergedPersonId");
      if (pair.some((row) => row.merged_into_person_id))
        return refused("One of these records is already merged", "mergedPersonId");
      const mergeId = crypto.randomUUID();
      await trx
        .updateTable("people")
        .set({ merged_into_person_id: keptPersonId })
        .where(p("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("person_id", "=", mergedPersonId)
        .execute();
      await trx
        .insertInto("person_merges")
        .values({
          partnership_id: ctx.partnershipId,
          merge_id: mergeId,
          kept_person_id: keptPersonId,
          merged_person_id: mergedPersonId,
          reason,
          merged_by: ctx.userId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "merge",
        recordType: "person",
        recordId: keptPersonId,
        reason,
        details: { merge_id: mergeId, merged_person_id: mergedPersonId },
      });
      return done({ mergeId });
    });
  }

  /** Reverses a merge: the duplicate becomes a record of its own again, with everything it had. */
  undoMerge(mergeId: string, reason: string): Promise<ChangeResult<null>> {
    const ctx = this.#ctx;
    if (!ctx || !mayMergePeople(ctx.role))
      return Promise.resolve(refused("Only a safeguarding lead can undo a merge"));
    if (reason.trim() === "")
      return Promise.resolve(refused("Enter why this merge is being undone", "reason"));
    return this.#scope.run(async (trx) => {
      const merge = await trx
        .selectFrom("person_merges")
        .selectAll()
        .where(p("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("merge_id", "=", mergeId)
        .where("reversed_at", "is", null)
        .executeTakeFirst();
      if (!merge) return refused("This merge does not exist or has already been undone");
      await trx
        .updateTable("people")
        .set({ merged_into_person_id: null })
        .where(p("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("person_id", "=", merge.merged_person_id)
        .execute();
      await trx
        .updateTable("person_merges")
        .set({ reversed_at: new Date(), reversed_by: ctx.userId, reversal_reason: reason })
        .where(p("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("merge_id", "=", mergeId)
        .execute();
      await this.#scope.audit(trx, {
        action: "undo-merge",
        recordType: "person",
        recordId: merge.kept_person_id,
        reason,
        details: { merge_id: mergeId, merged_person_id: merge.merged_person_id },
      });
      return done(null);
    });
  }

  /** Records that a person lived in a household from a date (and, if known, until one). */
  addHouseholdMember(input: {
    personId: string;
    householdId?: string | undefined;
    address?:
      | {
          addressLine: string;
          town: string | null;
          postcode: string | null;
          ward: string | null;
          lsoa: string | null;
        }
      | undefined;
    householdRole: HouseholdRole;
    validFrom: string;
    validTo: string | null;
  }): Promise<ChangeResult<{ householdId: string }>> {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot change households"));
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, input.personId))) return deniedAccess(LINK_NEEDS_BOTH, "personId");
      let householdId = input.householdId;
      if (householdId) {
        // Joining a household links the person with everyone who lived there at the same time.
        const household = await trx
          .selectFrom("households")
          .select("household_id")
          .where(p("partnership_id"), "=", sql`hearth_current_partnership()`)
          .where("household_id", "=", householdId)
          .executeTakeFirst();
        if (!household) return deniedAccess(LINK_NEEDS_BOTH, "householdId");
        const housemates = await trx
          .selectFrom("household_members")
          .select("person_id")
          .where(p("partnership_id"), "=", sql`hearth_current_partnership()`)
          .where("household_id", "=", householdId)
          .where(sql<boolean>`valid_from <= coalesce(${input.validTo}::date, 'infinity'::date)`)
          .where(sql<boolean>`${input.validFrom}::date <= coalesce(valid_to, 'infinity'::date)`)
          .execute();
        if (
          !(await this.#canOpenAll(
            trx,
            housemates.map((row) => row.person_id),
          ))
        )
          return deniedAccess(LINK_NEEDS_BOTH, "householdId");
      } else {
        if (!input.address) return refused("Enter the address", "addressLine");
        householdId = crypto.randomUUID();
        await trx
          .insertInto("households")
          .values({
            partnership_id: ctx.partnershipId,
            household_id: householdId,
            address_line: input.address.addressLine,
            town: input.address.town,
            postcode: input.address.postcode,
            ward: input.address.ward,
            lsoa: input.address.lsoa,
          })
          .execute();
      }
      const membershipId = crypto.randomUUID();
      await trx
        .insertInto("household_members")
        .values({
          partnership_id: ctx.partnershipId,
          membership_id: membershipId,
          household_id: householdId,
          person_id: input.personId,
          household_role: input.householdRole,
          valid_from: input.validFrom,
          valid_to: input.validTo,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "household-member",
        recordId: membershipId,
        details: { ...input, householdId },
      });
      return done({ householdId });
    });
  }

  /** Records how two people are related: "person is <type> of related person". */
  addRelationship(input: {
    personId: string;
    relatedPersonId: string;
    relationshipType: RelationshipType;
    parentalResponsibility: boolean;
    validFrom: string | null;
  }): Promise<ChangeResult<{ relationshipId: string }>> {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot change relationships"));
    if (input.personId === input.relatedPersonId)
      return Promise.resolve(refused("Choose two different people", "relatedPersonId"));
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpenAll(trx, [input.personId, input.relatedPersonId])))
        return deniedAccess(LINK_NEEDS_BOTH, "relatedPersonId");
      const relationshipId = crypto.randomUUID();
      await trx
        .insertInto("relationships")
        .values({
          partnership_id: ctx.partnershipId,
          relationship_id: relationshipId,
          person_id: input.personId,
          related_person_id: input.relatedPersonId,
          relationship_type: input.relationshipType,
          parental_responsibility: input.parentalResponsibility,
          valid_from: input.validFrom,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "relationship",
        recordId: relationshipId,
        details: input,
      });
      return done({ relationshipId });
    });
  }

  /** Active practitioners and managers of an agency, to choose a lead professional from. */
  listAgencyUsers(agencyId: string) {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve([]);
    return this.#scope.run((trx) =>
      trx
        .selectFrom("users")
        .select(["user_id", "display_name", "role"])
        .where(p("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("agency_id", "=", agencyId)
        .where("deactivated_at", "is", null)
        .where("role", "in", ["practitioner", "manager"])
        .orderBy("display_name")
        .execute(),
    );
  }
}
