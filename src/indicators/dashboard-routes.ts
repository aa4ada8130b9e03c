// SPDX-License-Identifier: MIT
/** The indicators dashboard and the disproportionality page. */
import { z } from "zod";
import { ROLES } from "../organisation/codes.ts";
import type { AppContext } from "../web/app.ts";
import { forbidden } from "../web/guards.ts";
import { ragOf } from "./board-settings.ts";
import { countText, FEWER_THAN, isSmall } from "./disclosure.ts";
import { formatFigure, optional, READERS, ZPeriodKey } from "./indicator-route-helpers.ts";
import { comparedAsRate } from "./indicators-repository.ts";
import { GROUPS } from "./registry.ts";
import { directionOf, sparkline } from "./trend-charts.ts";

/** The dashboard of every indicator, and disproportionality. */
export const registerDashboardRoutes = ({ app }: AppContext): void => {
  app.get("/indicators", { preHandler: READERS }, async (request, reply) => {
    const dashboard = await request.repo.indicators.dashboard();
    if (!dashboard) return forbidden(reply);
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
    if (!result) return forbidden(reply);
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
};
