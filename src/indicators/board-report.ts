// SPDX-License-Identifier: MIT
/**
 * The quarterly board report, as PDF (pdfmake) and XLSX (exceljs): a cover, the commentary written in
 * Hearth, the headline indicators with charts and tables, every indicator's figures beside the published
 * benchmarks, and an appendix of definitions (the same words the indicator pages show). Both are built
 * from one set of figures, and each step reports its progress.
 */
import ExcelJS from "exceljs";
import pdfmake, { type Content } from "pdfmake";
import { lineChart } from "../web/charts.ts";
import type { BenchmarkYear } from "./benchmarks.ts";
import type { Period } from "./model.ts";
import { type Figure, GROUPS, type Indicator, SEED_NAMES } from "./registry.ts";

export type ReportStep = "figures" | "charts" | "pdf" | "xlsx";

export type BoardReportData = {
  partnershipName: string;
  authorityCodes: string[];
  period: Period;
  generatedOn: string;
  rows: {
    indicator: Indicator;
    quarters: { period: Period; figure: Figure }[];
    years: { period: Period; figure: Figure }[];
    benchmarks: BenchmarkYear[];
  }[];
  commentary: Map<string, string>;
};

/** The indicators the report leads with (each has a commentary field in Hearth). */
export const HEADLINE_IDS = [
  "cp-neglect-share-open",
  "cp-neglect-start-rate",
  "cp-second-plan",
  "cp-duration-2y-plus",
  "rereferral-12m",
  "cp-neglect-length-at-closure",
];

const HELVETICA = {
  normal: "Helvetica",
  bold: "Helvetica-Bold",
  italics: "Helvetica-Oblique",
  bolditalics: "Helvetica-BoldOblique",
};
const STANDARD_FONTS: ReadonlySet<string> = new Set(Object.values(HELVETICA));
pdfmake.setFonts({ Helvetica: HELVETICA });
pdfmake.setUrlAccessPolicy(() => false);
pdfmake.setLocalAccessPolicy((path) => STANDARD_FONTS.has(path));

const fmt = (indicator: Pick<Indicator, "unit">, value: number | null): string => {
  if (value === null) return "Not known";
  const n = value.toLocaleString("en-GB", { maximumFractionDigits: 1 });
  return indicator.unit === "percent"
    ? `${n}%`
    : indicator.unit === "rate"
      ? `${n} per 10,000`
      : indicator.unit === "months"
        ? `${n} months`
        : indicator.unit === "points"
          ? `${n} points`
          : n;
};

const yearLabel = (year: number) => `${year - 1}-${String(year % 100).padStart(2, "0")}`;

/** A chart of an indicator's quarters for the PDF (the same drawing as the pages). */
const quarterChart = (row: BoardReportData["rows"][number]): string | undefined =>
  lineChart(
    row.quarters.flatMap((q, index) =>
      q.figure.value === null
        ? []
        : [{ series: "Partnership", label: q.period.label, index, value: q.figure.value }],
    ),
    { title: row.indicator.title, periods: row.quarters.map((q) => q.period.label), yLabel: "", width: 560 },
  );

type TDocumentDefinitions = Parameters<typeof pdfmake.createPdf>[0];

/**
 * @param data - The report's figures.
 * @param progress - Told when the charts and the PDF are done.
 * @returns The PDF.
 */
export const boardReportPdf = async (
  data: BoardReportData,
  progress: (step: ReportStep) => void = () => {},
): Promise<Buffer> => {
  const headline = data.rows.filter((r) => HEADLINE_IDS.includes(r.indicator.id));
  const charts = new Map(headline.map((r) => [r.indicator.id, quarterChart(r)]));
  progress("charts");
  const table = (head: string[], body: string[][], widths?: (string | number)[]): Content => ({
    table: {
      headerRows: 1,
      widths: widths ?? head.map(() => "*"),
      body: [head.map((h) => ({ text: h, bold: true })), ...body],
    },
    layout: "lightHorizontalLines",
    fontSize: 8,
    margin: [0, 4, 0, 10],
  });
  const content: Content[] = [
    { text: data.partnershipName, style: "caption" },
    { text: `Neglect strategy: board report for ${data.period.label}`, style: "title" },
    {
      text: `Figures computed by Hearth from the partnership's own records on ${data.generatedOn}, beside the Department for Education's published children-in-need statistics for England, the region and the statistical neighbours of authority ${data.authorityCodes.join(" and ") || "(not set)"}.`,
      margin: [0, 0, 0, 12],
    },
    { text: "Commentary", style: "h2" },
    { text: data.commentary.get("overview") || "No overall commentary has been written for this quarter." },
    { text: "Headline indicators", style: "h2", pageBreak: "before" },
  ];
  for (const row of headline) {
    const svg = charts.get(row.indicator.id);
    content.push({ text: row.indicator.title, style: "h3" });
    if (svg) content.push({ svg, width: 480, margin: [0, 4, 0, 4] } as Content);
    content.push(
      table(
        ["Quarter", "Value", "Numerator", "Denominator"],
        row.quarters.map((q) => [
          q.period.label,
          fmt(row.indicator, q.figure.value),
          String(q.figure.numerator),
          q.figure.denominator === null ? "" : String(q.figure.denominator),
        ]),
      ),
    );
    const comment = data.commentary.get(row.indicator.id);
    if (comment) content.push({ text: comment, italics: true, margin: [0, 0, 0, 10] });
  }
  content.push({ text: "Benchmarks: published DfE figures", style: "h2", pageBreak: "before" });
  content.push({
    text: "The partnership's published figure beside England, the region and the median of its ten statistical neighbours (the 2025 neighbour model from 2024-25, the 2021 model before). Suppressed figures are shown as not known, never as zero.",
    margin: [0, 0, 0, 6],
  });
  const benchmarkRows = data.rows
    .filter((r) => r.indicator.dfe)
    .flatMap((r) =>
      r.benchmarks.map((b) => [
        r.indicator.title,
        yearLabel(b.year),
        fmt(r.indicator, r.years.find((y) => y.period.year === b.year)?.figure.value ?? null),
        fmt(r.indicator, b.local),
        fmt(r.indicator, b.england),
        fmt(r.indicator, b.region),
        fmt(r.indicator, b.neighbourMedian),
      ]),
    );
  content.push(
    table(["Indicator", "Year", "Hearth", "Published", "England", "Region", "Neighbours"], benchmarkRows, [
      "*",
      40,
      45,
      45,
      45,
      45,
      50,
    ]),
  );
  content.push({ text: "All indicators", style: "h2", pageBreak: "before" });
  for (const [group, title] of Object.entries(GROUPS)) {
    const rows = data.rows.filter((r) => r.indicator.group === group);
    if (rows.length === 0) continue;
    content.push({ text: title, style: "h3" });
    content.push(
      table(
        ["Indicator", ...(rows[0]?.quarters.map((q) => q.period.label) ?? [])],
        rows.map((r) => [r.indicator.title, ...r.quarters.map((q) => fmt(r.indicator, q.figure.value))]),
        ["*", ...(rows[0]?.quarters.map(() => 50) ?? [])],
      ),
    );
  }
  content.push({ text: "Appendix: definitions", style: "h2", pageBreak: "before" });
  for (const row of data.rows) {
    const i = row.indicator;
    content.push({ text: i.title, style: "h3" });
    content.push({ text: i.definition });
    content.push({
      text: `Numerator: ${i.numerator}. ${i.denominator ? `Denominator: ${i.denominator}. ` : ""}${i.periodType === "snapshot" ? "A snapshot on the period's last day." : "Counted during the period."} ${i.higherIsBetter === null ? "" : i.higherIsBetter ? "Higher is better." : "Lower is better."} Asked for by: ${i.seeds.map((s) => SEED_NAMES[s]).join("; ")}.${i.dfe ? ` DfE file ${i.dfe.file}.` : ""}`,
      fontSize: 8,
      color: "#505a5f",
      margin: [0, 2, 0, 8],
    });
  }
  const doc: TDocumentDefinitions = {
    info: { title: `Board report ${data.period.label}`, author: "Hearth" },
    defaultStyle: { font: "Helvetica", fontSize: 10 },
    pageMargins: [40, 40, 40, 50],
    footer: (page: number, pages: number) => ({
      text: `${data.partnershipName}: board report ${data.period.label}. Page ${page} of ${pages}`,
      fontSize: 8,
      margin: [40, 10, 40, 0],
    }),
    styles: {
      title: { fontSize: 22, bold: true, margin: [0, 0, 0, 12] },
      caption: { fontSize: 12, color: "#505a5f" },
      h2: { fontSize: 16, bold: true, margin: [0, 12, 0, 6] },
      h3: { fontSize: 12, bold: true, margin: [0, 8, 0, 4] },
    },
    content,
  };
  const buffer = await pdfmake.createPdf(doc).getBuffer();
  progress("pdf");
  return Buffer.from(buffer);
};

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
  const cover = book.addWorksheet("Cover");
  cover.addRows([
    [data.partnershipName],
    [`Neglect strategy: board report for ${data.period.label}`],
    [`Generated ${data.generatedOn}; authority ${data.authorityCodes.join(" and ")}`],
    [],
    ["Commentary"],
    [safe(data.commentary.get("overview") ?? "")],
  ]);
  cover.getRow(1).font = { bold: true, size: 14 };
  cover.getColumn(1).width = 100;
  const quarters = data.rows[0]?.quarters.map((q) => q.period.label) ?? [];
  const figures = book.addWorksheet("Indicators");
  figures.addRow(["Indicator", "Group", "Unit", ...quarters, "Commentary"]).font = { bold: true };
  for (const r of data.rows)
    figures.addRow([
      r.indicator.title,
      GROUPS[r.indicator.group],
      r.indicator.unit,
      ...r.quarters.map((q) => q.figure.value),
      safe(data.commentary.get(r.indicator.id) ?? ""),
    ]);
  figures.getColumn(1).width = 70;
  const detail = book.addWorksheet("Numerators");
  detail.addRow(["Indicator", "Period", "Numerator", "Denominator", "Value"]).font = { bold: true };
  for (const r of data.rows)
    for (const p of [...r.years, ...r.quarters])
      detail.addRow([
        r.indicator.id,
        p.period.label,
        p.figure.numerator,
        p.figure.denominator,
        p.figure.value,
      ]);
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
        r.years.find((y) => y.period.year === b.year)?.figure.value ?? null,
        b.local,
        b.localNote,
        b.england,
        b.region,
        b.neighbourMedian,
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
