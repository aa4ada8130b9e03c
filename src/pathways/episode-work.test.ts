// SPDX-License-Identifier: MIT
/**
 * The worklists read only episodes with work still in them: a child whose episodes are all closed adds
 * nothing to a worker's alerts or what is due, while an open episode, and a closed episode still holding
 * a plan that was never ended (as an import can leave one), keep raising theirs. A safeguarding lead still
 * sees what a closed history can raise (a child repeatedly not brought, an assessment without the child's
 * voice).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sql } from "kysely";
import { entry } from "../chronology/chronology-test-support.ts";
import type { AccessContext } from "../data/access-context.ts";
import { repositoryFor } from "../data/repository.ts";
import { withPartnershipScope } from "../db/database.ts";
import { addCalendarDays, todayInEngland } from "../kernel/calendar.ts";
import { recordCscEvents, type TestCscEvent } from "../test-support/csc-events.ts";
import { accessContextFor, userFor } from "../test-support/harness.ts";
import { createTestChild } from "../test-support/people.ts";
import { database, partnership, useTestApp } from "../test-support/test-app.ts";
import { childrenWithEpisodeWork, childrenWithEpisodeWorkSql } from "./csc-event-store.ts";

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

useTestApp({ app: false }, async () => {
  worker = (await userFor(database, partnership, "practitioner", { agencyType: "childrens-social-care" }))
    .context;
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
    // The same test worked out for the whole partnership at once (a safeguarding lead's alerts).
    const everyone = await withPartnershipScope(database, partnership.partnershipId, (trx) =>
      sql<{ person_id: string }>`select person_id from (${childrenWithEpisodeWorkSql(today)}) w`.execute(trx),
    );
    const mine = [closed, open, unendedPlan, endsLater];
    assert.deepEqual(
      new Set(everyone.rows.map((r) => r.person_id).filter((id) => mine.includes(id))),
      new Set([open, unendedPlan, endsLater]),
    );
    // A long list (a manager's agency) takes that partnership-wide form, keeping only the children listed.
    const longList = [...mine, ...Array.from({ length: 600 }, () => crypto.randomUUID())];
    const fromLongList = await withPartnershipScope(database, partnership.partnershipId, (trx) =>
      childrenWithEpisodeWork(trx, longList, today),
    );
    assert.deepEqual(new Set(fromLongList), new Set([open, unendedPlan, endsLater]));

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

  it("leave a safeguarding lead the alerts a closed history can still raise, and nothing else from it", async () => {
    const lead = repositoryFor(database, await accessContextFor(database, partnership, "safeguarding-lead"));
    const quiet = await childWith("Quiet", { planEnded: daysAgo(100), closed: daysAgo(90) });
    const missed = await childWith("Missed", { planEnded: daysAgo(100), closed: daysAgo(90) });
    const open = await childWith("Opened", { planEnded: null, closed: null });
    for (const days of [40, 25, 10])
      assert.ok(
        (
          await lead.chronology.addEvent(
            missed,
            entry({
              occurredOn: daysAgo(days),
              whatHappened: `Not brought to the clinic (${days} days ago)`,
            }),
          )
        ).ok,
      );
    // A neglect assessment submitted with nothing in the child's own words, as a fixture.
    const unheard = await childWith("Unheard", { planEnded: daysAgo(100), closed: daysAgo(90) });
    await repositoryFor(database, worker).assessments.listTools(); // installs Hearth's own tools
    const tool = await database.unsafeOwnerDb
      .selectFrom("assessment_tool_versions")
      .select("tool_version_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .executeTakeFirstOrThrow();
    await database.unsafeOwnerDb
      .insertInto("assessments")
      .values({
        partnership_id: partnership.partnershipId,
        assessment_id: crypto.randomUUID(),
        person_id: unheard,
        tool_version_id: tool.tool_version_id,
        agency_id: worker.agencyId,
        status: "submitted" as "draft",
        mode: "practitioner",
        assessed_on: daysAgo(20),
        started_by: worker.userId,
        submitted_at: new Date(),
        submitted_by: worker.userId,
      })
      .execute();
    const alerts = await lead.pathways.myAlerts();
    const typesFor = (personId: string) => alerts.filter((a) => a.personId === personId).map((a) => a.type);
    assert.deepEqual(typesFor(quiet), [], "a closed history with nothing recent raises nothing");
    assert.deepEqual(typesFor(missed), ["not-brought"], "repeatedly not brought, though social care closed");
    assert.deepEqual(typesFor(unheard), ["no-child-voice"], "an assessment without the child's voice");
    assert.ok(typesFor(open).includes("visit-overdue"), "an open plan's visit overdue");
  });
});
