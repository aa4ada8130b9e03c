// SPDX-License-Identifier: MIT
/**
 * Agency imports, each format, on the test engine (PGlite or PostgreSQL): matched rows become chronology
 * entries attributed to the agency and the import; weak matches wait for review; unreadable rows and rows
 * for nobody known are listed in the rejects file by row number; a second run adds nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parse } from "csv-parse/sync";
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import { addCalendarDays, todayInEngland } from "../kernel/calendar.ts";
import { onKey } from "../kernel/sql.ts";
import { createTestPartnership, openTestDatabase } from "../test-support/harness.ts";
import type { ImportFormat } from "./codes.ts";
import { prepareImport, processImport, rejectsCsv, saveMapping } from "./engine.ts";
import { DEFAULT_MAPPINGS, readMapping } from "./formats.ts";

type Child = {
  person_id: string;
  given_names: string;
  family_name: string;
  date_of_birth: string;
  nhs_number: string | null;
  upn: string | null;
};

const daysAgo = (n: number) => addCalendarDays(todayInEngland(), -n);
const ukDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
/** One letter changed: a misspelling the fuzzy search still finds. */
const misspell = (name: string) => `${name.slice(0, -1)}${name.endsWith("e") ? "a" : "e"}`;

describe("agency imports", () => {
  let database: HearthDatabase;
  let partnership: GeneratedPartnership;
  let children: Child[];
  const agencies: Record<string, string> = {};

  before(async () => {
    database = await openTestDatabase();
    partnership = await createTestPartnership(database, 80);
    const people = await database.unsafeOwnerDb
      .selectFrom("people")
      .select(["person_id", "given_names", "family_name", "date_of_birth", "nhs_number", "upn"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("kind", "=", "child")
      .where("merged_into_person_id", "is", null)
      .where("date_of_birth", "is not", null)
      .orderBy("person_id")
      .execute();
    // Names unique with their date of birth, so a name match is certain or plainly not.
    const seen = new Map<string, number>();
    for (const p of people) {
      const k = `${p.given_names} ${p.family_name}`.toLowerCase();
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    children = people.filter(
      (p) => seen.get(`${p.given_names} ${p.family_name}`.toLowerCase()) === 1 && p.family_name.length > 4,
    ) as Child[];
    const rows = await database.unsafeOwnerDb
      .selectFrom("agencies")
      .select(["agency_id", "name", "agency_type"])
      .where("partnership_id", "=", partnership.partnershipId)
      .execute();
    for (const a of rows) {
      if (a.name === "Community Health NHS Trust") agencies.health = a.agency_id;
      if (a.name === "Hospital NHS Foundation Trust") agencies.hospital = a.agency_id;
      if (a.name === "Police Public Protection") agencies.police = a.agency_id;
      if (a.agency_type === "education" && !agencies.school) agencies.school = a.agency_id;
    }
  });
  after(() => database.close());

  const run = async (
    agencyId: string,
    format: ImportFormat,
    content: string,
    fileName = `feed.${format}`,
  ) => {
    const prepared = await prepareImport(database, {
      partnershipId: partnership.partnershipId,
      agencyId,
      format,
      fileName,
      content,
      actor: null,
    });
    const summary = await processImport(database, {
      partnershipId: partnership.partnershipId,
      importId: prepared.importId,
      content,
      actor: null,
      batchSize: 3,
    });
    return { ...summary, rejects: await rejectsCsv(database, partnership.partnershipId, prepared.importId) };
  };

  const entriesOf = (importId: string) =>
    database.unsafeOwnerDb
      .selectFrom("chronology_events")
      .select(["person_id", "event_type", "source_agency_id", "occurred_on", "what_happened"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("import_id", "=", importId)
      .execute();

  const countEntries = async () =>
    Number(
      (
        await database.unsafeOwnerDb
          .selectFrom("chronology_events")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("partnership_id", "=", partnership.partnershipId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  const rowsByFate = async (importId: string) => {
    const rows = await database.unsafeOwnerDb
      .selectFrom("import_rows")
      .select(["row_number", "fate", "person_id", "reason"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("import_id", "=", importId)
      .orderBy("row_number")
      .execute();
    return Object.fromEntries(rows.map((r) => [r.row_number, r]));
  };

  it("imports school attendance: a certain UPN match becomes an entry, a misspelt name waits for review, bad rows are rejected by row number", async () => {
    const withUpn = children.filter((c) => c.upn);
    const [a, b, c] = withUpn;
    const d = children.find((x) => !x.upn && x !== a && x !== b && x !== c) ?? children[10];
    assert.ok(a && b && c && d, "the generated partnership has children with UPNs");
    const start = daysAgo(80);
    const end = daysAgo(10);
    const header =
      "UPN,Legal Forename,Legal Surname,DOB,Start Date,End Date,Possible Sessions,Sessions Missed,Authorised Absences,Unauthorised Absences";
    const lines = [
      header,
      // row 2: 80% attendance -> persistent absence
      `${a.upn},${a.given_names},${a.family_name},${ukDate(a.date_of_birth)},${ukDate(start)},${ukDate(end)},100,20,5,15`,
      // row 3: 99% -> matched, nothing to record
      `${b.upn},${b.given_names},${b.family_name},${b.date_of_birth},${start},${end},100,1,1,0`,
      // row 4: no UPN, misspelt family name -> review
      `,${c.given_names},${misspell(c.family_name)},${c.date_of_birth},${start},${end},100,30,0,30`,
      // row 5: more missed than possible -> rejected
      `${b.upn},${b.given_names},${b.family_name},${b.date_of_birth},${daysAgo(200)},${daysAgo(150)},10,12,12,0`,
      // row 6: a child nobody knows -> unmatched
      `,Zebedee,Quillfeather,2015-02-03,${start},${end},100,40,0,40`,
      // row 7: the same as row 2 again -> duplicate
      `${a.upn},${a.given_names},${a.family_name},${a.date_of_birth},${start},${end},100,20,5,15`,
      // row 8: exact name and date of birth, no UPN -> certain match, 92% with unauthorised -> school absence
      `,${d.given_names},${d.family_name},${d.date_of_birth},${start},${end},100,8,2,6`,
    ];
    const first = await run(
      agencies.school as string,
      "attendance",
      `${lines.join("\r\n")}\r\n`,
      "spring.csv",
    );
    assert.equal(first.total, 7);
    assert.equal(first.finished, true);
    const fates = await rowsByFate(first.importId);
    assert.equal(fates[2]?.fate, "entry-created");
    assert.equal(fates[2]?.person_id, a.person_id);
    assert.equal(fates[3]?.fate, "no-entry");
    assert.equal(fates[4]?.fate, "review");
    assert.equal(fates[5]?.fate, "rejected");
    assert.match(fates[5]?.reason ?? "", /Sessions Missed: 12 missed of 10 possible/);
    assert.equal(fates[6]?.fate, "unmatched");
    assert.equal(fates[7]?.fate, "duplicate");
    assert.equal(fates[8]?.fate, "entry-created");
    assert.equal(fates[8]?.person_id, d.person_id);
    const entries = await entriesOf(first.importId);
    assert.deepEqual(entries.map((e) => e.event_type).sort(), ["persistent-absence", "school-absence"]);
    for (const e of entries) {
      assert.equal(e.source_agency_id, agencies.school);
      assert.equal(e.occurred_on, end);
    }
    assert.match(entries.find((e) => e.person_id === a.person_id)?.what_happened ?? "", /Attendance 80%/);
    const rejects = parse(first.rejects, { columns: true }) as {
      row: string;
      fate: string;
      reason: string;
    }[];
    assert.deepEqual(
      rejects.map((r) => [r.row, r.fate]),
      [
        ["5", "rejected"],
        ["6", "unmatched"],
        ["7", "duplicate"],
      ],
    );
    const review = await database.unsafeOwnerDb
      .selectFrom("import_row_candidates")
      .select(["person_id"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("import_id", "=", first.importId)
      .where("row_number", "=", 4)
      .execute();
    assert.ok(
      review.some((r) => r.person_id === c.person_id),
      "the misspelt child is offered for review",
    );

    const before = await countEntries();
    const second = await run(
      agencies.school as string,
      "attendance",
      `${lines.join("\r\n")}\r\n`,
      "spring-again.csv",
    );
    assert.equal(await countEntries(), before, "a second run adds no entries");
    const again = await rowsByFate(second.importId);
    assert.deepEqual(
      Object.values(again).map((r) => r.fate),
      ["duplicate", "duplicate", "duplicate", "rejected", "unmatched", "duplicate", "duplicate"],
    );
  });

  it("imports a FHIR R4 Bundle of UK Core Appointments: noshow becomes 'not brought', fulfilled records nothing", async () => {
    const withNhs = children.filter((c) => c.nhs_number);
    const [a, b] = withNhs;
    assert.ok(a && b);
    const patient = (
      id: string,
      c: Child | { nhs_number: string; given_names: string; family_name: string; date_of_birth: string },
    ) => ({
      fullUrl: `urn:uuid:${id}`,
      resource: {
        resourceType: "Patient",
        id,
        meta: { profile: ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"] },
        identifier: [{ system: "https://fhir.nhs.uk/Id/nhs-number", value: c.nhs_number }],
        name: [{ given: [c.given_names], family: c.family_name }],
        birthDate: c.date_of_birth,
      },
    });
    const appointment = (
      id: string,
      status: string,
      start: string,
      patientRef: string,
      service = "Health visiting",
    ) => ({
      fullUrl: `urn:uuid:appt-${id}`,
      resource: {
        resourceType: "Appointment",
        id,
        meta: { profile: ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Appointment"] },
        identifier: [{ system: "https://example.nhs.uk/appointments", value: `APPT-${id}` }],
        status,
        serviceType: [{ text: service }],
        start: `${start}T09:30:00+00:00`,
        participant: [{ actor: { reference: patientRef }, status: "accepted" }],
      },
    });
    const bundle = {
      resourceType: "Bundle",
      type: "collection",
      entry: [
        patient("p1", a as Child & { nhs_number: string }),
        patient("p2", b as Child & { nhs_number: string }),
        appointment("1", "noshow", daysAgo(20), "urn:uuid:p1"), // entry 3
        appointment("2", "fulfilled", daysAgo(15), "urn:uuid:p1"), // entry 4
        appointment("3", "noshow", daysAgo(12), "urn:uuid:p2", "Community dental service"), // entry 5
        appointment("4", "maybe", daysAgo(11), "urn:uuid:p2"), // entry 6: unknown status
        {
          resource: {
            resourceType: "Appointment",
            id: "5",
            status: "noshow",
            start: `${daysAgo(9)}T10:00:00Z`,
            participant: [
              { actor: { identifier: { system: "https://fhir.nhs.uk/Id/nhs-number", value: "9434765919" } } },
            ],
          },
        }, // entry 7: an NHS number nobody in Hearth has, no name
      ],
    };
    const content = JSON.stringify(bundle);
    const first = await run(agencies.health as string, "appointments-fhir", content, "appointments.json");
    const fates = await rowsByFate(first.importId);
    assert.deepEqual(
      Object.entries(fates).map(([n, r]) => [Number(n), r.fate]),
      [
        [3, "entry-created"],
        [4, "no-entry"],
        [5, "entry-created"],
        [6, "rejected"],
        [7, "unmatched"],
      ],
    );
    const entries = await entriesOf(first.importId);
    assert.deepEqual(
      entries.map((e) => [e.person_id, e.event_type]).sort(),
      [
        [a.person_id, "not-brought-health"],
        [b.person_id, "not-brought-dental"],
      ].sort(),
    );
    assert.match(first.rejects, /6,rejected,"?Appointment.status: ""maybe"" is not an appointment outcome/);
    const before = await countEntries();
    await run(agencies.health as string, "appointments-fhir", content, "appointments.json");
    assert.equal(await countEntries(), before);
  });

  it("fires the not-brought signal from an appointments import, listing the imported entries", async () => {
    const child = children.filter((c) => c.nhs_number).at(-1);
    assert.ok(child);
    const appointment = (id: string, start: string) => ({
      resource: {
        resourceType: "Appointment",
        id,
        identifier: [{ system: "https://example.nhs.uk/appointments", value: `SIG-${id}` }],
        status: "noshow",
        serviceType: [{ text: "Health visiting" }],
        start: `${start}T09:30:00+00:00`,
        participant: [
          { actor: { identifier: { system: "https://fhir.nhs.uk/Id/nhs-number", value: child.nhs_number } } },
        ],
      },
    });
    const bundle = {
      resourceType: "Bundle",
      type: "collection",
      entry: [appointment("s1", daysAgo(40)), appointment("s2", daysAgo(30)), appointment("s3", daysAgo(20))],
    };
    const imported = await run(
      agencies.health as string,
      "appointments-fhir",
      JSON.stringify(bundle),
      "s.json",
    );
    const entries = (await entriesOf(imported.importId)).filter((e) => e.person_id === child.person_id);
    assert.equal(entries.length, 3);
    const fired = await database.unsafeOwnerDb
      .selectFrom("signal_entries as e")
      .innerJoin("chronology_events as c", (j) => onKey(j, "c.event_id", "e.entry_id"))
      .select(["e.signal_id", "c.import_id"])
      .where("e.partnership_id", "=", partnership.partnershipId)
      .where("e.child_person_id", "=", child.person_id)
      .where("e.rule_id", "=", "not-brought-health")
      .execute();
    assert.ok(
      fired.filter((f) => f.import_id === imported.importId).length >= 3,
      "the signal lists the three imported entries",
    );
  });

  it("imports appointments, police notifications and A&E attendances as CSV", async () => {
    const withNhs = children.filter((c) => c.nhs_number);
    const [, , a, b, c] = withNhs;
    assert.ok(a && b && c);
    const appointments = [
      "Appointment ID,NHS Number,Forename,Surname,Date of Birth,Appointment Date,Clinic,Outcome",
      `A1,${a.nhs_number},${a.given_names},${a.family_name},${a.date_of_birth},${daysAgo(30)},Paediatrics,WNB`,
      `A2,,${b.given_names},${misspell(b.family_name)},${b.date_of_birth},${daysAgo(29)},Paediatrics,DNA`,
      `A3,123,${b.given_names},${b.family_name},${b.date_of_birth},${daysAgo(28)},Paediatrics,DNA`,
      `A4,${c.nhs_number},${c.given_names},${c.family_name},${c.date_of_birth},${addCalendarDays(todayInEngland(), 30)},Paediatrics,DNA`,
    ].join("\n");
    const appts = await run(agencies.hospital as string, "appointments-csv", appointments);
    const af = await rowsByFate(appts.importId);
    assert.deepEqual(
      [af[2]?.fate, af[3]?.fate, af[4]?.fate, af[5]?.fate],
      ["entry-created", "review", "rejected", "rejected"],
    );
    assert.match(af[4]?.reason ?? "", /NHS Number: NHS number must be 10 digits/);
    assert.match(af[5]?.reason ?? "", /in the future/);

    const police = [
      "Incident Ref,Incident Date,Incident Type,Subject Name,Child Forename,Child Surname,Child DOB,Child NHS Number,Children Present",
      `PPN-1,${ukDate(daysAgo(40))},Domestic abuse,Adult One,${a.given_names},${a.family_name},${ukDate(a.date_of_birth)},,Y`,
      `PPN-2,${daysAgo(41)},Concern for welfare,Adult Two,${c.given_names},${c.family_name},${c.date_of_birth},${c.nhs_number},N`,
      `PPN-3,not a date,Concern for welfare,Adult Two,${c.given_names},${c.family_name},${c.date_of_birth},,N`,
    ].join("\n");
    const pol = await run(agencies.police as string, "police", police);
    const pf = await rowsByFate(pol.importId);
    assert.deepEqual([pf[2]?.fate, pf[3]?.fate, pf[4]?.fate], ["entry-created", "entry-created", "rejected"]);
    assert.match(pf[4]?.reason ?? "", /Incident Date: "not a date" is not a date/);
    const pe = await entriesOf(pol.importId);
    assert.deepEqual(pe.map((e) => e.event_type).sort(), ["domestic-abuse", "police-call-out"]);
    assert.match(
      pe.find((e) => e.event_type === "domestic-abuse")?.what_happened ?? "",
      /Children present: yes/,
    );

    const ae = [
      "Attendance ID,NHS Number,Forename,Surname,DOB,Arrival Date,Presenting Complaint,Injury",
      `E1,${b.nhs_number},${b.given_names},${b.family_name},${b.date_of_birth},${daysAgo(5)},Fall from furniture,Y`,
      `E1,${b.nhs_number},${b.given_names},${b.family_name},${b.date_of_birth},${daysAgo(5)},Fall from furniture,Y`,
      `E2,,,,,${daysAgo(4)},Cough,N`,
    ].join("\n");
    const aes = await run(agencies.hospital as string, "ae-attendances", ae);
    const ef = await rowsByFate(aes.importId);
    assert.deepEqual([ef[2]?.fate, ef[3]?.fate, ef[4]?.fate], ["entry-created", "duplicate", "rejected"]);
    assert.match(ef[4]?.reason ?? "", /cannot be identified/);
    const [entry] = await entriesOf(aes.importId);
    assert.equal(entry?.event_type, "ae-attendance");
    assert.equal(entry?.person_id, b.person_id);
    assert.equal(entry?.source_agency_id, agencies.hospital);

    const before = await countEntries();
    for (const [agency, format, content] of [
      [agencies.hospital, "appointments-csv", appointments],
      [agencies.police, "police", police],
      [agencies.hospital, "ae-attendances", ae],
    ] as const)
      await run(agency as string, format, content);
    assert.equal(await countEntries(), before, "second runs add nothing");
  });

  it("refuses a file whose header lacks a mapped column, importing nothing", async () => {
    await assert.rejects(
      prepareImport(database, {
        partnershipId: partnership.partnershipId,
        agencyId: agencies.police as string,
        format: "police",
        fileName: "bad.csv",
        content: "Ref,Date\n1,2020-01-01\n",
        actor: null,
      }),
      /The header row has no column "Incident Ref"/,
    );
  });

  it("reads a file through the agency's newest saved mapping, and names the version on the import", async () => {
    const child = children.find((c) => c.nhs_number);
    assert.ok(child);
    const renamed = readMapping(
      JSON.stringify({
        ...DEFAULT_MAPPINGS["ae-attendances"],
        columns: {
          ...DEFAULT_MAPPINGS["ae-attendances"].columns,
          attendanceId: "ED Ref",
          arrivalDate: "Arrived",
        },
      }),
    );
    assert.ok(renamed.ok);
    assert.equal(readMapping('{"columns": {"x": 3}}').ok, false, "a malformed mapping is refused");
    const agencyId = agencies.hospital as string;
    // The agency's first import saved version 1 (the default); this is version 2.
    const version = await saveMapping(database, {
      partnershipId: partnership.partnershipId,
      agencyId,
      format: "ae-attendances",
      mapping: renamed.value,
      reason: "The hospital's new patient system names the columns differently",
      actor: null,
    });
    assert.equal(version, 2);
    const content = [
      "ED Ref,NHS Number,Forename,Surname,DOB,Arrived,Presenting Complaint,Injury",
      `NEW-1,${child.nhs_number},${child.given_names},${child.family_name},${child.date_of_birth},${daysAgo(3)},Scald,Y`,
    ].join("\n");
    const result = await run(agencyId, "ae-attendances", content, "new-system.csv");
    assert.equal(result.counts["entry-created"], 1);
    const imp = await database.unsafeOwnerDb
      .selectFrom("agency_imports")
      .select("mapping_version")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("import_id", "=", result.importId)
      .executeTakeFirstOrThrow();
    assert.equal(imp.mapping_version, 2);
    await assert.rejects(
      run(agencyId, "ae-attendances", "Attendance ID,NHS Number,Forename,Surname,DOB,Arrival Date\nX,,,,,\n"),
      /The header row has no column "ED Ref"/,
    );
  });
});
