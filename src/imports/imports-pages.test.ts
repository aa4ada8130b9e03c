// SPDX-License-Identifier: MIT
/**
 * The imports pages over HTTP: the health visitor uploads a FHIR appointments Bundle, watches it finish,
 * downloads the rejects, and reviews the weak matches. Denials: another agency's staff cannot see the
 * import, its rejects or its review list, nor decide on it; an analyst cannot reach imports at all; the
 * review list never shows a candidate child the reviewer may not open, and confirming one is refused.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { formatDate } from "../chronology/dates.ts";
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import { settleBackgroundWork } from "../indicators/background.ts";
import { addCalendarDays, todayInEngland } from "../kernel/calendar.ts";
import { findUser } from "../test-support/families.ts";
import {
  createTestPartnership,
  openTestDatabase,
  signInFor,
  startTestApp,
  TestClient,
} from "../test-support/harness.ts";
import { saveMapping } from "./engine.ts";
import { DEFAULT_MAPPINGS } from "./formats.ts";

const daysAgo = (n: number) => addCalendarDays(todayInEngland(), -n);

/** Posts a multipart form with one file, as a browser's upload does. */
const upload = (
  client: TestClient,
  fields: Record<string, string>,
  file: { name: string; content: string },
) => {
  const boundary = "----hearth-test-boundary";
  const parts = [
    ...Object.entries({ _csrf: client.csrfToken, ...fields }).map(
      ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
    ),
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/json\r\n\r\n${file.content}\r\n`,
    `--${boundary}--\r\n`,
  ];
  return client.app.inject({
    method: "POST",
    url: "/imports",
    payload: parts.join(""),
    headers: { cookie: client.cookieHeader, "content-type": `multipart/form-data; boundary=${boundary}` },
  });
};

type Child = {
  person_id: string;
  given_names: string;
  family_name: string;
  date_of_birth: string;
  nhs_number: string;
};

describe("imports pages", () => {
  let database: HearthDatabase;
  let app: FastifyInstance;
  let partnership: GeneratedPartnership;
  let healthAgencyId: string;
  let visibleChild: Child;
  let hiddenChild: Child;
  let importId: string;
  const hv = () =>
    findUser(database, partnership.partnershipId, {
      role: "practitioner",
      agencyName: "Community Health NHS Trust",
    });

  before(async () => {
    database = await openTestDatabase();
    partnership = await createTestPartnership(database, 80);
    app = await startTestApp(database);
    const health = await hv();
    healthAgencyId = health.agencyId;
    // A child the health trust is involved with, and one it is not (so its staff cannot open the record).
    const people = (await database.unsafeOwnerDb
      .selectFrom("people as p")
      .select([
        "p.person_id",
        "p.given_names",
        "p.family_name",
        "p.date_of_birth",
        "p.nhs_number",
        (eb) =>
          eb
            .exists(
              eb
                .selectFrom("involvements as i")
                .select("i.person_id")
                .whereRef("i.partnership_id", "=", "p.partnership_id")
                .whereRef("i.person_id", "=", "p.person_id")
                .where("i.agency_id", "=", healthAgencyId)
                .where("i.ended_on", "is", null),
            )
            .as("involved"),
      ])
      .where("p.partnership_id", "=", partnership.partnershipId)
      .where("p.kind", "=", "child")
      .where("p.merged_into_person_id", "is", null)
      .where("p.nhs_number", "is not", null)
      .where("p.date_of_birth", "is not", null)
      .orderBy("p.person_id")
      .execute()) as (Child & { involved: boolean })[];
    const byName = new Map<string, number>();
    for (const p of people)
      byName.set(
        `${p.given_names} ${p.family_name}`,
        (byName.get(`${p.given_names} ${p.family_name}`) ?? 0) + 1,
      );
    const unique = people.filter(
      (p) => byName.get(`${p.given_names} ${p.family_name}`) === 1 && p.family_name.length > 4,
    );
    const v = unique.find((p) => p.involved);
    const h = unique.find((p) => !p.involved && p.person_id !== v?.person_id);
    assert.ok(v && h, "the partnership has a child the trust is involved with and one it is not");
    visibleChild = v;
    hiddenChild = h;
  });
  after(async () => {
    await app.close();
    await database.close();
  });

  const bundle = () => {
    const entries: unknown[] = [];
    const add = (
      c: { nhs?: string; given: string; family: string; dob: string },
      id: string,
      status: string,
    ) => {
      entries.push({
        fullUrl: `urn:uuid:patient-${id}`,
        resource: {
          resourceType: "Patient",
          meta: { profile: ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"] },
          ...(c.nhs ? { identifier: [{ system: "https://fhir.nhs.uk/Id/nhs-number", value: c.nhs }] } : {}),
          name: [{ given: [c.given], family: c.family }],
          birthDate: c.dob,
        },
      });
      entries.push({
        resource: {
          resourceType: "Appointment",
          meta: { profile: ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Appointment"] },
          identifier: [{ value: `HV-${id}` }],
          status,
          serviceType: [{ text: "Health visiting review" }],
          start: `${daysAgo(14)}T10:00:00Z`,
          participant: [{ actor: { reference: `urn:uuid:patient-${id}` } }],
        },
      });
    };
    const v = visibleChild;
    const h = hiddenChild;
    // entry 2: certain (NHS number); entry 4: the visible child misspelt, no NHS number; entry 6: the hidden child misspelt.
    add(
      { nhs: v.nhs_number, given: v.given_names, family: v.family_name, dob: v.date_of_birth },
      "1",
      "noshow",
    );
    add({ given: v.given_names, family: `${v.family_name}e`, dob: v.date_of_birth }, "2", "noshow");
    add({ given: h.given_names, family: `${h.family_name}e`, dob: h.date_of_birth }, "3", "noshow");
    return JSON.stringify({ resourceType: "Bundle", type: "collection", entry: entries });
  };

  const signedIn = async (email: string) => {
    const client = new TestClient(app);
    const response = await client.signIn(email);
    assert.equal(response.statusCode, 303);
    return client;
  };

  it("the health visitor uploads an appointments Bundle and sees it finish, with the rows by fate", async () => {
    const client = await signedIn((await hv()).email);
    const page = await client.get("/imports");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Community Health NHS Trust/);
    const missing = await upload(client, {}, { name: "appointments.json", content: bundle() });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /Select the kind of file/);
    await client.get("/imports");
    const response = await upload(
      client,
      { format: "appointments-fhir" },
      { name: "appointments.json", content: bundle() },
    );
    assert.equal(response.statusCode, 303, response.body);
    const location = response.headers.location as string;
    importId = location.split("/").at(-1) ?? "";
    await settleBackgroundWork();
    const status = await client.get(location);
    assert.equal(status.statusCode, 200);
    assert.match(status.body, /Import finished/);
    assert.match(status.body, /Review 2 matches waiting for a person/);
    const rejects = await client.get(`/imports/${importId}/rejects.csv`);
    assert.equal(rejects.statusCode, 200);
    assert.match(rejects.body, /^row,fate,reason/);
    const entry = await database.unsafeOwnerDb
      .selectFrom("chronology_events")
      .select(["person_id", "event_type", "source_agency_id"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("import_id", "=", importId)
      .execute();
    assert.deepEqual(entry, [
      {
        person_id: visibleChild.person_id,
        event_type: "not-brought-health",
        source_agency_id: healthAgencyId,
      },
    ]);
    const chronology = await client.get(`/people/${visibleChild.person_id}/chronology`);
    assert.equal(chronology.statusCode, 200);
    assert.match(chronology.body, /Not brought to an appointment \(Health visiting review\)/);
  });

  it("the chronology says which import wrote an entry, linking to the import only for those who may see it", async () => {
    const started = await database.unsafeOwnerDb
      .selectFrom("agency_imports")
      .select("started_at")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("import_id", "=", importId)
      .executeTakeFirstOrThrow();
    const day = formatDate(todayInEngland(started.started_at));
    const words = `Imported from appointments.json (Health appointments (FHIR R4 Bundle of Appointment, UK Core)), ${day}`;
    const link = `href="/imports/${importId}"`;
    // Narrowed to the trust's entries about the child, so the entry is on the first page of a long family's.
    const narrowed = `?agency=${healthAgencyId}&person=${visibleChild.person_id}`;
    const text = (body: string) => body.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    // The importer, and the safeguarding lead (who oversees every agency's imports): the words and the link.
    const visitor = await signedIn((await hv()).email);
    const lead = await signedIn(signInFor(partnership, "safeguarding-lead").email);
    for (const [who, client] of [
      ["the importer", visitor],
      ["the safeguarding lead", lead],
    ] as const) {
      for (const page of ["chronology", "family-chronology"]) {
        const response = await client.get(`/people/${visibleChild.person_id}/${page}${narrowed}`);
        assert.equal(response.statusCode, 200, `${who}: ${page}`);
        assert.ok(text(response.body).includes(words), `${who} reads the attribution on the ${page}`);
        assert.ok(response.body.includes(link), `${who} has the import's link on the ${page}`);
      }
    }
    // The front door (another agency, may open every child) reads where the entry came from, without a link
    // to an import it may not open.
    const frontDoor = await findUser(database, partnership.partnershipId, { role: "front-door" });
    assert.notEqual(frontDoor.agencyId, healthAgencyId, "the front door is another agency");
    const other = await signedIn(frontDoor.email);
    for (const page of ["chronology", "family-chronology"]) {
      const response = await other.get(`/people/${visibleChild.person_id}/${page}${narrowed}`);
      assert.equal(response.statusCode, 200, page);
      assert.ok(text(response.body).includes(words), `the attribution on the ${page}`);
      assert.ok(!response.body.includes(`/imports/${importId}`), `no link on the ${page}`);
    }
    assert.equal((await other.get(`/imports/${importId}`)).statusCode, 403, "the page the link would open");
    // The exports list the same source.
    const csv = await other.get(`/people/${visibleChild.person_id}/family-chronology.csv`);
    assert.equal(csv.statusCode, 200);
    assert.ok(csv.body.includes(words), "the CSV export's Source column");
    assert.ok(!csv.body.includes(importId));
  });

  it("the review list shows the child she may open and hides the one she may not; confirming the hidden one is refused", async () => {
    const client = await signedIn((await hv()).email);
    const review = await client.get(`/imports/${importId}/review`);
    assert.equal(review.statusCode, 200);
    assert.match(review.body, /Row 4/);
    assert.match(review.body, /Row 6/);
    assert.ok(review.body.includes(visibleChild.person_id), "the visible child is offered");
    assert.ok(review.body.includes(`${visibleChild.given_names} ${visibleChild.family_name}`));
    // Nothing of the hidden child's record: not its id, name as Hearth holds it, or NHS number.
    assert.ok(!review.body.includes(hiddenChild.person_id));
    assert.ok(!review.body.includes(`${hiddenChild.given_names} ${hiddenChild.family_name}<`));
    assert.ok(!review.body.includes(hiddenChild.nhs_number));
    assert.match(review.body, /1 possible match is a child whose record you cannot open/);

    const refusedConfirm = await client.post(`/imports/${importId}/review/6`, {
      person: hiddenChild.person_id,
    });
    assert.equal(refusedConfirm.statusCode, 403);
    const decisions = await database.unsafeOwnerDb
      .selectFrom("import_reviews")
      .select("row_number")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("import_id", "=", importId)
      .execute();
    assert.deepEqual(decisions, [], "no decision was saved");
    const denial = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select(["record_id"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("action", "=", "denied")
      .where("record_id", "=", hiddenChild.person_id)
      .execute();
    assert.ok(denial.length > 0, "the refusal is audited");

    await client.get(`/imports/${importId}/review`);
    const noReason = await client.post(`/imports/${importId}/review/4`, { person: "none", reason: "" });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /Enter why this is not a match/);
    const confirmed = await client.post(`/imports/${importId}/review/4`, { person: visibleChild.person_id });
    assert.equal(confirmed.statusCode, 303);
    const entries = await database.unsafeOwnerDb
      .selectFrom("chronology_events")
      .select(["person_id", "recorded_by"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("import_id", "=", importId)
      .execute();
    assert.equal(entries.filter((e) => e.person_id === visibleChild.person_id).length, 2);
    const reviewer = (await hv()).userId;
    assert.ok(entries.some((e) => e.recorded_by === reviewer));
    const again = await client.post(`/imports/${importId}/review/4`, { person: visibleChild.person_id });
    assert.equal(again.statusCode, 400, "a row is decided once");
  });

  it("another agency's staff cannot see the import, its rejects or its review list, nor decide on it", async () => {
    const police = await findUser(database, partnership.partnershipId, {
      role: "manager",
      agencyType: "police",
    });
    const client = await signedIn(police.email);
    for (const url of [
      `/imports/${importId}`,
      `/imports/${importId}/rejects.csv`,
      `/imports/${importId}/review`,
    ]) {
      const response = await client.get(url);
      assert.equal(response.statusCode, 403, url);
      assert.ok(!response.body.includes(visibleChild.family_name), url);
    }
    await client.get("/imports");
    const list = await client.get("/imports");
    assert.ok(!list.body.includes(importId), "not in their list");
    const decide = await client.post(`/imports/${importId}/review/6`, { person: "none", reason: "not ours" });
    assert.equal(decide.statusCode, 403);
  });

  it("an analyst cannot reach imports", async () => {
    const client = await signedIn(signInFor(partnership, "analyst").email);
    assert.equal((await client.get("/imports")).statusCode, 403);
    assert.equal((await client.get(`/imports/${importId}`)).statusCode, 403);
    assert.equal((await client.get("/imports/mappings")).statusCode, 403);
  });

  it("lists the agency's mappings with every version, to its staff and the safeguarding lead only", async () => {
    const reason = "The new appointments system sends the clinic as Appointment.serviceCategory";
    const mapping = structuredClone(DEFAULT_MAPPINGS["appointments-fhir"]);
    mapping.columns.service = "Appointment.serviceCategory.text";
    const version = await saveMapping(database, {
      partnershipId: partnership.partnershipId,
      agencyId: healthAgencyId,
      format: "appointments-fhir",
      mapping,
      reason,
      actor: null,
    });
    assert.equal(version, 2);
    const visitor = await signedIn((await hv()).email);
    const imports = await visitor.get("/imports");
    assert.match(imports.body, /href="\/imports\/mappings"/);
    const page = await visitor.get("/imports/mappings");
    assert.equal(page.statusCode, 200);
    const body = page.body.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    assert.match(body, /Community Health NHS Trust/);
    assert.match(body, /Health appointments \(FHIR R4 Bundle of Appointment, UK Core\): version 2/);
    assert.match(body, /Appointment\.serviceCategory\.text Service or clinic/);
    assert.match(body, /Patient\.birthDate Date of birth/);
    assert.match(body, /Columns of version 1 .*Appointment\.serviceType\.text Service or clinic/);
    assert.ok(body.includes(reason), "the new version's reason");
    assert.match(body, /2 [^|]*? A command-line run The new appointments system[^|]*? 0 1 /);
    assert.match(body, /The format&#39;s default mapping, saved at the agency&#39;s first import 1 /);
    assert.match(
      body,
      /Columns of version 2 \(in use\) Column in the file Hearth field Appointment\.identifier/,
    );
    assert.match(body, /The first import of each saves the format's default mapping as version 1/);

    const police = await findUser(database, partnership.partnershipId, {
      role: "manager",
      agencyType: "police",
    });
    const other = await (await signedIn(police.email)).get("/imports/mappings");
    assert.equal(other.statusCode, 200, "their own agency's page");
    assert.ok(!other.body.includes("Community Health NHS Trust"), "not the trust's mappings");
    assert.ok(!other.body.includes("serviceCategory"));

    const lead = await (await signedIn(signInFor(partnership, "safeguarding-lead").email)).get(
      "/imports/mappings",
    );
    assert.equal(lead.statusCode, 200);
    assert.ok(lead.body.includes("serviceCategory"), "the lead oversees every agency's");
  });

  it("the safeguarding lead sees the child hidden from the health visitor and decides the match", async () => {
    const client = await signedIn(signInFor(partnership, "safeguarding-lead").email);
    const review = await client.get(`/imports/${importId}/review`);
    assert.equal(review.statusCode, 200);
    assert.ok(review.body.includes(hiddenChild.person_id));
    const rejected = await client.post(`/imports/${importId}/review/6`, {
      person: "none",
      reason: "Different child: the school confirms the date of birth belongs to a cousin",
    });
    assert.equal(rejected.statusCode, 303);
    const after = await client.get(`/imports/${importId}/review`);
    assert.match(after.body, /No match is waiting for review/);
  });
});
