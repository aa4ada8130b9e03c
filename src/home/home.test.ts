// SPDX-License-Identifier: MIT
/**
 * The home page is each role's worklist: each role sees its own sections (over HTTP, no JavaScript),
 * the navigation carries the counts, and a worker's list holds only children their agency works with.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generateAssessments } from "../assessments/generate-assessments.ts";
import type { AccessContext } from "../data/access-context.ts";
import { repositoryFor } from "../data/repository.ts";
import { addCalendarDays, todayInEngland } from "../kernel/calendar.ts";
import { recordCscEvents } from "../test-support/csc-events.ts";
import { contextOfUser, TestClient } from "../test-support/harness.ts";
import { createTestChild } from "../test-support/people.ts";
import { app, database, partnership, useTestApp } from "../test-support/test-app.ts";

const client = async (local: string) => {
  const found = partnership.signIns.find((s) => s.email.startsWith(`${local}@`));
  assert.ok(found, local);
  const c = new TestClient(app);
  await c.signIn(found.email);
  return { c, user: found };
};

/** The section's HTML, from its opening tag to the next section. */
const section = (html: string, id: string): string | undefined => {
  const start = html.indexOf(`<section class="govuk-!-margin-bottom-8" id="${id}"`);
  if (start < 0) return undefined;
  const end = html.indexOf("</section>", start);
  return html.slice(start, end);
};

const childLinks = (html: string) =>
  [...html.matchAll(/href="\/people\/([0-9a-f-]{36})\/pathway"/g)].map((m) => m[1] as string);

useTestApp({ children: 60, socialCareJourneys: true });

const EXPECTED: Record<string, { shows: string[]; hides: string[] }> = {
  practitioner: {
    shows: ["my-cases", "alerts", "differences", "notifications"],
    hides: ["sign-offs", "front-door"],
  },
  school: {
    shows: ["my-cases", "alerts", "differences", "notifications"],
    hides: ["sign-offs", "front-door"],
  },
  "health-visitor": {
    shows: ["my-cases", "alerts", "differences", "notifications"],
    hides: ["sign-offs", "front-door"],
  },
  manager: {
    shows: ["sign-offs", "my-cases", "alerts", "differences", "notifications"],
    hides: ["front-door"],
  },
  "front-door": {
    shows: ["front-door", "alerts", "differences", "notifications"],
    hides: ["sign-offs", "my-cases"],
  },
  "safeguarding-lead": {
    shows: ["sign-offs", "front-door", "alerts", "differences", "notifications"],
    hides: ["my-cases"],
  },
  auditor: {
    shows: ["notifications"],
    hides: ["my-cases", "alerts", "sign-offs", "front-door", "differences"],
  },
  analyst: {
    shows: ["notifications"],
    hides: ["my-cases", "alerts", "sign-offs", "front-door", "differences"],
  },
};

describe("the home page", () => {
  for (const [local, expected] of Object.entries(EXPECTED)) {
    it(`shows the ${local}'s worklist sections`, async () => {
      const { c, user } = await client(local);
      const home = await c.get("/");
      assert.equal(home.statusCode, 200);
      assert.match(home.body, new RegExp(`Welcome, ${user.displayName.replaceAll("'", "&#39;")}`));
      for (const id of expected.shows) assert.ok(section(home.body, id), `${local} sees ${id}`);
      for (const id of expected.hides)
        assert.equal(section(home.body, id), undefined, `${local} does not see ${id}`);
      assert.equal((home.body.match(/<main/g) ?? []).length, 1);
    });
  }

  it("lists only children the worker's agency works with, never another agency's child", async () => {
    for (const local of ["practitioner", "school", "health-visitor", "manager"]) {
      const { c, user } = await client(local);
      const mine = section((await c.get("/")).body, "my-cases") ?? "";
      const agency = await database.unsafeOwnerDb
        .selectFrom("users")
        .select("agency_id")
        .where("partnership_id", "=", partnership.partnershipId)
        .where("user_id", "=", user.userId)
        .executeTakeFirstOrThrow();
      const ids = childLinks(mine);
      for (const id of ids) {
        const involved = await database.unsafeOwnerDb
          .selectFrom("involvements")
          .select("involvement_id")
          .where("partnership_id", "=", partnership.partnershipId)
          .where("person_id", "=", id)
          .where("agency_id", "=", agency.agency_id)
          .executeTakeFirst();
        assert.ok(involved, `${local}'s list holds only their agency's children`);
      }
      const others = await database.unsafeOwnerDb
        .selectFrom("people as c")
        .select("c.person_id")
        .where("c.partnership_id", "=", partnership.partnershipId)
        .where("c.kind", "=", "child")
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("involvements as i")
                .select("i.involvement_id")
                .whereRef("i.partnership_id", "=", "c.partnership_id")
                .whereRef("i.person_id", "=", "c.person_id")
                .where("i.agency_id", "=", agency.agency_id),
            ),
          ),
        )
        .execute();
      assert.ok(others.length > 0);
      for (const other of others)
        assert.ok(!mine.includes(other.person_id), `${local} never sees another agency's child`);
    }
  });

  it("gives the social worker her allocated cases with what is due, and counts work on the navigation", async () => {
    const { c, user } = await client("practitioner");
    // The generated journeys (a random seed) may allocate her nothing: make her lead professional on
    // one of her agency's open involvements, so she has at least one case of her own.
    const worker = await database.unsafeOwnerDb
      .selectFrom("users")
      .select("agency_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("user_id", "=", user.userId)
      .executeTakeFirstOrThrow();
    const involvement = await database.unsafeOwnerDb
      .selectFrom("involvements")
      .select("involvement_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("agency_id", "=", worker.agency_id)
      .where("ended_on", "is", null)
      .orderBy("involvement_id")
      .executeTakeFirstOrThrow();
    await database.unsafeOwnerDb
      .updateTable("involvements")
      .set({ lead_professional_user_id: user.userId })
      .where("partnership_id", "=", partnership.partnershipId)
      .where("involvement_id", "=", involvement.involvement_id)
      .execute();
    const mine = section((await c.get("/")).body, "my-cases") ?? "";
    assert.ok(childLinks(mine).length > 0, "her allocated cases are on her home page");
    const { c: frontDoor } = await client("front-door");
    const waiting = await database.unsafeOwnerDb
      .selectFrom("support_requests")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("partnership_id", "=", partnership.partnershipId)
      .where("outcome", "is", null)
      .executeTakeFirstOrThrow();
    const home = await frontDoor.get("/");
    if (Number(waiting.n) > 0) {
      assert.match(home.body, new RegExp(`Front door \\(${Number(waiting.n)}\\)`));
      assert.match(
        section(home.body, "front-door") ?? "",
        new RegExp(`${Number(waiting.n)} requests? for support waiting`),
      );
    } else assert.match(home.body, />\s*Front door\s*</);
  });
});

describe("neglect assessments to act on", () => {
  it("puts a relapse and an overdue reassessment on the manager's worklist, never on another agency's", async () => {
    const contextOf = async (local: string): Promise<AccessContext> => {
      const found = partnership.signIns.find((s) => s.email.startsWith(`${local}@`));
      assert.ok(found, local);
      return contextOfUser(database, partnership.partnershipId, { userId: found.userId });
    };
    const worker = await contextOf("practitioner");
    const manager = await contextOf("manager");
    const child = (givenNames: string) =>
      createTestChild(
        repositoryFor(database, worker).people,
        { givenNames, familyName: "Flagwell", dateOfBirth: "2019-05-05" },
        { startedOn: "2024-01-08" },
      );
    const write = async (personId: string, trajectory: "relapsing" | "improving", referenceDate: string) =>
      generateAssessments(database, {
        partnershipId: partnership.partnershipId,
        seed: `to-act-on-${trajectory}`,
        agencyId: worker.agencyId,
        practitionerUserId: worker.userId,
        managerUserId: manager.userId,
        referenceDate,
        children: [{ personId, dateOfBirth: "2019-05-05", trajectory }],
      });
    const today = todayInEngland();
    await write(await child("Relapsing"), "relapsing", addCalendarDays(today, -10));
    // Its latest reading is about nine months old: the child needs profile asks for one every six.
    await write(await child("Overdue"), "improving", addCalendarDays(today, -240));

    const { c } = await client("manager");
    const mine = section((await c.get("/")).body, "assessments-to-act-on") ?? "";
    assert.match(mine, /Relapsing Flagwell/);
    assert.match(mine, /Relapse after improvement/);
    assert.match(mine, /Overdue Flagwell/);
    assert.match(mine, /Reassessment overdue since/);
    const relapsingRow = mine.slice(
      mine.indexOf("Relapsing Flagwell"),
      mine.indexOf("</tr>", mine.indexOf("Relapsing Flagwell")),
    );
    assert.doesNotMatch(relapsingRow, /Reassessment overdue/, "a recent reading is not overdue");

    // Another agency's staff never see these children, not even their names.
    for (const local of ["health-visitor", "school"]) {
      const other = await client(local);
      const home = (await other.c.get("/")).body;
      assert.doesNotMatch(home, /Flagwell/, `${local} sees nothing of another agency's children`);
    }
  });
});

describe("a manager's caseload of hundreds of children", () => {
  it("lists the soonest due across every child and counts them all, not the first few hundred by name", async () => {
    const { c, user } = await client("manager");
    const db = database.unsafeOwnerDb;
    const { agency_id: agencyId } = await db
      .selectFrom("users")
      .select("agency_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("user_id", "=", user.userId)
      .executeTakeFirstOrThrow();
    const before = Number(
      /(\d+) children?/.exec(section((await c.get("/")).body, "my-cases") ?? "")?.[1] ?? 0,
    );
    // 320 children of the agency whose names come first, with nothing due.
    const early = Array.from({ length: 320 }, () => crypto.randomUUID());
    await db
      .insertInto("people")
      .values(
        early.map((personId, i) => ({
          partnership_id: partnership.partnershipId,
          person_id: personId,
          kind: "child",
          given_names: `Bulk ${String(i).padStart(3, "0")}`,
          family_name: "Aaberg",
          sex: "F",
          date_of_birth: "2018-04-04",
        })),
      )
      .execute();
    // And one named last, on a child protection plan whose first review is long overdue.
    const last = crypto.randomUUID();
    await db
      .insertInto("people")
      .values({
        partnership_id: partnership.partnershipId,
        person_id: last,
        kind: "child",
        given_names: "Zora",
        family_name: "Zywiec",
        sex: "F",
        date_of_birth: "2017-03-03",
      })
      .execute();
    await db
      .insertInto("involvements")
      .values(
        [...early, last].map((personId) => ({
          partnership_id: partnership.partnershipId,
          involvement_id: crypto.randomUUID(),
          person_id: personId,
          agency_id: agencyId,
          started_on: "2025-01-06",
          is_lead_agency: true,
          sharing_basis: "consent",
          consent: "given",
        })),
      )
      .execute();
    const referral = crypto.randomUUID();
    await recordCscEvents(database, partnership.partnershipId, last, user.userId, [
      { type: "referral", id: referral, episode: referral, on: "2024-01-10", code: "1A" },
      { type: "cp-plan-start", episode: referral, on: "2024-02-01", code: "NEG" },
    ]);

    const mine = section((await c.get("/")).body, "my-cases") ?? "";
    const total = Number(/(\d+) children?/.exec(mine)?.[1] ?? 0);
    assert.equal(total, before + 321, "every child on the caseload is counted");
    assert.match(
      mine,
      /Zora Zywiec/,
      "the child with the soonest date is listed, though her name comes last",
    );
    assert.ok(childLinks(mine)[0] === last, "and listed first");
    assert.match(mine, /overdue/);
  });
});
