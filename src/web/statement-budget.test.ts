// SPDX-License-Identifier: MIT
/**
 * The pages staff open most each answer in one transaction, sending at most a set number of statements
 * to the database. A page that starts reading row by row (a statement for each user, child or entry)
 * fails here, on any machine, before anyone feels it slow. The budgets are what each page sends today
 * (the page benchmark, bench/profile-pages.ts, lists the statements themselves): lower one when a page
 * comes to send fewer, and raise one only with a reason in the commit.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import type { HearthDatabase } from "../db/database.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import type { Role } from "../organisation/codes.ts";
import {
  createTestPartnership,
  openTestDatabase,
  signInFor,
  TestClient,
  testConfig,
} from "../test-support/harness.ts";
import { countStatements, type StatementCounter } from "../test-support/statement-counter.ts";
import { buildApp } from "./app.ts";

let database: HearthDatabase;
let partnership: GeneratedPartnership;
let counter: StatementCounter;
let app: FastifyInstance;

before(async () => {
  database = await openTestDatabase();
  partnership = await createTestPartnership(database);
  counter = countStatements(database, true);
  app = await buildApp({ config: testConfig(), database: counter.database });
  await app.ready();
});
after(async () => {
  await app?.close();
  await database?.close();
});

const clients = new Map<Role, TestClient>();
const clientFor = async (role: Role): Promise<TestClient> => {
  const known = clients.get(role);
  if (known) return known;
  const client = new TestClient(app);
  await client.signIn(signInFor(partnership, role).email, {
    totpSecret: partnership.administratorTotpSecret,
  });
  clients.set(role, client);
  return client;
};

/**
 * Opens a page as the role and gives what one request of it sent (after a first request warms it). A
 * child's record first asks for their history summary to be read: that is done first, once.
 */
const sentFor = async (role: Role, url: string) => {
  const client = await clientFor(role);
  let first = await client.get(url);
  if (first.statusCode === 303 && String(first.headers.location).endsWith("/history")) {
    await client.get(`${url}/history`);
    await client.post(`${url}/history`, {});
    first = await client.get(url);
  }
  assert.equal(first.statusCode, 200, `${url} as ${role}: ${first.statusCode}`);
  counter.reset();
  const response = await client.get(url);
  assert.equal(response.statusCode, 200);
  const statements = counter.statements();
  const listing = statements
    .map(({ sql }, i) => `  ${i + 1}. ${sql.replace(/\s+/g, " ").slice(0, 160)}`)
    .join("\n");
  return { statements: statements.length, transactions: counter.transactions(), listing };
};

describe("the statements a page sends", () => {
  const pages: { name: string; role: Role; url: () => string; budget: number }[] = [
    // 13 with this partnership's data; 16 when every section has work (the page benchmark's caseload).
    { name: "the practitioner's home page", role: "practitioner", url: () => "/", budget: 16 },
    { name: "the manager's home page", role: "manager", url: () => "/", budget: 19 },
    {
      name: "a child's record",
      role: "safeguarding-lead",
      url: () => `/people/${partnership.demoFamily.babyPersonId}`,
      budget: 10,
    },
    {
      name: "the family chronology",
      role: "safeguarding-lead",
      url: () => `/people/${partnership.demoFamily.babyPersonId}/family-chronology`,
      budget: 8,
    },
    {
      name: "a search by name",
      role: "practitioner",
      url: () => `/people?name=${encodeURIComponent(partnership.demoFamily.familyName)}`,
      budget: 6,
    },
    { name: "the alerts", role: "manager", url: () => "/pathways/alerts", budget: 8 },
    { name: "the users page", role: "administrator", url: () => "/admin/users", budget: 4 },
  ];
  for (const page of pages)
    it(`${page.name}: one transaction, at most ${page.budget} statements`, async () => {
      const sent = await sentFor(page.role, page.url());
      assert.equal(sent.transactions, 1, `transactions:\n${sent.listing}`);
      assert.ok(
        sent.statements <= page.budget,
        `${sent.statements} statements, budget ${page.budget}:\n${sent.listing}`,
      );
    });
});
