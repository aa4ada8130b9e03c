// SPDX-License-Identifier: MIT
/**
 * Ofsted's Annex A lists 1 to 7 (contacts, early help, referrals, assessments, section 47 and ICPC,
 * children in need, child protection) as at a date, from the same events as the CIN census, and their
 * XLSX workbook. A system job run by the CLI as the database owner, so every query names the partnership.
 */
import ExcelJS from "exceljs";
import { addMonths, type IsoDate } from "../kernel/calendar.ts";
import { onKey } from "../kernel/sql.ts";
import { ETHNICITY_CODE_LIST } from "../people/codes.ts";
import { type Db, laChildIdOf, loadChildren } from "./cin-census-mapping.ts";
import { REFERRAL_SOURCE_BY_AGENCY, REFERRAL_SOURCE_CODES } from "./codes.ts";
import { type Episode, episodeStatus } from "./episodes.ts";

const GENDER: Record<string, string> = { M: "a) Male", F: "b) Female", U: "c) Not stated/recorded" };
const ageOn = (dob: string | null, on: IsoDate) =>
  dob ? Number(on.slice(0, 4)) - Number(dob.slice(0, 4)) - (on.slice(5) < dob.slice(5) ? 1 : 0) : "";
const yesNo = (value: boolean | null) => (value === null ? "c) Unknown" : value ? "a) Yes" : "b) No");
const CATEGORY_LETTERS: Record<string, string> = {
  NEG: "a) Neglect",
  PHY: "b) Physical abuse",
  EMO: "c) Emotional abuse",
  SAB: "d) Sexual abuse",
  MUL: "e) Multiple",
};
const SOURCE_LETTERS = Object.fromEntries(
  REFERRAL_SOURCE_CODES.map((code, i) => [code, `${String.fromCharCode(97 + i)}) ${code}`]),
);
const ETHNICITY_LETTERS = Object.fromEntries(
  ETHNICITY_CODE_LIST.map((code, i) => [code, `${String.fromCharCode(97 + i)}) ${code}`]),
);

/** The child's columns every list begins with, from `people as p`. */
const PERSON_COLUMNS = [
  "p.person_id",
  "p.local_id",
  "p.sex",
  "p.ethnicity",
  "p.date_of_birth",
  "p.expected_date_of_birth",
  "p.disabilities",
] as const;

/** One Annex A list: its sheet name, columns and rows. */
export type AnnexList = { name: string; columns: string[]; rows: (string | number | null)[][] };

/**
 * Ofsted Annex A lists 1 to 7 (contacts, early help, referrals, assessments, section 47 and ICPC,
 * children in need, child protection) as at a date, from the same events as the census.
 * @param db - The database (owner).
 * @param options - Partnership and the inspection date.
 */
export const annexALists = async (
  db: Db,
  options: { partnershipId: string; on: IsoDate },
): Promise<AnnexList[]> => {
  const since = addMonths(options.on, -6);
  const yearBefore = addMonths(options.on, -12);
  const loaded = await loadChildren(db, options.partnershipId, options.on);
  const users = await db
    .selectFrom("users")
    .leftJoin("teams", (j) => onKey(j, "teams.team_id", "users.team_id"))
    .select(["users.user_id", "users.display_name", "teams.name as team_name"])
    .where("users.partnership_id", "=", options.partnershipId)
    .execute();
  const worker = (id: string | null) => users.find((u) => u.user_id === id);
  type Person = Pick<
    (typeof loaded)[number]["person"],
    | "person_id"
    | "local_id"
    | "sex"
    | "ethnicity"
    | "date_of_birth"
    | "expected_date_of_birth"
    | "disabilities"
  >;
  const common = (p: Person, id: string) => [
    id,
    GENDER[p.sex] ?? "c) Not stated/recorded",
    ETHNICITY_LETTERS[p.ethnicity ?? "NOBT"] ?? "s) NOBT",
    p.date_of_birth ?? p.expected_date_of_birth ?? "",
    ageOn(p.date_of_birth, options.on),
  ];
  const disability = (p: Person) =>
    p.disabilities.length === 0 ? "c) Unknown" : p.disabilities.includes("NONE") ? "b) No" : "a) Yes";
  const allocation = (e: Episode) => [
    worker(e.workerUserId)?.team_name ?? "",
    worker(e.workerUserId)?.display_name ?? "",
  ];
  const COMMON = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"];

  const requests = await db
    .selectFrom("support_requests as r")
    .innerJoin("people as p", (j) => onKey(j, "p.person_id", "r.person_id"))
    .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "r.referrer_agency_id"))
    .select([...PERSON_COLUMNS, "r.received_on", "a.agency_type", "r.from_early_help_id"])
    .where("r.partnership_id", "=", options.partnershipId)
    .where("r.received_on", ">=", since)
    .where("r.received_on", "<=", options.on)
    .execute();
  const earlyHelp = await db
    .selectFrom("early_help as h")
    .innerJoin("people as p", (j) => onKey(j, "p.person_id", "h.person_id"))
    .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "h.lead_agency_id"))
    .select([...PERSON_COLUMNS, "h.started_on", "h.ended_on", "a.name as agency"])
    .where("h.partnership_id", "=", options.partnershipId)
    .where("h.started_on", "<=", options.on)
    .where((eb) => eb.or([eb("h.ended_on", "is", null), eb("h.ended_on", ">=", since)]))
    .execute();

  const lists: AnnexList[] = [
    {
      name: "List 1 Contacts",
      columns: [...COMMON, "Date of Contact", "Contact Source"],
      rows: requests.map((r) => {
        const source = r.from_early_help_id ? "5D" : REFERRAL_SOURCE_BY_AGENCY[r.agency_type];
        return [...common(r, laChildIdOf(r)), r.received_on, SOURCE_LETTERS[source] ?? source];
      }),
    },
    {
      name: "List 2 Early help",
      columns: [
        ...COMMON,
        "Assessment start date",
        "Assessment completion date",
        "Organisation completing assessment",
      ],
      rows: earlyHelp.map((h) => [...common(h, laChildIdOf(h)), h.started_on, h.started_on, h.agency]),
    },
  ];
  const referrals: AnnexList["rows"] = [];
  const assessments: AnnexList["rows"] = [];
  const enquiries: AnnexList["rows"] = [];
  const inNeed: AnnexList["rows"] = [];
  const protection: AnnexList["rows"] = [];
  for (const { person, episodes } of loaded) {
    const id = laChildIdOf(person);
    const base = common(person, id);
    const s47s = episodes.flatMap((e) => e.section47s);
    for (const e of episodes) {
      if (e.referralDate >= since) {
        const last12 = episodes.filter(
          (x) => x.referralDate > yearBefore && x.referralDate <= options.on,
        ).length;
        referrals.push([
          ...base,
          e.referralDate,
          SOURCE_LETTERS[e.source] ?? e.source,
          e.nfa ? "a) Yes" : "b) No",
          last12,
          ...allocation(e),
        ]);
      }
      for (const a of e.assessments.filter(
        (x) => x.start >= since || x.authorised === null || (x.authorised ?? "") >= since,
      )) {
        const seen = a.authorised ? yesNo(true) : "c) Unknown";
        const needs = a.authorised
          ? a.factors.length === 1 && a.factors[0] === "21"
            ? "b) No"
            : "a) Yes"
          : "";
        assessments.push([
          ...base,
          disability(person),
          a.start,
          seen,
          a.authorised ?? "",
          needs,
          ...allocation(e),
        ]);
      }
      for (const s of e.section47s.filter((x) => x.start >= since || (x.icpc === null && !x.notRequired))) {
        const plan = s.icpc !== null && e.cpPlans.some((p) => p.start === s.icpc);
        const s47Count = s47s.filter((x) => x.start > yearBefore).length;
        const icpcCount = s47s.filter((x) => x.icpc !== null && x.icpc > yearBefore).length;
        enquiries.push([
          ...base,
          disability(person),
          s.start,
          s.notRequired ? "a) Yes" : "b) No",
          s.icpc ?? "",
          s.icpc ? (plan ? "a) Yes" : "b) No") : "",
          s47Count,
          icpcCount,
          ...allocation(e),
        ]);
      }
      // Every child whose episode was open at some time in the six months, assessed yet or not (a plan can
      // outlive the assessment that led to it, which a return loaded into Hearth does not carry); only
      // referrals that ended in no further action are left out, as Ofsted's "referral-only" children.
      const open = e.closureDate === null || e.closureDate >= since;
      if (open && !e.nfa) {
        const visits = [...e.cpPlans, ...e.cinPlans]
          .flatMap((p) => p.visits)
          .filter((v) => v.childSeen)
          .map((v) => v.date)
          .sort();
        const status = episodeStatus(e, options.on);
        const statusText: Record<string, string> = {
          "looked-after": "a) Looked after",
          "cp-plan": "b) Child Protection plan",
          "cin-plan": "c) Child in need plan",
          "open-assessment": "d) Open assessment",
          "s47-enquiry": "d) Open assessment",
          referral: "d) Open assessment",
          closed: "e) Closed episode",
        };
        inNeed.push([
          ...base,
          disability(person),
          e.referralDate,
          e.primaryNeed ?? "",
          visits.at(-1) ?? "",
          e.closureDate ?? "",
          e.closureReason ?? "",
          statusText[status] ?? "",
          ...allocation(e),
        ]);
      }
      for (const p of e.cpPlans.filter((x) => x.end === null || x.end >= since)) {
        const last = [...p.visits].sort((a, b) => (a.date < b.date ? -1 : 1)).at(-1);
        protection.push([
          ...base,
          disability(person),
          p.start,
          CATEGORY_LETTERS[p.initialCategory] ?? p.initialCategory,
          CATEGORY_LETTERS[p.latestCategory] ?? p.latestCategory,
          last?.date ?? "",
          last ? yesNo(last.seenAlone) : "c) Unknown",
          [...p.reviews].sort().at(-1) ?? "",
          p.end ?? "",
          "c) Unknown",
          p.previousPlans,
          ...allocation(e),
        ]);
      }
    }
  }
  const ALLOCATED = ["Allocated Team", "Allocated Worker"];
  lists.push(
    {
      name: "List 3 Referrals",
      columns: [
        ...COMMON,
        "Date of referral",
        "Referral Source",
        "Referral NFA?",
        "Number of Referrals in Last 12 Months",
        ...ALLOCATED,
      ],
      rows: referrals,
    },
    {
      name: "List 4 Assessments",
      columns: [
        ...COMMON,
        "Does the Child have a Disability",
        "Continuous Assessment Start Date",
        "Child Seen During Continuous Assessment",
        "Continuous Assessment Date of Authorisation",
        "Was the child assessed as requiring LA children's social care support?",
        ...ALLOCATED,
      ],
      rows: assessments,
    },
    {
      name: "List 5 Section 47",
      columns: [
        ...COMMON,
        "Does the Child have a Disability",
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "Number of Section 47 Enquiries in the last 12 months",
        "Number of Initial Child Protection Conferences in the last 12 months",
        ...ALLOCATED,
      ],
      rows: enquiries,
    },
    {
      name: "List 6 Children in need",
      columns: [
        ...COMMON,
        "Does the Child have a Disability",
        "CIN Start Date",
        "Primary Need Code",
        "Date Child Was Last Seen",
        "CIN Closure Date",
        "Reason for Closure",
        "Case Status",
        ...ALLOCATED,
      ],
      rows: inNeed,
    },
    {
      name: "List 7 Child protection",
      columns: [
        ...COMMON,
        "Does the Child have a Disability",
        "Child Protection Plan Start Date",
        "Initial Category of Abuse",
        "Latest Category of Abuse",
        "Date of the Last Statutory Visit",
        "Was the Child Seen Alone?",
        "Date of latest review conference",
        "Child Protection Plan End Date",
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
        "Number of Previous Child Protection Plans",
        ...ALLOCATED,
      ],
      rows: protection,
    },
  );
  return lists;
};

/** Writes Annex A lists to an XLSX workbook, one sheet per list. @returns The file's bytes. */
export const annexAWorkbook = async (lists: AnnexList[]): Promise<Buffer> => {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "Hearth";
  for (const list of lists) {
    const sheet = workbook.addWorksheet(list.name);
    sheet.addRow(list.columns).font = { bold: true };
    for (const row of list.rows) sheet.addRow(row);
    sheet.views = [{ state: "frozen", ySplit: 1 }];
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
};
