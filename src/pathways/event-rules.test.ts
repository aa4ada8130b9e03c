// SPDX-License-Identifier: MIT
/** An assessment's internal review (the census's AssessmentInternalReviewDate) recorded as an event. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CscEvent, deriveEpisodes } from "./episodes.ts";
import { checkNewEvent, type NewCscEvent } from "./event-rules.ts";
import { noEventDetails } from "./social-care/social-care-events.ts";

const event = (
  eventId: string,
  eventType: CscEvent["eventType"],
  occurredOn: string,
  subjectId?: string,
): CscEvent => ({
  personId: "p",
  episodeId: "r",
  codes: [],
  count: null,
  eventId,
  eventType,
  occurredOn,
  subjectId: subjectId ?? null,
  code: eventType === "referral" ? "5A" : null,
  childSeen: null,
  seenAlone: null,
  targetOn: null,
  workerUserId: null,
});
const review = (occurredOn: string): NewCscEvent => ({
  eventType: "assessment-internal-review",
  occurredOn,
  episodeId: "r",
  ...noEventDetails(),
  subjectId: "a",
});

describe("an assessment's internal review", () => {
  const history = [event("r", "referral", "2024-05-01"), event("a", "assessment-start", "2024-05-02")];

  it("is kept on the assessment it belongs to", () => {
    const [episode] = deriveEpisodes([
      ...history,
      event("v", "assessment-internal-review", "2024-05-20", "a"),
    ]);
    assert.equal(episode?.assessments[0]?.internalReview, "2024-05-20");
  });

  it("is accepted once, on or after the assessment started", () => {
    assert.deepEqual(checkNewEvent(deriveEpisodes(history), review("2024-05-20"), "2024-06-01"), {
      ok: true,
    });
  });

  it("is refused before the assessment started, twice, or without an assessment", () => {
    const episodes = deriveEpisodes(history);
    assert.equal(checkNewEvent(episodes, review("2024-05-01"), "2024-06-01").ok, false);
    const reviewed = deriveEpisodes([
      ...history,
      event("v", "assessment-internal-review", "2024-05-20", "a"),
    ]);
    assert.equal(checkNewEvent(reviewed, review("2024-05-25"), "2024-06-01").ok, false);
    assert.equal(
      checkNewEvent(episodes, { ...review("2024-05-20"), subjectId: "x" }, "2024-06-01").ok,
      false,
    );
  });
});
