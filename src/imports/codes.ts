// SPDX-License-Identifier: MIT
/**
 * The agency import vocabulary: the formats an agency's system sends, what became of each row, and the
 * decisions a person makes on a match waiting for review. Codes, not labels; the labels are here too.
 */
import { codesOf } from "../organisation/codes.ts";

export const IMPORT_FORMATS = {
  attendance: "School attendance and absence (school MIS export, CSV)",
  "appointments-fhir": "Health appointments (FHIR R4 Bundle of Appointment, UK Core)",
  "appointments-csv": "Health appointments (CSV)",
  police: "Police notifications (CSV)",
  "ae-attendances": "A&E attendances (CSV)",
} as const;
export type ImportFormat = keyof typeof IMPORT_FORMATS;

/** What became of one source row. */
export const ROW_FATES = {
  "entry-created": "Matched: chronology entry added",
  "no-entry": "Matched: nothing to record",
  review: "Waiting for a person to confirm the match",
  unmatched: "Nobody in Hearth matches",
  rejected: "Rejected: the row cannot be read",
  duplicate: "Duplicate of a row already imported",
} as const;
export type RowFate = keyof typeof ROW_FATES;

export const REVIEW_DECISIONS = {
  confirmed: "Match confirmed",
  rejected: "Match rejected",
} as const;
export type ReviewDecision = keyof typeof REVIEW_DECISIONS;

export const IMPORT_FORMAT_CODES = codesOf(IMPORT_FORMATS);
export const ROW_FATE_CODES = codesOf(ROW_FATES);
export const REVIEW_DECISION_CODES = codesOf(REVIEW_DECISIONS);

export const isImportFormat = (value: unknown): value is ImportFormat =>
  typeof value === "string" && (IMPORT_FORMAT_CODES as readonly string[]).includes(value);

/** Hearth's fields that a mapping names a source column for, as a person reads them. */
export const MAPPING_FIELDS: Record<string, string> = {
  upn: "Unique pupil number",
  nhsNumber: "NHS number",
  givenNames: "Given names",
  familyName: "Family name",
  dateOfBirth: "Date of birth",
  periodStart: "Start of the period",
  periodEnd: "End of the period",
  sessionsPossible: "Sessions possible",
  sessionsMissed: "Sessions missed",
  authorised: "Authorised absences",
  unauthorised: "Unauthorised absences",
  appointmentId: "Appointment identifier",
  status: "Appointment outcome",
  start: "Appointment date",
  service: "Service or clinic",
  incidentRef: "Incident reference",
  incidentDate: "Incident date",
  incidentType: "Incident type",
  subjectName: "Person involved",
  childrenPresent: "Children present",
  attendanceId: "Attendance identifier",
  arrivalDate: "Arrival date",
  complaint: "Presenting complaint",
  injury: "Injury",
};

/** The outcome codes a mapping lists source values for, as a person reads them. */
export const MAPPING_VALUES: Record<string, string> = {
  notBrought: "Not brought (did not attend)",
  attended: "Attended",
  dental: "A dental appointment",
  domesticAbuse: "Domestic abuse",
  yes: "Yes",
};
