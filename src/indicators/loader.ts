// SPDX-License-Identifier: MIT
/**
 * Reads the partnership's records for the indicator model: children with their wards, social care
 * events, early help, requests for support, chronology entries (current versions, not retracted),
 * involvements, levels of need, completed neglect assessments and learning records, built into children
 * by child-models.ts. Runs inside the caller's partnership scope; it reads records only to count them,
 * and the repository decides which children a caller may see.
 */
import { sql } from "kysely";
import { currentOnlyReadingAll } from "../chronology/current-entries.ts";
import { notArchived } from "../data/child-access.ts";
import type { Trx } from "../data/repository-scope.ts";
import { currentPartnership, onKey } from "../kernel/sql.ts";
import {
  buildChildren,
  type ChildRecords,
  CODED,
  ownerOf,
  type PersonRow,
  parseRecords,
} from "./child-models.ts";
import { readCodedTexts } from "./coded-rows.ts";
import type { ChildModel } from "./model.ts";

/**
 * Reads the records of every child of the caller's partnership, or of some.
 * @param trx - A transaction in the caller's partnership scope.
 * @param personIds - Only these children (a manager's own), or undefined for all.
 * @param onRead - Told each table's records as they arrive, before the next is read.
 */
export const readChildRecords = async (
  trx: Trx,
  personIds?: readonly string[],
  onRead?: <K extends keyof ChildRecords>(table: K, records: ChildRecords[K]) => void,
): Promise<ChildRecords> => {
  const only = (ids: readonly string[] | undefined, column: string) =>
    ids ? sql<boolean>`${sql.ref(column)} = any(${ids as string[]}::uuid[])` : sql<boolean>`true`;
  const told = <K extends keyof ChildRecords>(table: K, records: Promise<ChildRecords[K]>) =>
    onRead
      ? records.then((r) => {
          onRead(table, r);
          return r;
        })
      : records;
  // Each child with its current ward (from the household they joined most recently, in one pass over
  // the household memberships rather than a lookup per child), as JSON in 16 rows: read as rows, 100,000
  // children and their wards took 3.4 to 4 s on PGlite, most of it the driver's, and 1.5 to 2.2 s so. In
  // one order, so each unit's place in the computation (and so its stored digest) is the same from one
  // recount to the next.
  const people = await told(
    "people",
    sql<{ head: string; items: string }>`select substr(p.person_id::text, 1, 1) as head,
        json_agg(json_build_array(p.person_id, p.date_of_birth, p.expected_date_of_birth, p.sex, p.ethnicity,
          p.disabilities, w.ward) order by p.person_id)::text as items
      from people p
      left join (
        select distinct on (m.person_id) m.person_id, h.ward
        from household_members m
        join households h on h.partnership_id = m.partnership_id and h.household_id = m.household_id
        where m.partnership_id = ${currentPartnership} and m.valid_to is null
          and ${only(personIds, "m.person_id")}
        order by m.person_id, m.valid_from desc
      ) w on w.person_id = p.person_id
      where p.partnership_id = ${currentPartnership} and p.kind = 'child'
        and p.merged_into_person_id is null
        -- A record archived after a retention review leaves the indicators (src/retention).
        and ${notArchived(sql.ref("p.person_id"), personIds ? "some" : "all")}
        and ${only(personIds, "p.person_id")}
      group by substr(p.person_id::text, 1, 1)
      order by substr(p.person_id::text, 1, 1)`
      .execute(trx)
      .then(({ rows }) => rows),
  );
  const merged = await told(
    "merged",
    trx
      .selectFrom("people")
      .select(["person_id", "merged_into_person_id"])
      .where("merged_into_person_id", "is not", null)
      .execute(),
  );
  // With only some children asked for, the records read are theirs and those of records merged into
  // them (a recount of the few children whose records changed reads no one else's).
  let related: string[] | undefined;
  if (personIds) {
    const owner = ownerOf(merged);
    const kept = new Set(people.flatMap((part) => (JSON.parse(part.items) as PersonRow[]).map((p) => p[0])));
    related = [...kept, ...merged.map((m) => m.person_id).filter((id) => kept.has(owner(id)))];
  }
  const [events, earlyHelp, requests, chronology, involvements, levels, assessments, users, learning] =
    await Promise.all([
      told(
        "events",
        readCodedTexts(
          trx,
          "person_id",
          CODED.events,
          sql`from csc_events where partnership_id = ${currentPartnership} and ${only(related, "person_id")}`,
          "occurred_on",
        ),
      ),
      told(
        "earlyHelp",
        trx
          .selectFrom("early_help")
          .select(["person_id", "early_help_id", "started_on", "ended_on", "lead_user_id"])
          .where(only(related, "person_id"))
          .execute(),
      ),
      told(
        "requests",
        trx
          .selectFrom("support_requests")
          .select(["person_id", "received_on", "decided_on", "outcome", "episode_id"])
          .where(only(related, "person_id"))
          .execute(),
      ),
      told(
        "chronology",
        readCodedTexts(
          trx,
          "e.person_id",
          CODED.chronology,
          sql`from chronology_events e
            join agencies a on a.partnership_id = e.partnership_id and a.agency_id = e.source_agency_id
            where e.partnership_id = ${currentPartnership} and ${only(related, "e.person_id")}
              and ${currentOnlyReadingAll}`,
          "e.occurred_on",
        ),
      ),
      told(
        "involvements",
        readCodedTexts(
          trx,
          "i.person_id",
          CODED.involvements,
          sql`from involvements i
            join agencies a on a.partnership_id = i.partnership_id and a.agency_id = i.agency_id
            where i.partnership_id = ${currentPartnership} and ${only(related, "i.person_id")}`,
        ),
      ),
      told(
        "levels",
        trx
          .selectFrom("level_decisions")
          .select(["person_id", "decided_on", "chosen_level"])
          .where(only(related, "person_id"))
          .orderBy("decided_on")
          .execute(),
      ),
      told(
        "assessments",
        trx
          .selectFrom("assessments as x")
          .innerJoin("assessment_tool_versions as v", (j) =>
            onKey(j, "v.tool_version_id", "x.tool_version_id"),
          )
          .select(["x.person_id", "x.assessed_on", "x.status", "x.results", "v.tool_id"])
          .where("x.status", "in", ["submitted", "signed-off"])
          .where(only(related, "x.person_id"))
          .execute(),
      ),
      told("users", trx.selectFrom("users").select(["user_id", "team_id"]).execute()),
      // Learning (issue 15): agreed audit grades, audit actions, feedback scores, per child.
      told(
        "learning",
        sql<{ person_id: string; items: string }>`select person_id,
            json_agg(json_build_object('kind', kind, 'd1', d1, 'd2', d2, 'v', v, 'n', n))::text as items
          from (
            select m.person_id, 'audit' as kind, (m.moderated_at at time zone 'Europe/London')::date as d1,
                   null::date as d2, m.agreed_grade as v, null::float8 as n
              from audit_moderations m
             where m.partnership_id = ${currentPartnership} and ${only(related, "m.person_id")}
               and m.version = (select max(x.version) from audit_moderations x where x.partnership_id = m.partnership_id
                 and x.round_id = m.round_id and x.person_id = m.person_id)
            union all
            select a.person_id, 'action', a.due_on, c.completed_on, null, null
              from audit_actions a
              left join audit_action_completions c on c.partnership_id = a.partnership_id and c.action_id = a.action_id
             where a.partnership_id = ${currentPartnership} and ${only(related, "a.person_id")}
            union all
            select f.person_id, 'feedback', (f.submitted_at at time zone 'Europe/London')::date, null, f.version,
                   (select avg(value::float8) from jsonb_each_text(f.answers))
              from feedback_responses f
             where f.partnership_id = ${currentPartnership} and ${only(related, "f.person_id")}
          ) l group by person_id`
          .execute(trx)
          .then(({ rows }) => rows),
      ),
    ]);
  return {
    people,
    merged,
    events,
    earlyHelp,
    requests,
    chronology,
    involvements,
    levels,
    assessments: assessments as ChildRecords["assessments"],
    users,
    learning,
  };
};

/**
 * Loads every child of the caller's partnership into the model.
 * @param trx - A transaction in the caller's partnership scope.
 * @param personIds - Only these children (a manager's own), or undefined for all.
 */
export const loadChildren = async (trx: Trx, personIds?: readonly string[]): Promise<ChildModel[]> => {
  if (personIds && personIds.length === 0) return [];
  return buildChildren(parseRecords(await readChildRecords(trx, personIds)));
};

/** One of a child's learning records, as the loader reads them (see LearningModel). */
