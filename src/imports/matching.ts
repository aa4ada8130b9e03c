// SPDX-License-Identifier: MIT
/**
 * Who a source row is about: by NHS number, then UPN, then name and date of birth through the fuzzy
 * name search (hearth_name_matches's test, among the people with the date of birth). Only a certain match is acted on; a weak or ambiguous one waits for
 * a person to confirm it, and nobody is ever created.
 */
import { sql } from "kysely";
import type { Trx } from "../data/repository-scope.ts";
import { currentPartnership } from "../kernel/sql.ts";
import type { Identity } from "./formats.ts";

export type Candidate = { personId: string; score: number; matchedOn: string };

export type MatchResult =
  | { kind: "matched"; personId: string; matchedOn: string }
  | { kind: "review"; candidates: Candidate[]; reason: string }
  | { kind: "unmatched"; reason: string };

/** Name similarity at or above which one candidate with the same date of birth is taken as certain. */
export const CERTAIN_NAME = 0.99;

type NameRow = { person_id: string; nhs_number: string | null; upn: string | null; score: number };

type Known = {
  person_id: string;
  nhs_number: string | null;
  upn: string | null;
  date_of_birth: string | null;
};

/**
 * The people with these NHS numbers and UPNs, read at once for a batch (merged records resolve to the
 * record they were merged into).
 */
export const knownIdentifiers = async (
  trx: Trx,
  nhsNumbers: string[],
  upns: string[],
): Promise<{ byNhs: Map<string, Known[]>; byUpn: Map<string, Known[]> }> => {
  const byNhs = new Map<string, Known[]>();
  const byUpn = new Map<string, Known[]>();
  if (nhsNumbers.length === 0 && upns.length === 0) return { byNhs, byUpn };
  const rows = await trx
    .selectFrom("people")
    .select([
      sql<string>`coalesce(people.merged_into_person_id, people.person_id)`.as("person_id"),
      "people.nhs_number",
      "people.upn",
      "people.date_of_birth",
    ])
    .where(sql.ref("people.partnership_id"), "=", currentPartnership)
    .where((eb) =>
      eb.or([
        ...(nhsNumbers.length > 0 ? [eb("people.nhs_number", "in", nhsNumbers)] : []),
        ...(upns.length > 0 ? [eb("people.upn", "in", upns)] : []),
      ]),
    )
    .execute();
  const add = (map: Map<string, Known[]>, key: string | null, row: Known) => {
    if (!key) return;
    const list = map.get(key) ?? [];
    if (!list.some((k) => k.person_id === row.person_id)) list.push(row);
    map.set(key, list);
  };
  for (const row of rows) {
    add(byNhs, row.nhs_number, row);
    add(byUpn, row.upn, row);
  }
  return { byNhs, byUpn };
};

/** A name and date of birth to search for, and the key its result is remembered under. */
export type NameQuery = { key: string; name: string; dateOfBirth: string };

/** The people found by name and date of birth, by query key (best first, at most five). */
export type NameMatches = Map<string, NameRow[]>;

/**
 * The name search an identity needs: none when its NHS number or UPN is held by someone (that decides),
 * or when it has no name and date of birth to search by.
 */
export const nameQueryFor = (
  identity: Identity,
  known: { byNhs: Map<string, Known[]>; byUpn: Map<string, Known[]> },
): NameQuery | undefined => {
  if (identity.nhsNumber && (known.byNhs.get(identity.nhsNumber)?.length ?? 0) > 0) return undefined;
  if (identity.upn && (known.byUpn.get(identity.upn)?.length ?? 0) > 0) return undefined;
  const name = `${identity.givenNames} ${identity.familyName}`.trim().toLowerCase();
  if (name === "" || !identity.dateOfBirth) return undefined;
  return { key: `${name}|${identity.dateOfBirth}`, name, dateOfBirth: identity.dateOfBirth };
};

/**
 * The fuzzy name test: a name of the person matches where its similarity to the query is at least this, or
 * the query is word-similar to it (pg_trgm's `<%`), as name search tests the one person an NHS number
 * names (person-search-repository.ts).
 */
const NAME_SIMILARITY = 0.4;

/**
 * Searches many names at once (one statement for a batch's names): the people born on each query's date
 * of birth, not merged into another record, with a name the fuzzy name search matches, scored as it
 * scores (the best similarity of their matching names), best five first. Driven from the date of birth
 * (a handful of people each) rather than the trigram index (every similar name in the partnership), and
 * so the same people and scores as that test over the people born that day. Adds what it finds
 * (nothing too) to `named` under each query's key.
 */
export const searchNames = async (
  trx: Trx,
  queries: readonly NameQuery[],
  named: NameMatches,
): Promise<void> => {
  const wanted = [...new Map(queries.filter((q) => !named.has(q.key)).map((q) => [q.key, q])).values()];
  if (wanted.length === 0) return;
  const rows = await sql<NameRow & { key: string }>`
    with found as (
      select q.key, q.position, p.person_id, p.nhs_number, p.upn, max(similarity(n.full_name, q.name)) as score
      from unnest(${wanted.map((q) => q.key)}::text[], ${wanted.map((q) => q.name)}::text[],
        ${wanted.map((q) => q.dateOfBirth)}::date[]) with ordinality as q(key, name, date_of_birth, position)
      join people p on p.partnership_id = ${currentPartnership} and p.date_of_birth = q.date_of_birth
        and p.merged_into_person_id is null
      join person_names n on n.partnership_id = p.partnership_id and n.person_id = p.person_id
      where similarity(n.full_name, q.name) >= ${NAME_SIMILARITY} or q.name <% n.full_name
      group by q.key, q.position, p.person_id, p.nhs_number, p.upn
    ),
    ranked as (
      select *, row_number() over (partition by position order by score desc) as rank from found
    )
    select key, person_id, nhs_number, upn, score from ranked where rank <= 5
    order by position, score desc`.execute(trx);
  for (const q of wanted) named.set(q.key, []);
  for (const { key, ...row } of rows.rows) named.get(key)?.push(row);
};

/**
 * Matches one identity, without I/O: the batch's identifiers and name searches are read beforehand.
 * @param known - The batch's identifier look-up ({@link knownIdentifiers}).
 * @param named - The name searches made ({@link searchNames}) for the identities that need one
 *   ({@link nameQueryFor}).
 */
export const matchPerson = (
  identity: Identity,
  known: { byNhs: Map<string, Known[]>; byUpn: Map<string, Known[]> },
  named: NameMatches,
): MatchResult => {
  const byId = (list: Known[] | undefined, label: string): MatchResult | undefined => {
    if (!list || list.length === 0) return undefined;
    if (list.length > 1)
      return {
        kind: "review",
        candidates: list.map((k) => ({ personId: k.person_id, score: 1, matchedOn: label })),
        reason: `${label} is held by ${list.length} records`,
      };
    const [only] = list;
    if (!only) return undefined;
    if (identity.dateOfBirth && only.date_of_birth && only.date_of_birth !== identity.dateOfBirth)
      return {
        kind: "review",
        candidates: [{ personId: only.person_id, score: 0.9, matchedOn: `${label} (date of birth differs)` }],
        reason: `${label} matches but the date of birth differs`,
      };
    return { kind: "matched", personId: only.person_id, matchedOn: label };
  };
  const viaNhs = identity.nhsNumber ? byId(known.byNhs.get(identity.nhsNumber), "NHS number") : undefined;
  if (viaNhs) return viaNhs;
  const viaUpn = identity.upn ? byId(known.byUpn.get(identity.upn), "UPN") : undefined;
  if (viaUpn) return viaUpn;
  const query = nameQueryFor(identity, known);
  if (!query)
    return {
      kind: "unmatched",
      reason:
        "Nobody in Hearth has this NHS number or UPN, and there is no name and date of birth to search by",
    };
  const found = named.get(query.key);
  if (!found) throw new Error(`The name search for a row was not made before matching (${query.key})`);
  const candidates: Candidate[] = found.map((row) => ({
    personId: row.person_id,
    score: Number(row.score),
    matchedOn: "name and date of birth",
  }));
  const [best, ...others] = found;
  if (!best)
    return {
      kind: "unmatched",
      reason: `Nobody in Hearth matches${identity.nhsNumber ? " the NHS number" : ""}${identity.upn ? " the UPN" : ""}${identity.nhsNumber || identity.upn ? " or" : ""} the name with this date of birth`,
    };
  // A known identifier on the record that differs from the row's is a conflict a person must look at.
  const conflicting =
    (identity.nhsNumber && best.nhs_number && best.nhs_number !== identity.nhsNumber) ||
    (identity.upn && best.upn && best.upn !== identity.upn);
  if (others.length === 0 && Number(best.score) >= CERTAIN_NAME && !conflicting)
    return { kind: "matched", personId: best.person_id, matchedOn: "name and date of birth" };
  return {
    kind: "review",
    candidates,
    reason:
      others.length > 0
        ? `${found.length} people with this date of birth have a similar name`
        : conflicting
          ? "The name and date of birth match a record with a different identifier"
          : "A similar name with this date of birth: the name is not the same",
  };
};
