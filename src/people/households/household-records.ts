// SPDX-License-Identifier: MIT
/** What the households sub-areas share: the partnership filter and the shapes of their inputs. */
import { sql } from "kysely";
import type { ConsentState, HouseholdRole, SexCode, SharingBasis } from "../codes.ts";

export const ref = (column: string) => sql.ref(column);

export type NewAdult = {
  givenNames: string;
  familyName: string;
  dateOfBirth: string | null;
  sex: SexCode;
  householdRole: HouseholdRole;
  validFrom: string;
  sharingBasis: SharingBasis;
  consent: ConsentState;
};

export type Ending = { validTo: string; reason: string };
