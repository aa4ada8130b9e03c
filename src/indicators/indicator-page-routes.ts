// SPDX-License-Identifier: MIT
/**
 * One indicator's page (definition, chart and table, breakdowns, benchmarks and context) and its
 * drill-down to the children counted.
 */
import { z } from "zod";
import type { AppContext } from "../web/app.ts";
import { notFound } from "../web/guards.ts";
import { textParam } from "../web/request-values.ts";
import type { BenchmarkYear } from "./benchmarks.ts";
import { countText, FEWER_THAN, isSmall } from "./disclosure.ts";
import { formatFigure, optional, READERS, ZPeriodKey } from "./indicator-route-helpers.ts";
import { type Period, periodFromKey } from "./model.ts";
import {
  BREAKDOWNS,
  type Breakdown,
  type Figure,
  INDICATORS,
  type Indicator,
  SEED_NAMES,
} from "./registry.ts";
import { trendChart as drawTrend } from "./trend-charts.ts";

const BREAKDOWN_CODES = Object.keys(BREAKDOWNS) as [Breakdown, ...Breakdown[]];
const ZIndicatorQuery = z.object({
  period: optional(ZPeriodKey),
  breakdown: optional(z.enum(BREAKDOWN_CODES)),
  group: optional(z.string().max(200)),
});

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

/** One indicator's page and the children behind its figures. */
export const registerIndicatorPageRoutes = ({ app }: AppContext): void => {
  app.get("/indicators/:id", { preHandler: READERS }, async (request, reply) => {
    const id = textParam(request, "id");
    const parsed = ZIndicatorQuery.safeParse(request.query);
    const query = parsed.success ? parsed.data : {};
    const result = await request.repo.indicators.indicator(id, {
      period: query.period,
      breakdown: query.breakdown,
    });
    if (!result) return notFound(reply);
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
    const id = textParam(request, "id");
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
    if (!result || !indicator) return notFound(reply);
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
