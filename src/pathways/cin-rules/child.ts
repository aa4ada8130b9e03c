// SPDX-License-Identifier: MIT
/** Header, child identifiers, characteristics and disabilities rules (DfE CIN census 2024-25). */
import type { CinChild } from "../cin-xml.ts";
import {
  type CinRule,
  child,
  furtherAction,
  has,
  inYear,
  plusDays,
  plusMonths,
  plusYears,
  WHOLE_RETURN,
  whole,
} from "./types.ts";

/** The UPN check letter (DfE: weights 2-13 on characters 2-13, sum mod 23, letters without I, O, S). */
const UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWX";
export const upnCheckLetter = (upn: string): string | null => {
  const digits = upn.slice(1);
  if (!/^\d{12}$/.test(digits)) return null;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(digits[i]) * (i + 2);
  return UPN_LETTERS[sum % 23] ?? null;
};

/** Characters 2-4 of a UPN: post-1998 LA codes and DfE's pseudo-LA codes (2023-24 list, with 942 and 943). */
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => String(a + i));
const UPN_LA_CODES = new Set([
  "001",
  "002",
  "003",
  "004",
  "005",
  ...range(201, 213),
  ...range(301, 320),
  ...range(330, 336),
  ...range(340, 344),
  ...range(350, 359),
  ...range(370, 373),
  ...range(380, 384),
  ...range(390, 394),
  "420",
  ...range(660, 681),
  ...range(701, 708),
  ...range(800, 803),
  ...range(805, 808),
  ...range(810, 813),
  "815",
  "816",
  ...range(820, 823),
  "825",
  "826",
  "830",
  "831",
  ...range(835, 839),
  "840",
  "841",
  "845",
  "846",
  ...range(850, 852),
  ...range(855, 857),
  "860",
  "861",
  ...range(865, 896),
  "908",
  "909",
  "916",
  "919",
  "921",
  "925",
  "926",
  "928",
  "929",
  "931",
  "933",
  ...range(935, 938),
  "940",
  "941",
  "942",
  "943",
]);
const ETHNICITIES = new Set(
  "ABAN AIND AOTH APKN BAFR BCRB BOTH CHNE MOTH MWAS MWBA MWBC NOBT OOTH REFU WBRI WIRI WIRT WOTH WROM".split(
    " ",
  ),
);
const DISABILITIES = new Set("NONE MOB HAND PC INC COMM LD HEAR VIS BEH CON AUT DDA".split(" "));
const UPN_UNKNOWN_SCHOOL_AGE = new Set(["UN2", "UN3", "UN4", "UN5", "UN6", "UN7"]);
const upn13 = (c: CinChild) => (has(c.upn) && c.upn.length === 13 ? c.upn : null);

/** Counts children matching a test, over the whole return. */
const share = (children: CinChild[], test: (c: CinChild) => boolean) =>
  children.length === 0 ? 0 : children.filter(test).length / children.length;

export const CHILD_MODULE_RULES: CinRule[] = [
  whole(
    "100",
    "Header",
    "Reference Date is incorrect",
    "The header: ReferenceDate must be 31 March of the collection year.",
    (d) =>
      d.header.referenceDate === `${d.header.year}-03-31`
        ? []
        : [{ laChildId: WHOLE_RETURN, detail: `ReferenceDate ${d.header.referenceDate}` }],
  ),
  child(
    "1510",
    "ChildIdentifiers",
    "UPN invalid (wrong check letter at character 1)",
    "Each UPN of 13 characters whose characters 2-13 are digits.",
    (c) => {
      const upn = upn13(c);
      const letter = upn ? upnCheckLetter(upn) : null;
      return upn && letter && upn[0] !== letter ? [`UPN ${upn}: check letter should be ${letter}`] : [];
    },
  ),
  whole(
    "1520",
    "ChildIdentifiers",
    "More than one record with the same UPN",
    "Every UPN present in the return (LA level).",
    (d) => {
      const seen = new Map<string, string[]>();
      for (const c of d.children) if (has(c.upn)) seen.set(c.upn, [...(seen.get(c.upn) ?? []), c.laChildId]);
      return [...seen.entries()]
        .filter(([, ids]) => ids.length > 1)
        .flatMap(([upn, ids]) =>
          ids.map((laChildId) => ({ laChildId, detail: `UPN ${upn} is used by ${ids.length} children` })),
        );
    },
  ),
  child(
    "1530",
    "ChildIdentifiers",
    "UPN invalid (characters 2-4 not a recognised LA code)",
    "Each UPN of 13 characters.",
    (c) => {
      const upn = upn13(c);
      return upn && !UPN_LA_CODES.has(upn.slice(1, 4)) ? [`UPN ${upn}: LA code ${upn.slice(1, 4)}`] : [];
    },
  ),
  child(
    "1540",
    "ChildIdentifiers",
    "UPN invalid (characters 5-12 not all numeric)",
    "Each UPN present.",
    (c) => (has(c.upn) && !/^\d*$/.test(c.upn.slice(4, 12)) ? [`UPN ${c.upn}`] : []),
  ),
  child(
    "1550",
    "ChildIdentifiers",
    "UPN invalid (character 13 not a recognised value)",
    "Each UPN of 13 characters: character 13 is a digit or a letter other than I, O and S.",
    (c) => {
      const upn = upn13(c);
      return upn && !/[0-9A-HJ-NP-RT-Z]/.test(upn[12] ?? "") ? [`UPN ${upn}`] : [];
    },
  ),
  child(
    "1560Q",
    "ChildIdentifiers",
    "Please check: Former UPN wrongly formatted",
    "Each FormerUPN present: a letter then 12 digits.",
    (c) => (has(c.formerUpn) && !/^[A-Za-z]\d{12}$/.test(c.formerUpn) ? [`FormerUPN ${c.formerUpn}`] : []),
  ),
  child(
    "1570",
    "ChildIdentifiers",
    "LA Child ID must not be longer than 20 characters",
    "Every child's LAchildID.",
    (c) => (c.laChildId.length > 20 ? [`LAchildID ${c.laChildId}`] : []),
  ),
  child(
    "1580",
    "ChildIdentifiers",
    "LA Child ID must not contain any non-alphanumeric characters",
    "Every child's LAchildID.",
    (c) => (has(c.laChildId) && !/^[A-Za-z0-9]+$/.test(c.laChildId) ? [`LAchildID ${c.laChildId}`] : []),
  ),
  whole(
    "2886Q",
    "ChildIdentifiers",
    "Please check and either amend or provide a reason: Percentage of children with no sex recorded is more than 2% (excluding unborns)",
    "All children (LA level): Sex missing or U with no expected birth date, over 2%.",
    (d) =>
      share(d.children, (c) => (!has(c.sex) || c.sex === "U") && !has(c.expectedBirthDate)) > 0.02
        ? [{ laChildId: WHOLE_RETURN, detail: "more than 2% of children have no sex recorded" }]
        : [],
  ),
  child("4180", "ChildIdentifiers", "Sex must be provided and equal M, F, or U", "Every child.", (c) =>
    ["M", "F", "U"].includes(c.sex) ? [] : [`Sex ${c.sex || "(missing)"}`],
  ),
  child("8500", "ChildIdentifiers", "LA Child ID missing", "Every child.", (c) =>
    has(c.laChildId) ? [] : ["no LAchildID"],
  ),
  whole(
    "8510",
    "ChildIdentifiers",
    "More than one child record with the same LA Child ID",
    "Every LAchildID in the return.",
    (d) => {
      const counts = new Map<string, number>();
      for (const c of d.children) counts.set(c.laChildId, (counts.get(c.laChildId) ?? 0) + 1);
      return [...counts.entries()]
        .filter(([, n]) => n > 1)
        .map(([laChildId, n]) => ({ laChildId, detail: `${n} records` }));
    },
  ),
  child(
    "8520",
    "ChildIdentifiers",
    "Date of Birth is after data collection period (must be on or before the end of the census period)",
    "PersonBirthDate where present, against the reference date.",
    (c, ctx) => (has(c.birthDate) && c.birthDate > ctx.referenceDate ? [`born ${c.birthDate}`] : []),
  ),
  child(
    "8525Q",
    "ChildIdentifiers",
    "Either Date of Birth or Expected Date of Birth must be provided (but not both)",
    "Every child.",
    (c) =>
      has(c.birthDate) === has(c.expectedBirthDate)
        ? ["both or neither of PersonBirthDate and ExpectedPersonBirthDate"]
        : [],
  ),
  child(
    "8530Q",
    "ChildIdentifiers",
    "Please check: Expected Date of Birth is outside the expected range for this census (March to December of the Census Year end)",
    "ExpectedPersonBirthDate where present: between the reference date minus 30 days and plus 9 months.",
    (c, ctx) =>
      has(c.expectedBirthDate) &&
      (c.expectedBirthDate <= plusDays(ctx.referenceDate, -30) ||
        c.expectedBirthDate >= plusMonths(ctx.referenceDate, 9))
        ? [`expected ${c.expectedBirthDate}`]
        : [],
  ),
  child(
    "8535Q",
    "ChildIdentifiers",
    "Child’s date of death should not be prior to the date of birth",
    "PersonDeathDate where present (not for unborn children expected after it).",
    (c) => {
      if (!has(c.deathDate)) return [];
      if (has(c.expectedBirthDate) && c.expectedBirthDate > c.deathDate) return [];
      return !has(c.birthDate) || c.birthDate > c.deathDate
        ? [`died ${c.deathDate}, born ${c.birthDate ?? "(missing)"}`]
        : [];
    },
  ),
  child(
    "8545Q",
    "ChildIdentifiers",
    "Please check: Child's date of death should be within the census year",
    "PersonDeathDate where present.",
    (c, ctx) => (has(c.deathDate) && !inYear(c.deathDate, ctx) ? [`died ${c.deathDate}`] : []),
  ),
  child(
    "8750",
    "ChildIdentifiers",
    "Sex must equal U for an unborn child",
    "Children with an expected birth date and no birth date.",
    (c) => (!has(c.birthDate) && has(c.expectedBirthDate) && c.sex !== "U" ? [`unborn, Sex ${c.sex}`] : []),
  ),
  child(
    "8770Q",
    "ChildIdentifiers",
    "Please check and either amend data or provide a reason: UPN is missing or reason UPN is missing or is UN1 for a child who is of school age.",
    "Children of school age (born on or before 31 August four years before the year after the reference date) with an episode going on to further action.",
    (c, ctx) => {
      const schoolAge = plusYears(plusDays(plusMonths(ctx.referenceDate, 4), 31), -4);
      if (!has(c.birthDate) || c.birthDate > schoolAge || !c.episodes.some(furtherAction)) return [];
      return has(c.upn) || (has(c.upnUnknown) && UPN_UNKNOWN_SCHOOL_AGE.has(c.upnUnknown.toUpperCase()))
        ? []
        : [`no UPN, UPNunknown ${c.upnUnknown ?? "(missing)"}`];
    },
  ),
  child(
    "8772",
    "ChildIdentifiers",
    "UPN unknown reason is UN7 (Referral with no further action) but at least one CIN details is a referral going on to further action",
    "Children whose UPNunknown is UN7.",
    (c) =>
      c.upnUnknown === "UN7" && c.episodes.some(furtherAction)
        ? ["UN7 with an episode going on to further action"]
        : [],
  ),
  child(
    "8775Q",
    "ChildIdentifiers",
    "Please check: Child is over 25 years old",
    "Children born more than 25 years before the reference date, for each episode open or closed after their 25th birthday.",
    (c, ctx) => {
      if (!has(c.birthDate) || c.birthDate >= plusYears(ctx.referenceDate, -25)) return [];
      const twentyFive = plusYears(c.birthDate, 25);
      return c.episodes
        .filter((e) => !has(e.closureDate) || e.closureDate > twentyFive)
        .map((e) => `episode from ${e.referralDate} after the 25th birthday`);
    },
  ),
  child(
    "4008",
    "ChildIdentifiers",
    "CIN Plan shown as starting after the child’s Date of Death.",
    "Every CIN plan of a child with a death date.",
    (c) =>
      has(c.deathDate)
        ? c.episodes
            .flatMap((e) => e.cinPlans)
            .filter((p) => has(p.start) && p.start > (c.deathDate as string))
            .map((p) => `CIN plan from ${p.start}`)
        : [],
  ),
  child(
    "4009Q",
    "ChildIdentifiers",
    "CIN Plan cannot end after the child’s Date of Death",
    "Every ended CIN plan of a child with a death date.",
    (c) =>
      has(c.deathDate)
        ? c.episodes
            .flatMap((e) => e.cinPlans)
            .filter((p) => has(p.end) && p.end > (c.deathDate as string))
            .map((p) => `CIN plan ended ${p.end}`)
        : [],
  ),
  child("8590", "ChildIdentifiers", "Child does not have a recorded CIN episode.", "Every child.", (c) =>
    c.episodes.length ? [] : ["no CINdetails"],
  ),
  child(
    "4220",
    "ChildCharacteristics",
    "Ethnicity is missing or invalid (see Ethnicity table)",
    "Every child.",
    (c) => (ETHNICITIES.has(c.ethnicity) ? [] : [`Ethnicity ${c.ethnicity || "(missing)"}`]),
  ),
  whole(
    "2887Q",
    "Disabilities",
    "Please check and either amend or provide a reason: Less than 8 disability codes have been used in your return",
    "All disability codes in the return other than NONE (LA level).",
    (d) =>
      new Set(d.children.flatMap((c) => c.disabilities).filter((x) => has(x) && x !== "NONE")).size <= 7
        ? [{ laChildId: WHOLE_RETURN, detail: "7 or fewer disability codes used" }]
        : [],
  ),
  whole(
    "2888Q",
    "Disabilities",
    "Please check: Only one disability code is recorded per child and multiple disabilities should be recorded where possible.",
    "Children with a disability other than NONE (LA level).",
    (d) =>
      d.children.some((c) => c.disabilities.filter((x) => has(x) && x !== "NONE").length > 1)
        ? []
        : [{ laChildId: WHOLE_RETURN, detail: "no child has more than one disability" }],
  ),
  child(
    "8540",
    "Disabilities",
    "Child’s disability is missing or invalid (see Disability table)",
    "Born children with at least one episode going on to further action.",
    (c) => {
      if (!has(c.birthDate) || !c.episodes.some(furtherAction)) return [];
      if (c.disabilities.length === 0) return ["no Disability"];
      return c.disabilities.filter((x) => !DISABILITIES.has(x)).map((x) => `Disability ${x}`);
    },
  ),
  child(
    "8790",
    "Disabilities",
    "Disability information includes both None and other values",
    "Every child's disabilities.",
    (c) => (c.disabilities.includes("NONE") && c.disabilities.length > 1 ? ["NONE with other codes"] : []),
  ),
  child(
    "8794",
    "Disabilities",
    "Child has two or more disabilities with the same code",
    "Every child's disabilities.",
    (c) => (new Set(c.disabilities).size !== c.disabilities.length ? ["a disability code is repeated"] : []),
  ),
];
