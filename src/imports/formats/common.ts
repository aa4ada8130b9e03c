// SPDX-License-Identifier: MIT
/** What every import format shares: a mapping, a source row, the fact read from it, and reading values. */
import type { EventType, InformationBasis, NeglectType } from "../../chronology/codes.ts";
import { isIsoDate } from "../../kernel/calendar.ts";

/** A saved mapping: which source column holds each field, and how source values read as codes. */
export type ImportMapping = {
  /** Hearth field -> the source column's header (CSV) or the FHIR element it comes from. */
  columns: Record<string, string>;
  /** Source values (compared case-insensitively) that mean each outcome. */
  values?: Record<string, string[]>;
};

/** One row of the source file: its number as the person who sent it would name it, and its values. */
export type SourceRow = {
  /** CSV: the spreadsheet row (the header is row 1). FHIR: the Bundle entry (1-based). */
  rowNumber: number;
  values: Record<string, string>;
};

/** Who a row is about, as the source system knows them. */
export type Identity = {
  nhsNumber: string | null;
  upn: string | null;
  givenNames: string;
  familyName: string;
  dateOfBirth: string | null;
};

/** What to add to the person's chronology. */
export type EntryDraft = {
  eventType: EventType;
  occurredOn: string;
  whatHappened: string;
  significance: "low" | "medium" | "high";
  neglectTypes: NeglectType[];
  informationBasis: InformationBasis;
};

/** A row read: who it is about, the key that makes it the same row next time, and what (if anything) to record. */
export type Fact = {
  naturalKey: string;
  identity: Identity;
  entry: EntryDraft | null;
  /** Why nothing is recorded, when entry is null. */
  noEntryReason: string | null;
  /** The row's mapped fields, kept with its fate. */
  fields: Record<string, unknown>;
};

export type ReadResult = { ok: true; fact: Fact } | { ok: false; reason: string };

/** A row's key, who it is about and its mapped fields: what every fact read from it holds. */
type RowRead = Pick<Fact, "naturalKey" | "identity" | "fields">;

/** A row read that records this entry in the person's chronology. */
export const factOf = (row: RowRead, entry: EntryDraft): ReadResult => ({
  ok: true,
  fact: { ...row, noEntryReason: null, entry },
});

/** A row read that records nothing, and why. */
export const nothingToRecord = (row: RowRead, reason: string): ReadResult => ({
  ok: true,
  fact: { ...row, entry: null, noEntryReason: reason },
});

/** The file could not be read at all (not CSV, missing columns, not a Bundle): nothing is imported. */
export class FileRefused extends Error {}

export const lower = (value: string) => value.trim().toLowerCase();
export const oneOf = (value: string, list: string[] | undefined): boolean =>
  (list ?? []).some((v) => lower(v) === lower(value));
export const containsAny = (value: string, list: string[] | undefined): boolean =>
  (list ?? []).some((v) => lower(value).includes(lower(v)));

/** Reads a date as ISO, from YYYY-MM-DD, DD/MM/YYYY or an ISO date-time. */
export const readDate = (value: string | undefined): string | null => {
  const v = (value ?? "").trim();
  if (v === "") return null;
  let iso: string | null = null;
  const isoMatch = /^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$/.exec(v);
  if (isoMatch?.[1]) iso = isoMatch[1];
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  if (uk) iso = `${uk[3]}-${(uk[2] ?? "").padStart(2, "0")}-${(uk[1] ?? "").padStart(2, "0")}`;
  return iso && isIsoDate(iso) ? iso : null;
};

export const readInteger = (value: string): number | null => (/^\d+$/.test(value) ? Number(value) : null);

/**
 * What a format's reader gets for one row: its mapped fields and their source columns, who the row is
 * about (already identified), and how to read a date field and start an entry of a type.
 */
export type RowContext = {
  get: (name: string) => string;
  column: (name: string) => string;
  mapping: ImportMapping;
  /** "Agency's file NAME", for the entry's wording. */
  source: string;
  identity: Identity;
  /** The person's part of a row's natural key: NHS number, UPN, or name with date of birth. */
  personKey: string;
  defaults: (eventType: EventType) => {
    eventType: EventType;
    significance: EntryDraft["significance"];
    neglectTypes: NeglectType[];
  };
  dateField: (name: string) => { ok: true; value: string } | { ok: false; reason: string };
};
