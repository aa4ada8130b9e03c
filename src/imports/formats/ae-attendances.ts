// SPDX-License-Identifier: MIT
/** A&E attendances (CSV): every attendance is recorded, marked where it was an injury. */
import { factOf, type ImportMapping, oneOf, type ReadResult, type RowContext } from "./common.ts";

export const AE_ATTENDANCES_MAPPING: ImportMapping = {
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
};

export const AE_ATTENDANCES_REQUIRED = [
  "attendanceId",
  "nhsNumber",
  "givenNames",
  "familyName",
  "dateOfBirth",
  "arrivalDate",
];

/** An A&E attendance row. */
export const readAeAttendance = ({
  get,
  defaults,
  column,
  dateField,
  identity,
  mapping,
  source,
}: RowContext): ReadResult => {
  const id = get("attendanceId");
  if (id === "") return { ok: false, reason: `${column("attendanceId")}: the attendance has no identifier` };
  const date = dateField("arrivalDate");
  if (!date.ok) return date;
  const complaint = get("complaint");
  const injury = oneOf(get("injury"), mapping.values?.yes);
  return factOf(
    {
      naturalKey: id,
      identity,
      fields: { attendanceId: id, arrivalDate: date.value, complaint, injury },
    },
    {
      ...defaults("ae-attendance"),
      occurredOn: date.value,
      whatHappened: `A&E attendance ${id}${complaint ? `: ${complaint}` : ""}${injury ? " (injury)" : ""}. From ${source}.`,
      informationBasis: "observed",
    },
  );
};
