// SPDX-License-Identifier: MIT
/**
 * The family chronology against a real database and over HTTP: siblings' entries from other agencies, the
 * members the caller may not open left out, filters, the timeline picture under the content security
 * policy, and the CSV and PDF exports honouring the filters.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  clientFor,
  daysAgo,
  family,
  frontDoor,
  health,
  healthEventId,
  motherEventId,
  repoOf,
  school,
  schoolEventId,
  text,
  useChronologyFixtures,
} from "./chronology-test-support.ts";

useChronologyFixtures();

describe("the family chronology", () => {
  it("includes a sibling's entry from another agency, labelled with the sibling, for a caller who may open the sibling", async () => {
    const chronology = await repoOf(frontDoor).familyChronology(family.babyId);
    assert.ok(chronology);
    assert.equal(chronology.hiddenMembers, 0);
    const absence = chronology.events.find((e) => e.event_id === schoolEventId);
    assert.ok(absence, "the school's entry about the sibling is in the baby's family chronology");
    assert.equal(absence.person_name, "Jayden Tamworth");
    assert.equal(absence.person_label, "Sibling");
    assert.equal(absence.agency_name, school.agencyName);
    assert.equal(absence.age_at_event, "6 years", "born 7 years and a month ago, seen two months ago");
    assert.match(absence.date_label, /^[A-Z][a-z]+ \d{4}$/, "a month-precision date shows the month only");
    const mother = chronology.events.find((e) => e.event_id === motherEventId);
    assert.ok(mother);
    assert.equal(mother.person_label, "Mother");
    assert.match(mother.date_label, /^about /);
    const partner = chronology.members.find((m) => m.person_id === family.partnerId);
    assert.equal(partner?.label, "Parent's partner · Other adult in the household");
    // The child's own chronology holds only the child's entries.
    const own = await repoOf(frontDoor).childChronology(family.babyId);
    assert.ok(own);
    assert.deepEqual(new Set(own.events.map((e) => e.person_id)), new Set([family.babyId]));
  });

  it("leaves out the entries of members whose records the caller may not open, and says so", async () => {
    // The health visitor is involved with the baby only: not with the brother, the mother or her partner.
    const chronology = await repoOf(health).familyChronology(family.babyId);
    assert.ok(chronology);
    assert.deepEqual(new Set(chronology.events.map((e) => e.person_id)), new Set([family.babyId]));
    assert.deepEqual(
      chronology.members.map((m) => m.person_id),
      [family.babyId],
    );
    assert.equal(chronology.hiddenMembers, 3);
    const page = await (await clientFor(health)).get(`/people/${family.babyId}/family-chronology`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(text(page), /Jayden's attendance this term is 82%/);
    assert.doesNotMatch(text(page), /verbal argument/);
    assert.match(
      text(page),
      /3 family members' entries are not shown, because you cannot open their records/,
    );
  });

  it("filters by neglect type, person, agency and date", async () => {
    const educational = await repoOf(frontDoor).familyChronology(family.babyId, {
      neglectType: "educational",
    });
    assert.deepEqual(
      educational?.events.map((e) => e.event_id),
      [schoolEventId],
    );
    const mother = await repoOf(frontDoor).familyChronology(family.babyId, { personId: family.motherId });
    assert.deepEqual(
      mother?.events.map((e) => e.event_id),
      [motherEventId],
    );
    const bySchool = await repoOf(frontDoor).familyChronology(family.babyId, { agencyId: school.agencyId });
    assert.deepEqual(
      bySchool?.events.map((e) => e.event_id),
      [schoolEventId],
    );
    // The timeline counts only what the filter keeps; the agencies to choose from stay all of them.
    assert.equal(bySchool?.total, 1);
    assert.deepEqual(
      bySchool?.counts.map((c) => c.agency_name),
      [school.agencyName],
    );
    const everyAgency = (await repoOf(frontDoor).familyChronology(family.babyId))?.agencies;
    assert.ok(everyAgency && everyAgency.length > 1, "the family's entries come from more than one agency");
    assert.deepEqual(bySchool?.agencies, everyAgency);
    const recent = await repoOf(health).familyChronology(family.babyId, { from: daysAgo(45) });
    assert.ok(recent?.events.every((e) => e.occurred_on >= daysAgo(45)));
    assert.ok(recent?.events.some((e) => e.event_id === healthEventId));

    const client = await clientFor(frontDoor);
    const page = await client.get(`/people/${family.babyId}/family-chronology?neglect=educational`);
    assert.equal(page.statusCode, 200);
    assert.match(text(page), /Jayden's attendance this term is 82%/);
    assert.doesNotMatch(text(page), /not brought to her 6-month health review/);
  });

  it("draws the timeline as SVG with a title and a table of the same counts, with no inline style or script", async () => {
    const client = await clientFor(health);
    const page = await client.get(`/people/${family.babyId}/family-chronology`);
    assert.equal(page.statusCode, 200);
    const body = page.body;
    assert.match(body, /<svg[^>]*role="img"[^>]*aria-label="Chronology entries per [a-z]+ by person/);
    assert.match(body, /<svg[^>]*class="hearth-timeline-plot"[^>]*><title>Chronology entries per/);
    assert.match(body, /<caption class="govuk-table__caption[^"]*">Chronology entries per/);
    assert.doesNotMatch(body, /<style/i, "no <style> element: the CSP allows only same-origin stylesheets");
    assert.doesNotMatch(body, /\sstyle="/i, "no style attributes");
    const csp = String(page.headers["content-security-policy"]);
    assert.match(csp, /style-src 'self'/);
    // The only inline script is GOV.UK Frontend's one-line body class, carrying the CSP's nonce.
    const scripts = body.match(/<script\b[^>]*>/g) ?? [];
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(
      scripts.every((tag) => /\ssrc="/.test(tag) || (nonce && tag.includes(`nonce="${nonce}"`))),
      "no inline script without the nonce",
    );
    // The table's total equals the number of entries shown.
    const totals = [
      ...body.matchAll(/<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)<\/td>\s*<\/tr>/g),
    ];
    const sum = totals.reduce((n, m) => n + Number(m[1]), 0);
    const shown = (await repoOf(health).familyChronology(family.babyId))?.events.length;
    assert.equal(sum, shown);
  });
});

describe("exports", () => {
  it("give CSV and PDF with the right content types, honouring the filters", async () => {
    const client = await clientFor(frontDoor);
    const csv = await client.get(`/people/${family.babyId}/family-chronology.csv?neglect=educational`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers["content-type"]), /^text\/csv/);
    assert.match(
      String(csv.headers["content-disposition"]),
      /^attachment; filename="family-chronology-poppy-tamworth\.csv"/,
    );
    assert.match(csv.body, /Jayden Tamworth/);
    assert.doesNotMatch(csv.body, /health review/);
    const pdf = await client.get(`/people/${family.babyId}/family-chronology.pdf`);
    assert.equal(pdf.statusCode, 200);
    assert.equal(pdf.headers["content-type"], "application/pdf");
    assert.equal(pdf.rawPayload.subarray(0, 5).toString("latin1"), "%PDF-");
  });
});
