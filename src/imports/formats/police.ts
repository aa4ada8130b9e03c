// SPDX-License-Identifier: MIT
/** Police notifications (CSV): an incident with children, recorded as domestic abuse or a call-out. */
import type { EventType } from "../../chronology/codes.ts";
import {
  containsAny,
  factOf,
  type ImportMapping,
  oneOf,
  type ReadResult,
  type RowContext,
} from "./common.ts";

export const POLICE_MAPPING: ImportMapping = {
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
};

export const POLICE_REQUIRED = [
  "incidentRef",
  "incidentDate",
  "incidentType",
  "givenNames",
  "familyName",
  "dateOfBirth",
];

/** A police notification row: every one is recorded, as reported. */
export const readPoliceNotification = ({
  get,
  defaults,
  column,
  dateField,
  identity,
  personKey,
  mapping,
  source,
}: RowContext): ReadResult => {
  const ref = get("incidentRef");
  if (ref === "") return { ok: false, reason: `${column("incidentRef")}: the notification has no reference` };
  const date = dateField("incidentDate");
  if (!date.ok) return date;
  const type = get("incidentType");
  if (type === "") return { ok: false, reason: `${column("incidentType")}: no incident type` };
  const present = oneOf(get("childrenPresent"), mapping.values?.yes);
  const eventType: EventType = containsAny(type, mapping.values?.domesticAbuse)
    ? "domestic-abuse"
    : "police-call-out";
  const subject = get("subjectName");
  return factOf(
    {
      naturalKey: `${ref}|${personKey}`,
      identity,
      fields: {
        incidentRef: ref,
        incidentDate: date.value,
        incidentType: type,
        childrenPresent: present,
        subjectName: subject,
      },
    },
    {
      ...defaults(eventType),
      occurredOn: date.value,
      whatHappened: `Police notification ${ref}: ${type}${subject ? ` (subject: ${subject})` : ""}. Children present: ${present ? "yes" : "no"}. From ${source}.`,
      informationBasis: "reported",
    },
  );
};
