// SPDX-License-Identifier: MIT
/**
 * Who a chronology is about: the focal child, if the caller may open their record, and the members of
 * their family (or just the child's own merged records) whose entries the caller could see, each labelled
 * by how they stand to the child. Shared by the chronology's sub-area repositories; none of it is reachable
 * from `request.repo` on its own.
 */
import { type RawBuilder, sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import type { AccessContext } from "../data/access-context.ts";
import { childVisibleTo } from "../data/child-access.ts";
import { idIn } from "../data/id-list.ts";
import type { Trx } from "../data/repository-scope.ts";
import { currentPartnership, personCluster } from "../kernel/sql.ts";
import {
  HOUSEHOLD_ROLES,
  type HouseholdRole,
  RELATIONSHIP_TYPES,
  type RelationshipType,
} from "../people/codes.ts";
import type { FamilyMember } from "./chronology-types.ts";

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
    where fa.partnership_id = ${currentPartnership} and fa.person_id in ${personCluster(personId)}
  union
  select mc.person_id
    from relationships fr cross join lateral hearth_person_cluster(fr.related_person_id) mc
    where fr.partnership_id = ${currentPartnership} and fr.person_id in ${personCluster(personId)}
  union
  select mc.person_id
    from relationships fr cross join lateral hearth_person_cluster(fr.person_id) mc
    where fr.partnership_id = ${currentPartnership} and fr.related_person_id in ${personCluster(personId)}
)`;

/** How the focal child stands to someone else, read the other way round ("the child is X's sibling"). */
const INVERSE_LABELS: Partial<Record<RelationshipType, string>> = {
  sibling: "Sibling",
  "half-sibling": "Half-sibling",
};

/**
 * SQL: the caller may open this person's record, or a record it is merged into (as the kept record's
 * chronology shows its entries): whose entries the caller may read and, if theirs, change.
 */
export const openableThroughMerges = (ctx: AccessContext | undefined, personId: RawBuilder<unknown>) =>
  sql<boolean>`exists (
    with recursive kept(person_id) as (
      select ${personId}
      union
      select up.merged_into_person_id from people up join kept on up.person_id = kept.person_id
      where up.partnership_id = ${currentPartnership} and up.merged_into_person_id is not null
    )
    select 1 from kept where ${childVisibleTo(ctx, sql.ref("kept.person_id"))}
  )`;

/** The focal person, if the caller may open their record. */
export const visibleChild = async (trx: Trx, ctx: AccessContext | undefined, personId: string) => {
  if (!ctx) return undefined;
  return trx
    .selectFrom("people")
    .select(["person_id", "given_names", "family_name", "kind", "date_of_birth", "expected_date_of_birth"])
    .where("partnership_id", "=", currentPartnership)
    .where("person_id", "=", personId)
    .where(childVisibleTo(ctx, sql.ref("people.person_id")))
    .executeTakeFirst();
};

/**
 * Labels each member of the focal child's family (or just the child's own records) whose entries the
 * caller could see on that member's own chronology: the child-access rule applied to the member's record
 * or to a record it is merged into (as the kept record's chronology shows it), exactly as opening that
 * chronology would. A relationship or a household never opens someone else's record.
 * @returns The members shown, and how many members of the family are left out.
 */
export const familyMembers = async (
  trx: Trx,
  ctx: AccessContext | undefined,
  personId: string,
  family: boolean,
): Promise<{ members: FamilyMember[]; hidden: number }> => {
  // The family's ids first: planned inside the query below, the family's size was guessed at hundreds
  // and every person in the partnership was scanned (40-68 ms at 10,000 children) to find four.
  const ids = (
    await sql<{ person_id: string }>`${family ? familyOf(personId) : personCluster(personId)}`.execute(trx)
  ).rows.map((row) => row.person_id);
  // The people, and the relationships and household memberships among them that label them, in one
  // statement, each read for the ids already found: re-running the family subquery made the planner
  // (which takes a merge cluster for ~11 rows) scan both tables, 13 to 19 ms each at 10,000 children.
  const labelledBy = family ? ids : [];
  const read = await trx
    .selectNoFrom([
      jsonArrayFrom(
        trx
          .selectFrom("people")
          .select([
            "person_id",
            "given_names",
            "family_name",
            "kind",
            "date_of_birth",
            "expected_date_of_birth",
            "merged_into_person_id",
            openableThroughMerges(ctx, sql.ref("people.person_id")).as("visible"),
          ])
          .where("partnership_id", "=", currentPartnership)
          .where(idIn("person_id", ids)),
      ).as("people"),
      jsonArrayFrom(
        trx
          .selectFrom("relationships")
          .select(["person_id", "related_person_id", "relationship_type"])
          .where("partnership_id", "=", currentPartnership)
          .where(idIn("person_id", labelledBy))
          .where(idIn("related_person_id", labelledBy)),
      ).as("relationships"),
      jsonArrayFrom(
        trx
          .selectFrom("household_members")
          .select(["person_id", "household_role", "valid_from"])
          .where("partnership_id", "=", currentPartnership)
          .where(idIn("person_id", labelledBy)),
      ).as("memberships"),
    ])
    .executeTakeFirstOrThrow();
  const all = read.people;
  const relationships = read.relationships;
  // Each person's latest membership first (JSON does not promise the subquery's order).
  const memberships = [...read.memberships].sort((x, y) => y.valid_from.localeCompare(x.valid_from));
  const people = all.filter((person) => person.visible);
  const hidden = all.filter((person) => !person.visible && !person.merged_into_person_id).length;
  // The child's records (as hearth_person_cluster gives them) are among `all`: the merges read from there
  // save a round trip.
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
        if (other && otherName) parts.push(`${RELATIONSHIP_TYPES[other.relationship_type]} of ${otherName}`);
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
};
