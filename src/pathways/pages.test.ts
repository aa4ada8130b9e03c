// SPDX-License-Identifier: MIT
/**
 * The pathway pages over HTTP (no JavaScript): a school's request, the front door's decision, early help
 * with a review and step-up, a section 47 enquiry, conference and plan, a review, and the manager's
 * alerts; form errors name their fields; other roles are refused.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TestClient, weekdayAgo } from "../test-support/harness.ts";
import { app, partnership, useTestApp } from "../test-support/test-app.ts";
import { dateInputValues } from "../web/dates.ts";

const emailOf = (local: string) => {
  const found = partnership.signIns.find((s) => s.email.startsWith(`${local}@`));
  assert.ok(found, local);
  return found;
};
const client = async (local: string) => {
  const c = new TestClient(app);
  await c.signIn(emailOf(local).email);
  return c;
};
const idFrom = (location: string | string[] | undefined, pattern: RegExp) => {
  const match = pattern.exec(String(location ?? ""));
  assert.ok(match?.[1], `no id in ${location}`);
  return match[1];
};

useTestApp();

describe("the pathway pages", () => {
  it("walk a family from a school's request to a child protection plan and the manager's alert", async () => {
    const child = partnership.demoFamily.siblingPersonId;
    const school = await client("school");
    await school.get(`/people/${child}/history`);
    await school.post(`/people/${child}/history`, {});
    assert.match((await school.get(`/people/${child}`)).body, /Pathway and support/);
    assert.equal((await school.get(`/people/${child}/pathway`)).statusCode, 200);
    assert.equal((await school.get(`/people/${child}/pathway/request`)).statusCode, 200);

    const empty = await school.post(`/people/${child}/pathway/request`, {
      ...dateInputValues("receivedOn", weekdayAgo(200)),
    });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /href="#concerns"/);
    const sent = await school.post(`/people/${child}/pathway/request`, {
      ...dateInputValues("receivedOn", weekdayAgo(200)),
      concerns: "Often hungry and unkempt.",
      whatTried: "Breakfast club.",
      consent: "given",
      referrerLevel: "targeted",
    });
    assert.equal(sent.statusCode, 303);
    const requestId = idFrom(sent.headers.location, /requests\/([0-9a-f-]{36})/);

    const frontDoor = await client("front-door");
    const queue = await frontDoor.get("/pathways/front-door");
    assert.match(queue.body, /Overdue/);
    assert.equal((await school.get("/pathways/front-door")).statusCode, 403);
    await frontDoor.get(`/pathways/requests/${requestId}`);
    const noLead = await frontDoor.post(`/pathways/requests/${requestId}/decision`, {
      outcome: "early-help",
      reason: "A team around the family.",
      workerUserId: "",
      ...dateInputValues("decidedOn", weekdayAgo(199)),
    });
    assert.equal(noLead.statusCode, 400);
    assert.match(noLead.body, /href="#rag"/, "every error on the first submit");
    assert.match(noLead.body, /href="#leadUserId">Select the lead professional for early help/);
    const decided = await frontDoor.post(`/pathways/requests/${requestId}/decision`, {
      rag: "amber",
      outcome: "early-help",
      reason: "A team around the family.",
      workerUserId: "",
      leadUserId: emailOf("school").userId,
      ...dateInputValues("decidedOn", weekdayAgo(199)),
    });
    assert.equal(decided.statusCode, 303);
    assert.match((await school.get("/pathways/requests")).body, /Early help/);

    // The decision opened early help, led by the school; the request page leads there.
    const decidedPage = await school.get(`/pathways/requests/${requestId}`);
    const ehPath = `/people/${child}/pathway/early-help/${idFrom(decidedPage.body, /pathway\/early-help\/([0-9a-f-]{36})/)}`;
    await school.get(ehPath);
    assert.equal(
      (await school.post(`${ehPath}/members`, { name: "Sam Nurse", memberRole: "School nurse" })).statusCode,
      303,
    );
    assert.equal(
      (await school.post(`${ehPath}/outcomes`, { description: "Comes to school fed" })).statusCode,
      303,
    );
    const page = await school.get(ehPath);
    const outcomeId = idFrom(page.body, /name="progress-([0-9a-f-]{36})"/);
    assert.equal(
      (
        await school.post(`${ehPath}/actions`, {
          actionDescription: "Uniform grant",
          owner: "Mum",
          outcomeId,
          ...dateInputValues("dueOn", weekdayAgo(170)),
        })
      ).statusCode,
      303,
    );
    assert.equal(
      (
        await school.post(`${ehPath}/reviews`, {
          ...dateInputValues("heldOn", weekdayAgo(150)),
          [`progress-${outcomeId}`]: "no-progress",
          notes: "No change",
        })
      ).statusCode,
      303,
    );
    const stepped = await school.post(`${ehPath}/end`, {
      ending: "step-up",
      endingNote: "No progress.",
      ...dateInputValues("endedOn", weekdayAgo(120)),
      concerns: "Neglect worse.",
      whatTried: "Early help for 11 weeks.",
      consent: "not-sought",
      consentReason: "Seeking consent may increase risk.",
      referrerLevel: "specialist",
    });
    assert.equal(stepped.statusCode, 303);
    const stepUpId = idFrom(stepped.headers.location, /requests\/([0-9a-f-]{36})/);

    const worker = emailOf("practitioner");
    await frontDoor.get(`/pathways/requests/${stepUpId}`);
    const s47 = await frontDoor.post(`/pathways/requests/${stepUpId}/decision`, {
      rag: "red",
      outcome: "s47",
      reason: "Significant harm suspected.",
      workerUserId: worker.userId,
      ...dateInputValues("decidedOn", weekdayAgo(119)),
    });
    assert.equal(s47.statusCode, 303);

    const social = await client("practitioner");
    const pathway = await social.get(`/people/${child}/pathway`);
    const episodePath = `/people/${child}/pathway/episodes/${idFrom(pathway.body, /pathway\/episodes\/([0-9a-f-]{36})/)}`;
    const episode = await social.get(episodePath);
    assert.match(episode.body, /Initial child protection conference/);
    await social.get(`${episodePath}/record/icpc`);
    const icpcDay = weekdayAgo(105);
    assert.equal(
      (
        await social.post(`${episodePath}/record/icpc`, {
          ...dateInputValues("occurredOn", icpcDay),
          subjectId: idFrom(
            (
              await social.get(`${episodePath}/record/icpc`)
            ).body,
            /name="subjectId"[^>]*value="([0-9a-f-]{36})"/,
          ),
        })
      ).statusCode,
      303,
    );
    await social.get(`${episodePath}/record/cp-plan-start`);
    const noCategory = await social.post(`${episodePath}/record/cp-plan-start`, {
      ...dateInputValues("occurredOn", icpcDay),
      count: "0",
    });
    assert.equal(noCategory.statusCode, 400);
    assert.match(noCategory.body, /href="#code"/);
    assert.equal(
      (
        await social.post(`${episodePath}/record/cp-plan-start`, {
          ...dateInputValues("occurredOn", icpcDay),
          code: "NEG",
          count: "0",
        })
      ).statusCode,
      303,
    );
    const visitForm = await social.get(`${episodePath}/record/visit`);
    const planId = idFrom(visitForm.body, /name="subjectId"[^>]*value="([0-9a-f-]{36})"/);
    assert.match(visitForm.body, new RegExp(`value="${planId}" checked`), "the one open plan is chosen");
    const notSaid = await social.post(`${episodePath}/record/visit`, {
      ...dateInputValues("occurredOn", weekdayAgo(100)),
    });
    assert.equal(notSaid.statusCode, 400);
    assert.match(notSaid.body, /href="#childSeen"/);
    assert.match(notSaid.body, new RegExp(`value="${planId}" checked`), "and stays chosen");
    assert.equal(
      (
        await social.post(`${episodePath}/record/visit`, {
          ...dateInputValues("occurredOn", weekdayAgo(100)),
          subjectId: planId,
          childSeen: "yes",
          seenAlone: "yes",
        })
      ).statusCode,
      303,
    );
    await social.get(`${episodePath}/record/cp-review`);
    assert.equal(
      (
        await social.post(`${episodePath}/record/cp-review`, {
          ...dateInputValues("occurredOn", weekdayAgo(20)),
          subjectId: planId,
          code: "",
        })
      ).statusCode,
      303,
    );
    assert.match((await social.get(episodePath)).body, /Child not seen within the visit interval/);
    // The banner after recording names the event from a fixed list; any other text in the link is ignored.
    const hostile = "Your session has expired. Call 0800 000 0000 with your password";
    const crafted = await social.get(`${episodePath}?notice=${encodeURIComponent(hostile)}`);
    assert.equal(crafted.statusCode, 200);
    assert.doesNotMatch(crafted.body, /session has expired/);
    assert.doesNotMatch(crafted.body, /govuk-notification-banner--success/);
    for (const code of ["constructor", "__proto__"])
      assert.doesNotMatch((await social.get(`${episodePath}?notice=${code}`)).body, /Recorded:/);
    const known = await social.get(`${episodePath}?notice=visit`);
    assert.match(known.body, /Recorded: Statutory visit/);
    assert.match(known.body, /govuk-notification-banner--success/);

    const manager = await client("manager");
    const alerts = await manager.get("/pathways/alerts");
    assert.equal(alerts.statusCode, 200);
    assert.match(alerts.body, /Child not seen within the visit interval/);
    assert.match(alerts.body, /seen alone/);
    // Each alert names who it is allocated to: the team's names are read with the team.
    assert.ok(alerts.body.includes(`Allocated to ${emailOf("practitioner").displayName}`));
    assert.equal(
      (await school.get(`${episodePath}/record/visit`)).statusCode,
      404,
      "the school cannot record social care events",
    );
  });

  it("record supervision and move a professional difference through its stages", async () => {
    const child = partnership.demoFamily.siblingPersonId;
    const manager = await client("manager");
    const worker = emailOf("practitioner");
    await manager.get(`/people/${child}/pathway/supervision/new`);
    const missing = await manager.post(`/people/${child}/pathway/supervision/new`, {
      ...dateInputValues("heldOn", weekdayAgo(3)),
    });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /href="#superviseeUserId"/);
    const recorded = await manager.post(`/people/${child}/pathway/supervision/new`, {
      ...dateInputValues("heldOn", weekdayAgo(3)),
      superviseeUserId: worker.userId,
      reflection: "Drift since the review.",
      decisions: "Core group this week.",
      actions: "",
    });
    assert.equal(recorded.statusCode, 303);
    const school = await client("school");
    assert.equal((await school.get(`/people/${child}/pathway/supervision/new`)).statusCode, 403);
    await school.get(`/people/${child}/pathway/escalations/new`);
    const raised = await school.post(`/people/${child}/pathway/escalations/new`, {
      ...dateInputValues("raisedOn", weekdayAgo(15)),
      disagreement: "We disagree with stepping the plan down.",
    });
    assert.equal(raised.statusCode, 303);
    const path = String(raised.headers.location);
    const page = await school.get(path);
    assert.match(page.body, /Overdue/);
    assert.equal(
      (
        await school.post(`${path}/escalate`, {
          ...dateInputValues("escalatedOn", weekdayAgo(5)),
          note: "Not resolved.",
        })
      ).statusCode,
      303,
    );
    assert.match((await school.get(path)).body, /Manager to manager/);
    assert.equal(
      (
        await school.post(`${path}/resolve`, {
          ...dateInputValues("resolvedOn", weekdayAgo(1)),
          outcome: "Plan kept.",
        })
      ).statusCode,
      303,
    );
    const resolved = await school.get(path);
    assert.match(resolved.body, /Plan kept\./);
    assert.doesNotMatch(resolved.body, /Record the resolution/);
    assert.match((await manager.get(`/people/${child}/pathway`)).body, /Core group this week/);
  });

  it("show supervision to the supervisee, their managers and safeguarding leads, never to the school", async () => {
    const child = partnership.demoFamily.siblingPersonId;
    const manager = await client("manager");
    await manager.get(`/people/${child}/pathway/supervision/new`);
    const recorded = await manager.post(`/people/${child}/pathway/supervision/new`, {
      ...dateInputValues("heldOn", weekdayAgo(2)),
      superviseeUserId: emailOf("practitioner").userId,
      reflection: "Worker anxious about the father's hostility.",
      decisions: "Joint visits only until the strategy meeting.",
      actions: "Manager to raise with the police.",
    });
    assert.equal(recorded.statusCode, 303);
    const school = await client("school");
    const schoolPage = await school.get(`/people/${child}/pathway`);
    assert.equal(schoolPage.statusCode, 200, "the school may open the child's pathway");
    for (const words of [/father's hostility/, /Joint visits only/, /raise with the police/])
      assert.doesNotMatch(schoolPage.body.replace(/&#39;/g, "'"), words);
    for (const reader of ["practitioner", "safeguarding-lead", "manager"]) {
      const page = await (await client(reader)).get(`/people/${child}/pathway`);
      assert.match(page.body, /Joint visits only until the strategy meeting/, `${reader} reads it`);
    }
  });

  it("show a safeguarding lead's partnership-wide alerts a page at a time, with the counts whole", async () => {
    const lead = await client("safeguarding-lead");
    const first = await lead.get("/pathways/alerts");
    assert.equal(first.statusCode, 200);
    const children = Number(/for (\d+) child/.exec(first.body)?.[1]);
    assert.ok(children > 0 && children <= 25, `${children} children with alerts fit on one page`);
    assert.doesNotMatch(first.body, /govuk-pagination/, "one page has no page links");
    const beyond = await lead.get("/pathways/alerts?page=9999&severity=high");
    assert.equal(beyond.statusCode, 200);
    assert.match(beyond.body, /<title>Drift and oversight alerts /, "a page past the end shows the last");
    assert.match(beyond.body, /alerts by severity/, "with the counts of every alert");
  });
});
