// SPDX-License-Identifier: MIT
/**
 * The settings page over HTTP: a safeguarding lead edits a level's description and the "not brought"
 * threshold; the front door's decision form and the level form show the new description, and the
 * child's alerts follow the new threshold. Each save is a new version (the earlier kept and listed) with
 * an audited reason; other roles are refused and the refusal audited.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sql } from "kysely";
import { addMonths, todayInEngland } from "../kernel/calendar.ts";
import { onKey } from "../kernel/sql.ts";
import { alertsFor, DEFAULT_ALERT_SETTINGS } from "../pathways/alerts.ts";
import { DEFAULT_NEED_LEVELS } from "../pathways/codes.ts";
import { signInFor, TestClient, weekdayAgo } from "../test-support/harness.ts";
import { app, database, partnership, useTestApp } from "../test-support/test-app.ts";
import { dateInputValues } from "../web/dates.ts";
import { type NeedLevelWording, settingsInForce } from "./pathway-settings.ts";
import { settingsValues } from "./routes.ts";

const client = async (role: Parameters<typeof signInFor>[1]) => {
  const c = new TestClient(app);
  await c.signIn(signInFor(partnership, role).email);
  return c;
};
const NOT_BROUGHT = "Repeatedly not brought to appointments";

useTestApp();

describe("the settings of levels of need and timescales", () => {
  it("fall back to today's defaults, field by field, when nothing (or something unreadable) is saved", () => {
    const base: NeedLevelWording[] = DEFAULT_NEED_LEVELS.map((l) => ({ ...l }));
    assert.deepEqual(settingsInForce(base, undefined).timescales, DEFAULT_ALERT_SETTINGS);
    assert.deepEqual(settingsInForce(base, { levels: "nonsense" }).levels, base);
    const saved = settingsInForce(base, undefined);
    saved.levels[0] = { code: "universal", name: "Universal", pathway: "", description: "Changed" };
    saved.timescales.notBroughtThreshold = 5;
    const read = settingsInForce(base, saved);
    assert.equal(read.levels[0]?.description, "Changed");
    assert.equal(read.timescales.notBroughtThreshold, 5);
    // A saved wording for a code the partnership no longer has is ignored; its codes stay.
    const stray = settingsInForce(base, { ...saved, levels: [{ ...saved.levels[0], code: "gone" }] });
    assert.deepEqual(
      stray.levels.map((l) => l.code),
      base.map((l) => l.code),
    );
  });

  it("are read by the pure alert rules as a parameter", () => {
    const today = "2025-06-01";
    const notBrought = ["2025-01-10", "2025-03-10"].map((d, i) => ({
      eventId: `e${i}`,
      occurredOn: d,
      eventType: "not-brought-health",
    }));
    const facts = { personId: "p", episodes: [], requests: [], earlyHelp: [], notBrought };
    const fires = (settings = DEFAULT_ALERT_SETTINGS) =>
      alertsFor(facts, today, settings).some((a) => a.type === "not-brought");
    assert.equal(fires(), false);
    assert.equal(fires({ ...DEFAULT_ALERT_SETTINGS, notBroughtThreshold: 2 }), true);
    assert.equal(fires({ ...DEFAULT_ALERT_SETTINGS, notBroughtThreshold: 2, notBroughtMonths: 3 }), false);
  });

  it("are refused to other roles, and the refusal is audited", async () => {
    for (const role of ["practitioner", "front-door", "analyst"] as const) {
      const other = await client(role);
      const page = await other.get("/settings");
      assert.equal(page.statusCode, 403, role);
      const post = await other.post("/settings", { reason: "Trying", notBroughtThreshold: "1" });
      assert.equal(post.statusCode, 403, role);
      const denied = await database.unsafeOwnerDb
        .selectFrom("audit_log")
        .select(sql<number>`count(*)`.as("n"))
        .where("partnership_id", "=", partnership.partnershipId)
        .where("actor_user_id", "=", signInFor(partnership, role).userId)
        .where("action", "=", "denied")
        .where(sql<boolean>`details->>'route' = '/settings'`)
        .executeTakeFirstOrThrow();
      assert.ok(Number(denied.n) >= 2, `${role}'s refusals are audited`);
    }
    const none = await database.unsafeOwnerDb
      .selectFrom("partnership_settings_versions")
      .select("version")
      .where("partnership_id", "=", partnership.partnershipId)
      .execute();
    assert.equal(none.length, 0);
  });

  it("edited on the page change the decision form, the level form and the alerts", async () => {
    const lead = await client("safeguarding-lead");
    // A child with "not brought" events in the last 12 months (current, not retracted or amended).
    const since = addMonths(todayInEngland(), -12);
    const counted = await database.unsafeOwnerDb
      .selectFrom("chronology_events as e")
      .innerJoin("people as p", (j) => onKey(j, "p.person_id", "e.person_id"))
      .select(["e.person_id", sql<number>`count(*)`.as("n")])
      .where("e.partnership_id", "=", partnership.partnershipId)
      .where("p.kind", "=", "child")
      .where("e.event_type", "in", ["not-brought-health", "not-brought-dental"])
      .where("e.occurred_on", ">", since)
      .where("e.occurred_on", "<=", todayInEngland())
      .where(
        sql<boolean>`not exists (select 1 from chronology_retractions r where r.partnership_id = e.partnership_id and r.event_id = e.event_id)`,
      )
      .where(
        sql<boolean>`not exists (select 1 from chronology_events s where s.partnership_id = e.partnership_id and s.supersedes_event_id = e.event_id)`,
      )
      .groupBy("e.person_id")
      .orderBy(sql`count(*)`, "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
    const child = counted.person_id;
    const n = Number(counted.n);
    assert.ok(n >= 1 && n < 20);

    const page = await lead.get("/settings");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /No version has been saved/);
    const form = settingsValues(settingsInForce(DEFAULT_NEED_LEVELS, undefined));

    // Every problem is reported in one submit, each naming its field.
    const bad = await lead.post("/settings", {
      ...form,
      notBroughtThreshold: "0",
      "level-additional-name": "",
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /href="#notBroughtThreshold"/);
    assert.match(bad.body, /href="#level-additional-name"/);
    assert.match(bad.body, /href="#reason"/);

    const description = "Emerging needs met by one agency with a named worker and a plan within 20 days.";
    const above = await lead.post("/settings", {
      ...form,
      "level-additional-description": description,
      notBroughtThreshold: String(n + 1),
      reason: "Board decision of March: higher threshold",
    });
    assert.equal(above.statusCode, 303);
    assert.equal(above.headers.location, "/settings?saved=1");
    const pathwayAbove = await lead.get(`/people/${child}/pathway`);
    assert.equal(pathwayAbove.statusCode, 200);
    assert.doesNotMatch(pathwayAbove.body, new RegExp(NOT_BROUGHT));

    const at = await lead.post("/settings", {
      ...form,
      "level-additional-description": description,
      notBroughtThreshold: String(n),
      notBroughtMonths: "12",
      reason: "Board decision of April: threshold lowered again",
    });
    assert.equal(at.statusCode, 303);
    const pathwayAt = await lead.get(`/people/${child}/pathway`);
    assert.match(pathwayAt.body, new RegExp(NOT_BROUGHT));

    // The level form and the front door's decision form show the new description as the hint.
    const levelForm = await lead.get(`/people/${child}/pathway/level`);
    assert.ok(levelForm.body.includes(description), "level form shows the new description");
    await lead.get(`/people/${child}/pathway/request`);
    const sent = await lead.post(`/people/${child}/pathway/request`, {
      ...dateInputValues("receivedOn", weekdayAgo(1)),
      concerns: "Missed appointments.",
      whatTried: "Reminders.",
      consent: "given",
    });
    assert.equal(sent.statusCode, 303);
    const requestId = /requests\/([0-9a-f-]{36})/.exec(String(sent.headers.location))?.[1];
    assert.ok(requestId);
    const frontDoor = await client("front-door");
    const decision = await frontDoor.get(`/pathways/requests/${requestId}`);
    assert.equal(decision.statusCode, 200);
    assert.ok(decision.body.includes(description), "decision form shows the new description");

    // Both versions are kept and listed, with who and why; each save is audited with its reason.
    const listed = await lead.get("/settings");
    assert.match(listed.body, /Board decision of March/);
    assert.match(listed.body, /Board decision of April/);
    const versions = await database.unsafeOwnerDb
      .selectFrom("partnership_settings_versions")
      .select(["version", sql<number>`(settings->'timescales'->>'notBroughtThreshold')::int`.as("t")])
      .where("partnership_id", "=", partnership.partnershipId)
      .orderBy("version")
      .execute();
    assert.deepEqual(
      versions.map((v) => [v.version, Number(v.t)]),
      [
        [1, n + 1],
        [2, n],
      ],
    );
    const audited = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select(["reason", "details"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("record_type", "=", "partnership-settings")
      .where("action", "=", "change")
      .orderBy("seq")
      .execute();
    assert.equal(audited.length, 2);
    assert.equal(audited[0]?.reason, "Board decision of March: higher threshold");
    assert.deepEqual((audited[1]?.details as Record<string, unknown> | undefined)?.notBroughtThreshold, [
      n + 1,
      n,
    ]);
  });
});
