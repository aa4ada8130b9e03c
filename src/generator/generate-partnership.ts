// SPDX-License-Identifier: MIT
/**
 * Hearth's synthetic partnership generator: deterministic from a seed, sized by the number of children
 * the partnership serves. This step creates the organisation (agencies, teams, and users in every role);
 * later steps add families, events, assessments and plans. Every name is invented: never real data.
 */

import { type Insertable, sql, type Transaction } from "kysely";
import { appendAudit } from "../audit/audit-log.ts";
import { hashPassword } from "../auth/passwords.ts";
import { newTotpSecret } from "../auth/totp.ts";
import type { HearthDatabase } from "../db/database.ts";
import type { HearthSchema, UserTable } from "../db/schema.ts";
import type { AgencyType, Role } from "../organisation/codes.ts";
import {
  type AgencyRef,
  type DemoFamily,
  emptyFamilyRows,
  FamilyGenerator,
  type FamilyOrganisation,
  type FamilyRows,
  type SchoolRef,
} from "./families.ts";
import { BOY_NAMES, FAMILY_NAMES, GIRL_NAMES } from "./family-vocabulary.ts";
import { type Random, seededRandom } from "./random.ts";
import { addSocialCareJourneys, DEFAULT_HISTORY_YEARS } from "./social-care.ts";

/** The password every generated account shares, so the demo can be explored. Printed at first start. */
export const DEMO_PASSWORD = "kettle orchard lantern";

// Staff get names from the same invented vocabulary as families: every name in Hearth's demo is made up.
const FIRST_NAMES = [...GIRL_NAMES, ...BOY_NAMES];
const LAST_NAMES = FAMILY_NAMES;

type AgencyPlan = { type: AgencyType; name: string; teams: string[]; establishment?: number };

/** The agencies a partnership of this size has: one of each kind, more schools and GP practices as it grows. */
const planAgencies = (children: number, random: Random): AgencyPlan[] => {
  const schools = Math.max(2, Math.ceil(children / 400));
  const practices = Math.max(1, Math.ceil(children / 1500));
  const plans: AgencyPlan[] = [
    {
      type: "childrens-social-care",
      name: "Children's Social Care",
      teams: ["Front door (MASH)", "Assessment", "Child in need", "Child protection"],
    },
    { type: "early-help", name: "Early Help Service", teams: ["Family support east", "Family support west"] },
    {
      type: "health",
      name: "Community Health NHS Trust",
      teams: ["Health visiting", "School nursing", "Safeguarding children"],
    },
    { type: "health", name: "Hospital NHS Foundation Trust", teams: ["Emergency department", "Midwifery"] },
    {
      type: "police",
      name: "Police Public Protection",
      teams: ["Child abuse investigation", "Domestic abuse"],
    },
    { type: "housing", name: "Housing Needs", teams: ["Homelessness prevention", "Tenancy sustainment"] },
    { type: "probation", name: "Probation Service", teams: ["Offender management"] },
    {
      type: "adult-services",
      name: "Adult Mental Health and Substance Misuse",
      teams: ["Community mental health", "Drug and alcohol"],
    },
    { type: "voluntary-community", name: "Family Support Charity", teams: ["Parenting programmes"] },
    { type: "other", name: "Youth Service", teams: ["Detached youth work"] },
  ];
  const schoolWords = [
    "Brook",
    "Oak",
    "Meadow",
    "Castle",
    "Riverside",
    "Hill",
    "Park",
    "Elm",
    "Church",
    "Orchard",
    "Mill",
    "Bridge",
  ];
  for (let i = 0; i < schools; i += 1) {
    const word = schoolWords[i % schoolWords.length];
    const kind = random.next() < 0.7 ? "Primary School" : "Academy";
    plans.push({
      type: "education",
      name: `${word} ${kind}${i >= schoolWords.length ? ` ${Math.floor(i / schoolWords.length) + 1}` : ""}`,
      teams: ["Pastoral and safeguarding"],
      // A DfE-style establishment number: 2xxx for primary schools, 4xxx-6xxx for academies.
      establishment: kind === "Academy" ? 4000 + i : 2000 + i,
    });
  }
  for (let i = 0; i < practices; i += 1) {
    plans.push({
      type: "health",
      name: `${schoolWords[(i + 5) % schoolWords.length]} GP Practice${i >= schoolWords.length ? ` ${i + 1}` : ""}`,
      teams: ["Practice team"],
    });
  }
  return plans;
};

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

export type DemoSignIn = { role: Role; email: string; userId: string; displayName: string };

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

/** The default "today" of generated histories. */
export const DEFAULT_REFERENCE_DATE = "2026-04-01";

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "") || "partnership";

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

  const usedEmails = new Set<string>();
  const personName = () => `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`;
  const emailFor = (displayName: string) => {
    const base = slug(displayName).replace(/-/g, ".");
    let email = `${base}@${domain}`;
    for (let n = 2; usedEmails.has(email); n += 1) email = `${base}${n}@${domain}`;
    usedEmails.add(email);
    return email;
  };

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
    const users: Insertable<UserTable>[] = [];
    const addUser = (u: {
      role: Role;
      agencyId: string;
      teamId: string | null;
      demo?: boolean;
      /** The demo account's email name, when it is not the role's. */
      demoEmail?: string;
    }) => {
      const displayName = personName();
      const userId = random.uuid();
      const email = u.demo ? `${u.demoEmail ?? u.role}@${domain}` : emailFor(displayName);
      usedEmails.add(email);
      const isAdmin = u.role === "administrator" && u.demo === true;
      users.push({
        partnership_id: partnershipId,
        user_id: userId,
        email,
        display_name: displayName,
        agency_id: u.agencyId,
        team_id: u.teamId,
        role: u.role,
        password_hash: passwordHash,
        totp_secret: isAdmin ? administratorTotpSecret : null,
        totp_confirmed_at: isAdmin ? new Date() : null,
        totp_last_step: null,
      });
      if (u.demo) signIns.push({ role: u.role, email, userId, displayName });
      return userId;
    };

    // Who families meet: each agency's (or team's) practitioners.
    const refs = new Map<string, AgencyRef>();
    const schools: SchoolRef[] = [];
    const gps: AgencyRef[] = [];
    let healthVisitorUserId = "";
    let schoolUserId = "";

    for (const agency of agencies) {
      const agencyId = random.uuid();
      await trx
        .insertInto("agencies")
        .values({
          partnership_id: partnershipId,
          agency_id: agencyId,
          name: agency.name,
          agency_type: agency.type,
        })
        .execute();
      counts.agencies += 1;
      step();
      const agencyRef: AgencyRef = { agencyId, practitioners: [] };
      const isFirstSchool = agency.type === "education" && schools.length === 0;
      for (const [index, teamName] of agency.teams.entries()) {
        const teamId = random.uuid();
        await trx
          .insertInto("teams")
          .values({ partnership_id: partnershipId, team_id: teamId, agency_id: agencyId, name: teamName })
          .execute();
        counts.teams += 1;
        const teamRef: AgencyRef = { agencyId, practitioners: [] };
        refs.set(`${agency.name}/${teamName}`, teamRef);
        const csc = agency.type === "childrens-social-care";
        const firstTeam = index === 0;
        if (csc && firstTeam) {
          addUser({ role: "front-door", agencyId, teamId, demo: true });
          addUser({ role: "front-door", agencyId, teamId });
        }
        if (csc && index === 1) {
          teamRef.practitioners.push(addUser({ role: "practitioner", agencyId, teamId, demo: true }));
          addUser({ role: "manager", agencyId, teamId, demo: true });
        } else {
          addUser({ role: "manager", agencyId, teamId });
        }
        // The named health visitor and school safeguarding practitioner the demo family knows.
        if (agency.name === COMMUNITY_HEALTH && teamName === HEALTH_VISITING) {
          healthVisitorUserId = addUser({
            role: "practitioner",
            agencyId,
            teamId,
            demo: true,
            demoEmail: "health-visitor",
          });
          teamRef.practitioners.push(healthVisitorUserId);
        }
        if (isFirstSchool) {
          schoolUserId = addUser({ role: "practitioner", agencyId, teamId, demo: true, demoEmail: "school" });
          teamRef.practitioners.push(schoolUserId);
        }
        for (let p = 0; p < practitionersPerTeam; p += 1) {
          teamRef.practitioners.push(addUser({ role: "practitioner", agencyId, teamId }));
        }
        agencyRef.practitioners.push(...teamRef.practitioners);
        if (
          firstTeam &&
          (agency.type === "education" || agency.type === "health" || agency.type === "police")
        ) {
          addUser({ role: "safeguarding-lead", agencyId, teamId });
        }
        step();
      }
      refs.set(agency.name, agencyRef);
      if (agency.type === "education") {
        schools.push({
          ...agencyRef,
          establishment: String(agency.establishment ?? 2000 + schools.length),
          secondary: agency.name.includes("Academy"),
        });
      }
      if (agency.name.includes("GP Practice")) gps.push(agencyRef);
      if (agency.type === "childrens-social-care") {
        addUser({ role: "administrator", agencyId, teamId: null, demo: true });
        addUser({ role: "safeguarding-lead", agencyId, teamId: null, demo: true });
        addUser({ role: "analyst", agencyId, teamId: null, demo: true });
        addUser({ role: "auditor", agencyId, teamId: null, demo: true });
      }
    }
    for (let i = 0; i < users.length; i += 500) {
      await trx
        .insertInto("users")
        .values(users.slice(i, i + 500))
        .execute();
    }
    counts.users = users.length;

    const ref = (key: string): AgencyRef => {
      const found = refs.get(key);
      if (!found || found.practitioners.length === 0) throw new Error(`the generator planned no ${key}`);
      return found;
    };
    const organisation: FamilyOrganisation = {
      csc: ref("Children's Social Care"),
      earlyHelp: ref("Early Help Service"),
      healthVisiting: ref(`${COMMUNITY_HEALTH}/${HEALTH_VISITING}`),
      schoolNursing: ref(`${COMMUNITY_HEALTH}/School nursing`),
      midwifery: ref("Hospital NHS Foundation Trust/Midwifery"),
      emergency: ref("Hospital NHS Foundation Trust/Emergency department"),
      police: ref("Police Public Protection"),
      housing: ref("Housing Needs"),
      schools,
      gps,
    };
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

const COMMUNITY_HEALTH = "Community Health NHS Trust";
const HEALTH_VISITING = "Health visiting";

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
