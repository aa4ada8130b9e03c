// SPDX-License-Identifier: MIT
/** The plan rules on their own: content checks, ids across versions, who is told, action standing, who authorises. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  actionState,
  carriedId,
  checkPlanContent,
  checkRecordText,
  checkReview,
  mayDecideAuthorisation,
  newlyAssigned,
  type PlanContentInput,
} from "./plan-rules.ts";

const TODAY = "2026-06-10";
const action = (over: Partial<PlanContentInput["actions"][number]> = {}) => ({
  actionId: null,
  outcomeIndex: 0,
  description: "Check breakfast",
  ownerUserId: "u1",
  ownerAgencyId: null,
  ownerName: null,
  dueOn: "2026-06-20",
  ...over,
});
const plan = (over: Partial<PlanContentInput> = {}): PlanContentInput => ({
  summary: "Fed and warm",
  changeReason: null,
  outcomes: [{ outcomeId: null, description: "Has breakfast" }],
  actions: [action()],
  ...over,
});
const fields = (problems: { field: string }[]) => problems.map((p) => p.field);

describe("checkPlanContent", () => {
  it("accepts a first version with an outcome and an owned, dated action", () => {
    assert.deepEqual(checkPlanContent(plan(), true, TODAY), []);
  });

  it("names every problem at once, by the form row it came from", () => {
    const problems = checkPlanContent(
      plan({
        summary: " ",
        outcomes: [],
        actions: [action({ row: 3, description: "", ownerUserId: null, dueOn: null, outcomeIndex: 4 })],
      }),
      true,
      TODAY,
    );
    assert.deepEqual(fields(problems), [
      "summary",
      "outcome-1-description",
      "action-3-description",
      "action-3-owner",
      "action-3-due",
      "action-3-outcome",
    ]);
  });

  it("takes a named person (a parent, another agency's worker) as an owner", () => {
    assert.deepEqual(
      checkPlanContent(plan({ actions: [action({ ownerUserId: null, ownerName: "Mum" })] }), true, TODAY),
      [],
    );
  });

  it("needs a reason for a later version, and refuses a new action already overdue but keeps an old one", () => {
    assert.deepEqual(fields(checkPlanContent(plan(), false, TODAY)), ["changeReason"]);
    const late = { dueOn: "2026-06-01" };
    assert.deepEqual(fields(checkPlanContent(plan({ actions: [action(late)] }), true, TODAY)), [
      "action-1-due",
    ]);
    assert.deepEqual(
      checkPlanContent(
        plan({ changeReason: "x", actions: [action({ ...late, actionId: "a1" })] }),
        false,
        TODAY,
      ),
      [],
    );
  });
});

describe("carriedId", () => {
  it("keeps an id only if it was in the version before", () => {
    const previous = new Set(["o1"]);
    assert.equal(
      carriedId("o1", previous, () => "new"),
      "o1",
    );
    assert.equal(
      carriedId("someone-elses", previous, () => "new"),
      "new",
    );
    assert.equal(
      carriedId(null, previous, () => "new"),
      "new",
    );
  });
});

describe("newlyAssigned", () => {
  const a = (actionId: string, ownerUserId: string | null) => ({
    actionId,
    ownerUserId,
    description: "x",
    dueOn: TODAY,
  });
  it("tells owners of new actions and new owners, not unchanged owners or named people", () => {
    const told = newlyAssigned(
      [a("1", "u1"), a("2", "u2")],
      [a("1", "u1"), a("2", "u3"), a("3", "u4"), a("4", null)],
    );
    assert.deepEqual(
      told.map((t) => [t.action.actionId, t.userId]),
      [
        ["2", "u3"],
        ["3", "u4"],
      ],
    );
  });
});

describe("actionState", () => {
  it("is done once achieved, else overdue, due soon within 14 days, or open", () => {
    assert.equal(actionState("2026-06-01", "achieved", TODAY), "done");
    assert.equal(actionState("2026-06-09", "some-progress", TODAY), "overdue");
    assert.equal(actionState("2026-06-10", null, TODAY), "due-soon");
    assert.equal(actionState("2026-06-24", null, TODAY), "due-soon");
    assert.equal(actionState("2026-06-25", null, TODAY), "open");
  });
});

describe("mayDecideAuthorisation", () => {
  const z = { authorUserId: "author", managerUserId: "manager", decided: false };
  it("lets the manager it was sent to decide, once", () => {
    assert.deepEqual(mayDecideAuthorisation("manager", z), { ok: true });
    assert.equal(mayDecideAuthorisation("manager", { ...z, decided: true }).ok, false);
  });
  it("never lets the author decide, even when they are the manager named", () => {
    assert.equal(mayDecideAuthorisation("author", z).ok, false);
    assert.equal(mayDecideAuthorisation("author", { ...z, managerUserId: "author" }).ok, false);
  });
  it("refuses any other manager", () => {
    assert.equal(mayDecideAuthorisation("other", z).ok, false);
  });
});

describe("checkReview", () => {
  const base = {
    heldOn: TODAY,
    childView: "Likes the heater",
    familyView: "Mornings are hard",
    outcomeIds: ["o1", "o2"],
    progress: new Map([
      ["o1", "achieved" as const],
      ["o2", "on-track" as const],
    ]),
    today: TODAY,
  };
  it("accepts progress for every outcome and both views", () => {
    assert.deepEqual(checkReview(base), []);
  });
  it("names each outcome without progress, a future date and missing views", () => {
    assert.deepEqual(
      fields(
        checkReview({
          ...base,
          heldOn: "2026-07-01",
          childView: "",
          familyView: " ",
          progress: new Map([["o1", "achieved"]]),
        }),
      ),
      ["heldOn", "outcome-2-status", "childView", "familyView"],
    );
  });
});

describe("checkRecordText", () => {
  it("needs the narrative, keeps within the database's limits, and needs a reason for a later version", () => {
    assert.deepEqual(
      checkRecordText({ narrative: "Seen at home", childExperience: "", changeReason: null }),
      [],
    );
    assert.deepEqual(
      fields(checkRecordText({ narrative: " ", childExperience: "x".repeat(8001), changeReason: " " })),
      ["narrative", "childExperience", "changeReason"],
    );
    assert.deepEqual(
      fields(
        checkRecordText({
          narrative: "x".repeat(20_001),
          childExperience: "",
          changeReason: "y".repeat(2001),
        }),
      ),
      ["narrative", "changeReason"],
    );
  });
});
