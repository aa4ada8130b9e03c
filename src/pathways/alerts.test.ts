// SPDX-License-Identifier: MIT
/** Episodes derived from coded events, and each drift alert on constructed histories: fires, and clears. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Alert, type AlertType, alertsFor, type ChildFacts, type EarlyHelpFacts } from "./alerts.ts";
import type { CscEventType } from "./codes.ts";
import { type CscEvent, deriveEpisodes, episodeStatus } from "./episodes.ts";

const PERSON = "00000000-0000-4000-8000-000000000001";
const WORKER = "00000000-0000-4000-8000-0000000000aa";

/** A tiny history builder: each call records one event and returns its id. */
const history = () => {
  const events: CscEvent[] = [];
  let n = 0;
  let episode = "";
  const add = (eventType: CscEventType, occurredOn: string, extra: Partial<CscEvent> = {}): string => {
    n += 1;
    const eventId = `e${n}`;
    if (eventType === "referral") episode = eventId;
    events.push({
      eventId,
      personId: PERSON,
      episodeId: episode,
      subjectId: null,
      eventType,
      occurredOn,
      code: null,
      codes: [],
      count: null,
      childSeen: null,
      seenAlone: null,
      targetOn: null,
      workerUserId: null,
      ...extra,
    });
    return eventId;
  };
  return { events, add };
};

const facts = (events: CscEvent[], extra: Partial<ChildFacts> = {}): ChildFacts => ({
  personId: PERSON,
  episodes: deriveEpisodes(events),
  requests: [],
  earlyHelp: [],
  notBrought: [],
  ...extra,
});

const only = (alerts: Alert[], type: AlertType) => alerts.filter((a) => a.type === type);

/** A neglect journey: referral, assessment, s47, ICPC and a CP plan starting 2025-02-03. */
const cpJourney = () => {
  const h = history();
  h.add("referral", "2025-01-06", { code: "2A", workerUserId: WORKER });
  h.add("primary-need", "2025-01-06", { code: "N1" });
  const assessment = h.add("assessment-start", "2025-01-07");
  h.add("assessment-authorised", "2025-01-30", {
    subjectId: assessment,
    codes: ["16A", "4B"],
    childSeen: true,
  });
  const s47 = h.add("s47-start", "2025-01-10");
  h.add("icpc", "2025-01-31", { subjectId: s47 });
  const plan = h.add("cp-plan-start", "2025-01-31", { code: "NEG", count: 0 });
  return { ...h, plan, s47, assessment };
};

describe("episodes derived from events", () => {
  it("fold a child protection journey and say where the child is", () => {
    const { events, add, plan } = cpJourney();
    add("cp-review", "2025-04-25", { subjectId: plan });
    const [episode] = deriveEpisodes(events);
    assert.ok(episode);
    assert.equal(episode.source, "2A");
    assert.equal(episode.primaryNeed, "N1");
    assert.equal(episode.section47s[0]?.target, "2025-01-31");
    assert.deepEqual(episode.assessments[0]?.factors, ["16A", "4B"]);
    assert.equal(episode.cpPlans[0]?.nextReviewDue, "2025-10-25");
    assert.equal(episodeStatus(episode, "2025-01-08"), "open-assessment");
    assert.equal(episodeStatus(episode, "2025-02-10"), "cp-plan");
    add("cp-plan-end", "2025-09-01", { subjectId: plan });
    add("closure", "2025-09-01", { code: "RC7" });
    const [closed] = deriveEpisodes(events);
    assert.ok(closed);
    assert.equal(episodeStatus(closed, "2025-09-02"), "closed");
  });
});

describe("drift alerts", () => {
  it("decision overdue: undecided after the next working day, clear once decided", () => {
    const request = { requestId: "r1", receivedOn: "2025-04-17", decidedOn: null };
    assert.equal(
      only(alertsFor(facts([], { requests: [request] }), "2025-04-22"), "decision-overdue").length,
      0,
    );
    const [alert] = only(alertsFor(facts([], { requests: [request] }), "2025-04-23"), "decision-overdue");
    assert.ok(alert);
    assert.equal(alert.href, "/pathways/requests/r1");
    assert.deepEqual(alert.evidence, ["2025-04-17: request for support received"]);
    const decided = { ...request, decidedOn: "2025-04-22" };
    assert.equal(
      only(alertsFor(facts([], { requests: [decided] }), "2025-06-01"), "decision-overdue").length,
      0,
    );
  });

  it("assessment overdue after 45 working days unless authorised", () => {
    const h = history();
    h.add("referral", "2025-01-06", { code: "6", workerUserId: WORKER });
    const a = h.add("assessment-start", "2025-01-06");
    assert.equal(only(alertsFor(facts(h.events), "2025-03-10"), "assessment-overdue").length, 0);
    const [alert] = only(alertsFor(facts(h.events), "2025-03-11"), "assessment-overdue");
    assert.equal(alert?.ownerUserId, WORKER);
    assert.match(alert?.href ?? "", /\/pathway\/episodes\/e1$/);
    h.add("assessment-authorised", "2025-03-12", { subjectId: a, codes: ["16A"] });
    assert.equal(only(alertsFor(facts(h.events), "2025-03-13"), "assessment-overdue").length, 0);
  });

  it("conference overdue after the ICPC target unless held or not required", () => {
    const h = history();
    h.add("referral", "2025-04-01", { code: "6" });
    const s47 = h.add("s47-start", "2025-04-14");
    assert.equal(only(alertsFor(facts(h.events), "2025-05-08"), "conference-overdue").length, 0);
    assert.equal(only(alertsFor(facts(h.events), "2025-05-09"), "conference-overdue").length, 1);
    h.add("icpc-not-required", "2025-05-01", { subjectId: s47 });
    assert.equal(only(alertsFor(facts(h.events), "2025-05-09"), "conference-overdue").length, 0);
  });

  it("review overdue: first CP review at 3 months, then 6; early help at its interval", () => {
    const { events, add, plan } = cpJourney();
    assert.equal(only(alertsFor(facts(events), "2025-04-30"), "review-overdue").length, 0);
    assert.equal(only(alertsFor(facts(events), "2025-05-01"), "review-overdue").length, 1);
    add("cp-review", "2025-04-29", { subjectId: plan });
    assert.equal(only(alertsFor(facts(events), "2025-10-29"), "review-overdue").length, 0);
    assert.equal(only(alertsFor(facts(events), "2025-10-30"), "review-overdue").length, 1);
    const earlyHelp: EarlyHelpFacts = {
      earlyHelpId: "h1",
      startedOn: "2025-01-06",
      endedOn: null,
      leadUserId: WORKER,
      reviewIntervalWeeks: 6,
      reviews: ["2025-02-17"],
      actions: [],
    };
    assert.equal(
      only(alertsFor(facts([], { earlyHelp: [earlyHelp] }), "2025-03-31"), "review-overdue").length,
      0,
    );
    const [eh] = only(alertsFor(facts([], { earlyHelp: [earlyHelp] }), "2025-04-01"), "review-overdue");
    assert.equal(eh?.href, `/people/${PERSON}/pathway/early-help/h1`);
  });

  it("plan action overdue unless done", () => {
    const action = {
      actionId: "a1",
      text: "Register with a dentist",
      ownerName: "Mum",
      dueOn: "2025-03-01",
      doneOn: null,
    };
    const base: EarlyHelpFacts = {
      earlyHelpId: "h1",
      startedOn: "2025-01-06",
      endedOn: null,
      leadUserId: WORKER,
      reviewIntervalWeeks: 52,
      reviews: [],
      actions: [action],
    };
    assert.equal(only(alertsFor(facts([], { earlyHelp: [base] }), "2025-03-01"), "action-overdue").length, 0);
    assert.equal(only(alertsFor(facts([], { earlyHelp: [base] }), "2025-03-02"), "action-overdue").length, 1);
    const done = { ...base, actions: [{ ...action, doneOn: "2025-03-05" }] };
    assert.equal(only(alertsFor(facts([], { earlyHelp: [done] }), "2025-03-09"), "action-overdue").length, 0);
  });

  it("visit overdue: the child not seen within 10 working days on a CP plan", () => {
    const { events, add, plan } = cpJourney();
    assert.equal(only(alertsFor(facts(events), "2025-02-14"), "visit-overdue").length, 0);
    assert.equal(only(alertsFor(facts(events), "2025-02-17"), "visit-overdue").length, 1);
    add("visit", "2025-02-12", { subjectId: plan, childSeen: false, seenAlone: false });
    assert.equal(
      only(alertsFor(facts(events), "2025-02-17"), "visit-overdue").length,
      1,
      "not seen does not count",
    );
    add("visit", "2025-02-13", { subjectId: plan, childSeen: true, seenAlone: true });
    assert.equal(only(alertsFor(facts(events), "2025-02-27"), "visit-overdue").length, 0);
    const [alert] = only(alertsFor(facts(events), "2025-02-28"), "visit-overdue");
    assert.ok(alert?.evidence.includes("2025-02-13: visit, child seen alone"));
  });

  it("CP plan for neglect open 12 months or more", () => {
    const { events } = cpJourney();
    assert.equal(only(alertsFor(facts(events), "2026-01-30"), "cp-neglect-12-months").length, 0);
    assert.equal(only(alertsFor(facts(events), "2026-01-31"), "cp-neglect-12-months").length, 1);
  });

  it("CIN plan for neglect open more than 6 months, and not for other needs", () => {
    const h = history();
    h.add("referral", "2025-01-06", { code: "3A" });
    h.add("primary-need", "2025-01-06", { code: "N1" });
    const plan = h.add("cin-plan-start", "2025-02-01");
    assert.equal(only(alertsFor(facts(h.events), "2025-08-01"), "cin-neglect-6-months").length, 0);
    assert.equal(only(alertsFor(facts(h.events), "2025-08-02"), "cin-neglect-6-months").length, 1);
    h.add("cin-plan-end", "2025-08-01", { subjectId: plan });
    assert.equal(only(alertsFor(facts(h.events), "2025-08-02"), "cin-neglect-6-months").length, 0);
    const other = history();
    other.add("referral", "2025-01-06", { code: "3A" });
    other.add("primary-need", "2025-01-06", { code: "N2" });
    other.add("cin-plan-start", "2025-02-01");
    assert.equal(only(alertsFor(facts(other.events), "2025-09-01"), "cin-neglect-6-months").length, 0);
  });

  it("second plan under the same category", () => {
    const h = history();
    h.add("referral", "2023-01-02", { code: "6" });
    const first = h.add("cp-plan-start", "2023-02-01", { code: "NEG", count: 0 });
    h.add("cp-plan-end", "2023-11-01", { subjectId: first });
    h.add("closure", "2023-11-01", { code: "RC7" });
    h.add("referral", "2025-01-06", { code: "2A" });
    h.add("cp-plan-start", "2025-02-03", { code: "EMO", count: 1 });
    assert.equal(only(alertsFor(facts(h.events), "2025-03-01"), "repeat-plan-same-category").length, 0);
    h.add("referral", "2021-01-06", { code: "2A" });
    const again = history();
    again.add("referral", "2023-01-02", { code: "6" });
    const p = again.add("cp-plan-start", "2023-02-01", { code: "NEG", count: 0 });
    again.add("cp-plan-end", "2023-11-01", { subjectId: p });
    again.add("closure", "2023-11-01", { code: "RC7" });
    again.add("referral", "2025-01-06", { code: "2A" });
    again.add("cp-plan-start", "2025-02-03", { code: "NEG", count: 1 });
    const [alert] = only(alertsFor(facts(again.events), "2025-03-01"), "repeat-plan-same-category");
    assert.ok(alert?.evidence[0]?.startsWith("2023-02-01 to 2023-11-01"));
  });

  it("re-referral within 12 months of the last referral", () => {
    const h = history();
    h.add("referral", "2024-03-01", { code: "6" });
    h.add("closure", "2024-04-01", { code: "RC8" });
    h.add("referral", "2025-02-28", { code: "2A" });
    assert.equal(only(alertsFor(facts(h.events), "2025-03-01"), "re-referral").length, 1);
    const later = history();
    later.add("referral", "2024-03-01", { code: "6" });
    later.add("closure", "2024-04-01", { code: "RC8" });
    later.add("referral", "2025-03-02", { code: "2A" });
    assert.equal(only(alertsFor(facts(later.events), "2025-03-03"), "re-referral").length, 0);
  });

  it("repeated not brought: three in twelve months", () => {
    const notBrought = [
      { eventId: "n1", occurredOn: "2024-05-01", eventType: "not-brought-health" },
      { eventId: "n2", occurredOn: "2024-09-01", eventType: "not-brought-dental" },
    ];
    assert.equal(only(alertsFor(facts([], { notBrought }), "2025-03-01"), "not-brought").length, 0);
    const three = [
      ...notBrought,
      { eventId: "n3", occurredOn: "2025-02-01", eventType: "not-brought-health" },
    ];
    const [alert] = only(alertsFor(facts([], { notBrought: three }), "2025-03-01"), "not-brought");
    assert.equal(alert?.evidence.length, 3);
    assert.equal(only(alertsFor(facts([], { notBrought: three }), "2025-05-02"), "not-brought").length, 0);
  });

  it("no neglect assessment while a plan is open, and no child's voice (given assessments)", () => {
    const { events } = cpJourney();
    assert.equal(
      only(alertsFor(facts(events), "2025-06-01"), "no-neglect-assessment").length,
      0,
      "no assessments known",
    );
    assert.equal(
      only(alertsFor(facts(events, { neglectAssessments: [] }), "2025-06-01"), "no-neglect-assessment")
        .length,
      1,
    );
    const done = [{ completedOn: "2025-03-01", childVoiceRecorded: false }];
    assert.equal(
      only(alertsFor(facts(events, { neglectAssessments: done }), "2025-06-01"), "no-neglect-assessment")
        .length,
      0,
    );
    assert.equal(
      only(alertsFor(facts(events, { neglectAssessments: done }), "2025-06-01"), "no-child-voice").length,
      1,
    );
    const voiced = [{ completedOn: "2025-03-01", childVoiceRecorded: true }];
    assert.equal(
      only(alertsFor(facts(events, { neglectAssessments: voiced }), "2025-06-01"), "no-child-voice").length,
      0,
    );
  });

  it("professional difference overdue at its stage, and clear once resolved or moved on", () => {
    const escalation = {
      escalationId: "x1",
      raisedBy: WORKER,
      resolvedOn: null,
      steps: [{ stage: "practitioner" as const, startedOn: "2025-03-03" }],
    };
    assert.equal(
      only(alertsFor(facts([], { escalations: [escalation] }), "2025-03-10"), "escalation-overdue").length,
      0,
    );
    const [alert] = only(
      alertsFor(facts([], { escalations: [escalation] }), "2025-03-11"),
      "escalation-overdue",
    );
    assert.equal(alert?.href, `/people/${PERSON}/pathway/escalations/x1`);
    const moved = {
      ...escalation,
      steps: [...escalation.steps, { stage: "manager" as const, startedOn: "2025-03-10" }],
    };
    assert.equal(
      only(alertsFor(facts([], { escalations: [moved] }), "2025-03-11"), "escalation-overdue").length,
      0,
    );
    const resolved = { ...escalation, resolvedOn: "2025-03-07" };
    assert.equal(
      only(alertsFor(facts([], { escalations: [resolved] }), "2025-04-01"), "escalation-overdue").length,
      0,
    );
  });
});
