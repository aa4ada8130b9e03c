// SPDX-License-Identifier: MIT
/**
 * Reads a table's many rows a child (social care events, chronology entries, involvements) as one text a
 * child: fields joined by U+001F, rows by U+001E, list items by U+001D, a null as U+0002. At 100,000
 * children on PGlite, building the texts took a quarter of the time that building the same rows as JSON
 * objects did (0.7 against 2.9 s for 393,000 social care events), and both beat the drivers' parsing of
 * each column of each row.
 *
 * Only for ids, dates, numbers, booleans and coded values (code lists the schema's CHECK constraints
 * hold): a free-text field could hold the separators, and must be read another way.
 */
import { type RawBuilder, sql } from "kysely";
import type { Trx } from "../data/repository-scope.ts";

const FIELD = "\u001f";
const ROW = "\u001e";
const ITEM = "\u001d";
const NULL = "\u0002";

/** How a column is read back: text (ids, dates, codes), a number, a boolean, or a list of codes. */
export type CodedKind = "text" | "number" | "boolean" | "list";

/** A column: the property it is read into, its SQL expression (written in code, never from input), its kind. */
export type CodedColumn = readonly [name: string, expression: string, kind: CodedKind];

const fieldSql = ([, expression, kind]: CodedColumn) =>
  kind === "list"
    ? `coalesce(array_to_string(${expression}, chr(29)), chr(2))`
    : `coalesce((${expression})::text, chr(2))`;

const readField = (text: string, kind: CodedKind): unknown => {
  if (text === NULL) return null;
  switch (kind) {
    case "text":
      return text;
    case "number":
      return Number(text);
    case "boolean":
      return text === "true";
    case "list":
      return text === "" ? [] : text.split(ITEM);
  }
};

/** Each child's rows as read: one text a child, not yet split (cheap to send to a worker thread). */
export type CodedTexts = { person_id: string; items: string }[];

/**
 * Reads rows grouped by child, one text a child, to be split by {@link parseCodedTexts}.
 * @param person - The SQL expression of the child's id, also grouped by.
 * @param columns - The columns read into each row.
 * @param from - The query's `from … where …` clause.
 * @param orderBy - The SQL order of a child's rows, when it matters.
 */
export const readCodedTexts = async (
  trx: Trx,
  person: string,
  columns: readonly CodedColumn[],
  from: RawBuilder<unknown>,
  orderBy?: string,
): Promise<CodedTexts> => {
  const fields = columns.map(fieldSql).join(" || chr(31) || ");
  const order = orderBy ? ` order by ${orderBy}` : "";
  const { rows } = await sql<{ person_id: string; items: string }>`select ${sql.raw(person)} as person_id,
      string_agg(${sql.raw(fields)}, chr(30)${sql.raw(order)}) as items
      ${from} group by ${sql.raw(person)}`.execute(trx);
  return rows;
};

/**
 * Splits the texts read by {@link readCodedTexts} with the same columns.
 * @returns Each child's rows by the child's id: built as the caller's own objects, not rows to copy.
 */
export const parseCodedTexts = <T>(texts: CodedTexts, columns: readonly CodedColumn[]): Map<string, T[]> => {
  const out = new Map<string, T[]>();
  for (const row of texts) {
    const rowTexts = row.items.split(ROW);
    const items: T[] = new Array(rowTexts.length);
    for (let r = 0; r < rowTexts.length; r++) {
      const values = (rowTexts[r] as string).split(FIELD);
      const item: Record<string, unknown> = {};
      for (let i = 0; i < columns.length; i++) {
        const [name, , kind] = columns[i] as CodedColumn;
        item[name] = readField(values[i] as string, kind);
      }
      items[r] = item as T;
    }
    out.set(row.person_id, items);
  }
  return out;
};
