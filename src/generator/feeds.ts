// SPDX-License-Identifier: MIT
/**
 * Agency feed files for a generated partnership (issue 13 item 5): what schools, health, police and the
 * hospital would send, in the formats `hearth import` reads, deterministic from the seed, with the noise
 * real feeds have: misspelt names without an NHS number (weak matches for review), missing NHS numbers
 * with the name exact (matched by name and date of birth), repeated rows (duplicates), rows for children
 * Hearth does not know, and the odd unreadable row.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sql } from "kysely";
import type { HearthDatabase } from "../db/database.ts";
import type { ImportFormat } from "../imports/codes.ts";
import { addCalendarDays } from "../kernel/calendar.ts";
import { nhsCheckDigit } from "../people/identifiers.ts";
import {
  type Child,
  codeOf,
  type FeedContext,
  writeAttendance,
  writeHealthAppointments,
  writeHospitalAppointments,
  writePoliceNotifications,
} from "./feed-files.ts";
import { DEFAULT_REFERENCE_DATE } from "./generate-partnership.ts";
import { type Random, seededRandom } from "./random.ts";

export type FeedFile = {
  file: string;
  format: ImportFormat;
  agency: string;
  agencyCode: string;
  rows: number;
};

export type FeedOptions = {
  partnershipId: string;
  seed: string;
  /** The day the feeds run up to (default the generator's reference date). */
  referenceDate?: string;
  /** Multiplies the rows per child (attendance terms, appointments), for benchmarks. */
  scale?: number;
  /**
   * Only these formats' files (default all). A benchmark asks for one format at a time at its own scale;
   * the files then differ from those of a run of every format (the seeded sequence is shared).
   */
  formats?: readonly ImportFormat[];
  /** Share of rows with each kind of noise (default 0.04 each). */
  noise?: number;
};

/** One letter of the family name swapped with the next, or a vowel changed: what a receptionist types. */
const misspell = (random: Random, name: string): string => {
  if (name.length < 4) return `${name}e`;
  const i = random.int(1, name.length - 2);
  if (random.next() < 0.5) return `${name.slice(0, i)}${name[i + 1]}${name[i]}${name.slice(i + 2)}`;
  const vowels = "aeiou";
  return `${name.slice(0, i)}${random.pick([...vowels].filter((v) => v !== name[i]))}${name.slice(i + 1)}`;
};

const UNKNOWN_GIVEN = ["Tamsin", "Ossian", "Elowen", "Caspian", "Merryn", "Peregrine", "Wren", "Lowenna"];
const UNKNOWN_FAMILY = ["Quillfeather", "Trevanion", "Penhaligon", "Boscawen", "Nancarrow", "Tregothnan"];

const unknownNhsNumber = (random: Random): string => {
  for (;;) {
    const nine = `9${String(random.int(0, 99_999_999)).padStart(8, "0")}`;
    const check = nhsCheckDigit(nine);
    if (check !== undefined) return `${nine}${check}`;
  }
};

/**
 * Writes the partnership's feed files into a folder.
 * @returns The files written, with the agency each belongs to.
 */
export const generateFeeds = async (
  database: HearthDatabase,
  folder: string,
  options: FeedOptions,
): Promise<FeedFile[]> => {
  const random = seededRandom(`${options.seed}/feeds`);
  const ref = options.referenceDate ?? DEFAULT_REFERENCE_DATE;
  const scale = Math.max(1, Math.round(options.scale ?? 1));
  const noise = options.noise ?? 0.04;
  const wants = (format: ImportFormat) => !options.formats || options.formats.includes(format);
  const db = database.unsafeOwnerDb;
  const agencies = await db
    .selectFrom("agencies")
    .select(["agency_id", "name", "agency_type"])
    .where("partnership_id", "=", options.partnershipId)
    .orderBy("name")
    .execute();
  const children = (await db
    .selectFrom("people as p")
    .select([
      "p.person_id",
      "p.given_names",
      "p.family_name",
      "p.date_of_birth",
      "p.nhs_number",
      "p.upn",
      sql<string | null>`(select m.household_id from household_members m
        where m.partnership_id = p.partnership_id and m.person_id = p.person_id and m.valid_to is null
        order by m.valid_from desc limit 1)`.as("household_id"),
      sql<string | null>`(select i.agency_id from involvements i
        join agencies a on a.partnership_id = i.partnership_id and a.agency_id = i.agency_id
        where i.partnership_id = p.partnership_id and i.person_id = p.person_id and a.agency_type = 'education'
        order by i.started_on desc, i.agency_id limit 1)`.as("school_agency_id"),
    ])
    .where("p.partnership_id", "=", options.partnershipId)
    .where("p.kind", "=", "child")
    .where("p.merged_into_person_id", "is", null)
    .where("p.date_of_birth", "is not", null)
    .where("p.date_of_death", "is", null)
    .where("p.date_of_birth", "<=", ref)
    .orderBy("p.person_id")
    .execute()) as Child[];

  // Some households struggle to get children to appointments and school: siblings share it.
  const struggling = new Map<string, boolean>();
  const strugglingOf = (c: Child) => {
    const key = c.household_id ?? c.person_id;
    let value = struggling.get(key);
    if (value === undefined) {
      value = random.next() < 0.12;
      struggling.set(key, value);
    }
    return value;
  };
  const unknownChild = () => {
    const dob = addCalendarDays(ref, -random.int(365, 365 * 15));
    return {
      given: random.pick(UNKNOWN_GIVEN),
      family: random.pick(UNKNOWN_FAMILY),
      dob,
      nhs: unknownNhsNumber(random),
    };
  };
  /** How a row names the child: usually as Hearth has them; sometimes misspelt, or without the NHS number. */
  const identityOf = (c: Child) => {
    const roll = random.next();
    if (roll < noise)
      return {
        given: c.given_names,
        family: misspell(random, c.family_name),
        nhs: "",
        upn: "",
        dob: c.date_of_birth,
      };
    if (roll < noise * 2)
      return { given: c.given_names, family: c.family_name, nhs: "", upn: "", dob: c.date_of_birth };
    return {
      given: c.given_names,
      family: c.family_name,
      nhs: c.nhs_number ?? "",
      upn: c.upn ?? "",
      dob: c.date_of_birth,
    };
  };
  /** Adds duplicates and a rare unreadable row to a file's rows. */
  const withNoise = (rows: string[][], spoil: (row: string[]) => string[]): string[][] => {
    const out: string[][] = [];
    for (const row of rows) {
      const roll = random.next();
      out.push(roll < noise / 4 ? spoil(row) : row);
      if (random.next() < noise / 2) out.push(row);
    }
    return out;
  };

  await mkdir(folder, { recursive: true });
  const written: FeedFile[] = [];
  const write = async (
    name: string,
    format: ImportFormat,
    agency: { name: string } | undefined,
    content: string,
    rows: number,
  ) => {
    if (!agency || !wants(format)) return;
    await writeFile(join(folder, name), content, "utf8");
    written.push({ file: name, format, agency: agency.name, agencyCode: codeOf(agency.name), rows });
  };
  const feed: FeedContext = {
    random,
    ref,
    scale,
    noise,
    agencies,
    children,
    strugglingOf,
    unknownChild,
    identityOf,
    withNoise,
    write,
  };
  // In this order: each file draws on the one seeded sequence.
  // (A benchmark asking for some formats only skips whole files: see FeedOptions.formats.)
  if (wants("attendance")) await writeAttendance(feed);
  if (wants("appointments-fhir")) await writeHealthAppointments(feed);
  await writeHospitalAppointments(feed);
  if (wants("police")) await writePoliceNotifications(feed);
  await writeFile(
    join(folder, "manifest.json"),
    `${JSON.stringify({ seed: options.seed, referenceDate: ref, files: written }, null, 2)}\n`,
  );
  return written;
};
