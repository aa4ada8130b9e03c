// SPDX-License-Identifier: MIT
/**
 * One picture of the child at scale: server time (p50/p95) of a family chronology holding 5,000 entries,
 * and of person search (typo-tolerant name, NHS number, date of birth) over a partnership of 100,000
 * children with their parents and adults, on PGlite and PostgreSQL.
 *
 * Each Hearth figure is beside a baseline measured in the same run on the same data: the bare SQL a
 * hand-written query would run as the database owner (no access predicates, no audit, no rendering).
 * The ratio is what the one door to the data (row-level security transaction, involvement predicates,
 * audit row) and the page cost on top of the query itself.
 *
 * Settings: BENCH_PEOPLE_CHILDREN (100000) sizes the partnership, BENCH_CHRONOLOGY_EVENTS (5000),
 * BENCH_ITERATIONS (40) timed runs per measurement after 5 warm-up runs.
 */
import { sql } from "kysely";
import type { AccessContext } from "../src/data/access-context.ts";
import { repositoryFor } from "../src/data/repository.ts";
import { type HearthDatabase, openDatabase } from "../src/db/database.ts";
import { generatePartnership } from "../src/generator/generate-partnership.ts";
import { createFamily, findUser } from "../src/test-support/families.ts";
import { TestClient, testConfig } from "../src/test-support/harness.ts";
import { buildApp } from "../src/web/app.ts";
import {
  addFamilyEvents,
  onFreshPostgres,
  progress,
  saveResults,
  type Timing,
  timeRuns,
  timestamp,
} from "./support.ts";

const children = Number(process.env.BENCH_PEOPLE_CHILDREN ?? 100_000);
const eventCount = Number(process.env.BENCH_CHRONOLOGY_EVENTS ?? 5_000);
const iterations = Number(process.env.BENCH_ITERATIONS ?? 40);
const WARM_UP = 5;

type Result = {
  database: string;
  measurement: string;
  hearth: Timing;
  baseline: Timing;
  ratio: number;
  size: string;
};

const time = (work: (i: number) => Promise<unknown>): Promise<Timing> =>
  timeRuns(work, { warmUp: WARM_UP, iterations });

const benchmarkEngine = async (label: string, database: HearthDatabase): Promise<Result[]> => {
  progress(`${label}: generating a partnership of ${children.toLocaleString()} children`);
  let lastShown = 0;
  const partnership = await generatePartnership(database, {
    seed: "bench-people",
    children,
    name: "Bench",
    onProgress: (done, total) => {
      const percent = Math.floor((done / total) * 100);
      if (percent >= lastShown + 10) {
        lastShown = percent;
        progress(`${label}: generated ${percent}%`);
      }
    },
  });
  const people = await database.unsafeOwnerDb
    .selectFrom("people")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("partnership_id", "=", partnership.partnershipId)
    .executeTakeFirstOrThrow();
  const p = partnership.partnershipId;
  const healthVisitor = await findUser(database, p, {
    role: "practitioner",
    agencyName: "Community Health NHS Trust",
  });
  const agencies = await database.unsafeOwnerDb
    .selectFrom("agencies")
    .select("agency_id")
    .where("partnership_id", "=", p)
    .limit(6)
    .execute();
  const family = await createFamily(database, {
    partnershipId: p,
    familyName: "Benchmark",
    involvements: [{ agencyId: healthVisitor.agencyId, child: "baby" }],
  });
  const members = [family.babyId, family.siblingId, family.motherId, family.partnerId];
  progress(`${label}: adding ${eventCount.toLocaleString()} chronology entries to one family`);
  await addFamilyEvents(
    database,
    p,
    members,
    agencies.map((a) => a.agency_id),
    eventCount,
  );

  const user = await database.unsafeOwnerDb
    .selectFrom("users")
    .select(["agency_id", "team_id"])
    .where("partnership_id", "=", p)
    .where("user_id", "=", healthVisitor.userId)
    .executeTakeFirstOrThrow();
  const context: AccessContext = {
    partnershipId: p,
    userId: healthVisitor.userId,
    role: "practitioner",
    agencyId: user.agency_id,
    teamId: user.team_id,
    sessionId: null,
    ip: "127.0.0.1",
  };
  const repo = repositoryFor(database, context);
  const app = await buildApp({ config: testConfig(), database });
  await app.ready();
  const client = new TestClient(app);
  await client.signIn(healthVisitor.email);
  const size = `${Number(people.count).toLocaleString()} people; ${eventCount.toLocaleString()} entries in the family`;
  const results: Result[] = [];
  const record = (measurement: string, hearth: Timing, baseline: Timing) => {
    results.push({ database: label, measurement, hearth, baseline, ratio: hearth.p50 / baseline.p50, size });
  };

  progress(`${label}: family chronology`);
  const rawFamily = () =>
    sql`select e.*, a.name from chronology_events e join agencies a
          on a.partnership_id = e.partnership_id and a.agency_id = e.source_agency_id
        where e.partnership_id = ${p} and e.person_id in (${sql.join(members)})
        order by e.occurred_on`.execute(database.unsafeOwnerDb);
  const rawFamilyTiming = await time(rawFamily);
  record(
    "family chronology (repository)",
    await time(() => repo.chronology.familyChronology(family.babyId)),
    rawFamilyTiming,
  );
  record(
    "family chronology (whole page, HTTP)",
    await time(async () => {
      const response = await client.get(`/people/${family.babyId}/family-chronology`);
      if (response.statusCode !== 200) throw new Error(`family chronology answered ${response.statusCode}`);
    }),
    rawFamilyTiming,
  );

  progress(`${label}: person search`);
  const names = await database.unsafeOwnerDb
    .selectFrom("person_names")
    .select(["given_names", "family_name"])
    .where("partnership_id", "=", p)
    .orderBy("name_id")
    .limit(iterations + WARM_UP)
    .execute();
  // A typo in each name: the last letter of the family name dropped.
  const misspelt = names.map((n) => `${n.given_names} ${n.family_name.slice(0, -1)}`.toLowerCase());
  record(
    "person search by misspelt name",
    await time((i) => repo.people.searchPeople({ name: misspelt[i % misspelt.length] })),
    await time((i) =>
      sql`select person_id, similarity(full_name, ${misspelt[i % misspelt.length]}) as score
                 from person_names where partnership_id = ${p} and full_name % ${misspelt[i % misspelt.length]}
                 order by score desc limit 50`.execute(database.unsafeOwnerDb),
    ),
  );
  const nhsNumbers = await database.unsafeOwnerDb
    .selectFrom("people")
    .select("nhs_number")
    .where("partnership_id", "=", p)
    .where("nhs_number", "is not", null)
    .limit(iterations + WARM_UP)
    .execute();
  const nhs = (i: number) => nhsNumbers[i % nhsNumbers.length]?.nhs_number ?? "";
  record(
    "person search by NHS number",
    await time((i) => repo.people.searchPeople({ nhsNumber: nhs(i) })),
    await time((i) =>
      sql`select person_id from people where partnership_id = ${p} and nhs_number = ${nhs(i)}`.execute(
        database.unsafeOwnerDb,
      ),
    ),
  );
  await app.close();
  return results;
};

const stamp = timestamp();
console.log(
  `Hearth chronology and search benchmark ${stamp}: ${iterations} timed runs after ${WARM_UP} warm-up`,
);
const results: Result[] = [];
const pglite = await openDatabase({ engine: "pglite", dataDir: undefined });
try {
  results.push(...(await benchmarkEngine("PGlite", pglite)));
} finally {
  await pglite.close();
}
const onPostgres = await onFreshPostgres(`hearth_bench_people_${stamp}`, (database) =>
  benchmarkEngine("PostgreSQL", database),
);
if (onPostgres) results.push(...onPostgres);

const pad = (value: string, width: number) => value.padEnd(width);
const num = (value: number) => value.toFixed(2).padStart(8);
console.log(
  `\n${pad("database", 11)}${pad("measurement", 38)}${"p50 ms".padStart(8)}${"p95 ms".padStart(8)}  ${"raw p50".padStart(8)}${"raw p95".padStart(8)}  ${"× raw".padStart(7)}`,
);
for (const r of results) {
  console.log(
    `${pad(r.database, 11)}${pad(r.measurement, 38)}${num(r.hearth.p50)}${num(r.hearth.p95)}  ${num(r.baseline.p50)}${num(r.baseline.p95)}  ${r.ratio.toFixed(1).padStart(7)}`,
  );
}
const sizes = [...new Set(results.map((r) => `${r.database}: ${r.size}`))];
console.log(`\nData: ${sizes.join("; ")}`);
console.log(`Results: ${saveResults(`chronology-${stamp}.json`, { stamp, iterations, results })}`);
