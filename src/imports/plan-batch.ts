// SPDX-License-Identifier: MIT
/**
 * Deciding each row's fate for one batch of an import, set-based: the batch's row keys, NHS numbers and
 * UPNs are each looked up in one statement, and the names and dates of birth left to search in one more;
 * then every row is decided in order without I/O (read it, check its key, match its person).
 */
import { sql } from "kysely";
import type { Trx } from "../data/repository-scope.ts";
import { todayInEngland } from "../kernel/calendar.ts";
import { currentPartnership } from "../kernel/sql.ts";
import type { ImportFormat, RowFate } from "./codes.ts";
import { type Fact, type ImportMapping, readRow, rowKey, type SourceRow, sha256 } from "./formats.ts";
import {
  type Candidate,
  knownIdentifiers,
  matchPerson,
  type NameMatches,
  nameQueryFor,
  searchNames,
} from "./matching.ts";

export type PlannedRow = {
  row: SourceRow;
  fate: RowFate;
  reason: string | null;
  key: string;
  personId: string | null;
  fact: Fact | null;
  candidates: Candidate[];
};

/** Decides each row's fate for one batch: read, check its key, match its person. */
export const planBatch = async (
  trx: Trx,
  options: {
    agencyId: string;
    format: ImportFormat;
    importId: string;
    source: string;
    mapping: ImportMapping;
    batch: SourceRow[];
    /** Name searches already made in this run (a child appears in many rows of one file). */
    nameCache: NameMatches;
  },
): Promise<PlannedRow[]> => {
  const today = todayInEngland();
  const read = options.batch.map((row) => ({
    row,
    result: readRow(options.format, row, options.mapping, options.source),
  }));
  const keys = read.flatMap((r) =>
    r.result.ok ? [rowKey(options.agencyId, options.format, r.result.fact.naturalKey)] : [],
  );
  // Where each key was first seen: an earlier import, or an earlier row of this one.
  const taken = new Map(
    (keys.length === 0
      ? []
      : await trx
          .selectFrom("import_rows")
          .select(["row_key", "import_id", "row_number"])
          .where(sql.ref("partnership_id"), "=", currentPartnership)
          .where("row_key", "=", sql<string>`any(${keys}::text[])`)
          .where("fate", "in", ["entry-created", "no-entry", "review"])
          .execute()
    ).map((r) => [r.row_key, { importId: r.import_id, rowNumber: r.row_number }]),
  );
  const facts = read.flatMap((r) => (r.result.ok ? [r.result.fact] : []));
  const known = await knownIdentifiers(
    trx,
    [...new Set(facts.flatMap((f) => (f.identity.nhsNumber ? [f.identity.nhsNumber] : [])))],
    [...new Set(facts.flatMap((f) => (f.identity.upn ? [f.identity.upn] : [])))],
  );
  await searchNames(
    trx,
    facts.flatMap((f) => nameQueryFor(f.identity, known) ?? []),
    options.nameCache,
  );
  const planned: PlannedRow[] = [];
  for (const { row, result } of read) {
    if (!result.ok) {
      planned.push({
        row,
        fate: "rejected",
        reason: result.reason,
        key: sha256(`${options.importId}|${row.rowNumber}`),
        personId: null,
        fact: null,
        candidates: [],
      });
      continue;
    }
    const fact = result.fact;
    const key = rowKey(options.agencyId, options.format, fact.naturalKey);
    const base = { row, key, fact, personId: null, candidates: [] };
    const first = taken.get(key);
    if (first) {
      planned.push({
        ...base,
        fate: "duplicate",
        reason:
          first.importId === options.importId
            ? `The same as row ${first.rowNumber} of this file`
            : "Imported before from this agency (the same row in an earlier file)",
      });
      continue;
    }
    if (fact.entry && fact.entry.occurredOn > today) {
      planned.push({
        ...base,
        fate: "rejected",
        reason: `The date ${fact.entry.occurredOn} is in the future`,
      });
      continue;
    }
    const match = matchPerson(fact.identity, known, options.nameCache);
    if (match.kind === "unmatched") {
      planned.push({ ...base, fate: "unmatched", reason: match.reason });
      continue;
    }
    taken.set(key, { importId: options.importId, rowNumber: row.rowNumber });
    if (match.kind === "review") {
      planned.push({ ...base, fate: "review", reason: match.reason, candidates: match.candidates });
      continue;
    }
    planned.push({
      ...base,
      personId: match.personId,
      fate: fact.entry ? "entry-created" : "no-entry",
      reason: fact.entry
        ? `Matched by ${match.matchedOn}`
        : `Matched by ${match.matchedOn}. ${fact.noEntryReason ?? ""}`.trim(),
    });
  }
  return planned;
};
