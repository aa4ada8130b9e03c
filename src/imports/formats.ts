// SPDX-License-Identifier: MIT
/**
 * Reading agencies' files: each format's default mapping (source columns to Hearth's fields, saved per
 * agency as versioned data), splitting a file into numbered source rows, and turning one row into a fact
 * about a person (who, and what to record in the chronology) or a reason it cannot be read. Pure
 * functions: no database. Each format's own reading is in formats/, one module a format.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { EVENT_TYPES, type EventType, type NeglectType } from "../chronology/codes.ts";
import { checkNhsNumber, checkUpn } from "../people/identifiers.ts";
import type { ImportFormat } from "./codes.ts";
import {
  AE_ATTENDANCES_MAPPING,
  AE_ATTENDANCES_REQUIRED,
  readAeAttendance,
} from "./formats/ae-attendances.ts";
import {
  CSV_APPOINTMENTS_MAPPING,
  CSV_APPOINTMENTS_REQUIRED,
  readAppointment,
} from "./formats/appointments-csv.ts";
import { FHIR_APPOINTMENTS_MAPPING, splitBundle } from "./formats/appointments-fhir.ts";
import { ATTENDANCE_MAPPING, ATTENDANCE_REQUIRED, readAttendance } from "./formats/attendance.ts";
import {
  type Identity,
  type ImportMapping,
  lower,
  type ReadResult,
  type RowContext,
  readDate,
  type SourceRow,
} from "./formats/common.ts";
import { splitCsv } from "./formats/csv.ts";
import { POLICE_MAPPING, POLICE_REQUIRED, readPoliceNotification } from "./formats/police.ts";

export {
  type EntryDraft,
  type Fact,
  FileRefused,
  type Identity,
  type ImportMapping,
  type ReadResult,
  readDate,
  type SourceRow,
} from "./formats/common.ts";

/** Each format's mapping when an agency has saved none: the shape of the commonest exports. */
export const DEFAULT_MAPPINGS: Record<ImportFormat, ImportMapping> = {
  attendance: ATTENDANCE_MAPPING,
  "appointments-fhir": FHIR_APPOINTMENTS_MAPPING,
  "appointments-csv": CSV_APPOINTMENTS_MAPPING,
  police: POLICE_MAPPING,
  "ae-attendances": AE_ATTENDANCES_MAPPING,
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
  return splitCsv(
    content,
    requiredFields[format].map((field) => mapping.columns[field] ?? field),
  );
};

/** The fields a CSV file's header must name (through the mapping); a FHIR Bundle is read by its elements. */
const requiredFields: Record<ImportFormat, string[]> = {
  attendance: ATTENDANCE_REQUIRED,
  "appointments-fhir": [],
  "appointments-csv": CSV_APPOINTMENTS_REQUIRED,
  police: POLICE_REQUIRED,
  "ae-attendances": AE_ATTENDANCES_REQUIRED,
};

/** Each format's reader of an identified row (FHIR and CSV appointments are read alike). */
const readers: Record<ImportFormat, (row: RowContext) => ReadResult> = {
  attendance: readAttendance,
  "appointments-fhir": readAppointment,
  "appointments-csv": readAppointment,
  police: readPoliceNotification,
  "ae-attendances": readAeAttendance,
};

/** A mapped field's value from a source row ("" when absent). FHIR rows are keyed by field already. */
const field = (format: ImportFormat, row: SourceRow, mapping: ImportMapping, name: string): string => {
  if (format === "appointments-fhir") return (row.values[name.toLowerCase()] ?? "").trim();
  const column = mapping.columns[name];
  return column ? (row.values[lower(column)] ?? "").trim() : "";
};

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
  return readers[format]({ get, column, mapping, source, identity, personKey, defaults, dateField });
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
