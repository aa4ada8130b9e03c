// SPDX-License-Identifier: MIT
/**
 * A synthetic CIN census return for the year to 31 March 2025, built in memory from the generator's
 * journeys (src/pathways/generate-journeys.ts): every generated child with an episode open in the year,
 * with UPNs (some unknown, some with a former UPN), internal reviews, disabilities and ethnicities varied.
 * The round-trip test and the import benchmark (bench/cin-import.bench.ts) load it. Pure: nothing written.
 */
import { seededRandom } from "../generator/random.ts";
import { scopeToYear, toCinEpisode } from "./cin-census.ts";
import { upnCheckLetter } from "./cin-rules/index.ts";
import type { CinChild, CinReturn } from "./cin-xml.ts";
import { deriveEpisodes } from "./episodes.ts";
import { generateJourneys, journeyEventsByPerson } from "./generate-journeys.ts";

/** The header of a return for the year to 31 March 2025 (the census tests' returns share it). */
export const CIN_2025_HEADER: CinReturn["header"] = {
  year: 2025,
  referenceDate: "2025-03-31",
  lea: "204",
  softwareCode: "Hearth",
  release: "0.1.0",
  serialNo: "001",
  dateTime: "2025-04-02T10:00:00",
};

/**
 * The children among `size` generated people (numbered from `first`) whose journeys have an episode open
 * in the year; about one in eleven people has one.
 */
const generatedChildren = (size: number, seed: string, first = 0): CinChild[] => {
  const people = Array.from({ length: size }, (_, n) => {
    const i = first + n;
    return {
      personId: `00000000-0000-4000-9000-${String(i).padStart(12, "0")}`,
      dateOfBirth: `20${String(8 + (i % 16)).padStart(2, "0")}-0${1 + (i % 9)}-1${i % 10}`,
    };
  });
  const rows = generateJourneys(people, {
    random: seededRandom(seed),
    partnershipId: "p",
    referenceDate: "2025-03-31",
    years: 4,
    workerUserIds: ["w"],
  });
  const byPerson = journeyEventsByPerson(rows);
  const children: CinChild[] = [];
  people.forEach((person, n) => {
    const i = first + n;
    const episodes = deriveEpisodes(
      (byPerson.get(person.personId) ?? []).filter((e) => e.occurredOn <= "2025-03-31"),
    )
      .filter((e) => e.closureDate === null || e.closureDate >= "2024-04-01")
      .map((e) => scopeToYear(toCinEpisode(e), "2024-04-01"))
      .map((e, k) => ({
        ...e,
        // Some assessments had an internal review, on the day they started.
        assessments: e.assessments.map((a) => ({ ...a, internalReview: (i + k) % 7 === 0 ? a.start : null })),
      }));
    if (episodes.length === 0) return;
    const digits = `204${String(100000000 + i)}`;
    // DfE's tool knows check letters for remainders 0 to 20 only: other numbers go without a UPN.
    const letter = upnCheckLetter(`X${digits}`);
    const withUpn = i % 4 !== 0 && letter !== null;
    children.push({
      laChildId: `RT${String(i).padStart(6, "0")}`,
      upn: withUpn ? `${letter}${digits}` : null,
      formerUpn: withUpn && i % 10 === 1 ? `A${digits.slice(0, 11)}9` : null,
      upnUnknown: withUpn ? null : (["UN1", "UN2", "UN3", "UN4", "UN5"][i % 5] ?? "UN2"),
      birthDate: person.dateOfBirth,
      expectedBirthDate: null,
      sex: i % 2 === 0 ? "F" : "M",
      deathDate: null,
      ethnicity: ["WBRI", "WIRI", "MWBC", "AIND", "BAFR", "CHNE"][i % 6] ?? "WBRI",
      disabilities: i % 11 === 0 ? ["LD", "COMM"] : ["NONE"],
      episodes,
    });
  });
  return children;
};

/**
 * The return of every child among `size` generated people with an episode open in the year.
 * @param size - People to generate journeys for (about one in eleven is in the return).
 * @param seed - The journeys' seed.
 */
export const generatedCinReturn = (size: number, seed: string): CinReturn => ({
  header: { ...CIN_2025_HEADER },
  children: generatedChildren(size, seed),
});

/**
 * A return of exactly `children` children (for benchmarks): generated 20,000 people at a time, each batch
 * from its own seed, until there are enough. LAchildIDs are RT and the person's number.
 */
export const generatedCinReturnOf = (children: number, seed: string): CinReturn => {
  const batch = 20_000;
  const all: CinChild[] = [];
  for (let first = 0; all.length < children; first += batch)
    all.push(...generatedChildren(batch, `${seed} ${first}`, first));
  return { header: { ...CIN_2025_HEADER }, children: all.slice(0, children) };
};
