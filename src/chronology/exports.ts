// SPDX-License-Identifier: MIT
/**
 * A family chronology for a conference: as CSV (for a spreadsheet) and as PDF (for the papers). Both
 * carry exactly what the page shows the same caller with the same filters.
 */
import { stringify } from "csv-stringify/sync";
import { type Content, pdfmake, printable, type TDocumentDefinitions } from "../web/pdf.ts";
import type { Chronology, ChronologyRow } from "./chronology-repository.ts";
import { formatDate } from "./dates.ts";

const COLUMNS: { key: string; header: string; value: (row: ChronologyRow) => string }[] = [
  { key: "date", header: "Date", value: (r) => r.date_label },
  { key: "occurred_on", header: "Date (ISO)", value: (r) => r.occurred_on },
  { key: "date_precision", header: "Date precision", value: (r) => r.date_precision },
  { key: "person", header: "Person", value: (r) => r.person_name },
  { key: "relationship", header: "Relationship or role", value: (r) => r.person_label },
  { key: "age", header: "Age at event", value: (r) => r.age_at_event },
  { key: "agency", header: "Agency", value: (r) => r.agency_name },
  { key: "recorded_by", header: "Recorded by", value: (r) => r.recorder_name ?? "" },
  { key: "imported", header: "Source", value: (r) => r.imported?.text ?? "" },
  { key: "type", header: "Type of event", value: (r) => r.event_type_label },
  { key: "what_happened", header: "What happened", value: (r) => r.what_happened },
  { key: "impact", header: "Impact on the child", value: (r) => r.impact_on_child },
  { key: "action", header: "Action taken", value: (r) => r.action_taken ?? "" },
  { key: "significance", header: "Significance", value: (r) => r.significance_label },
  { key: "neglect_types", header: "Neglect types", value: (r) => r.neglect_type_labels.join("; ") },
  { key: "basis", header: "Observed, reported or opinion", value: (r) => r.information_basis_label },
  {
    key: "visibility",
    header: "Visibility",
    value: (r) =>
      r.visibility === "restricted" ? `Restricted: ${r.restricted_to_labels.join("; ")}` : "Normal",
  },
  { key: "amended", header: "Amendment reason", value: (r) => r.amendment_reason ?? "" },
];

/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a formula: prefix
 * such text with an apostrophe so a chronology entry can never become one.
 */
export const neutraliseFormula = (text: string): string => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/** @returns The chronology as CSV, a header row then one row per entry. */
export const chronologyCsv = (chronology: Chronology): string =>
  stringify(
    chronology.events.map((row) => COLUMNS.map((column) => neutraliseFormula(column.value(row)))),
    { header: true, columns: COLUMNS.map((column) => column.header), bom: true },
  );

/**
 * @param chronology - The family chronology as the caller may see it.
 * @param filters - A sentence describing the filters applied, or "" for none.
 * @param generatedBy - Who produced the document.
 * @returns The PDF's bytes.
 */
export const chronologyPdf = (
  chronology: Chronology,
  filters: string,
  generatedBy: string,
  now = new Date(),
): Promise<Buffer> => {
  const child = chronology.child;
  const headers = [
    "Date",
    "Person",
    "Agency",
    "Type",
    "What happened",
    "Impact on the child",
    "Action taken",
    "Significance, neglect type, basis",
  ];
  const body: Content[][] = [
    headers.map((text) => ({ text, style: "th" })),
    ...chronology.events.map((row): Content[] => [
      printable(row.date_label),
      printable(`${row.person_name}\n${row.person_label}${row.age_at_event ? `, ${row.age_at_event}` : ""}`),
      printable(
        `${row.agency_name}${row.recorder_name ? `\n${row.recorder_name}` : ""}${row.imported ? `\n${row.imported.text}` : ""}`,
      ),
      printable(row.event_type_label),
      printable(row.what_happened),
      printable(row.impact_on_child),
      printable(row.action_taken ?? ""),
      printable(
        [
          row.significance_label,
          row.neglect_type_labels.join(", "),
          row.information_basis_label,
          row.visibility === "restricted" ? `Restricted: ${row.restricted_to_labels.join(", ")}` : "",
          row.amendment_reason ? `Amended: ${row.amendment_reason}` : "",
        ]
          .filter(Boolean)
          .join("\n"),
      ),
    ]),
  ];
  const generatedAt = new Intl.DateTimeFormat("en-GB", {
    dateStyle: "long",
    timeStyle: "short",
    timeZone: "Europe/London",
  }).format(now);
  const doc: TDocumentDefinitions = {
    pageSize: "A4",
    pageOrientation: "landscape",
    pageMargins: [28, 40, 28, 36],
    info: { title: printable(`Family chronology: ${child.name}`), creator: "Hearth", producer: "Hearth" },
    defaultStyle: { font: "Helvetica", fontSize: 8 },
    header: {
      text: "OFFICIAL-SENSITIVE",
      alignment: "center",
      margin: [0, 16, 0, 0],
      fontSize: 8,
      bold: true,
    },
    footer: (currentPage: number, pageCount: number) => ({
      columns: [
        { text: "OFFICIAL-SENSITIVE", bold: true },
        { text: `Page ${currentPage} of ${pageCount}`, alignment: "right" },
      ],
      margin: [28, 8, 28, 0],
      fontSize: 8,
    }),
    content: [
      { text: printable(`Family chronology: ${child.name}`), style: "h1" },
      {
        text: printable(
          `Date of birth: ${child.date_of_birth ? formatDate(child.date_of_birth) : child.expected_date_of_birth ? `due ${formatDate(child.expected_date_of_birth)}` : "not known"}. ` +
            `Family members included: ${chronology.members.map((m) => `${m.name} (${m.label})`).join(", ")}.`,
        ),
        margin: [0, 0, 0, 4],
      },
      {
        text: printable(
          `${filters ? `Filtered: ${filters}. ` : ""}${chronology.events.length} ${chronology.events.length === 1 ? "entry" : "entries"}. Produced by ${generatedBy} on ${generatedAt}. Entries restricted to roles other than the reader's are not included${chronology.hiddenMembers ? `, nor those of ${chronology.hiddenMembers} family ${chronology.hiddenMembers === 1 ? "member" : "members"} whose records the reader cannot open` : ""}.`,
        ),
        margin: [0, 0, 0, 8],
        color: "#505a5f",
      },
      chronology.events.length === 0
        ? { text: "No entries match." }
        : {
            table: {
              headerRows: 1,
              dontBreakRows: true,
              widths: [52, 70, 70, 70, "*", "*", 90, 80],
              body,
            },
            layout: "lightHorizontalLines",
          },
    ],
    styles: { h1: { fontSize: 14, bold: true, margin: [0, 0, 0, 6] }, th: { bold: true } },
  };
  return pdfmake.createPdf(doc).getBuffer();
};
