// SPDX-License-Identifier: MIT
/**
 * Retention in a real browser: the safeguarding lead opens the month's review list from the navigation,
 * reviews a closed record that is due, is told to give a reason, archives it, and finds it in the archive;
 * the auditor opens the archive; the retention settings page. axe checks every page.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createFamily, findUser } from "../../src/test-support/families.ts";
import {
  assertNoViolations,
  type BrowserSuite,
  follow,
  heading,
  press,
  signInWithPassword,
  startBrowserSuite,
  text,
} from "./support.ts";

const PAGES = [
  "review list",
  "review of a record",
  "review with errors",
  "review list after archiving",
  "archive",
  "retention settings",
  "auditor's archive",
] as const;

let suite: BrowserSuite;
let childId: string;

before(async () => {
  suite = await startBrowserSuite(10);
  const { agencyId } = await findUser(suite.database, suite.partnership.partnershipId, {
    role: "practitioner",
  });
  const family = await createFamily(suite.database, {
    partnershipId: suite.partnership.partnershipId,
    involvements: [{ agencyId, child: "sibling" }],
    familyName: "Quillfeather",
  });
  childId = family.siblingId;
  // 25 in January 2025, the last involvement ended in 2015: due for review.
  await suite.database.unsafeOwnerDb
    .updateTable("people")
    .set({ date_of_birth: "2000-01-15" })
    .where("person_id", "=", childId)
    .execute();
  await suite.database.unsafeOwnerDb
    .updateTable("involvements")
    .set({ started_on: "2010-01-01", ended_on: "2015-06-30" })
    .where("person_id", "=", childId)
    .execute();
});

after(async () => {
  await suite?.close();
});

describe("retention in the browser", () => {
  it("is reviewed and archived by the safeguarding lead and read by the auditor, with axe on every page", async () => {
    const lead = await findUser(suite.database, suite.partnership.partnershipId, {
      role: "safeguarding-lead",
    });
    const page = await suite.openBrowser();
    await signInWithPassword(suite, page, lead.email);
    await follow(page, "Retention review");
    assert.equal(await heading(page), "Records due for retention review");
    assert.match(await text(page.locator("main")), /Jayden Quillfeather/);
    await suite.checkAccessibility(page, "review list");

    await follow(page, "Review the record of Jayden Quillfeather");
    assert.equal(await heading(page), "Archive the record of Jayden Quillfeather");
    assert.match(await text(page.locator("main")), /15 January 2025/);
    await suite.checkAccessibility(page, "review of a record");
    await press(page, "Archive the record");
    assert.match(await text(page.locator(".govuk-error-summary")), /Enter why the record is being archived/);
    await suite.checkAccessibility(page, "review with errors");
    await page
      .getByLabel("Why is this record being archived?")
      .fill("Reviewed: no open request, inquiry or hold");
    await press(page, "Archive the record");
    assert.match(await text(page.locator(".govuk-notification-banner")), /The record has been archived/);
    assert.doesNotMatch(await text(page.locator("main")), /Jayden Quillfeather/);
    await suite.checkAccessibility(page, "review list after archiving");
    await follow(page, "Archived records");
    assert.match(await text(page.locator("main")), /Reviewed: no open request, inquiry or hold/);
    await suite.checkAccessibility(page, "archive");
    await follow(page, "Retention settings");
    assert.equal(await heading(page), "Retention rules");
    await suite.checkAccessibility(page, "retention settings");

    const auditor = await findUser(suite.database, suite.partnership.partnershipId, { role: "auditor" });
    const auditorPage = await suite.openBrowser();
    await signInWithPassword(suite, auditorPage, auditor.email);
    await follow(auditorPage, "Archived records");
    assert.match(await text(auditorPage.locator("main")), /Jayden Quillfeather/);
    await suite.checkAccessibility(auditorPage, "auditor's archive");

    assertNoViolations(suite, PAGES);
    assert.deepEqual(suite.scriptProblems, []);
  });
});
