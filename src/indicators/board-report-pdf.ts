// SPDX-License-Identifier: MIT
/** The board report as PDF (pdfmake): a cover, the summary, each headline measure, and the appendices. */
import { ROLES, type Role } from "../organisation/codes.ts";
import { type Content, pdfmake, type TDocumentDefinitions } from "../web/pdf.ts";
import {
  type BoardReportData,
  comparisonRows,
  countsUnits,
  fmt,
  HEADLINE_IDS,
  type ReportStep,
  type Row,
  round1,
  tooSmall,
  yearLabel,
} from "./board-report-figures.ts";
import { RAG_LABELS, ragOf } from "./board-settings.ts";
import { countText, FEWER_THAN } from "./disclosure.ts";
import { GROUPS, type Indicator, SEED_NAMES } from "./registry.ts";
import { directionOf, trendChart } from "./trend-charts.ts";

/** The measure's trend chart for the PDF: four series in the pages' fixed colours. */
const measureChart = (row: Row) => {
  const rows = comparisonRows(row);
  const points = rows.flatMap((r, index) =>
    (["hearth", "england", "region", "neighbours"] as const).flatMap((series) => {
      const value = r[series];
      return value === null ? [] : [{ series, index, value }];
    }),
  );
  return trendChart(points, {
    title: row.indicator.title,
    periods: rows.map((r) => yearLabel(r.year)),
    yLabel: row.comparedAsRate ? "Per 10,000 children" : "",
    width: 560,
    height: 240,
  });
};

/** The latest complete quarter's figure and the one before, with the RAG against the board's target. */
const summaryOf = (data: BoardReportData, row: Row) => {
  const latest = row.quarters.at(-1)?.figure.value ?? null;
  const previous = row.quarters.at(-2)?.figure.value ?? null;
  const target = data.targets?.[row.indicator.id];
  const direction = directionOf(
    row.indicator.higherIsBetter,
    previous,
    latest,
    row.indicator.unit === "percent" ? " points" : "",
  );
  const rag = ragOf(row.indicator, latest, target);
  const bench = (row.comparison ?? row.benchmarks).filter((b) => b.england !== null).at(-1);
  const unit: Pick<Indicator, "unit"> = row.comparedAsRate ? { unit: "rate" } : row.indicator;
  return {
    latest: fmt(row.indicator, latest),
    direction: direction
      ? `${direction.text}${direction.judgement ? ` (${direction.judgement})` : ""}`
      : "Not known",
    target: target ? fmt(row.indicator, target.target) : "No target set",
    rag: rag ? RAG_LABELS[rag] : target ? "Not known" : "No target",
    ragKey: rag,
    benchmark: bench
      ? `${yearLabel(bench.year)}: England ${fmt(unit, bench.england)}, neighbours ${fmt(unit, bench.neighbourMedian)}`
      : row.indicator.dfe
        ? "Not published"
        : "No DfE equivalent",
  };
};

const RAG_FILL: Record<string, string> = { green: "#cce2d8", amber: "#fff7bf", red: "#f4cdc6" };

/**
 * @param data - The report's figures.
 * @param progress - Told when the charts and the PDF are done.
 * @returns The PDF.
 */
export const boardReportPdf = async (
  data: BoardReportData,
  progress: (step: ReportStep) => void = () => {},
): Promise<Buffer> => {
  const headline = HEADLINE_IDS.flatMap((id) => data.rows.filter((r) => r.indicator.id === id));
  const charts = new Map(headline.map((r) => [r.indicator.id, measureChart(r)]));
  progress("charts");
  const names = data.strategyNames ?? SEED_NAMES;
  const authority =
    (data.authorities ?? data.authorityCodes.map((code) => ({ code, name: code })))
      .map((a) => `${a.name} (local authority ${a.code})`)
      .join(" and ") || "no authority set";
  const table = (head: string[], body: (string | Content)[][], widths?: (string | number)[]): Content => ({
    table: {
      headerRows: 1,
      dontBreakRows: true,
      widths: widths ?? head.map(() => "*"),
      body: [head.map((h) => ({ text: h, bold: true })), ...body],
    },
    layout: "lightHorizontalLines",
    fontSize: 8,
    margin: [0, 4, 0, 10],
  });
  const summaries = headline.map((row) => ({ row, summary: summaryOf(data, row) }));
  const ragCount = (key: string) => summaries.filter((s) => s.summary.ragKey === key).length;
  const content: Content[] = [
    // Title page
    { text: data.partnershipName, style: "title", margin: [0, 160, 0, 12] },
    { text: "Neglect strategy: report to the partnership board", style: "subtitle" },
    { text: `Quarter ${data.period.label} (${data.period.start} to ${data.period.end})`, style: "subtitle" },
    {
      text: `Benchmarked as ${authority}${data.region ? `, ${data.region} region` : ""}. Prepared by Hearth on ${data.generatedOn}.`,
      margin: [0, 24, 0, 6],
    },
    {
      text: `Rates per 10,000 children are counted against: ${data.populationLabel ?? "Children aged 0 to 17 (ONS mid-year estimate)"}.`,
      margin: [0, 0, 0, 6],
    },
    ...(data.populationBasis === "recorded"
      ? [
          {
            text: "This is a synthetic demonstration: every child, family and figure is made up by Hearth's generator. The published figures beside them are real.",
            bold: true,
          } as Content,
        ]
      : []),
    // Executive summary
    { text: "Executive summary", style: "h2", pageBreak: "before" },
    {
      text:
        data.commentary.get("overview") ||
        "No overall commentary has been written for this quarter: the analyst or safeguarding lead writes it in Hearth before the report is made.",
      margin: [0, 0, 0, 8],
    },
    {
      text: `Of the ${headline.length} neglect measures, ${ragCount("green")} are green, ${ragCount("amber")} amber and ${ragCount("red")} red against the board's targets; ${headline.length - ragCount("green") - ragCount("amber") - ragCount("red")} have no target or no figure. Direction of travel compares ${data.period.label} with the quarter before.`,
      margin: [0, 0, 0, 6],
    },
    table(
      ["Neglect measure", data.period.label, "Direction of travel", "Target", "RAG", "Published benchmark"],
      summaries.map(({ row, summary }) => [
        row.indicator.title,
        summary.latest,
        summary.direction,
        summary.target,
        summary.ragKey
          ? { text: summary.rag, bold: true, fillColor: RAG_FILL[summary.ragKey] ?? "#ffffff" }
          : summary.rag,
        summary.benchmark,
      ]),
      ["*", 55, 70, 55, 40, 100],
    ),
  ];
  // Each neglect measure
  for (const [index, { row, summary }] of summaries.entries()) {
    const chart = charts.get(row.indicator.id);
    content.push({
      text: row.indicator.title,
      style: "h2",
      ...(index === 0 ? { pageBreak: "before" as const } : {}),
    });
    content.push({ text: row.indicator.definition, fontSize: 9, color: "#505a5f", margin: [0, 0, 0, 6] });
    content.push({
      text: `${data.period.label}: ${summary.latest}. ${summary.direction} on the quarter before. Target: ${summary.target} (${summary.rag}). Benchmark: ${summary.benchmark}.`,
      bold: true,
      margin: [0, 0, 0, 6],
    });
    if (chart) {
      content.push({ svg: chart.svg, width: 480, margin: [0, 4, 0, 2] } as Content);
      content.push({
        text: `Legend: ${chart.legend.map((l) => `${l.label} (${l.key === "hearth" ? "solid blue" : l.key === "england" ? "black dashes" : l.key === "region" ? "red dots" : "green dash-dot"})`).join("; ")}.`,
        fontSize: 8,
        margin: [0, 0, 0, 4],
      });
    }
    const unit: Pick<Indicator, "unit"> = row.comparedAsRate ? { unit: "rate" } : row.indicator;
    content.push(
      table(
        ["Year", "This partnership", "England", "Region", "Neighbours (median)"],
        comparisonRows(row).map((r) => [
          yearLabel(r.year),
          fmt(unit, r.hearth),
          fmt(unit, r.england),
          fmt(unit, r.region),
          fmt(unit, r.neighbours),
        ]),
      ),
    );
    content.push(
      table(
        ["Quarter", "Value", "Numerator", "Denominator"],
        row.quarters.map((q) => [
          q.period.label,
          // 1 to 4 is "fewer than 5" here as on the pages, and no share is shown from it.
          tooSmall(row.indicator, q.figure)
            ? `Not shown (${FEWER_THAN})`
            : fmt(row.indicator, q.figure.value),
          countsUnits(row.indicator) ? countText(q.figure.numerator) : String(round1(q.figure.numerator)),
          countText(q.figure.denominator),
        ]),
      ),
    );
    const comment = data.commentary.get(row.indicator.id);
    content.push({ text: "Commentary", style: "h3" });
    content.push({
      text: comment || "No commentary has been written on this measure for the quarter.",
      margin: [0, 0, 0, 10],
    });
  }
  // Appendix
  content.push({ text: "Appendix A: every indicator by quarter", style: "h2", pageBreak: "before" });
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
  content.push({ text: "Appendix B: published DfE figures", style: "h2", pageBreak: "before" });
  content.push({
    text: "The partnership's authority as DfE published it beside England, the region and the median of its ten statistical neighbours (the 2025 neighbour model from 2024-25, the 2021 model before). Suppressed figures are shown as not known, never as zero.",
    margin: [0, 0, 0, 6],
  });
  const benchmarkRows = data.rows
    .filter((r) => r.indicator.dfe)
    .flatMap((r) =>
      r.benchmarks
        .slice(-3)
        .map((b) => [
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
  if (data.training) {
    const t = data.training;
    content.push({ text: "Training of the workforce", style: "h2", pageBreak: "before" });
    content.push({
      text: `${t.trained} of ${t.people} people in the roles that work with children have attended a course (${Math.round(t.percent)}%), against the partnership's target of ${t.targetPercent}%. ${t.meanChange === null ? "The change in confidence is not known yet." : `Confidence changed by ${t.meanChange > 0 ? "+" : ""}${t.meanChange.toFixed(1)} on a 1 to 5 scale on average, from ${t.evaluated} before-and-after evaluations.`} These figures count staff as of the day the report was made, not children.`,
      margin: [0, 0, 0, 6],
    });
    content.push({
      table: {
        headerRows: 1,
        widths: ["*", 110, 45, 45, 45],
        body: [
          ["Agency", "Role", "People", "Trained", "Percent"].map((text) => ({ text, bold: true })),
          ...t.rows.map((r) => [
            r.agency_name,
            ROLES[r.role as Role] ?? r.role,
            String(r.people),
            String(r.trained),
            `${Math.round(r.percent)}%`,
          ]),
        ],
      },
      fontSize: 9,
    });
    content.push({ text: "Trend: people trained by the end of each quarter", style: "h3" });
    content.push(
      table(
        ["", ...t.byQuarter.map((q) => q.label)],
        [
          ["People trained", ...t.byQuarter.map((q) => String(q.trained))],
          ["Percent of staff", ...t.byQuarter.map((q) => `${Math.round(q.percent)}%`)],
        ],
        ["*", ...t.byQuarter.map(() => 60)],
      ),
    );
  }
  content.push({ text: "Appendix C: definitions", style: "h2", pageBreak: "before" });
  for (const row of data.rows) {
    const i = row.indicator;
    content.push({ text: i.title, style: "h3" });
    content.push({ text: i.definition });
    content.push({
      text: `Numerator: ${i.numerator}. ${i.denominator ? `Denominator: ${i.denominator}. ` : ""}${i.periodType === "snapshot" ? "A snapshot on the period's last day." : "Counted during the period."} ${i.higherIsBetter === null ? "" : i.higherIsBetter ? "Higher is better." : "Lower is better."} Asked for by: ${i.seeds.map((s) => names[s]).join("; ")}.${i.dfe ? ` DfE file ${i.dfe.file}.` : ""}`,
      fontSize: 8,
      color: "#505a5f",
      margin: [0, 2, 0, 8],
    });
  }
  const doc: TDocumentDefinitions = {
    info: {
      title: `${data.partnershipName}: neglect strategy board report ${data.period.label}`,
      author: "Hearth",
      subject: "Neglect strategy indicators",
    },
    // pdfmake asks PDFKit for a tagged PDF (MarkInfo, a structure tree root, the language, the title
    // shown); pdfmake 0.3 writes no structure elements for its content, so it is not fully tagged.
    tagged: true,
    displayTitle: true,
    language: "en-GB",
    version: "1.7",
    defaultStyle: { font: "Helvetica", fontSize: 10 },
    pageMargins: [40, 40, 40, 50],
    footer: (page: number, pages: number) => ({
      text: `${data.partnershipName}: board report ${data.period.label}. Page ${page} of ${pages}`,
      fontSize: 8,
      margin: [40, 10, 40, 0],
    }),
    styles: {
      title: { fontSize: 26, bold: true },
      subtitle: { fontSize: 16, color: "#505a5f", margin: [0, 0, 0, 6] },
      h2: { fontSize: 16, bold: true, margin: [0, 12, 0, 6] },
      h3: { fontSize: 12, bold: true, margin: [0, 8, 0, 4] },
    },
    content,
  } as TDocumentDefinitions;
  const buffer = await pdfmake.createPdf(doc).getBuffer();
  progress("pdf");
  return Buffer.from(buffer);
};
