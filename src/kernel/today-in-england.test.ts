// SPDX-License-Identifier: MIT
/**
 * "Today" is the calendar date in England, on the server and in SQL, whatever the server's or the
 * database session's time zone: for an hour each summer night UTC is still on yesterday.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, afterEach, before, describe, it, mock } from "node:test";
import { sql } from "kysely";
import type { HearthDatabase } from "../db/database.ts";
import { openTestDatabase } from "../test-support/harness.ts";
import { readDateInput } from "../web/dates.ts";
import { createViewEnvironment } from "../web/views.ts";
import { todayInEngland, todayInEnglandSql } from "./calendar.ts";

/** 23:30 UTC on 30 June 2026: half past midnight on 1 July in England (British Summer Time). */
const SUMMER_NIGHT = "2026-06-30T23:30:00Z";

describe("today in England (pure)", () => {
  afterEach(() => mock.timers.reset());

  it("is the next day in England while UTC is still on the day before, under British Summer Time", () => {
    assert.equal(todayInEngland(new Date(SUMMER_NIGHT)), "2026-07-01");
    assert.equal(todayInEngland(new Date("2026-10-24T23:30:00Z")), "2026-10-25");
  });

  it("is the UTC date in winter, and on the morning the clocks go forward before they do", () => {
    assert.equal(todayInEngland(new Date("2026-12-31T23:30:00Z")), "2026-12-31");
    assert.equal(todayInEngland(new Date("2026-03-29T00:30:00Z")), "2026-03-29");
    assert.equal(todayInEngland(new Date("2026-03-28T23:30:00Z")), "2026-03-28");
  });

  it("takes a date typed as today in England as today, not the future, when UTC is on the day before", () => {
    mock.timers.enable({ apis: ["Date"], now: Date.parse(SUMMER_NIGHT) });
    const body = { "seen-day": "1", "seen-month": "7", "seen-year": "2026" };
    assert.deepEqual(readDateInput(body, "seen", "date seen", { required: true, future: "refused" }), {
      ok: true,
      value: "2026-07-01",
    });
    const tomorrow = { "seen-day": "2", "seen-month": "7", "seen-year": "2026" };
    assert.deepEqual(readDateInput(tomorrow, "seen", "date seen", { required: true, future: "refused" }), {
      ok: false,
      message: "The date seen must be today or in the past",
    });
  });

  it("shows a child's age on their birthday in England when UTC is on the day before", () => {
    mock.timers.enable({ apis: ["Date"], now: Date.parse(SUMMER_NIGHT) });
    const env = createViewEnvironment();
    assert.equal(env.renderString("{{ '2020-07-01' | ageOn }}", {}), "6");
  });
});

describe("today in England in SQL", () => {
  let database: HearthDatabase;
  before(async () => {
    database = await openTestDatabase();
  });
  after(() => database.close());

  it("is England's date whatever the session's time zone, where current_date follows the session", async () => {
    // UTC-12 and UTC+14: at any hour one of them is on another date than England.
    const seen = await database.unsafeOwnerDb.transaction().execute(async (trx) => {
      const byZone: { england: string; current: string }[] = [];
      for (const zone of ["Etc/GMT+12", "Pacific/Kiritimati"]) {
        await sql.raw(`set local timezone = '${zone}'`).execute(trx);
        const { rows } = await sql<{ england: string; current: string }>`
          select ${todayInEnglandSql} as england, current_date as current`.execute(trx);
        if (rows[0]) byZone.push(rows[0]);
      }
      return byZone;
    });
    const today = todayInEngland();
    assert.deepEqual(
      seen.map((s) => s.england),
      [today, today],
    );
    assert.ok(
      seen.some((s) => s.current !== today),
      "current_date differs from England's date in one of the zones",
    );
  });
});

describe("today in the application's queries", () => {
  it("is never current_date, which is the session's date, not England's", () => {
    // The lead professional's check on a child's feedback compared an involvement's end with current_date:
    // on PGlite (UTC), one that ended yesterday in England still counted in the first hour of a summer day.
    const src = join(import.meta.dirname, "..");
    const offending = readdirSync(src, { recursive: true })
      .map(String)
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && !file.includes("migrations"))
      .filter((file) =>
        readFileSync(join(src, file), "utf8")
          .split("\n")
          .some((line) => /current_date/i.test(line) && !/^\s*(\*|\/\/)/.test(line)),
      );
    assert.deepEqual(offending, [], "compare with todayInEnglandSql (kernel/calendar.ts) instead");
  });
});
