// SPDX-License-Identifier: MIT
/**
 * Reading agencies' files: each format's default mapping (source columns to Hearth's fields, saved per
 * agency as versioned data), splitting a file into numbered source rows, and turning one row into a fact
 * about a person (who, and what to record in the chronology) or a reason it cannot be read. Pure
 * functions: no database.
 */
import { createHash } from "node:crypto";
import { parse } from "csv-parse/sync";
import { z } from "zod";
import { EVENT_TYPES, type EventType, type InformationBasis, type NeglectType } from "../chronology/codes.ts";
import { isIsoDate } from "../chronology/dates.ts";
import { checkNhsNumber, checkUpn } from "../people/identifiers.ts";
import type { ImportFormat } from "./codes.ts";

/** A saved mapping: which source column holds each field, and how source values read as codes. */
export type ImportMapping = {
  /** Hearth field -> the source column's header (CSV) or the FHIR element it comes from. */
  columns: Record<string, string>;
  /** Source values (compared case-insensitively) that mean each outcome. */
  values?: Record<string, string[]>;
};

const SYSTEM_NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number";

/** Each format's mapping when an agency has saved none: the shape of the commonest exports. */
export const DEFAULT_MAPPINGS: Record<ImportFormat, ImportMapping> = {
  attendance: {
    columns: {
      upn: "UPN",
      givenNames: "Legal Forename",
      familyName: "Legal Surname",
      dateOfBirth: "DOB",
      periodStart: "Start Date",
      periodEnd: "End Date",
      sessionsPossible: "Possible Sessions",
      sessionsMissed: "Sessions Missed",
      authorised: "Authorised Absences",
      unauthorised: "Unauthorised Absences",
    },
  },
  "appointments-fhir": {
    columns: {
      appointmentId: "Appointment.identifier",
      status: "Appointment.status",
      start: "Appointment.start",
      service: "Appointment.serviceType.text",
      nhsNumber: `Patient.identifier (${SYSTEM_NHS_NUMBER})`,
      givenNames: "Patient.name.given",
      familyName: "Patient.name.family",
      dateOfBirth: "Patient.birthDate",
    },
    values: { notBrought: ["noshow"], attended: ["fulfilled"], dental: ["dental"] },
  },
  "appointments-csv": {
    columns: {
      appointmentId: "Appointment ID",
      nhsNumber: "NHS Number",
      givenNames: "Forename",
      familyName: "Surname",
      dateOfBirth: "Date of Birth",
      start: "Appointment Date",
      service: "Clinic",
      status: "Outcome",
    },
    values: {
      notBrought: ["DNA", "WNB", "Was not brought", "Did not attend", "noshow"],
      attended: ["Attended", "fulfilled"],
      dental: ["dental"],
    },
  },
  police: {
    columns: {
      incidentRef: "Incident Ref",
      incidentDate: "Incident Date",
      incidentType: "Incident Type",
      subjectName: "Subject Name",
      givenNames: "Child Forename",
      familyName: "Child Surname",
      dateOfBirth: "Child DOB",
      nhsNumber: "Child NHS Number",
      childrenPresent: "Children Present",
    },
    values: { domesticAbuse: ["Domestic", "Domestic abuse", "DA"], yes: ["Y", "Yes", "True", "1"] },
  },
  "ae-attendances": {
    columns: {
      attendanceId: "Attendance ID",
      nhsNumber: "NHS Number",
      givenNames: "Forename",
      familyName: "Surname",
      dateOfBirth: "DOB",
      arrivalDate: "Arrival Date",
      complaint: "Presenting Complaint",
      injury: "Injury",
    },
    values: { yes: ["Y", "Yes", "True", "1"] },
  },
};

/** One row of the source file: its number as the person who sent it would name it, and its values. */
export type SourceRow = {
  /** CSV: the spreadsheet row (the header is row 1). FHIR: the Bundle entry (1-based). */
  rowNumber: number;
  values: Record<string, string>;
};

/** Who a row is about, as the source system knows them. */
export type Identity = {
  nhsNumber: string | null;
  upn: string | null;
  givenNames: string;
  familyName: string;
  dateOfBirth: string | null;
};

/** What to add to the person's chronology. */
export type EntryDraft = {
  eventType: EventType;
  occurredOn: string;
  whatHappened: string;
  significance: "low" | "medium" | "high";
  neglectTypes: NeglectType[];
  informationBasis: InformationBasis;
};

/** A row read: who it is about, the key that makes it the same row next time, and what (if anything) to record. */
export type Fact = {
  naturalKey: string;
  identity: Identity;
  entry: EntryDraft | null;
  /** Why nothing is recorded, when entry is null. */
  noEntryReason: string | null;
  /** The row's mapped fields, kept with its fate. */
  fields: Record<string, unknown>;
};

export type ReadResult = { ok: true; fact: Fact } | { ok: false; reason: string };

/** The file could not be read at all (not CSV, missing columns, not a Bundle): nothing is imported. */
export class FileRefused extends Error {}

const lower = (value: string) => value.trim().toLowerCase();
const oneOf = (value: string, list: string[] | undefined): boolean =>
  (list ?? []).some((v) => lower(v) === lower(value));
const containsAny = (value: string, list: string[] | undefined): boolean =>
  (list ?? []).some((v) => lower(value).includes(lower(v)));

/** Reads a date as ISO, from YYYY-MM-DD, DD/MM/YYYY or an ISO date-time. */
export const readDate = (value: string | undefined): string | null => {
  const v = (value ?? "").trim();
  if (v === "") return null;
  let iso: string | null = null;
  const isoMatch = /^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$/.exec(v);
  if (isoMatch?.[1]) iso = isoMatch[1];
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  if (uk) iso = `${uk[3]}-${(uk[2] ?? "").padStart(2, "0")}-${(uk[1] ?? "").padStart(2, "0")}`;
  return iso && isIsoDate(iso) ? iso : null;
};

/** The row key: the same source row from the same agency and format hashes the same, in every run. */
export const rowKey = (agencyId: string, format: ImportFormat, naturalKey: string): string =>
  createHash("sha256").update(`${agencyId}\u001f${format}\u001f${naturalKey}`).digest("hex");

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/**
 * Splits a file into its source rows. CSV headers are checked against the mapping's required columns.
 * @throws FileRefused when the file as a whole cannot be read.
 */
export const splitRows = (format: ImportFormat, content: string, mapping: ImportMapping): SourceRow[] => {
  if (format === "appointments-fhir") return splitBundle(content);
  let records: string[][];
  try {
    records = parse(content, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
  } catch (error) {
    throw new FileRefused(`The file is not CSV: ${error instanceof Error ? error.message : String(error)}`);
  }
  const [header, ...rest] = records;
  if (!header) throw new FileRefused("The file is empty: there is no header row");
  const required = requiredFields[format].map((field) => mapping.columns[field] ?? field);
  const missing = required.filter((column) => !header.some((h) => lower(h) === lower(column)));
  if (missing.length > 0)
    throw new FileRefused(
      `The header row has no column ${missing.map((m) => `"${m}"`).join(", ")} (the saved mapping expects it)`,
    );
  return rest.map((cells, index) => ({
    rowNumber: index + 2,
    values: Object.fromEntries(header.map((h, i) => [lower(h), cells[i] ?? ""])),
  }));
};

const requiredFields: Record<ImportFormat, string[]> = {
  attendance: [
    "upn",
    "givenNames",
    "familyName",
    "dateOfBirth",
    "periodStart",
    "periodEnd",
    "sessionsPossible",
  ],
  "appointments-fhir": [],
  "appointments-csv": [
    "appointmentId",
    "nhsNumber",
    "givenNames",
    "familyName",
    "dateOfBirth",
    "start",
    "status",
  ],
  police: ["incidentRef", "incidentDate", "incidentType", "givenNames", "familyName", "dateOfBirth"],
  "ae-attendances": ["attendanceId", "nhsNumber", "givenNames", "familyName", "dateOfBirth", "arrivalDate"],
};

type FhirResource = Record<string, unknown> & { resourceType?: string; id?: string };

/** A FHIR R4 Bundle's Appointments, each flattened with its patient (from the Bundle, or its identifier). */
const splitBundle = (content: string): SourceRow[] => {
  let bundle: { resourceType?: string; entry?: { fullUrl?: string; resource?: FhirResource }[] };
  try {
    bundle = JSON.parse(content);
  } catch {
    throw new FileRefused("The file is not JSON: a FHIR R4 Bundle is expected");
  }
  if (bundle?.resourceType !== "Bundle" || !Array.isArray(bundle.entry))
    throw new FileRefused('The file is not a FHIR Bundle (resourceType "Bundle" with entries)');
  const patients = new Map<string, FhirResource>();
  for (const e of bundle.entry) {
    const r = e.resource;
    if (r?.resourceType !== "Patient") continue;
    if (e.fullUrl) patients.set(e.fullUrl, r);
    if (r.id) patients.set(`Patient/${r.id}`, r);
  }
  const rows: SourceRow[] = [];
  bundle.entry.forEach((e, index) => {
    const r = e.resource;
    if (r?.resourceType !== "Appointment") return;
    const participants =
      (r.participant as { actor?: { reference?: string; identifier?: Identifier } }[]) ?? [];
    const actor = participants
      .map((p) => p.actor)
      .find(
        (a) =>
          (a?.reference && patients.has(a.reference)) ||
          a?.reference?.startsWith("Patient/") ||
          a?.identifier,
      );
    const patient = actor?.reference ? patients.get(actor.reference) : undefined;
    const identifiers = [
      ...((patient?.identifier as Identifier[] | undefined) ?? []),
      ...(actor?.identifier ? [actor.identifier] : []),
    ];
    const name = ((patient?.name as { given?: string[]; family?: string }[] | undefined) ?? [])[0];
    const ids = (r.identifier as Identifier[] | undefined) ?? [];
    const serviceType = (
      r.serviceType as { text?: string; coding?: { display?: string }[] }[] | undefined
    )?.[0];
    rows.push({
      rowNumber: index + 1,
      values: {
        appointmentid: ids[0]?.value ?? (typeof r.id === "string" ? r.id : ""),
        status: typeof r.status === "string" ? r.status : "",
        start: typeof r.start === "string" ? r.start : "",
        service: serviceType?.text ?? serviceType?.coding?.[0]?.display ?? "",
        nhsnumber: identifiers.find((i) => i.system === SYSTEM_NHS_NUMBER)?.value ?? "",
        givennames: name?.given?.join(" ") ?? "",
        familyname: name?.family ?? "",
        dateofbirth: typeof patient?.birthDate === "string" ? patient.birthDate : "",
      },
    });
  });
  return rows;
};

type Identifier = { system?: string; value?: string };

/** A mapped field's value from a source row ("" when absent). FHIR rows are keyed by field already. */
const field = (format: ImportFormat, row: SourceRow, mapping: ImportMapping, name: string): string => {
  if (format === "appointments-fhir") return (row.values[name.toLowerCase()] ?? "").trim();
  const column = mapping.columns[name];
  return column ? (row.values[lower(column)] ?? "").trim() : "";
};

const readInteger = (value: string): number | null => (/^\d+$/.test(value) ? Number(value) : null);

/**
 * Reads one source row into a fact, or says why it cannot be read (naming the field).
 * @param source - "Agency's file NAME" for the entry's wording.
 */
export const readRow = (
  format: ImportFormat,
  row: SourceRow,
  mapping: ImportMapping,
  source: string,
): ReadResult => {
  const get = (name: string) => field(format, row, mapping, name);
  const column = (name: string) => mapping.columns[name] ?? name;
  const rawNhs = get("nhsNumber").replace(/\s+/g, "");
  let nhsNumber: string | null = null;
  if (rawNhs !== "") {
    const checked = checkNhsNumber(rawNhs);
    if (!checked.ok) return { ok: false, reason: `${column("nhsNumber")}: ${checked.message}` };
    nhsNumber = checked.value;
  }
  const rawUpn = get("upn").toUpperCase();
  let upn: string | null = null;
  if (rawUpn !== "") {
    const checked = checkUpn(rawUpn);
    if (!checked.ok) return { ok: false, reason: `${column("upn")}: ${checked.message}` };
    upn = checked.value;
  }
  const givenNames = get("givenNames");
  const familyName = get("familyName");
  const rawDob = get("dateOfBirth");
  const dateOfBirth = readDate(rawDob);
  if (rawDob !== "" && !dateOfBirth)
    return {
      ok: false,
      reason: `${column("dateOfBirth")}: "${rawDob}" is not a date (YYYY-MM-DD or DD/MM/YYYY)`,
    };
  if (!nhsNumber && !upn && (givenNames === "" || familyName === "" || !dateOfBirth))
    return {
      ok: false,
      reason: `No NHS number${format === "attendance" ? ", no UPN" : ""} and no full name with a date of birth: the person cannot be identified`,
    };
  const identity: Identity = { nhsNumber, upn, givenNames, familyName, dateOfBirth };
  const personKey = nhsNumber ?? upn ?? `${lower(givenNames)} ${lower(familyName)} ${dateOfBirth}`;
  const defaults = (eventType: EventType) => ({
    eventType,
    significance: EVENT_TYPES[eventType].significance,
    neglectTypes: [...EVENT_TYPES[eventType].neglectTypes] as NeglectType[],
  });
  const dateField = (name: string): { ok: true; value: string } | { ok: false; reason: string } => {
    const raw = get(name);
    const value = readDate(raw);
    if (!value)
      return { ok: false, reason: `${column(name)}: "${raw}" is not a date (YYYY-MM-DD or DD/MM/YYYY)` };
    return { ok: true, value };
  };

  switch (format) {
    case "attendance": {
      const start = dateField("periodStart");
      if (!start.ok) return start;
      const end = dateField("periodEnd");
      if (!end.ok) return end;
      if (end.value < start.value)
        return { ok: false, reason: `${column("periodEnd")}: the period ends before it starts` };
      const possible = readInteger(get("sessionsPossible"));
      if (possible === null || possible === 0)
        return {
          ok: false,
          reason: `${column("sessionsPossible")}: "${get("sessionsPossible")}" is not a number of sessions`,
        };
      const authorised = readInteger(get("authorised") || "0");
      const unauthorised = readInteger(get("unauthorised") || "0");
      if (authorised === null)
        return { ok: false, reason: `${column("authorised")}: not a number of sessions` };
      if (unauthorised === null)
        return { ok: false, reason: `${column("unauthorised")}: not a number of sessions` };
      const missedRaw = get("sessionsMissed");
      const missed = missedRaw === "" ? authorised + unauthorised : readInteger(missedRaw);
      if (missed === null)
        return { ok: false, reason: `${column("sessionsMissed")}: not a number of sessions` };
      if (missed > possible)
        return {
          ok: false,
          reason: `${column("sessionsMissed")}: ${missed} missed of ${possible} possible sessions`,
        };
      const percent = Math.round(((possible - missed) / possible) * 1000) / 10;
      const fields = {
        periodStart: start.value,
        periodEnd: end.value,
        sessionsPossible: possible,
        sessionsMissed: missed,
        authorised,
        unauthorised,
        attendancePercent: percent,
      };
      const naturalKey = `${personKey}|${start.value}|${end.value}`;
      const text = `Attendance ${percent}% from ${start.value} to ${end.value}: ${missed} of ${possible} sessions missed (${authorised} authorised, ${unauthorised} unauthorised). From ${source}.`;
      if (missed * 10 >= possible)
        return {
          ok: true,
          fact: {
            naturalKey,
            identity,
            fields,
            noEntryReason: null,
            entry: {
              ...defaults("persistent-absence"),
              occurredOn: end.value,
              whatHappened: text,
              informationBasis: "observed",
            },
          },
        };
      if (missed * 20 >= possible && unauthorised > 0)
        return {
          ok: true,
          fact: {
            naturalKey,
            identity,
            fields,
            noEntryReason: null,
            entry: {
              ...defaults("school-absence"),
              occurredOn: end.value,
              whatHappened: text,
              informationBasis: "observed",
            },
          },
        };
      return {
        ok: true,
        fact: {
          naturalKey,
          identity,
          fields,
          entry: null,
          noEntryReason: `Attendance ${percent}%: nothing to record`,
        },
      };
    }
    case "appointments-fhir":
    case "appointments-csv": {
      const id = get("appointmentId");
      if (id === "")
        return { ok: false, reason: `${column("appointmentId")}: the appointment has no identifier` };
      const start = dateField("start");
      if (!start.ok) return start;
      const status = get("status");
      const service = get("service");
      const fields = { appointmentId: id, status, start: start.value, service };
      const naturalKey = `${id}`;
      if (oneOf(status, mapping.values?.attended))
        return {
          ok: true,
          fact: { naturalKey, identity, fields, entry: null, noEntryReason: "Attended: nothing to record" },
        };
      if (!oneOf(status, mapping.values?.notBrought)) {
        if (
          [
            "cancelled",
            "booked",
            "proposed",
            "pending",
            "arrived",
            "checked-in",
            "waitlist",
            "entered-in-error",
          ].includes(lower(status))
        )
          return {
            ok: true,
            fact: {
              naturalKey,
              identity,
              fields,
              entry: null,
              noEntryReason: `Status ${status}: nothing to record`,
            },
          };
        return {
          ok: false,
          reason: `${column("status")}: "${status}" is not an appointment outcome the mapping knows`,
        };
      }
      const dental = containsAny(service, mapping.values?.dental);
      const eventType: EventType = dental ? "not-brought-dental" : "not-brought-health";
      return {
        ok: true,
        fact: {
          naturalKey,
          identity,
          fields,
          noEntryReason: null,
          entry: {
            ...defaults(eventType),
            occurredOn: start.value,
            whatHappened: `Not brought to ${service === "" ? "an appointment" : `an appointment (${service})`}, appointment ${id}, status ${status}. From ${source}.`,
            informationBasis: "observed",
          },
        },
      };
    }
    case "police": {
      const ref = get("incidentRef");
      if (ref === "")
        return { ok: false, reason: `${column("incidentRef")}: the notification has no reference` };
      const date = dateField("incidentDate");
      if (!date.ok) return date;
      const type = get("incidentType");
      if (type === "") return { ok: false, reason: `${column("incidentType")}: no incident type` };
      const present = oneOf(get("childrenPresent"), mapping.values?.yes);
      const eventType: EventType = containsAny(type, mapping.values?.domesticAbuse)
        ? "domestic-abuse"
        : "police-call-out";
      const subject = get("subjectName");
      return {
        ok: true,
        fact: {
          naturalKey: `${ref}|${personKey}`,
          identity,
          fields: {
            incidentRef: ref,
            incidentDate: date.value,
            incidentType: type,
            childrenPresent: present,
            subjectName: subject,
          },
          noEntryReason: null,
          entry: {
            ...defaults(eventType),
            occurredOn: date.value,
            whatHappened: `Police notification ${ref}: ${type}${subject ? ` (subject: ${subject})` : ""}. Children present: ${present ? "yes" : "no"}. From ${source}.`,
            informationBasis: "reported",
          },
        },
      };
    }
    case "ae-attendances": {
      const id = get("attendanceId");
      if (id === "")
        return { ok: false, reason: `${column("attendanceId")}: the attendance has no identifier` };
      const date = dateField("arrivalDate");
      if (!date.ok) return date;
      const complaint = get("complaint");
      const injury = oneOf(get("injury"), mapping.values?.yes);
      return {
        ok: true,
        fact: {
          naturalKey: id,
          identity,
          fields: { attendanceId: id, arrivalDate: date.value, complaint, injury },
          noEntryReason: null,
          entry: {
            ...defaults("ae-attendance"),
            occurredOn: date.value,
            whatHappened: `A&E attendance ${id}${complaint ? `: ${complaint}` : ""}${injury ? " (injury)" : ""}. From ${source}.`,
            informationBasis: "observed",
          },
        },
      };
    }
  }
};

const MappingSchema = z.object({
  columns: z.record(z.string().min(1).max(100), z.string().min(1).max(200)),
  values: z.record(z.string().min(1).max(100), z.array(z.string().min(1).max(200)).max(50)).optional(),
});

/** Reads a mapping saved as JSON: `columns` (field -> source column) and optional `values`. */
export const readMapping = (
  json: string,
): { ok: true; value: ImportMapping } | { ok: false; message: string } => {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return { ok: false, message: "The mapping is not JSON" };
  }
  const parsed = MappingSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      message: `The mapping's ${issue?.path.join(".") || "shape"}: ${issue?.message ?? "not valid"}`,
    };
  }
  return { ok: true, value: parsed.data as ImportMapping };
};
