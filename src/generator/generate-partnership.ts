// SPDX-License-Identifier: MIT
/**
 * Hearth's synthetic partnership generator: deterministic from a seed, sized by the number of children
 * the partnership serves. This step creates the organisation (agencies, teams, and users in every role);
 * later steps add families, events, assessments and plans. Every name is invented: never real data.
 */

import { sql, type Transaction } from "kysely";
import { appendAudit } from "../audit/audit-log.ts";
import { hashPassword } from "../auth/passwords.ts";
import { newTotpSecret } from "../auth/totp.ts";
import type { HearthDatabase } from "../db/database.ts";
import type { HearthSchema } from "../db/schema.ts";
import { type DemoFamily, emptyFamilyRows, FamilyGenerator, type FamilyRows } from "./families.ts";
import { type DemoSignIn, planAgencies, slug, writeOrganisation } from "./generate-organisation.ts";
import { seededRandom } from "./random.ts";
import { addSocialCareJourneys, DEFAULT_HISTORY_YEARS } from "./social-care.ts";

/** The password every generated account shares, so the demo can be explored. Printed at first start. */
export const DEMO_PASSWORD = "kettle orchard lantern";

export type GenerateOptions = {
  seed: string;
  /**
   * What makes this partnership distinct from others generated from the same seed into one database: its
   * id and its accounts' e-mail domain. Tests give each suite a new identity and one fixed seed, so every
   * run sees the same families (a random seed made tests pass or fail by chance). Defaults to the seed.
   */
  identity?: string;
  children: number;
  name?: string;
  localAuthorityCodes?: string[];
  /** The "today" families' histories lead up to (ISO date); fixed so a seed always gives the same data. */
  referenceDate?: string;
  /** Give a share of children social care journeys (CIN census coded events); on unless false. */
  socialCareJourneys?: boolean;
  /** Years of social care history up to the reference date, 1 to 18 (default 6). */
  historyYears?: number;
  /** Called as work completes: done of total steps. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Save the board's settings for a synthetic demo: rates per 10,000 of the children recorded in Hearth
   * (a sample of the authority's, so its ONS population would make rates far too small). Off unless true.
   */
  demoBoardSettings?: boolean;
};

export type GeneratedPartnership = {
  partnershipId: string;
  name: string;
  /** One named account per role, for people and tests to sign in with. */
  signIns: DemoSignIn[];
  /** The demo administrator's second-factor secret (base32), set up already. */
  administratorTotpSecret: string;
  counts: {
    agencies: number;
    teams: number;
    users: number;
    people: number;
    /** Children's person records, unborn children included: at least the number asked for. */
    childRecords: number;
    households: number;
    relationships: number;
    involvements: number;
    events: number;
    /** Coded children's social care events (CIN census): referrals, assessments, plans, closures. */
    socialCareEvents: number;
  };
  /** A family the demo and tests rely on: a baby known to health visiting, and a school-age half-sibling. */
  demoFamily: DemoFamily;
};

export type { DemoFamily } from "./families.ts";
export type { DemoSignIn } from "./generate-organisation.ts";

/** The default "today" of generated histories. */
export const DEFAULT_REFERENCE_DATE = "2026-04-01";

/** Families are generated and written this many children at a time, so memory stays bounded. */
const CHILDREN_PER_CHUNK = 400;

/**
 * Generates a partnership: its agencies, teams and users, then its families (people, households,
 * relationships, involvements and chronology), all in one transaction, so a failure leaves no
 * half-made partnership. One transaction stays feasible at 100,000 children on both engines: rows are
 * written in multi-row batches as each chunk of families is made, so neither the generator nor the
 * transaction holds more than a chunk in memory (PostgreSQL keeps the transaction's rows on disk).
 * @param database - The open database.
 * @param options - Seed, size, naming and the reference date.
 * @returns The partnership's id, its demo sign-ins, the demo family and counts.
 */
export const generatePartnership = async (
  database: HearthDatabase,
  options: GenerateOptions,
): Promise<GeneratedPartnership> => {
  // An identity salts every id (the partnership's, people's, users'...) and changes nothing else.
  const random = seededRandom(options.seed, options.identity);
  const partnershipId = random.uuid();
  const name = options.name ?? "Hearth Demo Partnership";
  const domain = `${slug(options.identity ?? options.seed)}.hearth.example`;
  // The demo plays Southampton (852): its strategy is one of the five Hearth grew from.
  const localAuthorityCodes = options.localAuthorityCodes ?? ["852"];
  const referenceDate = options.referenceDate ?? DEFAULT_REFERENCE_DATE;
  const historyYears = options.historyYears ?? DEFAULT_HISTORY_YEARS;
  if (!Number.isInteger(historyYears) || historyYears < 1 || historyYears > 18)
    throw new RangeError(`historyYears must be a whole number from 1 to 18, not ${options.historyYears}`);
  const agencies = planAgencies(options.children, random);
  const practitionersPerTeam = Math.max(2, Math.ceil(options.children / 60 / agencies.length));
  const totalTeams = agencies.reduce((sum, a) => sum + a.teams.length, 0);
  // Progress counts organisation steps, then one step per child generated.
  const total = agencies.length + totalTeams + 2 + options.children;
  let done = 0;
  const step = (by = 1) => {
    done += by;
    options.onProgress?.(Math.min(done, total), total);
  };

  // Every generated account shares one hash: hashing thousands of times would only slow the demo down.
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  // Random even in the demo: a secret anyone could derive from the seed would be no second factor.
  const administratorTotpSecret = newTotpSecret();
  // Email addresses are unique in the whole database, and every generated one ends in the seed's domain.
  const taken = await database.unsafeOwnerDb
    .selectFrom("users")
    .select("email")
    .where("email", "like", `%@${domain}`)
    .limit(1)
    .executeTakeFirst();
  if (taken)
    throw new Error(
      `This database already has accounts @${domain}: a partnership was generated from seed "${options.identity ?? options.seed}" before. Choose another seed.`,
    );
  step();

  const signIns: DemoSignIn[] = [];
  const counts: GeneratedPartnership["counts"] = {
    agencies: 0,
    teams: 0,
    users: 0,
    people: 0,
    childRecords: 0,
    households: 0,
    relationships: 0,
    involvements: 0,
    events: 0,
    socialCareEvents: 0,
  };
  let demoFamily: DemoFamily | undefined;

  // A system job: it runs as the owner, in one transaction, so a failure leaves no half-made partnership.
  await database.unsafeOwnerDb.transaction().execute(async (trx) => {
    await trx
      .insertInto("partnerships")
      .values({ partnership_id: partnershipId, name, local_authority_codes: localAuthorityCodes })
      .execute();
    const { organisation, healthVisitorUserId, schoolUserId } = await writeOrganisation(trx, {
      partnershipId,
      random,
      domain,
      agencies,
      practitionersPerTeam,
      passwordHash,
      administratorTotpSecret,
      counts,
      signIns,
      step,
    });
    const families = new FamilyGenerator({
      random,
      partnershipId,
      organisation,
      referenceDate,
      localAuthorityCodes,
      children: options.children,
    });

    // Families, a chunk at a time: generate, write in multi-row batches, report, forget.
    // Foreign-key checks are planned once and cached: planned while a table is nearly empty they scan it
    // whole, and the load slows quadratically. Fresh statistics as the tables grow keep them on the index.
    if (options.children > 1000) await sql`analyze agencies, teams, users`.execute(trx);
    let analyzeAtPeople = 500;
    let rows = emptyFamilyRows();
    let pending = 0;
    const flush = async () => {
      const journeys =
        options.socialCareJourneys === false
          ? []
          : addSocialCareJourneys(rows, {
              random,
              partnershipId,
              referenceDate,
              years: historyYears,
              csc: organisation.csc,
            });
      await writeFamilyRows(trx, rows, counts);
      for (let i = 0; i < journeys.length; i += 500) {
        await trx
          .insertInto("csc_events")
          .values(journeys.slice(i, i + 500))
          .execute();
      }
      counts.socialCareEvents += journeys.length;
      if (counts.people >= analyzeAtPeople) {
        await sql`analyze people, households`.execute(trx);
        analyzeAtPeople *= 2;
      }
      step(pending);
      rows = emptyFamilyRows();
      pending = 0;
      // PGlite answers without I/O, so without this the event loop never reaches its timers and a
      // progress bar (or a server sharing the process) would freeze until the whole load is done.
      await new Promise((resolve) => setImmediate(resolve));
    };
    while (counts.childRecords < options.children) {
      const first = demoFamily === undefined;
      const made = families.family(rows, first ? { healthVisitorUserId, schoolUserId } : undefined);
      if (made.demoFamily) demoFamily = made.demoFamily;
      // The last family is trimmed to the number asked for only by count: it keeps its siblings together.
      counts.childRecords += made.children;
      pending += made.children;
      if (pending >= CHILDREN_PER_CHUNK) await flush();
    }
    await flush();

    // A bulk load leaves the planner guessing: without fresh statistics it drives access checks from an
    // agency's thousands of involvements instead of from the child's few (seen at 20,000 children).
    if (options.children > 1000) {
      await sql`analyze people, person_names, households, household_members, relationships, involvements, chronology_events, csc_events`.execute(
        trx,
      );
    }
    const administrator = signIns.find((s) => s.role === "administrator");
    if (options.demoBoardSettings && administrator) {
      await trx
        .insertInto("board_settings_versions")
        .values({
          partnership_id: partnershipId,
          version: 1,
          authority_code: localAuthorityCodes[0] ?? "852",
          population_basis: "recorded",
          settings: JSON.stringify({ strategyNames: {}, targets: {} }),
          reason: "Synthetic demo: rates are per 10,000 of the children recorded in Hearth",
          changed_by: administrator.userId,
        })
        .execute();
    }
    await appendAudit(trx, {
      partnershipId,
      actor: null,
      action: "generate",
      recordType: "partnership",
      recordId: partnershipId,
      reason: "synthetic demo data",
      details: { seed: options.seed, children: options.children, referenceDate, ...counts },
    });
  });
  step();
  if (!demoFamily) throw new Error("the demo family was not generated");
  return { partnershipId, name, signIns, administratorTotpSecret, counts, demoFamily };
};

/** Rows per INSERT: about a thousand, and always under PostgreSQL's 65,535 bind parameters. */
const batchSize = (columns: number) => Math.min(1000, Math.floor(60_000 / columns));

/**
 * Writes a chunk of families' rows, parents before children of each foreign key, in multi-row batches.
 */
const writeFamilyRows = async (
  trx: Transaction<HearthSchema>,
  rows: FamilyRows,
  counts: GeneratedPartnership["counts"],
) => {
  const inBatches = async <R extends object>(list: R[], write: (batch: R[]) => Promise<unknown>) => {
    const size = batchSize(Object.keys(list[0] ?? {}).length || 1);
    for (let i = 0; i < list.length; i += size) await write(list.slice(i, i + size));
  };
  await inBatches(rows.people, (b) => trx.insertInto("people").values(b).execute());
  await inBatches(rows.households, (b) => trx.insertInto("households").values(b).execute());
  await inBatches(rows.person_names, (b) => trx.insertInto("person_names").values(b).execute());
  await inBatches(rows.household_members, (b) => trx.insertInto("household_members").values(b).execute());
  await inBatches(rows.relationships, (b) => trx.insertInto("relationships").values(b).execute());
  await inBatches(rows.involvements, (b) => trx.insertInto("involvements").values(b).execute());
  await inBatches(rows.chronology_events, (b) => trx.insertInto("chronology_events").values(b).execute());
  counts.people += rows.people.length;
  counts.households += rows.households.length;
  counts.relationships += rows.relationships.length;
  counts.involvements += rows.involvements.length;
  counts.events += rows.chronology_events.length;
};
