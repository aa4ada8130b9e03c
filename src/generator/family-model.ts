// SPDX-License-Identifier: MIT
/** What the family generator works with: day numbers, the organisation families meet, row buffers, weighted picks. */
import type { Insertable } from "kysely";
import type {
  ChronologyEventTable,
  HouseholdMemberTable,
  HouseholdTable,
  InvolvementTable,
  PersonNameTable,
  PersonTable,
  RelationshipTable,
} from "../db/schema.ts";
import type { HouseholdRole, SendStatus, SexCode } from "../people/codes.ts";
import { DISABILITY_WEIGHTS, ETHNICITY_WEIGHTS, LANGUAGES_BY_ETHNICITY } from "./family-vocabulary.ts";
import type { Random } from "./random.ts";

export const DAY_MS = 86_400_000;
export const YEAR = 365.25;

/** Days since 1970-01-01 for an ISO date. */
export const dayOf = (iso: string): number => Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
/** The ISO date of a day number. */
export const isoOf = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
export const stampOf = (day: number, hour: number): string =>
  new Date(day * DAY_MS + hour * 3_600_000).toISOString();

/** The first day of the September after a child's fourth birthday, when they start reception. */
export const schoolStartDay = (dob: number): number => {
  const date = new Date(dob * DAY_MS);
  const year = date.getUTCFullYear() + 4 + (date.getUTCMonth() >= 8 ? 1 : 0);
  return Math.floor(Date.UTC(year, 8, 1) / DAY_MS);
};

/** An agency as families meet it: who can be lead professional or record events for it. */
export type AgencyRef = { agencyId: string; practitioners: string[] };
export type SchoolRef = AgencyRef & { establishment: string; secondary: boolean };

export type FamilyOrganisation = {
  csc: AgencyRef;
  earlyHelp: AgencyRef;
  /** The community health trust's health visiting team. */
  healthVisiting: AgencyRef;
  /** The same trust's school nursing team (and community dental service). */
  schoolNursing: AgencyRef;
  midwifery: AgencyRef;
  emergency: AgencyRef;
  police: AgencyRef;
  housing: AgencyRef;
  schools: SchoolRef[];
  gps: AgencyRef[];
};

export type FamilyRows = {
  people: Insertable<PersonTable>[];
  person_names: Insertable<PersonNameTable>[];
  households: Insertable<HouseholdTable>[];
  household_members: Insertable<HouseholdMemberTable>[];
  relationships: Insertable<RelationshipTable>[];
  involvements: Insertable<InvolvementTable>[];
  chronology_events: Insertable<ChronologyEventTable>[];
};

export const emptyFamilyRows = (): FamilyRows => ({
  people: [],
  person_names: [],
  households: [],
  household_members: [],
  relationships: [],
  involvements: [],
  chronology_events: [],
});

/** The family the demo and tests rely on: a baby known to health visiting and a school-age sibling. */
export type DemoFamilyPlan = { healthVisitorUserId: string; schoolUserId: string };

export type DemoFamily = {
  householdId: string;
  familyName: string;
  babyPersonId: string;
  babyNhsNumber: string;
  babyName: string;
  siblingPersonId: string;
  siblingUpn: string;
  siblingName: string;
  motherPersonId: string;
  /** The baby's father, who lives with them: the older sibling's parent's partner. */
  partnerPersonId: string;
  healthVisitingAgencyId: string;
  schoolAgencyId: string;
};

export type Area = { lsoa: string; ward: string; town: string; district: string; streetBase: number };

export type Weighted<T> = (random: Random) => T;
export const weighted = <T>(entries: readonly (readonly [T, number])[]): Weighted<T> => {
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  return (random) => {
    let r = random.next() * total;
    for (const [value, w] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    const last = entries[entries.length - 1];
    if (!last) throw new Error("weighted pick from an empty list");
    return last[0];
  };
};

export const pickEthnicity = weighted(ETHNICITY_WEIGHTS);
export const pickDisability = weighted(DISABILITY_WEIGHTS);
export const pickSend = weighted<SendStatus>([
  ["none", 830],
  ["sen-support", 130],
  ["ehcp", 30],
  ["assessing", 10],
]);
export const languagePickers = new Map(
  Object.entries(LANGUAGES_BY_ETHNICITY).map(([code, list]) => [code, weighted(list)] as const),
);
export const pickChildCount = weighted([
  [1, 40],
  [2, 34],
  [3, 17],
  [4, 9],
]);

export type Person = {
  id: string;
  given: string;
  familyName: string;
  sex: SexCode;
  dob: number | null;
  kind: "child" | "adult";
  unborn: boolean;
  /** When this person lives in the family's home: [from, to) with to null while they still do. */
  from: number;
  to: number | null;
  role: HouseholdRole;
  fatherKey: number;
  school?: SchoolRef;
  nhs?: string | null;
  upn?: string | null;
};

export type Involvement = { agency: AgencyRef; lead: string; started: number; ended: number | null };
