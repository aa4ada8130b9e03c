// SPDX-License-Identifier: MIT
/**
 * An insider's attacks, tried in a real browser, each refused on a page a person can read (axe-checked):
 * an early help action crafted to smuggle a form field into its "Mark done" button renders as text; a
 * practitioner who links a child they may open to one they may not is refused, and the decoy's family
 * chronology shows nothing of the other child; an administrator reading a child's record history sees who
 * did what and when, never the child's name, date of birth or NHS number; every refusal is listed to the
 * auditor.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { currentTotpCode } from "../../src/auth/totp.ts";
import { repositoryFor } from "../../src/data/repository.ts";
import { DEMO_PASSWORD } from "../../src/generator/generate-partnership.ts";
import {
  contextOfTestUser,
  createFamily,
  findUser,
  type TestFamily,
  type TestUser,
} from "../../src/test-support/families.ts";
import {
  assertNoViolations,
  type BrowserSuite,
  heading,
  pathOf,
  press,
  signInWithPassword,
  startBrowserSuite,
  text,
} from "./support.ts";

const PAGES = [
  "early help with a crafted action",
  "relationship refused",
  "decoy's family chronology",
  "record history as administrator",
  "refused requests",
] as const;

/** An action description that, pasted into markup unescaped, would add a field to the button's form. */
const CRAFTED_ACTION =
  'Buy shoes</span><input type="hidden" name="agencyId" value="attacker"><span class="govuk-visually-hidden">';
const VICTIM_SECRET = "Marigold said the cellar is locked at night";

let suite: BrowserSuite;
let decoyFamily: TestFamily;
let victimFamily: TestFamily;
let school: TestUser;
let earlyHelpId: string;

const isoDaysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

before(async () => {
  suite = await startBrowserSuite(20);
  const partnershipId = suite.partnership.partnershipId;
  school = await findUser(suite.database, partnershipId, { role: "practitioner", agencyType: "education" });
  decoyFamily = await createFamily(suite.database, {
    partnershipId,
    familyName: "Ashdown",
    involvements: [{ agencyId: school.agencyId, child: "sibling" }],
  });
  const health = await findUser(suite.database, partnershipId, {
    role: "practitioner",
    agencyType: "health",
  });
  victimFamily = await createFamily(suite.database, {
    partnershipId,
    familyName: "Pellingham",
    involvements: [{ agencyId: health.agencyId, child: "baby" }],
  });
  const owner = suite.database.unsafeOwnerDb;
  // The school leads early help for the decoy child; one action's text is the attacker's markup.
  earlyHelpId = randomUUID();
  await owner
    .insertInto("early_help")
    .values({
      partnership_id: partnershipId,
      early_help_id: earlyHelpId,
      person_id: decoyFamily.siblingId,
      started_on: isoDaysAgo(30),
      consent_on: isoDaysAgo(31),
      assessment_summary: "Needs help with school uniform and breakfast.",
      lead_user_id: school.userId,
      lead_agency_id: school.agencyId,
      review_interval_weeks: 6,
      created_by: school.userId,
    })
    .execute();
  await owner
    .insertInto("early_help_actions")
    .values({
      partnership_id: partnershipId,
      action_id: randomUUID(),
      early_help_id: earlyHelpId,
      outcome_id: null,
      description: CRAFTED_ACTION,
      owner: "Mum",
      due_on: isoDaysAgo(-14),
    })
    .execute();
  // An entry on the victim's chronology, recorded by the health visitor who is involved.
  const recorded = await repositoryFor(
    suite.database,
    contextOfTestUser(partnershipId, health),
  ).chronology.addEvent(victimFamily.babyId, {
    eventType: "other",
    occurredOn: isoDaysAgo(10),
    datePrecision: "day",
    whatHappened: VICTIM_SECRET,
    impactOnChild: "Frightened at home.",
    actionTaken: null,
    significance: "high",
    neglectTypes: ["emotional"],
    informationBasis: "reported",
    visibility: "normal",
    restrictedToRoles: [],
  });
  assert.ok(recorded.ok);
});

after(async () => {
  await suite?.close();
});

const schoolPage = async (): Promise<Page> => {
  const page = await suite.openBrowser();
  await signInWithPassword(suite, page, school.email);
  return page;
};

describe("an insider's attacks, in a browser", () => {
  it("shows a crafted early help action as text, with no field smuggled into the Mark done form", async () => {
    const page = await schoolPage();
    await page.goto(suite.url(`/people/${decoyFamily.siblingId}/pathway/early-help/${earlyHelpId}`));
    assert.equal(await heading(page), "Early help");
    assert.equal(await page.locator('input[name="agencyId"]').count(), 0, "a field was smuggled in");
    const markDone = page.locator('form[action$="/done"]');
    assert.equal(await markDone.count(), 1);
    assert.deepEqual(
      await markDone.locator("input").evaluateAll((inputs) => inputs.map((i) => i.getAttribute("name"))),
      ["_csrf"],
    );
    assert.match(await text(page.locator("main")), /Buy shoes<\/span><input type="hidden"/);
    await suite.checkAccessibility(page, "early help with a crafted action");
  });

  it("refuses to link a child the practitioner may open to one they may not, and shows nothing of it", async () => {
    const page = await schoolPage();
    await page.goto(suite.url(`/people/${decoyFamily.siblingId}`));
    if (pathOf(page).endsWith("/history"))
      await page.goto(suite.url(`/people/${decoyFamily.siblingId}?added=1`));
    await page.locator("summary", { hasText: "Add a family member" }).click();
    await page.locator("#relatedPersonId").fill(victimFamily.babyId);
    await page.locator("#relationshipType").selectOption({ index: 1 });
    const refused = page.waitForResponse((r) => r.url().endsWith("/relationships"));
    await press(page, "Add relationship");
    const answer = await refused;
    assert.equal(
      answer.status(),
      403,
      `${answer.request().method()} ${answer.url()} -> ${answer.headers().location} ${await answer.request().postData()}`,
    );
    assert.match(await text(page.locator("main")), /front door|lead professional|cannot/i);
    assert.doesNotMatch(await text(page.locator("main")), /Pellingham/);
    await suite.checkAccessibility(page, "relationship refused");

    await page.goto(suite.url(`/people/${decoyFamily.siblingId}/family-chronology`));
    const main = await text(page.locator("main"));
    assert.doesNotMatch(main, /Marigold|Pellingham/);
    await suite.checkAccessibility(page, "decoy's family chronology");
  });

  it("shows an administrator a child's record history without the child's details", async () => {
    const admin = suite.partnership.signIns.find((s) => s.role === "administrator");
    assert.ok(admin);
    // Something about the child happened: the safeguarding lead read and changed nothing, the front door viewed.
    const page = await suite.openBrowser();
    await page.goto(suite.url("/sign-in"));
    await page.getByLabel("Email address").fill(admin.email);
    await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
    await press(page, "Sign in");
    await page
      .getByLabel("Enter your security code")
      .fill(currentTotpCode(suite.partnership.administratorTotpSecret));
    await press(page, "Continue");
    await page.goto(suite.url(`/audit/person/${victimFamily.babyId}`));
    const main = await text(page.locator("main"));
    assert.doesNotMatch(main, /Poppy|Pellingham|Marigold/);
    await suite.checkAccessibility(page, "record history as administrator");

    await page.goto(suite.url("/audit/denials"));
    // The refusal names who tried by role and agency (two staff may share a name), and what they tried.
    const refusals = await text(page.locator("table").last());
    assert.ok(
      refusals.includes(`(Practitioner), ${school.agencyName}`),
      `the school's attempt is listed: ${refusals}`,
    );
    assert.match(refusals, /POST \/people\/:personId\/relationships/);
    await suite.checkAccessibility(page, "refused requests");
  });

  it("found no accessibility problems on any page", () => assertNoViolations(suite, PAGES));
});
