// SPDX-License-Identifier: MIT
/** What is due on a plan, and which plan reviews are reminded. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Episode } from "../pathways/episodes.ts";
import { earlyHelpReviewDue, planItemsDue, reviewsToRemind } from "./due.ts";

const episode = (overrides: Partial<Episode>): Episode =>
  ({
    episodeId: "e1",
    personId: "p1",
    workerUserId: "w1",
    cpPlans: [],
    cinPlans: [],
    ...overrides,
  }) as Episode;

describe("what is due", () => {
  it("gives an open child in need plan its review 3 months after the last one, and reminds 14 days before", () => {
    const items = planItemsDue(
      [
        episode({
          cinPlans: [{ id: "cin", start: "2026-01-05", end: null, reviews: ["2026-04-01"], visits: [] }],
        }),
      ],
      "2026-06-20",
    );
    const review = items.find((i) => i.kind === "cin-review");
    assert.equal(review?.dueOn, "2026-07-01");
    assert.equal(review?.workerUserId, "w1");
    assert.deepEqual(reviewsToRemind(items, "2026-06-10"), []);
    assert.equal(reviewsToRemind(items, "2026-06-17").length, 1);
    assert.equal(reviewsToRemind(items, "2026-08-01").length, 1, "and while overdue");
  });

  it("ignores ended plans, and dates early help reviews from the last review", () => {
    assert.deepEqual(
      planItemsDue(
        [
          episode({
            cinPlans: [{ id: "cin", start: "2026-01-05", end: "2026-03-01", reviews: [], visits: [] }],
          }),
        ],
        "2026-06-20",
      ),
      [],
    );
    const due = earlyHelpReviewDue({
      personId: "p1",
      earlyHelpId: "h1",
      startedOn: "2026-01-05",
      reviews: ["2026-02-16"],
      reviewIntervalWeeks: 6,
      leadUserId: "w2",
    });
    assert.equal(due.dueOn, "2026-03-30");
  });
});
