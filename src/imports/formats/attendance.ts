// SPDX-License-Identifier: MIT
/** School attendance (CSV): a pupil's sessions over a period, recorded when attendance is low. */
import {
  factOf,
  type ImportMapping,
  nothingToRecord,
  type ReadResult,
  type RowContext,
  readInteger,
} from "./common.ts";

export const ATTENDANCE_MAPPING: ImportMapping = {
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
};

export const ATTENDANCE_REQUIRED = [
  "upn",
  "givenNames",
  "familyName",
  "dateOfBirth",
  "periodStart",
  "periodEnd",
  "sessionsPossible",
];

/** An attendance row: persistent absence (10% or more missed), school absence (5% with some unauthorised), or nothing. */
export const readAttendance = ({
  get,
  defaults,
  column,
  dateField,
  identity,
  personKey,
  source,
}: RowContext): ReadResult => {
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
  if (authorised === null) return { ok: false, reason: `${column("authorised")}: not a number of sessions` };
  if (unauthorised === null)
    return { ok: false, reason: `${column("unauthorised")}: not a number of sessions` };
  const missedRaw = get("sessionsMissed");
  const missed = missedRaw === "" ? authorised + unauthorised : readInteger(missedRaw);
  if (missed === null) return { ok: false, reason: `${column("sessionsMissed")}: not a number of sessions` };
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
    return factOf(
      { naturalKey, identity, fields },
      {
        ...defaults("persistent-absence"),
        occurredOn: end.value,
        whatHappened: text,
        informationBasis: "observed",
      },
    );
  if (missed * 20 >= possible && unauthorised > 0)
    return factOf(
      { naturalKey, identity, fields },
      {
        ...defaults("school-absence"),
        occurredOn: end.value,
        whatHappened: text,
        informationBasis: "observed",
      },
    );
  return nothingToRecord({ naturalKey, identity, fields }, `Attendance ${percent}%: nothing to record`);
};
