// SPDX-License-Identifier: MIT
/** The event-type table: each row's offer, check and fold, shown on the newest row (strategy discussions). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CSC_EVENT_TYPE_CODES } from "./codes.ts";
import { type CscEvent, deriveEpisodes } from "./episodes.ts";
import { checkNewEvent, type NewCscEvent } from "./event-rules.ts";
import { EVENT_TYPES, nextEventTypes } from "./event-types.ts";
import { noEventDetails } from "./social-care/social-care-events.ts";

const event = (eventType: CscEvent["eventType"], occurredOn: string, eventId: string): CscEvent => ({
  eventId,
  personId: "child",
  episodeId: "referral",
  subjectId: null,
  eventType,
  occurredOn,
  code: eventType === "referral" ? "1A" : null,
  codes: [],
  count: null,
  childSeen: null,
  seenAlone: null,
  targetOn: null,
  workerUserId: null,
});

const proposed = (eventType: NewCscEvent["eventType"], occurredOn: string): NewCscEvent => ({
  eventType,
  occurredOn,
  episodeId: "referral",
  ...noEventDetails(),
});

describe("social care event types", () => {
  it("each have one row", () => {
    assert.deepEqual(Object.keys(EVENT_TYPES).sort(), [...CSC_EVENT_TYPE_CODES].sort());
  });

  it("offer, check and fold a strategy discussion that decided no enquiry was needed", () => {
    const referral = event("referral", "2026-01-05", "referral");
    const [open] = deriveEpisodes([referral]);
    assert.ok(open);
    assert.ok(nextEventTypes(open, "2026-01-10").includes("strategy-discussion"));
    assert.deepEqual(checkNewEvent([open], proposed("strategy-discussion", "2026-01-06"), "2026-01-10"), {
      ok: true,
    });

    const [held] = deriveEpisodes([referral, event("strategy-discussion", "2026-01-06", "discussion")]);
    assert.deepEqual(held?.strategyDiscussions, ["2026-01-06"]);
  });

  it("refuse a strategy discussion while an enquiry is open, whose start is its discussion", () => {
    const [enquiry] = deriveEpisodes([
      event("referral", "2026-01-05", "referral"),
      event("s47-start", "2026-01-06", "s47"),
    ]);
    assert.ok(enquiry);
    assert.equal(nextEventTypes(enquiry, "2026-01-10").includes("strategy-discussion"), false);
    const refused = checkNewEvent([enquiry], proposed("strategy-discussion", "2026-01-07"), "2026-01-10");
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? "" : refused.message, /section 47 enquiry is open/);
  });
});
