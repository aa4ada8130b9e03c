// SPDX-License-Identifier: MIT
/**
 * Exporting a year's CIN census return: children with an episode open at any time from 1 April to 31
 * March, as the events stood on 31 March, checked against DfE's XSD and the ported rules. A system job run
 * by the CLI as the database owner, so every query names the partnership.
 */

import { type Db, laChildIdOf, loadChildren, scopeToYear, toCinEpisode } from "./cin-census-mapping.ts";
import { type RuleFinding, validateCinReturn } from "./cin-rules.ts";
import { buildCinXml, type CinChild, type CinReturn, validateCinXml, type XsdProblem } from "./cin-xml.ts";

export type CinExport = {
  data: CinReturn;
  xml: string;
  xsdProblems: XsdProblem[];
  findings: RuleFinding[];
};

/**
 * The year's return: every child with an episode open at some time from 1 April (year - 1) to 31 March
 * (year), as their events stood on 31 March. Validated against the XSD and the ported rules.
 * @param db - The database (owner; the CLI's system job).
 * @param options - Partnership, census year (ending 31 March), and the header's time stamp.
 */
export const exportCinCensus = async (
  db: Db,
  options: { partnershipId: string; year: number; dateTime?: string; release?: string },
): Promise<CinExport> => {
  const referenceDate = `${options.year}-03-31`;
  const collectionStart = `${options.year - 1}-04-01`;
  const partnership = await db
    .selectFrom("partnerships")
    .select("local_authority_codes")
    .where("partnership_id", "=", options.partnershipId)
    .executeTakeFirstOrThrow();
  const loaded = await loadChildren(db, options.partnershipId, referenceDate);
  const children: CinChild[] = [];
  for (const { person, episodes } of loaded) {
    const inYear = episodes.filter((e) => e.closureDate === null || e.closureDate >= collectionStart);
    if (inYear.length === 0) continue;
    const unborn = person.date_of_birth === null && person.expected_date_of_birth !== null;
    children.push({
      laChildId: laChildIdOf(person),
      upn: person.upn,
      formerUpn: person.former_upn,
      upnUnknown: person.upn_unknown,
      birthDate: person.date_of_birth,
      expectedBirthDate: person.date_of_birth ? null : person.expected_date_of_birth,
      sex: unborn ? "U" : person.sex,
      deathDate: person.date_of_death,
      ethnicity: person.ethnicity ?? "NOBT",
      disabilities: person.disabilities,
      episodes: inYear.map((e) => scopeToYear(toCinEpisode(e), collectionStart)),
    });
  }
  children.sort((a, b) => (a.laChildId < b.laChildId ? -1 : 1));
  const data: CinReturn = {
    header: {
      year: options.year,
      referenceDate,
      lea: partnership.local_authority_codes[0] ?? "999",
      softwareCode: "Hearth",
      release: options.release ?? "0.1.0",
      serialNo: "001",
      dateTime: options.dateTime ?? new Date().toISOString().slice(0, 19),
    },
    children,
  };
  const xml = buildCinXml(data);
  return { data, xml, xsdProblems: await validateCinXml(xml), findings: validateCinReturn(data) };
};
