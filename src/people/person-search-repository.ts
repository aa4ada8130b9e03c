// SPDX-License-Identifier: MIT
/**
 * Finding people (typo-tolerant names, dates of birth, NHS numbers, UPNs), likely duplicates of a new
 * record, and adding a person with the caller's agency's involvement. Searches and changes are audited in
 * the same transaction.
 */
import { sql } from "kysely";
import { AreaRepository } from "../data/area-repository.ts";
import {
  childVisibleTo,
  mayOpenChildRecords,
  mayRecord,
  notArchived,
  seesEveryChild,
} from "../data/child-access.ts";
import { type ChangeResult, done, type MethodAccess, refused } from "../data/repository-scope.ts";
import { todayInEnglandSql } from "../kernel/calendar.ts";
import { currentPartnership } from "../kernel/sql.ts";
import { insertCurrentName, insertInvolvement, p, SUMMARY_COLUMNS } from "./people-records.ts";
import type { NewInvolvement, NewPerson, PersonSearch } from "./people-types.ts";

/** How alike two names must be (pg_trgm similarity, 0 to 1) to count as a match or a likely duplicate. */
const NAME_MATCH = 0.4;
const DUPLICATE_NAME_MATCH = 0.45;
/** pg_trgm's word similarity at which a query is found inside a longer name (its default, `<%`). */
const WORD_MATCH = 0.6;
const SEARCH_LIMIT = 50;

/** Finding people, and adding a person. */
export class PersonSearchRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof PersonSearchRepository, MethodAccess> = {
    searchPeople: "guarded",
    findLikelyDuplicates: "guarded",
    createPerson: "guarded",
  };

  /**
   * Finds people by name (typo-tolerant, over every name they have had), date of birth, NHS number or
   * UPN. Everyone who works with children may search, and sees who is known and to which agencies; whether
   * they can open the record is given per row. Analysts and administrators get nothing.
   * @param query - At least one criterion.
   */
  searchPeople(query: PersonSearch) {
    const ctx = this.ctx;
    const name = query.name?.trim().toLowerCase() ?? "";
    const hasCriteria = name !== "" || !!query.dateOfBirth || !!query.nhsNumber || !!query.upn;
    if (!ctx || !mayOpenChildRecords(ctx.role) || !hasCriteria) return Promise.resolve([]);
    return this.scope.run(async (trx) => {
      // First rank the matches cheaply (the trigram index finds names; a person's best name scores them),
      // then work out access and "known to" for the few that are shown.
      let matches = trx
        .selectFrom("people")
        .where(p("people.partnership_id"), "=", currentPartnership)
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
              // The trigram index through hearth_name_matches (0015, 0039): under row-level security the index
              // is never used, and every name in the partnership was scored. Its cut-off is NAME_MATCH (0.4),
              // raised from pg_trgm's 0.3: a typo or two in a full name still scores well above it, and a
              // common name no longer drags in thousands of weak candidates to rank. With an NHS number the
              // one person it names is shown whatever the score, so their names are scored here with the
              // wider test (similar, or the query word-similar: a family name alone still finds them).
              .innerJoin(
                (query.nhsNumber
                  ? sql<{
                      person_id: string;
                      score: number;
                    }>`(select n.person_id, max(similarity(n.full_name, ${name})) as score
                      from person_names n join people x on x.partnership_id = n.partnership_id and x.person_id = n.person_id
                      where n.partnership_id = ${currentPartnership} and x.nhs_number = ${query.nhsNumber}
                        and (similarity(n.full_name, ${name}) >= ${NAME_MATCH} or word_similarity(${name}, n.full_name) >= ${WORD_MATCH})
                      group by n.person_id)`
                  : sql<{ person_id: string; score: number }>`hearth_name_matches(${name})`
                ).as("named"),
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
              .where(p("people.partnership_id"), "=", currentPartnership)
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
      await this.scope.audit(trx, {
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
   * with the same date of birth. Like search, it shows who is known (name and date of birth); their NHS
   * number and UPN only where the caller may open their record. Audited as the search it is.
   */
  findLikelyDuplicates(
    person: Pick<NewPerson, "givenNames" | "familyName" | "dateOfBirth" | "nhsNumber" | "upn">,
  ) {
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve([]);
    const name = `${person.givenNames} ${person.familyName}`.trim().toLowerCase();
    return this.scope.run(async (trx) => {
      const rows = await trx
        .selectFrom("people")
        .select([
          ...SUMMARY_COLUMNS,
          "people.nhs_number",
          "people.upn",
          childVisibleTo(ctx, p("people.person_id")).as("can_open"),
        ])
        .where(p("people.partnership_id"), "=", currentPartnership)
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
        .execute();
      await this.scope.audit(trx, {
        action: "search",
        recordType: "person",
        recordId: "search",
        details: {
          purpose: "likely-duplicates",
          criteria: Object.fromEntries(
            (["givenNames", "familyName", "dateOfBirth", "nhsNumber", "upn"] as const)
              .filter((key) => person[key])
              .map((key) => [key, person[key]]),
          ),
          results: rows.length,
        },
      });
      return rows.map(({ can_open, ...row }) => ({
        ...row,
        nhs_number: can_open ? row.nhs_number : null,
        upn: can_open ? row.upn : null,
      }));
    });
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
    const ctx = this.ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot add people to Hearth"));
    if (person.kind === "child" && !involvement && !seesEveryChild(ctx.role)) {
      return Promise.resolve(refused("Say how your agency is involved with this child", "sharingBasis"));
    }
    return this.scope.run(async (trx) => {
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
      await insertCurrentName(trx, ctx, personId, person);
      await this.scope.audit(trx, {
        action: "create",
        recordType: "person",
        recordId: personId,
        details: Object.fromEntries(Object.entries(person).map(([key, value]) => [key, [null, value]])),
      });
      if (involvement)
        await insertInvolvement(trx, this.scope, ctx, personId, { ...involvement, agencyId: ctx.agencyId });
      return done({ personId });
    });
  }
}
