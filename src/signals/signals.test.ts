// SPDX-License-Identifier: MIT
/**
 * Signals on a real database: entries recorded through the repository fire the rule for the family's
 * baby, once; the signal lists the entries that fired it, but only those the viewer may see (a sibling's
 * entry from an agency that cannot open the sibling is not listed); a user who cannot open the child
 * cannot see the signal; the decision goes to the chronology and to the rule's precision figures.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { sql } from "kysely";
import type { EventInput } from "../chronology/chronology-repository.ts";
import type { AccessContext } from "../data/access-context.ts";
import { repositoryFor } from "../data/repository.ts";
import { enterPartnershipScope } from "../db/database.ts";
import { createFamily, findUser, isoDaysAgo, type TestFamily } from "../test-support/families.ts";
import { contextOfUser, TestClient, testDatabaseTarget } from "../test-support/harness.ts";
import { unclassifiedMethods } from "../test-support/method-access.ts";
import { app, database, partnership, useTestApp } from "../test-support/test-app.ts";
import { SignalPageRepository } from "./signal-page-repository.ts";
import { SignalPatternsRepository } from "./signal-patterns-repository.ts";
import { SignalWorklistRepository } from "./signal-worklist-repository.ts";
import { evaluateSignalsForFamilyOf } from "./store.ts";

let family: TestFamily;
let hv: AccessContext;
let hvEmail: string;
let school: AccessContext;
let schoolEmail: string;
let lead: AccessContext;

const contextOf = (email: string): Promise<AccessContext> =>
  contextOfUser(database, partnership.partnershipId, { email });

const involve = async (personId: string, agencyId: string, leadUserId: string | null) =>
  database.unsafeOwnerDb
    .insertInto("involvements")
    .values({
      partnership_id: partnership.partnershipId,
      involvement_id: randomUUID(),
      person_id: personId,
      agency_id: agencyId,
      started_on: isoDaysAgo(300),
      ended_on: null,
      sharing_basis: "consent",
      consent: "given",
      sharing_reasoning: null,
      lead_professional_user_id: leadUserId,
    })
    .execute();

const notBrought = (
  daysAgo: number,
  what: string,
  type: EventInput["eventType"] = "not-brought-health",
): EventInput => ({
  eventType: type,
  occurredOn: isoDaysAgo(daysAgo),
  datePrecision: "day",
  whatHappened: what,
  impactOnChild: "Checks missed.",
  actionTaken: null,
  significance: "medium",
  neglectTypes: ["medical"],
  informationBasis: "observed",
  visibility: "normal",
  restrictedToRoles: [],
});

useTestApp({ children: 30 }, async () => {
  hvEmail = partnership.signIns.find((s) => s.email.startsWith("health-visitor@"))?.email ?? "";
  hv = await contextOf(hvEmail);
  const schoolUser = await findUser(database, partnership.partnershipId, {
    role: "practitioner",
    agencyType: "education",
  });
  schoolEmail = schoolUser.email;
  school = await contextOf(schoolEmail);
  lead = await contextOf(partnership.signIns.find((s) => s.role === "safeguarding-lead")?.email ?? "");
  family = await createFamily(database, {
    partnershipId: partnership.partnershipId,
    familyName: "Quillfeather",
  });
  // The health visitor is the baby's lead professional; the school knows only the older sister.
  await involve(family.babyId, hv.agencyId, hv.userId);
  await involve(family.siblingId, school.agencyId, null);
});

describe("the signals repository's methods", () => {
  it("are each declared in the sub-area repository that does the work", () => {
    for (const repository of [SignalWorklistRepository, SignalPageRepository, SignalPatternsRepository]) {
      assert.deepEqual(unclassifiedMethods(repository), { undeclared: [], stale: [] }, repository.name);
    }
  });
});

describe("signals on the database", () => {
  let signalId = "";

  it("does not fire on two entries, fires once on the third (a sibling's, from the school), listing all three", async () => {
    const hvRepo = repositoryFor(database, hv);
    for (const [days, what] of [
      [40, "Baby not brought to 8-month review"],
      [20, "Baby not brought to rearranged review"],
    ] as const) {
      const added = await hvRepo.chronology.addEvent(family.babyId, notBrought(days, what));
      assert.ok(added.ok);
    }
    assert.equal((await hvRepo.signals.worklist()).total, 0, "two entries are below the threshold");
    const schoolRepo = repositoryFor(database, school);
    const third = await schoolRepo.chronology.addEvent(
      family.siblingId,
      notBrought(10, "Sister not brought to school dental screening", "not-brought-dental"),
    );
    assert.ok(third.ok);
    const worklist = await hvRepo.signals.worklist();
    const mine = worklist.signals.filter((s) => s.personId === family.babyId);
    assert.equal(mine.length, 1, "one signal on the lead professional's worklist");
    assert.equal(mine[0]?.route, "lead");
    signalId = mine[0]?.signalId ?? "";
    // The safeguarding lead sees every child, so sees every entry that fired it.
    const seen = await repositoryFor(database, lead).signals.getSignal(signalId);
    assert.deepEqual(
      seen?.entries.map((e) => e.whatHappened),
      [
        "Baby not brought to 8-month review",
        "Baby not brought to rearranged review",
        "Sister not brought to school dental screening",
      ],
    );
    assert.equal(seen?.ruleId, "not-brought-health");
  });

  it("is idempotent: evaluating again adds nothing, and a fourth entry while the signal is open joins it", async () => {
    const hvRepo = repositoryFor(database, hv);
    const again = await hvRepo.signals.evaluateFamily(family.babyId);
    assert.ok(again.ok);
    assert.deepEqual(again.value, []);
    assert.ok(
      (await hvRepo.chronology.addEvent(family.babyId, notBrought(5, "Not brought to weigh clinic"))).ok,
    );
    const count = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("partnership_id", "=", partnership.partnershipId)
      .where("record_type", "=", "signal")
      .where("action", "=", "create")
      .where(sql<boolean>`details->>'person_id' = ${family.babyId}`)
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 1, "one signal was made for the baby, and its making audited");
    const seen = await repositoryFor(database, lead).signals.getSignal(signalId);
    assert.deepEqual(
      seen?.entries.map((e) => e.whatHappened),
      [
        "Baby not brought to 8-month review",
        "Baby not brought to rearranged review",
        "Sister not brought to school dental screening",
        "Not brought to weigh clinic",
      ],
      "the open signal shows the entry that came after it",
    );
    const grown = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("details")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("record_type", "=", "signal")
      .where("record_id", "=", signalId)
      .where("action", "=", "update")
      .execute();
    assert.equal(grown.length, 1, "the entry joining the signal is audited");
    const again2 = await hvRepo.signals.evaluateFamily(family.babyId);
    assert.ok(again2.ok && again2.value.length === 0);
    assert.equal(
      (await repositoryFor(database, lead).signals.getSignal(signalId))?.entries.length,
      4,
      "evaluating again adds nothing more",
    );
  });

  it("evaluates one family at a time, while another family's evaluation goes ahead", {
    skip:
      testDatabaseTarget().engine === "pglite"
        ? "PostgreSQL only: the embedded database has one connection"
        : false,
  }, async () => {
    const [larkspur, fenwick] = await Promise.all(
      ["Larkspur", "Fenwick"].map((familyName) =>
        createFamily(database, { partnershipId: partnership.partnershipId, familyName }),
      ),
    );
    if (!larkspur || !fenwick) throw new Error("families not created");
    for (const { babyId, siblingId } of [larkspur, fenwick]) {
      await involve(babyId, hv.agencyId, hv.userId);
      await involve(siblingId, school.agencyId, null);
    }
    const hvRepo = repositoryFor(database, hv);
    for (const days of [40, 30, 20])
      assert.ok((await hvRepo.chronology.addEvent(larkspur.babyId, notBrought(days, "Missed"))).ok);
    // The three entries fired a signal already: close it, so each evaluation below would fire a new one.
    await database.unsafeOwnerDb
      .deleteFrom("signal_entries")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("child_person_id", "=", larkspur.babyId)
      .execute();
    await database.unsafeOwnerDb
      .deleteFrom("signals")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("person_id", "=", larkspur.babyId)
      .execute();
    const evaluation = async (personId: string) => {
      const trx = await database.unsafeOwnerDb.startTransaction().execute();
      await enterPartnershipScope(trx, partnership.partnershipId);
      const fired = await evaluateSignalsForFamilyOf(trx, {
        partnershipId: partnership.partnershipId,
        personId,
        trigger: "worklist",
        firedBy: null,
        audit: async () => {},
      });
      return { trx, fired };
    };
    const first = await evaluation(larkspur.siblingId);
    assert.equal(first.fired.length, 1, "the first evaluation fires, and holds the family's children");
    let secondDone = false;
    const second = evaluation(larkspur.babyId).then((result) => {
      secondDone = true;
      return result;
    });
    const otherFamily = await evaluation(fenwick.babyId);
    await otherFamily.trx.commit().execute();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(secondDone, false, "the same family's evaluation waits for the first to commit");
    await first.trx.commit().execute();
    const { trx, fired } = await second;
    await trx.commit().execute();
    assert.deepEqual(fired, [], "and then finds the first's signal instead of firing another");
  });

  it("shows the health visitor only the entries she may see: not the sister's, recorded by the school", async () => {
    const seen = await repositoryFor(database, hv).signals.getSignal(signalId);
    assert.ok(seen);
    assert.deepEqual(
      seen.entries.map((e) => e.whatHappened),
      [
        "Baby not brought to 8-month review",
        "Baby not brought to rearranged review",
        "Not brought to weigh clinic",
      ],
    );
  });

  it("denies the signal to a user who cannot open the baby's record, in the repository and over HTTP", async () => {
    assert.equal(await repositoryFor(database, school).signals.getSignal(signalId), undefined);
    const decided = await repositoryFor(database, school).signals.decide(signalId, {
      decision: "no-action",
      reason: "Trying",
    });
    assert.equal(decided.ok, false);
    const c = new TestClient(app);
    await c.signIn(schoolEmail);
    const page = await c.get(`/signals/${signalId}`);
    assert.equal(page.statusCode, 404);
    assert.ok(!page.body.includes("Baby not brought"));
    const denied = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("record_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("action", "=", "denied")
      .where("actor_user_id", "=", school.userId)
      .where("record_type", "=", "signal")
      .execute();
    assert.ok(
      denied.some((d) => d.record_id === signalId),
      "the refusal is audited",
    );
  });

  it("over HTTP the health visitor sees the signal on her home page and its entries, never the sister's", async () => {
    const c = new TestClient(app);
    await c.signIn(hvEmail);
    const home = await c.get("/");
    assert.ok(home.body.includes(`/signals/${signalId}`));
    const page = await c.get(`/signals/${signalId}`);
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes("Baby not brought to 8-month review"));
    assert.ok(!page.body.includes("Sister not brought"));
    const history = await c.get(`/people/${family.babyId}/history`);
    assert.ok(history.body.includes("Repeated concerns across the family"));
    assert.ok(!history.body.includes("No events of high significance are recorded"));
    assert.match(history.body, /Child not brought to a health appointment/);
  });

  it("records a decision with a reason: in the chronology, off the worklist, and in the precision figures", async () => {
    const hvRepo = repositoryFor(database, hv);
    const missing = await hvRepo.signals.decide(signalId, { decision: "screening", reason: "  " });
    assert.equal(missing.ok, false);
    assert.ok(!missing.ok && missing.field === "reason");
    const result = await hvRepo.signals.decide(signalId, {
      decision: "screening",
      reason:
        "Three missed appointments across the children; agreed with mother to do the screening together.",
    });
    assert.ok(result.ok);
    const chronology = await hvRepo.chronology.childChronology(family.babyId);
    const entry = chronology?.events.find((e) => e.event_type === "signal-decision");
    assert.ok(entry, "the decision is in the chronology");
    assert.match(entry.what_happened, /Screening with the family/);
    assert.equal((await hvRepo.signals.worklist()).signals.filter((s) => s.signalId === signalId).length, 0);
    // Its entries are spent: evaluating again does not raise the same signal.
    const again = await hvRepo.signals.evaluateFamily(family.babyId);
    assert.ok(again.ok && again.value.length === 0);
    const precision = await repositoryFor(database, lead).signals.precision();
    const rule = precision?.find((r) => r.ruleId === "not-brought-health");
    assert.ok(rule);
    assert.ok(rule.fired >= 1);
    assert.ok(rule.confirmed >= 1);
    assert.ok((rule.byDecision.find((d) => d.code === "screening")?.count ?? 0) >= 1);
    const sex = rule.breakdowns.find((b) => b.name === "Sex");
    assert.ok(sex?.groups.every((g) => g.fired.value >= 5 || g.fired.shown === "fewer than 5"));
    assert.equal(
      await repositoryFor(database, hv).signals.precision(),
      undefined,
      "practitioners do not read it",
    );
  });

  it("never shows a signal fired only by entries restricted to other roles, even to the lead professional", async () => {
    const police = await contextOf(
      (await findUser(database, partnership.partnershipId, { role: "practitioner", agencyType: "police" }))
        .email,
    );
    await involve(family.babyId, police.agencyId, null);
    const policeRepo = repositoryFor(database, police);
    for (const days of [50, 8]) {
      const added = await policeRepo.chronology.addEvent(family.babyId, {
        ...notBrought(days, `Police called to the home, baby present (${days})`, "police-call-out"),
        neglectTypes: ["supervisory"],
        visibility: "restricted",
        restrictedToRoles: ["safeguarding-lead"],
      });
      assert.ok(added.ok);
    }
    const fired = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("record_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("record_type", "=", "signal")
      .where(sql<boolean>`details->>'person_id' = ${family.babyId}`)
      .where(sql<boolean>`details->>'rule_id' = 'police-children-present'`)
      .executeTakeFirstOrThrow();
    const leadSignal = { signalId: fired.record_id };
    assert.equal(
      (await repositoryFor(database, lead).signals.getSignal(leadSignal.signalId))?.entries.length,
      2,
      "the safeguarding lead, who may read the entries, sees them",
    );
    const hvRepo = repositoryFor(database, hv);
    assert.equal(
      (await hvRepo.signals.worklist()).signals.some((s) => s.signalId === leadSignal.signalId),
      false,
      "the health visitor is not told of police entries she may not read",
    );
    assert.equal(await hvRepo.signals.getSignal(leadSignal.signalId), undefined);
    const patterns = await hvRepo.signals.familyPatterns(family.babyId);
    assert.ok(patterns);
    assert.equal(
      patterns.signals.some((s) => s.signalId === leadSignal.signalId),
      false,
    );
    assert.equal(
      patterns.rows.some((r) => r.eventType === "police-call-out"),
      false,
    );
    // The police, who recorded them, see the signal and their own entries.
    assert.equal((await policeRepo.signals.getSignal(leadSignal.signalId))?.entries.length, 2);
  });

  it("keeps a decision on a signal the health visitor may not see out of her chronology of the baby", async () => {
    const fired = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("record_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("record_type", "=", "signal")
      .where(sql<boolean>`details->>'person_id' = ${family.babyId}`)
      .where(sql<boolean>`details->>'rule_id' = 'police-children-present'`)
      .executeTakeFirstOrThrow();
    const decided = await repositoryFor(database, lead).signals.decide(fired.record_id, {
      decision: "no-action",
      reason: "Police aware; the family is known to them and to the lead.",
    });
    assert.ok(decided.ok);
    const leadChronology = await repositoryFor(database, lead).chronology.childChronology(family.babyId);
    assert.ok(
      leadChronology?.events.some((e) => e.event_id === decided.value.eventId),
      "the decision is in the chronology for those who may see the signal",
    );
    // The health visitor opens the baby's record but may not read the police entries that fired the signal:
    // an entry naming the rule would tell her what they are.
    const hvChronology = await repositoryFor(database, hv).chronology.childChronology(family.babyId);
    assert.ok(hvChronology);
    assert.ok(!hvChronology.events.some((e) => e.event_id === decided.value.eventId));
    const c = new TestClient(app);
    await c.signIn(hvEmail);
    for (const page of [
      `/people/${family.babyId}/chronology`,
      `/people/${family.babyId}/family-chronology`,
    ]) {
      const response = await c.get(page);
      assert.equal(response.statusCode, 200);
      assert.ok(!response.body.includes("Police notifications with children present"), page);
      assert.ok(!response.body.includes("Police aware; the family is known"), page);
    }
  });

  it("goes to the safeguarding lead where the child has no lead professional", async () => {
    const other = await createFamily(database, {
      partnershipId: partnership.partnershipId,
      familyName: "Brackenridge",
    });
    const leadRepo = repositoryFor(database, lead);
    for (const days of [30, 20, 10])
      assert.ok((await leadRepo.chronology.addEvent(other.babyId, notBrought(days, `Missed ${days}`))).ok);
    const worklist = await leadRepo.signals.worklist();
    const found = worklist.signals.find((s) => s.personId === other.babyId);
    assert.equal(found?.route, "no-lead");
    assert.equal(
      (await repositoryFor(database, hv).signals.worklist()).signals.some((s) => s.personId === other.babyId),
      false,
    );
  });
});
