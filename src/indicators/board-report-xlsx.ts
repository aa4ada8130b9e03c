// SPDX-License-Identifier: MIT
/** The board report as an XLSX workbook (exceljs): the same figures as the PDF, typed and rounded. */
import ExcelJS from "exceljs";
import {
  type BoardReportData,
  countsUnits,
  HEADLINE_IDS,
  type ReportStep,
  round1,
  tooSmall,
  yearLabel,
} from "./board-report-figures.ts";
import { RAG_LABELS, ragOf } from "./board-settings.ts";
import { countCell, FEWER_THAN } from "./disclosure.ts";
import { GROUPS, type Indicator } from "./registry.ts";

/** Text that a spreadsheet would run as a formula is prefixed with an apostrophe. */
const safe = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/**
 * @param data - The report's figures.
 * @param progress - Told when the workbook is done.
 * @returns The XLSX workbook.
 */
export const boardReportXlsx = async (
  data: BoardReportData,
  progress: (step: ReportStep) => void = () => {},
): Promise<Buffer> => {
  const book = new ExcelJS.Workbook();
  book.creator = "Hearth";
  book.title = `${data.partnershipName}: board report ${data.period.label}`;
  const authority =
    (data.authorities ?? data.authorityCodes.map((code) => ({ code, name: code })))
      .map((a) => `${a.name} (${a.code})`)
      .join(" and ") || "not set";
  const cover = book.addWorksheet("Cover");
  cover.addRows([
    [data.partnershipName],
    [`Neglect strategy: report to the partnership board, ${data.period.label}`],
    [`Prepared by Hearth on ${data.generatedOn}; benchmarked as ${authority}`],
    [`Rates per 10,000 children are counted against: ${data.populationLabel ?? "the ONS mid-year estimate"}`],
    [],
    ["Executive summary"],
    [safe(data.commentary.get("overview") ?? "")],
  ]);
  cover.getRow(1).font = { bold: true, size: 14 };
  cover.getRow(6).font = { bold: true };
  cover.getColumn(1).width = 100;
  // Numbers are stored rounded and typed, with a display format: 42.9, never 42.900000000000006.
  const formatOf = (unit: Indicator["unit"]) => (unit === "count" ? "#,##0" : "0.0");
  const summary = book.addWorksheet("Neglect measures");
  summary.addRow([
    "Neglect measure",
    "Unit",
    data.period.label,
    "Previous quarter",
    "Target",
    "RAG",
    "Commentary",
  ]).font = { bold: true };
  for (const id of HEADLINE_IDS) {
    const r = data.rows.find((x) => x.indicator.id === id);
    if (!r) continue;
    const latest = round1(r.quarters.at(-1)?.figure.value);
    const target = data.targets?.[id];
    const rag = ragOf(r.indicator, latest, target);
    const row = summary.addRow([
      r.indicator.title,
      r.indicator.unit,
      latest,
      round1(r.quarters.at(-2)?.figure.value),
      target ? round1(target.target) : null,
      rag ? RAG_LABELS[rag] : "",
      safe(data.commentary.get(id) ?? ""),
    ]);
    for (const c of [3, 4, 5]) row.getCell(c).numFmt = formatOf(r.indicator.unit);
  }
  summary.getColumn(1).width = 70;
  summary.getColumn(7).width = 80;
  const quarters = data.rows[0]?.quarters.map((q) => q.period.label) ?? [];
  const figures = book.addWorksheet("Indicators");
  figures.addRow(["Indicator", "Group", "Unit", ...quarters, "Commentary"]).font = { bold: true };
  for (const r of data.rows) {
    const row = figures.addRow([
      r.indicator.title,
      GROUPS[r.indicator.group],
      r.indicator.unit,
      ...r.quarters.map((q) =>
        tooSmall(r.indicator, q.figure) ? `Not shown (${FEWER_THAN})` : round1(q.figure.value),
      ),
      safe(data.commentary.get(r.indicator.id) ?? ""),
    ]);
    r.quarters.forEach((_, i) => {
      row.getCell(4 + i).numFmt = formatOf(r.indicator.unit);
    });
  }
  figures.getColumn(1).width = 70;
  const detail = book.addWorksheet("Numerators");
  detail.addRow(["Indicator", "Period", "Numerator", "Denominator", "Value"]).font = { bold: true };
  for (const r of data.rows)
    for (const p of [...r.years, ...r.quarters]) {
      const row = detail.addRow([
        r.indicator.id,
        p.period.label,
        countsUnits(r.indicator) ? countCell(p.figure.numerator) : round1(p.figure.numerator),
        countCell(p.figure.denominator),
        tooSmall(r.indicator, p.figure) ? `Not shown (${FEWER_THAN})` : round1(p.figure.value),
      ]);
      row.getCell(5).numFmt = formatOf(r.indicator.unit);
    }
  const bench = book.addWorksheet("Benchmarks");
  bench.addRow([
    "Indicator",
    "Year",
    "Hearth",
    "Published (partnership)",
    "Why not known",
    "England",
    "Region",
    "Statistical neighbours (median)",
    "Neighbours with a value",
  ]).font = { bold: true };
  for (const r of data.rows.filter((x) => x.indicator.dfe))
    for (const b of r.benchmarks)
      bench.addRow([
        r.indicator.title,
        yearLabel(b.year),
        round1(r.years.find((y) => y.period.year === b.year)?.figure.value),
        round1(b.local),
        b.localNote,
        round1(b.england),
        round1(b.region),
        round1(b.neighbourMedian),
        b.neighboursKnown,
      ]);
  bench.getColumn(1).width = 60;
  const defs = book.addWorksheet("Definitions");
  defs.addRow([
    "Id",
    "Title",
    "Definition",
    "Numerator",
    "Denominator",
    "Period",
    "Higher is better",
    "Strategies",
    "DfE file",
  ]).font = {
    bold: true,
  };
  for (const { indicator: i } of data.rows)
    defs.addRow([
      i.id,
      i.title,
      i.definition,
      i.numerator,
      i.denominator ?? "",
      i.periodType,
      i.higherIsBetter === null ? "" : i.higherIsBetter ? "yes" : "no",
      i.seeds.join(", "),
      i.dfe?.file ?? "",
    ]);
  defs.getColumn(3).width = 100;
  const buffer = await book.xlsx.writeBuffer();
  progress("xlsx");
  return Buffer.from(buffer as ArrayBuffer);
};
