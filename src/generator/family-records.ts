// SPDX-License-Identifier: MIT
/** One generated family's homes, people, names, household memberships and relationships, written into row buffers. */
import type { DisabilityCode, EthnicityCode, RelationshipType } from "../people/codes.ts";
import {
  type Area,
  type FamilyRows,
  isoOf,
  languagePickers,
  type Person,
  pickSend,
  type SchoolRef,
  stampOf,
  YEAR,
} from "./family-model.ts";
import { addressLine, FAMILY_NAMES } from "./family-vocabulary.ts";
import type { Random } from "./random.ts";

const POSTCODE_LETTERS = [
  "A",
  "B",
  "D",
  "E",
  "F",
  "G",
  "H",
  "J",
  "L",
  "N",
  "P",
  "Q",
  "R",
  "T",
  "U",
  "W",
  "X",
  "Y",
];

/** The identifiers the generator hands out across families, so they stay unique in the partnership. */
export type FamilyIdentifiers = {
  nhs: () => string;
  upn: (school: SchoolRef) => string;
  localId: () => string;
  disabilities: (neglect: boolean) => DisabilityCode[];
};

/**
 * The family's homes over time, one per move.
 * @returns The households' ids, in the order of the moves.
 */
export const writeHouseholds = (
  rows: FamilyRows,
  random: Random,
  home: { pid: string; start: number; moves: number[]; area: Area; areas: Area[]; neglect: boolean },
): string[] => {
  const { pid, start, moves, area, neglect } = home;
  const householdIds: string[] = [];
  for (let i = 0; i < moves.length; i += 1) {
    const householdId = random.uuid();
    householdIds.push(householdId);
    const homeArea = i === 0 ? area : random.next() < 0.6 ? area : random.pick(home.areas);
    const flat = random.next() < (neglect ? 0.45 : 0.25) ? random.int(1, 48) : 0;
    rows.households.push({
      partnership_id: pid,
      household_id: householdId,
      address_line: addressLine(random.int(1, 180), homeArea.streetBase + random.int(0, 6), flat),
      town: homeArea.town,
      postcode: `${homeArea.district} ${random.int(1, 9)}${random.pick(POSTCODE_LETTERS)}${random.pick(POSTCODE_LETTERS)}`,
      ward: homeArea.ward,
      lsoa: homeArea.lsoa,
      created_at: stampOf(moves[i] ?? start, 9),
    });
  }
  return householdIds;
};

/** Each person's record, current and previous names, and memberships of the family's homes. */
export const writePeople = (
  rows: FamilyRows,
  random: Random,
  identifiers: FamilyIdentifiers,
  family: {
    pid: string;
    ref: number;
    people: Person[];
    mother: Person;
    familyName: string;
    ethnicity: EthnicityCode;
    neglect: boolean;
    start: number;
    moves: number[];
    householdIds: string[];
  },
) => {
  const { pid, ref, mother, familyName, ethnicity, neglect, start, moves, householdIds } = family;
  for (const person of family.people) {
    const isChild = person.kind === "child";
    const childAge = person.dob === null ? 0 : (ref - person.dob) / YEAR;
    const nhs = isChild && !person.unborn ? identifiers.nhs() : null;
    const upn = person.school ? identifiers.upn(person.school) : null;
    person.nhs = nhs;
    person.upn = upn;
    const personEthnicity: EthnicityCode | null = person.unborn
      ? "NOBT"
      : isChild && random.next() < 0.03
        ? "NOBT"
        : ethnicity;
    const disabilities: DisabilityCode[] = isChild && !person.unborn ? identifiers.disabilities(neglect) : [];
    const language = languagePickers.get(ethnicity)?.(random) ?? "English";
    rows.people.push({
      partnership_id: pid,
      person_id: person.id,
      kind: person.kind,
      given_names: person.given,
      family_name: person.familyName,
      date_of_birth: person.dob === null ? null : isoOf(person.dob),
      expected_date_of_birth: person.unborn ? isoOf(person.from) : null,
      sex: person.sex,
      ethnicity: personEthnicity,
      disabilities,
      nhs_number: nhs,
      upn,
      local_id: isChild ? identifiers.localId() : null,
      send_status: upn ? (neglect && random.next() < 0.15 ? "sen-support" : pickSend(random)) : null,
      young_carer: isChild && childAge >= 8 ? random.next() < (neglect ? 0.12 : 0.02) : null,
      first_language: person.unborn ? null : isChild && childAge < 1 ? null : language,
      created_at: stampOf(
        Math.min(ref, person.unborn ? ref - 30 : Math.max(person.dob ?? ref, ref - 4000)),
        8,
      ),
    });
    rows.person_names.push({
      partnership_id: pid,
      name_id: random.uuid(),
      person_id: person.id,
      given_names: person.given,
      family_name: person.familyName,
      name_use: "current",
    });
    const previousName =
      person === mother
        ? random.next() < 0.4
          ? random.pick(FAMILY_NAMES)
          : null
        : isChild && !person.unborn && person.familyName !== familyName && random.next() < 0.3
          ? familyName
          : isChild && !person.unborn && random.next() < 0.04
            ? random.pick(FAMILY_NAMES)
            : null;
    if (previousName && previousName !== person.familyName) {
      rows.person_names.push({
        partnership_id: pid,
        name_id: random.uuid(),
        person_id: person.id,
        given_names: person.given,
        family_name: previousName,
        name_use: "previous",
      });
    }
    if (person.unborn) continue;
    for (let i = 0; i < moves.length; i += 1) {
      const segFrom = moves[i] ?? start;
      const segTo = moves[i + 1] ?? null;
      const from = Math.max(segFrom, person.from);
      const to = segTo === null ? person.to : person.to === null ? segTo : Math.min(segTo, person.to);
      if (to !== null && to <= from) continue;
      if (from > ref) continue;
      rows.household_members.push({
        partnership_id: pid,
        membership_id: random.uuid(),
        household_id: householdIds[i] ?? "",
        person_id: person.id,
        household_role: person.role,
        valid_from: isoOf(from),
        valid_to: to === null ? null : isoOf(to),
      });
    }
  }
};

/** Relationships, "person is <type> of related person": parents, other adults at home, brothers and sisters. */
export const writeRelationships = (
  rows: FamilyRows,
  random: Random,
  family: {
    pid: string;
    ref: number;
    children: Person[];
    mother: Person;
    fathers: Person[];
    partner: Person | null;
    otherAdult: { person: Person; type: RelationshipType } | null;
  },
) => {
  const { pid, ref, children, mother, fathers, partner, otherAdult } = family;
  const relate = (
    person: Person,
    related: Person,
    type: RelationshipType,
    responsibility: boolean,
    from: number | null,
    to: number | null,
  ) => {
    rows.relationships.push({
      partnership_id: pid,
      relationship_id: random.uuid(),
      person_id: person.id,
      related_person_id: related.id,
      relationship_type: type,
      parental_responsibility: responsibility,
      valid_from: from === null ? null : isoOf(Math.min(from, ref)),
      valid_to: to === null ? null : isoOf(to),
    });
  };
  for (const child of children) {
    const born = child.dob ?? null;
    relate(mother, child, "mother", true, born, null);
    const father = fathers[child.fatherKey];
    if (father) relate(father, child, "father", father.to === null || random.next() < 0.75, born, null);
    // Other fathers' partners and new partners are named explicitly, never hidden as "family".
    for (const other of fathers) {
      if (other === father || child.unborn) continue;
      if (other.to !== null && (born ?? ref) >= other.to) continue;
      const from = Math.max(other.from, born ?? ref);
      relate(other, child, random.next() < 0.3 ? "step-parent" : "parents-partner", false, from, other.to);
    }
    if (partner && !child.unborn) relate(partner, child, "parents-partner", false, partner.from, partner.to);
    if (otherAdult && !child.unborn) {
      relate(otherAdult.person, child, otherAdult.type, false, otherAdult.person.from, otherAdult.person.to);
    }
  }
  for (let i = 0; i < children.length; i += 1) {
    for (let j = i + 1; j < children.length; j += 1) {
      const a = children[i];
      const b = children[j];
      if (!a || !b) continue;
      relate(a, b, a.fatherKey === b.fatherKey ? "sibling" : "half-sibling", false, b.dob ?? null, null);
    }
  }
};
