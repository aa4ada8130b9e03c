// SPDX-License-Identifier: MIT
/** The CSV formats' shared reading: parse, check the header, and number the rows as a spreadsheet does. */
import { parse } from "csv-parse/sync";
import { FileRefused, lower, type SourceRow } from "./common.ts";

/**
 * Splits a CSV file into its source rows, keyed by lower-cased header, after checking the header has
 * every required column (named as the mapping names it).
 * @throws FileRefused when the file is not CSV, is empty, or lacks a required column.
 */
export const splitCsv = (content: string, requiredColumns: readonly string[]): SourceRow[] => {
  let records: string[][];
  try {
    records = parse(content, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
  } catch (error) {
    throw new FileRefused(`The file is not CSV: ${error instanceof Error ? error.message : String(error)}`);
  }
  const [header, ...rest] = records;
  if (!header) throw new FileRefused("The file is empty: there is no header row");
  const missing = requiredColumns.filter((column) => !header.some((h) => lower(h) === lower(column)));
  if (missing.length > 0)
    throw new FileRefused(
      `The header row has no column ${missing.map((m) => `"${m}"`).join(", ")} (the saved mapping expects it)`,
    );
  return rest.map((cells, index) => ({
    rowNumber: index + 2,
    values: Object.fromEntries(header.map((h, i) => [lower(h), cells[i] ?? ""])),
  }));
};
