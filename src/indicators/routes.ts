// SPDX-License-Identifier: MIT
/**
 * The indicator pages: the dashboard, one indicator (definition, chart and table, breakdowns, benchmarks,
 * drill-down), disproportionality, and the quarterly board report (commentary, then PDF and XLSX made in
 * the background with their progress shown). Thin: each route checks its input with Zod and asks
 * request.repo.indicators, which applies the access rules.
 */

import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { todayInEngland } from "../chronology/dates.ts";
import { ROLES } from "../organisation/codes.ts";
import type { AppContext } from "../web/app.ts";
import { requireSignedIn } from "../web/guards.ts";
import { runInBackground, settleBackgroundWork } from "./background.ts";
import type { BenchmarkYear } from "./benchmarks.ts";
import {
  boardReportPdf,
  boardReportXlsx,
  HEADLINE_IDS as HEADLINE,
  type ReportStep,
} from "./board-report.ts";
import { ragOf } from "./board-settings.ts";
import { registerBoardSettingsRoutes } from "./board-settings-routes.ts";
import { countText, FEWER_THAN, isSmall } from "./disclosure.ts";
import { comparedAsRate } from "./indicators-repository.ts";
import { lastCompleteQuarterEnd, type Period, periodFromKey, recentQuarters } from "./model.ts";
import {
  BREAKDOWNS,
  type Breakdown,
  type Figure,
  GROUPS,
  INDICATORS,
  type Indicator,
  SEED_NAMES,
} from "./registry.ts";
import { directionOf, trendChart as drawTrend, sparkline } from "./trend-charts.ts";

const READERS = requireSignedIn("analyst", "safeguarding-lead", "manager");
const BOARD = requireSignedIn("analyst", "safeguarding-lead");

const BREAKDOWN_CODES = Object.keys(BREAKDOWNS) as [Breakdown, ...Breakdown[]];
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());
const ZPeriodKey = z.string().regex(/^\d{4}(-Q[1-4])?$/);
const ZIndicatorQuery = z.object({
  period: optional(ZPeriodKey),
  breakdown: optional(z.enum(BREAKDOWN_CODES)),
  group: optional(z.string().max(200)),
});
const ZQuarter = z.object({ quarter: optional(z.string().regex(/^\d{4}-Q[1-4]$/)) });

/** A figure in words for tables: "12.5%", "3", "4.2 per 10,000", "6.1 months"; "Not known" when null. */
export const formatFigure = (indicator: Pick<Indicator, "unit">, value: number | null): string => {
  if (value === null) return "Not known";
  const n = value.toLocaleString("en-GB", { maximumFractionDigits: 1 });
  switch (indicator.unit) {
    case "percent":
      return `${n}%`;
    case "rate":
      return `${n} per 10,000`;
    case "months":
      return `${n} months`;
    case "points":
      return `${n} points`;
    case "count":
      return n;
  }
};

const yLabel = (indicator: Indicator) =>
  ({ percent: "Per cent", rate: "Per 10,000 children", months: "Months", points: "Points", count: "Number" })[
    indicator.unit
  ];

/** Hearth's own figures over periods, as a chart in the fixed colours with its legend. */
const ownTrend = (indicator: Indicator, points: { period: Period; figure: Figure }[], which: string) =>
  drawTrend(
    points.flatMap((p, index) =>
      p.figure.value === null ? [] : [{ series: "hearth" as const, index, value: p.figure.value }],
    ),
    {
      title: `${indicator.title}: ${which}`,
      periods: points.map((p) => p.period.label),
      yLabel: yLabel(indicator),
    },
  );

const yearText = (year: number) => `${year - 1}-${String(year % 100).padStart(2, "0")}`;

/**
 * Hearth's figure by reporting year beside England, the region and the neighbours' median, in one
 * chart with a legend and a table of the same figures. Counts are compared as rates per 10,000.
 */
const comparisonOf = (
  indicator: Indicator,
  result: {
    ownLine: { year: number; value: number | null }[];
    comparison: BenchmarkYear[];
    comparedAsRate: boolean;
  },
) => {
  const years = [...new Set([...result.comparison.map((b) => b.year), ...result.ownLine.map((o) => o.year)])]
    .sort((a, b) => a - b)
    .slice(-7);
  const unit: Pick<Indicator, "unit"> = result.comparedAsRate ? { unit: "rate" } : indicator;
  const rows = years.map((year) => {
    const b = result.comparison.find((x) => x.year === year);
    return {
      year,
      label: yearText(year),
      hearth: result.ownLine.find((o) => o.year === year)?.value ?? null,
      england: b?.england ?? null,
      region: b?.region ?? null,
      neighbours: b?.neighbourMedian ?? null,
    };
  });
  const points = rows.flatMap((r, index) =>
    (["hearth", "england", "region", "neighbours"] as const).flatMap((series) => {
      const value = r[series];
      return value === null ? [] : [{ series, index, value }];
    }),
  );
  const title = result.comparedAsRate
    ? `${indicator.title}, as a rate per 10,000 children, by reporting year`
    : `${indicator.title} by reporting year`;
  return {
    comparisonTitle: title,
    comparisonChart: drawTrend(points, {
      title,
      periods: rows.map((r) => r.label),
      yLabel: yLabel(result.comparedAsRate ? { ...indicator, unit: "rate" } : indicator),
    }),
    comparisonRows: rows.map((r) => ({
      label: r.label,
      hearth: formatFigure(unit, r.hearth),
      england: indicator.dfe ? formatFigure(unit, r.england) : "No DfE equivalent",
      region: indicator.dfe ? formatFigure(unit, r.region) : "No DfE equivalent",
      neighbours: indicator.dfe ? formatFigure(unit, r.neighbours) : "No DfE equivalent",
    })),
    comparedAsRate: result.comparedAsRate,
  };
};

const STEPS: ReportStep[] = ["figures", "charts", "pdf", "xlsx"];
export const STEP_LABELS: Record<ReportStep, string> = {
  figures: "Compute every indicator for the quarter and the year",
  charts: "Draw the charts",
  pdf: "Write the PDF",
  xlsx: "Write the spreadsheet (XLSX)",
};

/** @param context - The app and its database. */
export const registerIndicatorRoutes = (context: AppContext): void => {
  const { app } = context;
  registerBoardSettingsRoutes(context);
  // Figures being recomputed in the background finish before the database closes.
  app.addHook("onClose", settleBackgroundWork);
  app.get("/indicators", { preHandler: READERS }, async (request, reply) => {
    const dashboard = await request.repo.indicators.dashboard();
    if (!dashboard) return reply.code(403).page("web/views/forbidden.njk");
    const source = await request.repo.indicators.benchmarkSource();
    const groups = Object.entries(GROUPS).map(([key, title]) => ({
      key,
      title,
      rows: dashboard.rows
        .filter((r) => r.indicator.group === key)
        .map((r) => ({
          ...r,
          latestText: formatFigure(r.indicator, r.latest.figure.value),
          sparkline: sparkline(
            r.quarters.map((q) => q.figure.value),
            `${r.indicator.title}: Hearth's figure over the last ${r.quarters.length} quarters, ${r.quarters[0]?.period.label ?? ""} to ${r.quarters.at(-1)?.period.label ?? ""}`,
          ),
          direction: directionOf(
            r.indicator.higherIsBetter,
            r.years.at(-2)?.figure.value ?? null,
            r.latest.figure.value,
            r.indicator.unit === "percent" ? " points" : "",
          ),
          target: source?.targets[r.indicator.id],
          targetText: source?.targets[r.indicator.id]
            ? formatFigure(r.indicator, source.targets[r.indicator.id]?.target ?? null)
            : undefined,
          rag: ragOf(r.indicator, r.latest.figure.value, source?.targets[r.indicator.id]),
          quarterTexts: r.quarters.slice(-4).map((q) => ({
            label: q.period.label,
            text: formatFigure(r.indicator, q.figure.value),
          })),
          yearTexts: r.years.slice(-3).map((y) => ({
            label: y.period.label,
            text: formatFigure(r.indicator, y.figure.value),
          })),
          comparedAsRate: comparedAsRate(r.indicator),
          benchmarkText:
            r.benchmark && !comparedAsRate(r.indicator)
              ? {
                  year: `${r.benchmark.year - 1}-${String(r.benchmark.year % 100).padStart(2, "0")}`,
                  local: formatFigure(r.indicator, r.benchmark.local),
                  england: formatFigure(r.indicator, r.benchmark.england),
                  neighbours: formatFigure(r.indicator, r.benchmark.neighbourMedian),
                }
              : undefined,
        })),
    }));
    return reply.page("indicators/views/dashboard.njk", {
      title: "Indicators",
      scope: dashboard.scope,
      freshness: dashboard.freshness,
      groups,
      source,
      latestLabel: dashboard.rows[0]?.latest.period.label ?? "",
      previousLabel: dashboard.rows[0]?.years.at(-2)?.period.label ?? "",
      // Training counts staff, not children, so it is not in the registry: its figures sit beside it.
      training: await request.repo.training.coverage(),
      ROLES,
    });
  });

  app.get("/indicators/disproportionality", { preHandler: READERS }, async (request, reply) => {
    const query = z.object({ period: optional(ZPeriodKey) }).safeParse(request.query);
    const result = await request.repo.indicators.disproportionality(
      query.success ? query.data.period : undefined,
    );
    if (!result) return reply.code(403).page("web/views/forbidden.njk");
    const source = await request.repo.indicators.benchmarkSource();
    // Cells of 1 to 4 children are shown as "fewer than 5"; no share or ratio is shown from them.
    const cells = (rows: typeof result.sex) =>
      rows.map((r) => ({
        key: r.key,
        counted: countText(r.counted),
        countedShare: isSmall(r.counted)
          ? "Not shown"
          : r.countedShare === null
            ? "Not known"
            : `${r.countedShare}%`,
        population: countText(r.population),
        populationShare: isSmall(r.population)
          ? "Not shown"
          : r.populationShare === null
            ? "Not known"
            : `${r.populationShare}%`,
        ratio:
          r.ratio !== null
            ? r.ratio.toLocaleString("en-GB", { maximumFractionDigits: 2 })
            : r.counted > 0 && r.counted < 5
              ? `Not worked out (${FEWER_THAN})`
              : "Not known",
      }));
    return reply.page("indicators/views/disproportionality.njk", {
      title: "Disproportionality",
      ...result,
      source,
      overallRows: [
        {
          counted: countText(result.overall.counted),
          population: result.overall.population === null ? "Not known" : countText(result.overall.population),
          rate: isSmall(result.overall.counted)
            ? `Not worked out (${FEWER_THAN})`
            : formatFigure({ unit: "rate" }, result.overall.rate),
          populationName: result.overall.populationName,
        },
      ],
      ethnicity: cells(result.ethnicity),
      sex: cells(result.sex),
      disability: cells(result.disability),
    });
  });

  app.get("/indicators/board-report", { preHandler: BOARD }, async (request, reply) => {
    const parsed = ZQuarter.safeParse(request.query);
    const quarters = recentQuarters(lastCompleteQuarterEnd(todayInEngland()), 8).reverse();
    const quarter = (parsed.success ? parsed.data.quarter : undefined) ?? quarters[0]?.key ?? "";
    const commentary = await request.repo.indicators.listCommentary(quarter);
    return reply.page("indicators/views/board-report.njk", {
      title: "Board report",
      quarter,
      quarterLabel: periodFromKey(quarter)?.label ?? quarter,
      quarters: quarters.map((q) => ({ value: q.key, text: q.label, selected: q.key === quarter })),
      overview: commentary.get("overview") ?? "",
      headline: INDICATORS.filter((i) => HEADLINE.includes(i.id)).map((i) => ({
        id: i.id,
        title: i.title,
        text: commentary.get(i.id) ?? "",
      })),
      saved: (request.query as Record<string, string>).saved === "1",
    });
  });

  app.post("/indicators/board-report/commentary", { preHandler: BOARD }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const quarter =
      typeof body.quarter === "string" && /^\d{4}-Q[1-4]$/.test(body.quarter) ? body.quarter : undefined;
    if (!quarter)
      return reply.code(400).page("web/views/error.njk", {
        title: "Choose a quarter",
        message: "Choose a quarter for the report.",
      });
    for (const id of ["overview", ...HEADLINE]) {
      const text = body[`commentary-${id}`];
      if (typeof text !== "string") continue;
      const saved = await request.repo.indicators.saveCommentary(quarter, id, text.trim());
      if (!saved.ok)
        return reply
          .code(400)
          .page("web/views/error.njk", { title: "Commentary not saved", message: saved.message });
    }
    return reply.redirect(`/indicators/board-report?quarter=${quarter}&saved=1`, 303);
  });

  app.post("/indicators/board-report/generate", { preHandler: BOARD }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const quarter =
      typeof body.quarter === "string" && /^\d{4}-Q[1-4]$/.test(body.quarter) ? body.quarter : undefined;
    const userId = request.session?.context.userId;
    if (!quarter || !userId)
      return reply.code(400).page("web/views/error.njk", {
        title: "Choose a quarter",
        message: "Choose a quarter for the report.",
      });
    const repo = request.repo.indicators;
    const started = await repo.startBoardReportJob(quarter);
    if (!started.ok)
      return reply
        .code(400)
        .page("web/views/error.njk", { title: "Choose a quarter", message: started.message });
    const { jobId } = started.value;
    // The report is made after the response; its progress and files are kept in the job's row, so any
    // app process can show them. Steps are recorded in order, one write at a time.
    let progress = Promise.resolve();
    const mark = (step: ReportStep) => {
      progress = progress.then(() => repo.recordBoardReportStep(jobId, step));
    };
    runInBackground(
      async () => {
        const found = await repo.boardReport(quarter);
        if (!found) throw new Error("You cannot make this report");
        const data = { ...found, training: await request.repo.training.coverage() };
        mark("figures");
        const pdf = await boardReportPdf(data, mark);
        const xlsx = await boardReportXlsx(data, mark);
        await progress;
        await repo.finishBoardReportJob(jobId, { pdf, xlsx });
      },
      (error) => repo.failBoardReportJob(jobId, error instanceof Error ? error.message : String(error)),
    );
    return reply.redirect(`/indicators/board-report/jobs/${jobId}`, 303);
  });

  const jobParam = (request: FastifyRequest) => (request.params as { jobId?: string }).jobId ?? "";

  app.get("/indicators/board-report/jobs/:jobId", { preHandler: BOARD }, async (request, reply) => {
    const job = await request.repo.indicators.boardReportJob(jobParam(request));
    if (!job) return reply.code(404).page("web/views/not-found.njk", { title: "Report not found" });
    return reply.page("indicators/views/report-job.njk", {
      title: "Board report",
      jobId: job.jobId,
      quarterLabel: periodFromKey(job.quarter)?.label ?? job.quarter,
      steps: STEPS.map((step) => ({ label: STEP_LABELS[step], done: job.stepsDone.includes(step) })),
      done: job.stepsDone.length,
      total: STEPS.length,
      finished: job.state === "finished",
      stopped: job.state === "stopped",
      autoRefresh: job.state === "making" && (request.query as Record<string, string>).refresh !== "off",
      error: job.error,
    });
  });

  for (const format of ["pdf", "xlsx"] as const) {
    app.get(
      `/indicators/board-report/jobs/:jobId/report.${format}`,
      { preHandler: BOARD },
      async (request, reply) => {
        const job = await request.repo.indicators.boardReportJob(jobParam(request));
        if (!job) return reply.code(404).page("web/views/not-found.njk", { title: "Report not found" });
        const file = await request.repo.indicators.boardReportFile(job.jobId, format);
        if (!file)
          return reply.code(404).page("web/views/not-found.njk", { title: "The report is not ready yet" });
        reply.header("cache-control", "no-store");
        return reply
          .type(
            format === "pdf"
              ? "application/pdf"
              : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          )
          .header("content-disposition", `attachment; filename="board-report-${job.quarter}.${format}"`)
          .send(file);
      },
    );
  }

  app.get("/indicators/:id", { preHandler: READERS }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const parsed = ZIndicatorQuery.safeParse(request.query);
    const query = parsed.success ? parsed.data : {};
    const result = await request.repo.indicators.indicator(id, {
      period: query.period,
      breakdown: query.breakdown,
    });
    if (!result) return reply.code(404).page("web/views/not-found.njk", { title: "Indicator not found" });
    const { indicator } = result;
    const source = await request.repo.indicators.benchmarkSource();
    const fmt = (v: number | null) => formatFigure(indicator, v);
    return reply.page("indicators/views/indicator.njk", {
      title: indicator.title,
      ...result,
      source,
      valueText: fmt(result.figure.value),
      seeds: indicator.seeds.map((s) => source?.strategyNames[s] ?? SEED_NAMES[s]),
      ...comparisonOf(indicator, result),
      quartersChart: ownTrend(indicator, result.quarters, "by quarter"),
      years: result.years.map((y) => ({ ...y, text: fmt(y.figure.value) })),
      quarters: result.quarters.map((q) => ({ ...q, text: fmt(q.figure.value) })),
      breakdownItems: [
        { value: "", text: "No breakdown" },
        ...indicator.breakdowns.map((b) => ({
          value: b,
          text: BREAKDOWNS[b],
          selected: b === query.breakdown,
        })),
      ],
      periodItems: [...result.years, ...result.quarters].map((p) => ({
        value: p.period.key,
        text: p.period.label,
        selected: p.period.key === result.period.key,
      })),
      breakdownName: query.breakdown ? BREAKDOWNS[query.breakdown] : undefined,
      breakdownKey: query.breakdown,
      // Cells of 1 to 4 children are shown as "fewer than 5", and no share is made from them.
      breakdownRows: result.breakdown?.map((row) => ({
        ...row,
        numText: countText(row.figure.numerator),
        denText: countText(row.figure.denominator),
        text:
          isSmall(row.figure.numerator) || isSmall(row.figure.denominator)
            ? `Not shown (${FEWER_THAN})`
            : fmt(row.figure.value),
      })),
      groupRows: result.groups.map((g) => ({
        ...g,
        countText: countText(g.count),
        shareText: isSmall(g.count) || g.share === null ? "Not shown" : `${g.share}%`,
      })),
      benchmarkRows: result.benchmarks
        .slice(-6)
        .map((b) => ({
          year: `${b.year - 1}-${String(b.year % 100).padStart(2, "0")}`,
          local: fmt(b.local),
          localNote: b.localNote,
          england: fmt(b.england),
          region: fmt(b.region),
          neighbours: fmt(b.neighbourMedian),
          neighboursKnown: b.neighboursKnown,
          model: b.year >= 2025 ? "2025" : "2021",
          computed: result.years.find((y) => y.period.year === b.year),
        }))
        .map((b) => ({ ...b, computedText: b.computed ? fmt(b.computed.figure.value) : "Not in Hearth" })),
      // Published figures Hearth does not compute, shown as context only.
      contextTables: result.context.map((c) => ({
        title: c.title,
        source: c.source,
        note: c.note,
        rows: c.years.slice(-6).map((b) => ({
          year: `${b.year - 1}-${String(b.year % 100).padStart(2, "0")}`,
          local: formatFigure(c, b.local),
          localNote: b.localNote,
          england: formatFigure(c, b.england),
          region: formatFigure(c, b.region),
          neighbours: formatFigure(c, b.neighbourMedian),
          neighboursKnown: b.neighboursKnown,
          model: b.year >= 2025 ? "2025" : "2021",
        })),
      })),
    });
  });

  app.get("/indicators/:id/children", { preHandler: READERS }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const parsed = ZIndicatorQuery.safeParse(request.query);
    if (!parsed.success || !parsed.data.period)
      return reply.code(400).page("web/views/error.njk", {
        title: "Choose a period",
        message: "Choose a period from the indicator's page.",
      });
    const { period, breakdown, group } = parsed.data;
    const indicator = INDICATORS.find((i) => i.id === id);
    const result = await request.repo.indicators.drillDown(
      id,
      period,
      breakdown && group !== undefined ? { breakdown, key: group } : undefined,
    );
    if (!result || !indicator)
      return reply.code(404).page("web/views/not-found.njk", { title: "Indicator not found" });
    return reply.page("indicators/views/children.njk", {
      title: `Children behind: ${indicator.title}`,
      indicator,
      periodLabel: periodFromKey(period)?.label ?? period,
      period,
      breakdownName: breakdown ? BREAKDOWNS[breakdown] : undefined,
      group,
      backQuery: `?period=${period}${breakdown ? `&breakdown=${breakdown}` : ""}`,
      ...result,
    });
  });
};
