// SPDX-License-Identifier: MIT
/** The pure retention date rules, without a database. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  addYears,
  auditLogKeptUntil,
  DEFAULT_RETENTION_RULES,
  isDueBy,
  monthBounds,
  recordClosedOn,
  retentionRulesInForce,
  reviewDueOn,
} from "./rules.ts";

const rules = DEFAULT_RETENTION_RULES;

describe("retention date rules", () => {
  it("keep a closed record until the later of the 25th birthday and 6 years after closure", () => {
    // Closed young: the birthday is later.
    assert.equal(reviewDueOn({ dateOfBirth: "2005-03-10", closedOn: "2019-05-01" }, rules), "2030-03-10");
    // Closed at 22: six years after closure is later.
    assert.equal(reviewDueOn({ dateOfBirth: "2000-01-15", closedOn: "2022-06-30" }, rules), "2028-06-30");
  });

  it("never make an open record due, and use closure alone without a date of birth", () => {
    assert.equal(reviewDueOn({ dateOfBirth: "1990-01-01", closedOn: null }, rules), null);
    assert.equal(reviewDueOn({ dateOfBirth: null, closedOn: "2020-02-03" }, rules), "2026-02-03");
  });

  it("follow the partnership's own rules", () => {
    const longer = { keepUntilAge: 75, yearsAfterClosure: 10, auditLogExtraYears: 5 };
    assert.equal(reviewDueOn({ dateOfBirth: "2010-04-01", closedOn: "2015-01-01" }, longer), "2085-04-01");
    assert.equal(auditLogKeptUntil("2085-04-01", longer), "2090-04-01");
  });

  it("put a 29 February birthday on 1 March in other years, never a day early", () => {
    assert.equal(addYears("2004-02-29", 25), "2029-03-01");
    assert.equal(addYears("2004-02-29", 24), "2028-02-29");
    assert.equal(addYears("2004-02-28", 25), "2029-02-28");
  });

  it("list a record in the month it falls due and every month after", () => {
    const record = { dateOfBirth: "2001-12-20", closedOn: "2020-12-01" };
    assert.equal(reviewDueOn(record, rules), "2026-12-20");
    assert.equal(isDueBy(record, rules, "2026-11-30"), false);
    assert.equal(isDueBy(record, rules, "2026-12-31"), true);
    assert.equal(isDueBy(record, rules, "2027-01-31"), true);
  });

  it("read months, and fall back to the defaults when the saved rules are unreadable", () => {
    assert.deepEqual(monthBounds("2024-02"), { first: "2024-02-01", last: "2024-02-29" });
    assert.deepEqual(monthBounds("2026-12"), { first: "2026-12-01", last: "2026-12-31" });
    assert.equal(monthBounds("2026-13"), undefined);
    assert.equal(monthBounds("<b>"), undefined);
    assert.deepEqual(retentionRulesInForce({ keepUntilAge: 3 }), DEFAULT_RETENTION_RULES);
    assert.deepEqual(retentionRulesInForce(undefined), DEFAULT_RETENTION_RULES);
  });

  it("close a record on the latest of its involvements' ends and its social care episodes' closures", () => {
    const asOf = "2026-11-30";
    // Involvements only: the last end.
    assert.equal(
      recordClosedOn({ involvementEnds: ["2015-06-30", "2016-01-31"], episodes: [] }, asOf),
      "2016-01-31",
    );
    // An episode closed after the last involvement ended: the episode's closure.
    assert.equal(
      recordClosedOn(
        {
          involvementEnds: ["2015-06-30"],
          episodes: [
            { referralDate: "2014-02-01", closureDate: "2014-09-01" },
            { referralDate: "2016-03-01", closureDate: "2017-04-12" },
          ],
        },
        asOf,
      ),
      "2017-04-12",
    );
    // Episodes alone (no agency recorded an involvement).
    assert.equal(
      recordClosedOn(
        { involvementEnds: [], episodes: [{ referralDate: "2012-01-01", closureDate: "2013-01-01" }] },
        asOf,
      ),
      "2013-01-01",
    );
  });

  it("keep a record open while a child in need or child protection episode is open, or an involvement continues", () => {
    const asOf = "2026-11-30";
    // Every involvement ended, but a social care episode is still open: not closed.
    assert.equal(
      recordClosedOn(
        { involvementEnds: ["2015-06-30"], episodes: [{ referralDate: "2014-02-01", closureDate: null }] },
        asOf,
      ),
      null,
    );
    // An episode closing after the day asked about: not closed on that day.
    assert.equal(
      recordClosedOn(
        {
          involvementEnds: ["2015-06-30"],
          episodes: [{ referralDate: "2014-02-01", closureDate: "2026-12-01" }],
        },
        asOf,
      ),
      null,
    );
    // An episode referred after that day: not closed then either.
    assert.equal(
      recordClosedOn(
        { involvementEnds: ["2015-06-30"], episodes: [{ referralDate: "2026-12-02", closureDate: null }] },
        asOf,
      ),
      null,
    );
    // An involvement continuing, or ending after the day: open.
    assert.equal(recordClosedOn({ involvementEnds: ["2015-06-30", null], episodes: [] }, asOf), null);
    assert.equal(recordClosedOn({ involvementEnds: ["2026-12-01"], episodes: [] }, asOf), null);
    // Never opened: never closed.
    assert.equal(recordClosedOn({ involvementEnds: [], episodes: [] }, asOf), null);
  });
});
