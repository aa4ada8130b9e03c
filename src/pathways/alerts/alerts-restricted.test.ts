// SPDX-License-Identifier: MIT
/**
 * Alerts rest only on what their reader may read: "not brought" entries restricted to other roles (health
 * confidential) are counted for those who may read them, never shown by date and type, through the
 * "not brought" alert, to another agency's worker who opens the child's pathway.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EventInput } from "../../chronology/chronology-repository.ts";
import { repositoryFor } from "../../data/repository.ts";
import { addCalendarDays, todayInEngland } from "../../kernel/calendar.ts";
import type { AgencyType } from "../../organisation/codes.ts";
import { TestClient, userFor } from "../../test-support/harness.ts";
import { testChild, testInvolvement } from "../../test-support/people.ts";
import { app, database, partnership, useTestApp } from "../../test-support/test-app.ts";

useTestApp();

const missed = (daysAgo: number): EventInput => ({
  eventType: "not-brought-health",
  occurredOn: addCalendarDays(todayInEngland(), -daysAgo),
  datePrecision: "day",
  whatHappened: `Not brought to the clinic (${daysAgo})`,
  impactOnChild: "Checks missed.",
  actionTaken: null,
  significance: "medium",
  neglectTypes: ["medical"],
  informationBasis: "observed",
  visibility: "restricted",
  restrictedToRoles: ["safeguarding-lead"],
});

/**
 * A new child, recorded by a practitioner of an agency of this type and known to a school as well (the
 * safeguarding lead adds the school's involvement).
 */
const childKnownTo = async (agencyType: AgencyType, names: Parameters<typeof testChild>[0]) => {
  const recorder = await userFor(database, partnership, "practitioner", { agencyType });
  const school = await userFor(database, partnership, "practitioner", { agencyType: "education" });
  const lead = await userFor(database, partnership, "safeguarding-lead");
  const created = await repositoryFor(database, recorder.context).people.createPerson(
    testChild(names),
    testInvolvement(),
  );
  assert.ok(created.ok);
  const id = created.value.personId;
  const involved = await repositoryFor(database, lead.context).people.addInvolvement(id, {
    ...testInvolvement({ isLeadAgency: false }),
    agencyId: school.context.agencyId,
  });
  assert.ok(involved.ok);
  return { recorder, school, lead, id };
};

describe("the not brought alert", () => {
  it("counts restricted entries only for those who may read them", async () => {
    const {
      recorder: health,
      school,
      lead,
      id,
    } = await childKnownTo("health", {
      givenNames: "Wenna",
      familyName: "Trewhella",
      dateOfBirth: "2021-04-04",
    });
    for (const days of [60, 40, 20]) {
      const added = await repositoryFor(database, health.context).chronology.addEvent(id, missed(days));
      assert.ok(added.ok, JSON.stringify(added));
    }
    const alertOf = async (context: typeof health.context) =>
      (await repositoryFor(database, context).pathways.childPathway(id))?.alerts.find(
        (a) => a.type === "not-brought",
      );
    assert.ok(await alertOf(health.context), "the health agency, which recorded them, is alerted");
    assert.ok(await alertOf(lead.context), "the safeguarding lead, who may read them, is alerted");
    // The school opens the child's record, but not the health entries: no alert lists them.
    assert.equal(await alertOf(school.context), undefined);
    const client = new TestClient(app);
    await client.signIn(school.email);
    const page = await client.get(`/people/${id}/pathway`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /Not brought to 3 health or dental appointments/);
    assert.doesNotMatch(page.body, /not brought \(health\)/);
  });
});

describe("the pathway's count of early help entries", () => {
  it("counts only the current entries its reader may read", async () => {
    const {
      recorder: earlyHelp,
      school,
      id,
    } = await childKnownTo("early-help", {
      givenNames: "Morwenna",
      familyName: "Penrose",
      dateOfBirth: "2019-09-09",
    });
    const added = await repositoryFor(database, earlyHelp.context).chronology.addEvent(id, missed(30));
    assert.ok(added.ok, JSON.stringify(added));
    const count = async (context: typeof school.context) =>
      (await repositoryFor(database, context).cases.casePicture(id))?.earlyHelpEntries;
    assert.equal(await count(earlyHelp.context), 1, "the early help agency reads its own entry");
    assert.equal(await count(school.context), 0, "the school may not read it");
    const client = new TestClient(app);
    await client.signIn(school.email);
    const page = await client.get(`/people/${id}/pathway`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /chronology entry from early help/);
  });
});
