// SPDX-License-Identifier: MIT
/** Health appointments as a FHIR R4 Bundle: each Appointment flattened with its patient into a source row. */
import { FileRefused, type ImportMapping, type SourceRow } from "./common.ts";

const SYSTEM_NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number";

export const FHIR_APPOINTMENTS_MAPPING: ImportMapping = {
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
};

type FhirResource = Record<string, unknown> & { resourceType?: string; id?: string };

/** A FHIR R4 Bundle's Appointments, each flattened with its patient (from the Bundle, or its identifier). */
export const splitBundle = (content: string): SourceRow[] => {
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
