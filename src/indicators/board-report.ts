// SPDX-License-Identifier: MIT
/**
 * The quarterly board report, as PDF (pdfmake) and XLSX (exceljs): a cover, the commentary written in
 * Hearth, the headline indicators with charts and tables, every indicator's figures beside the published
 * benchmarks, and an appendix of definitions (the same words the indicator pages show). Both are built
 * from one set of figures, and each step reports its progress.
 */

export {
  type BoardReportData,
  HEADLINE_IDS,
  type ReportStep,
  round1,
} from "./board-report-figures.ts";
export { boardReportPdf } from "./board-report-pdf.ts";
export { boardReportXlsx } from "./board-report-xlsx.ts";
