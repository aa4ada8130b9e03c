// SPDX-License-Identifier: MIT
/**
 * Hearth's synthetic partnership generator: deterministic from a seed, sized by the number of children
 * the partnership serves. This step creates the organisation (agencies, teams, and users in every role);
 * later steps add families, events, assessments and plans. Every name is invented: never real data.
 */

import { createHash } from "node:crypto";
import type { Insertable } from "kysely";
import { appendAudit } from "../audit/audit-log.ts";
import { hashPassword } from "../auth/passwords.ts";
import type { HearthDatabase } from "../db/database.ts";
import type { UserTable } from "../db/schema.ts";
import type { AgencyType, Role } from "../organisation/codes.ts";
import { type Random, seededRandom } from "./random.ts";

/** The password every generated account shares, so the demo can be explored. Printed at first start. */
export const DEMO_PASSWORD = "kettle orchard lantern";

const FIRST_NAMES = [
  "Amara",
  "Ben",
  "Chloe",
  "Daniel",
  "Efua",
  "Farah",
  "George",
  "Hannah",
  "Imran",
  "Jade",
  "Kwame",
  "Lucy",
  "Mohammed",
  "Niamh",
  "Oliver",
  "Priya",
  "Qasim",
  "Rosa",
  "Samuel",
  "Tamsin",
  "Usha",
  "Victor",
  "Wendy",
  "Xavier",
  "Yasmin",
  "Zac",
  "Aisha",
  "Callum",
  "Deborah",
  "Emeka",
  "Fiona",
  "Gareth",
  "Helen",
  "Ifeoma",
];
const LAST_NAMES = [
  "Adeyemi",
  "Baker",
  "Chowdhury",
  "Davies",
  "Evans",
  "Fraser",
  "Green",
  "Hughes",
  "Iqbal",
  "Jones",
  "Kaur",
  "Lewis",
  "Mensah",
  "Nowak",
  "O'Brien",
  "Patel",
  "Quinn",
  "Roberts",
  "Singh",
  "Taylor",
  "Uddin",
  "Walker",
  "Yilmaz",
  "Zielinski",
  "Ahmed",
  "Brown",
  "Campbell",
  "Okafor",
  "Murphy",
  "Williams",
];

type AgencyPlan = { type: AgencyType; name: string; teams: string[] };

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
  children: number;
  name?: string;
  localAuthorityCodes?: string[];
  /** Called as work completes: done of total steps. */
  onProgress?: (done: number, total: number) => void;
};

export type DemoSignIn = { role: Role; email: string; userId: string; displayName: string };

export type GeneratedPartnership = {
  partnershipId: string;
  name: string;
  /** One named account per role, for people and tests to sign in with. */
  signIns: DemoSignIn[];
  /** The demo administrator's second-factor secret (base32), set up already. */
  administratorTotpSecret: string;
  counts: { agencies: number; teams: number; users: number };
};

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "") || "partnership";

/**
 * Generates a partnership with its agencies, teams and users, in one transaction.
 * @param database - The open database.
 * @param options - Seed, size and naming.
 * @returns The partnership's id, its demo sign-ins and counts.
 */
export const generatePartnership = async (
  database: HearthDatabase,
  options: GenerateOptions,
): Promise<GeneratedPartnership> => {
  const random = seededRandom(options.seed);
  const partnershipId = random.uuid();
  const name = options.name ?? "Hearth Demo Partnership";
  const domain = `${slug(options.seed)}.hearth.example`;
  const agencies = planAgencies(options.children, random);
  const practitionersPerTeam = Math.max(2, Math.ceil(options.children / 60 / agencies.length));
  const totalTeams = agencies.reduce((sum, a) => sum + a.teams.length, 0);
  const total = agencies.length + totalTeams + 2;
  let done = 0;
  const step = () => {
    done += 1;
    options.onProgress?.(done, total);
  };

  // Every generated account shares one hash: hashing thousands of times would only slow the demo down.
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  // A secret drawn from the seed keeps the demo administrator's authenticator stable across rebuilds.
  const administratorTotpSecret = demoAdministratorTotpSecret(options.seed);
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
  const counts = { agencies: 0, teams: 0, users: 0 };

  // A system job: it runs as the owner, in one transaction, so a failure leaves no half-made partnership.
  await database.unsafeOwnerDb.transaction().execute(async (trx) => {
    await trx
      .insertInto("partnerships")
      .values({
        partnership_id: partnershipId,
        name,
        local_authority_codes: options.localAuthorityCodes ?? ["204", "201"],
      })
      .execute();
    const users: Insertable<UserTable>[] = [];
    const addUser = (u: { role: Role; agencyId: string; teamId: string | null; demo?: boolean }) => {
      const displayName = personName();
      const userId = random.uuid();
      const email = u.demo ? `${u.role}@${domain}` : emailFor(displayName);
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
    };

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
      for (const [index, teamName] of agency.teams.entries()) {
        const teamId = random.uuid();
        await trx
          .insertInto("teams")
          .values({ partnership_id: partnershipId, team_id: teamId, agency_id: agencyId, name: teamName })
          .execute();
        counts.teams += 1;
        const csc = agency.type === "childrens-social-care";
        const firstTeam = index === 0;
        if (csc && firstTeam) {
          addUser({ role: "front-door", agencyId, teamId, demo: true });
          addUser({ role: "front-door", agencyId, teamId });
        }
        if (csc && index === 1) {
          addUser({ role: "practitioner", agencyId, teamId, demo: true });
          addUser({ role: "manager", agencyId, teamId, demo: true });
        } else {
          addUser({ role: "manager", agencyId, teamId });
        }
        for (let p = 0; p < practitionersPerTeam; p += 1) addUser({ role: "practitioner", agencyId, teamId });
        if (
          firstTeam &&
          (agency.type === "education" || agency.type === "health" || agency.type === "police")
        ) {
          addUser({ role: "safeguarding-lead", agencyId, teamId });
        }
        step();
      }
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
    await appendAudit(trx, {
      partnershipId,
      actor: null,
      action: "generate",
      recordType: "partnership",
      recordId: partnershipId,
      reason: "synthetic demo data",
      details: { seed: options.seed, children: options.children, ...counts },
    });
  });
  step();
  return { partnershipId, name, signIns, administratorTotpSecret, counts };
};

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * The generated administrator's second-factor secret, derived from the seed alone, so the demo CLI can
 * print the current code without opening the database (which a running embedded Hearth holds).
 * @param seed - The partnership's generator seed.
 */
export const demoAdministratorTotpSecret = (seed: string): string =>
  [...createHash("sha256").update(`totp:${seed}`).digest().subarray(0, 20)]
    .map((byte) => byte.toString(2).padStart(8, "0"))
    .join("")
    .match(/.{5}/g)
    ?.map((bits) => BASE32[Number.parseInt(bits, 2)])
    .join("") ?? "";
