// SPDX-License-Identifier: MIT
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EVENT_TYPES } from "../chronology/codes.ts";
import type { HearthDatabase } from "../db/database.ts";
import { onKey } from "../kernel/sql.ts";
import { isValidNhsNumber, isValidUpn } from "../people/identifiers.ts";
import { openTestDatabase } from "../test-support/harness.ts";
import { emptyFamilyRows, FamilyGenerator, type FamilyOrganisation, type FamilyRows } from "./families.ts";
import {
  DEFAULT_REFERENCE_DATE,
  type GeneratedPartnership,
  generatePartnership,
} from "./generate-partnership.ts";
import { seededRandom } from "./random.ts";

/** Families made without a database, for determinism and proportions. */
const makeFamilies = (seed: string, children: number) => {
  const random = seededRandom(seed);
  const agency = () => ({ agencyId: random.uuid(), practitioners: [random.uuid(), random.uuid()] });
  const organisation: FamilyOrganisation = {
    csc: agency(),
    earlyHelp: agency(),
    healthVisiting: agency(),
    schoolNursing: agency(),
    midwifery: agency(),
    emergency: agency(),
    police: agency(),
    housing: agency(),
    schools: [
      { ...agency(), establishment: "2000", secondary: false },
      { ...agency(), establishment: "4001", secondary: true },
    ],
    gps: [agency()],
  };
  const generator = new FamilyGenerator({
    random,
    partnershipId: random.uuid(),
    organisation,
    referenceDate: DEFAULT_REFERENCE_DATE,
    localAuthorityCodes: ["204"],
    children,
  });
  const rows: FamilyRows = emptyFamilyRows();
  let made = 0;
  while (made < children) made += generator.family(rows).children;
  return rows;
};

describe("the family generator", () => {
  it("is deterministic from the seed", () => {
    assert.deepEqual(makeFamilies("same", 200), makeFamilies("same", 200));
    assert.notDeepEqual(makeFamilies("same", 200).people, makeFamilies("other", 200).people);
  });

  it("makes realistic households, identifiers and chronologies", () => {
    const rows = makeFamilies("proportions", 1500);
    const children = rows.people.filter((p) => p.kind === "child");
    const unborn = children.filter((p) => p.expected_date_of_birth);
    assert.ok(unborn.length > 10, "some children are unborn");
    for (const child of unborn) {
      assert.equal(child.sex, "U");
      assert.equal(child.date_of_birth, null);
      assert.ok(String(child.expected_date_of_birth) > DEFAULT_REFERENCE_DATE);
    }
    for (const child of children.filter((c) => c.date_of_birth)) {
      assert.ok(isValidNhsNumber(String(child.nhs_number)), `NHS number ${child.nhs_number}`);
    }
    const nhs = children.map((c) => c.nhs_number).filter(Boolean);
    assert.equal(new Set(nhs).size, nhs.length, "NHS numbers are unique");
    const upns = children.map((c) => c.upn).filter((u): u is string => typeof u === "string");
    assert.ok(upns.length > children.length / 3, "school-age children have UPNs");
    for (const upn of upns) assert.ok(isValidUpn(upn) && upn.slice(1, 4) === "204", upn);
    assert.equal(new Set(upns).size, upns.length, "UPNs are unique");

    const sexes = children.filter((c) => c.sex === "F").length / children.length;
    assert.ok(sexes > 0.4 && sexes < 0.6);
    const white = children.filter((c) => c.ethnicity === "WBRI").length / children.length;
    assert.ok(white > 0.45 && white < 0.8, `WBRI share ${white}`);
    const disabled = children.filter((c) => c.disabilities && !c.disabilities.includes("NONE")).length;
    assert.ok(disabled > 0 && disabled < children.length * 0.2);

    // Every person has one current name; some have a previous one.
    const current = new Map<string, number>();
    for (const name of rows.person_names.filter((n) => n.name_use === "current")) {
      current.set(name.person_id, (current.get(name.person_id) ?? 0) + 1);
    }
    assert.equal(current.size, rows.people.length);
    assert.ok([...current.values()].every((n) => n === 1));
    assert.ok(rows.person_names.some((n) => n.name_use === "previous"));

    // Men who are not parents are named in the household; partners come and go.
    const types = new Set(rows.relationships.map((r) => r.relationship_type));
    for (const type of ["mother", "father", "sibling", "half-sibling", "parents-partner", "grandparent"]) {
      assert.ok(types.has(type as never), `some ${type} relationships`);
    }
    const others = rows.household_members.filter((m) => m.household_role === "other-adult");
    assert.ok(others.length > 0);
    assert.ok(
      rows.household_members.some((m) => m.valid_to !== null),
      "some memberships end",
    );
    const movers = new Map<string, Set<string>>();
    for (const m of rows.household_members) {
      movers.set(m.person_id, (movers.get(m.person_id) ?? new Set()).add(m.household_id));
    }
    assert.ok(
      [...movers.values()].some((homes) => homes.size > 1),
      "some families move",
    );
    for (const h of rows.households) {
      assert.match(String(h.postcode), /^ZZ\d+ \d[A-Z]{2}$/);
      assert.match(String(h.ward), /^E05\d{6}$/);
      assert.match(String(h.lsoa), /^E01\d{6}$/);
    }

    // Involvements: a lead agency per child with an open involvement, and lawful sharing.
    for (const involvement of rows.involvements) {
      if (involvement.consent !== "given") assert.ok(involvement.sharing_reasoning);
      assert.ok(involvement.lead_professional_user_id);
    }
    assert.ok(rows.involvements.some((i) => i.sharing_basis === "safeguarding-exception"));

    // Events: years of them, coded per the event types' defaults, impact always written.
    const byType = new Map<string, number>();
    for (const event of rows.chronology_events) {
      const definition = EVENT_TYPES[event.event_type];
      assert.equal(event.significance, definition.significance);
      assert.deepEqual(event.neglect_types, [...definition.neglectTypes]);
      assert.ok(String(event.impact_on_child).trim().length > 0);
      assert.ok(!String(event.what_happened).includes("{"), event.what_happened);
      assert.ok(String(event.occurred_on) <= DEFAULT_REFERENCE_DATE);
      byType.set(event.event_type, (byType.get(event.event_type) ?? 0) + 1);
    }
    for (const type of [
      "birth",
      "not-brought-health",
      "not-brought-dental",
      "school-absence",
      "persistent-absence",
      "police-call-out",
      "domestic-abuse",
      "housing-concern",
      "home-conditions",
      "positive-change",
      "home-visit-seen-alone",
    ]) {
      assert.ok((byType.get(type) ?? 0) > 0, `some ${type} events`);
    }
    const years = new Set(rows.chronology_events.map((e) => String(e.occurred_on).slice(0, 4)));
    assert.ok(years.size >= 5, "events span years");
  });
});

describe("a generated partnership's families", () => {
  let database: HearthDatabase;
  let generated: GeneratedPartnership;

  before(async () => {
    database = await openTestDatabase();
    generated = await generatePartnership(database, {
      seed: `families-${crypto.randomUUID()}`,
      children: 60,
    });
  });
  after(() => database.close());

  it("counts what it wrote", async () => {
    const db = database.unsafeOwnerDb;
    const id = generated.partnershipId;
    const count = async (table: "people" | "households" | "chronology_events" | "involvements") =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as("n"))
            .where("partnership_id", "=", id)
            .executeTakeFirstOrThrow()
        ).n,
      );
    assert.equal(await count("people"), generated.counts.people);
    assert.equal(await count("households"), generated.counts.households);
    assert.equal(await count("chronology_events"), generated.counts.events);
    assert.equal(await count("involvements"), generated.counts.involvements);
    assert.ok(generated.counts.childRecords >= 60 && generated.counts.childRecords < 64);
  });

  it("records each event by an involved agency's user", async () => {
    const db = database.unsafeOwnerDb;
    const strays = await db
      .selectFrom("chronology_events as e")
      .innerJoin("users as u", (join) => onKey(join, "u.user_id", "e.recorded_by"))
      .select(["e.event_id", "e.event_type", "u.agency_id", "e.source_agency_id"])
      .where("e.partnership_id", "=", generated.partnershipId)
      .where((eb) =>
        eb.or([
          eb("u.agency_id", "!=", eb.ref("e.source_agency_id")),
          eb.not(
            eb.exists(
              eb
                .selectFrom("involvements as i")
                .select("i.involvement_id")
                .where("i.partnership_id", "=", generated.partnershipId)
                .whereRef("i.person_id", "=", "e.person_id")
                .whereRef("i.agency_id", "=", "e.source_agency_id"),
            ),
          ),
        ]),
      )
      .execute();
    assert.deepEqual(strays, []);
    const all = await db
      .selectFrom("chronology_events")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("partnership_id", "=", generated.partnershipId)
      .where("recorded_by", "is", null)
      .executeTakeFirstOrThrow();
    assert.equal(Number(all.n), 0);
  });

  it("keeps the CSC practitioner first and adds a health visitor and a school sign-in", () => {
    const practitioners = generated.signIns.filter((s) => s.role === "practitioner");
    assert.equal(practitioners[0]?.email.startsWith("practitioner@"), true);
    assert.ok(practitioners.some((s) => s.email.startsWith("health-visitor@")));
    assert.ok(practitioners.some((s) => s.email.startsWith("school@")));
  });

  it("gives the demo family a baby known to health visiting and a school-age sibling", async () => {
    const db = database.unsafeOwnerDb;
    const family = generated.demoFamily;
    const healthVisitor = generated.signIns.find((s) => s.email.startsWith("health-visitor@"));
    const school = generated.signIns.find((s) => s.email.startsWith("school@"));
    assert.ok(healthVisitor && school);
    assert.ok(isValidNhsNumber(family.babyNhsNumber));
    assert.ok(isValidUpn(family.siblingUpn));
    const baby = await db
      .selectFrom("people")
      .selectAll()
      .where("partnership_id", "=", generated.partnershipId)
      .where("nhs_number", "=", family.babyNhsNumber)
      .executeTakeFirstOrThrow();
    assert.equal(baby.person_id, family.babyPersonId);

    const openInvolvement = (personId: string, agencyId: string) =>
      db
        .selectFrom("involvements")
        .selectAll()
        .where("partnership_id", "=", generated.partnershipId)
        .where("person_id", "=", personId)
        .where("agency_id", "=", agencyId)
        .where("ended_on", "is", null)
        .executeTakeFirst();
    const visiting = await openInvolvement(family.babyPersonId, family.healthVisitingAgencyId);
    assert.equal(visiting?.lead_professional_user_id, healthVisitor.userId);
    const schooling = await openInvolvement(family.siblingPersonId, family.schoolAgencyId);
    assert.equal(schooling?.lead_professional_user_id, school.userId);

    const eventOf = (personId: string, type: "not-brought-health" | "school-absence", userId: string) =>
      db
        .selectFrom("chronology_events")
        .selectAll()
        .where("partnership_id", "=", generated.partnershipId)
        .where("person_id", "=", personId)
        .where("event_type", "=", type)
        .where("recorded_by", "=", userId)
        .executeTakeFirst();
    assert.ok(await eventOf(family.babyPersonId, "not-brought-health", healthVisitor.userId));
    assert.ok(await eventOf(family.siblingPersonId, "school-absence", school.userId));

    const siblings = await db
      .selectFrom("relationships")
      .select("relationship_type")
      .where("partnership_id", "=", generated.partnershipId)
      .where("person_id", "=", family.siblingPersonId)
      .where("related_person_id", "=", family.babyPersonId)
      .execute();
    assert.deepEqual(
      siblings.map((r) => r.relationship_type),
      ["half-sibling"],
    );
    const home = await db
      .selectFrom("household_members")
      .select("person_id")
      .where("partnership_id", "=", generated.partnershipId)
      .where("household_id", "=", family.householdId)
      .where("valid_to", "is", null)
      .execute();
    const living = new Set(home.map((m) => m.person_id));
    for (const id of [
      family.babyPersonId,
      family.siblingPersonId,
      family.motherPersonId,
      family.partnerPersonId,
    ]) {
      assert.ok(living.has(id));
    }
  });
});

describe("the social care history's span", () => {
  let db: HearthDatabase;
  before(async () => {
    db = await openTestDatabase();
  });
  after(async () => {
    await db.close();
  });

  it("reaches back as many years as asked, and no further", async () => {
    const generated = await generatePartnership(db, { seed: "ten-years", children: 400, historyYears: 10 });
    const span = await db.unsafeOwnerDb
      .selectFrom("csc_events")
      .select((eb) => eb.fn.min("occurred_on").as("first"))
      .where("partnership_id", "=", generated.partnershipId)
      .where("event_type", "=", "referral")
      .executeTakeFirstOrThrow();
    const first = String(span.first);
    assert.ok(first < "2020-04-01", `referrals from more than six years back (first ${first})`);
    assert.ok(first >= "2016-04-01", `none before ten years back (first ${first})`);
  });

  it("refuses a span it cannot make, naming the option", async () => {
    await assert.rejects(
      generatePartnership(db, { seed: "bad-years", children: 10, historyYears: 0 }),
      /historyYears must be a whole number from 1 to 18/,
    );
  });
});
