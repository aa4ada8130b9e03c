// SPDX-License-Identifier: MIT
/**
 * A generated partnership's organisation: its agencies (more schools and GP practices as it grows), their
 * teams, and users in every role, with one named demo account per role.
 */
import type { Insertable, Transaction } from "kysely";
import type { HearthSchema, UserTable } from "../db/schema.ts";
import type { AgencyType, Role } from "../organisation/codes.ts";
import type { AgencyRef, FamilyOrganisation, SchoolRef } from "./families.ts";
import { BOY_NAMES, FAMILY_NAMES, GIRL_NAMES } from "./family-vocabulary.ts";
import type { Random } from "./random.ts";

// Staff get names from the same invented vocabulary as families: every name in Hearth's demo is made up.
const FIRST_NAMES = [...GIRL_NAMES, ...BOY_NAMES];
const LAST_NAMES = FAMILY_NAMES;

export type AgencyPlan = { type: AgencyType; name: string; teams: string[]; establishment?: number };

/** The agencies a partnership of this size has: one of each kind, more schools and GP practices as it grows. */
export const planAgencies = (children: number, random: Random): AgencyPlan[] => {
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

/** A name as a lower-case slug: e-mail domains and addresses are made from it. */
export const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "") || "partnership";

export type DemoSignIn = { role: Role; email: string; userId: string; displayName: string };

const COMMUNITY_HEALTH = "Community Health NHS Trust";
const HEALTH_VISITING = "Health visiting";

/**
 * Writes the agencies and teams, then every user in one batch.
 * @returns Who families meet (each agency's and team's practitioners), and the demo family's named workers.
 */
export const writeOrganisation = async (
  trx: Transaction<HearthSchema>,
  plan: {
    partnershipId: string;
    random: Random;
    domain: string;
    agencies: AgencyPlan[];
    practitionersPerTeam: number;
    passwordHash: string;
    administratorTotpSecret: string;
    counts: { agencies: number; teams: number; users: number };
    signIns: DemoSignIn[];
    step: () => void;
  },
): Promise<{ organisation: FamilyOrganisation; healthVisitorUserId: string; schoolUserId: string }> => {
  const {
    partnershipId,
    random,
    domain,
    agencies,
    practitionersPerTeam,
    passwordHash,
    administratorTotpSecret,
  } = plan;
  const { counts, signIns, step } = plan;
  const usedEmails = new Set<string>();
  const personName = () => `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`;
  const emailFor = (displayName: string) => {
    const base = slug(displayName).replace(/-/g, ".");
    let email = `${base}@${domain}`;
    for (let n = 2; usedEmails.has(email); n += 1) email = `${base}${n}@${domain}`;
    usedEmails.add(email);
    return email;
  };
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
  return { organisation, healthVisitorUserId, schoolUserId };
};
