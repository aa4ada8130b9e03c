// SPDX-License-Identifier: MIT
/** What the people pages send and read: a search, a new person, a new involvement, a person's summary. */
import type {
  ConsentState,
  DisabilityCode,
  EthnicityCode,
  PersonKind,
  SendStatus,
  SexCode,
  SharingBasis,
} from "./codes.ts";

export type PersonSearch = {
  name?: string | undefined;
  dateOfBirth?: string | undefined;
  nhsNumber?: string | undefined;
  upn?: string | undefined;
};

export type NewPerson = {
  kind: PersonKind;
  givenNames: string;
  familyName: string;
  dateOfBirth: string | null;
  expectedDateOfBirth: string | null;
  sex: SexCode;
  ethnicity: EthnicityCode | null;
  disabilities: DisabilityCode[];
  nhsNumber: string | null;
  upn: string | null;
  localId: string | null;
  sendStatus: SendStatus | null;
  youngCarer: boolean | null;
  firstLanguage: string | null;
};

export type NewInvolvement = {
  agencyId?: string | undefined;
  startedOn: string;
  isLeadAgency: boolean;
  sharingBasis: SharingBasis;
  consent: ConsentState;
  sharingReasoning: string | null;
};

export type PersonSummary = {
  person_id: string;
  kind: PersonKind;
  given_names: string;
  family_name: string;
  date_of_birth: string | null;
  expected_date_of_birth: string | null;
  merged_into_person_id: string | null;
};
