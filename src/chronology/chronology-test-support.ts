// SPDX-License-Identifier: MIT
/**
 * What the chronology tests (chronology-*.test.ts) share: the database, a partnership, the app and a family
 * known to health and the school, with an entry by each of them, a restricted one and one on the mother
 * (live bindings, set by useChronologyFixtures' before hook); the users who record and read them, their
 * repositories and signed-in clients, and an entry's input.
 */
import assert from "node:assert/strict";
import type { LightMyRequestResponse } from "fastify";
import { repositoryFor } from "../data/repository.ts";
import { onKey } from "../kernel/sql.ts";
import type { Role } from "../organisation/codes.ts";
import {
  contextOfTestUser,
  createFamily,
  findUser,
  type TestFamily,
  type TestUser,
} from "../test-support/families.ts";
import { signInFor, TestClient } from "../test-support/harness.ts";
import { app, database, partnership, useTestApp } from "../test-support/test-app.ts";
import type { EventInput } from "./chronology-repository.ts";

/** The file's fixtures (live bindings, set before its tests by useTestApp). */
export { database, partnership };

export let family: TestFamily;
export let health: TestUser;
export let school: TestUser;
export let police: TestUser;
export let lead: TestUser;
export let auditor: TestUser;
export let frontDoor: TestUser;

const contextOf = (user: TestUser) => contextOfTestUser(partnership.partnershipId, user);
export const repoOf = (user: TestUser) => repositoryFor(database, contextOf(user)).chronology;

const demoUser = async (role: Role): Promise<TestUser> => {
  const signIn = signInFor(partnership, role);
  const row = await database.unsafeOwnerDb
    .selectFrom("users")
    .innerJoin("agencies", (join) => onKey(join, "agencies.agency_id", "users.agency_id"))
    .select(["users.agency_id", "agencies.name"])
    .where("users.partnership_id", "=", partnership.partnershipId)
    .where("users.user_id", "=", signIn.userId)
    .executeTakeFirstOrThrow();
  return { userId: signIn.userId, email: signIn.email, agencyId: row.agency_id, agencyName: row.name, role };
};

export const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

export const entry = (overrides: Partial<EventInput> = {}): EventInput => ({
  eventType: "not-brought-health",
  occurredOn: daysAgo(30),
  datePrecision: "day",
  whatHappened: "Poppy was not brought to her 6-month health review.",
  impactOnChild: "Her weight and development were not checked; a second missed review.",
  actionTaken: "Letter sent and a home visit booked.",
  significance: "medium",
  neglectTypes: ["medical"],
  informationBasis: "observed",
  visibility: "normal",
  restrictedToRoles: [],
  ...overrides,
});

const clients = new Map<string, TestClient>();
/** A signed-in client per user, made once (sign-in is rate limited per address). */
export const clientFor = async (user: TestUser): Promise<TestClient> => {
  const existing = clients.get(user.userId);
  if (existing) return existing;
  const client = new TestClient(app);
  const response = await client.signIn(user.email);
  assert.equal(response.headers.location, "/", `${user.email} signs in`);
  clients.set(user.userId, client);
  return client;
};

export const text = (response: LightMyRequestResponse): string =>
  response.body
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");

export const assertRedirect = (response: LightMyRequestResponse, location: string) => {
  assert.equal(response.statusCode, 303, `expected a 303 to ${location}, got ${response.statusCode}`);
  assert.equal(response.headers.location, location);
};

export let schoolEventId: string;
export let healthEventId: string;
export let restrictedEventId: string;
export let motherEventId: string;

/** Sets the file's fixtures up before its tests and closes them after; call it at the file's top level. */
export const useChronologyFixtures = () => {
  useTestApp({}, async () => {
    health = await findUser(database, partnership.partnershipId, {
      role: "practitioner",
      agencyName: "Community Health NHS Trust",
    });
    school = await findUser(database, partnership.partnershipId, {
      role: "practitioner",
      agencyType: "education",
    });
    police = await findUser(database, partnership.partnershipId, {
      role: "practitioner",
      agencyType: "police",
    });
    lead = await demoUser("safeguarding-lead");
    auditor = await demoUser("auditor");
    frontDoor = await demoUser("front-door");
    family = await createFamily(database, {
      partnershipId: partnership.partnershipId,
      involvements: [
        { agencyId: health.agencyId, child: "baby" },
        { agencyId: school.agencyId, child: "sibling" },
      ],
    });
    const add = async (user: TestUser, personId: string, input: EventInput) => {
      const result = await repoOf(user).addEvent(personId, input);
      assert.ok(result.ok, JSON.stringify(result));
      return result.value.eventId;
    };
    healthEventId = await add(health, family.babyId, entry());
    schoolEventId = await add(
      school,
      family.siblingId,
      entry({
        eventType: "persistent-absence",
        occurredOn: daysAgo(60),
        datePrecision: "month",
        whatHappened: "Jayden's attendance this term is 82%.",
        impactOnChild: "He is falling behind in reading.",
        neglectTypes: ["educational"],
        significance: "medium",
      }),
    );
    restrictedEventId = await add(
      health,
      family.babyId,
      entry({
        eventType: "parental-mental-health",
        whatHappened: "Mother disclosed low mood to the health visitor.",
        impactOnChild: "Poppy's care may be affected when mother is unwell.",
        neglectTypes: ["emotional"],
        informationBasis: "reported",
        visibility: "restricted",
        restrictedToRoles: ["safeguarding-lead"],
      }),
    );
    // The front door sees every child, so it can record on the mother (an adult in the household).
    motherEventId = await add(
      frontDoor,
      family.motherId,
      entry({
        eventType: "domestic-abuse",
        occurredOn: daysAgo(400),
        datePrecision: "approximate",
        whatHappened: "Police attended a verbal argument between Kerry and Dean.",
        impactOnChild: "Jayden was present and upset.",
        neglectTypes: ["emotional", "supervisory"],
        significance: "high",
      }),
    );
  });
};
