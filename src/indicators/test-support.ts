// SPDX-License-Identifier: MIT
/**
 * An independent reading of DfE's published files for tests that check Hearth's imported benchmarks:
 * a plain split of the CSV, not Hearth's parser, so a parsing mistake cannot pass unnoticed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const DFE = join(import.meta.dirname, "..", "..", "reference-data", "dfe");

const linesOf = (file: string): string[] =>
  readFileSync(join(DFE, file), "utf8")
    .replace(/^\ufeff/, "")
    .split(/\r?\n/);

const split = (line: string) => [...line.matchAll(/("([^"]*)"|[^,]*)(,|$)/g)].map((m) => m[2] ?? m[1] ?? "");

/** Every row of a published file, as named cells. */
export const publishedRows = (file: string): Record<string, string>[] => {
  const [head = "", ...lines] = linesOf(file);
  const names = split(head);
  return lines
    .filter((l) => l !== "")
    .map((line) => Object.fromEntries(split(line).map((v, i) => [names[i] ?? String(i), v])));
};

/** The first row of a year that the test picks. */
export const publishedRow = (file: string, year: number, pick: (cells: Record<string, string>) => boolean) =>
  publishedRows(file).find((cells) => Number(cells.time_period) === year && pick(cells));

/** Southampton's (852) ten statistical neighbours in a model. */
export const southamptonNeighbours = (model: "2021" | "2025"): string[] => {
  const file =
    model === "2025" ? "sn_model_2025_wide.csv" : "New_Statistical_Neighbour_Groupings_April_2021.csv";
  const [, ...lines] = linesOf(file);
  const row = lines.find((l) => l.startsWith("852,"))?.split(",") ?? [];
  // 2025: code,name,region_ind,region_name, then SN_1,SN_1P...; 2021: num,name,number,GOInd,GOReg, then SN1,SNP...
  const first = model === "2025" ? 4 : 5;
  return Array.from({ length: 10 }, (_, i) => row[first + i * 2] ?? "");
};

export const medianOf = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
