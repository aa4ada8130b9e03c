// SPDX-License-Identifier: MIT
/**
 * Generated journeys follow the national proportions and pass the DfE rules; a generated year exports
 * to XML that passes the XSD and rules, and importing it into another partnership gives back the same
 * episodes; a malformed or rule-breaking file is refused whole; Annex A lists 1 to 7 export to XLSX.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import ExcelJS from "exceljs";
import type { HearthDatabase } from "../db/database.ts";
import { seededRandom } from "../generator/random.ts";
import { addMonths } from "../kernel/calendar.ts";
import { createTestPartnership, openTestDatabase } from "../test-support/harness.ts";
import {
  annexALists,
  annexAWorkbook,
  episodeEvents,
  exportCinCensus,
  importCinCensus,
  scopeToYear,
  toCinEpisode,
} from "./cin-census.ts";
import { validateCinReturn } from "./cin-rules/index.ts";
import { buildCinXml, type CinChild, type CinEpisode, parseCinXml, validateCinXml } from "./cin-xml.ts";
import { deriveEpisodes } from "./episodes.ts";
import { generatedCinReturn } from "./generate-cin-return.ts";
import { generateJourneys, journeyEventsByPerson } from "./generate-journeys.ts";

const REFERENCE = "2025-06-01";

describe("generated journeys", () => {
  const children = Array.from({ length: 20000 }, (_, i) => ({
    personId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    dateOfBirth: `20${String(8 + (i % 17)).padStart(2, "0")}-0${1 + (i % 9)}-15`,
  }));
  const rows = generateJourneys(children, {
    random: seededRandom("journeys"),
    partnershipId: "p",
    referenceDate: REFERENCE,
    years: 4,
    workerUserIds: ["w"],
  });
  const byPerson = journeyEventsByPerson(rows);
  const episodes = [...byPerson.values()].map((list) => deriveEpisodes(list));
  const all = episodes.flat();
  const plans = all.flatMap((e) => e.cpPlans);

  it("follow the national proportions", () => {
    const share = (n: number, d: number) => n / d;
    const neglect = share(plans.filter((p) => p.initialCategory === "NEG").length, plans.length);
    assert.ok(neglect > 0.4 && neglect < 0.6, `neglect ${neglect}`);
    const repeat = share(plans.filter((p) => p.previousPlans > 0).length, plans.length);
    assert.ok(repeat > 0.12 && repeat < 0.35, `second or subsequent plans ${repeat}`);
    const reReferrals = episodes.flatMap((list) =>
      list.filter((e, i) => i > 0 && addMonths(list[i - 1]?.referralDate ?? "", 12) >= e.referralDate),
    ).length;
    const rate = share(reReferrals, all.length);
    assert.ok(rate > 0.1 && rate < 0.35, `re-referrals within 12 months ${rate}`);
    const nfa = share(all.filter((e) => e.nfa).length, all.length);
    assert.ok(nfa > 0.03 && nfa < 0.1, `NFA ${nfa}`);
    const planRate = share(plans.length, all.length);
    assert.ok(planRate > 0.05 && planRate < 0.2, `plans per referral ${planRate}`);
    const ended = plans.filter((p) => p.end !== null);
    const sixToTwelve = share(
      ended.filter((p) => p.end !== null && p.end > addMonths(p.start, 6) && p.end <= addMonths(p.start, 12))
        .length,
      ended.length,
    );
    assert.ok(sixToTwelve > 0.3 && sixToTwelve < 0.55, `plans ending at 6 to 12 months ${sixToTwelve}`);
  });

  it("pass every ported rule that is an error", () => {
    const atYearEnd = [...byPerson.values()].map((list) =>
      deriveEpisodes(list.filter((e) => e.occurredOn <= "2025-03-31")),
    );
    const cinChildren: CinChild[] = atYearEnd.map((list, i) => ({
      laChildId: `C${i}`,
      upn: null,
      formerUpn: null,
      upnUnknown: null,
      birthDate: "2015-01-01",
      expectedBirthDate: null,
      sex: "M",
      deathDate: null,
      ethnicity: "WBRI",
      disabilities: ["NONE"],
      episodes: list
        .filter(
          (e) => e.referralDate <= "2025-03-31" && (e.closureDate === null || e.closureDate >= "2024-04-01"),
        )
        .map((e) => scopeToYear(toCinEpisode(e), "2024-04-01")),
    }));
    const errors = validateCinReturn({
      header: {
        year: 2025,
        referenceDate: "2025-03-31",
        lea: "204",
        softwareCode: "H",
        release: "1",
        serialNo: "001",
        dateTime: "2025-04-01T00:00:00",
      },
      children: cinChildren.filter((c) => c.episodes.length > 0),
    }).filter((f) => !f.query);
    assert.deepEqual(errors.slice(0, 5), []);
  });
});

describe("the CIN census on a database", () => {
  let database: HearthDatabase;
  before(async () => {
    database = await openTestDatabase();
  });
  after(async () => {
    await database.close();
  });

  const countEvents = async (partnershipId: string) =>
    Number(
      (
        await database.unsafeOwnerDb
          .selectFrom("csc_events")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("partnership_id", "=", partnershipId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("imports a generated return of over 3,000 children and exports it back item for item", async () => {
    const input = generatedCinReturn(36000, "round trip");
    assert.ok(input.children.length >= 3000, `${input.children.length} children`);
    const plans = input.children.flatMap((c) => c.episodes.flatMap((e) => e.cpPlans));
    assert.ok(plans.filter((p) => p.start < "2024-04-01").length > 20, "plans started before the year");
    assert.ok(input.children.some((c) => c.upnUnknown) && input.children.some((c) => c.formerUpn));
    const xml = buildCinXml(input);
    assert.deepEqual(await validateCinXml(xml), []);
    assert.deepEqual(
      validateCinReturn(input)
        .filter((f) => !f.query)
        .slice(0, 5)
        .map((f) => `${f.laChildId} ${f.code} ${f.detail}`),
      [],
    );

    const target = await createTestPartnership(database, 20, { socialCareJourneys: false });
    const db = database.unsafeOwnerDb;
    await db
      .updateTable("people")
      .set({ local_id: null })
      .where("partnership_id", "=", target.partnershipId)
      .execute();
    const loaded = await importCinCensus(db, { partnershipId: target.partnershipId, xml });
    assert.ok(loaded.ok, loaded.ok ? "" : loaded.reasons.slice(0, 5).join("\n"));
    const output = await exportCinCensus(db, {
      partnershipId: target.partnershipId,
      year: 2025,
      dateTime: input.header.dateTime,
    });
    const byId = (list: CinChild[]) => [...list].sort((a, b) => (a.laChildId < b.laChildId ? -1 : 1));
    assert.equal(output.data.children.length, input.children.length);
    assert.deepEqual(byId(output.data.children), byId(parseCinXml(xml).children));
    assert.deepEqual(output.xsdProblems, []);
  });

  it("lists in Annex A list 6 every child open in the six months, not only those with an assessment", async () => {
    const partnership = await createTestPartnership(database, 20, { socialCareJourneys: false });
    const db = database.unsafeOwnerDb;
    const kids = await db
      .selectFrom("people")
      .select(["person_id"])
      .where("partnership_id", "=", partnership.partnershipId)
      .where("kind", "=", "child")
      .orderBy("person_id")
      .limit(4)
      .execute();
    const [planned, referred, nfa, closedLongAgo] = kids.map((k) => k.person_id);
    assert.ok(planned && referred && nfa && closedLongAgo);
    await db
      .updateTable("people")
      .set((eb) => ({ local_id: eb.fn("substr", [eb.cast("person_id", "text"), eb.val(1), eb.val(8)]) }))
      .where("partnership_id", "=", partnership.partnershipId)
      .execute();
    const episode = (e: Partial<CinEpisode> & { referralDate: string }): CinEpisode => ({
      source: "1A",
      primaryNeed: "N1",
      closureDate: null,
      closureReason: null,
      episodeIcpc: null,
      assessments: [],
      cinPlans: [],
      section47s: [],
      nfa: false,
      cpPlans: [],
      ...e,
    });
    const rows = [
      // On a plan since 2022, the assessment before it not carried (as a loaded return has it).
      ...episodeEvents(
        partnership.partnershipId,
        planned,
        episode({
          referralDate: "2022-03-01",
          cpPlans: [
            {
              start: "2022-04-01",
              end: null,
              initialCategory: "NEG",
              latestCategory: "NEG",
              previousPlans: 0,
              reviews: [],
            },
          ],
        }),
      ),
      // Referred last month: open, not yet assessed.
      ...episodeEvents(partnership.partnershipId, referred, episode({ referralDate: "2025-03-10" })),
      // Referral-only: no further action.
      ...episodeEvents(
        partnership.partnershipId,
        nfa,
        episode({ referralDate: "2025-02-03", nfa: true, closureDate: "2025-02-04", closureReason: "RC8" }),
      ),
      // Closed more than six months before the inspection date.
      ...episodeEvents(
        partnership.partnershipId,
        closedLongAgo,
        episode({ referralDate: "2024-01-03", closureDate: "2024-06-04", closureReason: "RC8" }),
      ),
    ];
    await db.insertInto("csc_events").values(rows).execute();
    const lists = await annexALists(db, { partnershipId: partnership.partnershipId, on: "2025-04-01" });
    const list6 = lists.find((l) => l.name === "List 6 Children in need");
    assert.ok(list6);
    const ids = list6.rows.map((r) => r[0]);
    const idOf = (personId: string) => personId.slice(0, 8);
    assert.deepEqual(ids.sort(), [idOf(planned), idOf(referred)].sort());
    const plannedRow = list6.rows.find((r) => r[0] === idOf(planned));
    assert.equal(plannedRow?.[list6.columns.indexOf("Case Status")], "b) Child Protection plan");
    assert.equal(plannedRow?.[list6.columns.indexOf("CIN Start Date")], "2022-03-01");
  });

  it("exports the demo partnership for 2025 and 2026 with no DfE error", async () => {
    // The demo generator's own journeys (as `hearth generate` makes them), not the test's seed.
    const demo = await createTestPartnership(database, 400);
    for (const year of [2025, 2026]) {
      const result = await exportCinCensus(database.unsafeOwnerDb, {
        partnershipId: demo.partnershipId,
        year,
        dateTime: `${year}-04-02T10:00:00`,
      });
      assert.ok(result.data.children.length > 5, `${year}: ${result.data.children.length} children`);
      assert.deepEqual(result.xsdProblems, [], `${year}: XSD`);
      assert.deepEqual(
        result.findings.filter((f) => !f.query).map((f) => `${f.laChildId} ${f.code} ${f.detail}`),
        [],
        `${year}: DfE errors`,
      );
    }
  });

  it("exports a generated year that imports back into the same episodes; bad files are refused whole", async () => {
    // The source's journeys are generated here, from a seed of the test's own; the target starts with none.
    const source = await createTestPartnership(database, 400, { socialCareJourneys: false });
    const target = await createTestPartnership(database, 20, { socialCareJourneys: false });
    const db = database.unsafeOwnerDb;
    const kids = await db
      .selectFrom("people")
      .select(["person_id", "date_of_birth"])
      .where("partnership_id", "=", source.partnershipId)
      .where("kind", "=", "child")
      .where("date_of_birth", "is not", null)
      // The seed's order (ids differ between runs): the same children get the same journeys every run.
      .orderBy("date_of_birth")
      .orderBy("family_name")
      .orderBy("given_names")
      .execute();
    const workers = await db
      .selectFrom("users")
      .select("user_id")
      .where("partnership_id", "=", source.partnershipId)
      .where("role", "=", "practitioner")
      .execute();
    const rows = generateJourneys(
      kids.map((k) => ({ personId: k.person_id, dateOfBirth: k.date_of_birth })),
      {
        random: seededRandom("census"),
        partnershipId: source.partnershipId,
        referenceDate: REFERENCE,
        years: 4,
        workerUserIds: workers.map((w) => w.user_id),
      },
    ).map((r) => ({ ...r, codes: r.codes ?? [] }));
    for (let i = 0; i < rows.length; i += 500)
      await db
        .insertInto("csc_events")
        .values(rows.slice(i, i + 500))
        .execute();

    // Items the record keeps only for the return (0017): why a child has no UPN, and a former UPN.
    await db
      .updateTable("people")
      .set({ upn_unknown: "UN2" })
      .where("partnership_id", "=", source.partnershipId)
      .where("kind", "=", "child")
      .where("upn", "is", null)
      .execute();
    await db
      .updateTable("people")
      .set({ former_upn: "A123456789012" })
      .where("partnership_id", "=", source.partnershipId)
      .where(
        "person_id",
        "in",
        kids.slice(0, 40).map((k) => k.person_id),
      )
      .execute();

    // An assessment's internal review (AssessmentInternalReviewDate) is an event on the assessment (0029).
    const reviewed = await db
      .selectFrom("csc_events")
      .select(["event_id", "person_id", "episode_id", "occurred_on"])
      .where("partnership_id", "=", source.partnershipId)
      .where("event_type", "=", "assessment-start")
      .where("occurred_on", ">=", "2024-04-01")
      .where("occurred_on", "<=", "2025-03-31")
      .orderBy("occurred_on")
      .limit(30)
      .execute();
    assert.ok(reviewed.length > 5, `${reviewed.length} assessments to review`);
    await db
      .insertInto("csc_events")
      .values(
        reviewed.map((a) => ({
          partnership_id: source.partnershipId,
          event_id: crypto.randomUUID(),
          person_id: a.person_id,
          episode_id: a.episode_id,
          subject_id: a.event_id,
          event_type: "assessment-internal-review" as const,
          occurred_on: a.occurred_on,
          origin: "generator" as const,
        })),
      )
      .execute();

    const first = await exportCinCensus(db, {
      partnershipId: source.partnershipId,
      year: 2025,
      dateTime: "2025-04-02T10:00:00",
    });
    assert.ok(first.data.children.length > 5, `${first.data.children.length} children`);
    assert.ok(first.data.children.some((c) => c.upnUnknown === "UN2") && /<UPNunknown>UN2</.test(first.xml));
    assert.ok(first.data.children.some((c) => c.formerUpn === "A123456789012"));
    assert.ok(/<FormerUPN>A123456789012</.test(first.xml));
    const reviews = first.data.children.flatMap((c) =>
      c.episodes.flatMap((e) => e.assessments.map((a) => a.internalReview).filter((d) => d !== null)),
    );
    assert.equal(reviews.length, reviewed.length, "every internal review is in the return");
    assert.ok(/<AssessmentInternalReviewDate>2024-/.test(first.xml));
    assert.deepEqual(first.xsdProblems, []);
    assert.deepEqual(
      first.findings.filter((f) => !f.query).map((f) => `${f.laChildId} ${f.code} ${f.detail}`),
      [],
    );

    // The target's own children carry generated local ids that would match the source's LAchildIDs.
    await db
      .updateTable("people")
      .set({ local_id: null })
      .where("partnership_id", "=", target.partnershipId)
      .execute();
    const before = await countEvents(target.partnershipId);
    const broken = await importCinCensus(db, {
      partnershipId: target.partnershipId,
      xml: first.xml.replace("</Children>", ""),
    });
    assert.equal(broken.ok, false);
    // Well formed and passing every rule, but not the XSD: the XSD runs beside the writes, which roll back.
    const unknownItem = await importCinCensus(db, {
      partnershipId: target.partnershipId,
      xml: first.xml.replace("</ChildIdentifiers>", "<Nickname>Jo</Nickname></ChildIdentifiers>"),
    });
    assert.equal(unknownItem.ok, false);
    if (!unknownItem.ok) assert.match(unknownItem.reasons.join("\n"), /Nickname/);
    assert.equal(
      await countEvents(target.partnershipId),
      before,
      "nothing loaded from a file the XSD refuses",
    );
    const ruleBreaking = first.xml.replace(/<ReferralNFA>0<\/ReferralNFA>/, "<ReferralNFA>1</ReferralNFA>");
    const refused = await importCinCensus(db, { partnershipId: target.partnershipId, xml: ruleBreaking });
    assert.equal(refused.ok, false);
    if (!refused.ok)
      assert.ok(
        refused.reasons.some((r) => /rule (4000|8831|8832|8610)/.test(r)),
        refused.reasons.join("\n"),
      );
    assert.equal(await countEvents(target.partnershipId), before, "nothing half loaded");

    const dry = await importCinCensus(db, {
      partnershipId: target.partnershipId,
      xml: first.xml,
      dryRun: true,
    });
    assert.ok(dry.ok && dry.events === 0, "a dry run validates only");
    assert.equal(await countEvents(target.partnershipId), before, "a dry run loads nothing");
    const loaded = await importCinCensus(db, { partnershipId: target.partnershipId, xml: first.xml });
    assert.ok(loaded.ok, loaded.ok ? "" : loaded.reasons.join("\n"));
    const again = await exportCinCensus(db, {
      partnershipId: target.partnershipId,
      year: 2025,
      dateTime: "2025-04-02T10:00:00",
    });
    assert.deepEqual(again.data.children, first.data.children);

    const twice = await importCinCensus(db, { partnershipId: target.partnershipId, xml: first.xml });
    assert.equal(twice.ok, false, "the same episodes cannot be loaded twice");
    assert.equal(await countEvents(target.partnershipId), before + (loaded.ok ? loaded.events : 0));

    const lists = await annexALists(db, { partnershipId: source.partnershipId, on: "2025-04-01" });
    assert.equal(lists.length, 7);
    assert.ok((lists.find((l) => l.name.startsWith("List 7"))?.rows.length ?? 0) > 0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await annexAWorkbook(lists)) as unknown as ArrayBuffer);
    assert.deepEqual(
      workbook.worksheets.map((w) => w.name),
      lists.map((l) => l.name),
    );
    assert.equal(workbook.getWorksheet("List 3 Referrals")?.getRow(1).getCell(1).value, "Child Unique ID");
  });
});
