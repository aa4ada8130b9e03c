// SPDX-License-Identifier: MIT
/**
 * One picture of the child, in a real browser: a health visitor finds a baby by NHS number, reads what is
 * already known, records a "was not brought" appointment, sees it in the family chronology beside the
 * school's attendance entry for the baby's brother, filters by neglect type and downloads the PDF for a
 * conference. A school practitioner who is not involved sees only "known to" and must give a reason to
 * break glass. axe checks every page on the way.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { nhsCheckDigit } from "../../src/people/identifiers.ts";
import { createFamily, findUser, type TestFamily } from "../../src/test-support/families.ts";
import {
  assertNoViolations,
  type BrowserSuite,
  follow,
  heading,
  pathOf,
  press,
  signInWithPassword,
  startBrowserSuite,
  text,
} from "./support.ts";

const EVERY_PAGE = [
  "find a person",
  "find a person with an invalid NHS number",
  "search results",
  "what is already known",
  "child's record",
  "choose the type of entry",
  "add a chronology entry",
  "add a chronology entry with errors",
  "child's chronology after adding",
  "family chronology",
  "family chronology filtered by neglect type",
  "known to (uninvolved agency)",
  "chronology refused (uninvolved agency)",
  "break glass without a reason",
  "add a person",
  "add a person with errors",
] as const;

let suite: BrowserSuite;
let family: TestFamily;
let babyNhsNumber = "";
let healthVisitorEmail = "";
let schoolEmail = "";

const validNhsNumber = (): string => {
  for (let n = 401023213; ; n += 7) {
    const check = nhsCheckDigit(String(n));
    if (check !== undefined) return `${n}${check}`;
  }
};

before(async () => {
  suite = await startBrowserSuite();
  const { database, partnership } = suite;
  const healthVisitor = await findUser(database, partnership.partnershipId, {
    role: "practitioner",
    agencyName: "Community Health NHS Trust",
  });
  const school = await findUser(database, partnership.partnershipId, {
    role: "practitioner",
    agencyType: "education",
  });
  healthVisitorEmail = healthVisitor.email;
  schoolEmail = school.email;
  const otherSchool = await database.unsafeOwnerDb
    .selectFrom("agencies")
    .select("agency_id")
    .where("partnership_id", "=", partnership.partnershipId)
    .where("agency_type", "=", "education")
    .where("agency_id", "<>", school.agencyId)
    .executeTakeFirstOrThrow();
  // The health visiting team is involved with both children (the family chronology shows a member's entries
  // only to those who may open that member's record), and the brother's school (not the school
  // practitioner's own) with him.
  family = await createFamily(database, {
    partnershipId: partnership.partnershipId,
    familyName: "Hollingsworth",
    involvements: [
      { agencyId: healthVisitor.agencyId, child: "baby" },
      { agencyId: healthVisitor.agencyId, child: "sibling" },
      { agencyId: otherSchool.agency_id, child: "sibling" },
    ],
  });
  babyNhsNumber = validNhsNumber();
  await database.unsafeOwnerDb
    .updateTable("people")
    .set({ nhs_number: babyNhsNumber })
    .where("partnership_id", "=", partnership.partnershipId)
    .where("person_id", "=", family.babyId)
    .execute();
  await database.unsafeOwnerDb
    .insertInto("chronology_events")
    .values({
      partnership_id: partnership.partnershipId,
      event_id: crypto.randomUUID(),
      person_id: family.siblingId,
      occurred_on: new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10),
      date_precision: "day",
      event_type: "persistent-absence",
      source_agency_id: otherSchool.agency_id,
      what_happened: "Attendance this half term 82%; late most mornings",
      impact_on_child: "Falling behind in reading; tired and hungry on arrival",
      significance: "medium",
      neglect_types: ["educational"],
      information_basis: "observed",
    })
    .execute();
});

after(async () => {
  await suite?.close();
});

const fillDate = async (page: Page, prefix: string, iso: string) => {
  const [year, month, day] = iso.split("-");
  await page.locator(`#${prefix}-day`).fill(String(Number(day)));
  await page.locator(`#${prefix}-month`).fill(String(Number(month)));
  await page.locator(`#${prefix}-year`).fill(String(year));
};

describe("a health visitor and a baby's family chronology", () => {
  let page: Page;

  it("finds the baby by NHS number, and an invalid number is refused naming the field", async () => {
    page = await suite.openBrowser();
    await signInWithPassword(suite, page, healthVisitorEmail);
    await follow(page, "Find a person");
    assert.equal(await heading(page), "Find a person");
    await suite.checkAccessibility(page, "find a person");

    await page.getByLabel("NHS number").fill("943 476 5918");
    await press(page, "Search");
    assert.match(await text(page.locator(".govuk-error-summary")), /NHS number is not valid/);
    await suite.checkAccessibility(page, "find a person with an invalid NHS number");

    await page
      .getByLabel("NHS number")
      .fill(`${babyNhsNumber.slice(0, 3)} ${babyNhsNumber.slice(3, 6)} ${babyNhsNumber.slice(6)}`);
    await press(page, "Search");
    assert.match(await text(page.locator("main")), /1 person found/);
    await suite.checkAccessibility(page, "search results");
  });

  it("reads what is already known before starting, then sees the record", async () => {
    await follow(page, "Poppy Hollingsworth");
    assert.equal(pathOf(page), `/people/${family.babyId}/history`);
    assert.equal(await heading(page), "What is already known");
    await suite.checkAccessibility(page, "what is already known");
    await press(page, "I have read what is known");
    assert.equal(pathOf(page), `/people/${family.babyId}`);
    assert.equal(await heading(page), "Poppy Hollingsworth");
    assert.match(await text(page.locator("main")), /Other adult in the household/);
    await suite.checkAccessibility(page, "child's record");
  });

  it("adds a 'was not brought' entry, and impact on the child is required", async () => {
    await follow(page, "Add a chronology entry");
    await suite.checkAccessibility(page, "choose the type of entry");
    await page
      .getByLabel(/What type of event/)
      .selectOption({ label: "Child not brought to a health appointment" });
    await press(page, "Continue");
    await suite.checkAccessibility(page, "add a chronology entry");

    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await fillDate(page, "occurredOn", yesterday);
    await page
      .getByLabel("What happened")
      .fill("Not brought to the 9-month developmental review; second missed review");
    await press(page, "Add the entry");
    assert.match(await text(page.locator(".govuk-error-summary")), /impact on the child/i);
    await suite.checkAccessibility(page, "add a chronology entry with errors");

    await page
      .getByLabel("Impact on the child")
      .fill("Development not checked; weight concerns not followed up");
    const medical = page.getByRole("checkbox", { name: "Medical or dental" });
    assert.ok(await medical.isChecked(), "the event type suggests medical neglect");
    await page.getByRole("radio", { name: "Observed", exact: true }).check();
    await press(page, "Add the entry");
    assert.equal(
      pathOf(page),
      `/people/${family.babyId}/chronology`,
      await text(page.locator("main .govuk-error-summary, main").first()),
    );
    assert.match(await text(page.locator("main")), /Not brought to the 9-month developmental review/);
    await suite.checkAccessibility(page, "child's chronology after adding");
  });

  it("sees the entry in the family chronology beside the brother's school attendance", async () => {
    await page.goto(suite.url(`/people/${family.babyId}/family-chronology`));
    const entries = await text(page.locator("main"));
    assert.match(entries, /Not brought to the 9-month developmental review/);
    assert.match(entries, /Attendance this half term 82%/);
    assert.match(entries, /Sibling/);
    assert.ok((await page.locator("svg").count()) > 0, "the timeline is drawn");
    await suite.checkAccessibility(page, "family chronology");
  });

  it("filters by neglect type", async () => {
    await page.getByLabel("Neglect type").selectOption({ label: "Medical or dental" });
    await press(page, "Apply filters");
    const entries = await text(page.locator("main"));
    assert.match(entries, /Not brought to the 9-month developmental review/);
    assert.doesNotMatch(entries, /Attendance this half term 82%/);
    await suite.checkAccessibility(page, "family chronology filtered by neglect type");
  });

  it("downloads the family chronology as a PDF for the conference", async () => {
    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: /Download the family chronology as PDF/ }).click();
    const download = await downloading;
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk));
    const pdf = Buffer.concat(chunks);
    assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
    assert.ok(pdf.length > 1000);
  });

  it("adds a person, with errors shown first", async () => {
    await page.goto(suite.url("/people/new"));
    await suite.checkAccessibility(page, "add a person");
    await press(page, "Add person");
    assert.match(await text(page.locator(".govuk-error-summary")), /Enter their first names/);
    await suite.checkAccessibility(page, "add a person with errors");
  });
});

describe("a school practitioner who is not involved", () => {
  it("sees only that the baby is known, and cannot break glass without a reason", async () => {
    const page = await suite.openBrowser();
    await signInWithPassword(suite, page, schoolEmail);
    await page.goto(suite.url(`/people/${family.babyId}`));
    const main = await text(page.locator("main"));
    assert.match(main, /Known to/);
    assert.match(main, /Community Health NHS Trust/);
    assert.doesNotMatch(main, /Hearth record number/);
    await suite.checkAccessibility(page, "known to (uninvolved agency)");

    await page.goto(suite.url(`/people/${family.babyId}/family-chronology`));
    assert.equal(await heading(page), "You cannot see this record", "the chronology is refused");
    await suite.checkAccessibility(page, "chronology refused (uninvolved agency)");
    await follow(page, "See whether they are known, and to whom");
    assert.equal(pathOf(page), `/people/${family.babyId}`, "which points back to 'known to'");

    await press(page, "Open the record with break glass");
    assert.match(await text(page.locator(".govuk-error-summary")), /Enter the reason/);
    await suite.checkAccessibility(page, "break glass without a reason");
  });
});

describe("accessibility", () => {
  it("every page passes axe (WCAG 2.2 AA) with no violations", () => {
    assertNoViolations(suite, EVERY_PAGE);
  });

  it("no page logged a script error or asked for an asset it did not get", () => {
    assert.deepEqual(suite.scriptProblems, []);
    assert.deepEqual([...suite.missingAssets], []);
  });
});
