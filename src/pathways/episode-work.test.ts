// SPDX-License-Identifier: MIT
/**
 * The worklists read only episodes with work still in them: a child whose episodes are all closed adds
 * nothing to a worker's alerts or what is due, while an open episode, and a closed episode still holding
 * a plan that was never ended (as an import can leave one), keep raising theirs.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { todayInEngland } from "../chronology/dates.ts";
import type { AccessContext } from "../data/access-context.ts";
import { repositoryFor } from "../data/repository.ts";
import { type HearthDatabase, withPartnershipScope } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import { recordCscEvents, type TestCscEvent } from "../test-support/csc-events.ts";
import { createTestPartnership, openTestDatabase, userFor } from "../test-support/harness.ts";
import { createTestChild } from "../test-support/people.ts";
import { childrenWithEpisodeWork } from "./csc-event-store.ts";
import { addCalendarDays } from "./working-days.ts";

let database: HearthDatabase;
let partnership: GeneratedPartnership;
let worker: AccessContext;

const today = todayInEngland();
const daysAgo = (days: number) => addCalendarDays(today, -days);

const recordEvents = (personId: string, events: TestCscEvent[]) =>
  recordCscEvents(database, partnership.partnershipId, personId, worker.userId, events);

/** A child with one episode: referred, a child in need plan started, and (optionally) ended and closed. */
const childWith = async (
  givenNames: string,
  episode: { planEnded: string | null; closed: string | null },
): Promise<string> => {
  const personId = await createTestChild(repositoryFor(database, worker).people, {
    givenNames,
    familyName: "Workwell",
    dateOfBirth: "2017-03-03",
  });
  const referral = crypto.randomUUID();
  const plan = crypto.randomUUID();
  await recordEvents(personId, [
    { type: "referral", on: daysAgo(400), id: referral, episode: referral, code: "1B" },
    { type: "cin-plan-start", on: daysAgo(380), id: plan, episode: referral },
    ...(episode.planEnded
      ? [{ type: "cin-plan-end" as const, on: episode.planEnded, episode: referral, subject: plan }]
      : []),
    ...(episode.closed
      ? [{ type: "closure" as const, on: episode.closed, episode: referral, code: "RC1" }]
      : []),
  ]);
  return personId;
};

before(async () => {
  database = await openTestDatabase();
  partnership = await createTestPartnership(database);
  worker = (await userFor(database, partnership, "practitioner", { agencyType: "childrens-social-care" }))
    .context;
});

after(async () => {
  await database.close();
});

describe("episodes with work in them", () => {
  it("leave out a child whose episodes are closed, and keep an open episode and an unended plan", async () => {
    const closed = await childWith("Closed", { planEnded: daysAgo(100), closed: daysAgo(90) });
    const open = await childWith("Open", { planEnded: null, closed: null });
    const unendedPlan = await childWith("Unended", { planEnded: null, closed: daysAgo(90) });
    const endsLater = await childWith("Later", {
      planEnded: addCalendarDays(today, 30),
      closed: daysAgo(90),
    });
    const withWork = await withPartnershipScope(database, partnership.partnershipId, (trx) =>
      childrenWithEpisodeWork(trx, [closed, open, unendedPlan, endsLater], today),
    );
    assert.deepEqual(new Set(withWork), new Set([open, unendedPlan, endsLater]));

    // What the worker sees: the plans not ended, on her alerts (no visit in 380 days) and her caseload's
    // due items; nothing for the closed child.
    const repo = repositoryFor(database, worker);
    const visitAlerts = (await repo.pathways.myAlerts()).filter((a) => a.type === "visit-overdue");
    assert.deepEqual(new Set(visitAlerts.map((a) => a.personId)), new Set([open, unendedPlan, endsLater]));
    const cases = (await repo.worklist.myCases()).cases;
    const dueFor = (personId: string) => cases.find((c) => c.personId === personId)?.due ?? [];
    assert.ok(
      dueFor(closed).length === 0 && cases.some((c) => c.personId === closed),
      "the closed child is listed, with nothing due",
    );
    for (const personId of [open, unendedPlan, endsLater])
      assert.deepEqual(
        dueFor(personId)
          .map((d) => d.kind)
          .sort(),
        ["cin-review", "cin-visit"],
      );
  });
});
