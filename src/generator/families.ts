// SPDX-License-Identifier: MIT
/**
 * Synthetic families for a generated partnership: households with invented addresses over time, sibling
 * groups (some unborn), parents and the other adults who live with them (men especially), relationships,
 * names with history, identifiers with valid check characters, agencies' involvements with their basis for
 * sharing, and years of chronology events. About one family in seven shows the patterns neglect leaves
 * across agencies: clusters of missed appointments, falling attendance, repeated police call-outs, housing
 * and home-condition concerns, with some positive change.
 *
 * The generator works one family at a time into row buffers that the caller flushes, so memory stays bounded
 * however many children are asked for. It draws only on the seeded Random and a fixed reference date.
 */
import type { Insertable } from "kysely";
import { EVENT_TYPES, type EventType, type InformationBasis } from "../chronology/codes.ts";
import type {
  ChronologyEventTable,
  HouseholdMemberTable,
  HouseholdTable,
  InvolvementTable,
  PersonNameTable,
  PersonTable,
  RelationshipTable,
} from "../db/schema.ts";
import type { Role } from "../organisation/codes.ts";
import type {
  ConsentState,
  DisabilityCode,
  EthnicityCode,
  HouseholdRole,
  RelationshipType,
  SendStatus,
  SexCode,
  SharingBasis,
} from "../people/codes.ts";
import { makeUpn, nhsCheckDigit } from "../people/identifiers.ts";
import {
  addressLine,
  BOY_NAMES,
  DISABILITY_WEIGHTS,
  ETHNICITY_WEIGHTS,
  EVENT_TEXT,
  FAMILY_NAMES,
  GIRL_NAMES,
  LANGUAGES_BY_ETHNICITY,
  SAFEGUARDING_REASONS,
  TOWNS,
} from "./family-vocabulary.ts";
import type { Random } from "./random.ts";

const DAY_MS = 86_400_000;
const YEAR = 365.25;

/** Days since 1970-01-01 for an ISO date. */
export const dayOf = (iso: string): number => Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
/** The ISO date of a day number. */
export const isoOf = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
const stampOf = (day: number, hour: number): string =>
  new Date(day * DAY_MS + hour * 3_600_000).toISOString();

/** An agency as families meet it: who can be lead professional or record events for it. */
export type AgencyRef = { agencyId: string; practitioners: string[] };
export type SchoolRef = AgencyRef & { establishment: string; secondary: boolean };

export type FamilyOrganisation = {
  csc: AgencyRef;
  earlyHelp: AgencyRef;
  /** The community health trust's health visiting team. */
  healthVisiting: AgencyRef;
  /** The same trust's school nursing team (and community dental service). */
  schoolNursing: AgencyRef;
  midwifery: AgencyRef;
  emergency: AgencyRef;
  police: AgencyRef;
  housing: AgencyRef;
  schools: SchoolRef[];
  gps: AgencyRef[];
};

export type FamilyRows = {
  people: Insertable<PersonTable>[];
  person_names: Insertable<PersonNameTable>[];
  households: Insertable<HouseholdTable>[];
  household_members: Insertable<HouseholdMemberTable>[];
  relationships: Insertable<RelationshipTable>[];
  involvements: Insertable<InvolvementTable>[];
  chronology_events: Insertable<ChronologyEventTable>[];
};

export const emptyFamilyRows = (): FamilyRows => ({
  people: [],
  person_names: [],
  households: [],
  household_members: [],
  relationships: [],
  involvements: [],
  chronology_events: [],
});

/** The family the demo and tests rely on: a baby known to health visiting and a school-age sibling. */
export type DemoFamilyPlan = { healthVisitorUserId: string; schoolUserId: string };

export type DemoFamily = {
  householdId: string;
  familyName: string;
  babyPersonId: string;
  babyNhsNumber: string;
  babyName: string;
  siblingPersonId: string;
  siblingUpn: string;
  siblingName: string;
  motherPersonId: string;
  /** The baby's father, who lives with them: the older sibling's parent's partner. */
  partnerPersonId: string;
  healthVisitingAgencyId: string;
  schoolAgencyId: string;
};

type Area = { lsoa: string; ward: string; town: string; district: string; streetBase: number };

type Weighted<T> = (random: Random) => T;
const weighted = <T>(entries: readonly (readonly [T, number])[]): Weighted<T> => {
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  return (random) => {
    let r = random.next() * total;
    for (const [value, w] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    const last = entries[entries.length - 1];
    if (!last) throw new Error("weighted pick from an empty list");
    return last[0];
  };
};

const pickEthnicity = weighted(ETHNICITY_WEIGHTS);
const pickDisability = weighted(DISABILITY_WEIGHTS);
const pickSend = weighted<SendStatus>([
  ["none", 830],
  ["sen-support", 130],
  ["ehcp", 30],
  ["assessing", 10],
]);
const languagePickers = new Map(
  Object.entries(LANGUAGES_BY_ETHNICITY).map(([code, list]) => [code, weighted(list)] as const),
);
const pickChildCount = weighted([
  [1, 40],
  [2, 34],
  [3, 17],
  [4, 9],
]);

type Person = {
  id: string;
  given: string;
  familyName: string;
  sex: SexCode;
  dob: number | null;
  kind: "child" | "adult";
  unborn: boolean;
  /** When this person lives in the family's home: [from, to) with to null while they still do. */
  from: number;
  to: number | null;
  role: HouseholdRole;
  fatherKey: number;
  school?: SchoolRef;
  nhs?: string | null;
  upn?: string | null;
};

type Involvement = { agency: AgencyRef; lead: string; started: number; ended: number | null };

/**
 * Generates families one at a time into row buffers.
 */
export class FamilyGenerator {
  readonly #random: Random;
  readonly #partnershipId: string;
  readonly #org: FamilyOrganisation;
  readonly #ref: number;
  readonly #laCodes: string[];
  readonly #areas: Area[];
  #nhsOffset: number;
  #localId = 0;
  readonly #upnSerials = new Map<string, number>();
  readonly #secondarySchools: SchoolRef[];
  readonly #primarySchools: SchoolRef[];

  constructor(options: {
    random: Random;
    partnershipId: string;
    organisation: FamilyOrganisation;
    referenceDate: string;
    localAuthorityCodes: string[];
    children: number;
  }) {
    this.#random = options.random;
    this.#partnershipId = options.partnershipId;
    this.#org = options.organisation;
    this.#ref = dayOf(options.referenceDate);
    this.#laCodes = options.localAuthorityCodes.length > 0 ? options.localAuthorityCodes : ["999"];
    // Test-range NHS numbers (999 ...), counted down from a point drawn from the seed.
    this.#nhsOffset = this.#random.int(0, 50_000);
    const random = this.#random;
    // Roughly one LSOA per 600 children; about six LSOAs to a ward. Codes are out of the real ranges.
    const lsoaCount = Math.max(6, Math.ceil(options.children / 600));
    const wardCount = Math.max(2, Math.ceil(lsoaCount / 6));
    const wardBase = random.int(0, 4000);
    const lsoaBase = random.int(0, 4000);
    this.#areas = Array.from({ length: lsoaCount }, (_, i) => {
      const ward = i % wardCount;
      const town = TOWNS[ward % TOWNS.length] ?? "Hearthfield";
      return {
        lsoa: `E0199${String((lsoaBase + i) % 10_000).padStart(4, "0")}`,
        ward: `E0599${String((wardBase + ward) % 10_000).padStart(4, "0")}`,
        town,
        district: `ZZ${(ward % 40) + 1}`,
        streetBase: i * 7,
      };
    });
    this.#secondarySchools = this.#org.schools.filter((s) => s.secondary);
    this.#primarySchools = this.#org.schools.filter((s) => !s.secondary);
  }

  #nextNhs(): string {
    for (;;) {
      this.#nhsOffset += this.#random.int(1, 3);
      const firstNine = String(999_999_999 - this.#nhsOffset);
      const check = nhsCheckDigit(firstNine);
      if (check !== undefined) return `${firstNine}${check}`;
    }
  }

  #nextLocalId(): string {
    this.#localId += 1;
    return `HC${String(this.#localId).padStart(7, "0")}`;
  }

  #nextUpn(school: SchoolRef): string {
    const la = this.#random.next() < 0.85 ? (this.#laCodes[0] ?? "999") : this.#random.pick(this.#laCodes);
    const key = `${la}${school.establishment}`;
    const serial = (this.#upnSerials.get(key) ?? this.#random.int(0, 900)) + this.#random.int(1, 4);
    this.#upnSerials.set(key, serial);
    return makeUpn(la, school.establishment, serial % 100_000);
  }

  /**
   * Generates one family into `rows`.
   * @returns The number of children (born and unborn) it holds, and the demo family's ids when asked for.
   */
  family(rows: FamilyRows, demo?: DemoFamilyPlan): { children: number; demoFamily?: DemoFamily } {
    const random = this.#random;
    const ref = this.#ref;
    const pid = this.#partnershipId;
    const org = this.#org;
    const neglect = demo ? true : random.next() < 0.15;
    const ethnicity: EthnicityCode = pickEthnicity(random);
    const familyName = random.pick(FAMILY_NAMES);
    const area = random.pick(this.#areas);

    // Children: youngest first, older siblings spaced one to six years apart, all under 18.
    const wanted = demo ? 2 : pickChildCount(random);
    const ages: number[] = [];
    let age = demo ? 120 : random.int(0, Math.floor(16.5 * YEAR));
    for (let i = 0; i < wanted && age < 17.8 * YEAR; i += 1) {
      ages.push(age);
      age += demo ? Math.floor(8 * YEAR) : random.int(420, 2200);
    }
    const unbornExpected =
      !demo && random.next() < (neglect ? 0.12 : 0.06) && ages.length < 4 ? ref + random.int(20, 220) : null;

    const eldestDob = ref - (ages[ages.length - 1] ?? 0);
    const motherAgeAtFirst = random.int(neglect ? 16 : 19, 38);
    const start = eldestDob - random.int(60, 900);

    // Fathers and the other adults in the home.
    const shape = demo
      ? "blended"
      : weighted<"together" | "separated" | "lone" | "blended">([
          ["together", neglect ? 30 : 52],
          ["separated", 26],
          ["lone", neglect ? 14 : 8],
          ["blended", ages.length >= 2 ? (neglect ? 30 : 14) : 0],
        ])(random);

    const people: Person[] = [];
    const mother: Person = this.#adult(
      "F",
      familyName,
      eldestDob - motherAgeAtFirst * 365,
      start,
      null,
      "parent",
    );
    people.push(mother);
    const dobs = ages.map((a) => ref - a).reverse(); // eldest first
    // In a blended family the eldest children have another father, who has left.
    const splitAt = shape === "blended" ? Math.max(1, Math.floor(dobs.length / 2)) : dobs.length;
    const youngestDob = dobs[dobs.length - 1] ?? ref;
    const fathers: Person[] = [];
    let partner: Person | null = null;
    const fatherFamilyName = random.next() < 0.5 ? familyName : random.pick(FAMILY_NAMES);
    if (shape === "together") {
      fathers.push(this.#adult("M", familyName, mother.dob ?? start, start, null, "parent"));
    } else if (shape === "separated") {
      const left = Math.min(ref - 30, youngestDob + random.int(90, 2000));
      fathers.push(this.#adult("M", fatherFamilyName, mother.dob ?? start, start, left, "parent"));
    } else if (shape === "blended") {
      const firstDob = dobs[splitAt] ?? ref;
      const left = demo ? ref - Math.floor(3 * YEAR) : Math.max(start + 200, firstDob - random.int(400, 900));
      fathers.push(this.#adult("M", fatherFamilyName, mother.dob ?? start, start, left, "parent"));
      const joined = demo ? ref - Math.floor(2 * YEAR) : Math.min(firstDob - random.int(200, 500), ref - 60);
      fathers.push(
        this.#adult(
          "M",
          random.pick(FAMILY_NAMES),
          mother.dob ?? start,
          Math.max(joined, left),
          null,
          "parent",
        ),
      );
    }
    // A mother's new partner, after the father left or where there never was one at home.
    if (!demo && (shape === "separated" || shape === "lone") && random.next() < (neglect ? 0.6 : 0.35)) {
      const after = Math.max(fathers[0]?.to ?? start, youngestDob) + random.int(60, 700);
      if (after < ref - 30) {
        const leaves = random.next() < 0.3 ? Math.min(ref - 5, after + random.int(90, 700)) : null;
        const sex: SexCode = random.next() < 0.92 ? "M" : "F";
        partner = this.#adult(
          sex,
          random.pick(FAMILY_NAMES),
          mother.dob ?? start,
          after,
          leaves,
          "other-adult",
        );
      }
    }
    // Another adult at home: a grandparent, or a lodger or uncle (men especially).
    let otherAdult: { person: Person; type: RelationshipType } | null = null;
    const otherRoll = demo ? 1 : random.next();
    if (otherRoll < 0.08) {
      const grand = this.#adult(
        random.next() < 0.7 ? "F" : "M",
        familyName,
        (mother.dob ?? start) - random.int(18, 30) * 365,
        start + random.int(0, 1500),
        null,
        "other-adult",
      );
      if (grand.from < ref) otherAdult = { person: grand, type: "grandparent" };
    } else if (otherRoll < (neglect ? 0.18 : 0.12)) {
      const from = Math.min(ref - 20, youngestDob + random.int(0, 1200));
      const adult = this.#adult(
        random.next() < 0.85 ? "M" : "F",
        random.pick(FAMILY_NAMES),
        (mother.dob ?? start) + random.int(-8, 8) * 365,
        from,
        random.next() < 0.4 ? Math.min(ref - 1, from + random.int(60, 900)) : null,
        "other-adult",
      );
      otherAdult = { person: adult, type: "other-significant-adult" };
    }

    // Children's records.
    const familySchool =
      this.#primarySchools.length > 0 ? random.pick(this.#primarySchools) : random.pick(org.schools);
    const secondary = this.#secondarySchools.length > 0 ? random.pick(this.#secondarySchools) : familySchool;
    const children: Person[] = [];
    for (const [i, dob] of dobs.entries()) {
      const childAge = (ref - dob) / YEAR;
      const sex: SexCode = random.next() < 0.51 ? "M" : "F";
      const fatherKey = i < splitAt ? 0 : 1;
      const father = fathers[fatherKey];
      const childFamilyName = father && random.next() < 0.5 ? father.familyName : familyName;
      const child: Person = {
        id: random.uuid(),
        given: this.#given(sex),
        familyName: childFamilyName,
        sex,
        dob,
        kind: "child",
        unborn: false,
        from: dob,
        to: null,
        role: "child",
        fatherKey,
      };
      const schoolStart = schoolStartDay(dob);
      if (schoolStart <= ref && childAge < 18) {
        child.school = demo ? (org.schools[0] ?? familySchool) : childAge >= 11 ? secondary : familySchool;
      }
      children.push(child);
    }
    if (unbornExpected !== null) {
      children.push({
        id: random.uuid(),
        given: "Baby",
        familyName,
        sex: "U",
        dob: null,
        kind: "child",
        unborn: true,
        from: unbornExpected,
        to: null,
        role: "child",
        fatherKey: fathers.length > 1 ? 1 : 0,
      });
    }

    // Households: the family's homes over time, one move for some (more often where there is neglect).
    const moves: number[] = [start];
    const earliestMove = start + 400;
    if (!demo && random.next() < (neglect ? 0.45 : 0.2) && earliestMove < ref - 90) {
      moves.push(random.int(earliestMove, ref - 90));
    }
    const householdIds: string[] = [];
    for (let i = 0; i < moves.length; i += 1) {
      const householdId = random.uuid();
      householdIds.push(householdId);
      const homeArea = i === 0 ? area : random.next() < 0.6 ? area : random.pick(this.#areas);
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

    const adults = [
      mother,
      ...fathers,
      ...(partner ? [partner] : []),
      ...(otherAdult ? [otherAdult.person] : []),
    ];
    people.push(...fathers.filter((f) => !people.includes(f)));
    if (partner) people.push(partner);
    if (otherAdult) people.push(otherAdult.person);
    people.push(...children);

    // People, names and memberships.
    for (const person of people) {
      const isChild = person.kind === "child";
      const childAge = person.dob === null ? 0 : (ref - person.dob) / YEAR;
      const nhs = isChild && !person.unborn ? this.#nextNhs() : null;
      const upn = person.school ? this.#nextUpn(person.school) : null;
      person.nhs = nhs;
      person.upn = upn;
      const personEthnicity: EthnicityCode | null = person.unborn
        ? "NOBT"
        : isChild && random.next() < 0.03
          ? "NOBT"
          : ethnicity;
      const disabilities: DisabilityCode[] = isChild && !person.unborn ? this.#disabilities(neglect) : [];
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
        local_id: isChild ? this.#nextLocalId() : null,
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

    // Relationships: "person is <type> of related person".
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
      if (partner && !child.unborn)
        relate(partner, child, "parents-partner", false, partner.from, partner.to);
      if (otherAdult && !child.unborn) {
        relate(
          otherAdult.person,
          child,
          otherAdult.type,
          false,
          otherAdult.person.from,
          otherAdult.person.to,
        );
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

    // Involvements and events.
    const maleAdults = adults.filter((a) => a.sex === "M" && a !== mother);
    const story = new FamilyStory(this, rows, random, pid, ref, children, adults);
    const gp = random.pick(org.gps);
    for (const child of children) story.universal(child, gp, demo);
    if (neglect)
      story.neglect(gp, { maleAdults, moves, partner, otherAdult: otherAdult?.person ?? null, demo });
    else story.ordinary();
    if (demo) story.demo(demo);

    const result: { children: number; demoFamily?: DemoFamily } = { children: children.length };
    if (demo) {
      const baby = children[children.length - 1];
      const sibling = children[0];
      const partnerOfMother = fathers[1];
      if (!baby?.nhs || !sibling?.upn || !partnerOfMother) throw new Error("the demo family is incomplete");
      result.demoFamily = {
        householdId: householdIds[householdIds.length - 1] ?? "",
        familyName,
        babyPersonId: baby.id,
        babyNhsNumber: baby.nhs,
        babyName: `${baby.given} ${baby.familyName}`,
        siblingPersonId: sibling.id,
        siblingUpn: sibling.upn,
        siblingName: `${sibling.given} ${sibling.familyName}`,
        motherPersonId: mother.id,
        partnerPersonId: partnerOfMother.id,
        healthVisitingAgencyId: org.healthVisiting.agencyId,
        schoolAgencyId: sibling.school?.agencyId ?? "",
      };
    }
    return result;
  }

  #given(sex: SexCode): string {
    const random = this.#random;
    const first = sex === "F" ? random.pick(GIRL_NAMES) : random.pick(BOY_NAMES);
    if (random.next() < 0.3) {
      const middle = sex === "F" ? random.pick(GIRL_NAMES) : random.pick(BOY_NAMES);
      if (middle !== first) return `${first} ${middle}`;
    }
    return first;
  }

  #adult(
    sex: SexCode,
    familyName: string,
    dob: number,
    from: number,
    to: number | null,
    role: HouseholdRole,
  ): Person {
    const random = this.#random;
    return {
      id: random.uuid(),
      given: this.#given(sex),
      familyName,
      sex,
      dob: dob - random.int(0, 364),
      kind: "adult",
      unborn: false,
      from,
      to,
      role,
      fatherKey: -1,
    };
  }

  #disabilities(neglect: boolean): DisabilityCode[] {
    const random = this.#random;
    if (random.next() >= (neglect ? 0.12 : 0.07)) return ["NONE"];
    const first = pickDisability(random);
    if (random.next() < 0.25) {
      const second = pickDisability(random);
      if (second !== first) return [first, second];
    }
    return [first];
  }

  get organisation(): FamilyOrganisation {
    return this.#org;
  }
}

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

/** The first day of the September after a child's fourth birthday, when they start reception. */
const schoolStartDay = (dob: number): number => {
  const date = new Date(dob * DAY_MS);
  const year = date.getUTCFullYear() + 4 + (date.getUTCMonth() >= 8 ? 1 : 0);
  return Math.floor(Date.UTC(year, 8, 1) / DAY_MS);
};

const INFORMATION_BASIS: Partial<Record<EventType, InformationBasis>> = {
  "police-call-out": "reported",
  "domestic-abuse": "reported",
  "parental-mental-health": "reported",
  "parental-substance-misuse": "reported",
  "housing-concern": "reported",
  referral: "opinion",
  "positive-change": "observed",
};

/** One family's involvements and chronology, with the agencies involved at the time. */
class FamilyStory {
  readonly #involvements = new Map<string, Map<AgencyRef, Involvement>>();

  readonly generator: FamilyGenerator;
  readonly rows: FamilyRows;
  readonly random: Random;
  readonly pid: string;
  readonly ref: number;
  readonly children: Person[];
  readonly adults: Person[];

  constructor(
    generator: FamilyGenerator,
    rows: FamilyRows,
    random: Random,
    pid: string,
    ref: number,
    children: Person[],
    adults: Person[],
  ) {
    this.generator = generator;
    this.rows = rows;
    this.random = random;
    this.pid = pid;
    this.ref = ref;
    this.children = children;
    this.adults = adults;
  }

  get org(): FamilyOrganisation {
    return this.generator.organisation;
  }

  /** Opens (or finds) an involvement of an agency with a child. */
  involve(
    child: Person,
    agency: AgencyRef,
    started: number,
    ended: number | null,
    options: { lead?: string; basis?: "consent" | "exception"; consent?: ConsentState } = {},
  ): Involvement {
    const random = this.random;
    let byAgency = this.#involvements.get(child.id);
    if (!byAgency) {
      byAgency = new Map();
      this.#involvements.set(child.id, byAgency);
    }
    const existing = byAgency.get(agency);
    if (existing) return existing;
    const lead = options.lead ?? random.pick(agency.practitioners);
    const startDay = Math.min(started, this.ref);
    const endDay = ended !== null && ended >= this.ref ? null : ended;
    const involvement: Involvement = { agency, lead, started: startDay, ended: endDay };
    byAgency.set(agency, involvement);
    let sharing: SharingBasis = "consent";
    let consent: ConsentState = options.consent ?? "given";
    let reasoning: string | null = null;
    const roll = random.next();
    if (options.basis === "exception" || (options.basis === undefined && roll < 0.06)) {
      sharing = "safeguarding-exception";
      consent = options.consent ?? (random.next() < 0.5 ? "refused" : "not-sought");
      reasoning = random.pick(
        consent === "refused" ? SAFEGUARDING_REASONS.refused : SAFEGUARDING_REASONS["not-sought"],
      );
    }
    this.rows.involvements.push({
      partnership_id: this.pid,
      involvement_id: random.uuid(),
      person_id: child.id,
      agency_id: agency.agencyId,
      started_on: isoOf(startDay),
      ended_on: endDay === null ? null : isoOf(Math.max(endDay, startDay)),
      lead_professional_user_id: lead,
      is_lead_agency: false,
      sharing_basis: sharing,
      consent,
      sharing_reasoning: reasoning,
      created_by: lead,
      created_at: stampOf(startDay, 9),
    });
    return involvement;
  }

  /** Marks each child's lead agency: social care, then early help, then health visiting or school. */
  markLeadAgencies() {
    const order = [this.org.csc, this.org.earlyHelp, this.org.healthVisiting];
    for (const child of this.children) {
      const byAgency = this.#involvements.get(child.id);
      if (!byAgency) continue;
      const open = [...byAgency.values()].filter((i) => i.ended === null);
      const lead =
        order.map((agency) => open.find((i) => i.agency === agency)).find((i) => i !== undefined) ??
        open.find((i) => i.agency === child.school) ??
        open[0];
      if (!lead) continue;
      for (let k = this.rows.involvements.length - 1; k >= 0; k -= 1) {
        const row = this.rows.involvements[k];
        if (
          row &&
          row.person_id === child.id &&
          row.agency_id === lead.agency.agencyId &&
          row.ended_on === null
        ) {
          row.is_lead_agency = true;
          break;
        }
      }
    }
  }

  event(
    child: Person,
    day: number,
    type: EventType,
    agency: AgencyRef,
    options: { recorder?: string; adult?: Person | null; pct?: number; n?: number } = {},
  ) {
    const random = this.random;
    if (day > this.ref || (child.dob !== null && day < child.dob)) return;
    const involvement = this.#involvements.get(child.id)?.get(agency);
    const recorder =
      options.recorder ??
      (involvement && random.next() < 0.7 ? involvement.lead : random.pick(agency.practitioners));
    const text = EVENT_TEXT[type];
    const adult = options.adult ?? this.adults.find((a) => a.sex === "M") ?? this.adults[0];
    const fill = (template: string) =>
      template
        .replaceAll("{child}", child.given.split(" ")[0] ?? child.given)
        .replaceAll("{adult}", adult ? (adult.given.split(" ")[0] ?? adult.given) : "an adult")
        .replaceAll("{pct}", String(options.pct ?? random.int(80, 89)))
        .replaceAll("{n}", String(options.n ?? random.int(2, 8)));
    const definition = EVENT_TYPES[type];
    const restricted =
      (type === "domestic-abuse" && random.next() < 0.25) ||
      (type === "parental-mental-health" && random.next() < 0.5);
    const roles: Role[] = restricted
      ? type === "domestic-abuse"
        ? ["safeguarding-lead", "front-door"]
        : ["safeguarding-lead"]
      : [];
    this.rows.chronology_events.push({
      partnership_id: this.pid,
      event_id: random.uuid(),
      person_id: child.id,
      occurred_on: isoOf(day),
      date_precision: random.next() < 0.03 ? "month" : "day",
      event_type: type,
      source_agency_id: agency.agencyId,
      recorded_by: recorder,
      recorded_at: stampOf(Math.min(this.ref, day + random.int(0, 3)), random.int(9, 17)),
      what_happened: fill(text ? random.pick(text.what) : definition.label),
      impact_on_child: fill(
        text ? random.pick(text.impact) : `${definition.label}: the impact on {child} is being assessed.`,
      ),
      action_taken: text ? fill(random.pick(text.action)) : null,
      significance: definition.significance,
      neglect_types: [...definition.neglectTypes],
      information_basis: INFORMATION_BASIS[type] ?? "observed",
      visibility: restricted ? "restricted" : "normal",
      restricted_to_roles: roles,
    });
  }

  /** What every child has: birth, GP, health visiting while under five, school from reception. */
  universal(child: Person, gp: AgencyRef, demo: DemoFamilyPlan | undefined) {
    const { org, random, ref } = this;
    if (child.unborn) {
      this.involve(child, org.midwifery, child.from - random.int(180, 230), null);
      return;
    }
    const dob = child.dob ?? ref;
    const ageDays = ref - dob;
    this.involve(child, org.midwifery, dob - random.int(150, 230), dob + random.int(10, 28));
    this.event(child, dob, "birth", org.midwifery, { n: random.int(36, 41) });
    this.involve(child, gp, dob + random.int(5, 40), null);
    const isDemoBaby = demo && ageDays < YEAR;
    this.involve(child, org.healthVisiting, dob + random.int(10, 14), dob + Math.floor(5 * YEAR), {
      ...(isDemoBaby ? { lead: demo.healthVisitorUserId } : {}),
    });
    // New birth visit, and the one-year review for those old enough; recent years only.
    if (ageDays < 8 * YEAR) {
      this.event(child, dob + random.int(10, 14), "home-visit-seen", org.healthVisiting);
      if (ageDays > YEAR)
        this.event(child, dob + random.int(360, 400), "home-visit-seen", org.healthVisiting);
    }
    if (child.school) {
      const isDemoSibling = demo !== undefined && child.school === org.schools[0] && ageDays > 4 * YEAR;
      this.involve(child, child.school, Math.max(schoolStartDay(dob), dob + Math.floor(4 * YEAR)), null, {
        ...(isDemoSibling ? { lead: demo.schoolUserId } : {}),
      });
    }
  }

  /** A family without neglect: the ordinary run of a childhood, with the odd concern. */
  ordinary() {
    const { org, random, ref } = this;
    const earlyHelp = random.next() < 0.1;
    const ehStart = ref - random.int(60, 1400);
    const ehEnd = random.next() < 0.6 ? ehStart + random.int(120, 400) : null;
    for (const child of this.children) {
      if (child.unborn) continue;
      const dob = child.dob ?? ref;
      const ageDays = ref - dob;
      if (ageDays < 5 * YEAR && random.next() < 0.06) {
        this.event(
          child,
          ref - random.int(10, Math.max(11, Math.min(ageDays, 1500))),
          "not-brought-health",
          org.healthVisiting,
        );
      }
      if (random.next() < 0.05) {
        const day = ref - random.int(1, Math.max(2, Math.min(ageDays, 2500)));
        this.involve(child, org.emergency, day, day + 1);
        this.event(child, day, "ae-attendance", org.emergency);
      }
      if (child.school && random.next() < 0.1) {
        this.event(child, ref - random.int(14, 400), "school-absence", child.school, {
          pct: random.int(86, 92),
        });
      }
      if (earlyHelp && ehStart > dob) {
        this.involve(child, org.earlyHelp, ehStart, ehEnd);
        this.event(child, ehStart + random.int(7, 30), "home-visit-seen", org.earlyHelp);
        if (ehEnd !== null)
          this.event(child, ehEnd - random.int(0, 20), "positive-change", org.earlyHelp, {
            pct: random.int(93, 98),
          });
      }
    }
    if (random.next() < 0.04) {
      const day = ref - random.int(30, 900);
      for (const child of this.children) {
        if (child.unborn || (child.dob ?? ref) > day) continue;
        this.involve(child, org.housing, day, day + random.int(60, 300));
        this.event(child, day, "housing-concern", org.housing);
      }
    }
    this.markLeadAgencies();
  }

  /** A family where neglect accumulates over years, noticed by different agencies for different children. */
  neglect(
    gp: AgencyRef,
    family: {
      maleAdults: Person[];
      moves: number[];
      partner: Person | null;
      otherAdult: Person | null;
      demo: DemoFamilyPlan | undefined;
    },
  ) {
    const { org, random, ref } = this;
    const born = this.children.filter((c) => !c.unborn);
    const eldestDob = Math.min(...born.map((c) => c.dob ?? ref), ref);
    const windowStart = Math.max(eldestDob + 60, ref - random.int(400, Math.floor(5 * YEAR)));
    const span = Math.max(60, ref - windowStart);
    const severity = 0.6 + random.next();
    const dayIn = (from = windowStart, to = ref) => (to <= from ? from : random.int(from, to));
    const demo = family.demo;
    const withDa = !demo && family.maleAdults.length > 0 && random.next() < 0.6;
    const withHousing = !demo && random.next() < 0.5;
    const withEarlyHelp = demo !== undefined || random.next() < 0.65;
    const withCsc = !demo && random.next() < 0.5;
    const ehStart = dayIn(windowStart + Math.floor(span / 4), ref - 30);
    const cscStart = dayIn(Math.max(windowStart + Math.floor(span / 2), ehStart), ref - 10);
    const years = span / YEAR;

    // Missed health and dental appointments, in clusters.
    for (const child of this.children) {
      if (child.unborn) {
        if (random.next() < 0.5)
          this.event(child, ref - random.int(5, 60), "not-brought-health", org.midwifery);
        continue;
      }
      const dob = child.dob ?? ref;
      const clusters = Math.max(1, Math.round(years * 0.9 * severity));
      for (let c = 0; c < clusters; c += 1) {
        let day = dayIn(Math.max(windowStart, dob + 30));
        const count = random.int(2, 4);
        for (let k = 0; k < count && day <= ref; k += 1) {
          const age = (day - dob) / YEAR;
          const dental = age >= 2 && random.next() < 0.4;
          const agency = dental
            ? age >= 5
              ? org.schoolNursing
              : org.healthVisiting
            : age < 5
              ? org.healthVisiting
              : gp;
          if (agency === org.schoolNursing) this.involve(child, agency, day - random.int(30, 200), null);
          this.event(child, day, dental ? "not-brought-dental" : "not-brought-health", agency, {
            n: random.pick([9, 12, 24, 27]),
          });
          day += random.int(12, 60);
        }
      }
      if ((ref - dob) / YEAR < 5 && random.next() < 0.5) {
        this.event(child, dayIn(Math.max(windowStart, dob + 20)), "home-visit-not-seen", org.healthVisiting);
      }
      if (random.next() < 0.3 * severity) {
        const day = dayIn(Math.max(windowStart, dob + 100));
        this.involve(child, org.emergency, day, day + 1);
        this.event(child, day, "ae-attendance", org.emergency);
      }
    }

    // Falling school attendance, term by term over the last two years or so: absences, then persistent absence.
    for (const child of born) {
      if (!child.school) continue;
      const dob = child.dob ?? ref;
      const from = Math.max(windowStart, schoolStartDay(dob), ref - random.int(500, 800));
      let pct = random.int(91, 95);
      for (let term = from + random.int(20, 60); term <= ref; term += random.int(110, 130)) {
        pct = Math.max(55, pct - random.int(0, Math.round(3 * severity) + 1));
        if (pct < 93 && random.next() < 0.8) {
          this.event(child, term, pct >= 90 ? "school-absence" : "persistent-absence", child.school, { pct });
        }
        if (random.next() < 0.2 * severity) {
          this.event(child, term + random.int(3, 40), "hunger-or-poor-hygiene", child.school);
        }
      }
    }

    // Repeated police call-outs and domestic abuse, recorded for each child at home.
    if (withDa) {
      const abuser = random.pick(family.maleAdults);
      const from = Math.max(windowStart, abuser.from);
      const to = abuser.to ?? ref;
      const incidents = Math.max(2, Math.round(random.int(2, 6) * severity));
      const days =
        to > from ? Array.from({ length: incidents }, () => dayIn(from, to)).sort((a, b) => a - b) : [];
      for (const day of days) {
        const type: EventType = random.next() < 0.55 ? "domestic-abuse" : "police-call-out";
        for (const child of born) {
          if ((child.dob ?? ref) > day) continue;
          this.involve(child, org.police, day, null, { basis: "exception", consent: "not-sought" });
          this.event(child, day, type, org.police, { adult: abuser });
        }
      }
    }

    // Housing trouble and what visitors see at home.
    if (withHousing) {
      const day = dayIn();
      for (const child of born) {
        if ((child.dob ?? ref) > day) continue;
        this.involve(child, org.housing, day, random.next() < 0.5 ? null : day + random.int(90, 500));
        this.event(child, day, "housing-concern", org.housing, { n: random.int(4, 16) });
        if (random.next() < 0.5)
          this.event(child, dayIn(day), "housing-concern", org.housing, { n: random.int(6, 20) });
      }
      const move = family.moves[1];
      if (move !== undefined && move > windowStart && random.next() < 0.5) {
        for (const child of born)
          if ((child.dob ?? ref) < move) this.event(child, move - random.int(1, 20), "eviction", org.housing);
      }
    }

    // Early help, then social care for some; home visits, conditions, the child's own voice, some progress.
    const visitors: { agency: AgencyRef; from: number }[] = [];
    if (withEarlyHelp) visitors.push({ agency: org.earlyHelp, from: ehStart });
    if (withCsc) visitors.push({ agency: org.csc, from: cscStart });
    for (const child of born) {
      const dob = child.dob ?? ref;
      for (const { agency, from } of visitors) {
        if (dob > from) continue;
        const cscRefusal = agency === org.csc && random.next() < 0.3;
        this.involve(child, agency, from, agency === org.earlyHelp && withCsc ? cscStart : null, {
          ...(cscRefusal ? { basis: "exception" as const, consent: "refused" as const } : {}),
        });
        if (agency === org.csc) {
          const referrer = child.school ?? org.healthVisiting;
          this.event(child, from, "referral", this.hasInvolvement(child, referrer) ? referrer : org.csc);
        }
        const end = agency === org.earlyHelp && withCsc ? cscStart : ref;
        const visits = Math.max(1, Math.round(((end - from) / 30) * 0.6));
        for (let v = 0; v < Math.min(visits, 14); v += 1) {
          const day = dayIn(from, end);
          const age = (day - dob) / YEAR;
          const roll = random.next();
          const type: EventType =
            roll < 0.2
              ? "home-conditions"
              : roll < 0.35
                ? "home-visit-not-seen"
                : roll < 0.55 && age >= 5
                  ? "home-visit-seen-alone"
                  : "home-visit-seen";
          this.event(child, day, type, agency);
        }
        if (random.next() < 0.6) {
          this.event(child, dayIn(Math.min(ref, from + 60)), "positive-change", agency, {
            pct: random.int(91, 97),
          });
        }
        if (random.next() < 0.25) {
          this.event(
            child,
            dayIn(from),
            random.next() < 0.5 ? "parental-mental-health" : "parental-substance-misuse",
            agency,
          );
        }
      }
      if (visitors.length === 0 && (ref - dob) / YEAR < 5) {
        this.event(child, dayIn(Math.max(windowStart, dob + 20)), "home-conditions", org.healthVisiting);
      }
    }

    // Changes of who lives at home, noticed by whoever is involved at the time.
    for (const adult of [family.partner, family.otherAdult]) {
      if (!adult) continue;
      for (const [day, joining] of [
        [adult.from, true],
        [adult.to, false],
      ] as const) {
        if (day === null || day < windowStart || day > ref) continue;
        for (const child of born) {
          if ((child.dob ?? ref) > day) continue;
          const agency =
            visitors.find((v) => v.from <= day)?.agency ??
            (child.school && joining ? child.school : org.healthVisiting);
          if (!this.hasInvolvement(child, agency)) continue;
          this.event(child, day + random.int(0, 20), "household-change", agency, { adult });
        }
      }
    }
    this.markLeadAgencies();
  }

  hasInvolvement(child: Person, agency: AgencyRef): boolean {
    return this.#involvements.get(child.id)?.has(agency) ?? false;
  }

  /** The demo family's named entries: a "not brought" for the baby, a school attendance entry for the sibling. */
  demo(plan: DemoFamilyPlan) {
    const { org, random, ref } = this;
    const baby = this.children[this.children.length - 1];
    const sibling = this.children[0];
    if (!baby || !sibling?.school) return;
    this.event(baby, ref - 21, "not-brought-health", org.healthVisiting, {
      recorder: plan.healthVisitorUserId,
      n: 3,
    });
    this.event(sibling, ref - 14, "school-absence", sibling.school, {
      recorder: plan.schoolUserId,
      pct: random.int(84, 88),
    });
  }
}
