// SPDX-License-Identifier: MIT
/**
 * Issue 13's journey from an agency's data to a person's decision, in one browser: the health visitor
 * (the baby's lead professional) uploads the trust's appointments (a FHIR Bundle) on /imports, follows it
 * to the end, finds a signal on her worklist, opens it, sees the imported entries that fired it, records
 * "screening with the family", and the decision shows in the baby's chronology; the safeguarding lead then
 * sees it in the rule's precision figures. axe checks every page.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createFamily, isoDaysAgo, type TestFamily } from "../../src/test-support/families.ts";
import {
  andWait,
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

const PAGES = [
  "imports",
  "import finished",
  "home with the signal",
  "signal",
  "signal decided",
  "chronology",
  "signal precision",
] as const;

const MISSED = [
  [75, "New birth review"],
  [48, "6 to 8 week check"],
  [19, "Immunisations at 12 weeks"],
] as const;

let suite: BrowserSuite;
let family: TestFamily;
let visitorEmail: string;
let baby: { given: string; family: string; dob: string };

before(async () => {
  suite = await startBrowserSuite(10);
  const { database, partnership } = suite;
  const signIn = partnership.signIns.find((s) => s.email.startsWith("health-visitor@"));
  assert.ok(signIn, "the generated partnership has a health visitor");
  visitorEmail = signIn.email;
  const visitor = await database.unsafeOwnerDb
    .selectFrom("users")
    .select("agency_id")
    .where("partnership_id", "=", partnership.partnershipId)
    .where("user_id", "=", signIn.userId)
    .executeTakeFirstOrThrow();
  family = await createFamily(database, {
    partnershipId: partnership.partnershipId,
    familyName: "Hollowmere",
    involvements: [{ agencyId: visitor.agency_id, child: "baby", leadProfessionalUserId: signIn.userId }],
  });
  const row = await database.unsafeOwnerDb
    .selectFrom("people")
    .select(["given_names", "family_name", "date_of_birth"])
    .where("partnership_id", "=", partnership.partnershipId)
    .where("person_id", "=", family.babyId)
    .executeTakeFirstOrThrow();
  baby = { given: row.given_names, family: row.family_name, dob: row.date_of_birth ?? "" };
});
after(() => suite.close());

/** The trust's export: the baby (by name and date of birth) not brought to three appointments. */
const bundle = () =>
  JSON.stringify({
    resourceType: "Bundle",
    type: "collection",
    entry: MISSED.flatMap(([days, service], index) => [
      {
        fullUrl: `urn:uuid:patient-${index}`,
        resource: {
          resourceType: "Patient",
          meta: { profile: ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"] },
          name: [{ given: [baby.given], family: baby.family }],
          birthDate: baby.dob,
        },
      },
      {
        resource: {
          resourceType: "Appointment",
          meta: { profile: ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Appointment"] },
          identifier: [{ value: `HM-${index}` }],
          status: "noshow",
          serviceType: [{ text: service }],
          start: `${isoDaysAgo(days)}T10:00:00Z`,
          participant: [{ actor: { reference: `urn:uuid:patient-${index}` } }],
        },
      },
    ]),
  });

describe("from an appointments import to a decision, in the browser", () => {
  it("the health visitor imports, sees the signal, decides, and the decision is counted", async () => {
    const page = await suite.openBrowser();
    await signInWithPassword(suite, page, visitorEmail);

    await page.goto(suite.url("/imports"));
    assert.equal(await heading(page), "Imports");
    await suite.checkAccessibility(page, "imports");
    await page.getByLabel("Health appointments (FHIR R4 Bundle of Appointment, UK Core)").check();
    await page.getByLabel("The file").setInputFiles({
      name: "hollowmere-appointments.json",
      mimeType: "application/json",
      buffer: Buffer.from(bundle()),
    });
    await press(page, "Import the file");
    assert.match(pathOf(page), /^\/imports\/[0-9a-f-]{36}$/);
    for (let i = 0; i < 20 && !(await page.getByText("Import finished").count()); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      await follow(page, "Check progress");
    }
    const progress = await text(page.locator("main"));
    assert.match(progress, /Import finished/);
    await suite.checkAccessibility(page, "import finished");

    // The signal waits on her worklist, on the home page.
    await andWait(page, () => page.goto(suite.url("/")));
    const section = page.locator("#signals");
    assert.match(await text(section), /Signals to consider/);
    await suite.checkAccessibility(page, "home with the signal");
    await andWait(page, () =>
      section
        .getByRole("link", {
          name: `${baby.given} ${baby.family}: Not brought to health appointments, across brothers and sisters`,
        })
        .click(),
    );
    assert.match(await heading(page), /^Signal: Not brought to health appointments/);
    const entries = await text(page.locator("#signal-entries"));
    for (const [, service] of MISSED)
      assert.ok(entries.includes(`Not brought to an appointment (${service})`), service);
    await suite.checkAccessibility(page, "signal");

    await page.getByLabel("Screening with the family, using the neglect screening tool").check();
    await page
      .getByLabel("Reason")
      .fill("Three missed appointments in the trust's export; mother agreed to a screening together.");
    await press(page, "Record the decision");
    assert.match(await text(page.locator(".govuk-notification-banner")), /Your decision has been recorded/);
    await suite.checkAccessibility(page, "signal decided");

    await andWait(page, () => page.goto(suite.url(`/people/${family.babyId}/chronology`)));
    const chronology = await text(page.locator("main"));
    assert.match(chronology, /Decision on a signal of possible neglect/);
    assert.match(chronology, /mother agreed to a screening together/);
    assert.equal((chronology.match(/Not brought to an appointment \(/g) ?? []).length, MISSED.length);
    await suite.checkAccessibility(page, "chronology");

    // The rule's precision figures, where the partnership reads them.
    const lead = await suite.openBrowser();
    const leadSignIn = suite.partnership.signIns.find((s) => s.role === "safeguarding-lead");
    assert.ok(leadSignIn);
    await signInWithPassword(suite, lead, leadSignIn.email);
    await lead.goto(suite.url("/indicators"));
    await follow(lead, "Signals: how often each rule helped, and whether any falls unevenly on a group");
    assert.equal(await heading(lead), "Signals: how often each rule helped");
    const figures = await text(lead.locator("main"));
    const rule = figures.slice(figures.indexOf("Not brought to health appointments"));
    // Counted across brothers and sisters, the pattern fired for the baby and for her brother: one decided.
    assert.match(rule, /Signals fired 2 Decided 1 Confirmed as needing action 1/);
    assert.match(rule, /Screening with the family, using the neglect screening tool 1/);
    await suite.checkAccessibility(lead, "signal precision");
    assert.deepEqual(suite.scriptProblems, []);
  });

  it("has no accessibility violations", () => assertNoViolations(suite, PAGES));
});
