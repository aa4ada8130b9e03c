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
import type {
  DisabilityCode,
  EthnicityCode,
  HouseholdRole,
  RelationshipType,
  SexCode,
} from "../people/codes.ts";
import { makeUpn, nhsCheckDigit } from "../people/identifiers.ts";
import {
  type Area,
  type DemoFamily,
  type DemoFamilyPlan,
  dayOf,
  type FamilyOrganisation,
  type FamilyRows,
  type Person,
  pickChildCount,
  pickDisability,
  pickEthnicity,
  type SchoolRef,
  schoolStartDay,
  weighted,
  YEAR,
} from "./family-model.ts";
import { tellNeglect } from "./family-neglect.ts";
import {
  type FamilyIdentifiers,
  writeHouseholds,
  writePeople,
  writeRelationships,
} from "./family-records.ts";
import { FamilyStory } from "./family-story.ts";
import { BOY_NAMES, FAMILY_NAMES, GIRL_NAMES, TOWNS } from "./family-vocabulary.ts";
import type { Random } from "./random.ts";

// The generator's shapes live in family-model.ts; these are the names other modules have always imported.
export {
  type AgencyRef,
  type DemoFamily,
  type DemoFamilyPlan,
  dayOf,
  emptyFamilyRows,
  type FamilyOrganisation,
  type FamilyRows,
  isoOf,
  type SchoolRef,
} from "./family-model.ts";

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
    const householdIds = writeHouseholds(rows, random, {
      pid,
      start,
      moves,
      area,
      areas: this.#areas,
      neglect,
    });

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
    const identifiers: FamilyIdentifiers = {
      nhs: () => this.#nextNhs(),
      upn: (school) => this.#nextUpn(school),
      localId: () => this.#nextLocalId(),
      disabilities: (neglect) => this.#disabilities(neglect),
    };
    writePeople(rows, random, identifiers, {
      pid,
      ref,
      people,
      mother,
      familyName,
      ethnicity,
      neglect,
      start,
      moves,
      householdIds,
    });

    // Relationships: "person is <type> of related person".
    writeRelationships(rows, random, { pid, ref, children, mother, fathers, partner, otherAdult });

    // Involvements and events.
    const maleAdults = adults.filter((a) => a.sex === "M" && a !== mother);
    const story = new FamilyStory(org, rows, random, pid, ref, children, adults);
    const gp = random.pick(org.gps);
    for (const child of children) story.universal(child, gp, demo);
    if (neglect)
      tellNeglect(story, gp, { maleAdults, moves, partner, otherAdult: otherAdult?.person ?? null, demo });
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
}
