// SPDX-License-Identifier: MIT
/** Each agency's feed file for a generated partnership: school attendance, health appointments, A&E, police. */
import { stringify } from "csv-stringify/sync";
import type { ImportFormat } from "../imports/codes.ts";
import { addCalendarDays } from "../kernel/calendar.ts";
import type { AgencyType } from "../organisation/codes.ts";
import type { Random } from "./random.ts";

export type Child = {
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
export const codeOf = (name: string): string =>
  name
    .toLowerCase()
    .replace(/['’]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

const ageOn = (dob: string, on: string): number => {
  const years = Number(on.slice(0, 4)) - Number(dob.slice(0, 4));
  return on.slice(5) < dob.slice(5) ? years - 1 : years;
};

const ukDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

type Agency = { agency_id: string; name: string; agency_type: AgencyType };

/** What every file is made from: the children, the seeded noise, and a way to write the file. */
export type FeedContext = {
  random: Random;
  ref: string;
  scale: number;
  noise: number;
  agencies: Agency[];
  children: Child[];
  /** Whether the child's household struggles to get children to appointments and school. */
  strugglingOf: (c: Child) => boolean;
  /** A child Hearth does not know. */
  unknownChild: () => { given: string; family: string; dob: string; nhs: string };
  /** How a row names the child: usually as Hearth has them; sometimes misspelt, or without the NHS number. */
  identityOf: (c: Child) => { given: string; family: string; nhs: string; upn: string; dob: string };
  /** Adds duplicates and a rare unreadable row to a file's rows. */
  withNoise: (rows: string[][], spoil: (row: string[]) => string[]) => string[][];
  write: (
    name: string,
    format: ImportFormat,
    agency: { name: string } | undefined,
    content: string,
    rows: number,
  ) => Promise<void>;
};

/** The agency with this name, or else the first of its type. */
const agencyOf = (feed: FeedContext, name: string, type: AgencyType): Agency | undefined =>
  feed.agencies.find((a) => a.name === name) ?? feed.agencies.find((a) => a.agency_type === type);

/** School attendance: one row per pupil per half term over the last year (more with scale). */
export const writeAttendance = async (feed: FeedContext) => {
  const { random, ref, scale, noise, children, strugglingOf, unknownChild, identityOf, withNoise, write } =
    feed;
  const schools = feed.agencies.filter((a) => a.agency_type === "education");
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
};

/** Health visiting and school nursing appointments as a FHIR R4 Bundle (UK Core profiles). */
export const writeHealthAppointments = async (feed: FeedContext) => {
  const { random, ref, scale, noise, children, strugglingOf, unknownChild, identityOf, write } = feed;
  const health = agencyOf(feed, "Community Health NHS Trust", "health");
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
};

/** Hospital outpatient appointments (CSV) and A&E attendances (CSV). */
export const writeHospitalAppointments = async (feed: FeedContext) => {
  const { random, ref, scale, noise, children, strugglingOf, unknownChild, identityOf, withNoise, write } =
    feed;
  const hospital = agencyOf(feed, "Hospital NHS Foundation Trust", "health");
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
};

/** Police notifications: one row per child named, for the households the police are called to. */
export const writePoliceNotifications = async (feed: FeedContext) => {
  const { random, ref, noise, children, strugglingOf, unknownChild, identityOf, withNoise, write } = feed;
  const police = agencyOf(feed, "Police Public Protection", "police");
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
};
