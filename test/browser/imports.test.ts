// SPDX-License-Identifier: MIT
/**
 * Agency imports in a real browser: the health visitor uploads a FHIR appointments Bundle on /imports,
 * follows its progress to the end, opens the review list and confirms the misspelt match, and the "not
 * brought" entries show in the baby's chronology; the trust's mapping, version 1, is on the mappings page.
 * axe checks every page.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createFamily, findUser, type TestFamily, type TestUser } from "../../src/test-support/families.ts";
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
  "import progress",
  "review list",
  "review decided",
  "chronology",
  "import mappings",
] as const;

let suite: BrowserSuite;
let family: TestFamily;
let visitor: TestUser;
let baby: { given: string; family: string; dob: string };

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

before(async () => {
  suite = await startBrowserSuite(10);
  visitor = await findUser(suite.database, suite.partnership.partnershipId, {
    role: "practitioner",
    agencyName: "Community Health NHS Trust",
  });
  family = await createFamily(suite.database, {
    partnershipId: suite.partnership.partnershipId,
    familyName: "Quernmoor",
    involvements: [{ agencyId: visitor.agencyId, child: "baby" }],
  });
  const row = await suite.database.unsafeOwnerDb
    .selectFrom("people")
    .select(["given_names", "family_name", "date_of_birth"])
    .where("partnership_id", "=", suite.partnership.partnershipId)
    .where("person_id", "=", family.babyId)
    .executeTakeFirstOrThrow();
  baby = { given: row.given_names, family: row.family_name, dob: row.date_of_birth ?? "" };
});
after(() => suite.close());

const bundle = () => {
  const entry = (id: string, family: string, start: string) => [
    {
      fullUrl: `urn:uuid:patient-${id}`,
      resource: {
        resourceType: "Patient",
        meta: { profile: ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"] },
        name: [{ given: [baby.given], family }],
        birthDate: baby.dob,
      },
    },
    {
      resource: {
        resourceType: "Appointment",
        meta: { profile: ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Appointment"] },
        identifier: [{ value: `HV-${id}` }],
        status: "noshow",
        serviceType: [{ text: "Health visiting review" }],
        start: `${start}T10:00:00Z`,
        participant: [{ actor: { reference: `urn:uuid:patient-${id}` } }],
      },
    },
  ];
  return JSON.stringify({
    resourceType: "Bundle",
    type: "collection",
    entry: [...entry("1", baby.family, daysAgo(40)), ...entry("2", "Quernmore", daysAgo(20))],
  });
};

describe("agency imports in the browser", () => {
  it("the health visitor imports appointments, reviews the weak match, and sees the entries", async () => {
    const page = await suite.openBrowser();
    await signInWithPassword(suite, page, visitor.email);
    await page.goto(suite.url("/imports"));
    assert.equal(await heading(page), "Imports");
    await suite.checkAccessibility(page, "imports");
    await page.getByLabel("Health appointments (FHIR R4 Bundle of Appointment, UK Core)").check();
    await page.getByLabel("The file").setInputFiles({
      name: "appointments.json",
      mimeType: "application/json",
      buffer: Buffer.from(bundle()),
    });
    await press(page, "Import the file");
    assert.match(pathOf(page), /^\/imports\/[0-9a-f-]{36}$/);
    for (let i = 0; i < 20 && !(await page.getByText("Import finished").count()); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      await follow(page, "Check progress");
    }
    assert.match(await text(page.locator("main")), /Import finished/);
    await suite.checkAccessibility(page, "import progress");

    await follow(page, "Review 1 match waiting for a person");
    assert.equal(await heading(page), "Matches to review");
    assert.match(await text(page.locator("main")), /Quernmore/);
    await suite.checkAccessibility(page, "review list");
    await page.getByLabel(`${baby.given} ${baby.family}`).check();
    await press(page, "Save the decision on row 4");
    assert.match(await text(page.locator("main")), /Your decision on row 4 has been saved/);
    await suite.checkAccessibility(page, "review decided");

    await andWait(page, () => page.goto(suite.url(`/people/${family.babyId}/chronology`)));
    const entries = await text(page.locator("main"));
    assert.equal(
      (entries.match(/Not brought to an appointment \(Health visiting review\)/g) ?? []).length,
      2,
    );
    await suite.checkAccessibility(page, "chronology");

    // The mapping the import used, from the imports page: which column holds which field, and its versions.
    await andWait(page, () => page.goto(suite.url("/imports")));
    await follow(page, "import mappings");
    assert.equal(await heading(page), "Import mappings");
    const mappings = await text(page.locator("main"));
    assert.match(mappings, /Health appointments \(FHIR R4 Bundle of Appointment, UK Core\): version 1/);
    assert.match(mappings, /Patient\.birthDate\s+Date of birth/);
    await suite.checkAccessibility(page, "import mappings");
  });

  it("has no accessibility violations", () => assertNoViolations(suite, PAGES));
});
