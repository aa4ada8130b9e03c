// SPDX-License-Identifier: MIT
/** Working days across weekends and England and Wales bank holidays. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  addCalendarDays,
  addMonths,
  addWorkingDays,
  bankHolidaysKnown,
  isBankHoliday,
  isWorkingDay,
  workingDaysBetween,
} from "./calendar.ts";
import bankHolidays from "./data/bank-holidays-england-and-wales.json" with { type: "json" };

describe("the bank holiday file", () => {
  it("covers 2019 to 2028 with the usual eight a year and the special ones", () => {
    const byYear = new Map<string, number>();
    for (const { date } of bankHolidays.events)
      byYear.set(date.slice(0, 4), (byYear.get(date.slice(0, 4)) ?? 0) + 1);
    assert.deepEqual(
      [...byYear.keys()],
      ["2019", "2020", "2021", "2022", "2023", "2024", "2025", "2026", "2027", "2028"],
    );
    assert.equal(byYear.get("2019"), 8);
    assert.equal(byYear.get("2022"), 10, "Platinum Jubilee and the State Funeral");
    assert.equal(byYear.get("2023"), 9, "the coronation");
    for (const date of [
      "2020-05-08",
      "2022-06-02",
      "2022-06-03",
      "2022-09-19",
      "2023-05-08",
      "2025-04-18",
      "2025-04-21",
      "2027-12-28",
    ])
      assert.ok(isBankHoliday(date), date);
    assert.ok(!isBankHoliday("2020-05-04"), "VE day moved the 2020 early May holiday");
    assert.ok(!isBankHoliday("2022-05-30"), "the 2022 spring holiday moved to June");
  });

  it("says when a year is outside the file", () => {
    assert.ok(bankHolidaysKnown("2025-06-01"));
    assert.ok(!bankHolidaysKnown("2029-01-01"));
  });
});

describe("working-day arithmetic", () => {
  it("skips weekends", () => {
    assert.equal(addWorkingDays("2025-03-07", 1), "2025-03-10");
    assert.equal(addWorkingDays("2025-03-08", 1), "2025-03-10");
    assert.equal(addWorkingDays("2025-03-10", 5), "2025-03-17");
    assert.equal(addWorkingDays("2025-03-10", 0), "2025-03-10");
    assert.ok(!isWorkingDay("2025-03-08"));
  });

  it("skips Easter", () => {
    assert.equal(addWorkingDays("2025-04-17", 1), "2025-04-22");
    assert.equal(workingDaysBetween("2025-04-17", "2025-04-22"), 1);
  });

  it("skips Christmas with substitute days", () => {
    assert.equal(addWorkingDays("2024-12-24", 1), "2024-12-27");
    assert.equal(
      addWorkingDays("2020-12-24", 1),
      "2020-12-29",
      "Boxing Day on a Saturday moves to Monday 28",
    );
    assert.equal(addWorkingDays("2021-12-24", 1), "2021-12-29", "both days on a weekend move to 27 and 28");
    assert.equal(addWorkingDays("2027-12-24", 1), "2027-12-29");
    assert.equal(addWorkingDays("2027-12-31", 1), "2028-01-04", "New Year on a Saturday moves to Monday 3");
  });

  it("skips the one-off holidays", () => {
    assert.equal(addWorkingDays("2022-06-01", 1), "2022-06-06");
    assert.equal(addWorkingDays("2022-09-16", 1), "2022-09-20");
    assert.equal(addWorkingDays("2023-05-05", 1), "2023-05-09");
  });

  it("counts the working days between two dates either way", () => {
    assert.equal(workingDaysBetween("2025-01-01", "2025-01-31"), 22);
    assert.equal(workingDaysBetween("2025-01-31", "2025-01-01"), -22);
    assert.equal(workingDaysBetween("2025-05-02", "2025-05-06"), 1, "early May bank holiday");
  });

  it("round-trips: adding n working days gives a working day n working days on", () => {
    for (const start of [
      "2019-01-02",
      "2020-12-20",
      "2022-05-31",
      "2023-04-05",
      "2026-08-28",
      "2028-12-22",
    ]) {
      for (const n of [1, 2, 15, 45]) {
        const end = addWorkingDays(start, n);
        assert.ok(isWorkingDay(end), `${start} + ${n}`);
        assert.equal(workingDaysBetween(start, end), n, `${start} + ${n}`);
      }
    }
  });

  it("adds months, clamped to the end of shorter months", () => {
    assert.equal(addMonths("2025-01-31", 1), "2025-02-28");
    assert.equal(addMonths("2024-01-31", 1), "2024-02-29");
    assert.equal(addMonths("2025-11-15", 3), "2026-02-15");
    assert.equal(addMonths("2025-03-31", -1), "2025-02-28");
  });
});

describe("working days across the years", () => {
  it("counts working days between any two dates as a walk day by day would, across the years", () => {
    const walk = (from: string, to: string) => {
      let count = 0;
      for (let d = addCalendarDays(from, 1); d <= to; d = addCalendarDays(d, 1))
        if (isWorkingDay(d)) count += 1;
      return count;
    };
    const dates = [
      "1989-12-30",
      "1990-01-01",
      "2019-12-24",
      "2020-05-08",
      "2025-12-25",
      "2026-04-03",
      "2069-12-31",
      "2070-01-02",
    ];
    for (const from of dates)
      for (const to of dates) {
        const expected = to < from ? -walk(to, from) : walk(from, to);
        assert.equal(workingDaysBetween(from, to), expected, `${from} to ${to}`);
      }
  });
});
