// SPDX-License-Identifier: MIT
/** Health appointments (CSV), and reading an appointment row of either format: not brought is recorded. */
import type { EventType } from "../../chronology/codes.ts";
import {
  containsAny,
  factOf,
  type ImportMapping,
  lower,
  nothingToRecord,
  oneOf,
  type ReadResult,
  type RowContext,
} from "./common.ts";

export const CSV_APPOINTMENTS_MAPPING: ImportMapping = {
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
};

export const CSV_APPOINTMENTS_REQUIRED = [
  "appointmentId",
  "nhsNumber",
  "givenNames",
  "familyName",
  "dateOfBirth",
  "start",
  "status",
];

/** An appointment row (CSV or FHIR): not brought to health or dental care is recorded; attended or pending is not. */
export const readAppointment = ({
  get,
  defaults,
  column,
  dateField,
  identity,
  mapping,
  source,
}: RowContext): ReadResult => {
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
    return nothingToRecord({ naturalKey, identity, fields }, "Attended: nothing to record");
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
      return nothingToRecord({ naturalKey, identity, fields }, `Status ${status}: nothing to record`);
    return {
      ok: false,
      reason: `${column("status")}: "${status}" is not an appointment outcome the mapping knows`,
    };
  }
  const dental = containsAny(service, mapping.values?.dental);
  const eventType: EventType = dental ? "not-brought-dental" : "not-brought-health";
  return factOf(
    { naturalKey, identity, fields },
    {
      ...defaults(eventType),
      occurredOn: start.value,
      whatHappened: `Not brought to ${service === "" ? "an appointment" : `an appointment (${service})`}, appointment ${id}, status ${status}. From ${source}.`,
      informationBasis: "observed",
    },
  );
};
