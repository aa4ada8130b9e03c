// SPDX-License-Identifier: MIT
/**
 * Agency feed files for a generated partnership (issue 13 item 5): what schools, health, police and the
 * hospital would send, in the formats `hearth import` reads, deterministic from the seed, with the noise
 * real feeds have: misspelt names without an NHS number (weak matches for review), missing NHS numbers
 * with the name exact (matched by name and date of birth), repeated rows (duplicates), rows for children
 * Hearth does not know, and the odd unreadable row.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { sql } from "kysely";
import type { HearthDatabase } from "../db/database.ts";
import type { ImportFormat } from "../imports/codes.ts";
import { addCalendarDays } from "../pathways/working-days.ts";
import { nhsCheckDigit } from "../people/identifiers.ts";
import { DEFAULT_REFERENCE_DATE } from "./generate-partnership.ts";
import { type Random, seededRandom } from "./random.ts";

export type FeedFile = {
  file: string;
  format: ImportFormat;
  agency: string;
  agencyCode: string;
  rows: number;
};

export type FeedOptions = {
  partnershipId: string;
  seed: string;
  /** The day the feeds run up to (default the generator's reference date). */
  referenceDate?: string;
  /** Multiplies the rows per child (attendance terms, appointments), for benchmarks. */
  scale?: number;
  /**
   * Only these formats' files (default all). A benchmark asks for one format at a time at its own scale;
   * the files then differ from those of a run of every format (the seeded sequence is shared).
   */
  formats?: readonly ImportFormat[];
  /** Share of rows with each kind of noise (default 0.04 each). */
  noise?: number;
};

type Child = {
  person_id: string;
  given_names: string;
  family_name: string;
  date_of_birth: string;
  nhs_number: string | null;
  upn: string | null;
  household_id: string | null;
  school_agency_id: string | null;
};

/** An agency's code as `hearth import --agency` takes it. */
const codeOf = (name: string): string =>
  name
    .toLowerCase()
    .replace(/['’]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

const ageOn = (dob: string, on: string): number => {
  const years = Number(on.slice(0, 4)) - Number(dob.slice(0, 4));
  return on.slice(5) < dob.slice(5) ? years - 1 : years;
};

/** One letter of the family name swapped with the next, or a vowel changed: what a receptionist types. */
const misspell = (random: Random, name: string): string => {
  if (name.length < 4) return `${name}e`;
  const i = random.int(1, name.length - 2);
  if (random.next() < 0.5) return `${name.slice(0, i)}${name[i + 1]}${name[i]}${name.slice(i + 2)}`;
  const vowels = "aeiou";
  return `${name.slice(0, i)}${random.pick([...vowels].filter((v) => v !== name[i]))}${name.slice(i + 1)}`;
};

const UNKNOWN_GIVEN = ["Tamsin", "Ossian", "Elowen", "Caspian", "Merryn", "Peregrine", "Wren", "Lowenna"];
const UNKNOWN_FAMILY = ["Quillfeather", "Trevanion", "Penhaligon", "Boscawen", "Nancarrow", "Tregothnan"];

const unknownNhsNumber = (random: Random): string => {
  for (;;) {
    const nine = `9${String(random.int(0, 99_999_999)).padStart(8, "0")}`;
    const check = nhsCheckDigit(nine);
    if (check !== undefined) return `${nine}${check}`;
  }
};

const ukDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

/**
 * Writes the partnership's feed files into a folder.
 * @returns The files written, with the agency each belongs to.
 */
export const generateFeeds = async (
  database: HearthDatabase,
  folder: string,
  options: FeedOptions,
): Promise<FeedFile[]> => {
  const random = seededRandom(`${options.seed}/feeds`);
  const ref = options.referenceDate ?? DEFAULT_REFERENCE_DATE;
  const scale = Math.max(1, Math.round(options.scale ?? 1));
  const noise = options.noise ?? 0.04;
  const wants = (format: ImportFormat) => !options.formats || options.formats.includes(format);
  const db = database.unsafeOwnerDb;
  const agencies = await db
    .selectFrom("agencies")
    .select(["agency_id", "name", "agency_type"])
    .where("partnership_id", "=", options.partnershipId)
    .orderBy("name")
    .execute();
  const byName = (name: string) => agencies.find((a) => a.name === name);
  const schools = agencies.filter((a) => a.agency_type === "education");
  const children = (await db
    .selectFrom("people as p")
    .select([
      "p.person_id",
      "p.given_names",
      "p.family_name",
      "p.date_of_birth",
      "p.nhs_number",
      "p.upn",
      sql<string | null>`(select m.household_id from household_members m
        where m.partnership_id = p.partnership_id and m.person_id = p.person_id and m.valid_to is null
        order by m.valid_from desc limit 1)`.as("household_id"),
      sql<string | null>`(select i.agency_id from involvements i
        join agencies a on a.partnership_id = i.partnership_id and a.agency_id = i.agency_id
        where i.partnership_id = p.partnership_id and i.person_id = p.person_id and a.agency_type = 'education'
        order by i.started_on desc, i.agency_id limit 1)`.as("school_agency_id"),
    ])
    .where("p.partnership_id", "=", options.partnershipId)
    .where("p.kind", "=", "child")
    .where("p.merged_into_person_id", "is", null)
    .where("p.date_of_birth", "is not", null)
    .where("p.date_of_death", "is", null)
    .where("p.date_of_birth", "<=", ref)
    .orderBy("p.person_id")
    .execute()) as Child[];

  // Some households struggle to get children to appointments and school: siblings share it.
  const struggling = new Map<string, boolean>();
  const strugglingOf = (c: Child) => {
    const key = c.household_id ?? c.person_id;
    let value = struggling.get(key);
    if (value === undefined) {
      value = random.next() < 0.12;
      struggling.set(key, value);
    }
    return value;
  };
  const unknownChild = () => {
    const dob = addCalendarDays(ref, -random.int(365, 365 * 15));
    return {
      given: random.pick(UNKNOWN_GIVEN),
      family: random.pick(UNKNOWN_FAMILY),
      dob,
      nhs: unknownNhsNumber(random),
    };
  };
  /** How a row names the child: usually as Hearth has them; sometimes misspelt, or without the NHS number. */
  const identityOf = (c: Child) => {
    const roll = random.next();
    if (roll < noise)
      return {
        given: c.given_names,
        family: misspell(random, c.family_name),
        nhs: "",
        upn: "",
        dob: c.date_of_birth,
      };
    if (roll < noise * 2)
      return { given: c.given_names, family: c.family_name, nhs: "", upn: "", dob: c.date_of_birth };
    return {
      given: c.given_names,
      family: c.family_name,
      nhs: c.nhs_number ?? "",
      upn: c.upn ?? "",
      dob: c.date_of_birth,
    };
  };
  /** Adds duplicates and a rare unreadable row to a file's rows. */
  const withNoise = (rows: string[][], spoil: (row: string[]) => string[]): string[][] => {
    const out: string[][] = [];
    for (const row of rows) {
      const roll = random.next();
      out.push(roll < noise / 4 ? spoil(row) : row);
      if (random.next() < noise / 2) out.push(row);
    }
    return out;
  };

  await mkdir(folder, { recursive: true });
  const written: FeedFile[] = [];
  const write = async (
    name: string,
    format: ImportFormat,
    agency: { name: string } | undefined,
    content: string,
    rows: number,
  ) => {
    if (!agency || !wants(format)) return;
    await writeFile(join(folder, name), content, "utf8");
    written.push({ file: name, format, agency: agency.name, agencyCode: codeOf(agency.name), rows });
  };

  if (wants("attendance")) {
    // School attendance: one row per pupil per half term over the last year (more with scale).
    const terms: [string, string][] = [];
    for (let t = 0; t < 6 * scale; t += 1) {
      const end = addCalendarDays(ref, -7 - t * 42);
      terms.push([addCalendarDays(end, -41), end]);
    }
    for (const [index, school] of schools.entries()) {
      const pupils = children.filter(
        (c) =>
          c.upn &&
          (c.school_agency_id === school.agency_id ||
            (c.school_agency_id === null &&
              Number.parseInt(c.person_id.slice(0, 4), 16) % schools.length === index)) &&
          ageOn(c.date_of_birth, ref) >= 4 &&
          ageOn(c.date_of_birth, ref) <= 16,
      );
      const rows: string[][] = [];
      for (const c of pupils) {
        const low = strugglingOf(c);
        for (const [start, end] of terms) {
          const id = identityOf(c);
          const possible = 2 * random.int(28, 32);
          const missed = Math.min(
            possible,
            low ? random.int(6, 24) : random.next() < 0.75 ? random.int(0, 2) : random.int(2, 6),
          );
          const authorised = random.int(0, missed);
          rows.push([
            id.upn,
            id.given,
            id.family,
            ukDate(id.dob),
            ukDate(start),
            ukDate(end),
            String(possible),
            String(missed),
            String(authorised),
            String(missed - authorised),
          ]);
        }
      }
      for (let i = 0; i < Math.ceil(pupils.length * noise); i += 1) {
        const u = unknownChild();
        const [start, end] = terms[0] ?? [ref, ref];
        rows.push(["", u.given, u.family, ukDate(u.dob), ukDate(start), ukDate(end), "60", "9", "3", "6"]);
      }
      const all = withNoise(rows, (row) => [...row.slice(0, 6), "sixty", ...row.slice(7)]);
      if (all.length === 0) continue;
      await write(
        `attendance-${codeOf(school.name)}.csv`,
        "attendance",
        school,
        stringify([
          [
            "UPN",
            "Legal Forename",
            "Legal Surname",
            "DOB",
            "Start Date",
            "End Date",
            "Possible Sessions",
            "Sessions Missed",
            "Authorised Absences",
            "Unauthorised Absences",
          ],
          ...all,
        ]),
        all.length,
      );
    }
  }
  if (wants("appointments-fhir")) {
    // Health visiting and school nursing appointments as a FHIR R4 Bundle (UK Core profiles).
    const health = byName("Community Health NHS Trust") ?? agencies.find((a) => a.agency_type === "health");
    const entries: unknown[] = [];
    let appointments = 0;
    const patientRef = new Map<string, string>();
    const addPatient = (key: string, p: { given: string; family: string; dob: string; nhs: string }) => {
      const known = patientRef.get(key);
      if (known) return known;
      const fullUrl = `urn:uuid:${random.uuid()}`;
      patientRef.set(key, fullUrl);
      entries.push({
        fullUrl,
        resource: {
          resourceType: "Patient",
          meta: { profile: ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"] },
          ...(p.nhs ? { identifier: [{ system: "https://fhir.nhs.uk/Id/nhs-number", value: p.nhs }] } : {}),
          name: [{ use: "official", family: p.family, given: [p.given] }],
          birthDate: p.dob,
        },
      });
      return fullUrl;
    };
    const addAppointment = (patient: string, status: string, start: string, service: string) => {
      appointments += 1;
      const id = `HV-${String(appointments).padStart(7, "0")}`;
      const entry = {
        fullUrl: `urn:uuid:${random.uuid()}`,
        resource: {
          resourceType: "Appointment",
          meta: { profile: ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Appointment"] },
          identifier: [{ system: "https://fhir.community-health.example/appointment", value: id }],
          status,
          serviceType: [{ text: service }],
          start: `${start}T${String(random.int(9, 16)).padStart(2, "0")}:00:00+00:00`,
          participant: [{ actor: { reference: patient }, status: "accepted" }],
        },
      };
      entries.push(entry);
      if (random.next() < noise / 2) {
        entries.push(entry);
        appointments += 1;
      }
    };
    for (const c of children.filter((x) => ageOn(x.date_of_birth, ref) < 5)) {
      const low = strugglingOf(c);
      const count = random.int(1, 4) * scale;
      const id = identityOf(c);
      const patient = addPatient(`${c.person_id}/${id.family}/${id.nhs}`, id);
      for (let i = 0; i < count; i += 1) {
        const start = addCalendarDays(ref, -random.int(1, 365));
        if (start < c.date_of_birth) continue;
        const status =
          random.next() < (low ? 0.45 : 0.06) ? "noshow" : random.next() < 0.05 ? "cancelled" : "fulfilled";
        addAppointment(
          patient,
          status,
          start,
          random.pick(["Health visiting review", "Immunisation clinic", "Community dental service"]),
        );
      }
    }
    for (let i = 0; i < Math.ceil((entries.length * noise) / 4); i += 1) {
      const u = unknownChild();
      addAppointment(
        addPatient(`unknown-${i}`, u),
        "noshow",
        addCalendarDays(ref, -random.int(1, 200)),
        "Health visiting review",
      );
    }
    await write(
      `appointments-${codeOf(health?.name ?? "health")}.json`,
      "appointments-fhir",
      health,
      `${JSON.stringify({ resourceType: "Bundle", type: "collection", entry: entries }, null, 1)}\n`,
      appointments,
    );
  }
  // Hospital outpatient appointments (CSV) and A&E attendances (CSV).
  const hospital =
    byName("Hospital NHS Foundation Trust") ?? agencies.find((a) => a.agency_type === "health");
  const outpatients: string[][] = [];
  const ae: string[][] = [];
  for (const c of children) {
    const low = strugglingOf(c);
    if (random.next() < 0.15) {
      for (let i = 0; i < random.int(1, 3) * scale; i += 1) {
        const id = identityOf(c);
        const start = addCalendarDays(ref, -random.int(1, 365));
        if (start < c.date_of_birth) continue;
        outpatients.push([
          `OP-${String(outpatients.length + 1).padStart(7, "0")}`,
          id.nhs,
          id.given,
          id.family,
          id.dob,
          start,
          random.pick(["Paediatrics", "Audiology", "Orthodontics (dental)", "Ophthalmology"]),
          random.next() < (low ? 0.4 : 0.07) ? random.pick(["WNB", "DNA"]) : "Attended",
        ]);
      }
    }
    if (random.next() < (low ? 0.2 : 0.06)) {
      const id = identityOf(c);
      const arrived = addCalendarDays(ref, -random.int(1, 365));
      if (arrived >= c.date_of_birth)
        ae.push([
          `ED-${String(ae.length + 1).padStart(7, "0")}`,
          id.nhs,
          id.given,
          id.family,
          id.dob,
          arrived,
          random.pick(["Fall", "Head injury", "Burn", "Ingestion", "Breathing difficulty", "Fever"]),
          random.next() < 0.5 ? "Y" : "N",
        ]);
    }
  }
  for (let i = 0; i < Math.ceil(outpatients.length * noise); i += 1) {
    const u = unknownChild();
    outpatients.push([
      `OP-U${i}`,
      u.nhs,
      u.given,
      u.family,
      u.dob,
      addCalendarDays(ref, -30),
      "Paediatrics",
      "DNA",
    ]);
  }
  const spoilDate = (row: string[]) => [...row.slice(0, 5), "31/02/2026", ...row.slice(6)];
  const op = withNoise(outpatients, spoilDate);
  await write(
    `appointments-${codeOf(hospital?.name ?? "hospital")}.csv`,
    "appointments-csv",
    hospital,
    stringify([
      [
        "Appointment ID",
        "NHS Number",
        "Forename",
        "Surname",
        "Date of Birth",
        "Appointment Date",
        "Clinic",
        "Outcome",
      ],
      ...op,
    ]),
    op.length,
  );
  const aeRows = withNoise(ae, spoilDate);
  await write(
    `ae-${codeOf(hospital?.name ?? "hospital")}.csv`,
    "ae-attendances",
    hospital,
    stringify([
      [
        "Attendance ID",
        "NHS Number",
        "Forename",
        "Surname",
        "DOB",
        "Arrival Date",
        "Presenting Complaint",
        "Injury",
      ],
      ...aeRows,
    ]),
    aeRows.length,
  );

  if (wants("police")) {
    // Police notifications: one row per child named, for the households the police are called to.
    const police = byName("Police Public Protection") ?? agencies.find((a) => a.agency_type === "police");
    const notifications: string[][] = [];
    const households = new Map<string, Child[]>();
    for (const c of children) {
      const key = c.household_id ?? c.person_id;
      households.set(key, [...(households.get(key) ?? []), c]);
    }
    let incident = 0;
    for (const [, members] of households) {
      const first = members[0];
      if (!first) continue;
      const incidents = random.next() < (strugglingOf(first) ? 0.35 : 0.04) ? random.int(1, 3) : 0;
      for (let n = 0; n < incidents; n += 1) {
        incident += 1;
        const date = addCalendarDays(ref, -random.int(1, 365));
        const type = random.pick([
          "Domestic abuse",
          "Domestic abuse",
          "Concern for welfare",
          "Disturbance",
          "Drugs",
        ]);
        const present = random.next() < 0.6 ? "Y" : "N";
        const subject = `${random.pick(["Adult", "Parent", "Partner"])} at the address`;
        for (const c of members) {
          if (c.date_of_birth > date) continue;
          const id = identityOf(c);
          notifications.push([
            `PPN-${String(incident).padStart(6, "0")}`,
            ukDate(date),
            type,
            subject,
            id.given,
            id.family,
            ukDate(id.dob),
            id.nhs,
            present,
          ]);
        }
      }
    }
    for (let i = 0; i < Math.ceil(notifications.length * noise); i += 1) {
      const u = unknownChild();
      notifications.push([
        `PPN-U${i}`,
        ukDate(addCalendarDays(ref, -20)),
        "Domestic abuse",
        "Adult at the address",
        u.given,
        u.family,
        ukDate(u.dob),
        "",
        "Y",
      ]);
    }
    const pol = withNoise(notifications, (row) => [row[0] ?? "", "yesterday", ...row.slice(2)]);
    await write(
      `police-${codeOf(police?.name ?? "police")}.csv`,
      "police",
      police,
      stringify([
        [
          "Incident Ref",
          "Incident Date",
          "Incident Type",
          "Subject Name",
          "Child Forename",
          "Child Surname",
          "Child DOB",
          "Child NHS Number",
          "Children Present",
        ],
        ...pol,
      ]),
      pol.length,
    );
  }
  await writeFile(
    join(folder, "manifest.json"),
    `${JSON.stringify({ seed: options.seed, referenceDate: ref, files: written }, null, 2)}\n`,
  );
  return written;
};
