// SPDX-License-Identifier: MIT
/**
 * A child for a test, made through the people repository as a practitioner would: every detail the test
 * does not care about left empty, known to the caller's agency (leading, with the family's consent).
 */
import assert from "node:assert/strict";
import type { PeopleRepository } from "../people/people-repository.ts";
import type { NewInvolvement, NewPerson } from "../people/people-types.ts";

/** A child's details for `createPerson`: name and date of birth given, the rest empty unless overridden. */
export const testChild = (
  details: Pick<NewPerson, "givenNames" | "familyName" | "dateOfBirth"> & Partial<NewPerson>,
): NewPerson => ({
  kind: "child",
  expectedDateOfBirth: null,
  sex: "F",
  ethnicity: "WBRI",
  disabilities: [],
  nhsNumber: null,
  upn: null,
  localId: null,
  sendStatus: null,
  youngCarer: null,
  firstLanguage: "English",
  ...details,
});

/** The caller's agency's involvement: leading, with the family's consent, from 6 January 2025 by default. */
export const testInvolvement = (involvement: Partial<NewInvolvement> = {}): NewInvolvement => ({
  startedOn: "2025-01-06",
  isLeadAgency: true,
  sharingBasis: "consent",
  consent: "given",
  sharingReasoning: null,
  ...involvement,
});

/**
 * Creates the child and fails the test if it is refused.
 * @param people - The caller's people repository (`repositoryFor(database, context).people`).
 * @returns The new child's person id.
 */
export const createTestChild = async (
  people: Pick<PeopleRepository, "createPerson">,
  details: Parameters<typeof testChild>[0],
  involvement?: Partial<NewInvolvement>,
): Promise<string> => {
  const created = await people.createPerson(testChild(details), testInvolvement(involvement));
  assert.ok(created.ok, JSON.stringify(created));
  return created.value.personId;
};
